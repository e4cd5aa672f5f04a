#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: verified_file
short_description: Ensure a file with a known checksum, from the first mirror that serves it or a local copy
version_added: 0.1.0
description:
  - Ensures I(dest) exists with I(checksum). Nothing is downloaded when it already does, so a cache directory makes
    re-runs free.
  - Otherwise tries each of I(urls) in order (a dead or wrong mirror falls through to the next) or copies I(src), and
    verifies the checksum while writing, before the file is moved into place; a file that does not match is never
    installed, whichever mirror it came from.
  - The download path ffdl.platform.release_binary also uses (module_utils C(download)); the training role fetches
    its data set with it.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  dest:
    description: Where the file is kept.
    type: path
    required: true
  checksum:
    description: Expected checksum, C(<algorithm>:<hex>) with md5, sha1, sha256 or sha512; bare hex means sha256.
    type: str
    required: true
  urls:
    description: Mirrors, tried in order. Mutually exclusive with I(src).
    type: list
    elements: str
    default: []
  src:
    description: A local copy to take instead (also verified). Mutually exclusive with I(urls).
    type: path
  mode:
    description: Permissions of I(dest).
    type: str
    default: "0644"
  timeout:
    description: Seconds each download may take.
    type: int
    default: 60
  validate_certs:
    description: Verify TLS certificates of I(urls).
    type: bool
    default: true
extends_documentation_fragment:
  - ffdl.platform.attributes
notes:
  - Python 2.7 and 3.6 compatible.
seealso:
  - module: ffdl.platform.release_binary
  - module: ansible.builtin.get_url
"""

EXAMPLES = r"""
- name: Get MNIST's training images from the first mirror that has them
  ffdl.platform.verified_file:
    dest: ~/.cache/ffdl-platform/mnist/train-images-idx3-ubyte.gz
    checksum: md5:f68b3c2dcbeaaa9fbdd348bbdeb94873
    urls:
      - http://yann.lecun.com/exdb/mnist/train-images-idx3-ubyte.gz
      - https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz
"""

RETURN = r"""
dest:
  description: The file's path.
  returned: always
  type: str
source:
  description: The URL or local path the file came from; null when it was already there.
  returned: always
  type: str
attempts:
  description: What each URL tried gave, in order (C(ok), and C(error) for the ones that failed).
  returned: always
  type: list
  elements: dict
checksum:
  description: The verified checksum, C(<algorithm>:<hex>).
  returned: always
  type: str
upload_etag:
  description:
    - The ETag S3 gives the file when amazon.aws.s3_object uploads it (boto3's defaults) - its MD5 up to 8 MiB,
      else the multipart form C(<md5 of the parts' md5s>-<parts>) - so a caller can tell from one bucket listing
      whether the object in place is this file.
  returned: when the file is in place (not in check mode before it is fetched)
  type: str
  sample: 4c0d9d9ebd1e4c2f6e0c4f2a5c3d1b7e-4
"""

import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.ffdl.platform.plugins.module_utils.download import (
    DownloadError,
    fetch_verified,
    file_digest,
    parse_checksum,
    upload_etag,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dest=dict(type="path", required=True),
            checksum=dict(type="str", required=True),
            urls=dict(type="list", elements="str", default=[]),
            src=dict(type="path"),
            mode=dict(type="str", default="0644"),
            timeout=dict(type="int", default=60),
            validate_certs=dict(type="bool", default=True),
        ),
        mutually_exclusive=[("urls", "src")],
        required_one_of=[("urls", "src")],
        supports_check_mode=True,
    )
    p = module.params
    checksum = parse_checksum(p["checksum"])
    if checksum is None:
        module.fail_json(msg="checksum must be <md5|sha1|sha256|sha512>:<hex digits>, got %r" % p["checksum"])
    algo, want = checksum
    bad_urls = [u for u in p["urls"] if not u.startswith(("http://", "https://", "file://"))]
    if bad_urls:
        module.fail_json(msg="urls must be http(s):// or file:// URLs: %s" % ", ".join(bad_urls))
    dest = p["dest"]
    result = dict(changed=False, dest=dest, source=None, attempts=[], checksum="%s:%s" % (algo, want))
    if os.path.isfile(dest) and file_digest(dest, algo) == want:
        module.exit_json(upload_etag=upload_etag(dest), **result)
    result["changed"] = True
    if module._diff:
        result["diff"] = dict(
            before="%s: %s\n" % (dest, "present, other content" if os.path.exists(dest) else "absent"),
            after="%s: %s:%s\n" % (dest, algo, want),
        )
    if module.check_mode:
        module.exit_json(**result)

    directory = os.path.dirname(dest) or "."
    if not os.path.isdir(directory):
        os.makedirs(directory)
    handle, tmp = tempfile.mkstemp(prefix=".verified_file.", dir=directory)
    os.close(handle)
    try:
        if p["src"]:
            if not os.path.isfile(p["src"]):
                module.fail_json(msg="src %s does not exist" % p["src"], **result)
            shutil.copyfile(p["src"], tmp)
            got = file_digest(tmp, algo)
            if got != want:
                result["msg"] = "checksum mismatch for %s: %s %s, expected %s; %s was not written" % (
                    p["src"],
                    algo,
                    got,
                    want,
                    dest,
                )
                module.fail_json(**result)
            result["source"] = p["src"]
        else:
            try:
                result["source"], result["attempts"] = fetch_verified(module, p["urls"], tmp, checksum, p["timeout"])
            except DownloadError as exc:
                result["msg"] = "%s; %s was not written" % (to_native(exc), dest)
                module.fail_json(**result)
        os.chmod(tmp, int(p["mode"], 8))
        module.atomic_move(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    module.exit_json(upload_etag=upload_etag(dest), **result)


if __name__ == "__main__":
    main()
