"""Each role's semantic input checks: its defaults pass, each problem is one message naming the variable to change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:  # ansible-core >= 2.19 templates only strings marked as trusted, as files read by Ansible are
    from ansible.template import trust_as_template
except ImportError:  # ansible-core 2.16: every string is a template

    def trust_as_template(value):
        return value


from ansible_collections.ffdl.platform.plugins.filter.role_input_problems import CHECKS, FilterModule

problems = FilterModule().filters()["role_input_problems"]
ROLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles")
FACTS = {
    "os_family": "Debian",
    "distribution": "Debian",
    "distribution_major_version": "12",
    "default_ipv4": {"address": "192.0.2.10"},
    "user_dir": "/root",
}


def role_file(role, *path):
    with open(os.path.join(ROLES, role, *path)) as handle:
        return yaml.safe_load(handle) or {}


def defaults(role):
    """The role's defaults as a play would see them on a Debian host, keyed by the options of its argument spec:
    a check that reads a variable the spec does not declare fails here with a KeyError."""
    raw = role_file(role, "defaults", "main.yml")
    variables = dict(raw, ansible_facts=FACTS, inventory_hostname="vm", group_names=[], playbook_dir="/srv")
    templar = Templar(loader=DataLoader(), variables=variables)
    options = role_file(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    trusted = {name: trust_as_template(value) if isinstance(value, str) else value for name, value in raw.items()}
    templar.available_variables = dict(variables, **trusted)
    return {name: templar.template(trusted[name]) for name in options if name in raw}


def context(role):
    if role != "docker":
        return {}
    role_vars = role_file("docker", "vars", "main.yml")
    return {
        "log_driver_opts": role_vars["__docker_log_driver_opts"],
        "minishift_reserved": role_vars["__docker_minishift_reserved"],
    }


@pytest.mark.parametrize("role", sorted(CHECKS))
def test_the_defaults_have_no_problem(role):
    assert problems(defaults(role), role, context(role)) == []


CASES = [
    (
        "docker",
        {"docker_insecure_registries": ["https://r:5000"]},
        "docker_insecure_registries: https://r:5000 is neither",
    ),
    ("docker", {"docker_insecure_registries": ["172.30.0.0/16", "r.example:5000"]}, None),
    ("docker", {"docker_registry_mirrors": ["mirror:5000"]}, "docker_registry_mirrors: mirror:5000 is not an http(s)"),
    ("docker", {"docker_log_driver": "file"}, "docker_log_driver: file is not a dockerd log driver (json-file,"),
    (
        "docker",
        {"docker_log_opts": {"max-size": "1m", "mode": "x"}},
        "docker_log_opts: mode not accepted by the json-file",
    ),
    (
        "docker",
        {"docker_log_driver": "journald", "docker_log_opts": {"max-size": "1m"}},
        "docker_log_opts: max-size not accepted by the journald",
    ),
    ("docker", {"docker_log_driver": "gelf", "docker_log_opts": {"gelf-address": "udp://x"}}, None),
    ("docker", {"docker_storage_driver": "ext4"}, "docker_storage_driver: ext4 is not a dockerd storage driver"),
    ("docker", {"docker_data_root": "var/lib/docker"}, "docker_data_root: var/lib/docker is not an absolute path"),
    (
        "docker",
        {"docker_ce_repo_base_url": "ftp://x"},
        "docker_ce_repo_base_url: ftp://x is not an http(s):// or file://",
    ),
    (
        "docker",
        {"docker_minishift_host": True, "docker_insecure_registries": ["172.30.0.0/16"]},
        "docker_insecure_registries: daemon.json key insecure-registries is refused on a Minishift host",
    ),
    (
        "docker",
        {"docker_minishift_host": "true", "docker_daemon_options": {"hosts": ["x"]}},
        "docker_daemon_options: daemon.json key hosts",
    ),
    ("docker", {"docker_minishift_host": False, "docker_daemon_options": {"hosts": ["x"]}}, None),
    ("ssh", {"ssh_key_type": "rsa", "ssh_key_size": 1024}, "ssh_key_size: 1024 bits is too weak"),
    ("ssh", {"ssh_key_type": "ed25519", "ssh_key_size": 1024}, None),
    ("ssh", {"ssh_key_path": "keys/id"}, "ssh_key_path: keys/id is not an absolute path"),
    ("ssh", {"ssh_target_address": "a b"}, "ssh_target_address/ssh_known_hosts_extra_addresses: 'a b' is not"),
    ("ssh", {"ssh_known_hosts_extra_addresses": ["300.1.2.3"]}, "ssh_known_hosts_extra_addresses: 300.1.2.3 is not"),
    ("ssh", {"ssh_key_owner": "Root"}, "ssh_key_owner: Root is not a user name"),
    (
        "ssh",
        {"ssh_remote_user": "root", "ssh_permit_root_login": "no"},
        "ssh_permit_root_login=no contradicts ssh_remote_user=root",
    ),
    ("s3fs", {"s3fs_access_key_id": "AKID"}, "s3fs_access_key_id and s3fs_secret_access_key: set both, or neither"),
    ("s3fs", {"s3fs_access_key_id": "a:b", "s3fs_secret_access_key": "s"}, 's3fs_access_key_id: may not contain ":"'),
    ("s3fs", {"s3fs_passwd_file": "passwd"}, "s3fs_passwd_file: passwd is not an absolute path"),
    ("s3fs", {"s3fs_epel_gpg_key_url": "keys/EPEL"}, "s3fs_epel_gpg_key_url: keys/EPEL is not an http(s)://"),
    ("helm", {"helm_v2_version": "v2.17.0"}, "helm_v2_version: v2.17.0 is not a version like 2.17.0"),
    ("helm", {"helm_v2_version": "3.1.0"}, "helm_v2_version: 3.1.0 is not a Helm 2 version"),
    ("helm", {"helm_v3_version": "2.17.0"}, "helm_v3_version: 2.17.0 is not a Helm 3 version"),
    ("helm", {"helm_v2_version": "2.17.0", "helm_v3_version": "3.10.0"}, None),
    ("helm", {"helm_download_url": "helm.tgz"}, "helm_download_url: helm.tgz is not an http(s)://"),
    ("helm", {"helm_checksum": "abc"}, "helm_checksum: not a SHA-256"),
    ("helm", {"helm_archive_path": "/srv/helm.tgz", "helm_checksum": ""}, "helm_archive_path: needs helm_checksum"),
    ("helm", {"helm_tiller_tls_days": "0"}, "helm_tiller_tls_days: 0 is not a number of days above zero"),
    (
        "helm",
        {"helm_tiller_tls": True, "helm_mode": "helm3"},
        "helm_tiller_tls: TLS is between the helm client and Tiller",
    ),
    ("helm", {"helm_tiller_listen_address": "a b"}, "helm_tiller_listen_address: a b is not an address"),
    ("helm", {"helm_tiller_wait_timeout": -5}, "helm_tiller_wait_timeout: -5 is not a number of seconds above zero"),
    ("helm", {"helm_tiller_namespace": "Kube_System"}, "helm_tiller_namespace: Kube_System is not a namespace name"),
    ("helm", {"helm_tiller_host": "tiller"}, "helm_tiller_host: tiller is not host:port"),
    (
        "helm",
        {"helm_v3_min_kubernetes_version": "1.16.0"},
        "helm_v3_min_kubernetes_version: 1.16.0 is not a version like 1.16",
    ),
    ("ffdl", {"ffdl_namespace": "My NS"}, "ffdl_namespace: 'My NS' is not a DNS-1123 label"),
    ("ffdl", {"ffdl_helm_mode": "helm2"}, "ffdl_helm_mode: helm2 is not one of tiller, helm3"),
    ("ffdl", {"ffdl_core_release": "FfDL"}, "ffdl_core_release: FfDL is not a DNS-1123 name"),
    ("ffdl", {"ffdl_static_volume_size": "0Gi"}, "ffdl_static_volume_size: 0Gi is not a storage quantity above zero"),
    ("ffdl", {"ffdl_static_volume_size": "20GB"}, "ffdl_static_volume_size: 20GB is not a storage quantity"),
    ("ffdl", {"ffdl_ready_timeout": "soon"}, "ffdl_ready_timeout: soon is not a number of seconds above zero"),
    ("ffdl", {"ffdl_rsa_key_size": 1024}, "ffdl_rsa_key_size: 1024 bits is too weak"),
    ("ffdl", {"ffdl_repo_url": "github.com/IBM/FfDL"}, "ffdl_repo_url: github.com/IBM/FfDL is not a git URL"),
    ("ffdl", {"ffdl_node_address": "-x-"}, "ffdl_node_address: -x- is not an IP address or host name"),
    (
        "k8s_auth",
        {"k8s_auth_host": "192.0.2.10:8443", "k8s_auth_api_key": "t"},
        "k8s_auth_host: 192.0.2.10:8443 is not an API server URL",
    ),
    ("k8s_auth", {"k8s_auth_host": "https://192.0.2.10:8443"}, "k8s_auth_api_key: needed with k8s_auth_host"),
    ("k8s_auth", {"k8s_auth_ca_cert": "/ca.crt"}, "k8s_auth_api_key/k8s_auth_ca_cert: only used with k8s_auth_host"),
    (
        "k8s_auth",
        {"k8s_auth_host": "https://h:8443", "k8s_auth_api_key": "t", "k8s_auth_kubeconfig": "/k"},
        "k8s_auth_kubeconfig and k8s_auth_host: give one way",
    ),
    ("k8s_auth", {"k8s_auth_kubeconfig": "kubeconfig"}, "k8s_auth_kubeconfig: kubeconfig is not an absolute path"),
    ("k8s_auth", {"k8s_auth_kubeconfig": "~/.kube/config"}, None),
    (
        "minishift",
        {"minishift_remote_ipaddress": ""},
        "minishift_remote_ipaddress: '' is not an IPv4 address or host name (this host has no",
    ),
    ("minishift", {"minishift_remote_ipaddress": "", "minishift_state": "stopped"}, None),
    ("minishift", {"minishift_version": "v1.34.3"}, "minishift_version: v1.34.3 is not a version like 1.34.3"),
    (
        "minishift",
        {"minishift_openshift_version": "3.11.0"},
        "minishift_openshift_version: 3.11.0 is not a version like v3.11.0",
    ),
    ("minishift", {"minishift_checksum_url": "x.sha256"}, "minishift_checksum_url: x.sha256 is not an http(s)://"),
    ("minishift", {"minishift_cpus": "0"}, "minishift_cpus: 0 is not a count above zero"),
    ("minishift", {"minishift_memory": "0GB"}, "minishift_memory: 0GB is not a size above zero"),
    ("minishift", {"minishift_disk_size": "lots"}, "minishift_disk_size: lots is not a size above zero"),
    ("minishift", {"minishift_extra_flags": ["--memory", "8GB"]}, None),
    ("minishift", {"minishift_extra_flags": ["memory"]}, "minishift_extra_flags: memory is neither a --flag"),
    (
        "minishift",
        {"minishift_extra_flags": ["--vm-driver=kvm"]},
        "minishift_extra_flags: --vm-driver=kvm is set by the role",
    ),
    (
        "minishift",
        {"minishift_pv_name": "PV1", "minishift_pv_path": "/srv/PV1"},
        "minishift_pv_name: PV1 is not a PersistentVolume name",
    ),
    (
        "minishift",
        {"minishift_pv_path": "/srv/pv9"},
        "minishift_pv_path: /srv/pv9 is not the directory of minishift_pv_name=pv0001",
    ),
    ("minishift", {"minishift_remote_ssh_user": "Admin"}, "minishift_remote_ssh_user: Admin is not a user name"),
    (
        "minishift",
        {"minishift_state": "absent", "minishift_delete_data": False},
        "minishift_state=absent runs `minishift delete`",
    ),
    ("minishift", {"minishift_state": "absent", "minishift_delete_data": True}, None),
    ("preflight", {"preflight_min_cpus": -1}, "preflight_min_cpus: -1 is negative"),
    ("preflight", {"preflight_min_cpus": 0}, None),
    ("preflight", {"preflight_source_timeout": 0}, "preflight_source_timeout: 0; give at least 1 second"),
    ("preflight", {"preflight_ports": [8443, 70000]}, "preflight_ports: 70000 is not a TCP port"),
    ("preflight", {"preflight_port_ranges": ["32767-30000"]}, "preflight_port_ranges: 32767-30000 is not a range"),
    ("preflight", {"preflight_disk_paths": ["var/lib/docker"]}, "preflight_disk_paths/preflight_docker_data_path: var"),
]


@pytest.mark.parametrize(("role", "change", "message"), CASES)
def test_each_problem_is_one_message_naming_the_variable(role, change, message):
    settings = dict(defaults(role), **change)
    found = problems(settings, role, context(role))
    if message is None:
        assert found == []
    else:
        assert len(found) == 1, found
        assert message in found[0]


def test_other_roles_variables_are_checked_when_set():
    ssh = dict(defaults("ssh"), ssh_remote_user="root")
    assert problems(ssh, "ssh", {}) == []
    assert problems(ssh, "ssh", {"minishift_remote_ssh_user": "root"}) == []
    assert problems(ssh, "ssh", {"minishift_remote_ssh_user": "admin"})[0].startswith(
        "ssh_remote_user=root and minishift_remote_ssh_user=admin differ"
    )
    ffdl = dict(defaults("ffdl"), ffdl_static_volume_pv="pv0001")
    assert problems(ffdl, "ffdl", {"minishift_shared_pv": "pv0001"}) == []
    assert (
        "differs from the PV ffdl.platform.minishift bind-mounted (pv0002"
        in problems(ffdl, "ffdl", {"minishift_shared_pv": "pv0002"})[0]
    )


def test_every_problem_is_told_at_once():
    settings = dict(defaults("helm"), helm_tiller_tls_days=0, helm_tiller_wait_timeout=0, helm_checksum="x")
    assert len(problems(settings, "helm")) == 3


def test_an_unknown_role_or_missing_setting_is_an_error():
    with pytest.raises(AnsibleFilterError, match="docker, downloads, ffdl, helm"):
        problems({}, "mongodb")
    with pytest.raises(AnsibleFilterError, match="the ssh role's settings lack 'ssh_key_type'"):
        problems({}, "ssh")
    with pytest.raises(AnsibleFilterError, match="takes a mapping"):
        problems("ssh_key_type=rsa", "ssh")
