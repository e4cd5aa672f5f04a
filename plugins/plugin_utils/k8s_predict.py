# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check-mode predictions for Kubernetes writes on servers without dry run.

kubernetes.core sends every write with ``dryRun=All`` in check mode. Servers
before 1.13 answer HTTP 400 "dryRun is not supported yet" (Kubernetes 1.11,
OpenShift 3.11), so on those the collection reads the object and predicts
instead: would a create, a merge patch or a delete change anything.
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
        return all(is_subset(w, e) for w, e in zip(wanted, existing, strict=True))
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


def predict(state, wanted, existing):
    """(changed, predicted object, action) for one object; ``existing`` is None when absent."""
    if state == "absent":
        return existing is not None, None, "delete" if existing is not None else "none"
    if existing is None:
        return True, wanted, "create"
    if is_subset(wanted, existing):
        return False, existing, "none"
    return True, merged(existing, wanted), "patch"
