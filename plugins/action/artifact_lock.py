# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.artifact_lock: refresh the lock file from the sources (or the mirrors), on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.ffdl.platform.plugins.module_utils.files import write_if_changed
from ansible_collections.ffdl.platform.plugins.plugin_utils import artifacts, bundle_build

display = Display()


def plain(value):
    """Task arguments as plain Python data: Ansible's own string and container types are no YAML to dump."""
    return json.loads(json.dumps(value)) if value is not None else None


def mirrors_from_variables(action, lock, task_vars, given):
    """Each entry's mirror: ``given`` by name, else the value of its ``mirror_variable`` when the play sets it
    (a role default that cannot be templated here, or one equal to the source, counts as unset)."""
    mirrors = plain(dict(given or {}))
    for entry in lock["artifacts"]:
        name, variable = entry["name"], entry.get("mirror_variable")
        if name in mirrors or not variable or variable not in task_vars:
            continue
        try:
            value = action._templar.template(task_vars[variable])
        except Exception:  # noqa: S112 - a role default needing facts: not set for this run
            continue
        if value:
            mirrors[name] = plain(value)
    return mirrors


def source_options(action, lock, task_vars, args, name):
    """Where the sources are read, for ``lock``: the mirrors (given, else the play's mirror variables), the
    registries, the proxy the task names; progress logged at -vv under ``name``."""
    proxies = dict((scheme, args.get(scheme + "_proxy") or "") for scheme in ("http", "https"))
    return bundle_build.Options(
        mirrors=mirrors_from_variables(action, lock, task_vars or {}, args.get("mirrors")),
        registries=plain(args.get("registries")) or {},
        proxies=dict((k, v) for k, v in proxies.items() if v),
        no_proxy=list(args.get("no_proxy") or []),
        log=lambda line: display.vv("%s: %s" % (name, line)),
    )


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(
        (
            "lock_file",
            "dest",
            "mirrors",
            "registries",
            "http_proxy",
            "https_proxy",
            "no_proxy",
            "package_sets",
            "only",
            "project_dir",
            "fail_on_unresolved",
        )
    )

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        source = args.get("lock_file") or artifacts.DEFAULT_LOCK
        dest = os.path.abspath(os.path.expanduser(to_native(args.get("dest") or source)))
        try:
            lock = artifacts.load_lock(source)
        except artifacts.LockError as exc:
            raise AnsibleActionFail(to_native(exc)) from None
        options = source_options(self, lock, task_vars, args, "artifact_lock")
        new, problems = bundle_build.resolve(
            lock,
            options,
            package_sets=plain(args.get("package_sets")) or {},
            only=plain(args.get("only")) or None,
            cwd=args.get("project_dir") or None,
        )
        text = bundle_build.dump_lock(new, bundle_build.lock_header(source))
        changed = write_if_changed(dest, text.encode(), mode=0o644, check_mode=self._play_context.check_mode)
        still = [
            "%s: %s" % (entry["name"], ", ".join(artifacts.unresolved(entry)))
            for entry in new["artifacts"]
            if artifacts.unresolved(entry)
        ]
        result.update(changed=changed, dest=dest, problems=problems, unresolved=still)
        if (problems or still) and boolean(args.get("fail_on_unresolved", False), strict=False):
            result.update(failed=True, msg="the lock has unresolved entries: %s" % "; ".join(problems or still))
        return result
