# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The proxy options of the modules that download (ffdl.platform.downloads' variables).
    DOCUMENTATION = r"""
options:
  http_proxy:
    description:
      - Proxy for C(http://) downloads, C(http://[user:password@]host:port). Hidden in output (no_log); set in the
        module's own environment only while it downloads, never on a command line or in the task's environment.
      - Empty leaves the environment as it is (a proxy the environment of the connection already sets is used).
    type: str
    default: ""
    version_added: 0.4.0
  https_proxy:
    description: Proxy for C(https://) downloads, as I(http_proxy).
    type: str
    default: ""
    version_added: 0.4.0
  no_proxy:
    description: Hosts, C(.domain) suffixes and addresses reached directly when a proxy is set.
    type: list
    elements: str
    default: []
    version_added: 0.4.0
"""
