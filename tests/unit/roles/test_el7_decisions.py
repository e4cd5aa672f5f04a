"""The EL7 decisions the roles make from facts, rendered with ansible's own templating.

No EL7 host or image can be had here (no EL package mirror is reachable), so
the branches that only run there are checked on the facts a CentOS 7.9 host
reports.
"""

from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:  # ansible-core >= 2.19 templates only trusted strings
    from ansible.template import trust_as_template
except ImportError:  # ansible-core 2.16

    def trust_as_template(value):
        return value


ROLES = Path(__file__).resolve().parents[3] / "roles"
CENTOS7 = {"os_family": "RedHat", "distribution": "CentOS", "distribution_major_version": "7"}
ROCKY9 = {"os_family": "RedHat", "distribution": "Rocky", "distribution_major_version": "9"}
DEBIAN12 = {"os_family": "Debian", "distribution": "Debian", "distribution_major_version": "12"}


def render(value, facts, **extra):
    variables = {"ansible_facts": facts, **extra}
    return Templar(loader=DataLoader(), variables=variables).template(trust_as_template(value))


def role_file(role, kind, name="main.yml"):
    return yaml.safe_load((ROLES / role / kind / name).read_text())


@pytest.mark.parametrize(("facts", "source"), [(CENTOS7, "distro"), (ROCKY9, "docker-ce")])
def test_docker_package_source_defaults_to_the_distro_on_el7(facts, source):
    vars_redhat = role_file("docker", "vars", "RedHat.yml")
    assert render(vars_redhat["__docker_os_default_source"], facts) == source
    # the tutorial's `yum install docker`
    assert vars_redhat["__docker_os_packages"]["distro"] == ["docker"]


@pytest.mark.parametrize(
    ("facts", "url"),
    [
        (CENTOS7, "https://dl.fedoraproject.org/pub/archive/epel"),
        (ROCKY9, "https://dl.fedoraproject.org/pub/epel"),
    ],
)
def test_epel_7_comes_from_the_archive(facts, url):
    defaults = role_file("s3fs", "defaults")
    assert render(defaults["s3fs_epel_base_url"], facts) == url


def test_epel_repository_url_layout_per_release():
    tasks = role_file("s3fs", "tasks")
    epel = next(t for t in tasks if t.get("name") == "Add EPEL")["ansible.builtin.yum_repository"]
    assert (
        render(epel["baseurl"], CENTOS7, s3fs_epel_base_url="https://m/archive/epel")
        == "https://m/archive/epel/7/$basearch/"
    )
    assert (
        render(epel["baseurl"], ROCKY9, s3fs_epel_base_url="https://m/epel") == "https://m/epel/9/Everything/$basearch/"
    )


def test_el7_package_names():
    assert role_file("s3fs", "vars", "RedHat.yml")["__s3fs_packages"] == ["s3fs-fuse", "fuse"]
    assert role_file("ssh", "vars", "RedHat.yml") == {
        "__ssh_server_packages": ["openssh-server", "openssh-clients"],
        "__ssh_service_name": "sshd",
    }


def test_every_host_role_settles_el7_sources_before_its_first_package_task():
    """docker, ssh, s3fs and minishift include ffdl.platform.el7_repos on EL7 before installing anything (through
    the one download path, ffdl.platform.downloads' install, or a repository or key of their own)."""

    def installs(task):
        include = task.get("ansible.builtin.include_role", {})
        return bool(
            {"ansible.builtin.package", "ansible.builtin.yum_repository", "ffdl.platform.verified_file"} & set(task)
            or (include.get("name") == "ffdl.platform.downloads" and include.get("tasks_from") == "install")
        )

    for role, path in (
        ("docker", "setup-RedHat.yml"),
        ("ssh", "server.yml"),
        ("s3fs", "main.yml"),
        ("minishift", "firewall-RedHat.yml"),
    ):
        tasks = role_file(role, "tasks", path)
        first_package = next(i for i, t in enumerate(tasks) if installs(t))
        settle = next(
            i
            for i, t in enumerate(tasks)
            if t.get("ansible.builtin.include_role", {}).get("name") == "ffdl.platform.el7_repos"
        )
        assert settle < first_package, role


def test_el7_repos_refuses_ansible_core_2_17_and_later():
    tasks = role_file("el7_repos", "tasks")
    guard = next(t for t in tasks if t["name"] == "Check this ansible-core can manage an EL7 host")
    assert guard["ansible.builtin.assert"]["that"] == ["ansible_version.full is version('2.17', '<')"]
    assert "ANSIBLE_LINE=2.16" in guard["ansible.builtin.assert"]["fail_msg"]


def test_nothing_el7_specific_runs_on_debian():
    defaults = role_file("s3fs", "defaults")
    assert render(defaults["s3fs_epel_base_url"], DEBIAN12) == "https://dl.fedoraproject.org/pub/epel"


