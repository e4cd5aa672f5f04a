"""not_in_bucket: which verified files a bucket listing does not hold as they are."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ffdl.platform.plugins.filter.not_in_bucket import not_in_bucket


def test_missing_other_and_uncomparable_files_are_returned_in_order():
    files = [
        {"name": "held", "upload_etag": "aa"},
        {"name": "other", "upload_etag": "bb"},
        {"name": "missing", "upload_etag": "cc"},
        {"name": "not-fetched-yet"},
    ]
    objects = {"held": {"etag": "aa"}, "other": {"etag": "zz"}, "not-fetched-yet": {"etag": "dd"}}
    assert [f["name"] for f in not_in_bucket(files, objects)] == ["other", "missing", "not-fetched-yet"]


def test_wrong_shapes_are_a_clear_error():
    with pytest.raises(AnsibleFilterError, match="a list of files and a mapping"):
        not_in_bucket("x", {})
