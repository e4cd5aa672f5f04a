# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One S3 listing of a prefix, page by page: what s3_object_etags and s3_download both read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The options the doc fragment ffdl.platform.s3_listing documents.
LISTING_ARGS = dict(
    bucket=dict(type="str", required=True),
    prefix=dict(type="str", default=""),
)


def list_objects(client, bucket, prefix):
    """Every object under ``prefix`` as ListObjectsV2 gives it (Key, ETag, Size, ...), a thousand per request."""
    objects = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        objects.extend(page.get("Contents", []))
    return objects
