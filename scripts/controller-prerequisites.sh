#!/usr/bin/env bash
# What the controller needs before `make site` / `make test` install anything,
# checked first so a missing piece gives a message saying what to install
# instead of a pip or venv traceback.
#
#   scripts/controller-prerequisites.sh PYTHON ANSIBLE_LINE VENV
set -uo pipefail

python=${1:-python3}
line=${2:-2.19}
venv=${3:-.venv}
missing=()

case $line in
2.19) min=11 max=13 ;;
2.16) min=10 max=12 ;;
*)
    echo "ANSIBLE_LINE=$line is not supported: use 2.19 (the default) or 2.16 (CentOS/RHEL 7 targets)" >&2
    exit 1
    ;;
esac

command -v git >/dev/null 2>&1 || missing+=("git (Debian/Ubuntu: apt-get install git; EL: yum install git)")

# An existing virtualenv is reused as it is.
if ! [ -x "$venv/bin/python" ]; then
    if ! command -v "$python" >/dev/null 2>&1; then
        missing+=("$python: Python 3.$min-3.$max for ansible-core $line (Debian 12: apt-get install python3 python3-venv), or make ... PYTHON=/path/to/python3.$min")
    else
        version=$("$python" -c 'import sys; print("%d %d" % sys.version_info[:2])' 2>/dev/null)
        major=${version% *}
        minor=${version#* }
        if [ "$major" != 3 ] || [ "$minor" -lt "$min" ] || [ "$minor" -gt "$max" ]; then
            hint="install one and run make ... PYTHON=/path/to/python3.$min"
            [ "$line" = 2.19 ] && [ "$minor" -ge 10 ] && [ "$minor" -lt "$min" ] &&
                hint="$hint, or use ANSIBLE_LINE=2.16 (Python 3.10-3.12)"
            [ "$major.$minor" = 3.6 ] &&
                hint="$hint; CentOS/RHEL 7 has no such Python: run the playbook from another machine (see README, 'The controller')"
            missing+=("Python 3.$min-3.$max for ansible-core $line: $python is ${major}.${minor} ($(command -v "$python")); $hint")
        elif ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
            missing+=("the venv module of $python (Debian/Ubuntu: apt-get install python3-venv, or python3.$minor-venv)")
        fi
    fi
fi

# A collections/ beside site.yml (checkouts from before collections-2.19/):
# ansible-playbook searches a playbook's adjacent collections/ before any
# configured path, so it would shadow this line's collections.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -d "$repo/collections/ansible_collections" ]; then
    echo "$repo/collections is in the way: ansible-playbook would take the collections there before collections-$line/ (ANSIBLE_LINE=$line); remove it (rm -rf collections) or, if it holds the 2.19 line's, rename it (mv collections collections-2.19)" >&2
    exit 1
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "The controller is missing what this project needs before it can install anything:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "See README.md, 'The controller'." >&2
    exit 1
fi
