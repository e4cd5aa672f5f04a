# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Parse /proc/self/mountinfo and reason about bind mounts and their propagation.

Mount points in mountinfo escape space, tab, newline and backslash as octal
(\\040, \\011, \\012, \\134); fstab uses the same escapes. The propagation of
a mount is read from its optional fields: ``shared:N`` (shared), ``master:N``
(slave), both (``shared,slave``), ``unbindable``, or none (private).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

_ESCAPE_RE = re.compile(r"\\([0-7]{3})")

PROPAGATIONS = ("shared", "slave", "private", "unbindable")


def unescape(value):
    """Undo mountinfo/fstab octal escapes (\\040 -> space)."""
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 8)), value)


def escape(value):
    """Escape a path for mountinfo/fstab fields."""
    out = []
    for char in value:
        if char in " \t\n\\":
            out.append("\\%03o" % ord(char))
        else:
            out.append(char)
    return "".join(out)


class Mount(object):
    """One line of /proc/self/mountinfo."""

    __slots__ = ("device", "fstype", "mount_id", "mount_point", "optional", "options", "parent_id", "root", "source")

    def __init__(self, mount_id, parent_id, device, root, mount_point, options, optional, fstype, source):
        self.mount_id = mount_id
        self.parent_id = parent_id
        self.device = device
        self.root = root
        self.mount_point = mount_point
        self.options = options
        self.optional = optional
        self.fstype = fstype
        self.source = source

    @property
    def propagation(self):
        """'shared', 'slave', 'shared,slave', 'unbindable' or 'private'."""
        kinds = []
        for field in self.optional:
            tag = field.split(":", 1)[0]
            if tag == "shared":
                kinds.append("shared")
            elif tag == "master":
                kinds.append("slave")
            elif tag == "unbindable":
                kinds.append("unbindable")
        return ",".join(sorted(set(kinds), key=PROPAGATIONS.index)) or "private"

    def as_dict(self):
        return {
            "mount_id": self.mount_id,
            "parent_id": self.parent_id,
            "device": self.device,
            "root": self.root,
            "mount_point": self.mount_point,
            "fstype": self.fstype,
            "source": self.source,
            "propagation": self.propagation,
        }


def parse_mountinfo(text):
    """Parse mountinfo text into Mount objects, in file order (later mounts stack on earlier ones)."""
    mounts = []
    for line in text.splitlines():
        if not line.strip():
            continue
        fields = line.split(" ")
        if "-" not in fields[6:]:
            raise ValueError("malformed mountinfo line (no separator): %r" % line)
        sep = fields.index("-", 6)
        if len(fields) < sep + 3:
            raise ValueError("malformed mountinfo line: %r" % line)
        mounts.append(
            Mount(
                mount_id=int(fields[0]),
                parent_id=int(fields[1]),
                device=fields[2],
                root=unescape(fields[3]),
                mount_point=unescape(fields[4]),
                options=fields[5],
                optional=fields[6:sep],
                fstype=fields[sep + 1],
                source=unescape(fields[sep + 2]),
            )
        )
    return mounts


def read_mountinfo(path="/proc/self/mountinfo"):
    with open(path) as handle:
        return parse_mountinfo(handle.read())


def _is_under(path, mount_point):
    if mount_point == "/":
        return path.startswith("/")
    return path == mount_point or path.startswith(mount_point.rstrip("/") + "/")


def top_mount_at(mounts, path):
    """The mount visible at exactly ``path`` (the last one stacked there), or None."""
    found = None
    for mount in mounts:
        if mount.mount_point == path:
            found = mount
    return found


def containing_mount(mounts, path, exclude_at=None):
    """The visible mount that holds ``path``: the last one whose mount point is the longest prefix.

    ``exclude_at`` ignores mounts stacked exactly at that path, to find what lies underneath.
    """
    best = None
    for mount in mounts:
        if exclude_at is not None and mount.mount_point == exclude_at:
            continue
        if _is_under(path, mount.mount_point) and (best is None or len(mount.mount_point) >= len(best.mount_point)):
            best = mount
    return best


def expected_bind_origin(mounts, src, path):
    """(device, root) a bind mount of ``src`` would show, read from the mount holding ``src``.

    When ``src`` is ``path`` itself (a bind onto itself), the holder is what lies under ``path``.
    """
    holder = containing_mount(mounts, src, exclude_at=path if src == path else None)
    if holder is None:
        return None
    rel = os.path.relpath(src, holder.mount_point)
    root = holder.root if rel == "." else os.path.normpath(os.path.join(holder.root, rel))
    return holder.device, root


def submounts(mounts, path):
    """Mounts strictly below ``path``."""
    prefix = path.rstrip("/") + "/"
    return [m for m in mounts if m.mount_point.startswith(prefix)]
