# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a Kubernetes write would change, decided from a read.

Two users, one set of rules:
- ffdl.platform.k8s_diff compares every object a role manages with one read
  per object in one module run, so a converged run writes nothing;
- ffdl.platform.k8s in check mode on servers without dry run (Kubernetes
  before 1.13: OpenShift 3.11) predicts instead of sending ``dryRun=All``,
  which those servers refuse with HTTP 400.

``present`` follows kubernetes.core.k8s's patch of an existing object: every
field given must have that value (dicts field by field, lists as a whole).
``applied`` follows its client-side apply (``apply: true``), whose three-way
merge with the last-applied annotation also removes fields a definition no
longer has; kubernetes.core's own ``apply_patch`` decides it (see
k8s_diff). ``absent``: the object must not exist.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

# Server-side dry run: alpha (off) in 1.12, beta and on by default from 1.13.
DRY_RUN_SINCE = (1, 13)


def server_supports_dry_run(git_version):
    """``v1.11.0+d4cacc0`` -> False; ``v1.34.4`` -> True; unparseable -> False (read and predict is always safe)."""
    match = re.match(r"^v?(\d+)\.(\d+)", str(git_version or ""))
    if not match:
        return False
    return (int(match.group(1)), int(match.group(2))) >= DRY_RUN_SINCE


def is_subset(wanted, existing):
    """True when every field of ``wanted`` has that value in ``existing`` (dicts recursively, lists as a whole)."""
    if isinstance(wanted, dict):
        if not isinstance(existing, dict):
            return False
        return all(
            key in existing and is_subset(value, existing[key]) for key, value in wanted.items() if value is not None
        )
    if isinstance(wanted, list):
        if not isinstance(existing, list) or len(wanted) != len(existing):
            return False
        return all(is_subset(wanted[index], existing[index]) for index in range(len(wanted)))
    if isinstance(existing, (int, float)) and not isinstance(existing, bool) and isinstance(wanted, str):
        return str(existing) == wanted
    return wanted == existing


def merged(existing, wanted):
    """What a JSON merge patch of ``wanted`` onto ``existing`` gives (lists replaced)."""
    out = copy.deepcopy(existing)
    for key, value in wanted.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        elif value is None:
            out.pop(key, None)
        else:
            out[key] = copy.deepcopy(value)
    return out


def without_nulls(value):
    """``value`` without the fields set to null: the API server writes `"creationTimestamp": null` where a merge
    patch's null removes a field, and both mean the field is not set."""
    if isinstance(value, dict):
        return dict((key, without_nulls(item)) for key, item in value.items() if item is not None)
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


def predict(state, wanted, existing):
    """(changed, predicted object, action) for one object; ``existing`` is None when absent."""
    if state == "absent":
        return existing is not None, None, "delete" if existing is not None else "none"
    if existing is None:
        return True, wanted, "create"
    if is_subset(wanted, existing):
        return False, existing, "none"
    return True, merged(existing, wanted), "patch"


def object_key(definition, namespace=None):
    """``Kind/namespace/name`` (``Kind//name`` for cluster-scoped objects): how results name an object."""
    meta = definition.get("metadata") or {}
    return "%s/%s/%s" % (definition.get("kind"), meta.get("namespace") or namespace or "", meta.get("name"))
