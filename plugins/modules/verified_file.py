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
  - I(files) ensures several files in one module run (a data set's files), each as I(dest), I(checksum), I(urls)
    and I(src) describe one.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  dest:
    description: Where the file is kept. One of I(dest) and I(files) is required.
    type: path
  checksum:
    description:
      - Expected checksum, C(<algorithm>:<hex>) with md5, sha1, sha256 or sha512; bare hex means sha256.
      - Required with I(dest).
      - Empty when none is known yet (an unresolved entry of the lock file, a repository's signing key) - the file is
        then fetched once, when it is missing, and kept, as M(ansible.builtin.get_url) without a checksum does
        (RV(verified) false).
    type: str
  urls:
    description: Mirrors, tried in order. Mutually exclusive with I(src).
    type: list
    elements: str
    default: []
  src:
    description: A local copy to take instead (also verified). Mutually exclusive with I(urls).
    type: path
  files:
    description: Several files, in one module run; RV(files) returns each one's result.
    type: list
    elements: dict
    version_added: 0.3.0
    suboptions:
      dest:
        description: Where the file is kept.
        type: path
        required: true
      checksum:
        description: Expected checksum, as I(checksum).
        type: str
        required: true
      urls:
        description: Mirrors, tried in order.
        type: list
        elements: str
        default: []
      src:
        description: A local copy to take instead.
        type: path
      name:
        description: A name for the file in RV(files) (default its base name).
        type: str
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
  - ffdl.platform.proxy
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

- name: Get a data set's files in one module run
  ffdl.platform.verified_file:
    files:
      - dest: ~/.cache/ffdl-platform/mnist/train-labels-idx1-ubyte.gz
        checksum: md5:d53e105ee54ea40749a09fcbcd1e9432
        urls: [https://ossci-datasets.s3.amazonaws.com/mnist/train-labels-idx1-ubyte.gz]
      - dest: ~/.cache/ffdl-platform/mnist/t10k-labels-idx1-ubyte.gz
        checksum: md5:ec29112dd5afa0611ce80d1b7f02629c
        urls: [https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz]
"""

RETURN = r"""
files:
  description: With I(files), each file's result (C(name), C(changed) and the keys below), in order.
  returned: with I(files)
  type: list
  elements: dict
dest:
  description: The file's path.
  returned: with I(dest)
  type: str
source:
  description: The URL or local path the file came from; null when it was already there.
  returned: with I(dest)
  type: str
attempts:
  description: What each URL tried gave, in order (C(ok), and C(error) for the ones that failed).
  returned: with I(dest)
  type: list
  elements: dict
checksum:
  description: The verified checksum, C(<algorithm>:<hex>); null without one.
  returned: with I(dest)
  type: str
verified:
  description: False when no checksum was given (the file was taken as it came, or kept).
  returned: with I(dest) and an empty I(checksum)
  type: bool
  version_added: 0.4.0
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
    PROXY_ARGS,
    DownloadError,
    fetch_to,
    fetch_verified,
    file_digest,
    parse_checksum,
    upload_etag,
)


def temporary_beside(dest):
    """(handle, path) of a new temporary file in ``dest``'s directory (made when missing), for an atomic rename."""
    directory = os.path.dirname(dest) or "."
    if not os.path.isdir(directory):
        os.makedirs(directory)
    return tempfile.mkstemp(prefix=".verified_file.", dir=directory)


def ensure_unverified(module, spec, mode, timeout):
    """A file no checksum is known for yet (an unresolved lock entry): fetched once, when missing, as
    ansible.builtin.get_url without a checksum does; a re-run keeps what is there."""
    dest = spec["dest"]
    result = dict(changed=False, dest=dest, source=None, attempts=[], checksum=None, verified=False)
    if os.path.isfile(dest):
        return result
    result["changed"] = True
    if module.check_mode:
        return result
    handle, tmp = temporary_beside(dest)
    try:
        with os.fdopen(handle, "wb") as out:
            if spec.get("src"):
                with open(spec["src"], "rb") as source:
                    shutil.copyfileobj(source, out)
                result["source"] = spec["src"]
            else:
                errors = []
                for url in spec.get("urls") or []:
                    try:
                        fetch_to(module, url, out, timeout)
                        result["source"] = url
                        break
                    except DownloadError as exc:
                        errors.append(to_native(exc))
                        out.seek(0)
                        out.truncate()
                if result["source"] is None:
                    raise Failed(dict(result, msg="%s; %s was not written" % ("; ".join(errors) or "no urls", dest)))
        os.chmod(tmp, mode)
        module.atomic_move(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return result


class Failed(Exception):
    """One file could not be ensured; ``result`` says how far it got."""

    def __init__(self, result):
        super(Failed, self).__init__(result["msg"])
        self.result = result


def ensure(module, spec, mode, timeout):
    """Ensure one file (spec: dest, checksum, urls, src); its result, or Failed."""
    if not spec["checksum"]:
        return ensure_unverified(module, spec, mode, timeout)
    checksum = parse_checksum(spec["checksum"])
    if checksum is None:
        raise Failed(dict(msg="checksum must be <md5|sha1|sha256|sha512>:<hex digits>, got %r" % spec["checksum"]))
    algo, want = checksum
    urls = spec.get("urls") or []
    if not urls and not spec.get("src"):
        raise Failed(dict(msg="%s: one of urls and src is required" % spec["dest"]))
    if urls and spec.get("src"):
        raise Failed(dict(msg="%s: urls and src are mutually exclusive" % spec["dest"]))
    bad_urls = [u for u in urls if not u.startswith(("http://", "https://", "file://"))]
    if bad_urls:
        raise Failed(dict(msg="urls must be http(s):// or file:// URLs: %s" % ", ".join(bad_urls)))
    dest = spec["dest"]
    result = dict(changed=False, dest=dest, source=None, attempts=[], checksum="%s:%s" % (algo, want))
    if os.path.isfile(dest) and file_digest(dest, algo) == want:
        result["upload_etag"] = upload_etag(dest)
        return result
    result["changed"] = True
    if module._diff:
        result["diff"] = dict(
            before="%s: %s\n" % (dest, "present, other content" if os.path.exists(dest) else "absent"),
            after="%s: %s:%s\n" % (dest, algo, want),
        )
    if module.check_mode:
        return result

    handle, tmp = temporary_beside(dest)
    os.close(handle)
    try:
        if spec.get("src"):
            if not os.path.isfile(spec["src"]):
                result["msg"] = "src %s does not exist" % spec["src"]
                raise Failed(result)
            shutil.copyfile(spec["src"], tmp)
            got = file_digest(tmp, algo)
            if got != want:
                result["msg"] = "checksum mismatch for %s: %s %s, expected %s; %s was not written" % (
                    spec["src"],
                    algo,
                    got,
                    want,
                    dest,
                )
                raise Failed(result)
            result["source"] = spec["src"]
        else:
            try:
                result["source"], result["attempts"] = fetch_verified(module, urls, tmp, checksum, timeout)
            except DownloadError as exc:
                result["msg"] = "%s; %s was not written" % (to_native(exc), dest)
            if "msg" in result:
                raise Failed(result)
        os.chmod(tmp, mode)
        module.atomic_move(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    result["upload_etag"] = upload_etag(dest)
    return result


def main():
    argument_spec = dict(
        dest=dict(type="path"),
        checksum=dict(type="str"),
        urls=dict(type="list", elements="str", default=[]),
        src=dict(type="path"),
        files=dict(
            type="list",
            elements="dict",
            options=dict(
                dest=dict(type="path", required=True),
                checksum=dict(type="str", required=True),
                urls=dict(type="list", elements="str", default=[]),
                src=dict(type="path"),
                name=dict(type="str"),
            ),
        ),
        mode=dict(type="str", default="0644"),
        timeout=dict(type="int", default=60),
        validate_certs=dict(type="bool", default=True),
    )
    argument_spec.update(PROXY_ARGS)
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("urls", "src"), ("dest", "files")],
        required_one_of=[("dest", "files")],
        required_by={"dest": ("checksum",)},
        supports_check_mode=True,
    )
    p = module.params
    try:
        mode = int(p["mode"], 8)
    except ValueError:
        module.fail_json(msg="mode must be octal, like 0644, not %s" % p["mode"])
    if p["files"] is None:
        try:
            module.exit_json(**ensure(module, p, mode, p["timeout"]))
        except Failed as failure:
            module.fail_json(**failure.result)
    results = []
    for spec in p["files"]:
        try:
            one = ensure(module, spec, mode, p["timeout"])
        except Failed as failure:
            module.fail_json(msg="%s: %s" % (spec["name"] or os.path.basename(spec["dest"]), failure), files=results)
        one["name"] = spec["name"] or os.path.basename(spec["dest"])
        results.append(one)
    outcome = dict(changed=any(r["changed"] for r in results), files=results)
    if module._diff:
        outcome["diff"] = [r.pop("diff") for r in results if "diff" in r]
    module.exit_json(**outcome)


if __name__ == "__main__":
    main()
