# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.cluster_tasks_run_on: where a deploy host's cluster tasks run - on it, or on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError

# kubernetes.core (every cluster task) supports Python 3.9 and later and does
# not parse on 2.7; CentOS/RHEL 7 have 2.7 and 3.6.
KUBERNETES_CORE_PYTHON = (3, 9)
SETTINGS = ("auto", "host", "controller")


def cluster_tasks_run_on(setting, python_version):
    """``host`` or ``controller`` for k8s_auth_run_on ``setting`` and the version of the Python Ansible runs modules
    with on the host (``ansible_facts['python_version']``, like ``2.7.5``): ``auto`` is the controller when that
    Python cannot run kubernetes.core."""
    if setting not in SETTINGS:
        raise AnsibleFilterError("k8s_auth_run_on: %r is not one of %s" % (setting, ", ".join(SETTINGS)))
    if setting != "auto":
        return setting
    found = re.match(r"^(\d+)\.(\d+)", str(python_version or ""))
    if not found:
        raise AnsibleFilterError("cluster_tasks_run_on: %r is not a Python version" % (python_version,))
    return "host" if (int(found.group(1)), int(found.group(2))) >= KUBERNETES_CORE_PYTHON else "controller"


class FilterModule(object):
    def filters(self):
        return {"cluster_tasks_run_on": cluster_tasks_run_on}
