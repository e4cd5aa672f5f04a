# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The model definition zip FfDL takes with a training job, built deterministically.

Shared by ffdl.platform.model_definition (writes the zip) and
ffdl.platform.training_job (packs a directory in memory, as the FfDL CLI's
``ffdl train <manifest> <dir>`` does). Entries sorted, timestamps and modes
fixed, so the same files give the same bytes and the same digest.
Python 2.7 and 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import io
import os
import re
import stat
import zipfile

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
DEFAULT_EXCLUDE = ["*.pyc", "__pycache__", ".*", "*~"]


class ModelZipError(Exception):
    pass


def collect(src=None, files=None, flat=True, exclude=None):
    """[(entry name, path)] sorted by entry name, from a directory ``src`` or a list of ``files``."""
    exclude = DEFAULT_EXCLUDE if exclude is None else exclude
    found = []
    if src:
        if not os.path.isdir(src):
            raise ModelZipError("%s is not a directory" % src)
        for root, dirs, names in os.walk(src):
            dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, pat) for pat in exclude))
            for name in names:
                if any(fnmatch.fnmatch(name, pat) for pat in exclude):
                    continue
                path = os.path.join(root, name)
                entry = name if flat else os.path.relpath(path, src).replace(os.sep, "/")
                found.append((entry, path))
    else:
        for path in files or []:
            if not os.path.isfile(path):
                raise ModelZipError("%s is not a file" % path)
            found.append((os.path.basename(path) if flat else path.lstrip("/"), path))
    names = [entry for entry, _path in found]
    duplicates = sorted(set(n for n in names if names.count(n) > 1))
    if duplicates:
        raise ModelZipError("more than one file would be packed as %s (flat=%s)" % (", ".join(duplicates), flat))
    if not found:
        raise ModelZipError("no files to pack (FfDL refuses an empty model definition)")
    return sorted(found)


def build(found):
    """The zip's bytes: sorted entries, fixed times and modes, deflate."""
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    try:
        for entry, path in found:
            info = zipfile.ZipInfo(entry, date_time=FIXED_TIME)
            executable = os.stat(path).st_mode & stat.S_IXUSR
            info.external_attr = ((0o100755 if executable else 0o100644) & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            with open(path, "rb") as handle:
                archive.writestr(info, handle.read())
    finally:
        archive.close()
    return buffer.getvalue()


# Words of a training command that name a file of the model code: a relative
# name without a variable or a path outside the code (FfDL runs the command in
# $MODEL_DIR, where the zip is unpacked).
_CODE_FILE = re.compile(r"^[\w.+-][\w.+/-]*\.(py|sh|bash|lua|R|r|jl|pl|rb|m|prototxt)$")


def command_files(command):
    """The model files ``command`` names (``python3 train.py --data ${DATA_DIR}/x`` -> ``['train.py']``)."""
    names = []
    for word in re.split(r"[\s;&|()<>]+", str(command or "")):
        word = word.strip("'\"")
        if "=" in word or word.startswith(("-", "/", "$")) or ".." in word.split("/"):
            continue
        if _CODE_FILE.match(word) and word not in names:
            names.append(word)
    return names


def missing_command_files(command, entries):
    """The files ``command`` names that the zip's ``entries`` lack."""
    present = set(entries)
    return [name for name in command_files(command) if name not in present]
