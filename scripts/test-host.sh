#!/usr/bin/env bash
# Test-machine services: install the Debian packages the gates need when
# missing (docker.io, debootstrap for the test images, shellcheck for
# ansible-test, tinyproxy as the restricted-network bed's corporate proxy,
# dpkg-dev's dpkg-deb is there already), and make sure a Docker engine
# answers, starting dockerd by hand when it is not running (these machines
# have no systemd).
set -euo pipefail

log() { printf '[test-host] %s\n' "$*" >&2; }

missing=()
for pair in dockerd:docker.io debootstrap:debootstrap shellcheck:shellcheck tinyproxy:tinyproxy; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing from the Debian archive: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
    log "engine answers"
else
    log "starting dockerd (log: /var/log/dockerd.log)"
    nohup dockerd >/var/log/dockerd.log 2>&1 &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || {
        log "dockerd did not answer within 60 s; last log lines:"
        tail -n 20 /var/log/dockerd.log >&2
        exit 1
    }
fi
docker info --format 'engine {{.ServerVersion}}, storage {{.Driver}}, cgroup {{.CgroupDriver}} v{{.CgroupVersion}}'
