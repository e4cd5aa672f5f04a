"""Watch every process's command line and environment for made-up secrets while the gates run.

    python tests/support/process_sampler.py SECRETS_FILE OUT_FILE &    (SIGTERM writes OUT_FILE)

Secrets must never reach a command line or a task environment: both are
readable through ps and /proc/<pid>/ and get logged (-vvv, sudo). SECRETS_FILE
holds the made-up secrets the tests pass to the roles, one per line. OUT_FILE
gets the number of samples and one line per hit (process, cmdline or environ,
which secret), never the process's other contents. Container processes are
host processes, so what runs inside the test containers is watched too.

Two exceptions, listed as "allowed" and not counted: the environment of
`minishift start` and its children, and of dockerd. Minishift takes the GitHub
token and the proxy only from its environment (MINISHIFT_GITHUB_API_TOKEN,
HTTP(S)_PROXY), so the role hands them over on standard input to a shell that
exports them and execs minishift (roles/minishift/tasks/start-command.yml);
the program's own environment (readable by its owner only, unlike its command
line) necessarily holds them, and the ssh and openssl it runs inherit them.
dockerd reads a proxy only from its environment (the docker role's 0600
environment file, and Minishift's drop-in), so a proxy's credentials are
there, and in the programs it runs (iptables, containerd), which inherit it.
"""

from __future__ import annotations

import os
import signal
import sys
import time

INTERVAL = 0.2


def _argv(pid: str) -> list[bytes]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().split(b"\0")
    except OSError:
        return []


def _parent(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            # "pid (comm) state ppid ...": comm may hold spaces and parentheses
            return handle.read().rsplit(b")", 1)[1].split()[1].decode()
    except (OSError, IndexError):
        return "0"


def _under_minishift_start(pid: str) -> bool:
    """This process or an ancestor is `minishift start` (the binary, or the double run by python3)."""
    for _depth in range(32):
        argv = _argv(pid)
        for position, arg in enumerate(argv[:3]):
            if arg.endswith(b"minishift") and b"start" in argv[position + 1 : position + 2]:
                return True
        pid = _parent(pid)
        if pid in ("0", "1"):
            return False
    return False


def _under_dockerd(pid: str) -> bool:
    """This process or an ancestor is the Docker daemon (docker 1.13's dockerd-current too), whose proxy comes from
    its environment, which the programs it runs (iptables, containerd) inherit."""
    for _depth in range(32):
        argv = _argv(pid)
        if argv and os.path.basename(argv[0]) in (b"dockerd", b"dockerd-current"):
            return True
        pid = _parent(pid)
        if pid in ("0", "1"):
            return False
    return False


def main(secrets_file: str, out: str) -> int:
    with open(secrets_file, "rb") as handle:
        secrets = [line.strip() for line in handle if line.strip()]
    hits: set[str] = set()
    allowed: set[str] = set()
    state = {"rounds": 0}

    def write(*_args):
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(f"samples: {state['rounds']}\nhits: {len(hits)}\n")
            handle.writelines(line + "\n" for line in sorted(hits))
            handle.writelines(f"allowed: {line}\n" for line in sorted(allowed))
        sys.exit(0)

    signal.signal(signal.SIGTERM, write)
    signal.signal(signal.SIGINT, write)
    me = os.getpid()
    while True:
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == me:
                continue
            try:
                with open(f"/proc/{pid}/comm", "rb") as handle:
                    comm = handle.read().strip().decode("utf-8", "replace")
            except OSError:
                continue
            for name in ("cmdline", "environ"):
                try:
                    with open(f"/proc/{pid}/{name}", "rb") as handle:
                        raw = handle.read()
                except OSError:
                    continue
                for index, secret in enumerate(secrets):
                    if secret in raw:
                        hit = f"secret #{index + 1} in the {name} of {comm}"
                        if name == "environ" and _under_minishift_start(pid):
                            allowed.add(hit + " (under minishift start)")
                        elif name == "environ" and _under_dockerd(pid):
                            allowed.add(hit + " (dockerd's proxy)")
                        else:
                            hits.add(hit)
        state["rounds"] += 1
        time.sleep(INTERVAL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
