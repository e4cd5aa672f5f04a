"""ffdl.platform.training and its modules: real S3 (moto), real data (Debian's Fashion-MNIST), real TensorFlow.

FfDL's REST API is the stand-in tests/doubles/ffdl_restapi, which enforces the
REST contract and really runs each job as FfDL's learner does (tests/README.md).
The tests of this module run in order: the first trains, the next ones build
on its state.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import shutil
import stat
import tarfile
import textwrap
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import FASHION_MNIST_MD5
from tests.support import servers
from tests.support.ansible_run import REPO, run_playbook

pytestmark = pytest.mark.training

MODEL = REPO / "roles/training/files/tf-model"
# Made up: moto and the stand-in accept any key and password, so the tests can
# prove these never reach the output.
OUTPUT = Path(__file__).resolve().parents[1] / "output"
S3_SECRET = "made-up-s3-secret-7Qx9"
REST_PASSWORD = "made-up-rest-password-4Kd2"
# 100 steps of 128 images. Measured on Fashion-MNIST with the example model and
# seed 1: 0.83 test accuracy (15 steps: 0.65, 200 steps: 0.85; chance is 0.10).
# The floor leaves room for oneDNN's run-to-run rounding, far above the
# 15-step figure a broken training loop would not even reach.
TRAINING_ITERS = 12800
ACCURACY_FLOOR = 0.75

ROLE = textwrap.dedent(
    """\
    - hosts: localhost
      gather_facts: false
      roles:
        - role: ffdl.platform.training
      post_tasks:
        - name: Report the published facts
          ansible.builtin.debug:
            msg:
              training_id: "{{ training_id | default('') }}"
              training_status: "{{ training_status | default('') }}"
              training_accuracy: "{{ training_accuracy | default(none) }}"
              training_results_path: "{{ training_results_path | default('') }}"
              training_plot_path: "{{ training_plot_path | default('') }}"
              training_metrics: "{{ training_metrics | default({}) }}"
              training_summary: "{{ training_summary | default('') }}"
    """
)


def rest(url: str, method: str = "GET", path: str = "/v1/models", user: str = "test-user", body=None, headers=None):
    """(status, parsed JSON, text or bytes) of one call to the stand-in, authenticated as FfDL's CLI does."""
    sep = "&" if "?" in path else "?"
    request = urllib.request.Request(f"{url}{path}{sep}version=2017-02-13", data=body, method=method)
    request.add_header("X-Watson-Userinfo", f"bluemix-instance-id={user}")
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:x".encode()).decode())
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, data = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, data = exc.code, exc.read()
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return status, data
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def jobs(url: str, user: str = "test-user") -> list[dict]:
    return rest(url, user=user)[1]["models"]


