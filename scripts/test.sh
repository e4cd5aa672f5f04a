#!/usr/bin/env bash
# Every gate of `make test`, in order. A failing gate does not stop the others
# (except set-up steps everything depends on); the last line is
# "N passed, M failed", counting gates and, for pytest gates, their tests.
#
#   scripts/test.sh [gate-name-substring ...]   run only matching gates
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
export PATH=$repo/.venv/bin:$PATH
export ANSIBLE_CONFIG=$repo/ansible.cfg
export FFDL_TEST_CACHE=${FFDL_TEST_CACHE:-$repo/.cache}
export PY_COLORS=0 ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1
out=$repo/tests/output
mkdir -p "$out"

passed=0
failed=0
failures=()
only=("$@")
# the machine's busy CPU time since the start (all processes, containers too)
read -r _ cpu_start_ticks < <(awk '/^cpu / { print 0, $2 + $3 + $4 + $7 + $8 }' /proc/stat)
run_start=$(date +%s)

excluded=()
selected() {
    local pat
    for pat in "${excluded[@]}"; do [[ $1 == *"$pat"* ]] && return 1; done
    [ ${#only[@]} -eq 0 ] && return 0
    for pat in "${only[@]}"; do [[ $1 == *"$pat"* ]] && return 0; done
    return 1
}

summary() {
    local busy
    echo
    busy=$(awk -v t0="$cpu_start_ticks" '/^cpu / { printf "%d", ($2 + $3 + $4 + $7 + $8 - t0) / 100 }' /proc/stat)
    echo "wall $(($(date +%s) - run_start))s; the machine's CPUs were busy ${busy}s (all processes, containers included)"
    if [ ${#failures[@]} -gt 0 ]; then
        printf 'failed: %s\n' "${failures[@]}"
    fi
    echo "$passed passed, $failed failed"
}

# measured COMMAND...: runs it in a subshell that then writes `times` to
# $cpu_file: its own and its children's CPU (user + system), which is the
# gate's CPU on this machine. A subshell, because the main stream's shell
# also reaps the background streams, whose CPU would land in whatever gate
# was running then. Processes in containers (molecule instances, the remote
# VM) and daemons nobody waits for are not counted.
cpu_file=$(mktemp)
measured() (
    "$@"
    rc=$?
    times >"$cpu_file"
    exit $rc
)
# measured_cpu: the seconds the last `measured` wrote, in $measured_seconds
measured_cpu() {
    measured_seconds=$(awk '{ for (i = 1; i <= NF; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] } }
        END { printf "%d", s }' "$cpu_file")
}

# gate NAME COMMAND...: one pass or one fail; output goes to tests/output/NAME.log
gate() {
    local name=$1 start rc cpu
    shift
    selected "$name" || return 0
    start=$(date +%s)
    printf '==> %-40s ' "$name"
    measured "$@" >"$out/$name.log" 2>&1
    rc=$?
    measured_cpu
    cpu=$measured_seconds
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        printf 'ok     (%ss, CPU %ss)\n' $(($(date +%s) - start)) "$cpu"
    else
        failed=$((failed + 1))
        failures+=("$name")
        printf 'FAILED (%ss, CPU %ss, rc %s) -- last lines of %s:\n' $(($(date +%s) - start)) "$cpu" $rc "tests/output/$name.log"
        tail -n 25 "$out/$name.log" | sed 's/^/    /'
    fi
    return $rc
}

# pytest_gate NAME PYTEST-ARGS...: counts each test; a run that collects no
# test or errors before reporting counts as one failure.
pytest_gate() {
    local name=$1 start rc counts cpu
    shift
    selected "$name" || return 0
    start=$(date +%s)
    printf '==> %-40s ' "$name"
    measured python -m pytest --junitxml="$out/$name.xml" "$@" >"$out/$name.log" 2>&1
    rc=$?
    measured_cpu
    cpu=$measured_seconds
    counts=$(python - "$out/$name.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print("0 0"); sys.exit()
suites = [root] if root.tag == "testsuite" else list(root)
tests = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(tests - bad - skipped, bad)
PY
)
    local ok=${counts% *} bad=${counts#* }
    if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
    if [ $rc -eq 0 ] && [ "$ok" -eq 0 ]; then bad=1; fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -eq 0 ]; then
        printf 'ok     (%s tests, %ss, CPU %ss)\n' "$ok" $(($(date +%s) - start)) "$cpu"
    else
        failures+=("$name")
        printf 'FAILED (%s passed, %s failed, %ss, CPU %ss) -- tail of tests/output/%s.log:\n' "$ok" "$bad" $(($(date +%s) - start)) "$cpu" "$name"
        tail -n 40 "$out/$name.log" | sed 's/^/    /'
    fi
}

# A set-up step the rest depends on: on failure, report and stop.
setup() {
    gate "$@" || {
        summary
        exit 1
    }
}

syntax_check() {
    local pb inv rc=0
    for inv in hosts inventory/*/hosts.yml; do
        for pb in site.yml playbooks/*.yml; do
            [ -e "$pb" ] || continue
            echo "--- $pb with $inv"
            ansible-playbook --syntax-check -i "$inv" "$pb" || rc=1
        done
    done
    return $rc
}

galaxy_build_and_docs() (
    set -e
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    ansible-galaxy collection build --force --output-path "$tmp/dist" .
    # nothing of the local toolchain (virtualenvs, dependency collections, caches)
    if tar -tzf "$tmp"/dist/ffdl-platform-*.tar.gz | grep -E '^(\.venv|collections|\.cache|tests/output)' | head -5 | grep .; then
        echo "the tarball holds local build files (above): extend build_ignore in galaxy.yml"
        return 1
    fi
    ANSIBLE_COLLECTIONS_PATH=$tmp/install ansible-galaxy collection install --offline --no-deps \
        -p "$tmp/install" "$tmp"/dist/ffdl-platform-*.tar.gz
    # ansible-doc from that install only, plus the dependency collections.
    local paths=$tmp/install:$repo/collections-2.19
    local plugin role n=0
    for plugin in plugins/modules/*.py; do
        [ -e "$plugin" ] || continue
        plugin=$(basename "$plugin" .py)
        echo "--- module ffdl.platform.$plugin"
        ANSIBLE_COLLECTIONS_PATH=$paths ansible-doc -t module "ffdl.platform.$plugin" >/dev/null
        n=$((n + 1))
    done
    for role in roles/*/; do
        [ -d "$role" ] || continue
        role=$(basename "$role")
        echo "--- role ffdl.platform.$role"
        ANSIBLE_COLLECTIONS_PATH=$paths ansible-doc -t role "ffdl.platform.$role" >/dev/null
        n=$((n + 1))
    done
    # the installed copy must really be the one answering
    test -f "$tmp/install/ansible_collections/ffdl/platform/MANIFEST.json"
    echo "documented $n plugins and roles from the built collection"
)

# The made-up secrets the tests give the roles (molecule s3fs and minishift,
# the training tests); none may be printed, on a command line or in an
# environment. Patterns come from a 0600 file: a secret on grep's own command
# line would be what the process watcher looks for.
made_up_secrets=(s3fs-test-secret-9f2b ghp_test_token_4c1d9e7a made-up-s3-secret-7Qx9 made-up-rest-password-4Kd2
    made-up-proxy-pass-8Hq3)
secrets_file=$(mktemp)
chmod 0600 "$secrets_file"
printf '%s\n' "${made_up_secrets[@]}" >"$secrets_file"
# One watcher for the whole run: the container stream's scripts/test.sh
# (FFDL_TEST_STREAM set) leaves it to its parent.
if [ -z "${FFDL_TEST_STREAM:-}" ]; then
    python tests/support/process_sampler.py "$secrets_file" "$out/process-watch.txt" &
    process_watcher=$!
fi
trap 'kill "${process_watcher:-}" "${stream_pids[@]}" 2>/dev/null; rm -f "$secrets_file" "$cpu_file"' EXIT

# The watcher is stopped (and its file complete) before this gate runs.
secrets_not_printed() {
    local rc=0
    cat "$out/process-watch.txt"
    grep -q '^hits: 0$' "$out/process-watch.txt" || rc=1
    if grep -l -F -f "$secrets_file" "$out"/*.log "$out"/*.xml; then
        echo "a made-up secret is printed in the logs above"
        rc=1
    fi
    [ $rc -eq 0 ] && echo "none of ${#made_up_secrets[@]} secrets in tests/output logs, command lines or environments"
    return $rc
}

# molecule has been seen to print "Idempotence test failed" yet count the
# step as successful; the log decides too.
molecule_scenario() {
    local log rc scenario=$1
    shift
    log=$(mktemp)
    (cd "$repo" && molecule test -s "$scenario" "$@") 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    if grep -q -E 'Idempotence test failed|Executed: Failed' "$log"; then
        echo "molecule reported a failed step (see above)"
        rc=1
    fi
    rm -f "$log"
    return "$rc"
}

# ---------------------------------------------------------------- set-up
setup setup-python make --no-print-directory venv-test collections
setup setup-host-packages-and-docker scripts/test-host.sh
setup test-images molecule/images/build.sh
# ansible-core 2.16 is the last line that manages CentOS/RHEL 7 (Python
# 2.7/3.6, yum). Its own virtualenv and collections (the newest that still
# support it, from the ansible 11 bundle).
setup setup-ansible-core-2.16 make --no-print-directory venv-test collections ANSIBLE_LINE=2.16
leg_2_16() {
    PATH=$repo/.venv-2.16/bin:$PATH ANSIBLE_COLLECTIONS_PATH=$repo/collections-2.16 \
        FFDL_COLLECTIONS_DIR=collections-2.16 "$@"
}

# ---------------------------------------------------------------- three streams
# After the set-up a full run splits into three streams that share nothing but
# the machine: the main stream (static gates, the cluster binaries, the
# integration tests on current Kubernetes, site.yml on a VM), the container
# stream (molecule, bad input, consumer project, the 2.16 leg's static and
# molecule gates) and the old-API stream (the Kubernetes 1.11 leg and site.yml
# on that cluster). Each cluster and service a stream starts binds its own
# free ports. Most of their time is waiting (systemd boots, readiness polls,
# Tiller, training), so the two extra streams run as more scripts/test.sh in
# the background, and their results join the last line; their output is in
# tests/output/stream-<name>.txt. A run of chosen gates keeps them in order,
# one at a time.
container_stream=(molecule- bad-input consumer-project ansible-core-2.16-)
old_api_stream=(integration-tests-kubernetes-1.11 site-end-to-end site-restricted-networks)
cluster_setup_done=$out/.cluster-setup-done
streams=()
stream_pids=()
start_stream() {
    local name=$1
    shift
    FFDL_TEST_STREAM=$name "$repo/scripts/test.sh" "$@" >"$out/stream-$name.txt" 2>&1 &
    stream_pids+=($!)
    streams+=("$name")
    excluded+=("$@")
}
if [ ${#only[@]} -eq 0 ] && [ -z "${FFDL_TEST_STREAM:-}" ]; then
    rm -f "$cluster_setup_done"
    start_stream containers "${container_stream[@]}"
    start_stream old-api "${old_api_stream[@]}"
fi
# The cluster binaries, compiled once per version (about 15 minutes cold), and
# the FfDL REST API stand-in's learner (tensorflow-cpu in a virtualenv, cached
# by the hash of tests/doubles/ffdl_restapi/learner-requirements.txt). The
# old-API stream waits for this marker before its first gate.
setup cluster-binaries tests/cluster/build.sh
setup learner-virtualenv python tests/support/servers.py learner
[ -z "${FFDL_TEST_STREAM:-}" ] && touch "$cluster_setup_done"
wait_for_cluster_setup() {
    local waited=0
    while [ -n "${FFDL_TEST_STREAM:-}" ] && [ ! -e "$cluster_setup_done" ] && [ $waited -lt 3600 ]; do
        sleep 10
        waited=$((waited + 10))
    done
}

# ---------------------------------------------------------------- main stream: static gates
gate collections-match-requirements python scripts/offline_collections.py check
gate yamllint yamllint --strict .
gate ansible-lint ansible-lint --offline --profile production
gate ruff-check ruff check .
gate ruff-format ruff format --check .
gate syntax-check syntax_check
pytest_gate unit-tests tests/unit -p no:cacheprovider --cov=ansible_collections.ffdl.platform.plugins --cov-report=term-missing
gate ansible-test-sanity scripts/sanity.sh
gate galaxy-build-and-docs galaxy_build_and_docs
gate changelog scripts/changelog.sh
gate docs-html docs/site/build.sh "$out/docs-html"
gate execution-environment scripts/execution_environment.sh
# Modules run on the managed host; EL7's Pythons are 2.7 and 3.6. The example
# model runs on FfDL's learner image tensorflow/tensorflow:1.5.0-py3 (Python 3.5).
python_27_36() {
    vermin -t=2.7- -t=3.6- --no-tips --violations --eval-annotations plugins/modules plugins/module_utils &&
        python scripts/py27_syntax.py plugins/modules plugins/module_utils &&
        vermin -t=3.5- --no-tips --violations roles/training/files/tf-model
}
gate python-2.7-3.6-syntax python_27_36

# ---------------------------------------------------------------- main stream: roles and modules on current Kubernetes
pytest_gate integration-tests tests/integration -p no:cacheprovider

# ---------------------------------------------------------------- main stream: site.yml on a VM over SSH, ansible-core 2.16
# inventory/remote-vm against a systemd container (tests/e2e/test_site_remote_vm.py),
# the test bed's services on the Docker bridge for it. The tutorial's host is
# CentOS 7, which only ansible-core 2.16 still manages, so this shape runs on
# that line; the existing-cluster shape (old-API stream) runs on 2.19.
docker_bridge=$(ip -4 -o addr show docker0 2>/dev/null | awk '{split($4, a, "/"); print a[1]; exit}')
FFDL_TEST_KUBERNETES=1.11 FFDL_TEST_BIND_ADDRESS=${docker_bridge:-172.17.0.1} \
    leg_2_16 pytest_gate site-remote-vm-end-to-end-ansible-core-2.16 tests/e2e/test_site_remote_vm.py -p no:cacheprovider

# ---------------------------------------------------------------- container stream: host roles (molecule)
# Pairwise: each scenario runs once per ansible-core line, on one Debian
# release each (2.19 on bookworm, 2.16 on bullseye, the older host with the
# older line), so every line and every release runs every host role.
for scenario in docker ssh s3fs pv_bind_mount minishift; do
    case $scenario in
    # the scenarios that hand the roles made-up secrets run at -vvv
    s3fs | minishift) ANSIBLE_VERBOSITY=3 gate "molecule-$scenario" molecule_scenario "$scenario" --platform-name "ffdl-$scenario-bookworm" ;;
    *) gate "molecule-$scenario" molecule_scenario "$scenario" --platform-name "ffdl-$scenario-bookworm" ;;
    esac
done
pytest_gate bad-input tests/bad_input -p no:cacheprovider
# The built tarball and requirements.yml as users install them, imported by FQCN
gate consumer-project scripts/consumer.sh collections-2.19

# ---------------------------------------------------------------- container stream: the ansible-core 2.16 leg
gate ansible-core-2.16-collections leg_2_16 python scripts/offline_collections.py check --requirements requirements-2.16.yml --dest collections-2.16
gate ansible-core-2.16-sanity leg_2_16 scripts/sanity.sh
PATH=$repo/.venv-2.16/bin:$PATH pytest_gate ansible-core-2.16-unit-tests tests/unit -p no:cacheprovider
# every role's input checks: templates 2.16 parses differently fail here, not on an EL7 host
leg_2_16 pytest_gate ansible-core-2.16-bad-input tests/bad_input -p no:cacheprovider
gate ansible-core-2.16-requirements-resolve leg_2_16 scripts/consumer.sh collections-2.16 install-only
for scenario in docker ssh s3fs pv_bind_mount minishift; do
    case $scenario in
    s3fs | minishift) ANSIBLE_VERBOSITY=3 gate "ansible-core-2.16-molecule-$scenario" leg_2_16 molecule_scenario "$scenario" --platform-name "ffdl-$scenario-bullseye" ;;
    *) gate "ansible-core-2.16-molecule-$scenario" leg_2_16 molecule_scenario "$scenario" --platform-name "ffdl-$scenario-bullseye" ;;
    esac
done

# ---------------------------------------------------------------- old-API stream: Kubernetes 1.11
if selected integration-tests-kubernetes-1.11 || selected site-end-to-end || selected site-restricted-networks; then
    wait_for_cluster_setup
fi
# OpenShift 3.11's Kubernetes (1.11), no server-side dry run, FfDL's real
# chart API versions.
FFDL_TEST_KUBERNETES=1.11 pytest_gate integration-tests-kubernetes-1.11 \
    tests/integration/test_old_api.py tests/integration/test_helm_role.py \
    tests/integration/test_static_volume_claim.py tests/integration/test_ffdl_role.py -p no:cacheprovider
# site.yml as users run it (inventory/existing-cluster shape) on the old-API
# cluster: check mode, converge, no-op re-run, --tags, teardown, re-converge
# (the remote-VM module in tests/e2e skips without FFDL_TEST_BIND_ADDRESS).
FFDL_TEST_KUBERNETES=1.11 pytest_gate site-end-to-end tests/e2e -p no:cacheprovider
# The restricted networks on one bed of their own (its services on the Docker
# bridge, as the remote-VM gate's): make lock and make bundle against the bed's
# sources, then a VM with no route out installing from the bundle alone, and one
# whose only way out is a corporate proxy (tests/e2e/test_site_restricted_networks.py),
# under ansible-core 2.16 (the VM has CentOS 7's interpreters).
FFDL_TEST_KUBERNETES=1.11 FFDL_TEST_BIND_ADDRESS=${docker_bridge:-172.17.0.1} \
    leg_2_16 pytest_gate site-restricted-networks-ansible-core-2.16 tests/e2e/test_site_restricted_networks.py \
    -p no:cacheprovider

# ---------------------------------------------------------------- the other streams' results
for i in "${!streams[@]}"; do
    name=${streams[$i]}
    wait "${stream_pids[$i]}"
    echo "--- the $name stream (run alongside the main stream; tests/output/stream-$name.txt):"
    grep '^==> \|^    ' "$out/stream-$name.txt"
    counts=$(tail -n 1 "$out/stream-$name.txt")
    if [[ $counts =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        while read -r failure; do failures+=("$failure"); done < <(sed -n 's/^failed: //p' "$out/stream-$name.txt")
    else
        failed=$((failed + 1))
        failures+=("$name-stream (no summary line)")
    fi
done

# ---------------------------------------------------------------- last: secrets
if [ -z "${FFDL_TEST_STREAM:-}" ]; then
    if kill -TERM "$process_watcher"; then wait "$process_watcher" || true; fi
    gate no-secrets-in-output secrets_not_printed
fi
rm -f "$secrets_file"

summary
[ "$failed" -eq 0 ]
