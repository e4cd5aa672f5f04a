#!/usr/bin/env bash
# Gate: an execution environment that includes ffdl.platform gets its Python and
# system dependencies (meta/execution-environment.yml). Builds the collection,
# lets ansible-builder create an EE build context for it, then runs that
# context's own introspection (what the image build runs) on the installed
# collection. No image is pulled or built: registries cannot be reached here.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ansible-galaxy collection build --force --output-path "$work/dist" "$repo" >/dev/null
tarball=$(ls "$work"/dist/ffdl-platform-*.tar.gz)
ansible-galaxy collection install --offline --no-deps --force -p "$work/collections" "$tarball" 2>&1 | grep -v "not part of the configured"

mkdir -p "$work/ee"
cp "$tarball" "$work/ee/"
cat >"$work/ee/requirements.yml" <<YAML
---
collections:
  - name: /build/$(basename "$tarball")
    type: file
YAML
sed -n '/^collections:/,$p' "$repo/requirements.yml" | tail -n +2 >>"$work/ee/requirements.yml"
cat >"$work/ee/execution-environment.yml" <<YAML
---
version: 3
images:
  base_image:
    name: ffdl-ee-base:latest
dependencies:
  ansible_core:
    package_pip: ansible-core>=2.16,<2.20
  ansible_runner:
    package_pip: ansible-runner
  galaxy: requirements.yml
additional_build_files:
  - src: $(basename "$tarball")
    dest: .
YAML
ansible-builder create -f "$work/ee/execution-environment.yml" -c "$work/context" --output-filename Containerfile
test -f "$work/context/Containerfile"
grep -q "ffdl-platform-" "$work/context/_build/requirements.yml"

# What the image build's introspection finds in the installed collection
python "$work/context/_build/scripts/introspect.py" introspect "$work/collections" >"$work/introspect.yml"
cat "$work/introspect.yml"
python - "$work/introspect.yml" "$repo" <<'PY'
import re, sys, yaml
found = yaml.safe_load(open(sys.argv[1]))
python_deps = " ".join(found.get("python", []))
system_deps = " ".join(found.get("system", []))
wanted = [l.split("#")[0].strip() for l in open(sys.argv[2] + "/requirements.txt")]
# ansible-builder leaves out what ansible-core itself brings (PyYAML)
wanted = [w for w in wanted if w and not w.lower().startswith("pyyaml")]
missing = [w for w in wanted if re.split(r"[=<>]", w)[0].lower() not in python_deps.lower()]
assert not missing, f"introspection lost Python requirements: {missing}"
for package in ("git", "openssh-client"):
    assert package in system_deps, f"introspection lost the system requirement {package}"
print(f"the EE gets {len(wanted)} Python requirements and the system packages of ffdl.platform")
PY
