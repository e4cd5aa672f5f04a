"""cluster_tasks_run_on: EL7's Pythons run the cluster tasks from the controller, newer ones on the host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ffdl.platform.plugins.filter.cluster_tasks_run_on import cluster_tasks_run_on


@pytest.mark.parametrize(
    ("python", "where"),
    [
        ("2.7.5", "controller"),  # CentOS 7's /usr/bin/python, which ansible-core 2.16 picks there
        ("3.6.8", "controller"),  # EL7's python3
        ("3.8.10", "controller"),
        ("3.9.2", "host"),
        ("3.11.2", "host"),  # Debian 12
    ],
)
def test_auto_follows_the_python_kubernetes_core_needs(python, where):
    assert cluster_tasks_run_on("auto", python) == where


def test_an_explicit_setting_wins_and_a_wrong_one_is_named():
    assert cluster_tasks_run_on("host", "2.7.5") == "host"
    assert cluster_tasks_run_on("controller", "3.11.2") == "controller"
    with pytest.raises(AnsibleFilterError, match="k8s_auth_run_on: 'vm' is not one of auto, host, controller"):
        cluster_tasks_run_on("vm", "3.11.2")
    with pytest.raises(AnsibleFilterError, match="not a Python version"):
        cluster_tasks_run_on("auto", None)
