#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: s3_object_etags
short_description: The keys, ETags and sizes of a bucket's objects, from one listing
version_added: 0.2.0
description:
  - Lists the objects of I(bucket) under I(prefix) with C(ListObjectsV2) - a thousand objects per request, each with
    its ETag and size - so a caller compares many local files with what the bucket holds in one module run instead
    of one request per object (the training role's data set upload).
  - A bucket that does not exist is reported (I(bucket_exists)), not an error.
  - With I(list_buckets), the same run also lists the endpoint's buckets, so one module run says whether the endpoint
    answers, which buckets exist and what one of them holds.
  - Reads only.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  list_buckets:
    description: Also list the endpoint's buckets (RV(buckets)).
    type: bool
    default: false
    version_added: 0.3.0
extends_documentation_fragment:
  - ffdl.platform.s3_listing
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ffdl.platform.attributes.info_module
notes:
  - An ETag is the object's MD5 for a single-part upload and C(<md5 of the parts' md5s>-<parts>) for a multipart one;
    ffdl.platform.verified_file returns the ETag its file gets from amazon.aws.s3_object (C(upload_etag)).
seealso:
  - module: amazon.aws.s3_object
  - module: ffdl.platform.verified_file
"""

EXAMPLES = r"""
- name: Read what the data bucket holds
  ffdl.platform.s3_object_etags:
    bucket: tf_training_data
    endpoint_url: http://192.0.2.10:31001
    access_key: test
    secret_key: "{{ s3_secret }}"
  register: listing

- name: Upload only what differs
  amazon.aws.s3_object:
    bucket: tf_training_data
    object: "{{ item.name }}"
    src: "{{ item.path }}"
    mode: put
  loop: "{{ files }}"
  when: listing.objects[item.name].etag | default('') != item.upload_etag
"""

RETURN = r"""
bucket_exists:
  description: Whether I(bucket) exists.
  returned: always
  type: bool
buckets:
  description: The names of the endpoint's buckets.
  returned: with I(list_buckets)
  type: list
  elements: str
  sample: [tf_training_data, tf_trained_model]
objects:
  description: Each key under I(prefix), with its C(etag) (without quotes) and C(size) in bytes.
  returned: always
  type: dict
  sample:
    train-labels-idx1-ubyte.gz:
      etag: d53e105ee54ea40749a09fcbcd1e9432
      size: 28881
"""

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.s3 import s3_extra_params
from ansible_collections.ffdl.platform.plugins.module_utils.s3_listing import LISTING_ARGS, list_objects


def list_etags(client, bucket, prefix):
    """key -> {etag, size} of every object under ``prefix``, page by page."""
    return dict(
        (entry["Key"], {"etag": entry.get("ETag", "").strip('"'), "size": entry.get("Size", 0)})
        for entry in list_objects(client, bucket, prefix)
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            LISTING_ARGS,
            list_buckets=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    client = module.client("s3", **s3_extra_params(module.params))
    result = dict(changed=False, bucket_exists=True, objects={})
    try:
        if module.params["list_buckets"]:
            result["buckets"] = [entry["Name"] for entry in client.list_buckets().get("Buckets", [])]
        result["objects"] = list_etags(client, module.params["bucket"], module.params["prefix"])
    except is_boto3_error_code("NoSuchBucket"):
        result["bucket_exists"] = False
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:  # pylint: disable=duplicate-except
        module.fail_json_aws(error, msg="cannot list bucket %s" % module.params["bucket"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
