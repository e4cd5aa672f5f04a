"""The S3 fixture is a real server: objects written through one client are read back through another."""

import urllib.request

import pytest

from tests.support import servers

pytestmark = pytest.mark.s3


def test_bucket_helpers_round_trip(s3):
    servers.make_bucket(s3, "tf-training-data", {"train-images-idx3-ubyte.gz": b"\x1f\x8b fake"})
    assert servers.list_keys(s3, "tf-training-data") == ["train-images-idx3-ubyte.gz"]
    body = servers.s3_client(s3).get_object(Bucket="tf-training-data", Key="train-images-idx3-ubyte.gz")["Body"]
    assert body.read() == b"\x1f\x8b fake"


def test_server_lists_buckets_over_plain_http(s3):
    servers.make_bucket(s3, "listed")
    with urllib.request.urlopen(s3.url + "/", timeout=5) as resp:
        assert b"<Name>listed</Name>" in resp.read()
