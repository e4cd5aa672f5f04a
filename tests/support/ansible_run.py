"""Run ansible-playbook from tests and read its per-host stats (ansible.posix.json callback)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _short(name: str) -> str:
    """Task name without the "namespace.collection.role : " prefix."""
    return name.split(" : ", 1)[-1]


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str
    stats: dict = field(default_factory=dict)
    plays: list = field(default_factory=list)

    def changed(self, host: str = "localhost") -> int:
        return self.stats.get(host, {}).get("changed", -1)

    def failed(self, host: str = "localhost") -> int:
        return self.stats.get(host, {}).get("failures", 0) + self.stats.get(host, {}).get("unreachable", 0)

    def task_results(self, name: str, host: str = "localhost") -> list[dict]:
        out = []
        for play in self.plays:
            for task in play.get("tasks", []):
                if _short(task["task"]["name"]) == name and host in task["hosts"]:
                    out.append(task["hosts"][host])
        return out

    def changed_tasks(self, host: str = "localhost") -> list[str]:
        return [
            _short(task["task"]["name"])
            for play in self.plays
            for task in play.get("tasks", [])
            if task["hosts"].get(host, {}).get("changed")
        ]

    def failure_messages(self, host: str = "localhost") -> list[str]:
        """The msg of each failed task; for a failed loop, the msg of each failed item."""
        out = []
        for play in self.plays:
            for task in play.get("tasks", []):
                result = task["hosts"].get(host, {})
                if not result.get("failed") or result.get("ignore_errors"):
                    continue
                items = [item for item in result.get("results", []) if item.get("failed")]
                out.extend(str(item.get("msg")) for item in items) if items else out.append(str(result.get("msg")))
        return out


def ansible_environment(base: dict | None = None, **settings: str) -> dict:
    """The environment the tests run ansible-playbook in: the repo's ansible.cfg, no colour, this venv first."""
    environ = dict(os.environ if base is None else base)
    environ.update(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0")
    environ.update(settings)
    environ["PATH"] = f"{Path(sys.executable).parent}:{environ.get('PATH', '')}"
    return environ


def run_playbook(
    playbook: str | Path,
    extra_vars: dict | None = None,
    env: dict | None = None,
    check: bool = False,
    diff: bool = False,
    args: list[str] | None = None,
    callback: str = "ansible.posix.json",
    inventory: str | Path | None = None,
) -> PlaybookRun:
    """ansible-playbook against localhost (or ``inventory``, its hosts reached locally) with the repo's
    ansible.cfg and collections."""
    environ = ansible_environment(env, ANSIBLE_STDOUT_CALLBACK=callback)
    # Extra vars through a 0600 file, not the command line: the tests pass
    # made-up secrets, and the no-secrets gate samples every command line.
    fd, vars_file = tempfile.mkstemp(prefix="extra-vars-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(extra_vars or {}, handle)
    argv = [
        "ansible-playbook",
        "-i",
        str(inventory) if inventory else "localhost,",
        "-c",
        "local",
        "-e",
        "ansible_python_interpreter=" + sys.executable,
        "-e",
        "@" + vars_file,
        str(playbook),
    ]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    argv += args or []
    try:
        proc = subprocess.run(argv, env=environ, capture_output=True, text=True, check=False, cwd=REPO)
    finally:
        os.unlink(vars_file)
    # the JSON callback's document starts with a line "{"; lines before it are what
    # plugins print as they go (training_job's progress)
    start = re.search(r"(?m)^\{$", proc.stdout)
    try:
        data = json.loads(proc.stdout[start.start() :]) if start else {}
    except ValueError:
        data = {}
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr, data.get("stats", {}), data.get("plays", []))
