# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.controller_file: a text file on the controller, written in this process when it differs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible_collections.ffdl.platform.plugins.module_utils.files import write_if_changed


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("path", "content", "mode", "report_change", "directory_mode"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        for required in ("path", "content"):
            if args.get(required) is None:
                raise AnsibleActionFail("controller_file: %s is required" % required)
        path = os.path.expanduser(to_native(args["path"]))
        content = to_bytes(to_text(args["content"]))
        try:
            mode = int(str(args.get("mode", "0600")), 8)
        except ValueError:
            raise AnsibleActionFail(
                "controller_file: mode must be octal, like 0600, not %s" % args.get("mode")
            ) from None
        report = boolean(args.get("report_change", True), strict=False)
        writes = not (self._play_context.check_mode and report)
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            if args.get("directory_mode") is None:
                raise AnsibleActionFail("controller_file: the directory of %s does not exist on the controller" % path)
            try:
                directory_mode = int(str(args["directory_mode"]), 8)
            except ValueError:
                raise AnsibleActionFail(
                    "controller_file: directory_mode must be octal, like 0700, not %s" % args["directory_mode"]
                ) from None
            if writes:
                os.makedirs(directory, directory_mode)
        before = None
        if self._task.diff and not self._task.no_log:
            try:
                with open(path, "rb") as handle:
                    before = to_text(handle.read(), errors="surrogate_or_replace")
            except (IOError, OSError):
                before = ""
        try:
            differs = write_if_changed(path, content, mode=mode, check_mode=not writes)
        except (IOError, OSError) as exc:
            raise AnsibleActionFail("controller_file: cannot write %s: %s" % (path, to_native(exc))) from exc
        result.update(changed=differs and report, path=path)
        if before is not None and differs:
            result["diff"] = dict(before_header=path, after_header=path, before=before, after=to_text(content))
        return result
