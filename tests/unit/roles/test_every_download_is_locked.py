"""Every download of every role goes through the one download path and names its artifact in the lock file.

The lock file (meta/artifacts.lock.yml) is what `make bundle` builds the offline bundle from; an artifact a role
fetches without naming it there would be missing offline and would be fetched unverified behind a proxy
(issue 33). A task that downloads is one that runs a module able to fetch from a network: it must name its lock
entry through the lookup ffdl.platform.artifact (in the task itself or in a variable of its role's vars/main.yml
that does), or leave the download to ffdl.platform.downloads (its install and images entry points). Package
managers run only in that role; a yum repository's signing key is a local file the one path put there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
ROLES = REPO / "roles"
LOCK = yaml.safe_load((REPO / "meta" / "artifacts.lock.yml").read_text())
LOCKED = {entry["name"]: entry for entry in LOCK["artifacts"]}
KINDS = {entry["kind"] for entry in LOCK["artifacts"]}

# modules that fetch from a network when they run
DOWNLOADING = {
    "ansible.builtin.get_url",
    "ansible.builtin.git",
    "ansible.builtin.pip",
    "ffdl.platform.release_binary",
    "ffdl.platform.verified_file",
    "kubernetes.core.helm_repository",
    "community.docker.docker_image",
    "community.docker.docker_image_pull",
}
PACKAGE_MANAGERS = {"ansible.builtin.package", "ansible.builtin.apt", "ansible.builtin.yum", "ansible.builtin.dnf"}
LOOKUP = re.compile(r"""ffdl\.platform\.artifact['"],\s*(['"])([^'"]+)\1""")


def text_of(value) -> str:
    """Every key and string of a task, as written (a YAML dump would re-quote them)."""
    if isinstance(value, dict):
        return "\n".join(f"{k}\n{text_of(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(text_of(v) for v in value)
    return str(value)


def tasks_of(path: Path):
    """Every task of a task file, blocks flattened."""
    stack = list(yaml.safe_load(path.read_text()) or [])
    while stack:
        task = stack.pop(0)
        for key in ("block", "rescue", "always"):
            stack[:0] = task.get(key, [])
        if not any(key in task for key in ("block", "rescue", "always")):
            yield task


def role_vars_naming_the_lock(role: Path) -> set[str]:
    """The variables of a role's vars/main.yml whose value names a lock entry, directly or through another."""
    path = role / "vars" / "main.yml"
    values = {k: str(v) for k, v in (yaml.safe_load(path.read_text()) or {}).items()} if path.exists() else {}
    naming = {k for k, v in values.items() if "ffdl.platform.artifact" in v}
    grown = True
    while grown:
        grown = False
        for name, value in values.items():
            if name not in naming and any(re.search(rf"\b{n}\b", value) for n in naming):
                naming.add(name)
                grown = True
    return naming


def downloading_tasks():
    for role in sorted(p for p in ROLES.iterdir() if p.is_dir() and p.name != "downloads"):
        naming = role_vars_naming_the_lock(role)
        for path in sorted((role / "tasks").glob("*.yml")):
            for task in tasks_of(path):
                modules = set(task) & (DOWNLOADING | PACKAGE_MANAGERS | {"ansible.builtin.yum_repository"})
                if modules:
                    yield role.name, path.name, task, modules, naming


CASES = list(downloading_tasks())


def test_the_scan_finds_the_roles_downloads():
    """The scan is not empty: the archives, the data set, the keys and FfDL's clone are there."""
    modules = {m for _r, _p, _t, found, _n in CASES for m in found}
    assert {"ffdl.platform.release_binary", "ffdl.platform.verified_file", "ansible.builtin.git"} <= modules


@pytest.mark.parametrize(
    ("role", "path", "task", "modules", "naming"),
    CASES,
    ids=[f"{r}/{p}:{t.get('name')}" for r, p, t, _m, _n in CASES],
)
def test_each_download_names_its_lock_entry(role, path, task, modules, naming):
    where = f"{role}/tasks/{path}: {task.get('name')}"
    assert not modules & PACKAGE_MANAGERS, f"{where}: packages are installed through ffdl.platform.downloads (install)"
    text = text_of(task)
    if "ansible.builtin.yum_repository" in modules:
        key = str(task["ansible.builtin.yum_repository"].get("gpgkey", ""))
        assert not key or key.startswith("file://"), f"{where}: a signing key yum would fetch itself: {key}"
        return
    named = [name for _q, name in LOOKUP.findall(text)]
    through_vars = [n for n in naming if re.search(rf"\b{n}\b", text)]
    assert named or through_vars, f"{where}: downloads without naming its artifact in the lock file"
    for name in named:
        assert name in LOCKED or (name.startswith("kind:") and name[5:] in KINDS), f"{where}: {name} is not locked"


def test_every_lookup_in_the_roles_names_a_locked_artifact():
    for path in sorted(ROLES.glob("*/*/*.yml")):
        for _q, name in LOOKUP.findall(path.read_text()):
            if name.startswith("kind:"):
                assert name[5:] in KINDS, f"{path}: {name}"
            elif name.endswith("-"):
                continue  # a name built from the host's platform (packages-<distribution>-<major>)
            else:
                assert name in LOCKED or "~" in name, f"{path} names {name}, which the lock file does not hold"


def test_the_lock_names_real_roles_and_their_mirror_variables():
    """Each entry's roles exist; its mirror variable is a default of one of them (the old per-role URL variables
    are the lock's mirrors)."""
    roles = {p.name for p in ROLES.iterdir() if p.is_dir()} | {"controller"}
    for entry in LOCK["artifacts"]:
        assert set(entry["roles"]) <= roles, entry["name"]
        variable = entry.get("mirror_variable")
        if variable:
            defaults = {}
            for role in entry["roles"]:
                path = ROLES / role / "defaults" / "main.yml"
                defaults.update(yaml.safe_load(path.read_text()) or {})
            assert variable in defaults, f"{entry['name']}: {variable} is not a variable of {entry['roles']}"


def test_the_package_sets_hold_what_the_roles_install():
    """The names each platform's set resolves are the packages the roles install on that OS family."""

    def names(role, family):
        path = ROLES / role / "vars" / f"{family}.yml"
        data = yaml.safe_load(path.read_text()) if path.exists() else {}
        return data

    debian_roles = {
        *names("ssh", "Debian")["__ssh_server_packages"],
        *names("s3fs", "Debian")["__s3fs_packages"],
        *names("docker", "Debian")["__docker_os_packages"]["distro"],
        "git",
    }
    redhat_roles = {
        *names("ssh", "RedHat")["__ssh_server_packages"],
        *names("s3fs", "RedHat")["__s3fs_packages"],
        *names("docker", "RedHat")["__docker_os_packages"]["distro"],
        "firewalld",
        "net-tools",
        "git",
    }
    for name in ("packages-debian-12", "packages-debian-11"):
        assert debian_roles <= set(LOCKED[name]["names"]), name
    assert redhat_roles <= set(LOCKED["packages-centos-7"]["names"])
