"""preflight_results: each check judged from what was read, tunable by its variable, switchable by name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.ffdl.platform.plugins.filter.preflight_results import preflight_results, preflight_table

SETTINGS = {
    "min_cpus": 3,
    "min_memory_mb": 3584,
    "min_disk_free_gb": 20,
    "ports": [2376, 8443],
    "port_ranges": ["30000-32767"],
    "port_owners": ["dockerd", "openshift"],
    "docker_data_path": "/var/lib/docker",
    "disabled_checks": [],
    "minishift_host": True,
    "cluster_tasks": False,
    "ansible_version": "2.16.14",
}
FACTS = {"processor_vcpus": 4, "memtotal_mb": 7800, "service_mgr": "systemd", "python_version": "3.6.8"}
RESOURCES = {
    "filesystems": [
        {
            "path": "/var/lib/minishift",
            "mount_point": "/",
            "fstype": "xfs",
            "free_mb": 40000,
            "d_type": True,
            "d_type_reason": "xfs_info reports ftype=1",
        },
        {
            "path": "/var/lib/docker",
            "mount_point": "/",
            "fstype": "xfs",
            "free_mb": 40000,
            "d_type": True,
            "d_type_reason": "xfs_info reports ftype=1",
        },
    ],
    "listeners": [{"port": 8443, "address": "192.0.2.7", "programs": ["openshift"]}],
}
ARCHIVE = {
    "what": "Minishift release archive",
    "variable": "minishift_release_base_url",
    "on": "vm",
    "urls": ["https://mirror.test/minishift.tgz"],
    "present_path": "/usr/local/bin/minishift",
}
REPO = {"what": "FfDL git repository", "variable": "ffdl_repo_url", "on": "vm", "urls": ["git@github.com:IBM/FfDL.git"]}


def probed(source, present=False, probed=True, answered=(), errors=()):
    """A source as ffdl.platform.host_resources returns it."""
    return dict(source, present=present, probed=probed, answered=list(answered), errors=list(errors))


ANSWERED = (probed(ARCHIVE, answered=ARCHIVE["urls"]), probed(REPO, probed=False))


def judged(facts=None, resources=None, sources=ANSWERED, checked_bundle=None, **settings):
    observed = {"facts": dict(FACTS, **(facts or {})), "resources": resources or RESOURCES, "sources": list(sources)}
    if checked_bundle is not None:
        observed["bundle"] = checked_bundle
    return {entry["check"]: entry for entry in preflight_results(observed, dict(SETTINGS, **settings))}


def test_a_host_with_what_minishift_needs_passes_every_check():
    results = judged()
    assert {name: entry["state"] for name, entry in results.items()} == {
        "cpus": "passed",
        "memory": "passed",
        "disk": "passed",
        "ports": "passed",
        "docker_storage": "passed",
        "init_system": "passed",
        "python": "passed",
        "sources": "passed",
        "bundle": "skipped",
    }
    assert all(entry["fix"] == "" for entry in results.values())
    # an ssh URL cannot be probed: said so, not failed
    assert "git@github.com:IBM/FfDL.git not probed" in results["sources"]["found"]


def test_a_host_below_a_threshold_fails_naming_the_variable_that_tunes_it():
    results = judged(facts={"processor_vcpus": 2})
    assert results["cpus"]["state"] == "failed"
    assert results["cpus"]["found"] == "2 CPUs, 3 needed"
    assert "preflight_min_cpus" in results["cpus"]["fix"] and "preflight_disabled_checks" in results["cpus"]["fix"]
    assert judged(facts={"processor_vcpus": 2}, min_cpus=2)["cpus"]["state"] == "passed"
    assert judged(facts={"processor_vcpus": 2}, disabled_checks=["cpus"])["cpus"]["state"] == "disabled"


def test_disk_docker_storage_and_ports():
    short = {
        "filesystems": [dict(RESOURCES["filesystems"][1], free_mb=1000, d_type=False)],
        "listeners": [{"port": 31000, "address": "192.0.2.7", "programs": ["nginx"]}],
    }
    results = judged(resources=short)
    assert results["disk"]["state"] == "failed" and "preflight_min_disk_free_gb" in results["disk"]["fix"]
    assert results["docker_storage"]["state"] == "failed" and "ftype=1" in results["docker_storage"]["fix"]
    assert results["ports"]["state"] == "failed" and "31000 (nginx on 192.0.2.7)" in results["ports"]["found"]


def test_no_systemd_and_a_python_this_ansible_core_cannot_manage_fail():
    results = judged(facts={"service_mgr": "sysvinit"}, ansible_version="2.19.4")
    assert results["init_system"]["state"] == "failed"
    assert results["python"]["state"] == "failed"
    assert "ANSIBLE_LINE=2.16" in results["python"]["fix"]
    # kubernetes.core where the cluster tasks run: Python 3.9
    assert judged(cluster_tasks=True)["python"]["found"] == "Python 3.6 under ansible-core 2.16, 3.9 needed"


def test_the_machine_checks_are_skipped_off_the_minishift_host():
    results = judged(minishift_host=False, facts={"processor_vcpus": 1})
    assert results["cpus"]["state"] == "skipped"
    assert results["python"]["state"] == "passed"


def test_a_source_is_dead_unless_it_answers_or_is_already_present():
    dead = [probed(ARCHIVE, errors=["https://mirror.test/minishift.tgz - HTTP Error 404: Not Found"])]
    result = judged(sources=dead)["sources"]
    assert result["state"] == "failed"
    assert "minishift_release_base_url, from vm: https://mirror.test/minishift.tgz - HTTP Error 404" in result["found"]
    present = judged(sources=[probed(ARCHIVE, present=True, probed=False)])["sources"]
    assert present["state"] == "passed" and "present at /usr/local/bin/minishift" in present["found"]
    assert judged(sources=[])["sources"]["found"] == "no downloads on this host"


def test_an_unknown_check_name_is_refused_with_the_known_ones():
    with pytest.raises(AnsibleFilterError, match="preflight_disabled_checks: gpu not among bundle, cpus, disk"):
        judged(disabled_checks=["gpu"])


def test_the_table_has_one_line_per_check_with_the_fix_of_a_failure():
    lines = preflight_table(
        preflight_results({"facts": dict(FACTS, processor_vcpus=1), "resources": RESOURCES}, SETTINGS)
    )
    assert len(lines) == 9
    assert lines[0].startswith("failed   cpus            1 CPUs, 3 needed -- fix: lower preflight_min_cpus")


def test_an_offline_bundle_is_judged_whole_instead_of_the_sources():
    """With downloads_bundle nothing is downloaded: the sources are not asked, the bundle's problems (each naming the
    artifact, from ffdl.platform.bundle) fail the run before any change."""
    bundle = "/srv/ffdl-bundle.tar"
    whole = judged(checked_bundle={"problems": []}, bundle=bundle)
    assert whole["bundle"]["state"] == "passed" and bundle in whole["bundle"]["found"]
    assert whole["sources"]["state"] == "skipped" and "offline bundle" in whole["sources"]["found"]
    missing = "tiller (Tiller 2.17.0 image): images/tiller.tar is missing from the bundle"
    broken = judged(checked_bundle={"problems": [missing]}, bundle=bundle)["bundle"]
    assert broken["state"] == "failed" and "tiller (Tiller 2.17.0 image)" in broken["found"]
    assert "make bundle" in broken["fix"] and "downloads_bundle" in broken["fix"]
    disabled = judged(checked_bundle={"problems": ["x"]}, disabled_checks=["bundle"], bundle=bundle)
    assert disabled["bundle"]["state"] == "disabled"
