# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.preflight_results: what a host has, judged against what Minishift and FfDL need.

Pure: the role reads (facts, ffdl.platform.host_resources on the Minishift host and
on each host that downloads) and this decides, so every threshold and message is unit-tested.
Each result names the check, its state (passed, failed, skipped, disabled),
what was found and, for a failure, the variable that tunes it and how to
switch it off.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

# name -> what it checks; the role's argument spec offers the same names for preflight_disabled_checks
CHECKS = {
    "cpus": "CPUs for OpenShift and FfDL (FfDL's README: at least 3)",
    "memory": "memory for OpenShift and FfDL (FfDL's README: at least 4 GB)",
    "disk": "free disk where Minishift and Docker keep their data",
    "ports": "ports Minishift's generic driver and FfDL's NodePorts need, free or already theirs",
    "docker_storage": "Docker's data filesystem can hold overlay2, which Minishift's CentOS drop-in selects",
    "init_system": "systemd, which Minishift's docker drop-in and the docker role drive",
    "python": "the host's Python against this ansible-core line and kubernetes.core",
    "sources": "the download sources and mirrors the roles use answer",
    "bundle": "the offline bundle holds every artifact of the lock file, whole and as locked",
}
MINISHIFT_HOST_CHECKS = ("cpus", "memory", "disk", "ports", "docker_storage", "init_system")


def version_tuple(text):
    parts = []
    for part in str(text).split(".")[:2]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts + [0] * (2 - len(parts)))


def result(check, state, found, fix=""):
    """A check's outcome; the fix is kept for a failure only."""
    return {"check": check, "state": state, "found": found, "fix": fix if state == "failed" else ""}


def tune(variable, value):
    return "lower %s (now %s) or add %%s to preflight_disabled_checks" % (variable, value)


def check_cpus(facts, settings):
    have = int(facts.get("processor_vcpus") or facts.get("processor_count") or 0)
    need = int(settings["min_cpus"])
    found = "%d CPUs, %d needed" % (have, need)
    return result("cpus", "passed" if have >= need else "failed", found, tune("preflight_min_cpus", need) % "cpus")


def check_memory(facts, settings):
    have = int(facts.get("memtotal_mb") or 0)
    need = int(settings["min_memory_mb"])
    found = "%d MB, %d MB needed" % (have, need)
    return result(
        "memory", "passed" if have >= need else "failed", found, tune("preflight_min_memory_mb", need) % "memory"
    )


