"""upload_etag: the ETag amazon.aws.s3_object's upload gives a file, checked against moto's S3 itself."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

import boto3
import pytest
from moto import mock_aws

from ansible_collections.ffdl.platform.plugins.module_utils.download import ETAG_DIGEST, UPLOAD_PART_SIZE, upload_etag


@pytest.mark.parametrize("size", [0, 28881, UPLOAD_PART_SIZE, UPLOAD_PART_SIZE + 1, 3 * UPLOAD_PART_SIZE + 5])
def test_the_etag_is_the_one_s3_gives_the_uploaded_file(tmp_path, size):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(os.urandom(size))
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="tf_training_data")
        # what amazon.aws.s3_object's put does: boto3's upload_file with its default transfer settings
        client.upload_file(str(path), "tf_training_data", path.name)
        stored = client.head_object(Bucket="tf_training_data", Key=path.name)["ETag"].strip('"')
    assert upload_etag(str(path)) == stored
    if size < UPLOAD_PART_SIZE:
        assert stored == hashlib.new(ETAG_DIGEST, path.read_bytes()).hexdigest()
    else:
        assert stored.endswith("-%d" % -(-size // UPLOAD_PART_SIZE))
