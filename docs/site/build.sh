#!/usr/bin/env bash
# Build the collection's HTML documentation (every module, filter, role entry
# point and their options) with antsibull-docs and Sphinx; warnings fail.
#
#   docs/site/build.sh [OUTPUT_DIR]     (default: docs/site/build, git-ignored)
#
# ffdl.platform and its dependencies must be on ANSIBLE_COLLECTIONS_PATH
# (`make test` sets that up: collections-2.19/ holds a link to this checkout).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/rst"
chmod og-w "$work/rst" # antsibull-docs wants the directory writable by itself only
antsibull-docs --config-file "$here/antsibull-docs.cfg" collection \
    --use-current --fail-on-error --dest-dir "$work/rst" ffdl.platform
cp "$here/index.rst" "$work/rst/index.rst"
sphinx-build -q -b html "$work/rst" "$out" -c "$here" -W --keep-going
echo "HTML documentation in $out/index.html"
