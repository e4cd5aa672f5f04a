#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: release_binary
short_description: Install a pinned binary from a checksum-verified release archive
version_added: 0.1.0
description:
  - Ensures the binaries of a release archive (C(.tar.gz)/C(.tgz)) are installed in I(bin_dir) at I(version).
  - Does nothing when the installed binary already reports I(version).
  - Otherwise downloads the archive from I(url) (a release asset or a mirror) or takes I(src) (a local archive on
    the target, for air-gapped hosts), verifies its SHA-256 against I(checksum) or the digest published at
    I(checksum_url) before anything is installed, extracts the wanted members, checks the extracted binary reports
    I(version), and moves each binary into place with an atomic rename.
  - This is the one download path of the collection; the minishift and helm roles use it.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  name:
    description: The binary whose version decides whether to install, as installed in I(bin_dir).
    type: str
    required: true
  version:
    description: Version to install, without a leading C(v) (C(1.34.3)).
    type: str
    required: true
  url:
    description: URL of the release archive. Mutually exclusive with I(src).
    type: str
  src:
    description: Path of the release archive on the target. Mutually exclusive with I(url).
    type: path
  checksum:
    description: Expected SHA-256 of the archive, as C(sha256:<hex>) or bare hex. Wins over I(checksum_url).
    type: str
  checksum_url:
    description:
      - URL of the published digest. Minishift's and Helm's C(.sha256) files hold only the bare hex digest;
        C(sha256sum)-style lines (C(<hex>  <file>)) are read too, picking the line for the archive's file name.
    type: str
  binaries:
    description:
      - Archive members to install, by base name, mapped to the file name to install them as.
      - "Defaults to C({<name>: <name>})."
    type: dict
  bin_dir:
    description: Directory the binaries are installed in.
    type: path
    default: /usr/local/bin
  create_bin_dir:
    description:
      - Create I(bin_dir) and its parents (mode 0755) when it does not exist, instead of failing (a fresh account's
        C(~/.local/bin)).
    type: bool
    default: false
    version_added: 0.3.0
  version_args:
    description: Arguments that make I(name) print its version.
    type: list
    elements: str
    default: [version]
  version_regex:
    description: Regular expression whose first group is the version in that output.
    type: str
    default: 'v?(\d+\.\d+\.\d+)'
  mode:
    description: Permissions of the installed binaries.
    type: str
    default: "0755"
  force:
    description: Install even when the installed binary reports I(version).
    type: bool
    default: false
  timeout:
    description: Timeout in seconds for each download.
    type: int
    default: 60
  validate_certs:
    description: Verify TLS certificates of I(url) and I(checksum_url).
    type: bool
    default: true
extends_documentation_fragment:
  - ffdl.platform.proxy
  - ffdl.platform.attributes
notes:
  - A checksum mismatch or a download failure fails the task before anything in I(bin_dir) changes.
"""

EXAMPLES = r"""
- name: Install Minishift 1.34.3 from its GitHub release, checked against the published digest
  ffdl.platform.release_binary:
    name: minishift
    version: 1.34.3
    url: https://github.com/minishift/minishift/releases/download/v1.34.3/minishift-1.34.3-linux-amd64.tgz
    checksum_url: https://github.com/minishift/minishift/releases/download/v1.34.3/minishift-1.34.3-linux-amd64.tgz.sha256

- name: Install Helm 2.17.0 and Tiller from an archive copied to an air-gapped host
  ffdl.platform.release_binary:
    name: helm
    version: 2.17.0
    src: /srv/artifacts/helm-v2.17.0-linux-amd64.tar.gz
    checksum: "sha256:{{ helm_archive_sha256 }}"
    binaries:
      helm: helm
      tiller: tiller
    version_args: [version, --client, --short]
"""

RETURN = r"""
version_before:
  description: Version the installed binary reported before the task; null when it was missing.
  returned: always
  type: str
  sample: 1.34.2
version:
  description: Version installed after the task (the requested one).
  returned: always
  type: str
  sample: 1.34.3
sha256:
  description: SHA-256 of the archive that was installed; null when nothing was downloaded.
  returned: always
  type: str
installed:
  description: Paths of the installed binaries.
  returned: always
  type: list
  elements: str
  sample: [/usr/local/bin/minishift]
"""

import os
import re
import shutil
import tarfile
import tempfile
from contextlib import closing

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.ffdl.platform.plugins.module_utils.download import (
    PROXY_ARGS,
    DownloadError,
    fetch_text,
    fetch_to,
    file_digest,
)

HEX64 = re.compile(r"\b([0-9a-fA-F]{64})\b")


def parse_digest(text, filename):
    """The SHA-256 in a published checksum file: a bare digest, or the sha256sum line for ``filename``."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        match = HEX64.search(line)
        if match and (len(lines) == 1 or (filename and filename in line)):
            return match.group(1).lower()
    return None


def installed_version(module, path, args, regex):
    if not os.path.exists(path):
        return None
    rc, out, err = module.run_command([path] + list(args))
    match = re.search(regex, out + "\n" + err)
    return match.group(1) if rc == 0 and match else None


