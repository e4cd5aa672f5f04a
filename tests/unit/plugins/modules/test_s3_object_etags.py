"""s3_object_etags: one listing gives every key's ETag and size (against moto's S3)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

import boto3
from moto import mock_aws

from ansible_collections.ffdl.platform.plugins.module_utils.download import ETAG_DIGEST
from ansible_collections.ffdl.platform.plugins.modules.s3_object_etags import list_etags


def test_every_key_under_the_prefix_with_its_etag_and_size_across_pages():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="tf_training_data")
        for number in range(1005):  # more than one page of ListObjectsV2
            client.put_object(Bucket="tf_training_data", Key="data/%04d" % number, Body=b"x" * number)
        client.put_object(Bucket="tf_training_data", Key="other", Body=b"")
        objects = list_etags(client, "tf_training_data", "data/")
    assert len(objects) == 1005 and "other" not in objects
    assert objects["data/0003"] == {"etag": hashlib.new(ETAG_DIGEST, b"xxx").hexdigest(), "size": 3}


def test_the_same_run_lists_the_buckets_and_says_when_the_bucket_is_missing(run_module, monkeypatch):
    import ansible_collections.ffdl.platform.plugins.modules.s3_object_etags as mod

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="tf_trained_model")
        args = {"bucket": "tf_training_data", "list_buckets": True, "region": "us-east-1"}
        args.update(access_key="test", secret_key="test")
        result, failed = run_module(mod, args)
    assert not failed, result
    assert result["buckets"] == ["tf_trained_model"] and result["bucket_exists"] is False and result["objects"] == {}
