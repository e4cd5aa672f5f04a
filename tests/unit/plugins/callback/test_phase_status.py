"""phase_status: each phase's state and duration, and the command that resumes at the failed one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.manager import VariableManager
from ansible_collections.ffdl.platform.plugins.callback.phase_status import (
    PHASES,
    CallbackModule,
    phase_of,
    resume_command,
    summarise,
    table,
)


class Role:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


class Node:
    def __init__(self, role=None, parent=None):
        self._role = Role(role) if role else None
        self._parent = parent


def test_a_task_belongs_to_the_nearest_phase_role_of_its_play():
    include = Node("ffdl.platform.helm")  # include_role ffdl.platform.k8s_auth, in the helm role
    task = Node("ffdl.platform.k8s_auth", Node("ffdl.platform.k8s_auth", include))
    assert phase_of(task, ["helm"]) == "helm"
    assert phase_of(Node("ffdl.platform.ssh"), ["docker", "ssh"]) == "ssh"


def test_a_task_outside_its_plays_phase_roles_is_the_plays_one_phase():
    # site.yml's training play reads the endpoints through ffdl.platform.ffdl in pre_tasks
    assert phase_of(Node("ffdl.platform.ffdl"), ["training"]) == "training"
    assert phase_of(Node(None), ["training"]) == "training"
    assert phase_of(Node(None), ["docker", "ssh"]) is None


def test_plays_without_a_phase_role_belong_to_no_phase():
    # the first play checks every role's input through include_role tasks_from=validate
    assert phase_of(Node("ffdl.platform.docker"), []) is None


def phase(start, end, ok=1, changed=0, failed=()):
    return {"start": start, "end": end, "ok": ok, "changed": changed, "failed_hosts": set(failed)}


def test_the_summary_lists_every_phase_in_order_with_its_state():
    phases = {
        "docker": phase(0, 10.04, changed=3),
        "ssh": phase(10, 12),
        "helm": phase(12, 30, ok=0),
        "ffdl": phase(30, 95.5, failed=["vm"]),
    }
    document = summarise(phases, "site.yml", ["hosts"], planned=set(PHASES))
    assert [e["phase"] for e in document["phases"]] == list(PHASES)
    states = {e["phase"]: e["state"] for e in document["phases"]}
    assert states == {
        "preflight": "not run",
        "docker": "changed",
        "ssh": "ok",
        "minishift": "not run",
        "helm": "skipped",
        "s3fs": "not run",
        "ffdl": "failed",
        "training": "not run",
    }
    ffdl = document["phases"][PHASES.index("ffdl")]
    assert ffdl["duration_seconds"] == 65.5 and ffdl["failed_hosts"] == ["vm"]
    assert document["failed_phase"] == "ffdl"
    # the phases after the failed one are resumed too (not reached, but planned)
    assert document["resume_command"] == "ansible-playbook site.yml -i hosts --tags ffdl,training"


def test_the_resume_command_runs_the_failed_phase_and_those_after_it():
    seen = {"docker", "ssh", "minishift", "helm", "s3fs", "ffdl", "training"}
    assert resume_command("site.yml", ["inventory/remote vm"], seen, "minishift") == (
        "ansible-playbook site.yml -i 'inventory/remote vm' --tags minishift,helm,s3fs,ffdl,training"
    )


def test_only_the_phases_the_playbook_runs_are_listed():
    document = summarise({"ssh": phase(0, 1)}, "ssh.yml", [], planned={"ssh"})
    assert [e["phase"] for e in document["phases"]] == ["ssh"]
    document = summarise({"ssh": phase(0, 1, failed=["vm"])}, "site.yml", [], planned={"docker", "ssh", "helm"})
    assert [e["phase"] for e in document["phases"]] == ["docker", "ssh", "helm"]
    assert document["resume_command"] == "ansible-playbook site.yml --tags ssh,helm"
    # under --tags, another play's always-tagged tasks show only when they fail
    seen = {"helm": phase(0, 1), "ffdl": phase(1, 2), "training": phase(2, 3)}
    assert [e["phase"] for e in summarise(seen, "site.yml", [], planned={"ffdl"})["phases"]] == ["ffdl"]
    seen["helm"] = phase(0, 1, failed=["localhost"])
    document = summarise(seen, "site.yml", [], planned={"ffdl"})
    assert [e["phase"] for e in document["phases"]] == ["helm", "ffdl"]
    assert document["resume_command"] == "ansible-playbook site.yml --tags helm,ffdl"


def test_a_run_without_failure_has_no_resume_command():
    document = summarise({"training": phase(0, 1, changed=1)}, "site.yml", [])
    assert document["failed_phase"] is None and document["resume_command"] is None
    lines = table(document)
    assert lines[0].startswith("PHASES ")
    assert any(line.startswith("training   changed      1.0 s") for line in lines), lines
    assert not any("resume" in line for line in lines)


def test_the_table_names_the_failed_hosts_and_the_command():
    document = summarise({"helm": phase(0, 2, failed=["vm", "ctl"])}, "site.yml", ["hosts"], planned={"helm"})
    lines = table(document)
    assert "helm       failed       2.0 s on ctl, vm" in lines
    assert lines[-2] == "The helm phase failed; resume from it with:"
    assert lines[-1] == "  ansible-playbook site.yml -i hosts --tags helm  (and this run's -e options)"


class Play:
    def __init__(self, hosts, manager):
        self.hosts = hosts
        self._manager = manager

    def get_variable_manager(self):
        return self._manager


def test_a_play_of_an_empty_group_is_not_planned(tmp_path):
    # with inventory/existing-cluster the Minishift group is empty: its s3fs play is not "not run" after a
    # helm failure, it was never going to run
    source = tmp_path / "hosts.ini"
    source.write_text("[ffdl_minishift]\n\n[ffdl_deploy]\nlocalhost\n")
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(source)])
    manager = VariableManager(loader=loader, inventory=inventory)
    assert CallbackModule._play_has_hosts(Play("ffdl_deploy", manager))
    assert not CallbackModule._play_has_hosts(Play("ffdl_minishift", manager))
    # a templated pattern cannot be resolved before the play: it stays planned
    assert CallbackModule._play_has_hosts(Play("{{ target }}", manager))
    # nor a group an earlier play makes (site.yml's ffdl_cluster), which does not exist yet
    assert CallbackModule._play_has_hosts(Play("ffdl_cluster", manager))
    assert not CallbackModule._play_has_hosts(Play("ffdl_minishift:!ffdl_deploy", manager))
