#!/usr/bin/env bash
# Build the systemd base images the molecule scenarios run in, locally:
# debootstrap + `docker import` (no registry can be reached from here).
#
#   molecule/images/build.sh [bookworm|bullseye|bionic ...]     (default: all three)
#
# bionic (Ubuntu 18.04) is not a supported platform: it is the bed's stand-in
# for the interpreters of the tutorial's CentOS 7 host, a /usr/bin/python that
# is 2.7 and a python3 that is 3.6 (tests/e2e/test_site_remote_vm.py), the only
# real 2.7 + 3.6 pair these machines can download (tests/README.md).
#
# Each image is tagged ffdl-test/<debian|ubuntu>-<suite>:<hash of this recipe> and also
# :latest; an image whose hash tag exists is reused. Prints the tags it made.
set -euo pipefail

mirror=${FFDL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# iproute2 gives ss/ip to the verifiers; python3-apt is on every standard Debian
# install and lets ansible dry-run (--check) apt tasks.
packages=python3,python3-apt,systemd,systemd-sysv,sudo,ca-certificates,iproute2,dbus
ubuntu_mirror=${FFDL_UBUNTU_MIRROR:-http://archive.ubuntu.com/ubuntu}
# python (2.7, /usr/bin/python) and python-apt beside python3 (3.6): the
# apt module runs natively under either, as yum does under EL7's 2.7.
ubuntu_packages=python,python-apt,$packages
# debootstrap checks the Release files with Ubuntu's archive keys; Debian 12
# does not package them. Bionic's own ubuntu-keyring, its digest pinned here
# (keys 790BC7277767219C42C86F933B4FE6ACC0B21F32 and
# F6ECB3762474EDA9D21B7022871920D1991BC93C, the archive's signing keys).
ubuntu_keyring_deb=pool/main/u/ubuntu-keyring/ubuntu-keyring_2018.09.18.1~18.04.2_all.deb
ubuntu_keyring_sha256=5d8609563fb3074026b254d7d5248f90d393c7dbafcac48916f333bf3c90fed9

log() { printf '[images] %s\n' "$*" >&2; }

# Prints the path of a keyring holding Ubuntu's archive keys, fetched and
# checked against the pinned digest (into a directory the caller removes).
ubuntu_keyring() {
    local dir=$1
    curl -fsS -m 120 -o "$dir/keyring.deb" "$ubuntu_mirror/$ubuntu_keyring_deb" >&2
    echo "$ubuntu_keyring_sha256  $dir/keyring.deb" | sha256sum -c --quiet - >&2
    dpkg-deb -x "$dir/keyring.deb" "$dir/keyring"
    echo "$dir/keyring/usr/share/keyrings/ubuntu-archive-keyring.gpg"
}

build() {
    local suite=$1 hash tag root src=$mirror packs=$packages distro=debian keyring_args=() sources
    if [ "$suite" = bionic ]; then
        src=$ubuntu_mirror packs=$ubuntu_packages distro=ubuntu
    fi
    hash=$( (cat "${BASH_SOURCE[0]}"; echo "$suite $src $packs") | sha256sum | cut -c1-12)
    tag=ffdl-test/$distro-$suite:$hash
    if docker image inspect "$tag" >/dev/null 2>&1; then
        log "$tag: present, reused"
    else
        root=$(mktemp -d)
        trap 'rm -rf "$root" "$root.keys"' RETURN
        # A debootstrap rootfs has only the release suite; add updates so
        # packages match what users get.
        sources=$(printf 'deb %s %s main\ndeb %s %s-updates main' "$src" "$suite" "$src" "$suite")
        if [ "$suite" = bionic ]; then
            mkdir "$root.keys"
            keyring_args=(--keyring="$(ubuntu_keyring "$root.keys")" "--components=main,universe")
            # docker.io and s3fs are in universe; fixes come through -security
            sources=$(printf 'deb %s %s main universe\n' "$src" "$suite" "$src" "$suite-updates" "$src" "$suite-security")
        fi
        log "$tag: debootstrap $suite from $src"
        debootstrap --variant=minbase "${keyring_args[@]}" --include="$packs" "$suite" "$root" "$src" >&2
        printf '%s\n' "$sources" >"$root/etc/apt/sources.list"
        # An installed system has package lists; a dry run (--check) of an apt
        # install needs them, since check mode does not refresh the cache.
        chroot "$root" apt-get update -qq >&2
        # The machine-id must be unique per container: systemd creates it at boot.
        : >"$root/etc/machine-id"
        tar -C "$root" -c . | docker import \
            --change 'CMD ["/lib/systemd/systemd"]' \
            --change 'ENV container=docker' - "$tag" >/dev/null
    fi
    docker tag "$tag" "ffdl-test/$distro-$suite:latest"
    # drop images of older recipes
    docker images --format '{{.Repository}}:{{.Tag}}' "ffdl-test/$distro-$suite" |
        grep -v -e ":$hash\$" -e ':latest$' | xargs -r docker rmi >/dev/null || true
    echo "$tag"
}

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm bullseye bionic)
for s in "${suites[@]}"; do
    case $s in
    bookworm | bullseye | bionic) build "$s" ;;
    *)
        log "unknown suite: $s (allowed: bookworm bullseye bionic)"
        exit 2
        ;;
    esac
done