def extract(module, archive, members, workdir):
    """Write each wanted regular-file member (by base name) into workdir; return {basename: path}."""
    found = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for info in tar.getmembers():
                base = os.path.basename(info.name)
                if base not in members or not info.isfile():
                    continue
                if base in found:
                    module.fail_json(msg="archive has more than one member named %s" % base)
                target = os.path.join(workdir, base)
                # closing(): Python 2.7's member file has no __exit__ (EL7's Python)
                with closing(tar.extractfile(info)) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
                found[base] = target
    except (tarfile.TarError, OSError) as exc:
        module.fail_json(msg="cannot read the archive %s: %s; nothing was installed" % (archive, to_native(exc)))
    missing = sorted(set(members) - set(found))
    if missing:
        module.fail_json(msg="the archive has no member named %s; nothing was installed" % ", ".join(missing))
    return found


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        version=dict(type="str", required=True),
        url=dict(type="str"),
        src=dict(type="path"),
        checksum=dict(type="str"),
        checksum_url=dict(type="str"),
        binaries=dict(type="dict"),
        bin_dir=dict(type="path", default="/usr/local/bin"),
        create_bin_dir=dict(type="bool", default=False),
        version_args=dict(type="list", elements="str", default=["version"]),
        version_regex=dict(type="str", default=r"v?(\d+\.\d+\.\d+)"),
        mode=dict(type="str", default="0755"),
        force=dict(type="bool", default=False),
        timeout=dict(type="int", default=60),
        validate_certs=dict(type="bool", default=True),
    )
    argument_spec.update(PROXY_ARGS)
    module = AnsibleModule(
        argument_spec=argument_spec,
        required_one_of=[("url", "src"), ("checksum", "checksum_url")],
        mutually_exclusive=[("url", "src")],
        supports_check_mode=True,
    )
    p = module.params
    want = p["version"].lstrip("v")
    binaries = p["binaries"] or {p["name"]: p["name"]}
    if p["name"] not in binaries.values():
        module.fail_json(msg="binaries must install a file named %s (the name option)" % p["name"])
    try:
        mode = int(p["mode"], 8)
    except ValueError:
        module.fail_json(msg="mode must be octal, like 0755, not %s" % p["mode"])
    bin_dir = p["bin_dir"]
    primary = os.path.join(bin_dir, p["name"])
    targets = [os.path.join(bin_dir, dest) for dest in binaries.values()]

    before = installed_version(module, primary, p["version_args"], p["version_regex"])
    result = dict(changed=False, version_before=before, version=want, sha256=None, installed=targets)
    up_to_date = before == want and all(os.path.exists(t) for t in targets) and not p["force"]
    if module._diff:
        result["diff"] = dict(
            before="%s: %s\n" % (p["name"], before), after="%s: %s\n" % (p["name"], before if up_to_date else want)
        )
    if up_to_date:
        module.exit_json(**result)
    if module.check_mode:
        result["changed"] = True
        module.exit_json(**result)

    if not os.path.isdir(bin_dir) and not p["create_bin_dir"]:
        module.fail_json(msg="bin_dir %s does not exist" % bin_dir, **result)
    archive_name = os.path.basename(p["src"] or p["url"].split("?", 1)[0])
    try:
        if p["checksum"]:
            expected = p["checksum"].split(":", 1)[-1].strip().lower()
        else:
            expected = parse_digest(fetch_text(module, p["checksum_url"], p["timeout"]), archive_name)
            if expected is None:
                module.fail_json(msg="no SHA-256 digest for %s in %s" % (archive_name, p["checksum_url"]), **result)
    except DownloadError as exc:
        result["msg"] = "%s; nothing was installed" % to_native(exc)
        module.fail_json(**result)
    if not re.match(r"^[0-9a-f]{64}$", expected):
        module.fail_json(msg="checksum must be a SHA-256 (64 hex digits), got %s" % expected, **result)

    workdir = tempfile.mkdtemp(prefix="release_binary.", dir=module.tmpdir)
    archive = os.path.join(workdir, archive_name)
    if p["src"]:
        if not os.path.isfile(p["src"]):
            module.fail_json(msg="src %s does not exist" % p["src"], **result)
        shutil.copyfile(p["src"], archive)
        actual = file_digest(archive)
    else:
        try:
            with open(archive, "wb") as handle:
                actual = fetch_to(module, p["url"], handle, p["timeout"])
        except DownloadError as exc:
            result["msg"] = "%s; nothing was installed" % to_native(exc)
            module.fail_json(**result)
    if actual != expected:
        result["msg"] = "checksum mismatch for %s: expected sha256 %s, got %s; nothing was installed" % (
            p["src"] or p["url"],
            expected,
            actual,
        )
        module.fail_json(**result)
    result["sha256"] = actual

    extracted = extract(module, archive, binaries, workdir)
    for path in extracted.values():
        os.chmod(path, mode)
    primary_member = next(k for k, v in binaries.items() if v == p["name"])
    got = installed_version(module, extracted[primary_member], p["version_args"], p["version_regex"])
    if got != want:
        module.fail_json(
            msg="the archive's %s reports version %s, not %s; nothing was installed" % (p["name"], got, want), **result
        )
    # only what was verified creates anything: the directory too
    if not os.path.isdir(bin_dir):
        try:
            os.makedirs(bin_dir, 0o755)
        except OSError as exc:
            module.fail_json(msg="cannot create bin_dir %s: %s" % (bin_dir, to_native(exc)), **result)
    # atomic_move renames into place from a file in the destination directory
    for base, dest in binaries.items():
        target = os.path.join(bin_dir, dest)
        module.atomic_move(extracted[base], target)
        os.chmod(target, mode)
    result["changed"] = True
    module.exit_json(**result)


if __name__ == "__main__":
    main()