def submit_by_hand(url: str, s3, zip_bytes: bytes) -> str:
    """A job of the tutorial's name without a description, as FfDL's web UI would submit it; its id."""
    buckets = ("tf_training_data", "tf_trained_model")
    manifest = servers.job_manifest("tf_convolutional_network_tutorial", s3.url, *buckets, password=S3_SECRET)
    boundary = "by-hand"
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n\r\n'.encode()
            + data
            + b"\r\n"
            for name, data in (("manifest", json.dumps(manifest).encode()), ("model_definition", zip_bytes))
        )
        + f"--{boundary}--\r\n".encode()
    )
    status, created = rest(
        url, "POST", body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert status == 201, created
    return created["model_id"]


def facts(result) -> dict:
    found = result.task_results("Report the published facts")
    return found[0]["msg"] if found else {}


def bucket_names(s3) -> set[str]:
    return {b["Name"] for b in servers.s3_client(s3).list_buckets()["Buckets"]}


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


@pytest.fixture(scope="module")
def mirrors(fashion_mnist, tmp_path_factory):
    """An ordered mirror list: a dead host, a mirror serving corrupted copies, then the real files."""
    corrupt = tmp_path_factory.mktemp("corrupt-mirror")
    for name in FASHION_MNIST_MD5:
        data = bytearray((fashion_mnist / name).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (corrupt / name).write_bytes(bytes(data))
    bad = servers.start_http(str(corrupt))
    good = servers.start_http(str(fashion_mnist))
    dead = f"http://127.0.0.1:{servers.free_port('127.0.0.1')}/mnist/"
    yield {"urls": [dead, bad.url + "/", good.url + "/"], "good": good, "corrupt": corrupt}
    servers.stop(bad.pid)
    servers.stop(good.pid)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("training")
    playbook = root / "training.yml"
    playbook.write_text(ROLE)
    return {"root": root, "playbook": playbook, "cache": root / "cache", "results": root / "results"}


@pytest.fixture(scope="module")
def base(s3, restapi, mirrors, workspace):
    """The role's variables for the tests: the tutorial's defaults but for endpoints, data set and caches."""
    return {
        "training_restapi_url": restapi.url,
        "training_s3_endpoint_url": s3.url,
        "training_s3_secret_key": S3_SECRET,
        "training_password": REST_PASSWORD,
        "training_data_files": [{"name": n, "checksum": f"md5:{d}"} for n, d in FASHION_MNIST_MD5.items()],
        "training_data_mirrors": mirrors["urls"],
        "training_cache_dir": str(workspace["cache"]),
        "training_results_dir": str(workspace["results"]),
        "training_iters": TRAINING_ITERS,
        "training_poll_interval": 2,
        "training_timeout": 900,
    }


def play(workspace, extra: dict, **kwargs):
    return run_playbook(workspace["playbook"], extra, **kwargs)


def no_secret_in(result) -> None:
    for text in (result.stdout, result.stderr):
        assert S3_SECRET not in text
        assert REST_PASSWORD not in text


def test_rest_stand_in_enforces_ffdl_contract(restapi):
    """What FfDL's REST layer checks (ffdl-facts.md d), independent of the collection's modules."""
    request = urllib.request.Request(f"{restapi.url}/v1/models?version=2017-02-13")
    with pytest.raises(urllib.error.HTTPError) as missing_userinfo:
        urllib.request.urlopen(request, timeout=10)
    assert missing_userinfo.value.code == 401
    assert json.loads(missing_userinfo.value.read()) == {"message": "Missing or malformed X-Watson-Userinfo header."}
    request.add_header("X-Watson-Userinfo", "bluemix-instance-id=test-user")
    with pytest.raises(urllib.error.HTTPError) as missing_authorization:
        urllib.request.urlopen(request, timeout=10)
    assert missing_authorization.value.code == 401
    status, _body = rest(restapi.url)
    assert status == 200
    no_version = urllib.request.Request(f"{restapi.url}/v1/models")
    no_version.add_header("X-Watson-Userinfo", "bluemix-instance-id=test-user")
    no_version.add_header("Authorization", "Basic eDp4")
    with pytest.raises(urllib.error.HTTPError) as missing_version:
        urllib.request.urlopen(no_version, timeout=10)
    assert missing_version.value.code == 422
    with urllib.request.urlopen(f"{restapi.url}/health", timeout=10) as health:
        assert health.read() == b"OK"
    status, body = rest(restapi.url, path="/v1/models/training-doesnotexist")
    assert (status, body) == (404, {"code": 404, "error": "Not found"})


def test_first_run_trains_on_real_data_and_fetches_the_model(s3, restapi, mirrors, workspace, base):
    result = play(workspace, base)
    assert result.rc == 0, result.stdout[-5000:] + result.stderr[-2000:]
    no_secret_in(result)
    out = facts(result)
    assert out["training_status"] == "COMPLETED"
    assert float(out["training_accuracy"]) >= ACCURACY_FLOOR, out
    training_id = out["training_id"]
    assert training_id.startswith("training-")

    # the data set came from the third mirror, after a dead one and a corrupted one
    downloads = result.task_results("Get and verify the data set's files")[0]["files"]
    for item in downloads:
        attempts = item["attempts"]
        assert [a["ok"] for a in attempts] == [False, False, True], attempts
        assert "checksum mismatch" in attempts[1]["error"]
        assert item["source"].startswith(mirrors["good"].url)
    # the bucket holds exactly the verified files
    s3c = servers.s3_client(s3)
    for name, digest in FASHION_MNIST_MD5.items():
        body = s3c.get_object(Bucket="tf_training_data", Key=name)["Body"].read()
        assert hashlib.md5(body, usedforsecurity=False).hexdigest() == digest
    # the learner stored its results under <training id>/ ...
    keys = servers.list_keys(s3, "tf_trained_model")
    for expected in (
        "model/saved_model.pb",
        "saved_model.tar.gz",
        "learner-1/training-log.txt",
        "_submitted_code/model.zip",
    ):
        assert f"{training_id}/{expected}" in keys, keys
    # ... and they were fetched to the controller (but the submitted code)
    fetched = Path(out["training_results_path"])
    assert fetched == workspace["results"] / training_id
    assert (fetched / "model/saved_model.pb").stat().st_size > 0
    assert (fetched / "model/variables/variables.index").exists()
    assert not (fetched / "_submitted_code").exists()
    assert json.loads((fetched / "metrics.json").read_text())["test_accuracy"] >= ACCURACY_FLOOR
    assert f"test accuracy {out['training_accuracy']}" in out["training_summary"]
    # the manifest went out as the tutorial's, with s3_datastore and the S3 endpoint as auth_url (FfDL lists no data
    # stores for a finished job, the manifest kept beside the zip says)
    (job,) = [j for j in jobs(restapi.url) if j["model_id"] == training_id]
    assert "data_stores" not in job
    sent = yaml.safe_load(workspace["cache"].joinpath("jobs/localhost/manifest.yml").read_text())
    (store,) = sent["data_stores"]
    assert store["type"] == "s3_datastore" and store["connection"]["auth_url"] == s3.url
    assert job["framework"] == {"name": "tensorflow", "version": "1.5.0-py3"}
    assert (job["training"]["cpus"], job["training"]["memory"], job["training"]["memory_unit"]) == (0.5, 1, "GB")
    # progress as it happened: the statuses each poll saw, in order (a short phase can fall between two polls; every
    # phase is asserted in test_training_progress.py), and the model's progress lines
    progress = [line for line in result.stdout.splitlines() if line.startswith(f"[localhost] {training_id}  ")]
    statuses = [line.rsplit("  ", 1)[1] for line in progress if "| " not in line]
    lifecycle = ["PENDING", "DOWNLOADING", "PROCESSING", "STORING", "COMPLETED"]
    assert statuses[-1] == "COMPLETED" and statuses == sorted(set(statuses), key=lifecycle.index), progress
    steps = [line for line in progress if "| Time" in line and "Minibatch Loss=" in line]
    printed = (fetched / "learner-1/training-log.txt").read_text().count("Minibatch Loss=")
    assert len(steps) == printed >= 5 and any("| Testing Accuracy:" in line for line in progress)
    # the training curve: the log's points and the TensorBoard scalars the example wrote, a PNG, the history
    with (fetched / "training-metrics.csv").open() as handle:
        curve = list(csv.DictReader(handle))
    assert len(curve) == len(steps) >= 5
    losses = [float(row["loss"]) for row in curve]
    assert losses[-1] < losses[0] and all(row["tensorboard:loss"] for row in curve)
    png = (fetched / "training-curve.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000
    assert out["training_plot_path"] == str(fetched / "training-curve.png")
    assert out["training_metrics"]["loss"] == losses[-1]
    assert f"training curve {fetched}/training-curve.png" in out["training_summary"]
    with (workspace["results"] / "history.csv").open() as handle:
        (line,) = list(csv.DictReader(handle))
    assert (line["training_id"], line["status"], line["points"]) == (training_id, "COMPLETED", str(len(curve)))
    assert float(line["test_accuracy"]) >= ACCURACY_FLOOR and int(line["duration_s"]) > 0
    # the zip is flat, like `zip -j`, and the same bytes as the work dir's copy
    work_zip = workspace["cache"] / "jobs/localhost/model.zip"
    assert rest(restapi.url, path=f"/v1/models/{training_id}/definition") == (200, work_zip.read_bytes())
    assert sorted(zipfile.ZipFile(work_zip).namelist()) == ["convolutional_network.py", "input_data.py"]
    assert workspace["cache"].joinpath("jobs/localhost/manifest.yml").stat().st_mode & 0o777 == 0o600


def test_second_run_changes_nothing_downloads_nothing_submits_nothing(restapi, mirrors, workspace, base):
    before = jobs(restapi.url)
    log = Path(mirrors["good"].log)
    downloads_before = log.read_text().count('"GET /')
    result = play(workspace, base)
    assert result.rc == 0, result.stdout[-3000:]
    assert result.changed() == 0, result.changed_tasks()
    assert jobs(restapi.url) == before
    assert log.read_text().count('"GET /') == downloads_before
    assert facts(result)["training_status"] == "COMPLETED"
    # a finished job is not followed: no progress printed, the curve and history as they were
    assert not [line for line in result.stdout.splitlines() if line.startswith("[localhost] training-")]


def test_a_deleted_result_is_fetched_again_and_kept_ones_stay_as_they_are(restapi, workspace, base):
    """A finished job's results do not change: only what is missing on the host is fetched."""
    (fetched,) = [path.parents[1] for path in workspace["results"].rglob("model/saved_model.pb")]
    (fetched / "model/saved_model.pb").unlink()
    metrics = fetched / "metrics.json"
    metrics.write_text('{"test_accuracy": 1.0, "note": "edited here"}')
    result = play(workspace, base)
    assert result.rc == 0, result.stdout[-3000:]
    assert result.changed_tasks() == ["Fetch the results (the trained model among them)"], result.changed_tasks()
    assert Path(facts(result)["training_results_path"]) == fetched
    assert (fetched / "model/saved_model.pb").stat().st_size > 0
    assert "edited here" in metrics.read_text()


def test_a_results_dir_with_a_trailing_slash_finds_what_is_fetched(restapi, workspace, base):
    extra = {**base, "training_results_dir": str(workspace["results"]) + "/"}
    result = play(workspace, extra)
    assert result.rc == 0, result.stdout[-3000:]
    (fetch,) = result.task_results("Fetch the results (the trained model among them)")
    assert fetch["fetched"] == [] and len(fetch["kept"]) > 3, fetch


def test_secrets_stay_out_of_vvv_output_and_readable_files(restapi, workspace, base, tmp_path):
    """-vvv with the default callback (what users paste into issues), the AWS profile on: no secret printed,
    and no file the role wrote that others can read holds one."""
    home = tmp_path / "home"
    extra = {**base, "training_aws_profile": "ffdl", "training_aws_config_dir": str(home / ".aws")}
    result = play(workspace, extra, args=["-vvv"], callback="default")
    assert result.rc == 0, result.stdout[-3000:]
    # kept for the no-secrets gate, which scans every log under tests/output
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "training-vvv.log").write_text(result.stdout + result.stderr)
    no_secret_in(result)
    readable = []
    for root in (workspace["root"], home):
        for path in Path(root).rglob("*"):
            if path.is_file() and path.stat().st_mode & 0o044:
                data = path.read_bytes()
                if S3_SECRET.encode() in data or REST_PASSWORD.encode() in data:
                    readable.append(f"{path} {oct(path.stat().st_mode)}")
    assert readable == [], readable


def test_a_local_directory_serves_the_data_set(restapi, mirrors, fashion_mnist, workspace, base, tmp_path):
    downloads_before = Path(mirrors["good"].log).read_text().count('"GET /')
    extra = {**base, "training_data_dir": str(fashion_mnist), "training_cache_dir": str(tmp_path / "cache")}
    result = play(workspace, extra)
    assert result.rc == 0, result.stdout[-3000:]
    # only the (new) cache was filled, from the directory; the bucket already had the same bytes
    # (the code is packed, and checked against the command, before the data set is read); the job
    # is the same, and the manifest it was sent is kept in the new cache's work dir
    assert [name.split(" (/")[0] for name in result.changed_tasks()] == [
        "Pack the model code like `zip -j`",
        "Get and verify the data set's files",
        "Submit the training job once and follow it to its end",
    ]
    (job,) = result.task_results("Submit the training job once and follow it to its end")
    assert not job["submitted"]
    assert Path(mirrors["good"].log).read_text().count('"GET /') == downloads_before


def test_check_mode_on_a_converged_run_predicts_no_change(restapi, workspace, base):
    result = play(workspace, base, check=True)
    assert result.rc == 0, result.stdout[-3000:]
    assert result.changed() == 0, result.changed_tasks()


def test_changed_code_submits_a_new_job(restapi, workspace, base, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(MODEL, model)
    with (model / "convolutional_network.py").open("a") as handle:
        handle.write("# a change to the code\n")
    first_id = {j["model_id"] for j in jobs(restapi.url)}
    extra = {**base, "training_model_dir": str(model), "training_iters": 256}
    check = play(workspace, extra, check=True)
    assert check.rc == 0 and "Submit the training job once and follow it to its end" in (check.changed_tasks())
    assert {j["model_id"] for j in jobs(restapi.url)} == first_id
    result = play(workspace, extra)
    assert result.rc == 0, result.stdout[-3000:]
    new = facts(result)["training_id"]
    assert new not in first_id and facts(result)["training_status"] == "COMPLETED"
    assert len(jobs(restapi.url)) == len(first_id) + 1


def test_a_failing_model_fails_the_task_with_its_log_tail(restapi, workspace, base, tmp_path):
    model = tmp_path / "failing"
    model.mkdir()
    (model / "train.py").write_text(
        "import sys\nprint('loading the data set')\nprint('cannot allocate the tensor: out of memory')\nsys.exit(3)\n"
    )
    extra = {
        **base,
        "training_model_dir": str(model),
        "training_command": "python3 train.py",
        "training_job_name": "failing",
    }
    result = play(workspace, extra)
    assert result.rc != 0
    # the task's failure, then the role's rescue failing with the same message and the diagnostics archive
    submitted, final = result.failure_messages()
    assert final.startswith(submitted) and "-- what FfDL and its namespace said then: " in final
    archive = final.rsplit(" ", 1)[-1]
    with tarfile.open(archive) as members:
        assert "cannot allocate the tensor: out of memory" in members.extractfile("training-log.txt").read().decode()
    message = final
    # FfDL's detail is the error code with the exit code in status_message, worded as its CLI does
    assert "ended FAILED: Learner process terminated with an error (exit code: '3') (error code C201)" in message
    assert "cannot allocate the tensor: out of memory" in message
    no_secret_in(result)


def test_halt_and_delete(restapi, s3, workspace, base, tmp_path):
    for bucket in ("tf_training_data", "tf_trained_model"):
        if bucket not in bucket_names(s3):
            servers.make_bucket(s3, bucket, {"data.txt": b"1"})
    model = tmp_path / "slow"
    model.mkdir()
    (model / "train.py").write_text("import time\nprint('training', flush=True)\ntime.sleep(300)\n")
    playbook = tmp_path / "halt.yml"
    playbook.write_text(
        textwrap.dedent(
            """\
            - hosts: localhost
              gather_facts: false
              module_defaults:
                group/ffdl.platform.ffdl: {url: "{{ url }}", password: "{{ password }}"}
              tasks:
                - name: Submit without waiting
                  ffdl.platform.training_job:
                    manifest_content: "{{ manifest | to_nice_yaml }}"
                    model_definition: "{{ model }}"
                    wait: false
                  register: job
                # halted before its learner runs, FfDL's job monitor writes PROCESSING over HALTED (the learner is
                # not told): halt a job whose learner is in its 300 s sleep already
                - name: Wait until it runs
                  ffdl.platform.training_job_info:
                    training_id: "{{ job.training_id }}"
                  register: running
                  until: running.status == 'PROCESSING'
                  retries: 30
                  delay: 1
                - name: Halt it
                  ffdl.platform.training_job:
                    training_id: "{{ job.training_id }}"
                    state: halted
                - name: Read it
                  ffdl.platform.training_job_info:
                    training_id: "{{ job.training_id }}"
                  register: halted
                  until: halted.status == 'HALTED'
                  retries: 20
                  delay: 1
                - name: Halt it again
                  ffdl.platform.training_job:
                    training_id: "{{ job.training_id }}"
                    state: halted
                  register: again
                # FfDL's halt left the learner running: the resubmit deletes the halted job first
                - name: Submit the same manifest and code again
                  ffdl.platform.training_job:
                    manifest_content: "{{ manifest | to_nice_yaml }}"
                    model_definition: "{{ model }}"
                    wait: false
                  register: resubmitted
                - name: Read the halted job
                  ffdl.platform.training_job_info:
                    training_id: "{{ job.training_id }}"
                  register: halted_job
                - name: Delete it
                  ffdl.platform.training_job:
                    training_id: "{{ resubmitted.training_id }}"
                    state: absent
                - name: Delete it again
                  ffdl.platform.training_job:
                    training_id: "{{ resubmitted.training_id }}"
                    state: absent
                  register: deleted_again
                - name: Read it once more
                  ffdl.platform.training_job_info:
                    training_id: "{{ resubmitted.training_id }}"
                  register: gone
                - name: Check
                  ansible.builtin.assert:
                    that:
                      - job is changed and job.status == 'PENDING' or job.status in ['DOWNLOADING', 'PROCESSING']
                      - again is not changed
                      - resubmitted.deleted == job.training_id and resubmitted.training_id != job.training_id
                      - not halted_job.found
                      - deleted_again is not changed
                      - not gone.found
            """
        )
    )
    manifest = servers.job_manifest("slow", s3.url, "tf_training_data", "tf_trained_model", S3_SECRET)
    result = run_playbook(
        playbook, {"url": restapi.url, "password": REST_PASSWORD, "manifest": manifest, "model": str(model)}
    )
    assert result.rc == 0, result.stdout[-4000:]
    no_secret_in(result)


@pytest.mark.parametrize(
    ("override", "variable"),
    [
        ({"training_restapi_url": "http://127.0.0.1:{closed}"}, "training_restapi_url"),
        ({"training_s3_endpoint_url": "http://127.0.0.1:{closed}"}, "training_s3_endpoint_url"),
        ({"training_memory": "1 terabyte"}, "training_memory"),
        # what FfDL silently changes or cannot do (ffdl-rest-contract-facts.md, differences 2-5)
        ({"training_memory": "1.5Gb"}, "training_memory"),
        ({"training_cpus": 0}, "training_cpus"),
        ({"training_results_bucket": "tf-fresh-results"}, "training_results_bucket"),
        ({"training_s3_secret_key": ""}, "training_s3_secret_key"),
        ({"training_framework_name": "theano"}, "training_framework_name"),
        # the command names a file the model code lacks; patterns that are no regular expressions
        ({"training_command": "python3 missing_model.py"}, "training_command"),
        ({"training_metrics_patterns": ["Iter (\\d+"]}, "training_metrics_patterns"),
        ({"training_metrics_patterns": ["Loss= (?P<loss>[0-9.]+)"]}, "training_metrics_patterns"),
        ({"training_progress_patterns": ["[unclosed"]}, "training_progress_patterns"),
        ({"training_restapi_url": "ftp://ffdl.example"}, "training_restapi_url"),
        ({"training_results_bucket": "Bad_Bucket!"}, "training_results_bucket"),
        ({"training_results_bucket": "tf_fresh_data"}, "training_results_bucket"),
        ({"training_data_files": [{"name": "a/b.gz", "checksum": "md5:" + "0" * 32}]}, "training_data_files"),
        ({"training_data_files": [{"name": "x.gz", "checksum": "crc32:1234"}]}, "training_data_files"),
        ({"training_iters": 0}, "training_iters"),
        ({"training_framework_version": ""}, "training_framework_version"),
    ],
)
def test_bad_input_fails_before_anything_is_created(s3, restapi, workspace, base, tmp_path, override, variable):
    closed = servers.free_port("127.0.0.1")
    override = {k: (v.format(closed=closed) if isinstance(v, str) else v) for k, v in override.items()}
    extra = {
        **base,
        "training_data_bucket": "tf_fresh_data",
        "training_results_bucket": "tf_fresh_results",
        "training_cache_dir": str(tmp_path / "cache"),
        **override,
    }
    buckets, submitted = bucket_names(s3), jobs(restapi.url)
    result = play(workspace, extra)
    assert result.rc != 0
    message = " ".join(result.failure_messages())
    assert variable in message, message
    assert bucket_names(s3) == buckets
    assert jobs(restapi.url) == submitted
    assert not (tmp_path / "cache").exists()


def test_a_manifest_file_with_two_data_stores_is_refused(s3, restapi, workspace, base, tmp_path):
    manifest = tmp_path / "manifest.yml"
    store = {
        "id": "a",
        "type": "s3_datastore",
        "training_data": {"container": "x1x"},
        "training_results": {"container": "y1y"},
    }
    manifest.write_text(
        json.dumps(
            {
                "name": "two",
                "framework": {"name": "tensorflow", "version": "1.5.0-py3", "command": "true"},
                "data_stores": [store, store],
            }
        )
    )
    submitted = jobs(restapi.url)
    result = play(workspace, {**base, "training_manifest_file": str(manifest)})
    assert result.rc != 0
    assert "exactly one data store" in " ".join(result.failure_messages())
    assert jobs(restapi.url) == submitted


def test_a_corrupted_local_copy_is_never_uploaded(s3, restapi, mirrors, workspace, base, tmp_path):
    extra = {
        **base,
        "training_data_dir": str(mirrors["corrupt"]),
        "training_data_bucket": "tf_local_data",
        "training_results_bucket": "tf_local_results",
        "training_cache_dir": str(tmp_path / "cache"),
    }
    result = play(workspace, extra)
    assert result.rc != 0
    assert "checksum mismatch" in " ".join(result.failure_messages())
    assert "tf_local_data" not in bucket_names(s3)
    assert not list((tmp_path / "cache").rglob("*.gz"))


def test_a_fresh_check_mode_run_creates_and_submits_nothing(s3, restapi, workspace, base, tmp_path):
    extra = {
        **base,
        "training_data_bucket": "tf_check_data",
        "training_results_bucket": "tf_check_results",
        "training_cache_dir": str(tmp_path / "cache"),
        "training_results_dir": str(tmp_path / "results"),
    }
    buckets, submitted = bucket_names(s3), jobs(restapi.url)
    result = play(workspace, extra, check=True)
    assert result.rc == 0, result.stdout[-4000:]
    assert result.changed() > 0
    assert bucket_names(s3) == buckets
    assert jobs(restapi.url) == submitted
    assert not (tmp_path / "cache").exists() and not (tmp_path / "results").exists()


def test_aws_profile_is_private_and_stable(workspace, base, tmp_path):
    extra = {**base, "training_aws_profile": "ffdl", "training_aws_config_dir": str(tmp_path / "aws")}
    first = play(workspace, extra)
    assert first.rc == 0, first.stdout[-3000:]
    credentials = tmp_path / "aws/credentials"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "aws").stat().st_mode) == 0o700
    assert f"aws_secret_access_key = {S3_SECRET}" in credentials.read_text()
    assert "[profile ffdl]" in (tmp_path / "aws/config").read_text()
    no_secret_in(first)
    second = play(workspace, extra)
    assert second.changed() == 0, second.changed_tasks()


def test_absent_deletes_the_jobs_and_keeps_the_data(s3, restapi, workspace, base, tmp_path):
    assert any(j["name"] == "tf_convolutional_network_tutorial" for j in jobs(restapi.url))
    # a job of the same name submitted by hand, without a description: FfDL leaves the key out
    theirs = tmp_path / "theirs.zip"
    with zipfile.ZipFile(theirs, "w") as archive:
        archive.writestr("train.py", "print('theirs')\n")
    stranger = submit_by_hand(restapi.url, s3, theirs.read_bytes())
    assert "description" not in rest(restapi.url, path=f"/v1/models/{stranger}")[1]
    result = play(workspace, {**base, "training_state": "absent"})
    assert result.rc == 0, result.stdout[-3000:]
    assert [j["model_id"] for j in jobs(restapi.url) if j["name"] == "tf_convolutional_network_tutorial"] == [stranger]
    assert {"tf_training_data", "tf_trained_model"} <= bucket_names(s3)
    assert list(workspace["results"].iterdir())
    assert not (workspace["cache"] / "jobs/localhost").exists()
    again = play(workspace, {**base, "training_state": "absent"})
    assert again.rc == 0 and again.changed() == 0, again.changed_tasks()
    removed = play(workspace, {**base, "training_state": "absent", "training_remove_buckets": True})
    assert removed.rc == 0, removed.stdout[-3000:]
    assert not {"tf_training_data", "tf_trained_model"} & bucket_names(s3)
