"""Install and check the collections listed in requirements.yml, offline.

Ansible Galaxy is not reachable from the project's machines, but PyPI is, and
the PyPI ``ansible`` bundle carries every collection we depend on. ``install``
extracts just those collections from the bundle's wheel into ``collections-2.19/`` (``--dest``);
``check`` asserts that what is installed there satisfies requirements.yml (the
file Galaxy users install from), so both paths give the same set.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OPS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def parse_version(text: str) -> tuple[int, ...]:
    match = re.match(r"^(\d+)\.(\d+)\.(\d+)", text)
    if not match:
        raise ValueError(f"not a semantic version: {text!r}")
    return tuple(int(p) for p in match.groups())


def satisfies(version: str, spec: str) -> bool:
    """True when ``version`` meets every comma-separated clause of ``spec``."""
    if spec in ("", "*"):
        return True
    have = parse_version(version)
    for clause in (c.strip() for c in spec.split(",")):
        op = next((o for o in sorted(OPS, key=len, reverse=True) if clause.startswith(o)), "==")
        want = parse_version(clause[len(op) :].strip() if clause.startswith(op) else clause)
        if not OPS[op](have, want):
            return False
    return True


def requirements(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text())
    return [{"name": c["name"], "version": str(c.get("version", "*"))} for c in data["collections"]]


def installed_version(dest: Path, name: str) -> str | None:
    namespace, coll = name.split(".")
    manifest = dest / "ansible_collections" / namespace / coll / "MANIFEST.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text())["collection_info"]["version"]


def cmd_install(args: argparse.Namespace) -> int:
    reqs = requirements(args.requirements)
    if all((v := installed_version(args.dest, r["name"])) and satisfies(v, r["version"]) for r in reqs):
        print(f"collections: all {len(reqs)} present in {args.dest}")
        return 0
    args.wheel_dir.mkdir(parents=True, exist_ok=True)
    wheel = args.wheel_dir / f"ansible-{args.ansible_version}-py3-none-any.whl"
    if not wheel.is_file():
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        subprocess.run(
            [*pip, f"ansible=={args.ansible_version}", "--dest", str(args.wheel_dir)],
            check=True,
        )
    prefixes = []
    for req in reqs:
        namespace, coll = req["name"].split(".")
        prefixes.append(f"ansible_collections/{namespace}/{coll}/")
    with zipfile.ZipFile(wheel) as archive:
        members = [n for n in archive.namelist() if n.startswith(tuple(prefixes))]
        archive.extractall(args.dest, members=members)
    print(f"collections: extracted {len(reqs)} from {wheel.name} into {args.dest}")
    return cmd_check(args)


def cmd_check(args: argparse.Namespace) -> int:
    failures = 0
    for req in requirements(args.requirements):
        version = installed_version(args.dest, req["name"])
        if version is None:
            print(f"MISSING {req['name']} (wants {req['version']})")
            failures += 1
        elif not satisfies(version, req["version"]):
            print(f"MISMATCH {req['name']} {version} (wants {req['version']})")
            failures += 1
        else:
            print(f"ok {req['name']} {version} satisfies {req['version']}")
            failures += not supports_running_ansible(args.dest, req["name"])
    return 1 if failures else 0


def supports_running_ansible(dest: Path, name: str) -> bool:
    """The collection's meta/runtime.yml requires_ansible admits the ansible-core running this check."""
    try:
        from ansible.release import __version__ as core
    except ImportError:  # checking without ansible-core installed
        return True
    namespace, coll = name.split(".")
    runtime = dest / "ansible_collections" / namespace / coll / "meta" / "runtime.yml"
    wanted = str((yaml.safe_load(runtime.read_text()) or {}).get("requires_ansible", "")) if runtime.is_file() else ""
    if satisfies(core, wanted):
        return True
    print(f"UNSUPPORTED {name} requires ansible-core {wanted}, this is {core}")
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("install", "check"))
    parser.add_argument("--requirements", type=Path, default=ROOT / "requirements.yml")
    parser.add_argument("--dest", type=Path, default=ROOT / "collections-2.19")
    parser.add_argument("--wheel-dir", type=Path, default=ROOT / ".cache" / "wheels")
    parser.add_argument("--ansible-version", default="12.3.0")
    args = parser.parse_args(argv)
    return cmd_install(args) if args.command == "install" else cmd_check(args)


if __name__ == "__main__":
    sys.exit(main())
