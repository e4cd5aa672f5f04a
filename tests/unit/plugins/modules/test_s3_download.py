"""s3_download: one listing, only what is missing on the host downloaded (against moto's S3)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import boto3
from moto import mock_aws

from ansible_collections.ffdl.platform.plugins.modules import s3_download as mod


def test_plan_skips_folders_and_excluded_keys_keeps_what_is_there_and_refuses_escapes(tmp_path):
    keys = [
        "training-1/",
        "training-1/model/saved_model.pb",
        "training-1/_submitted_code/model.zip",
        "training-1/learner-1/training-log.txt",
        "training-1/../../etc/passwd",
    ]
    there = {str(tmp_path / "training-1/learner-1/training-log.txt")}
    to_fetch, kept, refused = mod.plan(keys, "training-1/", str(tmp_path), ["_submitted_code/*"], there.__contains__)
    assert to_fetch == [("training-1/model/saved_model.pb", str(tmp_path / "training-1/model/saved_model.pb"))]
    assert kept == ["training-1/learner-1/training-log.txt"] and refused == ["training-1/../../etc/passwd"]


def test_lists_every_page_and_downloads_into_place(tmp_path):
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="tf_trained_model")
        for number in range(1003):  # more than one page of ListObjectsV2
            client.put_object(Bucket="tf_trained_model", Key="training-1/part-%04d" % number, Body=b"x")
        client.put_object(Bucket="tf_trained_model", Key="training-1/model/saved_model.pb", Body=b"graph")
        keys = mod.list_keys(client, "tf_trained_model", "training-1/")
        assert len(keys) == 1004
        target = tmp_path / "results/training-1/model/saved_model.pb"
        mod.download(client, "tf_trained_model", "training-1/model/saved_model.pb", str(target))
    assert target.read_bytes() == b"graph" and oct(target.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in target.parent.iterdir()) == ["saved_model.pb"]  # no temporary file left
