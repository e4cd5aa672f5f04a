#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: s3_download
short_description: Download the objects under a prefix that are not on the host yet, from one listing
version_added: 0.3.0
description:
  - Lists I(bucket) under I(prefix) (a thousand keys per request) and downloads each object whose file
    C(<dest>/<key>) does not exist yet - a finished training job's results, which do not change, so a re-run lists
    once and downloads nothing. A file already there is kept as it is, even if edited.
  - Keys ending in C(/) (folder markers) and keys that match I(exclude) are listed, not downloaded.
  - Each download goes to a temporary file beside its destination first; a failed one leaves nothing behind.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  dest:
    description: The directory the keys are downloaded under, as C(<dest>/<key>).
    type: path
    required: true
  exclude:
    description:
      - Shell-style patterns (C(*), C(?)) matched against each key without I(prefix); matching keys are not downloaded.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ffdl.platform.s3_listing
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ffdl.platform.attributes
seealso:
  - module: amazon.aws.s3_object
  - module: ffdl.platform.s3_object_etags
"""

EXAMPLES = r"""
- name: Fetch a job's results that are not here yet
  ffdl.platform.s3_download:
    bucket: tf_trained_model
    prefix: training-kX9_2Qa-b/
    dest: "{{ playbook_dir }}/ffdl-training-results"
    exclude: ["_submitted_code/*"]
    endpoint_url: http://192.0.2.10:31001
    access_key: test
    secret_key: "{{ s3_secret }}"
"""

RETURN = r"""
listed:
  description: Every key under I(prefix), as listed.
  returned: always
  type: list
  elements: str
fetched:
  description: The keys downloaded (in check mode, that would be).
  returned: always
  type: list
  elements: str
kept:
  description: The keys whose file was already on the host.
  returned: always
  type: list
  elements: str
"""

import fnmatch
import os
import tempfile

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

from ansible.module_utils.common.text.converters import to_native
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.s3 import s3_extra_params
from ansible_collections.ffdl.platform.plugins.module_utils.s3_listing import LISTING_ARGS, list_objects


def plan(keys, prefix, dest, exclude, exists=os.path.exists):
    """(to fetch, kept, refused): each key to download with its local path, the ones already there, and keys that
    would land outside ``dest`` (an absolute key or one with ``..``)."""
    to_fetch, kept, refused = [], [], []
    root = os.path.abspath(dest)
    for key in keys:
        relative = key[len(prefix) :] if key.startswith(prefix) else key
        if key.endswith("/") or any(fnmatch.fnmatchcase(relative, pattern) for pattern in exclude):
            continue
        path = os.path.abspath(os.path.join(root, key))
        if not path.startswith(root + os.sep):
            refused.append(key)
        elif exists(path):
            kept.append(key)
        else:
            to_fetch.append((key, path))
    return to_fetch, kept, refused


def list_keys(client, bucket, prefix):
    return [entry["Key"] for entry in list_objects(client, bucket, prefix)]


def download(client, bucket, key, path):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    handle, tmp = tempfile.mkstemp(prefix=".s3_download.", dir=directory)
    os.close(handle)
    try:
        client.download_file(bucket, key, tmp)
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            LISTING_ARGS,
            dest=dict(type="path", required=True),
            exclude=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = module.client("s3", **s3_extra_params(p))
    try:
        keys = list_keys(client, p["bucket"], p["prefix"])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        module.fail_json_aws(error, msg="cannot list %s/%s" % (p["bucket"], p["prefix"]))
    to_fetch, kept, refused = plan(keys, p["prefix"], p["dest"], p["exclude"])
    if refused:
        module.fail_json(msg="keys that would land outside %s: %s; nothing was downloaded" % (p["dest"], refused))
    result = dict(changed=bool(to_fetch), listed=keys, fetched=[key for key, _path in to_fetch], kept=kept)
    if module._diff and to_fetch:
        result["diff"] = dict(before="", after="".join("%s\n" % path for _key, path in to_fetch))
    if not module.check_mode:
        for key, path in to_fetch:
            try:
                download(client, p["bucket"], key, path)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
                module.fail_json_aws(error, msg="cannot download %s/%s" % (p["bucket"], key))
            except (IOError, OSError) as error:
                module.fail_json(msg="cannot write %s: %s" % (path, to_native(error)))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
