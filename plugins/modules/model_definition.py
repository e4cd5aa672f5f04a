#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: model_definition
short_description: Pack FfDL model code into the zip FfDL expects, byte for byte the same for the same code
version_added: 0.1.0
description:
  - Packs the files of I(src) (a directory) or I(files) into the model definition zip FfDL's REST API takes with a
    training job, flat by default (every file at the zip's top level, like C(zip -j)), as FfDL's user guide requires.
  - Deterministic - entries sorted by name, fixed timestamps (1980-01-01) and modes (0644, 0755 for executables),
    fixed compression - so the same code gives the same bytes, the task reports a change only when the content
    changes, and the returned digest identifies the code.
  - Check mode computes the digest in memory; diff mode lists the files.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  dest:
    description: The zip file to write.
    type: path
    required: true
  src:
    description: A directory whose files are packed (recursively). Mutually exclusive with I(files).
    type: path
  files:
    description: The files to pack. Mutually exclusive with I(src).
    type: list
    elements: path
  flat:
    description: Put every file at the zip's top level (C(zip -j)); false keeps paths relative to I(src).
    type: bool
    default: true
  exclude:
    description: Glob patterns of base names left out (Python caches, editor backups).
    type: list
    elements: str
    default: ["*.pyc", "__pycache__", ".*", "*~"]
  command:
    description:
      - The training command the manifest gives (C(framework.command)). The model files it names - relative names
        ending in C(.py), C(.sh), C(.lua), C(.R) and the like, not C($DATA_DIR/...) paths - must be in the zip (FfDL
        runs the command where it unpacks the zip), or the module fails before writing anything.
    type: str
extends_documentation_fragment:
  - ffdl.platform.attributes
notes:
  - Two files with the same base name cannot be packed flat; the module refuses instead of silently dropping one.
"""

EXAMPLES = r"""
- name: Zip the tutorial's model the way `zip -j tf-model convolutional_network.py input_data.py` does
  ffdl.platform.model_definition:
    files: [tf-model/convolutional_network.py, tf-model/input_data.py]
    dest: /tmp/tf-model.zip
  register: model_zip
"""

RETURN = r"""
sha256:
  description: SHA-256 of the zip, which depends on the files' names and contents only.
  returned: always
  type: str
entries:
  description: The zip's entries, in order.
  returned: always
  type: list
  elements: str
  sample: [convolutional_network.py, input_data.py]
"""

import hashlib
import os
import zipfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.ffdl.platform.plugins.module_utils.model_zip import (
    DEFAULT_EXCLUDE,
    ModelZipError,
    build,
    collect,
    missing_command_files,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dest=dict(type="path", required=True),
            src=dict(type="path"),
            files=dict(type="list", elements="path"),
            flat=dict(type="bool", default=True),
            exclude=dict(type="list", elements="str", default=DEFAULT_EXCLUDE),
            command=dict(type="str"),
        ),
        mutually_exclusive=[("src", "files")],
        required_one_of=[("src", "files")],
        supports_check_mode=True,
    )
    p = module.params
    try:
        found = collect(p["src"], p["files"], p["flat"], p["exclude"])
    except ModelZipError as exc:
        module.fail_json(msg=to_native(exc))
    entries = [entry for entry, _path in found]
    missing = missing_command_files(p["command"], entries)
    if missing:
        module.fail_json(
            msg="command: names %s, which the model code does not have (it has %s); nothing was written"
            % (", ".join(missing), ", ".join(entries) or "no file"),
            missing=missing,
            entries=entries,
        )
    data = build(found)
    digest = hashlib.sha256(data).hexdigest()
    before = None
    if os.path.isfile(p["dest"]):
        with open(p["dest"], "rb") as handle:
            before = hashlib.sha256(handle.read()).hexdigest()
    result = dict(changed=before != digest, sha256=digest, entries=entries)
    if module._diff:
        old = []
        if before is not None:
            try:
                old = sorted(zipfile.ZipFile(p["dest"]).namelist())
            except zipfile.BadZipfile:
                old = ["(not a zip file)"]
        result["diff"] = dict(
            before="\n".join(old) + "\n" if old else "",
            after="\n".join(result["entries"]) + "\n",
            before_header=p["dest"],
            after_header=p["dest"],
        )
    if result["changed"] and not module.check_mode:
        directory = os.path.dirname(p["dest"]) or "."
        if not os.path.isdir(directory):
            os.makedirs(directory)
        tmp = p["dest"] + ".tmp-model-definition"
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        module.atomic_move(tmp, p["dest"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
