# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.diagnostics_archive: text files into one .tar.gz on the controller (mode 0600, atomic)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import tarfile
import tempfile
import time

from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.action import ActionBase


def write_archive(path, files, now=None):
    """Write ``files`` (member name -> text) as ``path``; returns the sorted member names."""
    members = sorted(files)
    for name in members:
        if os.path.isabs(name) or ".." in name.split("/"):
            raise ValueError("files: %s is not a relative member name" % name)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    handle, partial = tempfile.mkstemp(dir=directory, prefix=".diagnostics-")
    try:
        with os.fdopen(handle, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            for name in members:
                data = to_bytes(to_text(files[name] if files[name] is not None else ""), errors="surrogate_or_replace")
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o600, now or time.time()
                archive.addfile(info, io.BytesIO(data))
        os.chmod(partial, 0o600)
        os.rename(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    return members


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("path", "files"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        path, files = self._task.args.get("path"), self._task.args.get("files")
        if not path or not isinstance(files, dict):
            result.update(failed=True, msg="diagnostics_archive needs path and files (a mapping of name to text)")
            return result
        path = os.path.expanduser(to_native(path))
        try:
            members = write_archive(path, files)
        except (OSError, ValueError) as error:
            result.update(failed=True, msg="diagnostics_archive: cannot write %s: %s" % (path, to_native(error)))
            return result
        result.update(changed=False, path=path, members=members)
        return result
