#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: static_volume_claim
short_description: Ensure FfDL's static volume claim is bound to a chosen PersistentVolume
version_added: 0.1.0
description:
  - Ensures a PersistentVolumeClaim with the given name, namespace, size, access modes, labels and storage-class
    annotation exists and is Bound to the PersistentVolume I(volume_name), through a label selector (the FfDL
    tutorial's step 8, which makes C(static-volume-1) bind Minishift's C(pv0001)) or C(spec.volumeName).
  - A claim's spec is immutable, so a claim that differs is deleted and created again. The module refuses when a
    running pod mounts the claim, unless I(force=true); waits for the deletion to finish (the pvc-protection
    finalizer); deletes the PersistentVolumes listed in I(remove_volumes) (FfDL's C(local-volume-1)); makes the
    target volume Available again when an earlier claim left it Released with a stale claimRef; creates the claim and
    waits until it is Bound to the target.
  - Before the claim goes, the target volume's reclaim policy is set to C(Retain), so a C(Recycle) volume (what
    OpenShift 3.11's cluster-up creates) is never scrubbed; the module never deletes data.
  - Also ensures the ConfigMap FfDL's LCM reads (C(static-volumes-v2), key C(PVCs-v2.yaml)) lists the claim.
  - Every step is decided from what the cluster holds at that moment, so a run interrupted anywhere converges on the
    next run.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  name:
    description: Name of the claim.
    type: str
    default: static-volume-1
  namespace:
    description: Namespace of the claim and the ConfigMap.
    type: str
    required: true
  volume_name:
    description: The PersistentVolume the claim must be bound to.
    type: str
    default: pv0001
  bind_by:
    description:
      - C(selector) binds through I(selector) (the tutorial's way); C(volume_name) sets C(spec.volumeName).
    type: str
    default: selector
    choices: [selector, volume_name]
  selector:
    description:
      - Label selector (matchLabels) of the claim.
      - "Defaults to C({volume: <volume_name>}), the label cluster-up gives its PVs."
    type: dict
  size:
    description: Requested storage.
    type: str
    default: 20Gi
  access_modes:
    description: Access modes of the claim. FfDL shares the volume between job pods, so it must be C(ReadWriteMany).
    type: list
    elements: str
    default: [ReadWriteMany]
  labels:
    description: Labels of the claim; FfDL's chart labels it C(type=dlaas-static-volume).
    type: dict
    default:
      type: dlaas-static-volume
  storage_class:
    description:
      - Value of the C(volume.beta.kubernetes.io/storage-class) annotation and C(spec.storageClassName). The empty
        string binds only volumes without a class, like cluster-up's.
    type: str
    default: ""
  remove_volumes:
    description:
      - PersistentVolumes to delete once the old claim is gone (FfDL's C(local-volume-1)).
      - A volume bound to another live claim is not deleted.
    type: list
    elements: str
    default: []
  retain_volume:
    description: Set the target volume's reclaim policy to C(Retain) before its claim is deleted.
    type: bool
    default: true
  force:
    description: Replace the claim even when pods use it.
    type: bool
    default: false
  configmap_name:
    description: ConfigMap listing the static volumes for FfDL's LCM; empty manages none.
    type: str
    default: static-volumes-v2
  configmap_key:
    description: Key of that ConfigMap.
    type: str
    default: PVCs-v2.yaml
  wait_timeout:
    description: Seconds to wait for a deletion to finish and for the claim to be Bound.
    type: int
    default: 120
  state:
    description: C(absent) deletes the claim and the ConfigMap (the volume and its data stay).
    type: str
    default: present
    choices: [present, absent]
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - ffdl.platform.attributes
requirements:
  - kubernetes >= 24.2.0
  - PyYAML
"""

EXAMPLES = r"""
- name: Bind FfDL's static volume claim to Minishift's pv0001 (tutorial step 8)
  ffdl.platform.static_volume_claim:
    namespace: default
    name: static-volume-1
    volume_name: pv0001
    remove_volumes: [local-volume-1]
    kubeconfig: /root/.kube/config

- name: Remove the claim and the ConfigMap, keeping pv0001's data
  ffdl.platform.static_volume_claim:
    namespace: default
    state: absent
"""

RETURN = r"""
claim:
  description: The claim after the task (predicted in check mode); null when absent.
  returned: always
  type: dict
volume:
  description: The target PersistentVolume after the task.
  returned: always
  type: dict
actions:
  description: The steps taken (or, in check mode, that would be taken), in order.
  returned: always
  type: list
  elements: str
  sample:
    - "delete claim static-volume-1 (selector is None, want matchLabels {'volume': 'pv0001'})"
    - delete PersistentVolume local-volume-1
    - create claim static-volume-1
"""

import time
import traceback

from ansible_collections.ffdl.platform.plugins.module_utils.static_volume import (
    ACCESS_MODES,
    Refused,
    State,
    Want,
    describe,
    next_action,
    pods_using,
    quantity,
    simulate,
)
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    from kubernetes.dynamic.exceptions import NotFoundError
except ImportError:
    get_api_client = None
    NotFoundError = Exception

MAX_STEPS = 40


class Cluster(object):
    def __init__(self, client, want):
        self.want = want
        self.pvc = client.resources.get(api_version="v1", kind="PersistentVolumeClaim")
        self.pv = client.resources.get(api_version="v1", kind="PersistentVolume")
        self.pod = client.resources.get(api_version="v1", kind="Pod")
        self.cm = client.resources.get(api_version="v1", kind="ConfigMap")

    @staticmethod
    def _get(resource, **kwargs):
        try:
            return resource.get(**kwargs).to_dict()
        except NotFoundError:
            return None

    def read(self):
        want = self.want
        claim = self._get(self.pvc, name=want.name, namespace=want.namespace)
        volume = self._get(self.pv, name=want.volume_name)
        removals = dict((name, self._get(self.pv, name=name)) for name in want.remove_volumes)
        pods = pods_using(self.pod.get(namespace=want.namespace).to_dict().get("items"), want) if claim else []
        configmap = None
        if want.configmap_name:
            configmap = self._get(self.cm, name=want.configmap_name, namespace=want.namespace)
        claim_refs = {}
        for pv in [volume] + list(removals.values()):
            ref = ((pv or {}).get("spec") or {}).get("claimRef")
            if ref and ref.get("uid"):
                live = self._get(self.pvc, name=ref.get("name"), namespace=ref.get("namespace"))
                claim_refs[ref["uid"]] = bool(live and live["metadata"]["uid"] == ref["uid"])
        return State(claim, volume, removals, pods, configmap, claim_refs)

    def wait(self, what, check, timeout, describe_failure):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if check():
                return
            time.sleep(1)
        raise Refused("timed out after %ss waiting for %s: %s" % (timeout, what, describe_failure()))

    def do(self, action, timeout):
        want = self.want
        kind = action[0]
        if kind == "retain_volume":
            self.pv.patch(
                body={"spec": {"persistentVolumeReclaimPolicy": "Retain"}},
                name=want.volume_name,
                content_type="application/merge-patch+json",
            )
        elif kind == "delete_claim":
            try:
                self.pvc.delete(name=want.name, namespace=want.namespace)
            except NotFoundError:
                pass
        elif kind == "wait_claim_gone":

            def gone():
                return self._get(self.pvc, name=want.name, namespace=want.namespace) is None

            def why():
                claim = self._get(self.pvc, name=want.name, namespace=want.namespace) or {}
                return "finalizers %s" % (claim.get("metadata") or {}).get("finalizers")

            self.wait("claim %s to be deleted" % want.name, gone, timeout, why)
        elif kind == "delete_volume":
            try:
                self.pv.delete(name=action[1])
            except NotFoundError:
                pass
        elif kind == "free_volume":
            self.pv.patch(
                body={"spec": {"claimRef": None}}, name=want.volume_name, content_type="application/merge-patch+json"
            )
        elif kind == "create_claim":
            self.pvc.create(body=want.claim(), namespace=want.namespace)
        elif kind == "wait_bound":

            def bound():
                claim = self._get(self.pvc, name=want.name, namespace=want.namespace) or {}
                return (claim.get("status") or {}).get("phase") == "Bound"

            def why():
                claim = self._get(self.pvc, name=want.name, namespace=want.namespace) or {}
                volume = self._get(self.pv, name=want.volume_name) or {}
                return "claim phase %s, volume %s phase %s" % (
                    (claim.get("status") or {}).get("phase"),
                    want.volume_name,
                    (volume.get("status") or {}).get("phase"),
                )

            self.wait("claim %s to be Bound" % want.name, bound, timeout, why)
        elif kind == "ensure_configmap":
            import yaml

            content = yaml.safe_dump(want.configmap_entries(), default_flow_style=False, sort_keys=False)
            body = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": want.configmap_name, "namespace": want.namespace},
                "data": {want.configmap_key: content},
            }
            if self._get(self.cm, name=want.configmap_name, namespace=want.namespace) is None:
                self.cm.create(body=body, namespace=want.namespace)
            else:
                self.cm.patch(
                    body={"data": {want.configmap_key: content}},
                    name=want.configmap_name,
                    namespace=want.namespace,
                    content_type="application/merge-patch+json",
                )
        elif kind == "delete_configmap":
            try:
                self.cm.delete(name=want.configmap_name, namespace=want.namespace)
            except NotFoundError:
                pass


def summary(state, want):
    claim = state.claim or {}
    spec = claim.get("spec") or {}
    text = "claim: %s\n" % ("absent" if not state.claim else "")
    if state.claim:
        text += "  selector: %s\n  volumeName: %s\n  phase: %s\n  size: %s\n  accessModes: %s\n" % (
            (spec.get("selector") or {}).get("matchLabels"),
            spec.get("volumeName"),
            (claim.get("status") or {}).get("phase"),
            ((spec.get("resources") or {}).get("requests") or {}).get("storage"),
            spec.get("accessModes"),
        )
    for name, pv in sorted(state.removals.items()):
        text += "volume %s: %s\n" % (name, "absent" if pv is None else "present")
    cm = ((state.configmap or {}).get("data") or {}).get(want.configmap_key)
    text += "configmap %s:\n%s\n" % (want.configmap_name, cm if cm is not None else "  absent")
    return text


def main():
    argument_spec = dict(
        name=dict(type="str", default="static-volume-1"),
        namespace=dict(type="str", required=True),
        volume_name=dict(type="str", default="pv0001"),
        bind_by=dict(type="str", default="selector", choices=["selector", "volume_name"]),
        selector=dict(type="dict"),
        size=dict(type="str", default="20Gi"),
        access_modes=dict(type="list", elements="str", default=["ReadWriteMany"]),
        labels=dict(type="dict", default={"type": "dlaas-static-volume"}),
        storage_class=dict(type="str", default=""),
        remove_volumes=dict(type="list", elements="str", default=[]),
        retain_volume=dict(type="bool", default=True),
        force=dict(type="bool", default=False),
        configmap_name=dict(type="str", default="static-volumes-v2"),
        configmap_key=dict(type="str", default="PVCs-v2.yaml", no_log=False),
        wait_timeout=dict(type="int", default=120),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    argument_spec.update(AUTH_ARG_SPEC)
    module = AnsibleK8SModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    # Refuse bad input before the cluster is even read.
    problems = []
    if quantity(p["size"]) is None or quantity(p["size"]) == 0:
        problems.append("size: %r is not a storage quantity above zero like 20Gi" % p["size"])
    bad_modes = [m for m in p["access_modes"] if m not in ACCESS_MODES]
    if bad_modes or not p["access_modes"]:
        problems.append("access_modes: %s; allowed: %s" % (bad_modes or "empty", ", ".join(ACCESS_MODES)))
    if p["wait_timeout"] <= 0:
        problems.append("wait_timeout: %s is not a number of seconds above zero" % p["wait_timeout"])
    if problems:
        module.fail_json(msg="; ".join(problems))
    want = Want(
        name=p["name"],
        namespace=p["namespace"],
        volume_name=p["volume_name"],
        size=p["size"],
        access_modes=p["access_modes"],
        labels=p["labels"],
        storage_class=p["storage_class"],
        selector=p["selector"],
        bind_by=p["bind_by"],
        remove_volumes=p["remove_volumes"],
        force=p["force"],
        retain_volume=p["retain_volume"],
        configmap_name=p["configmap_name"],
        configmap_key=p["configmap_key"],
        state=p["state"],
    )
    try:
        cluster = Cluster(get_api_client(module=module).client, want)
        state = before = cluster.read()
        actions = []
        for _step in range(MAX_STEPS):
            action = next_action(state, want)
            if action is None:
                break
            actions.append(describe(action))
            if module.check_mode:
                state = simulate(state, action, want)
            else:
                cluster.do(action, p["wait_timeout"])
                state = cluster.read()
        else:
            raise Refused("no convergence after %s steps: %s" % (MAX_STEPS, actions))
    except Refused as exc:
        module.fail_json(msg=str(exc), actions=actions if "actions" in locals() else [])
    except Exception as exc:
        module.fail_json(msg="Kubernetes API error: %s" % exc, exception=traceback.format_exc())

    # Waiting steps change nothing by themselves.
    changed = any(not a.startswith("wait for") for a in actions)
    result = dict(changed=changed, actions=actions, claim=state.claim, volume=state.volume)
    if module._diff:
        result["diff"] = dict(before=summary(before, want), after=summary(state, want))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
