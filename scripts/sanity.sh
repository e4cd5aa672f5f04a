#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection placed at
# ansible_collections/ffdl/platform, next to its dependency collections,
# without internet (ansible-test's pip bootstrap is replaced by
# scripts/get_pip_offline.py).
#
#   scripts/sanity.sh [extra ansible-test sanity options]
#
# The dependency collections come from $FFDL_COLLECTIONS_DIR (default
# collections-2.19; collections-2.16 for the ansible-core 2.16 leg). ansible-test
# reads tests/sanity/ignore-<ansible-core minor>.txt, empty for each line.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python_version=${SANITY_PYTHON:-3.11}

# ansible-test looks for ~/.ansible/test/cache/get_pip_<pip version>.py
pip_version=$(python3 -c '
import ansible_test._internal.python_requirements as r, inspect, re
print(re.search(r"pip=.([0-9.]+).", inspect.getsource(r.get_venv_packages)).group(1))')
mkdir -p ~/.ansible/test/cache
install -m 0644 "$repo/scripts/get_pip_offline.py" ~/.ansible/test/cache/"get_pip_${pip_version//./_}.py"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=$work/ansible_collections/ffdl/platform
mkdir -p "$dest"
# Tracked files and new files not ignored: what a commit would contain.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
    grep -zv '^collections' | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' |
    tar --null -T - -cf -) | tar -C "$dest" -xf -
# Dependency collections beside it, for doc fragments and module_utils.
for dir in "$repo"/"${FFDL_COLLECTIONS_DIR:-collections-2.19}"/ansible_collections/*/*; do
    ns=$(basename "$(dirname "$dir")")
    [ "$ns" = ffdl ] && continue
    mkdir -p "$work/ansible_collections/$ns"
    ln -s "$dir" "$work/ansible_collections/$ns/$(basename "$dir")"
done
cd "$dest"
git init -q && git add -A && git -c user.name=sanity -c user.email=sanity@localhost commit -qm sanity
ansible-test sanity --python "$python_version" --requirements --color no "$@"
