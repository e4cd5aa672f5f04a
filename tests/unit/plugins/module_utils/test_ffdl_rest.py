"""FfDL's manifest rules and REST request shapes (module_utils/ffdl_rest.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.parser
import email.policy

import pytest

from ansible_collections.ffdl.platform.plugins.module_utils.ffdl_rest import (
    DIGEST_TAG,
    describe_status,
    manifest_problems,
    multipart,
    scrub,
    status_of,
    tail,
)


def tutorial():
    """The tutorial's manifest (ffdl-training-facts.md section 2)."""
    return {
        "name": "tf_convolutional_network_tutorial",
        "description": "Convolutional network model using tensorflow",
        "version": "1.0",
        "gpus": 0,
        "cpus": 0.5,
        "memory": "1Gb",
        "learners": 1,
        "data_stores": [
            {
                "id": "sl-internal-os",
                "type": "s3_datastore",
                "training_data": {"container": "tf_training_data"},
                "training_results": {"container": "tf_trained_model"},
                "connection": {"auth_url": "http://192.168.42.10:31100", "user_name": "test", "password": "test"},
            }
        ],
        "framework": {"name": "tensorflow", "version": "1.5.0-py3", "command": "python3 convolutional_network.py"},
        "evaluation_metrics": {"type": "tensorboard", "in": "$JOB_STATE_DIR/logs/tb"},
    }


def test_the_tutorials_manifest_has_no_problem():
    assert manifest_problems(tutorial()) == []


@pytest.mark.parametrize("memory", ["1Gb", "512MiB", "2 gib", "100mb", " 1 GB "])
def test_memory_units_ffdl_takes(memory):
    manifest = tutorial()
    manifest["memory"] = memory
    assert manifest_problems(manifest) == []


def mutate(change):
    manifest = tutorial()
    change(manifest)
    return manifest_problems(manifest)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda m: m.pop("name"), "name:"),
        (lambda m: m["framework"].pop("version"), "framework.version:"),
        (lambda m: m["framework"].pop("command"), "framework.command:"),
        (lambda m: m.pop("framework"), "framework:"),
        (lambda m: m["data_stores"].append(dict(m["data_stores"][0])), "data_stores:"),
        (lambda m: m.pop("data_stores"), "data_stores:"),
        (lambda m: m["data_stores"][0].update(type="nfs"), "data_stores[0].type:"),
        (lambda m: m["data_stores"][0]["training_results"].clear(), "data_stores[0].training_results.container:"),
        (lambda m: m["data_stores"][0]["connection"].update(auth_url="s3"), "data_stores[0].connection.auth_url:"),
        (lambda m: m.update(memory="1TB"), "memory:"),
        (lambda m: m.update(memory="lots"), "memory:"),
        # restapi manifest.go reads these as 512 MB (only a log line says why)
        (lambda m: m.update(memory="1.5GB"), "memory:"),
        (lambda m: m.update(memory="1Gi"), "memory:"),
        (lambda m: m.update(memory=1024), "memory:"),
        (lambda m: m.pop("memory"), "memory:"),
        # the trainer turns a zero memory into 12 GiB and zero CPUs into 5
        (lambda m: m.update(memory="0Gb"), "memory:"),
        (lambda m: m.update(cpus=0), "cpus:"),
        (lambda m: m.pop("cpus"), "cpus:"),
        # FatalOnAbsentKeyInMap: the trainer exits
        (lambda m: m["data_stores"][0]["connection"].pop("password"), "data_stores[0].connection.password:"),
        (lambda m: m["data_stores"][0]["connection"].update(user_name=""), "data_stores[0].connection.user_name:"),
        # the learner-config ConfigMap has no such learner
        (lambda m: m["framework"].update(name="theano"), "framework.name:"),
        (lambda m: m.update(cpus=-1), "cpus:"),
        (lambda m: m.update(gpus="two"), "gpus:"),
        (lambda m: m.update(learners=0), "learners:"),
        (lambda m: m.update(learners=1.5), "learners:"),
    ],
)
def test_each_problem_names_its_key(change, key):
    problems = mutate(change)
    assert len(problems) == 1, problems
    assert key in problems[0].split(" ")[0], problems


