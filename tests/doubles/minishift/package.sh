#!/usr/bin/env bash
# Pack the Minishift CLI double like a real release asset, for the role's
# download path: <out>/v<ver>/minishift-<ver>-linux-amd64.tgz holding
# minishift-<ver>-linux-amd64/{minishift,LICENSE,README.adoc}, and beside it the
# .sha256 file with only the bare hex digest (as the real releases publish).
#
#   tests/doubles/minishift/package.sh OUT_DIR [VERSION]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1
version=${2:-1.34.3}
name=minishift-$version-linux-amd64
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/$name" "$out/v$version"
install -m 0755 "$here/minishift" "$work/$name/minishift"
echo "TEST DOUBLE of Minishift $version, see tests/README.md" >"$work/$name/README.adoc"
echo "GPL-3.0-or-later (test double, part of ffdl.platform)" >"$work/$name/LICENSE"
tar -C "$work" --owner=0 --group=0 --mtime=@0 -czf "$out/v$version/$name.tgz" "$name"
sha256sum "$out/v$version/$name.tgz" | cut -d' ' -f1 >"$out/v$version/$name.tgz.sha256"
echo "$out/v$version/$name.tgz"