def check_disk(resources, settings):
    need = int(settings["min_disk_free_gb"]) * 1024
    short, seen = [], []
    for fs in resources.get("filesystems", []):
        seen.append("%s: %d MB free on %s" % (fs["path"], fs["free_mb"], fs["mount_point"]))
        if fs["free_mb"] < need:
            short.append(fs["path"])
    found = "%s; %d MB needed" % ("; ".join(seen) or "no paths to check", need)
    return result(
        "disk", "failed" if short else "passed", found, tune("preflight_min_disk_free_gb", need // 1024) % "disk"
    )


def check_ports(resources, settings):
    owners = set(settings["port_owners"])
    taken = [
        "%d (%s on %s)" % (entry["port"], ", ".join(entry["programs"]) or "an unknown program", entry["address"])
        for entry in resources.get("listeners", [])
        if not entry["programs"] or not owners.issuperset(entry["programs"])
    ]
    if taken:
        return result(
            "ports",
            "failed",
            "taken by other programs: " + "; ".join(taken),
            "stop those programs, add them to preflight_port_owners when they are Minishift's, or add ports to "
            "preflight_disabled_checks",
        )
    asked = [str(port) for port in settings["ports"]] + list(settings["port_ranges"])
    return result("ports", "passed", "%s free or held by %s" % (", ".join(asked), ", ".join(sorted(owners))))


def check_docker_storage(resources, settings):
    docker = [fs for fs in resources.get("filesystems", []) if fs["path"] == settings["docker_data_path"]]
    if not docker:
        return result("docker_storage", "skipped", "%s not read" % settings["docker_data_path"])
    fs = docker[0]
    found = "%s on %s (%s): %s" % (fs["path"], fs["mount_point"], fs["fstype"], fs["d_type_reason"])
    if fs["d_type"] is False:
        return result(
            "docker_storage",
            "failed",
            found,
            "give %s a filesystem with d_type (XFS: mkfs.xfs -n ftype=1; or ext4), or add docker_storage to "
            "preflight_disabled_checks" % fs["path"],
        )
    return result("docker_storage", "passed" if fs["d_type"] else "skipped", found)


def check_init_system(facts, settings):
    manager = facts.get("service_mgr") or "unknown"
    if manager == "systemd":
        return result("init_system", "passed", "systemd")
    return result(
        "init_system",
        "failed",
        "%s runs the host, not systemd" % manager,
        "run the Minishift host on systemd (CentOS 7: systemd 219), or add init_system to preflight_disabled_checks",
    )


def check_python(facts, settings):
    python = version_tuple(facts.get("python_version") or "0.0")
    core = version_tuple(settings["ansible_version"])
    shown = "Python %d.%d under ansible-core %d.%d" % (python + core)
    # ansible-core 2.17 dropped targets below Python 3.7; kubernetes.core needs 3.9 where the cluster tasks run
    need = (3, 7) if core >= (2, 17) else (2, 7)
    if boolean(settings["cluster_tasks"], strict=False):
        need = max(need, (3, 9))
    if python >= need:
        return result("python", "passed", shown)
    fix = "install Python %d.%d or newer and set ansible_python_interpreter to it" % need
    if boolean(settings["cluster_tasks"], strict=False) and python < (3, 9):
        fix += ", or leave k8s_auth_run_on at auto (or set controller) to run the cluster plays from the controller"
    if core >= (2, 17) and python < (3, 7):
        fix += ", or use ansible-core 2.16 (make site ANSIBLE_LINE=2.16)"
    return result(
        "python", "failed", "%s, %d.%d needed" % (shown, *need), fix + "; or add python to preflight_disabled_checks"
    )


def check_bundle(bundle, settings):
    """``bundle``: what ffdl.platform.bundle found (``problems``), when the run installs from an offline bundle."""
    path = settings.get("bundle") or ""
    if not path:
        return result("bundle", "skipped", "no offline bundle (downloads_bundle)")
    problems = (bundle or {}).get("problems")
    if problems is None:
        return result(
            "bundle", "failed", "%s was not checked" % path, "run preflight with the bundle on the controller"
        )
    if problems:
        return result(
            "bundle",
            "failed",
            "%s: %s" % (path, "; ".join(problems)),
            "build the bundle again (make bundle) from the lock in effect (downloads_lock_file), or point "
            "downloads_bundle at a whole one; or add bundle to preflight_disabled_checks",
        )
    return result("bundle", "passed", "%s holds every locked artifact as locked" % path)


def check_sources(sources, settings):
    """``sources``: the entries ffdl.platform.host_resources returned, from each host that downloads."""
    if settings.get("bundle"):
        return result("sources", "skipped", "everything comes from the offline bundle (downloads_bundle)")
    if not sources:
        return result("sources", "passed", "no downloads on this host")
    dead, seen = [], []
    for source in sources:
        if source["present"]:
            seen.append("%s: present at %s, not downloaded" % (source["what"], source["present_path"]))
        elif not source["probed"]:
            seen.append("%s: %s not probed (only http(s) and local sources are)" % (source["what"], source["urls"][0]))
        elif source["answered"]:
            seen.append("%s: %s answers" % (source["what"], source["answered"][0]))
        else:
            dead.append(
                "%s (%s, from %s: %s)" % (source["what"], source["variable"], source["on"], "; ".join(source["errors"]))
            )
    if dead:
        return result(
            "sources",
            "failed",
            "no answer from " + "; ".join(dead),
            "point the variables named at a mirror that answers, or add sources to preflight_disabled_checks",
        )
    return result("sources", "passed", "; ".join(seen))


def preflight_results(observed, settings):
    """One result per check: ``observed`` holds facts, resources and the probed sources; ``settings`` the
    role's thresholds."""
    try:
        disabled = set(settings.get("disabled_checks", []))
        unknown = sorted(disabled - set(CHECKS))
        if unknown:
            raise AnsibleFilterError(
                "preflight_disabled_checks: %s not among %s" % (", ".join(unknown), ", ".join(sorted(CHECKS)))
            )
        facts, resources = observed.get("facts", {}), observed.get("resources", {})
        runs = [
            ("cpus", lambda: check_cpus(facts, settings)),
            ("memory", lambda: check_memory(facts, settings)),
            ("disk", lambda: check_disk(resources, settings)),
            ("ports", lambda: check_ports(resources, settings)),
            ("docker_storage", lambda: check_docker_storage(resources, settings)),
            ("init_system", lambda: check_init_system(facts, settings)),
            ("python", lambda: check_python(facts, settings)),
            ("sources", lambda: check_sources(observed.get("sources", []), settings)),
            ("bundle", lambda: check_bundle(observed.get("bundle"), settings)),
        ]
        results = []
        for name, run in runs:
            if name in disabled:
                results.append(result(name, "disabled", "in preflight_disabled_checks"))
            elif name in MINISHIFT_HOST_CHECKS and not boolean(settings["minishift_host"], strict=False):
                results.append(result(name, "skipped", "not a Minishift host"))
            else:
                results.append(run())
        return results
    except (KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError(
            "preflight_results: incomplete input (%s: %s)" % (type(error).__name__, error)
        ) from None


def preflight_table(results):
    """One line per check, as the role prints them: state, name, what was found, and the fix of a failure."""
    lines = []
    for entry in results:
        line = "%-8s %-15s %s" % (entry["state"], entry["check"], entry["found"])
        if entry["state"] == "failed" and entry["fix"]:
            line += " -- fix: " + entry["fix"]
        lines.append(line)
    return lines


class FilterModule(object):
    def filters(self):
        return {
            "preflight_results": preflight_results,
            "preflight_table": preflight_table,
        }
