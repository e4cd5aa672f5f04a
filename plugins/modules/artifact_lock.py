#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: artifact_lock
short_description: Refresh the lock file of every artifact the roles download from the sources
version_added: 0.4.0
description:
  - C(make lock) (playbooks/lock.yml). Reads each entry of the lock file from its source, or from its mirror - the
    value of the entry's C(mirror_variable) when the play sets it (C(minishift_release_base_url),
    C(helm_release_base_url), C(training_data_mirrors), C(ffdl_repo_url), ...), or I(mirrors) - and writes what it
    found - files downloaded and hashed (and checked against the published C(.sha256) where the entry says there is
    one; a published checksum of another algorithm, as MNIST's MD5, is kept); images resolved to their manifest
    digest and image ID through the registry API (I(registries), anonymous bearer tokens as Docker Hub gives them);
    git refs to their commit; the package sets I(package_sets) holds (ffdl.platform.package_set on reference hosts);
    the controller's Python packages with pip, through the index the machine is configured with.
  - An entry that cannot be read stays as it was and is named in RV(problems); RV(unresolved) lists what is still
    null, which C(make bundle) refuses.
  - The file is written only when it differs, its header comment kept.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  lock_file:
    description: The lock file to refresh; empty for the collection's C(meta/artifacts.lock.yml).
    type: path
  dest:
    description: Where the refreshed lock is written; default I(lock_file).
    type: path
  mirrors:
    description: A mirror by entry name (a base URL, a list of them, or a git URL), over the play's mirror variables.
    type: dict
  registries:
    description: A registry endpoint by the registry it stands in for (C(docker.io) to C(http://mirror:5000)).
    type: dict
  package_sets:
    description: The files of each package entry, as ffdl.platform.package_set listed them.
    type: dict
  only:
    description: Refresh these entries only.
    type: list
    elements: str
  project_dir:
    description: The directory the Python entries' C(-r) requirement files are relative to.
    type: path
  fail_on_unresolved:
    description: Fail when an entry stays unresolved.
    type: bool
    default: false
extends_documentation_fragment:
  - ffdl.platform.proxy
attributes:
  action:
    description: Runs on the controller only, as an action plugin.
    support: full
  check_mode:
    description: Reads the sources and reports whether the file would change, writing nothing.
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
- name: Refresh the lock file, the Minishift archive from a mirror
  ffdl.platform.artifact_lock:
    mirrors:
      minishift: https://mirror.example/minishift/releases
"""

RETURN = r"""
dest:
  description: The lock file written.
  returned: always
  type: str
problems:
  description: Each entry that could not be read, and why.
  returned: always
  type: list
  elements: str
unresolved:
  description: Each entry still unresolved, with the keys that are null.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            lock_file=dict(type="path"),
            dest=dict(type="path"),
            mirrors=dict(type="dict"),
            registries=dict(type="dict"),
            package_sets=dict(type="dict"),
            only=dict(type="list", elements="str"),
            project_dir=dict(type="path"),
            fail_on_unresolved=dict(type="bool", default=False),
            http_proxy=dict(type="str", default="", no_log=True),
            https_proxy=dict(type="str", default="", no_log=True),
            no_proxy=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="ffdl.platform.artifact_lock runs as an action plugin on the controller only")


if __name__ == "__main__":
    main()
