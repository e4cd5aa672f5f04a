# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.no_proxy: what stays direct behind a proxy - the user's list and what the roles know."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

try:  # Python 3 (the controller)
    from urllib.parse import urlparse
except ImportError:  # pragma: no cover
    from urlparse import urlparse  # type: ignore

# Always direct: this machine, OpenShift 3.11's service network (Minishift's registry at 172.30.1.1 among it) and
# the cluster's own names. Minishift's own defaults (pkg/util/proxy.go) are localhost, 127.0.0.1 and 172.30.1.1.
ALWAYS = ["localhost", "127.0.0.1", "172.30.0.0/16", "172.30.1.1", ".svc", ".cluster.local"]


def no_proxy(user, addresses=None, urls=None):
    """``user``'s entries first, then ALWAYS, the ``addresses`` (the node, the Minishift host) and the hosts of
    ``urls`` (the API server, FfDL's endpoints), each once; empty values are skipped."""
    if not isinstance(user, (list, tuple)):
        raise AnsibleFilterError("no_proxy takes downloads_no_proxy, a list")
    out = []
    for item in list(user) + ALWAYS + list(addresses or []) + [urlparse(u).hostname for u in urls or [] if u]:
        item = str(item or "").strip()
        if item and item not in out:
            out.append(item)
    return out


def no_proxy_covers(host, entries):
    """True when ``host`` is one of ``entries``, under one of its ``.domain`` suffixes or in one of its CIDRs."""
    import ipaddress

    host = str(host or "").lower().strip("[]")
    for item in entries or []:
        item = str(item).strip().lower()
        if not item:
            continue
        if item == "*":
            return True
        if "/" in item:
            try:
                if ipaddress.ip_address(host) in ipaddress.ip_network(item, strict=False):
                    return True
            except ValueError:
                pass
            continue
        if host == item.lstrip(".") or host.endswith(item if item.startswith(".") else "." + item):
            return True
    return False


class FilterModule(object):
    def filters(self):
        return {"no_proxy": no_proxy, "no_proxy_covers": no_proxy_covers}
