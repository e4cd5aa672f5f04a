# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.not_in_bucket: the local files a bucket does not hold as they are."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def not_in_bucket(files, objects):
    """The ``files`` (ffdl.platform.verified_file results: name, upload_etag) whose object in ``objects``
    (ffdl.platform.s3_object_etags: name -> {etag}) is missing or another file; a file without an upload_etag
    (check mode, not fetched yet) cannot be compared and counts as not held."""
    if not isinstance(files, list) or not isinstance(objects, dict):
        raise AnsibleFilterError("not_in_bucket takes a list of files and a mapping of objects")
    out = []
    for entry in files:
        held = (objects.get(entry.get("name")) or {}).get("etag")
        if not entry.get("upload_etag") or held != entry.get("upload_etag"):
            out.append(entry)
    return out


class FilterModule(object):
    def filters(self):
        return {"not_in_bucket": not_in_bucket}
