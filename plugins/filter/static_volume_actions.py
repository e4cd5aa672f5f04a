# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.static_volume_actions: what ffdl.platform.static_volume_claim would do, from objects already read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.ffdl.platform.plugins.module_utils.static_volume import (
    Refused,
    State,
    Want,
    describe,
    next_action,
    pods_using,
)

# The module's options the planner reads (static_volume_claim's argument spec, same defaults).
WANT_OPTIONS = (
    "name",
    "namespace",
    "volume_name",
    "size",
    "access_modes",
    "labels",
    "storage_class",
    "selector",
    "bind_by",
    "remove_volumes",
    "force",
    "retain_volume",
    "configmap_name",
    "configmap_key",
    "state",
)


def _first(found):
    return ((found or {}).get("resources") or [None])[0]


def static_volume_actions(named, options):
    """The module's next step as text (``[]`` when there is none), or ``["read again"]`` when the reads cannot say.

    ``named``: ffdl.platform.k8s_diff's named reads - ``claim``, ``volume``, ``configmap``, ``pods``, and
    ``remove:<name>`` for each volume to remove; ``options``: the module's options. The planner is the module's own
    (module_utils/static_volume), so the two cannot disagree; what it cannot decide from these reads (a claimRef to
    another claim, a refusal) is left to the module, which reads again and reports it.
    """
    if not isinstance(named, dict) or not isinstance(options, dict):
        raise AnsibleFilterError("static_volume_actions takes k8s_diff's named reads and the module's options")
    unknown = set(options) - set(WANT_OPTIONS)
    if unknown:
        raise AnsibleFilterError("static_volume_actions: unknown options %s" % ", ".join(sorted(unknown)))
    options = dict(options)
    for flag in ("force", "retain_volume"):
        if flag in options:
            options[flag] = boolean(options[flag], strict=False)
    want = Want(**options)
    needed = ["claim", "volume", "configmap", "pods"] + ["remove:%s" % name for name in want.remove_volumes]
    if any(key not in named for key in needed):
        return ["read again"]
    claim = _first(named["claim"])
    removals = dict((name, _first(named["remove:%s" % name])) for name in want.remove_volumes)
    pods = pods_using(named["pods"].get("resources"), want) if claim is not None else []
    volume = _first(named["volume"])
    claim_refs = {}
    for pv in [volume, *removals.values()]:
        ref = ((pv or {}).get("spec") or {}).get("claimRef") or {}
        if not ref.get("uid"):
            continue
        if (ref.get("name"), ref.get("namespace")) != (want.name, want.namespace):
            return ["read again"]  # a claim these reads did not cover
        claim_refs[ref["uid"]] = claim is not None and claim["metadata"].get("uid") == ref["uid"]
    state = State(claim, volume, removals, pods, _first(named["configmap"]), claim_refs)
    try:
        action = next_action(state, want)
    except Refused:
        return ["read again"]
    return [describe(action)] if action else []


class FilterModule(object):
    def filters(self):
        return {"static_volume_actions": static_volume_actions}
