#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager, kube-scheduler and kubectl of
# Kubernetes 1.11 (OpenShift 3.11's base) from the Go module proxy, in GOPATH
# mode as 1.11 was built. See README.md for why each step is needed.
#
#   tests/cluster/kubernetes-1.11/build.sh VERSION OUT_DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=$1
out=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/k8s-$version.XXXXXX")
trap 'rm -rf "$work"' EXIT

log() { printf '[kubernetes-%s] %s\n' "$version" "$*" >&2; }

log "assembling the GOPATH tree and vendor/ from the module proxy (pins.tsv)"
tree=$(python3 "$here/assemble.py" --version "$version" --gopath "$work/gopath")
python3 "$here/patch.py" "$tree"

export GOPATH=$work/gopath GO111MODULE=off GOFLAGS=-buildvcs=false CGO_ENABLED=0
cd "$tree"

# pkg/generated/openapi is generated at build time upstream and is not in the
# module zip: generate it as 1.11's build/root/Makefile.generated_files does,
# from every package tagged +k8s:openapi-gen, with the vendored kube-openapi.
log "generating pkg/generated/openapi"
go build -o "$work/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
mapfile -t openapi_dirs < <(
    find -H . ./vendor/k8s.io/apimachinery ./vendor/k8s.io/apiserver ./vendor/k8s.io/kube-aggregator \
        ./vendor/k8s.io/apiextensions-apiserver ./vendor/k8s.io/metrics ./vendor/k8s.io/sample-apiserver \
        ./vendor/k8s.io/api ./vendor/k8s.io/client-go ./vendor/k8s.io/code-generator ./vendor/k8s.io/sample-controller \
        \( -not \( \( -path ./vendor -o -path ./staging -o -path './_*' -o -path './.*' -o -path ./docs \) -prune \) \) \
        -type f -name '*.go' -print0 |
        xargs -0 grep -l '^// *+k8s:' | xargs grep -l '+k8s:openapi-gen=' | xargs -n1 dirname | sed 's|^\./||' | LC_ALL=C sort -u
)
inputs=$(printf 'k8s.io/kubernetes/%s\n' "${openapi_dirs[@]}" | paste -sd, -)
"$work/openapi-gen" -i "$inputs" -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
    -h hack/boilerplate/boilerplate.generatego.txt -r "$work/api-rule-violations.txt" >/dev/null

# Version ldflags as hack/lib/version.sh sets them; without them /version
# reports v0.0.0-master. -checklinkname=0: 2018's x/sys and reflect2 reach
# into the runtime through linknames newer Go toolchains refuse by default.
minor=${version#*.}
minor=${minor%%.*}
ld="-s -w -checklinkname=0"
for pkg in k8s.io/kubernetes/pkg/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=v$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld+=" -X $pkg.gitCommit=0000000000000000000000000000000000000000"
    ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
log "compiling (about 3 minutes cold on 2 cores)"
mkdir -p "$work/bin"
go build -trimpath -ldflags "$ld" -o "$work/bin/" \
    ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler ./cmd/kubectl
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$work/bin" "$out"
log "built into $out"
