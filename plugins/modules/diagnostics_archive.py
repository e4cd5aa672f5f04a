#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: diagnostics_archive
short_description: Write text files into one gzipped tar archive on the controller
version_added: 0.2.0
description:
  - Writes each entry of I(files) as a member of a C(.tar.gz) archive at I(path) on the controller, mode 0600 (pod
    logs may hold what only the cluster's admins should read), atomically.
  - Used by the ffdl and training roles when their phase fails, to keep what the namespace and FfDL said at that
    moment (ffdl.platform.ffdl C(tasks_from - diagnostics)).
  - Runs as an action plugin on the controller; changes nothing on the hosts, so it reports no change and writes
    the archive in check mode too.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  path:
    description: The archive to write on the controller; its directory is created (mode 0700) when missing.
    type: path
    required: true
  files:
    description: Member name (a relative path inside the archive) to its text content.
    type: dict
    required: true
attributes:
  action:
    description: Runs on the controller only.
    support: full
  check_mode:
    description: Writes the archive in check mode as well (a controller file, like the run's reports).
    support: full
  diff_mode:
    description: No diff; the archive is new each time.
    support: none
  platform:
    description: The controller.
    support: full
    platforms: posix
notes:
  - The archive holds only what I(files) gives; the ffdl role leaves environment values and Secrets out.
"""

EXAMPLES = r"""
- name: Keep what the namespace said
  ffdl.platform.diagnostics_archive:
    path: "{{ playbook_dir }}/diagnostics/ffdl-vm.tar.gz"
    files:
      pods.txt: "{{ pods | to_nice_yaml }}"
      events.txt: "{{ events_table }}"
"""

RETURN = r"""
path:
  description: The archive written.
  returned: always
  type: str
members:
  description: The member names, sorted.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(path=dict(type="path", required=True), files=dict(type="dict", required=True)),
        supports_check_mode=True,
    )
    module.fail_json(msg="ffdl.platform.diagnostics_archive runs as an action plugin on the controller only")


if __name__ == "__main__":
    main()
