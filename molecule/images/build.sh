#!/usr/bin/env bash
# Build the systemd base images the molecule scenarios run in, locally:
# debootstrap + `docker import` (no registry can be reached from here).
#
#   molecule/images/build.sh [bookworm|bullseye ...]     (default: both)
#
# Each image is tagged ffdl-test/debian-<suite>:<hash of this recipe> and also
# :latest; an image whose hash tag exists is reused. Prints the tags it made.
set -euo pipefail

mirror=${FFDL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# iproute2 gives ss/ip to the verifiers; python3-apt is on every standard Debian
# install and lets ansible dry-run (--check) apt tasks.
packages=python3,python3-apt,systemd,systemd-sysv,sudo,ca-certificates,iproute2,dbus

log() { printf '[images] %s\n' "$*" >&2; }

build() {
    local suite=$1 hash tag root
    hash=$( (cat "${BASH_SOURCE[0]}"; echo "$suite $mirror $packages") | sha256sum | cut -c1-12)
    tag=ffdl-test/debian-$suite:$hash
    if docker image inspect "$tag" >/dev/null 2>&1; then
        log "$tag: present, reused"
    else
        root=$(mktemp -d)
        trap 'rm -rf "$root"' RETURN
        log "$tag: debootstrap $suite from $mirror"
        debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >&2
        # A debootstrap rootfs has only the release suite; add updates so
        # packages match what users get.
        printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" \
            >"$root/etc/apt/sources.list"
        # An installed system has package lists; a dry run (--check) of an apt
        # install needs them, since check mode does not refresh the cache.
        chroot "$root" apt-get update -qq >&2
        # The machine-id must be unique per container: systemd creates it at boot.
        : >"$root/etc/machine-id"
        tar -C "$root" -c . | docker import \
            --change 'CMD ["/lib/systemd/systemd"]' \
            --change 'ENV container=docker' - "$tag" >/dev/null
    fi
    docker tag "$tag" "ffdl-test/debian-$suite:latest"
    # drop images of older recipes
    docker images --format '{{.Repository}}:{{.Tag}}' "ffdl-test/debian-$suite" |
        grep -v -e ":$hash\$" -e ':latest$' | xargs -r docker rmi >/dev/null || true
    echo "$tag"
}

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm bullseye)
for s in "${suites[@]}"; do
    case $s in
    bookworm | bullseye) build "$s" ;;
    *)
        log "unknown suite: $s (allowed: bookworm bullseye)"
        exit 2
        ;;
    esac
done
