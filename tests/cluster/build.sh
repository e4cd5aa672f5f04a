#!/usr/bin/env bash
# Build the test-cluster binaries from the Go module proxy, or reuse them.
#
#   tests/cluster/build.sh [kubernetes|kubernetes-1.11|etcd|kwok|helm3|helm2 ...]   (default: all)
#
# Binaries land in $FFDL_TEST_CACHE/bin/<component>-<version>-<recipe hash>/ and
# are reused while that directory is complete. The recipe hash covers the Go
# version and the component's wrapper module (go.mod/go.sum), so changing
# either rebuilds; the version is in the directory name itself.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=/dev/null
. "$here/versions.env"

cache=${FFDL_TEST_CACHE:-$repo/.cache}
export CGO_ENABLED=0 GOFLAGS=-mod=mod
mkdir -p "$cache/bin"

log() { printf '[cluster-build] %s\n' "$*" >&2; }

recipe_hash() {
    # $1: component directory under tests/cluster (may not exist)
    {
        go env GOVERSION
        if [ -d "$here/$1" ]; then
            find "$here/$1" -type f | sort | xargs cat
        fi
    } | sha256sum | cut -c1-12
}

# target_dir NAME VERSION SUBDIR: the cache dir for a component build
target_dir() {
    printf '%s/bin/%s-%s-%s' "$cache" "$1" "$2" "$(recipe_hash "$3")"
}

complete() {
    local dir=$1
    shift
    local b
    for b in "$@"; do [ -x "$dir/$b" ] || return 1; done
    return 0
}

# Builds go packages of a committed wrapper module into a temporary dir, then
# moves the dir into place so a half-built cache entry is never seen.
build_wrapper() {
    local module_dir=$1 out=$2 ldflags=$3
    shift 3
    local tmp
    tmp=$(mktemp -d "$cache/bin/.build.XXXXXX")
    (cd "$module_dir" && go build -trimpath -ldflags "$ldflags" -o "$tmp/" "$@")
    rm -rf "$out"
    mv "$tmp" "$out"
}

build_kubernetes() {
    local v=$KUBERNETES_VERSION out
    out=$(target_dir kubernetes "v$v" kubernetes)
    if complete "$out" kube-apiserver kube-controller-manager kube-scheduler kubectl; then
        log "kubernetes v$v: cached in $out"
    else
        local minor=${v#*.}
        minor=${minor%%.*}
        local ld="-s -w" pkg
        # Without these, /version reports v0.0.0-master and version checks break.
        for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
            ld+=" -X $pkg.gitVersion=v$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
            ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
        done
        log "kubernetes v$v: building (10-20 min cold)"
        build_wrapper "$here/kubernetes" "$out" "$ld" \
            k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
            k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
    fi
    link "$out" kube-apiserver kube-controller-manager kube-scheduler kubectl
}

# Kubernetes 1.11 (OpenShift 3.11's line): GOPATH mode, vendor/ rebuilt from
# kubernetes-1.11/pins.tsv; see kubernetes-1.11/README.md. Linked under
# bin/kubernetes-1.11/, which the launcher uses for --kubernetes 1.11.
build_kubernetes_1_11() {
    local v=$KUBERNETES_1_11_VERSION out b
    out=$(target_dir kubernetes "v$v" kubernetes-1.11)
    if complete "$out" kube-apiserver kube-controller-manager kube-scheduler kubectl; then
        log "kubernetes v$v: cached in $out"
    else
        log "kubernetes v$v: building (about 4 min cold)"
        GOFLAGS=-buildvcs=false "$here/kubernetes-1.11/build.sh" "$v" "$out"
    fi
    mkdir -p "$cache/bin/kubernetes-1.11"
    for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
        ln -sfn "$out/$b" "$cache/bin/kubernetes-1.11/$b"
    done
}

build_etcd() {
    local v=$ETCD_VERSION out
    out=$(target_dir etcd "v$v" etcd)
    if complete "$out" etcd; then
        log "etcd v$v: cached in $out"
    else
        log "etcd v$v: building"
        local tmp
        tmp=$(mktemp -d "$cache/bin/.build.XXXXXX")
        (cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
        rm -rf "$out"
        mv "$tmp" "$out"
    fi
    link "$out" etcd
}

# go install of a module without replace directives, into a fresh GOBIN.
build_installable() {
    local name=$1 version=$2 pkg=$3 ldflags=$4 bin=$5 out tmp
    out=$(target_dir "$name" "v$version" "$name")
    if complete "$out" "$bin"; then
        log "$name v$version: cached in $out"
    else
        log "$name v$version: building"
        tmp=$(mktemp -d "$cache/bin/.build.XXXXXX")
        GOBIN=$tmp go install -trimpath -ldflags "$ldflags" "$pkg@v$version"
        rm -rf "$out"
        mv "$tmp" "$out"
    fi
    link "$out" "$bin"
}

build_kwok() {
    build_installable kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok \
        "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=v$KWOK_VERSION" kwok
}

build_helm3() {
    build_installable helm3 "$HELM3_VERSION" helm.sh/helm/v3/cmd/helm \
        "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM3_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" helm
}

# A real OCI registry for the bed (`crane registry serve`, go-containerregistry's
# registry implementation), and the client that builds images into it.
build_crane() {
    build_installable crane "$CRANE_VERSION" github.com/google/go-containerregistry/cmd/crane "-s -w" crane
}

build_helm2() {
    local v=$HELM2_VERSION out
    out=$(target_dir helm2 "v$v" helm2)
    if complete "$out" helm tiller; then
        log "helm v$v: cached in $out"
    else
        log "helm v$v (with tiller): building"
        build_wrapper "$here/helm2" "$out" \
            "-s -w -X k8s.io/helm/pkg/version.Version=v$v -X k8s.io/helm/pkg/version.BuildMetadata= -X k8s.io/helm/pkg/version.GitTreeState=clean" \
            k8s.io/helm/cmd/helm k8s.io/helm/cmd/tiller
    fi
    # helm 2 keeps its own name so it never shadows helm 3 on PATH
    ln -sfn "$out/helm" "$cache/bin/helm2"
    ln -sfn "$out/tiller" "$cache/bin/tiller"
}

# Stable names in $cache/bin for the launcher and the tests.
link() {
    local dir=$1 b
    shift
    for b in "$@"; do ln -sfn "$dir/$b" "$cache/bin/$b"; done
}

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(etcd kwok helm3 helm2 crane kubernetes kubernetes-1.11)
for c in "${components[@]}"; do
    case $c in
    kubernetes | etcd | kwok | helm3 | helm2 | crane) "build_$c" ;;
    kubernetes-1.11) build_kubernetes_1_11 ;;
    *)
        log "unknown component: $c (allowed: kubernetes kubernetes-1.11 etcd kwok helm3 helm2 crane)"
        exit 2
        ;;
    esac
done
