# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.bundle: the offline bundle on the controller, unpacked once and checked against the lock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible_collections.ffdl.platform.plugins.plugin_utils import artifacts, bundle_build


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("path", "lock_file", "verify", "fail_on_problems"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        if not args.get("path"):
            raise AnsibleActionFail("bundle: path is required")
        path = os.path.abspath(os.path.expanduser(to_native(args["path"])))
        try:
            lock_file = args.get("lock_file") or None
            lock = artifacts.load_lock(lock_file)
        except artifacts.LockError as exc:
            raise AnsibleActionFail(to_native(exc)) from None
        verify = boolean(args.get("verify", True), strict=False)
        root, problems, unpacked = bundle_build.unpack(path, lock, verify=verify)
        if not problems and os.path.isdir(root):
            # the bundle must have been built from the lock in effect: what it holds is what the roles expect
            with open(lock_file or artifacts.DEFAULT_LOCK, "rb") as handle:
                import hashlib

                in_effect = hashlib.sha256(handle.read()).hexdigest()
            built_from = artifacts.read_index(root).get("lock_sha256")
            if built_from != in_effect:
                problems.append(
                    "the bundle %s was built from another lock file than %s (downloads_lock_file): build it again "
                    "with make bundle, or point downloads_lock_file at the lock it holds (%s/%s)"
                    % (path, lock_file or artifacts.DEFAULT_LOCK, root, artifacts.BUNDLE_LOCK)
                )
        result.update(changed=False, root=root, problems=problems, unpacked=unpacked, checked=verify or unpacked)
        if problems and boolean(args.get("fail_on_problems", True), strict=False):
            result.update(
                failed=True,
                msg="the offline bundle %s (downloads_bundle) is not usable: %s" % (path, "; ".join(problems)),
            )
        return result