@pytest.mark.parametrize(
    ("facts", "packages"),
    [
        # EL7: no packaged kubernetes client for Python 3.6; pip and what ansible's pip module imports
        (CENTOS7, ["python3-pip", "python3-setuptools"]),
        # Debian 12: pip refuses system-wide installs (PEP 668), the libraries come from Debian
        (DEBIAN12, ["python3-kubernetes", "python3-yaml", "python3-jsonpatch"]),
    ],
)
def test_k8s_auth_distribution_packages_by_os_family(facts, packages):
    default = role_file("k8s_auth", "defaults")["k8s_auth_python_os_packages"]
    internal = role_file("k8s_auth", "vars")
    rendered = render(default, facts, __k8s_auth_python_os_packages=internal["__k8s_auth_python_os_packages"])
    assert list(rendered) == packages


REDHAT8 = {"os_family": "RedHat", "distribution": "RedHat", "distribution_major_version": "8", "user_dir": "/root"}


def minishift_start_argv(facts, **extra):
    defaults = role_file("minishift", "defaults")
    tasks = role_file("minishift", "tasks")
    resolve = next(t for t in tasks if t.get("name") == "Resolve paths and the start command")
    variables = {**defaults, **resolve.get("vars", {}), "minishift_remote_ipaddress": "192.0.2.10", **extra}
    return render(resolve["ansible.builtin.set_fact"]["__minishift_start_argv"], facts, **variables)


@pytest.mark.parametrize(
    ("facts", "extra", "skips"),
    [
        (REDHAT8, {}, True),
        (REDHAT8, {"minishift_skip_registration": False}, False),
        ({**CENTOS7, "user_dir": "/root"}, {}, False),
    ],
)
def test_rhel_hosts_start_without_the_subscription_prompt(facts, extra, skips):
    """registration.go asks for RHSM credentials on RHEL unless --skip-registration (minishift facts file)."""
    argv = minishift_start_argv(facts, **extra)
    assert ("--skip-registration" in argv) == skips


@pytest.mark.parametrize(
    ("facts", "source", "refused"),
    [
        (CENTOS7, "docker-ce", True),
        (CENTOS7, "distro", False),
        (DEBIAN12, "docker-ce", False),
    ],
)
def test_docker_ce_is_refused_on_a_centos_minishift_host(facts, source, refused):
    """Minishift's CentOS drop-in runs /usr/bin/dockerd-current, which docker-ce lacks (minishift facts file)."""
    check = next(t for t in role_file("minishift", "tasks", "validate.yml") if t["name"].startswith("Refuse docker-ce"))
    (condition,) = check["ansible.builtin.assert"]["that"]
    passes = render("{{ " + condition + " }}", facts, minishift_state="started", docker_package_source=source)
    assert passes != refused
    assert check["ansible.builtin.assert"]["fail_msg"].startswith("docker_package_source: docker-ce")


@pytest.mark.parametrize(("major", "minor", "ok"), [(2, 7, False), (3, 6, False), (3, 9, True), (3, 11, True)])
def test_cluster_tasks_refuse_a_python_kubernetes_core_cannot_run_on(major, minor, ok):
    """ansible-core 2.16 picks Python 2.7 on a stock CentOS 7 (minishift facts file); kubernetes.core needs 3.9+."""
    check = next(t for t in role_file("k8s_auth", "tasks", "validate.yml") if "Python the Kubernetes" in t["name"])
    facts = {**CENTOS7, "python": {"version": {"major": major, "minor": minor}, "executable": "/usr/bin/python"}}
    version = render(check["vars"]["__k8s_auth_python_version"], facts)
    assert render("{{ (v | string) is version('3.9', '>=') }}", facts, v=version) == ok


@pytest.mark.parametrize("setting", ["auto", "host", "controller"])
@pytest.mark.parametrize("python", ["2.7.5", "3.6.8", "3.9.2", "3.11.2"])
def test_preflight_judges_python_where_the_cluster_plays_run(setting, python):
    """preflight's default writes out the rule of ffdl.platform.cluster_tasks_run_on: the two must agree."""
    from ansible_collections.ffdl.platform.plugins.filter.cluster_tasks_run_on import cluster_tasks_run_on

    default = role_file("preflight", "defaults")["preflight_cluster_tasks"]
    facts = dict(CENTOS7, python_version=python)
    rendered = render(default, facts, group_names=["ffdl_minishift", "ffdl_deploy"], k8s_auth_run_on=setting)
    assert (str(rendered) == "True") == (cluster_tasks_run_on(setting, python) == "host")
    assert str(render(default, facts, group_names=["ffdl_minishift"], k8s_auth_run_on=setting)) == "False"
