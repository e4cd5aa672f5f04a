# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Decision logic of ffdl.platform.static_volume_claim, free of any API client.

The module reads the cluster into a ``State``, asks ``next_action`` what to do
next, does it, and reads the cluster again, until nothing is left to do. Each
decision depends only on what the cluster holds at that moment, so a run that
was interrupted anywhere converges on the next run. In check mode ``simulate``
applies each action to the state in memory instead.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
ACTIVE_POD_PHASES = ("Pending", "Running", "Unknown")

# Storage quantities as Kubernetes writes them: digits, an optional fraction,
# a binary (Ki..Ei) or decimal (k, M..E) suffix. Anything else is refused.
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany")
_FACTORS = {
    None: 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


class Refused(Exception):
    """The desired state cannot be reached without a step the user did not allow."""


def quantity(value):
    """Bytes of a Kubernetes storage quantity such as 20Gi (None when it is not one)."""
    if value is None:
        return None
    match = _QUANTITY.match(str(value).strip())
    if not match:
        return None
    return int(float(match.group(1)) * _FACTORS[match.group(2)])


def _get(obj, *path, **kwargs):
    default = kwargs.get("default")
    for key in path:
        if not isinstance(obj, dict) or key not in obj or obj[key] is None:
            return default
        obj = obj[key]
    return obj


class Want(object):
    """What the user asked for."""

    def __init__(
        self,
        name,
        namespace,
        volume_name,
        size="20Gi",
        access_modes=("ReadWriteMany",),
        labels=None,
        storage_class="",
        selector=None,
        bind_by="selector",
        remove_volumes=(),
        force=False,
        retain_volume=True,
        configmap_name="static-volumes-v2",
        configmap_key="PVCs-v2.yaml",
        state="present",
    ):
        self.name = name
        self.namespace = namespace
        self.volume_name = volume_name
        self.size = size
        self.access_modes = list(access_modes)
        self.labels = dict(labels or {})
        self.storage_class = storage_class
        self.selector = dict(selector) if selector else {"volume": volume_name}
        self.bind_by = bind_by
        self.remove_volumes = list(remove_volumes)
        self.force = force
        self.retain_volume = retain_volume
        self.configmap_name = configmap_name
        self.configmap_key = configmap_key
        self.state = state

    def claim(self):
        """The PersistentVolumeClaim to create."""
        metadata = {"name": self.name, "namespace": self.namespace, "labels": dict(self.labels)}
        if self.storage_class is not None:
            metadata["annotations"] = {STORAGE_CLASS_ANNOTATION: self.storage_class}
        spec = {"accessModes": list(self.access_modes), "resources": {"requests": {"storage": self.size}}}
        if self.bind_by == "selector":
            spec["selector"] = {"matchLabels": dict(self.selector)}
        else:
            spec["volumeName"] = self.volume_name
        if self.storage_class is not None:
            # Without a class the DefaultStorageClass admission plugin may add one; an
            # empty class binds only PVs without a class, like cluster-up's pvNNNN.
            spec["storageClassName"] = self.storage_class
        return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": metadata, "spec": spec}

    def configmap_entries(self):
        """The list FfDL's LCM reads from /etc/static-volumes-v2/PVCs-v2.yaml (same shape as the chart's)."""
        return {"static-volumes-v2": [{"name": self.name, "zlabel": self.name, "status": "active"}]}


class State(object):
    """What the cluster holds: the claim, the target PV, the PVs to remove, the pods using the claim, the ConfigMap."""

    def __init__(self, claim=None, volume=None, removals=None, pods=None, configmap=None, claim_refs=None):
        self.claim = claim
        self.volume = volume
        self.removals = dict(removals or {})
        self.pods = list(pods or [])
        self.configmap = configmap
        # uid -> True for claims named in a claimRef that still exist
        self.claim_refs = dict(claim_refs or {})

    def copy(self):
        return copy.deepcopy(self)


def claim_differences(claim, want):
    """Why an existing claim is not the wanted one (empty list: it is)."""
    reasons = []
    labels = _get(claim, "metadata", "labels", default={})
    for key, value in want.labels.items():
        if labels.get(key) != value:
            reasons.append("label %s is %r, want %r" % (key, labels.get(key), value))
    if want.storage_class is not None:
        annotation = _get(claim, "metadata", "annotations", default={}).get(STORAGE_CLASS_ANNOTATION)
        cls = _get(claim, "spec", "storageClassName")
        effective = annotation if annotation is not None else cls
        if effective != want.storage_class:
            reasons.append("storage class is %r, want %r" % (effective, want.storage_class))
    if sorted(_get(claim, "spec", "accessModes", default=[])) != sorted(want.access_modes):
        reasons.append("access modes are %s, want %s" % (_get(claim, "spec", "accessModes"), want.access_modes))
    if quantity(_get(claim, "spec", "resources", "requests", "storage")) != quantity(want.size):
        reasons.append("size is %s, want %s" % (_get(claim, "spec", "resources", "requests", "storage"), want.size))
    selector = _get(claim, "spec", "selector")
    if want.bind_by == "selector":
        if not selector or selector.get("matchLabels") != want.selector or selector.get("matchExpressions"):
            reasons.append("selector is %s, want matchLabels %s" % (selector, want.selector))
    elif _get(claim, "spec", "volumeName") != want.volume_name:
        reasons.append("volumeName is %s, want %s" % (_get(claim, "spec", "volumeName"), want.volume_name))
    bound_to = _get(claim, "spec", "volumeName")
    if _get(claim, "status", "phase") == "Bound" and bound_to != want.volume_name:
        reasons.append("bound to %s, want %s" % (bound_to, want.volume_name))
    return reasons


def volume_problems(volume, want):
    """Why the target volume cannot take the wanted claim (empty list: it can)."""
    problems = []
    capacity = _get(volume, "spec", "capacity", "storage")
    have, need = quantity(capacity), quantity(want.size)
    if have is None or need is None or have < need:
        problems.append("its capacity %s is less than the claim's %s" % (capacity, want.size))
    modes = _get(volume, "spec", "accessModes", default=[])
    missing = [m for m in want.access_modes if m not in modes]
    if missing:
        problems.append("its access modes %s lack %s" % (modes, ", ".join(missing)))
    if want.storage_class is not None:
        volume_class = _get(volume, "spec", "storageClassName", default="") or ""
        if volume_class != want.storage_class:
            problems.append("its storage class is %r, the claim asks for %r" % (volume_class, want.storage_class))
    if want.bind_by == "selector":
        labels = _get(volume, "metadata", "labels", default={})
        for key, value in sorted(want.selector.items()):
            if labels.get(key) != value:
                problems.append("it lacks the label %s=%s the claim selects (labels: %s)" % (key, value, labels))
    return problems


def pods_using(pods, want):
    """Names of the pods (as the API returns them) that mount the claim and may still run."""
    names = []
    for pod in pods or []:
        if (_get(pod, "status", "phase") or "Unknown") not in ACTIVE_POD_PHASES:
            continue
        for volume in _get(pod, "spec", "volumes", default=[]):
            if (volume.get("persistentVolumeClaim") or {}).get("claimName") == want.name:
                names.append(pod["metadata"]["name"])
                break
    return names


def _deleting(obj):
    return bool(_get(obj, "metadata", "deletionTimestamp"))


def _claim_ref(volume):
    return _get(volume, "spec", "claimRef")


def _is_ours(ref, want, claim):
    """The claimRef names our claim as it exists now."""
    return (
        ref
        and ref.get("namespace") == want.namespace
        and ref.get("name") == want.name
        and claim is not None
        and ref.get("uid") == _get(claim, "metadata", "uid")
    )


def _ref_alive(ref, state):
    return bool(ref and state.claim_refs.get(ref.get("uid")))


def next_action(state, want):
    """The next step towards ``want``, as a tuple, or None when there is nothing left to do."""
    volume = state.volume
    claim = state.claim
    if want.state == "present" and volume is None:
        raise Refused("PersistentVolume %s does not exist" % want.volume_name)
    # Before anything is changed: a volume another claim holds is never touched,
    # and the volume must be able to take the claim at all.
    target_ref = _claim_ref(volume)
    foreign = volume is not None and _ref_alive(target_ref, state) and not _is_ours(target_ref, want, claim)
    if want.state == "present":
        if foreign:
            ref = _claim_ref(volume)
            raise Refused(
                "PersistentVolume %s is bound to %s/%s; nothing was changed"
                % (want.volume_name, ref.get("namespace"), ref.get("name"))
            )
        for name in want.remove_volumes:
            ref = _claim_ref(state.removals.get(name))
            if _ref_alive(ref, state) and not _is_ours(ref, want, claim):
                raise Refused(
                    "PersistentVolume %s is bound to %s/%s; not deleting it, nothing was changed"
                    % (name, ref.get("namespace"), ref.get("name"))
                )
        problems = volume_problems(volume, want)
        if problems:
            raise Refused(
                "PersistentVolume %s cannot take claim %s/%s: %s; nothing was changed"
                % (want.volume_name, want.namespace, want.name, "; ".join(problems))
            )
    if (
        want.retain_volume
        and volume is not None
        and not foreign
        and _get(volume, "spec", "persistentVolumeReclaimPolicy") != "Retain"
    ):
        # A Recycle PV (what cluster-up makes) is scrubbed when its claim goes: keep the data.
        return ("retain_volume", want.volume_name)

    if claim is not None and _deleting(claim):
        return ("wait_claim_gone", want.name)
    if claim is not None:
        reasons = claim_differences(claim, want) if want.state == "present" else ["state is absent"]
        if reasons:
            if state.pods and not want.force:
                raise Refused(
                    "claim %s/%s must be replaced (%s) but pods use it: %s; stop them or set force=true"
                    % (want.namespace, want.name, "; ".join(reasons), ", ".join(sorted(state.pods)))
                )
            return ("delete_claim", want.name, tuple(reasons))

    if want.state == "absent":
        if state.configmap is not None and want.configmap_name:
            return ("delete_configmap", want.configmap_name)
        return None

    for name in want.remove_volumes:
        pv = state.removals.get(name)
        if pv is None or _deleting(pv):
            continue
        ref = _claim_ref(pv)
        if _ref_alive(ref, state) and not _is_ours(ref, want, claim):
            raise Refused(
                "PersistentVolume %s is bound to %s/%s; not deleting it" % (name, ref.get("namespace"), ref.get("name"))
            )
        return ("delete_volume", name)

    ref = _claim_ref(volume)
    if ref and not _is_ours(ref, want, claim):
        if _ref_alive(ref, state):
            raise Refused(
                "PersistentVolume %s is bound to %s/%s" % (want.volume_name, ref.get("namespace"), ref.get("name"))
            )
        # Released by an earlier claim (ours, deleted): clear the stale claimRef.
        return ("free_volume", want.volume_name)

    if claim is None:
        return ("create_claim", want.name)
    if _get(claim, "status", "phase") != "Bound":
        return ("wait_bound", want.name)

    if want.configmap_name and configmap_differs(state.configmap, want):
        return ("ensure_configmap", want.configmap_name)
    return None


def configmap_differs(configmap, want, loader=None):
    if configmap is None:
        return True
    text = _get(configmap, "data", default={}).get(want.configmap_key)
    if text is None:
        return True
    if loader is None:
        import yaml

        loader = yaml.safe_load
    try:
        return loader(text) != want.configmap_entries()
    except Exception:
        return True


def simulate(state, action, want):
    """Apply an action to a copy of the state, for check mode."""
    new = state.copy()
    kind = action[0]
    if kind == "retain_volume":
        new.volume.setdefault("spec", {})["persistentVolumeReclaimPolicy"] = "Retain"
    elif kind in ("delete_claim", "wait_claim_gone"):
        if new.claim is not None:
            uid = _get(new.claim, "metadata", "uid")
            new.claim_refs.pop(uid, None)
        new.claim = None
        new.pods = []
        if new.volume is not None and _claim_ref(new.volume):
            new.volume["status"] = {"phase": "Released"}
    elif kind == "delete_volume":
        new.removals[action[1]] = None
    elif kind == "free_volume":
        new.volume["spec"].pop("claimRef", None)
        new.volume["status"] = {"phase": "Available"}
    elif kind in ("create_claim", "wait_bound"):
        claim = new.claim or want.claim()
        claim.setdefault("metadata", {}).setdefault("uid", "simulated")
        claim.setdefault("spec", {})["volumeName"] = want.volume_name
        claim["status"] = {"phase": "Bound"}
        new.claim = claim
        new.claim_refs["simulated"] = True
        new.volume["spec"]["claimRef"] = {"namespace": want.namespace, "name": want.name, "uid": "simulated"}
    elif kind == "ensure_configmap":
        import yaml

        new.configmap = {"data": {want.configmap_key: yaml.safe_dump(want.configmap_entries(), sort_keys=False)}}
    elif kind == "delete_configmap":
        new.configmap = None
    return new


def describe(action):
    kind = action[0]
    texts = {
        "retain_volume": "set reclaim policy Retain on PersistentVolume %s (keeps its data when the claim goes)",
        "wait_claim_gone": "wait for claim %s to finish deleting",
        "delete_claim": "delete claim %s",
        "delete_volume": "delete PersistentVolume %s",
        "free_volume": "clear the stale claimRef of PersistentVolume %s",
        "create_claim": "create claim %s",
        "wait_bound": "wait for claim %s to be Bound",
        "ensure_configmap": "write ConfigMap %s",
        "delete_configmap": "delete ConfigMap %s",
    }
    text = texts[kind] % action[1]
    if kind == "delete_claim" and len(action) > 2:
        text += " (" + "; ".join(action[2]) + ")"
    return text
