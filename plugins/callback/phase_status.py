# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: phase_status
type: aggregate
short_description: Where a site.yml run is - each phase's state and duration, and how to resume
version_added: 0.2.0
description:
  - Beside the stdout callback (it prints nothing while the run goes on), follows the phases of a run - the roles
    preflight, docker, ssh, minishift, helm, s3fs, ffdl and training of this collection - and at the end of the run,
    or when it failed, prints one line per phase with its state (ok, changed, failed, skipped, not run), its
    duration and the hosts it failed on, and, after a failure, the C(ansible-playbook ... --tags) command that
    resumes at the failed phase. The same is written as JSON to I(json_path).
  - Prints nothing when the stdout callback writes JSON (C(ansible.posix.json), C(ansible.posix.jsonl)), whose
    document must be the whole output; the JSON file is written all the same.
  - A task belongs to the phase of the nearest role of this collection it runs in among the roles of its play (a
    task of ffdl.platform.k8s_auth or ffdl.platform.role_opening included by ffdl.platform.helm is the helm phase's),
    else to its play's one phase; the tasks of plays without a phase role (site.yml's first play, the summary)
    belong to no phase.
  - Enabled in the collection's C(ansible.cfg) (C(callbacks_enabled)).
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  json_path:
    description:
      - Where the JSON status is written. Empty - C(phase-status.json) beside the playbook. C(-) - not written.
    type: str
    default: ""
    env:
      - name: FFDL_PHASE_STATUS_JSON
    ini:
      - section: callback_phase_status
        key: json_path