@pytest.mark.parametrize(
    ("auth_url", "bucket", "refused"),
    [
        # aws-sdk-go puts a DNS-valid name in the host: tf-trained-model.192.168.42.10 cannot resolve
        ("http://192.168.42.10:31100", "tf-trained-model", True),
        ("http://localhost:31100", "tf-trained-model", True),
        # path style: the trainer's exception for in-cluster URLs, and names that are not DNS names
        ("http://s3.ffdl.svc.cluster.local", "tf-trained-model", False),
        ("http://192.168.42.10:31100", "tf_trained_model", False),
        ("http://192.168.42.10:31100", "TfTrainedModel", False),
        ("https://192.168.42.10:31100", "tf.trained.model", False),
        # a named endpoint may serve <bucket>.<host> (wildcard DNS, as AWS does)
        ("https://s3.example.com", "tf-trained-model", False),
    ],
)
def test_bucket_names_ffdl_would_address_virtual_host(auth_url, bucket, refused):
    manifest = tutorial()
    manifest["data_stores"][0]["connection"]["auth_url"] = auth_url
    manifest["data_stores"][0]["training_results"]["container"] = bucket
    problems = manifest_problems(manifest)
    assert bool(problems) == refused, problems
    if refused:
        assert problems[0].startswith("data_stores[0].training_results.container:")
        assert "%s.%s" % (bucket, auth_url.split("//")[1]) in problems[0]


def test_a_missing_auth_url_is_left_to_the_url_check():
    manifest = tutorial()
    manifest["data_stores"][0]["training_results"]["container"] = "tf-trained-model"
    del manifest["data_stores"][0]["connection"]["auth_url"]
    assert [p.split(" ", maxsplit=1)[0] for p in manifest_problems(manifest)] == ["data_stores[0].connection.auth_url:"]


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (
            {"status": "FAILED", "error_code": "C201", "status_message": "3"},
            "Learner process terminated with an error (exit code: '3') (error code C201)",
        ),
        (
            {"status": "FAILED", "error_code": "S302", "status_message": "1"},
            "Unable to load training data (exit code: '1') (error code S302)",
        ),
        (
            {"status": "FAILED", "error_code": "S301", "status_message": "9"},
            "Unable to load model (exit code: '9') (error code S301)",
        ),
        (
            {"status": "FAILED", "error_code": "S100", "status_message": "INSUFFICIENT_RESOURCES"},
            "INSUFFICIENT_RESOURCES (error code S100)",
        ),
        ({"status": "HALTED", "status_description": "HALTED"}, "HALTED"),
        ({}, "no status"),
    ],
)
def test_a_status_is_described_as_ffdls_job_monitor_and_cli_do(status, text):
    assert describe_status(status) == text


def test_a_mount_volume_store_needs_no_auth_url():
    manifest = tutorial()
    manifest["data_stores"][0].update(type="mount_volume", connection={"type": "host_mount", "path": "/cosdata"})
    assert manifest_problems(manifest) == []


def test_not_a_mapping():
    assert manifest_problems(["a"]) == ["the manifest is not a YAML mapping"]


def test_multipart_is_what_a_form_parser_reads():
    content_type, body = multipart(
        {
            "manifest": ("manifest.yml", b"name: x\n", "application/x-yaml"),
            "model_definition": ("m.zip", b"PK\x03\x04", "application/zip"),
        }
    )
    raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    parts = {
        p.get_param("name", header="content-disposition"): p.get_payload(decode=True) for p in message.iter_parts()
    }
    assert parts == {"manifest": b"name: x\n", "model_definition": b"PK\x03\x04"}


def test_scrub_masks_the_echoed_credentials_only():
    job = {
        "model_id": "training-1",
        "data_stores": [{"connection": {"auth_url": "http://s3", "user_name": "k", "password": "p"}}],
    }
    masked = scrub(job)
    assert masked["data_stores"][0]["connection"] == {
        "auth_url": "http://s3",
        "user_name": "********",
        "password": "********",
    }
    assert job["data_stores"][0]["connection"]["password"] == "p"


def test_status_tail_and_tag():
    assert status_of({"training": {"training_status": {"status": "COMPLETED"}}}) == "COMPLETED"
    assert status_of({}) is None
    assert tail("\n".join(str(i) for i in range(100)), 3) == "97\n98\n99"
    assert (
        DIGEST_TAG.search("text [ffdl.platform:0123456789abcdef0123456789abcdef]").group(1)
        == "0123456789abcdef0123456789abcdef"
    )
