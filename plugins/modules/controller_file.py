#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: controller_file
short_description: Write a text file on the controller, only when its content or mode differ, without a module run
version_added: 0.3.0
description:
  - Writes I(content) to I(path) on the controller (where C(ansible-playbook) runs) with I(mode), atomically (a
    temporary file in the same directory, renamed into place), and only when the file differs - what
    M(ansible.builtin.copy) with C(delegate_to=localhost) does, in the controller's own process instead of two
    module runs (a stat and a copy), so a converged run pays almost nothing for it.
  - For the run's outputs on the controller - FfDL's endpoints file, the preflight report.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  path:
    description:
      - The file on the controller; C(~) is expanded. Its directory must exist, unless I(directory_mode) is given.
    type: path
    required: true
  content:
    description: The text to write.
    type: str
    required: true
  mode:
    description: The file's permissions, octal.
    type: str
    default: "0600"
  directory_mode:
    description: Create the file's directory (and its parents) with this mode when it does not exist.
    type: str
  report_change:
    description:
      - Report a write as a change. False for a run's own report, which is no state a playbook manages (it is then
        also written in check mode).
    type: bool
    default: true
attributes:
  action:
    description: Runs on the controller only, as an action plugin.
    support: full
  check_mode:
    description: Reports the write it would do; with I(report_change=false) writes in check mode too.
    support: full
  diff_mode:
    description: The file's text before and after (unless the task has C(no_log)).
    support: full
  platform:
    description: The controller.
    support: full
    platforms: posix
seealso:
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Write FfDL's endpoints on the controller
  ffdl.platform.controller_file:
    path: "{{ playbook_dir }}/ffdl-endpoints.yml"
    content: |
      restapi_url: "{{ ffdl_restapi_url }}"
    mode: "0600"
"""

RETURN = r"""
path:
  description: The file, with C(~) expanded.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            content=dict(type="str", required=True),
            mode=dict(type="str", default="0600"),
            report_change=dict(type="bool", default=True),
            directory_mode=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="ffdl.platform.controller_file runs as an action plugin on the controller only")


if __name__ == "__main__":
    main()
