#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: package_set
short_description: The files that installing some packages would download on this host, with their checksums
version_added: 0.4.0
description:
  - On a reference host of a platform (a fresh install of the release that reaches its repositories), lists every
    package file that installing I(names) would download - the packages and every dependency the host lacks - with
    its URL, size and checksum as the host's own repositories publish them. Installs nothing.
  - C(make lock) (playbooks/lock.yml) writes the result into the lock file's package set for the platform; the
    offline bundle then holds exactly these files, indexed as a repository.
  - Debian family - C(apt-get install --print-uris) for the closure (with the recommended packages, which apt
    installs by default and the roles do not turn off), C(apt-cache show) for each file's SHA-256 from the signed
    indexes. RedHat family (EL7's Python 2.7) - yum's own dependency resolution through its Python
    API, each package's URL and checksum from the repository metadata.
  - No library module lists this; M(ansible.builtin.package_facts) reads what is installed, not what an install
    would fetch.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  names:
    description: Packages to install, as the roles name them.
    type: list
    elements: str
    required: true
  update_cache:
    description: Refresh the package lists first (the reference host's lists may be older than its repositories).
    type: bool
    default: true
extends_documentation_fragment:
  - ffdl.platform.attributes.INFO_MODULE
notes:
  - The RedHat family path is written for EL7's yum and Python 2.7 and is not run by the test bed (no EL7 host
    can be had there).
"""

EXAMPLES = r"""
- name: Resolve the Minishift host's packages on a fresh CentOS 7 machine
  ffdl.platform.package_set:
    names: [docker, firewalld, net-tools, s3fs-fuse, fuse]
  become: true
  register: centos7_packages
"""

RETURN = r"""
files:
  description: Each file, its C(filename), C(url), C(size) and C(checksum) (C(<algorithm>:<hex>)).
  returned: always
  type: list
  elements: dict
platform:
  description: C(<distribution>-<major version>), the lock file's platform key.
  returned: always
  type: str
  sample: CentOS-7
"""

import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

URI_LINE = re.compile(
    r"^'(?P<url>[^']+)'\s+(?P<filename>\S+)\s+(?P<size>\d+)\s+(?P<algo>[A-Za-z0-9]+):(?P<hex>[0-9a-fA-F]+)"
)


def parse_print_uris(text):
    """apt-get's --print-uris lines: [(url, filename, size, algo, hex)]."""
    out = []
    for line in text.splitlines():
        match = URI_LINE.match(line.strip())
        if match:
            algo = match.group("algo").lower().replace("md5sum", "md5")
            out.append(
                (
                    match.group("url"),
                    match.group("filename"),
                    int(match.group("size")),
                    algo,
                    match.group("hex").lower(),
                )
            )
    return out


def parse_sha256(text):
    """Filename base name -> SHA256 from apt-cache show paragraphs."""
    out = {}
    for paragraph in re.split(r"\n\s*\n", text):
        filename = re.search(r"(?m)^Filename:\s*(\S+)", paragraph)
        sha256 = re.search(r"(?m)^SHA256:\s*([0-9a-f]{64})", paragraph)
        if filename and sha256:
            out[filename.group(1).rsplit("/", 1)[-1]] = sha256.group(1)
    return out


def debian_files(module, names):
    env = {"DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"}
    rc, out, err = module.run_command(["apt-get", "install", "--print-uris", "-qq"] + names, environ_update=env)
    if rc != 0:
        module.fail_json(msg="apt-get cannot resolve %s: %s" % (", ".join(names), (err or out).strip()))
    uris = parse_print_uris(out)
    versions = []
    for _url, filename, _size, _algo, _hex in uris:
        parts = filename[: -len(".deb")].split("_")
        if len(parts) >= 2:
            versions.append("%s=%s" % (parts[0], parts[1].replace("%3a", ":")))
    sha256 = {}
    if versions:
        rc, out, err = module.run_command(["apt-cache", "show", "--no-all-versions"] + versions, environ_update=env)
        sha256 = parse_sha256(out) if rc == 0 else {}
    files = []
    for url, filename, size, algo, digest in uris:
        checksum = "sha256:" + sha256[filename] if filename in sha256 else "%s:%s" % (algo, digest)
        files.append({"filename": filename, "url": url, "size": size, "checksum": checksum})
    return files


def redhat_files(module, names):  # pragma: no cover - EL7 only, not in the test bed
    try:
        import yum  # EL7's own, under its Python 2.7
    except ImportError:
        module.fail_json(
            msg="the yum Python module is missing: package_set runs under the Python yum uses (EL7: /usr/bin/python)"
        )
    base = yum.YumBase()
    base.preconf.debuglevel = 0
    base.preconf.errorlevel = 0
    base.setCacheDir()
    for name in names:
        if not base.rpmdb.searchNevra(name=name):
            base.install(name=name)
    rc, messages = base.resolveDeps()
    if rc == 1:
        module.fail_json(
            msg="yum cannot resolve %s: %s" % (", ".join(names), "; ".join(to_native(m) for m in messages))
        )
    files = []
    for member in base.tsInfo.getMembers():
        if member.output_state not in (yum.constants.TS_INSTALL, yum.constants.TS_UPDATE, yum.constants.TS_TRUEINSTALL):
            continue
        po = member.po
        algo, digest = po.returnIdSum()
        files.append(
            {
                "filename": po.relativepath.rsplit("/", 1)[-1],
                "url": po.remote_url,
                "size": int(po.size),
                "checksum": "%s:%s" % (algo.lower(), digest),
            }
        )
    return files


def main():
    module = AnsibleModule(
        argument_spec=dict(
            names=dict(type="list", elements="str", required=True),
            update_cache=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    facts = module.params
    distribution, major = None, None
    try:
        with open("/etc/os-release") as handle:
            release = dict(line.strip().split("=", 1) for line in handle if "=" in line and not line.startswith("#"))
        distribution = release.get("ID", "").strip('"')
        major = release.get("VERSION_ID", "").strip('"').split(".")[0]
    except (IOError, OSError):
        module.fail_json(msg="cannot read /etc/os-release")
    family = {"debian": "Debian", "ubuntu": "Ubuntu", "centos": "CentOS", "rhel": "RedHat"}.get(distribution)
    if family is None:
        module.fail_json(msg="package_set supports Debian, Ubuntu, CentOS and RHEL, not %s" % distribution)
    if family in ("Debian", "Ubuntu"):
        if facts["update_cache"]:
            rc, out, err = module.run_command(["apt-get", "update", "-qq"], environ_update={"LC_ALL": "C"})
            if rc != 0:
                module.fail_json(msg="apt-get update failed: %s" % (err or out).strip())
        files = debian_files(module, facts["names"])
    else:
        files = redhat_files(module, facts["names"])
    module.exit_json(
        changed=False, files=sorted(files, key=lambda f: f["filename"]), platform="%s-%s" % (family, major)
    )


if __name__ == "__main__":
    main()
