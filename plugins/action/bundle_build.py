# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.bundle_build: the offline bundle, every locked artifact fetched and checked, on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase
from ansible_collections.ffdl.platform.plugins.action.artifact_lock import source_options
from ansible_collections.ffdl.platform.plugins.plugin_utils import artifacts, bundle_build, fetch


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("lock_file", "dest", "mirrors", "registries", "http_proxy", "https_proxy", "no_proxy"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        if not args.get("dest"):
            raise AnsibleActionFail("bundle_build: dest is required")
        dest = os.path.abspath(os.path.expanduser(to_native(args["dest"])))
        source = args.get("lock_file") or artifacts.DEFAULT_LOCK
        try:
            lock = artifacts.load_lock(source)
            with open(source) as handle:
                lock_text = handle.read()
        except (artifacts.LockError, OSError) as exc:
            raise AnsibleActionFail(to_native(exc)) from None
        if self._play_context.check_mode:
            missing = [e["name"] for e in lock["artifacts"] if artifacts.unresolved(e)]
            result.update(changed=True, dest=dest, msg="would build %s" % dest, unresolved=missing)
            return result
        options = source_options(self, lock, task_vars, args, "bundle_build")
        try:
            index = bundle_build.build(lock, dest, options, lock_text)
        except (artifacts.LockError, fetch.FetchError) as exc:
            result.update(failed=True, msg="no bundle was written: %s" % to_native(exc))
            return result
        result.update(
            changed=True,
            dest=dest,
            size=os.path.getsize(dest),
            files=len(index["files"]),
            lock_sha256=index["lock_sha256"],
        )
        return result
