#!/usr/bin/env bash
# Pack the Minishift CLI double like a real release asset, for the role's
# download path: <out>/v<ver>/minishift-<ver>-linux-amd64.tgz holding
# minishift-<ver>-linux-amd64/{minishift,LICENSE,README.adoc}, and beside it the
# .sha256 file with only the bare hex digest (as the real releases publish).
# With OC_OUT set, also its oc as OpenShift's client tools release asset:
# $OC_OUT/v3.11.0/openshift-origin-client-tools-v3.11.0-0cbc58b-linux-64bit.tar.gz
# holding openshift-origin-client-tools-v3.11.0-0cbc58b-linux-64bit/oc (the
# release publishes a CHECKSUM file, not a .sha256 per asset).
#
#   [OC_OUT=DIR] tests/doubles/minishift/package.sh OUT_DIR [VERSION]
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

if [ -n "${OC_OUT:-}" ]; then
    tools=openshift-origin-client-tools-v3.11.0-0cbc58b-linux-64bit
    mkdir -p "$work/$tools" "$OC_OUT/v3.11.0"
    python3 "$here/minishift" __oc-source >"$work/$tools/oc"
    chmod 0755 "$work/$tools/oc"
    tar -C "$work" --owner=0 --group=0 --mtime=@0 -czf "$OC_OUT/v3.11.0/$tools.tar.gz" "$tools"
    (cd "$OC_OUT/v3.11.0" && sha256sum "$tools.tar.gz" >CHECKSUM)
    echo "$OC_OUT/v3.11.0/$tools.tar.gz"
fi
