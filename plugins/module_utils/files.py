# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Files a module keeps beside its work (values, manifests): written only when they differ. Python 2.7 to 3.x."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile


def write_if_changed(path, content, mode=0o600, check_mode=False):
    """Write ``content`` (bytes) to ``path`` with ``mode`` when the file differs in either; True when it does.

    ``mode`` None keeps an existing file's mode (0644 for a new one). The new content goes to a temporary file in
    the same directory first and is renamed into place, so a reader never sees half a file, and a file holding a
    secret is never readable by others, not even for a moment. ``check_mode`` says whether it would write.
    """
    try:
        current_mode = os.stat(path).st_mode & 0o7777
        with open(path, "rb") as handle:
            if handle.read() == content and mode in (None, current_mode):
                return False
        if mode is None:
            mode = current_mode
    except (IOError, OSError):
        if mode is None:
            mode = 0o644
    if check_mode:
        return True
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".%s." % os.path.basename(path))
    try:
        os.write(fd, content)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    try:
        os.rename(tmp, path)
    except OSError:
        os.unlink(tmp)
        raise
    return True
