# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.role_input_problems: each role's semantic input checks, as messages.

Types, elements and choices are ffdl.platform.role_input's (meta/argument_specs.yml),
run first; what is here is what a spec cannot say: formats, ranges, and settings
that contradict each other. Every message starts with the variable to change.
The training role's checks, which also read the manifest, are
ffdl.platform.training_input_problems.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
from shlex import quote

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.ffdl.platform.plugins.test.host_address import is_host_address

DOWNLOAD_URL = re.compile(r"^(https?|file)://")
VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
SHA256 = re.compile(r"^(sha256:)?[0-9a-fA-F]{64}$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]*$")
ZERO = re.compile(r"^0+(\.0+)?[^0-9]*$")


def text(value):
    """A setting as a template shows it: None is empty, a number its decimal text."""
    return "" if value is None else str(value)


def whole(value):
    """A setting as Jinja's int filter reads it: 0 when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return 0


def truth(value):
    return boolean(value, strict=False)


def not_download_urls(settings, names):
    return [
        "%s: %s is not an http(s):// or file:// URL" % (name, text(settings[name]))
        for name in names
        if not DOWNLOAD_URL.match(text(settings[name]))
    ]


def relative_paths(settings, names):
    return [
        "%s: %s is not an absolute path" % (name, text(settings[name]))
        for name in names
        if text(settings[name]) and not text(settings[name]).startswith("/")
    ]


def pinned_archive(settings, prefix):
    """The checksum and local archive pair of a release download (helm, minishift)."""
    found = []
    checksum, archive = text(settings[prefix + "_checksum"]), text(settings[prefix + "_archive_path"])
    if checksum and not SHA256.match(checksum):
        found.append("%s_checksum: not a SHA-256 (64 hex digits, optionally prefixed sha256:)" % prefix)
    if archive and not checksum:
        found.append("%s_archive_path: needs %s_checksum (a pinned SHA-256 of the archive)" % (prefix, prefix))
    return found


DOCKER_LOG_DRIVERS = (
    "json-file", "local", "journald", "syslog", "none", "gelf", "fluentd", "awslogs", "splunk", "gcplogs", "logentries",
)  # fmt: skip
DOCKER_STORAGE_DRIVERS = ("overlay2", "overlay", "devicemapper", "vfs", "btrfs", "zfs", "aufs", "fuse-overlayfs")
DOCKER_URL = re.compile(r"^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/.*)?$")
DOCKER_HOSTPORT = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$")
DOCKER_CIDR = re.compile(
    r"^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$"
)


def docker_problems(s, context):
    found = []
    for registry in s["docker_insecure_registries"]:
        if not (DOCKER_CIDR.match(text(registry)) or DOCKER_HOSTPORT.match(text(registry))):
            found.append(
                "docker_insecure_registries: %s is neither a CIDR (like 172.30.0.0/16) nor host[:port] without a scheme"
                % registry
            )
    for mirror in s["docker_registry_mirrors"]:
        if not DOCKER_URL.match(text(mirror)):
            found.append("docker_registry_mirrors: %s is not an http(s)://host[:port] URL" % mirror)
    log_driver = text(s["docker_log_driver"])
    if log_driver and log_driver not in DOCKER_LOG_DRIVERS:
        found.append(
            "docker_log_driver: %s is not a dockerd log driver (%s)" % (log_driver, ", ".join(DOCKER_LOG_DRIVERS))
        )
    driver_opts = context.get("log_driver_opts") or {}
    driver = log_driver or "json-file"
    if driver in driver_opts:
        refused = sorted(set(s["docker_log_opts"]) - set(driver_opts[driver]))
        if refused:
            found.append(
                "docker_log_opts: %s not accepted by the %s log driver (allowed: %s)"
                % (", ".join(refused), driver, ", ".join(driver_opts[driver]))
            )
    storage_driver = text(s["docker_storage_driver"])
    if storage_driver and storage_driver not in DOCKER_STORAGE_DRIVERS:
        found.append(
            "docker_storage_driver: %s is not a dockerd storage driver (%s)"
            % (storage_driver, ", ".join(DOCKER_STORAGE_DRIVERS))
        )
    found += relative_paths(s, ["docker_data_root"])
    found += not_download_urls(s, ["docker_ce_repo_base_url", "docker_moby_repo_base_url"])
    if truth(s["docker_minishift_host"]):
        wanted = (
            (["insecure-registries"] if s["docker_insecure_registries"] else [])
            + (["registry-mirrors"] if s["docker_registry_mirrors"] else [])
            + (["storage-driver"] if storage_driver else [])
            + list(s["docker_daemon_options"])
        )
        reserved = context.get("minishift_reserved") or {}
        for key in (key for key in wanted if key in reserved):
            found.append(
                "%s: daemon.json key %s is refused on a Minishift host (docker_minishift_host=true): Minishift's"
                " generic driver sets it on dockerd's command line, and dockerd will not start with both; pass it to"
                " Minishift (minishift_extra_flags: --insecure-registry, --registry-mirror, --docker-opt)"
                % (reserved[key], key)
            )
    return found


def ssh_problems(s, context):
    found = []
    if s["ssh_key_type"] == "rsa" and whole(s["ssh_key_size"]) < 2048:
        found.append("ssh_key_size: %s bits is too weak; RSA keys need at least 2048" % s["ssh_key_size"])
    found += relative_paths(s, ["ssh_key_path"])
    for address in [s["ssh_target_address"], *s["ssh_known_hosts_extra_addresses"]]:
        if not is_host_address(address):
            found.append(
                "ssh_target_address/ssh_known_hosts_extra_addresses: %s is not an IP address or host name"
                % quote(text(address))
            )
    for name in ("ssh_key_owner", "ssh_remote_user"):
        if not USER_NAME.match(text(s[name])):
            found.append("%s: %s is not a user name" % (name, text(s[name])))
    if s["ssh_remote_user"] == "root" and s["ssh_permit_root_login"] in ("no", "forced-commands-only"):
        found.append(
            "ssh_permit_root_login=%s contradicts ssh_remote_user=root: Minishift's generic driver logs in as root"
            " with the key and runs commands; use prohibit-password, or another ssh_remote_user"
            " (and minishift_remote_ssh_user) with passwordless sudo" % s["ssh_permit_root_login"]
        )
    minishift_user = context.get("minishift_remote_ssh_user")
    if minishift_user is not None and minishift_user != s["ssh_remote_user"]:
        found.append(
            "ssh_remote_user=%s and minishift_remote_ssh_user=%s differ: the key is authorized for one user,"
            " Minishift logs in as the other" % (s["ssh_remote_user"], minishift_user)
        )
    return found


def s3fs_problems(s, context):
    found = []
    key_id = text(s["s3fs_access_key_id"])
    if bool(key_id) != bool(text(s["s3fs_secret_access_key"])):
        found.append("s3fs_access_key_id and s3fs_secret_access_key: set both, or neither")
    if ":" in key_id or "\n" in key_id:
        found.append('s3fs_access_key_id: may not contain ":" or a newline (the passwd file format is ID:SECRET)')
    for name in ("s3fs_passwd_file", "s3fs_binary_path", "s3fs_link_path"):
        if not text(s[name]).startswith("/"):
            found.append("%s: %s is not an absolute path" % (name, text(s[name])))
    found += not_download_urls(s, ["s3fs_epel_base_url", "s3fs_epel_gpg_key_url"])
    return found


def helm_problems(s, context):
    found = []
    versions = {}
    for name in ("helm_v2_version", "helm_v3_version"):
        if VERSION.match(text(s[name])):
            versions[name] = tuple(int(part) for part in text(s[name]).split("."))
        else:
            found.append("%s: %s is not a version like 2.17.0 (no leading v)" % (name, text(s[name])))
    if "helm_v2_version" in versions and versions["helm_v2_version"] >= (3, 0, 0):
        found.append(
            "helm_v2_version: %s is not a Helm 2 version (Tiller exists only in Helm 2)" % s["helm_v2_version"]
        )
    if "helm_v3_version" in versions and versions["helm_v3_version"] < (3, 0, 0):
        found.append("helm_v3_version: %s is not a Helm 3 version" % s["helm_v3_version"])
    found += not_download_urls(s, ["helm_release_base_url", "helm_download_url", "helm_checksum_url"])
    found += pinned_archive(s, "helm")
    if whole(s["helm_tiller_tls_days"]) <= 0:
        found.append("helm_tiller_tls_days: %s is not a number of days above zero" % s["helm_tiller_tls_days"])
    found += relative_paths(s, ["helm_tiller_tls_dir"])
    if truth(s["helm_tiller_tls"]) and s["helm_mode"] != "tiller":
        found.append(
            "helm_tiller_tls: TLS is between the helm client and Tiller, which helm_mode=%s has not" % s["helm_mode"]
        )
    listen = text(s["helm_tiller_listen_address"])
    if listen and not re.match(r"^[A-Za-z0-9.:-]+$", listen):
        found.append("helm_tiller_listen_address: %s is not an address" % listen)
    if whole(s["helm_tiller_wait_timeout"]) <= 0:
        found.append(
            "helm_tiller_wait_timeout: %s is not a number of seconds above zero" % s["helm_tiller_wait_timeout"]
        )
    if not DNS_LABEL.match(text(s["helm_tiller_namespace"])):
        found.append(
            "helm_tiller_namespace: %s is not a namespace name (DNS-1123 label)" % text(s["helm_tiller_namespace"])
        )
    tiller_host = text(s["helm_tiller_host"])
    if tiller_host and not re.match(r"^[A-Za-z0-9.-]+:[0-9]{1,5}$", tiller_host):
        found.append("helm_tiller_host: %s is not host:port" % tiller_host)
    if not re.match(r"^[0-9]+\.[0-9]+$", text(s["helm_v3_min_kubernetes_version"])):
        found.append(
            "helm_v3_min_kubernetes_version: %s is not a version like 1.16" % text(s["helm_v3_min_kubernetes_version"])
        )
    return found


FFDL_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
FFDL_NAMES = (
    "ffdl_storage_plugin_release",
    "ffdl_helper_release",
    "ffdl_core_release",
    "ffdl_static_volume_name",
    "ffdl_static_volume_pv",
)


def ffdl_problems(s, context):
    found = []
    if not DNS_LABEL.match(text(s["ffdl_namespace"])):
        found.append(
            "ffdl_namespace: %s is not a DNS-1123 label (lower-case letters, digits, -)"
            % quote(text(s["ffdl_namespace"]))
        )
    if s["ffdl_helm_mode"] not in ("tiller", "helm3"):
        found.append("ffdl_helm_mode: %s is not one of tiller, helm3" % quote(text(s["ffdl_helm_mode"])))
    for name in FFDL_NAMES:
        if not DNS_LABEL.match(text(s[name])):
            found.append("%s: %s is not a DNS-1123 name" % (name, text(s[name])))
    size = text(s["ffdl_static_volume_size"])
    if not FFDL_QUANTITY.match(size) or ZERO.match(size):
        found.append("ffdl_static_volume_size: %s is not a storage quantity above zero like 20Gi" % size)
    for name in ("ffdl_helm_timeout", "ffdl_ready_timeout"):
        if whole(s[name]) <= 0:
            found.append("%s: %s is not a number of seconds above zero" % (name, s[name]))
    if whole(s["ffdl_rsa_key_size"]) < 2048:
        found.append("ffdl_rsa_key_size: %s bits is too weak; RSA keys need at least 2048" % s["ffdl_rsa_key_size"])
    if not re.match(r"^(https?://|git@|ssh://|file://|/)", text(s["ffdl_repo_url"])):
        found.append(
            "ffdl_repo_url: %s is not a git URL (https://, ssh://, git@, file://) or an absolute path"
            % s["ffdl_repo_url"]
        )
    node = text(s["ffdl_node_address"])
    if node and not is_host_address(node):
        found.append("ffdl_node_address: %s is not an IP address or host name" % node)
    shared_pv = context.get("minishift_shared_pv")
    if shared_pv is not None and s["ffdl_static_volume_pv"] != shared_pv:
        found.append(
            "ffdl_static_volume_pv: %s differs from the PV ffdl.platform.minishift bind-mounted"
            " (%s, minishift_pv_name); FfDL's jobs would use a PV that is not shared. Set one of them"
            % (s["ffdl_static_volume_pv"], shared_pv)
        )
    return found


def k8s_auth_problems(s, context):
    found = []
    host, api_key = text(s["k8s_auth_host"]), text(s["k8s_auth_api_key"])
    ca_cert, kubeconfig = text(s["k8s_auth_ca_cert"]), text(s["k8s_auth_kubeconfig"])
    if host and not re.match(r"^https?://[^\s/]+", host):
        found.append("k8s_auth_host: %s is not an API server URL like https://192.0.2.10:8443" % host)
    if host and not api_key:
        found.append("k8s_auth_api_key: needed with k8s_auth_host (a bearer token)")
    if not host and (api_key or ca_cert):
        found.append(
            "k8s_auth_api_key/k8s_auth_ca_cert: only used with k8s_auth_host; set k8s_auth_host,"
            " or use k8s_auth_kubeconfig"
        )
    if host and kubeconfig:
        found.append("k8s_auth_kubeconfig and k8s_auth_host: give one way to reach the cluster, not both")
    if kubeconfig and not kubeconfig.startswith(("/", "~")):
        found.append("k8s_auth_kubeconfig: %s is not an absolute path" % kubeconfig)
    return found


MINISHIFT_SIZE = re.compile(r"^[0-9]+(\.[0-9]+)? ?[kKmMgGtT]?[iI]?[bB]?$")
MINISHIFT_URL = re.compile(r"^(https?|file)://[^\s]+$")
MINISHIFT_OWN_FLAGS = re.compile(
    r"^--(vm-driver|remote-ipaddress|remote-ssh-user|remote-ssh-key|openshift-version)(=|$)"
)


def minishift_problems(s, context):
    found = []
    started = s["minishift_state"] == "started"
    address = text(s["minishift_remote_ipaddress"])
    if started and not is_host_address(address):
        found.append(
            "minishift_remote_ipaddress: %s is not an IPv4 address or host name%s"
            % (quote(address), "" if address else " (this host has no default IPv4 address; set it)")
        )
    if not VERSION.match(text(s["minishift_version"])):
        found.append("minishift_version: %s is not a version like 1.34.3 (no leading v)" % s["minishift_version"])
    if not re.match(r"^v[0-9]+\.[0-9]+\.[0-9]+$", text(s["minishift_openshift_version"])):
        found.append(
            "minishift_openshift_version: %s is not a version like v3.11.0 (with the leading v)"
            % s["minishift_openshift_version"]
        )
    for name in ("minishift_release_base_url", "minishift_download_url", "minishift_checksum_url"):
        if not MINISHIFT_URL.match(text(s[name])):
            found.append("%s: %s is not an http(s):// or file:// URL" % (name, text(s[name])))
    found += pinned_archive(s, "minishift")
    cpus = text(s["minishift_cpus"])
    if cpus and not re.match(r"^[1-9][0-9]*$", cpus):
        found.append("minishift_cpus: %s is not a count above zero" % cpus)
    for name in ("minishift_memory", "minishift_disk_size"):
        size = text(s[name])
        if size and (not MINISHIFT_SIZE.match(size) or ZERO.match(size)):
            found.append("%s: %s is not a size above zero like 8GB, 8192MB or 40g" % (name, size))
    flags = [text(flag) for flag in s["minishift_extra_flags"]]
    for i, flag in enumerate(flags):
        if not re.match(r"^--[a-z]", flag) and (i == 0 or not re.match(r"^--[a-z][a-z-]*$", flags[i - 1])):
            found.append("minishift_extra_flags: %s is neither a --flag nor the value of the flag before it" % flag)
    for flag in flags:
        if MINISHIFT_OWN_FLAGS.match(flag):
            found.append(
                "minishift_extra_flags: %s is set by the role; use its variable (minishift_remote_ipaddress,"
                " minishift_remote_ssh_user, minishift_remote_ssh_key, minishift_openshift_version)" % flag
            )
    pv_name, pv_path = text(s["minishift_pv_name"]), text(s["minishift_pv_path"])
    if not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", pv_name):
        found.append("minishift_pv_name: %s is not a PersistentVolume name like pv0001" % pv_name)
    if not pv_path.startswith("/"):
        found.append("minishift_pv_path: %s is not an absolute path" % pv_path)
    elif truth(s["minishift_pv_bind_mount"]) and os.path.basename(pv_path) != pv_name:
        found.append(
            "minishift_pv_path: %s is not the directory of minishift_pv_name=%s (cluster-up names each PV after its"
            " directory; the claim would bind a PV that is not bind-mounted)" % (pv_path, pv_name)
        )
    user = text(s["minishift_remote_ssh_user"])
    if user != "root" and not USER_NAME.match(user):
        found.append("minishift_remote_ssh_user: %s is not a user name" % user)
    if s["minishift_state"] == "absent" and not truth(s["minishift_delete_data"]):
        found.append(
            "minishift_state=absent runs `minishift delete`, which with the generic driver removes /var/lib/minishift/*"
            " on this host, including every PersistentVolume's data (pv0001 holds FfDL's jobs): set"
            " minishift_delete_data=true to confirm, or use minishift_state=stopped"
        )
    return found


PORT_RANGE = re.compile(r"^([0-9]+)-([0-9]+)$")


def preflight_problems(s, context):
    found = []
    for name in ("preflight_min_cpus", "preflight_min_memory_mb", "preflight_min_disk_free_gb"):
        if whole(s[name]) < 0:
            found.append("%s: %s is negative; 0 accepts any host (or disable the check by name)" % (name, s[name]))
    if whole(s["preflight_source_timeout"]) < 1:
        found.append("preflight_source_timeout: %s; give at least 1 second" % s["preflight_source_timeout"])
    for port in s["preflight_ports"]:
        if not 1 <= whole(port) <= 65535:
            found.append("preflight_ports: %s is not a TCP port (1-65535)" % port)
    for span in s["preflight_port_ranges"]:
        match = PORT_RANGE.match(text(span))
        if not match or not 1 <= int(match.group(1)) <= int(match.group(2)) <= 65535:
            found.append("preflight_port_ranges: %s is not a range first-last of TCP ports (30000-32767)" % text(span))
    for path in [*s["preflight_disk_paths"], s["preflight_docker_data_path"]]:
        if not text(path).startswith("/"):
            found.append("preflight_disk_paths/preflight_docker_data_path: %s is not an absolute path" % text(path))
    return found


PROXY_URL = re.compile(r"^https?://([^/@\s]+@)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?/?$")


def downloads_problems(s, context):
    found = []
    for name in ("downloads_http_proxy", "downloads_https_proxy"):
        value = text(s[name])
        if value and not PROXY_URL.match(value):
            # the value may hold credentials: never repeated in the message
            found.append("%s: not a proxy URL like http://[user:password@]proxy.example:3128 (value not shown)" % name)
    for item in s["downloads_no_proxy"]:
        if not text(item).strip() or " " in text(item).strip() or "," in text(item):
            found.append("downloads_no_proxy: %r is not one host, .domain, address or CIDR" % text(item))
    return found


CHECKS = {
    "downloads": downloads_problems,
    "docker": docker_problems,
    "ssh": ssh_problems,
    "s3fs": s3fs_problems,
    "helm": helm_problems,
    "ffdl": ffdl_problems,
    "k8s_auth": k8s_auth_problems,
    "minishift": minishift_problems,
    "preflight": preflight_problems,
}


def role_input_problems(settings, role, context=None):
    """One message per problem of ``role``'s ``settings`` (its variables by name, already checked against its
    argument spec by ffdl.platform.role_input). ``context`` holds what the checks read besides the role's own
    variables: role vars (docker: log_driver_opts, minishift_reserved) and other roles' variables when set
    (ssh: minishift_remote_ssh_user; ffdl: minishift_shared_pv)."""
    if role not in CHECKS:
        raise AnsibleFilterError("role_input_problems: %s is not one of %s" % (role, ", ".join(sorted(CHECKS))))
    if not isinstance(settings, dict):
        raise AnsibleFilterError("role_input_problems takes a mapping of the %s role's variables" % role)
    try:
        return CHECKS[role](settings, context or {})
    except KeyError as missing:
        raise AnsibleFilterError("role_input_problems: the %s role's settings lack %s" % (role, missing)) from None


class FilterModule(object):
    def filters(self):
        return {"role_input_problems": role_input_problems}
