#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: service_command_line
short_description: Read the command line a systemd service really starts, flags included
version_added: 0.1.0
description:
  - Reads a unit's C(ExecStart) with C(systemctl show -p ...), which systemd 219 (CentOS/RHEL 7) supports, unlike
    C(systemctl show --value).
  - Expands the C($VAR) and C(${VAR}) references of the command line the way systemd does at exec time, from the
    unit's C(Environment=) and the files of its C(EnvironmentFile=) settings (EL7's docker unit takes its flags from
    C($OPTIONS) in C(/etc/sysconfig/docker); Debian's from C($DOCKER_OPTS) in C(/etc/default/docker)).
  - Returns the expanded argv and its flags, so a role can leave out of a configuration file every setting the
    command line already makes (dockerd refuses to start when C(daemon.json) repeats a flag).
  - Reads only; never changes anything.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  name:
    description: Name of the unit, such as C(docker) or C(docker.service).
    type: str
    required: true
extends_documentation_fragment:
  - ffdl.platform.attributes
notes:
  - Python 2.7 and 3.6 compatible, so it runs on an EL7 host before any other interpreter is installed.
seealso:
  - module: ansible.builtin.systemd_service
"""

EXAMPLES = r"""
- name: Read the flags dockerd is started with
  ffdl.platform.service_command_line:
    name: docker
  register: dockerd

- name: Show the log driver the command line sets, if any
  ansible.builtin.debug:
    msg: "{{ dockerd.flags['log-driver'] | default(['(daemon.json or default)']) | first }}"
"""

RETURN = r"""
load_state:
  description: The unit's C(LoadState); C(not-found) when there is no such unit.
  returned: always
  type: str
  sample: loaded
active_state:
  description: The unit's C(ActiveState).
  returned: always
  type: str
  sample: active
main_pid:
  description: The unit's C(MainPID), 0 when it does not run.
  returned: always
  type: int
exec_start:
  description: The command line as systemd shows it, variables unexpanded.
  returned: always
  type: str
  sample: /usr/bin/dockerd-current --add-runtime docker-runc=/usr/libexec/docker/docker-runc-current $OPTIONS
argv:
  description: The command line after expansion, as the process receives it.
  returned: always
  type: list
  elements: str
flags:
  description: The flags of I(argv) without their dashes, each mapped to its values (C(true) for a bare flag).
  returned: always
  type: dict
  sample: {"log-driver": ["journald"], "selinux-enabled": ["true"], "H": ["fd://"]}
drop_in_paths:
  description: Drop-in files of the unit (Minishift's generic driver adds C(10-machine.conf)).
  returned: always
  type: list
  elements: str
environment_files:
  description: The unit's environment files, in the order systemd reads them.
  returned: always
  type: list
  elements: str
missing_environment_files:
  description: Environment files the unit requires (no C(-) prefix) that do not exist.
  returned: always
  type: list
  elements: str
unset_variables:
  description: Variables the command line references that nothing sets (they expand to nothing).
  returned: always
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ffdl.platform.plugins.module_utils.systemd_unit import effective_command_line

# EnvironmentFiles is the D-Bus property name; systemd 219 prints its entries as EnvironmentFile=
PROPERTIES = ("LoadState", "ActiveState", "MainPID", "ExecStart", "EnvironmentFiles", "Environment", "DropInPaths")


def read_file(path):
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", "replace")


def main():
    module = AnsibleModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    systemctl = module.get_bin_path("systemctl", required=True)
    argv = [systemctl, "show", module.params["name"]]
    for prop in PROPERTIES:
        argv += ["-p", prop]
    rc, out, err = module.run_command(argv)
    if rc != 0:
        module.fail_json(msg="systemctl show %s failed (rc %s): %s" % (module.params["name"], rc, err.strip()))
    result = effective_command_line(out, read_file)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
