# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read and rewrite a yum .repo file as text, keeping its comments and order.

Used by ffdl.platform.yum_vault to point CentOS 7's stock repositories at the
vault once their mirrors are gone. Pure functions; Python 2.7 and 3.6
compatible (EL7's interpreters).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_KEY = re.compile(r"^\s*(#?)\s*([A-Za-z_]+)\s*=\s*(.*?)\s*$")


def sections(text):
    """{section: {key: value}} of the active (uncommented) settings."""
    out = {}
    current = None
    for line in text.splitlines():
        match = _SECTION.match(line)
        if match:
            current = match.group(1).strip()
            out[current] = {}
            continue
        match = _KEY.match(line)
        if current is not None and match and not match.group(1):
            out[current][match.group(2).lower()] = match.group(3)
    return out


def repo_dir(settings, name):
    """The directory a CentOS repository lives in on the mirrors (os, updates, extras, centosplus ...)."""
    mirrorlist = settings.get("mirrorlist", "")
    match = re.search(r"[?&]repo=([A-Za-z0-9_-]+)", mirrorlist)
    if match:
        return match.group(1)
    match = re.search(r"/\$releasever/([A-Za-z0-9_-]+)/\$basearch", settings.get("baseurl", ""))
    if match:
        return match.group(1)
    return {"base": "os"}.get(name, name)


def enabled(settings):
    return settings.get("enabled", "1").strip() not in ("0", "false", "no")


def expand(url, variables):
    for key, value in variables.items():
        url = url.replace("$" + key, value)
    return url


def point_at(text, section, baseurl):
    """``text`` with ``section`` using ``baseurl``: mirrorlist= commented out, one active baseurl=."""
    lines = text.splitlines(True)
    out = []
    current = None
    wrote = False
    for line in lines:
        match = _SECTION.match(line)
        if match:
            if current == section and not wrote:
                out.append("baseurl=%s\n" % baseurl)
                wrote = True
            current = match.group(1).strip()
            out.append(line)
            continue
        if current == section:
            key = _KEY.match(line)
            if key and key.group(2).lower() == "mirrorlist" and not key.group(1):
                out.append("#" + line.lstrip())
                continue
            if key and key.group(2).lower() == "baseurl":
                if not wrote:
                    out.append("baseurl=%s\n" % baseurl)
                    wrote = True
                if key.group(1):
                    out.append(line)  # keep the commented original for reference
                continue
        out.append(line)
    if current == section and not wrote:
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        out.append("baseurl=%s\n" % baseurl)
    return "".join(out)
