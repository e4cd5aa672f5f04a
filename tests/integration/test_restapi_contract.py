"""The FfDL REST API stand-in answers as FfDL's own source says, independent of the collection's modules.

Each test cites the point of ../shared/reference/ffdl-rest-contract-facts.md
(and the FfDL file it was read from) that it checks. The jobs here are shell
commands, not TensorFlow, so the whole file takes seconds, against a stand-in of
its own.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.integration.conftest import BIND
from tests.support import servers

pytestmark = pytest.mark.s3

USER = "contract-user"


def call(url, method="GET", path="/v1/models", user=USER, body=None, headers=None, version=True, auth=True):
    """(status, parsed JSON or text, response headers) of one call, authenticated as FfDL's CLI does."""
    if version:
        path += ("&" if "?" in path else "?") + "version=2017-02-13"
    request = urllib.request.Request(url + path, data=body, method=method)
    if user:
        request.add_header("X-Watson-Userinfo", f"bluemix-instance-id={user}")
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(b"u:p").decode())
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, data, head = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, data, head = exc.code, exc.read(), exc.headers
    text = data.decode(errors="replace")
    try:
        return status, json.loads(text), head
    except ValueError:
        return status, text, head


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def multipart(manifest: dict | str | None, model: bytes | None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    fields = {}
    if manifest is not None:
        fields["manifest"] = (manifest if isinstance(manifest, str) else json.dumps(manifest)).encode()
    if model is not None:
        fields["model_definition"] = model
    for name, data in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def manifest_for(s3, command="echo trained", data="ffdl_contract_data", results="ffdl_contract_results", **top):
    store = {
        "id": "sl-internal-os",
        "type": "s3_datastore",
        "training_data": {"container": data},
        "training_results": {"container": results},
        "connection": {"auth_url": s3.url, "user_name": "test", "password": "test"},
    }
    manifest = {
        "name": "contract",
        "version": "1.0",
        "cpus": 0.5,
        "gpus": 0,
        "memory": "1Gb",
        "learners": 1,
        "data_stores": [store],
        "framework": {"name": "tensorflow", "version": "1.5.0-py3", "command": command},
    }
    manifest.update(top)
    return manifest


def submit(restapi, manifest, model=None):
    body, content_type = multipart(manifest, zipped({"train.sh": "echo hi\n"}) if model is None else model)
    return call(restapi.url, "POST", body=body, headers={"Content-Type": content_type})


def read(restapi, training_id) -> dict:
    status, job, _head = call(restapi.url, path=f"/v1/models/{training_id}")
    assert status == 200, job
    return job


def wait_for(restapi, training_id, statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        status, job, _head = call(restapi.url, path=f"/v1/models/{training_id}")
        assert status == 200, job
        if job["training"]["training_status"]["status"] in statuses or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


@pytest.fixture(scope="module")
def restapi(tmp_path_factory):
    """A stand-in of its own: these jobs are shell commands (no TensorFlow learner needed), and the trainer
    restart one test causes stays out of the training tests' stand-in."""
    server = servers.start_ffdl_restapi(
        str(tmp_path_factory.mktemp("contract-jobs")), learner=Path(sys.executable).parent, host=BIND
    )
    yield server
    servers.stop(server.pid)


@pytest.fixture(scope="module")
def buckets(s3):
    servers.make_bucket(s3, "ffdl_contract_data", {"data.txt": b"1 2 3\n"})
    servers.make_bucket(s3, "ffdl_contract_results")
    servers.make_bucket(s3, "ffdl_contract_empty")
    servers.make_bucket(s3, "ffdl-contract-results")
    return s3


def test_halt_does_not_stop_the_learner_and_a_later_status_writes_over_it(restapi, buckets):
    """Facts, differences 1 (models_impl.go ~813, trainer_impl.go ~765, jobmonitor.go ~157)."""
    command = 'for i in 1 2 3 4 5 6; do echo "step $i"; sleep 0.5; done'
    status, created, _head = submit(restapi, manifest_for(buckets, command=command))
    assert status == 201, created
    training_id = created["model_id"]
    wait_for(restapi, training_id, ("PROCESSING",))
    status, body, _head = call(restapi.url, "PATCH", f"/v1/models/{training_id}", body=b'{"status": "halt"}')
    assert (status, body) == (202, {"model_id": training_id})
    halted = read(restapi, training_id)
    assert halted["training"]["training_status"]["status"] == "HALTED"
    assert "data_stores" not in halted
    # the learner goes on; the job monitor later writes STORING and COMPLETED over HALTED
    done = wait_for(restapi, training_id, ("COMPLETED",), timeout=30)
    assert done["training"]["training_status"]["status"] == "COMPLETED"
    log = call(restapi.url, path=f"/v1/models/{training_id}/logs")[1]
    assert "step 6" in log
    # halting a finished job (and an unknown one) answers 202 and changes nothing (trainer_impl.go)
    assert call(restapi.url, "PATCH", f"/v1/models/{training_id}", body=b'{"status": "halt"}')[0] == 202
    assert read(restapi, training_id)["training"]["training_status"]["status"] == "COMPLETED"
    assert call(restapi.url, "PATCH", "/v1/models/training-unknown1", body=b'{"status": "halt"}')[0] == 202
    bad = call(restapi.url, "PATCH", f"/v1/models/{training_id}", body=b'{"status": "stop"}')
    assert bad[:2] == (
        400,
        {"code": 400, "error": "Bad request", "description": "status parameter has incorrect value"},
    )


def test_only_delete_kills_the_learner(restapi, buckets):
    """Facts, differences 1 and Confirmed (DELETE kills the job, soft-deletes, leaves the buckets)."""
    status, created, _head = submit(restapi, manifest_for(buckets, command="echo started; sleep 60; echo never"))
    assert status == 201, created
    training_id = created["model_id"]
    wait_for(restapi, training_id, ("PROCESSING",))
    assert call(restapi.url, "DELETE", f"/v1/models/{training_id}")[:2] == (200, {"model_id": training_id})
    assert call(restapi.url, path=f"/v1/models/{training_id}")[0] == 404
    assert call(restapi.url, "DELETE", f"/v1/models/{training_id}")[0] == 404
    assert servers.list_keys(buckets, "ffdl_contract_data") == ["data.txt"]


def test_dns_valid_bucket_names_go_virtual_host_against_a_node_port(restapi, buckets):
    """Facts, differences 2 (trainer/storage/s3_object_store.go ~87, 111-118; aws-sdk-go host-style rule)."""
    status, body, _head = submit(restapi, manifest_for(buckets, results="ffdl-contract-results"))
    assert (status, body) == (500, {"code": 500, "error": "Internal server error"})
    assert servers.list_keys(buckets, "ffdl-contract-results") == []
    # underscores keep the tutorial's names path-style
    status, body, _head = submit(restapi, manifest_for(buckets))
    assert status == 201, body
    assert f"{body['model_id']}/_submitted_code/model.zip" in servers.list_keys(buckets, "ffdl_contract_results")


def test_memory_as_ffdl_parses_it(restapi, buckets):
    """Facts, differences 3 (restapi/api_v1/server/manifest.go convertMemoryFromManifest ~256)."""
    seen = {}
    for memory in ("1Gb", "512MiB", "1.5Gb", "1Gi", "2tb", "1 GiB", 1024):
        status, created, _head = submit(restapi, manifest_for(buckets, memory=memory))
        assert status == 201, created
        training = call(restapi.url, path=f"/v1/models/{created['model_id']}")[1]["training"]
        seen[str(memory)] = (training["memory"], training["memory_unit"])
    assert seen == {
        "1Gb": (1, "GB"),
        "512MiB": (512, "MiB"),
        "1.5Gb": (512, "MB"),
        "1Gi": (512, "MB"),
        "2tb": (512, "MB"),
        "1 GiB": (1, "GiB"),
        "1024": (512, "MB"),
    }


def test_resource_defaults_of_the_trainer(restapi, buckets):
    """Facts, differences 4 (trainer_impl.go setDefaultResourceRequirements ~1995-2000).

    FfDL's source: cpus 0 (or missing) becomes 5 and a zero memory 12 GiB; a
    missing memory never reaches the trainer as zero, the REST layer already made
    it 512 MB (the facts file's "missing memory becomes 12 GiB" is only true of a
    memory of 0).
    """
    manifest = manifest_for(buckets, cpus=0, memory="0Gb")
    status, created, _head = submit(restapi, manifest)
    assert status == 201, created
    training = call(restapi.url, path=f"/v1/models/{created['model_id']}")[1]["training"]
    assert (training["cpus"], training["memory"], training["memory_unit"]) == (5, 12, "GiB")
    assert "gpus" not in training  # omitempty: a gpus of 0 is not in the answer
    manifest = manifest_for(buckets)
    del manifest["cpus"], manifest["memory"]
    created = submit(restapi, manifest)[1]
    training = call(restapi.url, path=f"/v1/models/{created['model_id']}")[1]["training"]
    assert (training["cpus"], training["memory"], training["memory_unit"]) == (5, 512, "MB")


def test_a_data_store_without_credentials_kills_the_trainer(restapi, buckets):
    """Facts, differences 5 (s3_object_store.go ~69-71, FatalOnAbsentKeyInMap)."""
    manifest = manifest_for(buckets)
    del manifest["data_stores"][0]["connection"]["password"]
    status, body, _head = submit(restapi, manifest)
    assert (status, body) == (500, {"code": 500, "error": "Internal server error"})
    # the trainer restarts: until it is back, every call that needs it answers 500
    assert call(restapi.url)[0] == 500
    deadline = time.monotonic() + 30
    while call(restapi.url)[0] != 200:
        assert time.monotonic() < deadline, "the trainer did not come back"
        time.sleep(0.5)


def test_omitted_fields_and_data_stores_while_running_and_finished(restapi, buckets):
    """Facts, differences 6 and Smaller differences (restapi/restmodels/*.go omitempty; trainer_impl.go)."""
    manifest = manifest_for(buckets, command="sleep 2; echo done")
    manifest.pop("description", None)
    status, created, head = submit(restapi, manifest)
    assert status == 201
    training_id = created["model_id"]
    assert created == {"model_id": training_id, "location": f"/v1/models/{training_id}"}
    assert head["Location"] == f"/v1/models/{training_id}"
    running = wait_for(restapi, training_id, ("PROCESSING",))
    assert "description" not in running
    assert [s["data_store_id"] for s in running["data_stores"]] == ["sl-internal-os-input", "sl-internal-os-output"]
    assert [s["connection"]["bucket"] for s in running["data_stores"]] == [
        "ffdl_contract_data",
        "ffdl_contract_results",
    ]
    assert running["training"]["input_data"] == ["sl-internal-os-input"]
    assert "completed" not in running["training"]["training_status"]
    assert "status_message" not in running["training"]["training_status"]
    done = wait_for(restapi, training_id, ("COMPLETED",))
    assert "data_stores" not in done
    assert done["training"]["training_status"]["completed"].isdigit()


def test_a_failed_job_has_its_detail_in_status_message(restapi, buckets):
    """Facts, differences 7 (models_impl.go createModel; lcm/controller/src/controller.sh ~318)."""
    status, created, _head = submit(restapi, manifest_for(buckets, command="echo about to fail; exit 3"))
    assert status == 201
    failed = wait_for(restapi, created["model_id"], ("FAILED",))["training"]["training_status"]
    assert failed["status"] == failed["status_description"] == "FAILED"
    assert (failed["status_message"], failed["error_code"]) == ("3", "C201")
    log = call(restapi.url, path=f"/v1/models/{created['model_id']}/logs")[1]
    assert "about to fail" in log and "Failed: learner_exit_code: 3" in log


def test_missing_and_empty_data_and_a_model_that_is_no_zip_fail_later(restapi, buckets):
    """Facts, Smaller differences (s3_datastore: no bucket check at submit; S302, C201, S301)."""
    missing = submit(restapi, manifest_for(buckets, data="ffdl_contract_nowhere"))[1]["model_id"]
    empty = submit(restapi, manifest_for(buckets, data="ffdl_contract_empty", command="cat $DATA_DIR/data.txt"))[1]
    not_zip = submit(restapi, manifest_for(buckets), model=b"this is not a zip")[1]["model_id"]
    assert wait_for(restapi, missing, ("FAILED",))["training"]["training_status"]["error_code"] == "S302"
    assert wait_for(restapi, empty["model_id"], ("FAILED",))["training"]["training_status"]["error_code"] == "C201"
    assert wait_for(restapi, not_zip, ("FAILED",))["training"]["training_status"]["error_code"] == "S301"
    # a missing results bucket fails the submit itself
    status, body, _head = submit(restapi, manifest_for(buckets, results="ffdl_contract_no_results"))
    assert (status, body) == (500, {"code": 500, "error": "Internal server error"})


def test_errors_as_ffdl_answers_them(restapi, buckets):
    """Facts, Confirmed and Smaller differences (models_impl.go, trainer validateRequest, go-swagger)."""
    other = submit(restapi, manifest_for(buckets))[1]["model_id"]
    assert call(restapi.url, path=f"/v1/models/{other}", user="someone-else")[:2] == (
        401,
        {"code": 401, "error": "Unauthorized"},
    )
    two = manifest_for(buckets)
    two["data_stores"] = two["data_stores"] * 2
    status, body, _head = submit(restapi, two)
    assert status == 400 and body["error"].startswith("Please only specify one data_store")
    status, body, _head = submit(restapi, manifest_for(buckets, name=""))
    assert (status, body) == (400, {"code": 400, "error": "Model definition name is not set"})
    unknown = manifest_for(buckets)
    unknown["framework"]["name"] = "theano"
    status, body, _head = submit(restapi, unknown)
    assert (status, body) == (400, {"code": 400, "error": "theano version 1.5.0-py3 not supported"})
    # the version too must be one the learner-config ConfigMap lists
    newer = manifest_for(buckets)
    newer["framework"]["version"] = "2.0.0-py3"
    status, body, _head = submit(restapi, newer)
    assert (status, body) == (400, {"code": 400, "error": "tensorflow version 2.0.0-py3 not supported"})
    status, body, _head = submit(restapi, manifest_for(buckets), model=b"")
    assert (status, body) == (400, {"code": 400, "error": "Model definition content is not set"})
    body, content_type = multipart(None, zipped({"a": "b"}))
    status, answer, _head = call(restapi.url, "POST", body=body, headers={"Content-Type": content_type})
    assert (status, answer) == (422, {"code": 602, "message": "manifest in formData is required"})
    status, answer, _head = submit(restapi, "name: [unclosed")
    assert status == 400 and answer["description"] == "Incorrect manifest"
    # training ids are shortid values: letters, digits, _ and -
    assert other.startswith("training-") and len(other) == len("training-") + 9


def test_loglines_and_emetrics_as_the_training_data_service_answers(restapi, buckets):
    """Facts, Not used by the collection yet (swagger /v1/logs/{id}/loglines and emetrics, v1MetaInfo)."""
    regex = r"step (?P<iteration>\d+) loss (?P<loss>[0-9.]+)"
    manifest = manifest_for(
        buckets,
        command='for i in 1 2 3; do echo "step $i loss 0.$((9 - i))"; done',
        evaluation_metrics={
            "type": "regex_extractor",
            "groups": {
                "train": {
                    "regex": regex,
                    "meta": {"time": ""},
                    "scalars": {"loss": {"type": "FLOAT", "value": "$loss"}},
                    "etimes": {"iteration": {"type": "INT", "value": "$iteration"}},
                }
            },
        },
    )
    training_id = submit(restapi, manifest)[1]["model_id"]
    wait_for(restapi, training_id, ("COMPLETED",))
    status, lines, _head = call(restapi.url, path=f"/v1/logs/{training_id}/loglines?pagesize=100", version=False)
    assert status == 200
    texts = [record["line"] for record in lines["models"]]
    assert "step 3 loss 0.6" in texts
    assert [record["meta"]["rindex"] for record in lines["models"]] == list(range(1, len(texts) + 1))
    default_page = call(restapi.url, path=f"/v1/logs/{training_id}/loglines", version=False)[1]["models"]
    assert len(default_page) == min(10, len(texts))  # defaultLogPageSize
    tail = call(restapi.url, path=f"/v1/logs/{training_id}/loglines?pos=-2&pagesize=2", version=False)[1]
    assert [record["line"] for record in tail["models"]] == texts[-2:]
    status, metrics, _head = call(restapi.url, path=f"/v1/logs/{training_id}/emetrics?pagesize=100", version=False)
    assert status == 200
    assert [(m["grouplabel"], m["etimes"]["iteration"]["value"], m["values"]["loss"]) for m in metrics["models"]] == [
        ("train", "1", {"type": "FLOAT", "value": "0.8"}),
        ("train", "2", {"type": "FLOAT", "value": "0.7"}),
        ("train", "3", {"type": "FLOAT", "value": "0.6"}),
    ]
    # another user's lines are simply not found by the training-data service
    assert call(restapi.url, path=f"/v1/logs/{training_id}/loglines", user="x", version=False)[1] == {"models": []}


def test_logs_follow_streams_until_the_job_ends(restapi, buckets):
    """Swagger /v1/models/{id}/logs follow=true (models_impl.go getLogsOrMetrics)."""
    command = 'for i in 1 2 3; do echo "line $i"; sleep 0.5; done'
    training_id = submit(restapi, manifest_for(buckets, command=command))[1]["model_id"]
    started = time.monotonic()
    status, log, _head = call(restapi.url, path=f"/v1/models/{training_id}/logs?follow=true", auth=False)
    assert status == 200
    assert "line 3" in log
    assert read(restapi, training_id)["training"]["training_status"]["status"] in ("STORING", "COMPLETED")
    assert time.monotonic() - started > 1
