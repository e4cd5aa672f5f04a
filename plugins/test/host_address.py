# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.host_address: an IPv4 address or a DNS host name, one check for every role."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.six import string_types

_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def is_ipv4(value):
    """Four dot-separated numbers 0-255, no leading zeros."""
    if not isinstance(value, string_types):
        return False
    parts = value.split(".")
    return len(parts) == 4 and all(p.isdigit() and str(int(p)) == p and int(p) <= 255 for p in parts)


def is_host_address(value):
    """An IPv4 address, or a host name (RFC 1123 labels; the last one not all digits,
    so 300.1.2.3 or 10.0.0 is neither an address nor a name)."""
    if not isinstance(value, string_types) or not value or len(value) > 253:
        return False
    if is_ipv4(value):
        return True
    labels = value.rstrip(".").split(".")
    return all(_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


class TestModule(object):
    def tests(self):
        return {"host_address": is_host_address, "ipv4_address": is_ipv4}
