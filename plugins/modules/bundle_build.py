#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: bundle_build
short_description: Build the offline bundle - every artifact of the lock file in one archive
version_added: 0.4.0
description:
  - C(make bundle) (playbooks/bundle.yml). Refuses a lock with an unresolved entry, naming each and what it lacks.
  - Fetches every artifact of the lock file from its source or mirror (as ffdl.platform.artifact_lock reads them) and
    checks each against the lock - files by checksum; images pulled by digest through the registry API and written as
    C(docker save) does (docker-archive, with the reference as tag), checked by image ID; git refs cloned bare at the
    locked commit; package sets from their URLs, each file by checksum, indexed as a repository (apt - a flat
    repository's C(Packages); yum - C(repodata/) by createrepo_c on this machine) and packed once more as one file per
    set; Python packages with pip (exact versions, checked by checksum).
  - Writes C(ffdl-bundle/bundle.json) (each file's size and SHA-256 and the lock's SHA-256) and a copy of the lock,
    checks the whole bundle against the lock once more, and packs it as an uncompressed tar, written aside and renamed
    into place.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  lock_file:
    description: The lock file; empty for the collection's C(meta/artifacts.lock.yml).
    type: path
  dest:
    description: The bundle archive to write.
    type: path
    required: true
  mirrors:
    description: A mirror by entry name, over the play's mirror variables (as ffdl.platform.artifact_lock).
    type: dict
  registries:
    description: A registry endpoint by the registry it stands in for.
    type: dict
extends_documentation_fragment:
  - ffdl.platform.proxy
attributes:
  action:
    description: Runs on the controller only, as an action plugin.
    support: full
  check_mode:
    description: Reports the bundle it would write and the entries still unresolved.
    support: full
  diff_mode:
    description: Not reported.
    support: none
  platform:
    description: The controller.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Build the offline bundle beside the playbook
  ffdl.platform.bundle_build:
    dest: "{{ playbook_dir }}/ffdl-bundle.tar"
"""

RETURN = r"""
dest:
  description: The bundle archive.
  returned: success
  type: str
size:
  description: Its size in bytes.
  returned: success
  type: int
files:
  description: How many files it holds.
  returned: success
  type: int
lock_sha256:
  description: The SHA-256 of the lock it was built from.
  returned: success
  type: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            lock_file=dict(type="path"),
            dest=dict(type="path", required=True),
            mirrors=dict(type="dict"),
            registries=dict(type="dict"),
            http_proxy=dict(type="str", default="", no_log=True),
            https_proxy=dict(type="str", default="", no_log=True),
            no_proxy=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="ffdl.platform.bundle_build runs as an action plugin on the controller only")


if __name__ == "__main__":
    main()
