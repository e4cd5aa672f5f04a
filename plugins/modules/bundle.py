#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: bundle
short_description: Unpack the offline bundle on the controller and check it against the lock file
version_added: 0.4.0
description:
  - The offline bundle (C(make bundle), ffdl.platform.bundle_build) is an uncompressed tar of C(ffdl-bundle/) - every
    artifact of the lock file, the lock it was built from and C(bundle.json) (each file's size and SHA-256).
  - Unpacks an archive once, beside it (C(.<name>.unpacked-<size>-<mtime>/)), into a temporary directory renamed into
    place, refusing members outside C(ffdl-bundle/) and anything but files and directories.
  - With I(verify) (and always right after unpacking), checks every file against C(bundle.json) and every locked
    artifact against the lock in effect (its checksum, an image's ID, a repository's commit), and that the bundle was
    built from that very lock; each problem names the artifact and what is wrong. Preflight runs it before the first
    change, so nothing is found missing half way.
  - The unpacked directory is a cache of the controller's, not state a playbook manages - unpacking is no change and
    happens in check mode too.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  path:
    description: The bundle archive, or a directory holding C(bundle.json) (an unpacked bundle).
    type: path
    required: true
  lock_file:
    description: The lock in effect; empty for the collection's C(meta/artifacts.lock.yml).
    type: path
  verify:
    description: Check every file (seconds per GB); false only makes sure the bundle is unpacked.
    type: bool
    default: true
  fail_on_problems:
    description: Fail naming every problem; false returns them in RV(problems) (preflight judges them).
    type: bool
    default: true
attributes:
  action:
    description: Runs on the controller only, as an action plugin.
    support: full
  check_mode:
    description: Unpacks and checks in check mode too (a controller cache).
    support: full
  diff_mode:
    description: The module changes no managed state.
    support: none
  platform:
    description: The controller.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Check the offline bundle before the first change
  ffdl.platform.bundle:
    path: /srv/ffdl-bundle.tar
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
root:
  description: The directory the roles read the bundle's files from.
  returned: always
  type: str
problems:
  description: Each artifact or file missing or not as locked, named.
  returned: always
  type: list
  elements: str
unpacked:
  description: Whether the archive was unpacked by this run.
  returned: always
  type: bool
checked:
  description: Whether every file was checked.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            lock_file=dict(type="path"),
            verify=dict(type="bool", default=True),
            fail_on_problems=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="ffdl.platform.bundle runs as an action plugin on the controller only")


if __name__ == "__main__":
    main()
