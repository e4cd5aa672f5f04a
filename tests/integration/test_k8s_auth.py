"""ffdl.platform.k8s_auth, which the helm, ffdl and training plays each include: resolved once per run."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.ansible_run import run_playbook

pytestmark = [pytest.mark.cluster, pytest.mark.current_api]

# Three plays as in site.yml (helm, ffdl, training); the third reaches the
# cluster through another kubeconfig (play variables: extra vars would win).
PLAYBOOK = textwrap.dedent(
    """\
    - hosts: localhost
      gather_facts: true
      vars:
        k8s_auth_kubeconfig: "{{ first_kubeconfig }}"
      roles:
        - role: ffdl.platform.k8s_auth
    - hosts: localhost
      gather_facts: false
      vars:
        k8s_auth_kubeconfig: "{{ first_kubeconfig }}"
      tasks:
        - ansible.builtin.include_role:
            name: ffdl.platform.k8s_auth
        - name: Show the cluster access of the second play
          ansible.builtin.debug:
            msg: "{{ k8s_auth_cli_env.KUBECONFIG }} {{ k8s_auth_server_version }}"
    - hosts: localhost
      gather_facts: false
      vars:
        k8s_auth_kubeconfig: "{{ other_kubeconfig }}"
      tasks:
        - ansible.builtin.include_role:
            name: ffdl.platform.k8s_auth
        - name: Show the cluster access of the third play
          ansible.builtin.debug:
            msg: "{{ k8s_auth_cli_env.KUBECONFIG }} {{ k8s_auth_server_version }}"
    """
)


def test_resolved_once_per_run_and_again_when_the_settings_change(cluster, tmp_path):
    playbook = tmp_path / "plays.yml"
    playbook.write_text(PLAYBOOK)
    other = tmp_path / "other.kubeconfig"
    shutil.copy(cluster.roles_kubeconfig, other)
    result = run_playbook(
        playbook,
        {
            "first_kubeconfig": str(cluster.roles_kubeconfig),
            "k8s_auth_context": "ffdl-test",
            "other_kubeconfig": str(other),
        },
    )
    assert result.rc == 0, result.stdout[-4000:]
    # the first play and the third (new settings) read the server; the second reuses
    assert len(result.task_results("Read the API server's version")) == 2
    # the read is also the check that the libraries are there: they are not looked for separately
    assert result.task_results("Check the Python libraries the Kubernetes modules import on localhost") == []
    (second,) = result.task_results("Show the cluster access of the second play")
    (third,) = result.task_results("Show the cluster access of the third play")
    assert second["msg"].startswith(f"{cluster.roles_kubeconfig} ")
    assert third["msg"].startswith(f"{other} ")
    assert second["msg"].split()[1] == third["msg"].split()[1]


def test_a_kubeconfig_that_is_not_there_is_named_once_the_read_fails(tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text("- hosts: localhost\n  gather_facts: true\n  roles: [ffdl.platform.k8s_auth]\n")
    missing = tmp_path / "no-such.kubeconfig"
    result = run_playbook(playbook, {"k8s_auth_kubeconfig": str(missing), "k8s_auth_context": "ffdl-test"})
    assert result.rc != 0
    message = " ".join(result.failure_messages())
    assert f"k8s_auth_kubeconfig: {missing} does not exist on localhost" in message, message


RUN_ON = textwrap.dedent(
    """\
    - hosts: ffdl_deploy
      gather_facts: true
      tasks:
        - ansible.builtin.include_role:
            name: ffdl.platform.k8s_auth
            tasks_from: run_on
    - hosts: ffdl_cluster
      gather_facts: false
      tasks:
        - ansible.builtin.include_role:
            name: ffdl.platform.k8s_auth
        - name: Show the cluster access of the cluster play
          ansible.builtin.debug:
            msg: "{{ inventory_hostname }} {{ k8s_auth_cli_env.KUBECONFIG }} {{ k8s_auth_server_version }}"
    """
)


def test_the_cluster_plays_of_a_host_run_from_the_controller_with_its_kubeconfig(cluster, tmp_path):
    """k8s_auth_run_on controller (what auto means for CentOS 7's Pythons): the controller host <host>@controller
    joins ffdl_cluster with a 0600 copy of the host's kubeconfig, and reads the cluster with it."""
    playbook = tmp_path / "plays.yml"
    playbook.write_text(RUN_ON)
    on_host = tmp_path / "vm-home" / "kubeconfig"
    on_host.parent.mkdir()
    shutil.copy(cluster.roles_kubeconfig, on_host)
    copies = tmp_path / "copies"

    def inventory(host_vars: dict, group_vars: dict) -> Path:
        vm = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, **host_vars}
        path = tmp_path / "inventory.json"
        path.write_text(json.dumps({"ffdl_deploy": {"hosts": {"vm": vm}, "vars": group_vars}}))
        return path

    settings = {"k8s_auth_run_on": "controller", "k8s_auth_kubeconfig": str(on_host), "k8s_auth_context": "ffdl-test"}
    # a setting of the cluster roles for this host alone would not reach the controller host: refused, named
    result = run_playbook(
        playbook,
        {"k8s_auth_controller_dir": str(copies)},
        inventory=inventory({**settings, "ffdl_namespace": "elsewhere"}, {}),
    )
    assert result.rc != 0, result.stdout[-3000:]
    message = " ".join(result.failure_messages("vm"))
    assert "does not see these variables set for vm: ffdl_namespace" in message, message
    # the same settings for the group: the controller host runs the cluster play with the copy
    result = run_playbook(
        playbook, {"k8s_auth_controller_dir": str(copies)}, inventory=inventory({}, {**settings, "ffdl_namespace": "x"})
    )
    assert result.rc == 0, result.stdout[-3000:]
    copy = copies / "vm.kubeconfig"
    assert copy.read_bytes() == on_host.read_bytes() and copy.stat().st_mode & 0o777 == 0o600
    (shown,) = result.task_results("Show the cluster access of the cluster play", host="vm@controller")
    assert shown["msg"].startswith(f"vm@controller {copy} "), shown
    assert result.task_results("Show the cluster access of the cluster play", host="vm") == []
