#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: yum_vault
short_description: Point CentOS 7's stock yum repositories at the vault once their mirrors are gone
version_added: 0.1.0
description:
  - CentOS 7 reached its end of life on 2024-06-30; its mirrorlist service and mirrors were taken down, so a stock
    C(yum install) fails ("Could not resolve host - mirrorlist.centos.org") until the repositories point at the vault,
    where 7.9.2009 is archived.
  - With I(mode=auto) (the default) each enabled repository of I(repositories) in I(repo_file) is probed first (its
    mirrorlist, or its baseurl's C(repodata/repomd.xml)); only repositories that do not answer are switched, so a
    healthy host (a local mirror, a RHEL-like rebuild) is left alone. I(mode=vault) switches without probing.
  - Switching comments out C(mirrorlist=) and sets C(baseurl=<vault_base_url>/<release>/<os|updates|extras>/$basearch/),
    keeping the rest of the file (comments, gpgkey, other repositories) as it is.
  - Python 2.7 compatible, since it runs before any other interpreter can be installed on a fresh EL7 host.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  repo_file:
    description: The .repo file holding the repositories.
    type: path
    default: /etc/yum.repos.d/CentOS-Base.repo
  repositories:
    description: Sections of I(repo_file) to consider.
    type: list
    elements: str
    default: [base, updates, extras]
  mode:
    description:
      - C(auto) switches the repositories that do not answer, C(vault) switches them all, C(keep) changes nothing.
    type: str
    default: auto
    choices: [auto, vault, keep]
  vault_base_url:
    description: Where the vault is; a mirror with the same layout works.
    type: str
    default: https://vault.centos.org
  release:
    description: The archived release the repositories point at.
    type: str
    default: 7.9.2009
  timeout:
    description: Seconds each probe may take.
    type: int
    default: 10
extends_documentation_fragment:
  - ffdl.platform.proxy
  - ffdl.platform.attributes
notes:
  - Runs only where I(repo_file) exists; elsewhere it reports nothing to do.
seealso:
  - module: ansible.builtin.yum_repository
"""

EXAMPLES = r"""
- name: Switch CentOS 7's repositories to the vault when the mirrors are gone
  ffdl.platform.yum_vault:
  when:
    - ansible_facts['distribution'] == 'CentOS'
    - ansible_facts['distribution_major_version'] == '7'

- name: Use a local copy of the vault, without probing
  ffdl.platform.yum_vault:
    mode: vault
    vault_base_url: http://mirror.example.internal/centos-vault
"""

RETURN = r"""
switched:
  description: Repositories pointed at the vault (or, in check mode, that would be).
  returned: always
  type: list
  elements: str
  sample: [base, updates, extras]
probes:
  description: Per repository considered, the URL probed and whether it answered.
  returned: always
  type: dict
  sample: {"base": {"url": "http://mirrorlist.centos.org/?release=7&arch=x86_64&repo=os&infra=stock", "ok": false}}
baseurls:
  description: The baseurl each switched repository got.
  returned: always
  type: dict
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import fetch_url
from ansible_collections.ffdl.platform.plugins.module_utils.download import PROXY_ARGS, proxy_environment
from ansible_collections.ffdl.platform.plugins.module_utils.yum_repo_file import (
    enabled,
    expand,
    point_at,
    repo_dir,
    sections,
)


def probe(module, url):
    """(answered, detail) for a mirrorlist or a repository's repomd.xml."""
    with proxy_environment(module.params):
        response, info = fetch_url(module, url, timeout=module.params["timeout"])
    if response is None or info.get("status") != 200:
        return False, "%s (HTTP status %s)" % (info.get("msg", "no response"), info.get("status"))
    body = response.read(65536)
    if b"mirrorlist" in url.encode("utf-8") and b"://" not in body:
        return False, "the mirrorlist names no mirror"
    return True, "HTTP 200"


def main():
    argument_spec = dict(
        repo_file=dict(type="path", default="/etc/yum.repos.d/CentOS-Base.repo"),
        repositories=dict(type="list", elements="str", default=["base", "updates", "extras"]),
        mode=dict(type="str", default="auto", choices=["auto", "vault", "keep"]),
        vault_base_url=dict(type="str", default="https://vault.centos.org"),
        release=dict(type="str", default="7.9.2009"),
        timeout=dict(type="int", default=10),
    )
    argument_spec.update(PROXY_ARGS)
    module = AnsibleModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )
    p = module.params
    result = dict(changed=False, switched=[], probes={}, baseurls={})
    if p["mode"] == "keep" or not os.path.isfile(p["repo_file"]):
        module.exit_json(**result)
    if not p["vault_base_url"].startswith(("http://", "https://", "file://")):
        module.fail_json(msg="vault_base_url must be an http(s):// or file:// URL, got %s" % p["vault_base_url"])
    with open(p["repo_file"]) as handle:
        before = handle.read()
    found = sections(before)
    variables = {"releasever": p["release"].split(".")[0], "basearch": platform.machine() or "x86_64", "infra": "stock"}
    vault = p["vault_base_url"].rstrip("/")
    after = before
    for name in p["repositories"]:
        settings = found.get(name)
        if settings is None or not enabled(settings):
            continue
        target = "%s/%s/%s/$basearch/" % (vault, p["release"], repo_dir(settings, name))
        if settings.get("baseurl") == target and "mirrorlist" not in settings:
            continue
        if p["mode"] == "auto":
            if settings.get("mirrorlist"):
                url = expand(settings["mirrorlist"], variables)
            else:
                url = expand(settings.get("baseurl", "").split()[0].rstrip("/"), variables) + "/repodata/repomd.xml"
            ok, detail = probe(module, url)
            result["probes"][name] = {"url": url, "ok": ok, "detail": detail}
            if ok:
                continue
        after = point_at(after, name, target)
        result["switched"].append(name)
        result["baseurls"][name] = target
    if after != before:
        result["changed"] = True
        if module._diff:
            result["diff"] = dict(before=before, after=after, before_header=p["repo_file"], after_header=p["repo_file"])
        if not module.check_mode:
            module.backup_local(p["repo_file"])
            tmp = p["repo_file"] + ".ffdl-tmp"
            with open(tmp, "w") as handle:
                handle.write(after)
            module.atomic_move(tmp, p["repo_file"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
