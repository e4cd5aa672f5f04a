"""Assemble a GOPATH tree for Kubernetes v1.11.x from the Go module proxy.

Kubernetes 1.11 predates Go modules: it builds in GOPATH mode from a vendor/
directory that Godeps pinned. The module proxy serves k8s.io/kubernetes@v1.11.x
with vendor/ stripped, so this script rebuilds vendor/ from ``pins.tsv`` (one
line per repository root: root, module version, how the version was chosen,
the Godeps revision; ``-`` means the proxy has no version of it), plus the
moved import paths and local stubs listed below. Module downloads go through
``go mod download`` (so the module cache is reused across builds).

    python3 assemble.py --version 1.11.10 --gopath DIR

prints the path of the assembled k8s.io/kubernetes tree.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Import paths whose hosts are gone, served by the successor repository (same
# package, same API): (vendor path, module, version, subdirectory in the module).
MOVED = [
    ("vbom.ml/util/sortorder", "github.com/fvbommel/sortorder", "v1.0.1", ""),
    ("bitbucket.org/ww/goautoneg", "github.com/munnerz/goautoneg", "v0.0.0-20191010083416-a7dc8b61c822", ""),
    ("github.com/renstrom/dedent", "github.com/lithammer/dedent", "v1.1.0", ""),
]
# Needed by the newer versions some pins had to take (kube-openapi 2020 logs
# through klog and negotiates with goautoneg; go-openapi v0.18's strfmt imports
# mgo's bson).
ADDED = [
    ("k8s.io/klog", "v1.0.0"),
    ("github.com/munnerz/goautoneg", "v0.0.0-20191010083416-a7dc8b61c822"),
    ("github.com/globalsign/mgo", "v0.0.0-20181015135952-eeefdecb41b8"),
]


def run(argv, cwd=None, env=None):
    return subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def read_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        root, version = line.split("\t")[:2]
        if version != "-":
            pins[root] = version
    return pins


def download(modules: list[tuple[str, str]]) -> dict[tuple[str, str], Path]:
    """go mod download, in module mode, of every module@version; returns their directories."""
    work = Path(tempfile.mkdtemp(prefix="k111-dl-"))
    try:
        (work / "go.mod").write_text("module download\n\ngo 1.22\n")
        env = dict(os.environ, GO111MODULE="on", GOFLAGS="-mod=mod")
        out = run(["go", "mod", "download", "-json", *[f"{m}@{v}" for m, v in modules]], cwd=work, env=env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    dirs = {}
    decoder = json.JSONDecoder()
    text = out.strip()
    while text:
        obj, end = decoder.raw_decode(text)
        text = text[end:].lstrip()
        if obj.get("Error"):
            raise SystemExit(f"go mod download {obj['Path']}@{obj['Version']}: {obj['Error']}")
        dirs[(obj["Path"], obj["Version"])] = Path(obj["Dir"])
    return dirs


def copy_module(src: Path, dest: Path) -> None:
    """Copy a module into vendor/: GOPATH mode must not see go.mod files or nested vendor dirs."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, symlinks=True, ignore=shutil.ignore_patterns("vendor", "go.mod", "go.sum", "testdata"))
    for path in dest.rglob("*"):
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o200)
    dest.chmod(dest.stat().st_mode | 0o200)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--gopath", required=True, type=Path)
    args = parser.parse_args()

    pins = read_pins(HERE / "pins.tsv")
    modules = [("k8s.io/kubernetes", "v" + args.version), *sorted(pins.items())]
    modules += [(entry[1], entry[2]) for entry in MOVED] + ADDED
    dirs = download(modules)

    tree = args.gopath / "src" / "k8s.io" / "kubernetes"
    if tree.exists():
        shutil.rmtree(tree)
    tree.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(dirs[("k8s.io/kubernetes", "v" + args.version)], tree, symlinks=True)
    for path in [tree, *tree.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o200)
    vendor = tree / "vendor"
    # keep vendor/'s BUILD/OWNERS files out of the way; the packages come from pins
    for root, version in sorted(pins.items()):
        copy_module(dirs[(root, version)], vendor / root)
    for path, module, version, sub in MOVED:
        copy_module(dirs[(module, version)] / sub, vendor / path)
    for module, version in ADDED:
        copy_module(dirs[(module, version)], vendor / module)
    # Stubs for repositories the proxy no longer serves (see stubs/README.md).
    for stub in sorted((HERE / "stubs").iterdir()):
        if stub.is_dir():
            for pkg_dir in [p for p in stub.rglob("*") if p.is_dir()] + [stub]:
                if any(pkg_dir.glob("*.go")):
                    rel = pkg_dir.relative_to(HERE / "stubs")
                    dest = vendor / rel
                    dest.mkdir(parents=True, exist_ok=True)
                    for go in pkg_dir.glob("*.go"):
                        shutil.copy(go, dest / go.name)
    # The staging repositories live in the tree, linked into vendor/ as upstream does.
    for staging in sorted((tree / "staging" / "src" / "k8s.io").iterdir()):
        link = vendor / "k8s.io" / staging.name
        if link.exists() or link.is_symlink():
            shutil.rmtree(link) if link.is_dir() and not link.is_symlink() else link.unlink()
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(Path("../../staging/src/k8s.io") / staging.name)
    print(tree)
    return 0


if __name__ == "__main__":
    sys.exit(main())