"""

import json
import os
import shlex
import time

from ansible import constants as C
from ansible import context
from ansible.errors import AnsibleError
from ansible.plugins.callback import CallbackBase

PHASES = ("preflight", "docker", "ssh", "minishift", "helm", "s3fs", "ffdl", "training")
COLLECTION = "ffdl.platform."


def short_name(role):
    name = role.get_name()
    return name[len(COLLECTION) :] if name.startswith(COLLECTION) else name


def phase_of(task, play_phases):
    """The phase ``task`` belongs to: the nearest role of this collection it runs in (through include_role
    parents) when it is one of the phases its play runs (``play_phases``); the play's phase when the play runs one
    (site.yml's training play reads the endpoints through ffdl.platform.ffdl); None in a play that runs none (the
    first play's input checks, the summary)."""
    if not play_phases:
        return None
    node, hops = task, 0
    while node is not None and hops < 100:
        hops += 1
        role = getattr(node, "_role", None)
        if role is not None and short_name(role) in play_phases:
            return short_name(role)
        node = getattr(node, "_parent", None)
    return play_phases[0] if len(play_phases) == 1 else None


def resume_command(playbook, inventories, planned, failed_phase):
    """The ansible-playbook command that runs ``failed_phase`` and the phases after it that this run would have run
    (``planned``). Extra vars are not repeated: they may hold secrets; the user adds their own -e options."""
    later = [p for p in PHASES if p in planned and PHASES.index(p) >= PHASES.index(failed_phase)]
    argv = ["ansible-playbook", playbook]
    for inventory in inventories or ():
        argv += ["-i", inventory]
    argv += ["--tags", ",".join(later)]
    return " ".join(shlex.quote(arg) for arg in argv)


def summarise(phases, playbook, inventories, planned=None):
    """The status document: one entry per phase in PHASES order, and the resume command after a failure."""
    entries, failed_phase = [], None
    # the phases the run would have run; under --tags the other plays run their always-tagged tasks (the input
    # checks, the cluster access), which show only when they fail
    failed = {name for name, phase in phases.items() if phase["failed_hosts"]}
    listed = set(planned) | failed if planned else set(PHASES)
    for name in (name for name in PHASES if name in listed):
        phase = phases.get(name)
        if phase is None:
            entries.append({"phase": name, "state": "not run", "duration_seconds": 0.0, "failed_hosts": []})
            continue
        if phase["failed_hosts"]:
            state = "failed"
            failed_phase = failed_phase or name
        elif phase["changed"]:
            state = "changed"
        elif phase["ok"]:
            state = "ok"
        else:
            state = "skipped"
        entries.append(
            {
                "phase": name,
                "state": state,
                "duration_seconds": round(phase["end"] - phase["start"], 1),
                "changed_tasks": phase["changed"],
                "failed_hosts": sorted(phase["failed_hosts"]),
            }
        )
    document = {"playbook": playbook, "phases": entries, "failed_phase": failed_phase, "resume_command": None}
    if failed_phase:
        document["resume_command"] = resume_command(playbook, inventories, listed, failed_phase)
    return document


def _names_known(pattern, inventory):
    """Whether every group or host a plain host pattern names (``a:b:!c``, ``a,b``) is in the inventory now."""
    names = pattern if isinstance(pattern, list) else [pattern]
    for name in (part for item in names for part in str(item).replace(",", ":").split(":")):
        name = name.strip().lstrip("!&")
        if name and name not in ("all", "*") and name not in inventory.groups and not inventory.get_host(name):
            return False
    return True


def table(document):
    lines = ["PHASES " + "*" * 66]
    for entry in document["phases"]:
        where = " on " + ", ".join(entry["failed_hosts"]) if entry["failed_hosts"] else ""
        duration = "%7.1f s" % entry["duration_seconds"] if entry["state"] != "not run" else "       -  "
        lines.append("%-10s %-8s %s%s" % (entry["phase"], entry["state"], duration, where))
    if document["resume_command"]:
        lines.append("The %s phase failed; resume from it with:" % document["failed_phase"])
        lines.append("  " + document["resume_command"] + "  (and this run's -e options)")
    return lines


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "ffdl.platform.phase_status"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._phases = {}
        self._playbook = None
        self._playbook_dir = os.getcwd()
        self._play_phases = []
        self._planned = set()

    @staticmethod
    def _stdout_is_machine_readable():
        """A JSON stdout callback's document is the whole output: nothing may follow it (the JSON file still
        holds the summary)."""
        name = str(C.DEFAULT_STDOUT_CALLBACK or "")
        return name.rsplit(".", maxsplit=1)[-1] in ("json", "jsonl")

    def v2_playbook_on_start(self, playbook):
        path = getattr(playbook, "_file_name", None) or "site.yml"
        self._playbook = os.path.relpath(path) if os.path.isabs(path) else path
        self._playbook_dir = os.path.dirname(os.path.abspath(path))
        # the phases this run would have run: its plays' roles, within --tags when given
        tags = set((context.CLIARGS or {}).get("tags") or ("all",))
        for play in playbook.get_plays():
            if not self._play_has_hosts(play):
                continue
            for role in play.get_roles():
                name = short_name(role)
                if name in PHASES and ("all" in tags or name in tags):
                    self._planned.add(name)

    @staticmethod
    def _play_has_hosts(play):
        """False for a play whose group is empty in this inventory (or outside --limit): its phases are not planned
        even when an earlier phase fails before Ansible reaches it."""
        pattern = play.hosts
        manager = play.get_variable_manager()
        inventory = getattr(manager, "_inventory", None)
        if inventory is None or not isinstance(pattern, (str, list)) or "{{" in str(pattern):
            return True
        if not _names_known(pattern, inventory):
            # a group an earlier play makes (site.yml's ffdl_cluster): known only when the run gets there
            return True
        try:
            return bool(inventory.get_hosts(pattern))
        except AnsibleError:  # an unparsable pattern: Ansible reports it at the play; plan it
            return True

    def v2_playbook_on_play_start(self, play):
        self._play_phases = [short_name(role) for role in play.get_roles() if short_name(role) in PHASES]

    def v2_playbook_on_no_hosts_matched(self):
        # a play of an empty group (the Minishift host's plays with inventory/existing-cluster) runs nothing
        self._planned -= set(self._play_phases)
        self._play_phases = []

    def _phase(self, task):
        name = phase_of(task, self._play_phases)
        if name is None:
            return None
        now = time.time()
        phase = self._phases.setdefault(name, {"start": now, "end": now, "ok": 0, "changed": 0, "failed_hosts": set()})
        phase["end"] = now
        return phase

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._phase(task)

    def v2_runner_on_ok(self, result):
        phase = self._phase(result._task)
        if phase is not None:
            phase["ok"] += 1
            phase["changed"] += 1 if result._result.get("changed") else 0

    def v2_runner_on_failed(self, result, ignore_errors=False):
        phase = self._phase(result._task)
        if phase is not None and not ignore_errors:
            phase["failed_hosts"].add(result._host.get_name())

    def v2_runner_on_unreachable(self, result):
        phase = self._phase(result._task)
        if phase is not None:
            phase["failed_hosts"].add(result._host.get_name())

    def v2_runner_on_skipped(self, result):
        self._phase(result._task)

    def v2_playbook_on_stats(self, stats):
        if not self._phases:
            return
        inventories = (context.CLIARGS or {}).get("inventory") or ()
        document = summarise(self._phases, self._playbook or "site.yml", inventories, self._planned)
        if not self._stdout_is_machine_readable():
            for line in table(document):
                self._display.display(line, color="bright red" if " failed " in line else None)
        path = self.get_option("json_path")
        if path == "-":
            return
        path = path or os.path.join(self._playbook_dir, "phase-status.json")
        try:
            with open(os.path.expanduser(path), "w") as handle:
                json.dump(document, handle, indent=2, sort_keys=True)
                handle.write("\n")
        except OSError as exc:
            self._display.warning("phase_status: cannot write %s: %s" % (path, exc))
