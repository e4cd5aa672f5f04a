# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: artifact
short_description: An artifact of the collection's lock file, and where the offline bundle holds it
version_added: 0.4.0
description:
  - Returns the entry of the lock file (C(meta/artifacts.lock.yml), refreshed by C(make lock)) for each artifact
    named - what it is, where it comes from, its checksum, image digest or git commit, and whether it is resolved.
  - With I(bundle), also where the offline bundle (C(make bundle)) holds its files on the controller; the bundle
    itself is unpacked and checked by ffdl.platform.bundle, which the roles run before they read it.
  - The roles' one download path (ffdl.platform.downloads) takes every download from here.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  _terms:
    description: Names of artifacts in the lock file; C(kind:<kind>) stands for every artifact of that kind.
    required: true
    type: list
    elements: str
  lock_file:
    description: The lock file; empty means the collection's own C(meta/artifacts.lock.yml).
    type: str
    default: ""
  bundle:
    description: The offline bundle (an archive or the directory it unpacks to) on the controller; empty for none.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Install Minishift with the digest the lock holds
  ffdl.platform.release_binary:
    name: minishift
    version: 1.34.3
    url: "{{ minishift_download_url }}"
    checksum: "{{ lookup('ffdl.platform.artifact', 'minishift').checksum }}"
"""

RETURN = r"""
_raw:
  description:
    - One mapping per name, the lock file's entry with C(resolved) (true when the entry can be verified and
      bundled), C(unresolved) (the keys still null) and, with I(bundle), C(bundle_files) (absolute paths of its
      files in the unpacked bundle) and C(bundle_path) (the first of them).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible_collections.ffdl.platform.plugins.plugin_utils import artifacts


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            lock = artifacts.load_lock(self.get_option("lock_file") or None)
            bundle = self.get_option("bundle")
            root = artifacts.bundle_root(bundle) if bundle else None
            out = []
            names = []
            for term in terms:
                if term.startswith("kind:"):
                    names.extend(e["name"] for e in lock["artifacts"] if e["kind"] == term[len("kind:") :])
                else:
                    names.append(term)
            for name in names:
                entry = dict(artifacts.entry(lock, name))
                entry["unresolved"] = artifacts.unresolved(entry)
                entry["resolved"] = not entry["unresolved"]
                if root:
                    paths = [root + "/" + spec["path"] for spec in artifacts.entry_files(entry)]
                    entry["bundle_files"] = paths
                    entry["bundle_path"] = paths[0] if paths else ""
                out.append(entry)
        except artifacts.LockError as exc:
            raise AnsibleLookupError(str(exc)) from None
        return out
