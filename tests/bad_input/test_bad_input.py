"""Bad input fails before any change, naming the variable and the expected form.

One container, one playbook run: every case is an inventory host (all of them
the same container through the docker connection) carrying one bad value as a
host variable, and the play includes the case's role. Each host must fail,
its failure must name the variable, no task may report a change for it, and
`docker diff` of the container must show no new path outside Ansible's own
temporary files. Runs in real mode, not check mode: validation that only
check mode passed would prove nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.support import ansible_run

REPO = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("FFDL_TEST_IMAGE", "ffdl-test/debian-bookworm:latest")

# (role, variables, the variable the failure must name)
CASES = [
    # docker
    ("docker", {"docker_insecure_registries": ["not a registry"]}, "docker_insecure_registries"),
    ("docker", {"docker_registry_mirrors": ["ftp://mirror.example"]}, "docker_registry_mirrors"),
    ("docker", {"docker_data_root": "var/lib/docker"}, "docker_data_root"),
    ("docker", {"docker_package_source": "snap"}, "docker_package_source"),
    ("docker", {"docker_daemon_options": {"hosts": ["tcp://0.0.0.0:2375"]}, "docker_minishift_host": True}, "hosts"),
    # found running each role alone (issue 21): a dict given as a string, a relative path, an empty required string
    ("docker", {"docker_log_opts": "max-size=50m"}, "docker_log_opts"),
    ("docker", {"docker_daemon_config_path": "etc/docker/daemon.json"}, "docker_daemon_config_path"),
    ("docker", {"docker_insecure_registries": "172.30.0.0/16"}, "docker_insecure_registries"),
    ("docker", {"docker_daemon_options": "debug=true"}, "docker_daemon_options"),
    # ssh
    ("ssh", {"ssh_key_size": 1024}, "ssh_key_size"),
    ("ssh", {"ssh_key_path": "id_rsa"}, "ssh_key_path"),
    ("ssh", {"ssh_target_address": "not an address!"}, "ssh_target_address"),
    ("ssh", {"ssh_known_hosts_extra_addresses": ["10.0.0"]}, "ssh_known_hosts_extra_addresses"),
    ("ssh", {"ssh_key_type": "dsa"}, "ssh_key_type"),
    ("ssh", {"ssh_permit_root_login": "maybe"}, "ssh_permit_root_login"),
    # an empty ssh_key_path is the documented default (~<owner>/.ssh/id_<type>); a blank one is a mistake
    ("ssh", {"ssh_key_path": "  "}, "ssh_key_path"),
    ("ssh", {"ssh_known_hosts_extra_addresses": "127.0.0.1"}, "ssh_known_hosts_extra_addresses"),
    # minishift
    ("minishift", {"minishift_version": "v1.34.3"}, "minishift_version"),
    ("minishift", {"minishift_openshift_version": "3.11.0"}, "minishift_openshift_version"),
    ("minishift", {"minishift_checksum": "abc123"}, "minishift_checksum"),
    ("minishift", {"minishift_archive_path": "/tmp/minishift.tgz", "minishift_checksum": ""}, "minishift_archive_path"),
    ("minishift", {"minishift_cpus": 0}, "minishift_cpus"),
    ("minishift", {"minishift_memory": "lots"}, "minishift_memory"),
    ("minishift", {"minishift_disk_size": "0GB"}, "minishift_disk_size"),
    ("minishift", {"minishift_extra_flags": ["skip-startup-checks"]}, "minishift_extra_flags"),
    ("minishift", {"minishift_pv_name": "PV 1"}, "minishift_pv_name"),
    ("minishift", {"minishift_pv_path": "relative/pv0001"}, "minishift_pv_path"),
    ("minishift", {"minishift_remote_ipaddress": "300.1.2.3"}, "minishift_remote_ipaddress"),
    ("minishift", {"minishift_release_base_url": "ftp://example.invalid"}, "minishift_release_base_url"),
    ("minishift", {"minishift_remote_ssh_user": "root; rm -rf /"}, "minishift_remote_ssh_user"),
    ("minishift", {"minishift_extra_flags": "--skip-registration"}, "minishift_extra_flags"),
    ("minishift", {"minishift_bin_dir": "usr/local/bin"}, "minishift_bin_dir"),
    ("minishift", {"minishift_oc_profile_script": "minishift-oc.sh"}, "minishift_oc_profile_script"),
    # helm
    ("helm", {"helm_mode": "tiller", "helm_v2_version": "3.14.0"}, "helm_v2_version"),
    ("helm", {"helm_mode": "helm3", "helm_v3_version": "2.17.0"}, "helm_v3_version"),
    ("helm", {"helm_checksum": "not-a-sha"}, "helm_checksum"),
    ("helm", {"helm_tiller_tls_days": 0}, "helm_tiller_tls_days"),
    ("helm", {"helm_tiller_tls_dir": "tls"}, "helm_tiller_tls_dir"),
    ("helm", {"helm_tiller_namespace": "Kube_System"}, "helm_tiller_namespace"),
    ("helm", {"helm_tiller_host": "localhost"}, "helm_tiller_host"),
    ("helm", {"helm_tiller_wait_timeout": -5}, "helm_tiller_wait_timeout"),
    ("helm", {"helm_mode": "helm3", "helm_tiller_tls": True}, "helm_tiller_tls"),
    ("helm", {"helm_mode": "helm4"}, "helm_mode"),
    ("helm", {"helm_release_base_url": "get.helm.sh"}, "helm_release_base_url"),
    ("helm", {"helm_bin_dir": "bin"}, "helm_bin_dir"),
    ("helm", {"helm_init_extra_args": "--upgrade"}, "helm_init_extra_args"),
    # ffdl
    ("ffdl", {"ffdl_namespace": "My_Project"}, "ffdl_namespace"),
    ("ffdl", {"ffdl_static_volume_size": "twenty gigs"}, "ffdl_static_volume_size"),
    ("ffdl", {"ffdl_rsa_key_size": 1024}, "ffdl_rsa_key_size"),
    ("ffdl", {"ffdl_repo_url": "github.com/IBM/FfDL"}, "ffdl_repo_url"),
    ("ffdl", {"ffdl_node_address": "no such address!"}, "ffdl_node_address"),
    ("ffdl", {"ffdl_rbac_mode": "everyone"}, "ffdl_rbac_mode"),
    ("ffdl", {"ffdl_core_values": "lcm.replicas=2"}, "ffdl_core_values"),
    ("ffdl", {"ffdl_scc_service_accounts": "default"}, "ffdl_scc_service_accounts"),
    ("ffdl", {"ffdl_config_dir": ".ffdl"}, "ffdl_config_dir"),
    # training
    ("training", {"training_data_files": []}, "training_data_files"),
    ("training", {"training_data_files": [{"name": "a.gz", "checksum": "crc32:1234"}]}, "training_data_files"),
    ("training", {"training_data_dir": "data"}, "training_data_dir"),
    ("training", {"training_data_mirrors": ["ftp://yann.lecun.com/exdb/mnist/"]}, "training_data_mirrors"),
    ("training", {"training_model_dir": "model"}, "training_model_dir"),
    ("training", {"training_learning_rate": 0}, "training_learning_rate"),
    ("training", {"training_aws_profile": "my profile"}, "training_aws_profile"),
    ("training", {"training_accuracy_regex": "Testing Accuracy: [0-9.]+"}, "training_accuracy_regex"),
    ("training", {"training_manifest_overrides": ["not", "a", "mapping"]}, "training_manifest_overrides"),
    ("training", {"training_manifest_overrides": "cpus=1"}, "training_manifest_overrides"),
    ("training", {"training_data_mirrors": "https://mirror.example/mnist/"}, "training_data_mirrors"),
    ("training", {"training_evaluation_metrics": "tensorboard"}, "training_evaluation_metrics"),
    # s3fs
    ("s3fs", {"s3fs_passwd_file": "passwd-s3fs"}, "s3fs_passwd_file"),
    ("s3fs", {"s3fs_packages": "s3fs"}, "s3fs_packages"),
    ("s3fs", {"s3fs_link_path": ""}, "s3fs_link_path"),
    # k8s_auth
    ("k8s_auth", {"k8s_auth_host": "192.0.2.10:8443"}, "k8s_auth_host"),
    ("k8s_auth", {"k8s_auth_host": "https://192.0.2.10:8443"}, "k8s_auth_api_key"),
    ("k8s_auth", {"k8s_auth_kubeconfig": "kubeconfig"}, "k8s_auth_kubeconfig"),
    ("k8s_auth", {"k8s_auth_python_packages": "kubernetes"}, "k8s_auth_python_packages"),
    ("k8s_auth", {"k8s_auth_run_on": "vm"}, "k8s_auth_run_on"),
    (
        "k8s_auth",
        {"k8s_auth_kubeconfig": "/root/kc", "k8s_auth_host": "https://h:8443", "k8s_auth_api_key": "x"},
        "k8s_auth_kubeconfig",
    ),
    # preflight (issue 24): an unknown check name, a negative threshold, a port that is none
    ("preflight", {"preflight_disabled_checks": ["gpu"]}, "preflight_disabled_checks"),
    ("preflight", {"preflight_disabled_checks": "cpus"}, "preflight_disabled_checks"),
    ("preflight", {"preflight_min_memory_mb": -1}, "preflight_min_memory_mb"),
    ("preflight", {"preflight_ports": [0]}, "preflight_ports"),
    ("preflight", {"preflight_port_ranges": ["30000:32767"]}, "preflight_port_ranges"),
]

# What the roles need to get as far as their own checks in this container:
# the training role's REST and S3 endpoints would come from the ffdl role.
BASE = {
    "training_restapi_url": "http://192.0.2.10:31000",
    "training_s3_endpoint_url": "http://192.0.2.10:31001",
}

# Paths Ansible itself writes while running modules and gathering facts
IGNORED = ("/root/.ansible", "/tmp", "/var/tmp", "/run", "/root")


def test_the_matrix_has_at_least_forty_cases():
    assert len(CASES) >= 40
    assert len({case[0] for case in CASES}) >= 7


@pytest.fixture(scope="module")
def container():
    name = f"ffdl-bad-input-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["docker", "run", "-d", "--name", name, "--tmpfs", "/tmp", IMAGE, "sleep", "infinity"],
        check=True,
        capture_output=True,
    )
    yield name
    subprocess.run(["docker", "rm", "-f", name], check=False, capture_output=True)


def _diff(container: str) -> set[str]:
    out = subprocess.run(["docker", "diff", container], check=True, capture_output=True, text=True).stdout
    paths = {line.split(" ", 1)[1] for line in out.splitlines() if line[:1] in "AC"}
    return {p for p in paths if not any(p == i or p.startswith(i + "/") for i in IGNORED)}


@pytest.fixture(scope="module")
def run(container, tmp_path_factory):
    work = tmp_path_factory.mktemp("bad-input")
    hosts = {}
    for index, (role, variables, _named) in enumerate(CASES):
        hosts[f"case{index:02d}-{role}"] = {
            "ansible_host": container,
            "ansible_connection": "community.docker.docker",
            "ansible_python_interpreter": "/usr/bin/python3",
            "case_role": role,
            **BASE,
            **variables,
        }
    (work / "inventory.json").write_text(json.dumps({"all": {"hosts": hosts}}))
    (work / "play.yml").write_text(
        "---\n"
        "- name: One bad value per host\n"
        "  hosts: all\n"
        "  gather_facts: true\n"
        "  tasks:\n"
        "    - name: Apply the case's role\n"
        "      ansible.builtin.include_role:\n"
        '        name: "ffdl.platform.{{ case_role }}"\n'
    )
    # facts gathering alone, so its traces are the baseline
    before = _diff(container)
    env = ansible_run.ansible_environment(ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_FORKS="10")
    proc = subprocess.run(
        ["ansible-playbook", "-i", str(work / "inventory.json"), str(work / "play.yml")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    data = json.loads(proc.stdout[proc.stdout.index("{") :])
    return {"data": data, "new_paths": _diff(container) - before, "stderr": proc.stderr}


def _failure(data: dict, host: str) -> tuple[str, list[str]]:
    messages, changed = [], []
    for play in data["plays"]:
        for task in play["tasks"]:
            result = task["hosts"].get(host)
            if result is None:
                continue
            if result.get("changed"):
                changed.append(task["task"]["name"])
            if result.get("failed"):
                messages.append(str(result.get("msg")))
    return " | ".join(messages), changed


@pytest.mark.parametrize(
    ("index", "role", "variables", "named"),
    [(i, role, v, named) for i, (role, v, named) in enumerate(CASES)],
    ids=[f"{role}-{named}-{i:02d}" for i, (role, _variables, named) in enumerate(CASES)],
)
def test_bad_input_fails_naming_the_variable_and_changes_nothing(run, index, role, variables, named):
    host = f"case{index:02d}-{role}"
    stats = run["data"]["stats"][host]
    message, changed = _failure(run["data"], host)
    assert stats["failures"] == 1, f"{variables} did not fail: {stats}"
    # the role's own message, not a template that failed to parse (whose text names every variable)
    assert not re.search(r"while templating|template error|unhandled exception|Traceback", message), message[:600]
    assert named in message, f"{variables}: the failure does not name {named}: {message}"
    assert stats["changed"] == 0 and not changed, f"{variables}: changed {changed} before failing"


def test_no_case_changed_the_container(run):
    assert run["new_paths"] == set(), sorted(run["new_paths"])
