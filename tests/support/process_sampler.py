"""Watch every process's command line and environment for made-up secrets while the gates run.

    python tests/support/process_sampler.py SECRETS_FILE OUT_FILE &    (SIGTERM writes OUT_FILE)

Secrets must never reach a command line or a task environment: both are
readable through ps and /proc/<pid>/ and get logged (-vvv, sudo). SECRETS_FILE
holds the made-up secrets the tests pass to the roles, one per line. OUT_FILE
gets the number of samples and one line per hit (process, cmdline or environ,
which secret), never the process's other contents. Container processes are
host processes, so what runs inside the test containers is watched too.
"""

from __future__ import annotations

import os
import signal
import sys
import time

INTERVAL = 0.2


def main(secrets_file: str, out: str) -> int:
    with open(secrets_file, "rb") as handle:
        secrets = [line.strip() for line in handle if line.strip()]
    hits: set[str] = set()
    state = {"rounds": 0}

    def write(*_args):
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(f"samples: {state['rounds']}\nhits: {len(hits)}\n")
            handle.writelines(line + "\n" for line in sorted(hits))
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
                        hits.add(f"secret #{index + 1} in the {name} of {comm}")
        state["rounds"] += 1
        time.sleep(INTERVAL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
