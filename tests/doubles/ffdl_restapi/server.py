"""A stand-in for FfDL's REST API, trainer, LCM and learner that really runs the training jobs.

FfDL's own services cannot run here (their images are on a registry this
machine cannot reach, and its Go module is not served by the proxy), so the
tests talk to this server instead. It is written from FfDL's source, as
../shared/reference/ffdl-rest-contract-facts.md records it (restapi/api_v1 and
its swagger.yml, trainer/trainer/trainer_impl.go, trainer/storage,
lcm/controller/src/controller.sh, the job monitor), not from what the
collection's modules send. tests/README.md lists what it reproduces and what
it does not; tests/integration/test_restapi_contract.py checks each point.

The REST layer (restapi/api_v1/server, restapi/middleware):
- GET /health answers 200 "OK" without authentication.
- Every other call needs ``X-Watson-Userinfo`` with ``bluemix-instance-id=<user>``
  (401 otherwise); the /v1/models operations but logs and metrics also a
  non-empty ``Authorization``, ``X-Watson-Authorization-Token`` or
  ``watson-token``; the /v1/models operations the ``version`` query (422).
- Errors are FfDL's ``Error`` model, ``{code, error, description}`` with empty
  fields left out (go-swagger ``omitempty``); so is every answer: a job without
  a description has no ``description`` key.
- POST /v1/models: multipart ``manifest`` (required, 422) and
  ``model_definition``; the manifest is read as FfDL's ManifestV1; more than one
  data store is a 400; the trainer's checks answer 400 with their message; a
  data store connection without ``auth_url``, ``user_name`` or ``password``
  kills the trainer (FatalOnAbsentKeyInMap): 500, and every call that needs the
  trainer answers 500 until it is back. Memory is parsed by FfDL's regular
  expression (``1.5Gb`` is 512 MB), cpus 0 become 5 and a zero memory 12 GiB.
  The code is stored as ``<results bucket>/<id>/_submitted_code/model.zip``
  with FfDL's S3 addressing: path style only for an ``auth_url`` in
  ``svc.cluster.local``, else virtual host for DNS-valid bucket names (as
  aws-sdk-go does), so ``tf-trained-model`` against a NodePort address fails
  the submit with a 500, and so does a missing results bucket. 201 with
  ``Location`` and ``{model_id, location}``.
- PATCH ``{"status": "halt"}`` writes HALTED and nothing else: the learner goes
  on, and its later statuses (STORING, COMPLETED) are written over HALTED, as
  FfDL's job monitor does. Halting a finished or unknown job answers 202.
- DELETE kills the learner and forgets the job (the buckets stay).
- Another user's job answers 401; an unknown one 404.
- Logs: ``/v1/models/{id}/logs`` (``follow=true`` streams until the job ends),
  ``/v1/logs/{id}/loglines`` and ``/v1/logs/{id}/emetrics`` (the training-data
  service: pages of 10, ``pos``, the user's own lines only, regex_extractor
  metrics from the manifest's ``evaluation_metrics`` groups).

The job, as the LCM's controller.sh runs it with an s3_datastore: PENDING ->
DOWNLOADING (load-model unzips the code: not a zip fails S301; load-data copies
the data bucket into $DATA_DIR: a missing bucket fails S302) -> PROCESSING
(``framework.command`` through bash's eval in $MODEL_DIR with DATA_DIR,
RESULT_DIR, JOB_STATE_DIR, LOG_DIR, MODEL_DIR, TRAINING_ID) -> STORING
($RESULT_DIR to ``<results bucket>/<id>/``, the log to
``<id>/learner-1/training-log.txt``, and with a tensorboard collector $LOG_DIR
to ``<id>/``) -> COMPLETED; a failing command is STORING -> FAILED with
error_code C201 and the exit code as ``status_message``. A finished job lists
no data stores; a running one two (``<id>-input``, ``<id>-output``).

The learner image (tensorflow/tensorflow:<version>) is replaced by the
interpreter of --learner-bin (a virtualenv with tensorflow-cpu): its bin
directory comes first on PATH, so the manifest's ``python3`` is that one.

    python tests/doubles/ffdl_restapi/server.py --port 0 --workdir DIR --learner-bin VENV/bin
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import io
import json
import os
import re
import secrets
import shutil
import signal
import string
import subprocess
import sys
import threading
import time
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import yaml
from botocore.config import Config

TERMINAL = ("COMPLETED", "FAILED", "HALTED")
# restapi/api_v1/server/manifest.go convertMemoryFromManifest: the first match
# of this expression (it always matches, maybe empty); a number without one of
# trainer.proto's SizeUnits (MB, MiB, GB, GiB) falls back to 512 MB.
FFDL_MEMORY = re.compile(r"(?i)(?P<memory>(\d+)?)\s*(?P<unit>(mb|mib|gb|gib|tb|tib)?)")
SIZE_UNITS = {"mb": "MB", "mib": "MiB", "gb": "GB", "gib": "GiB"}
# The learners FfDL's learner-config ConfigMap lists (IBM/FfDL
# templates/services/learner-configmap.yml): trainer frameworks.go
# validateFrameworks wants <name>_gpu_<version>_CURRENT or <name>_cpu_<version>_CURRENT.
TENSORFLOW_VERSIONS = ("latest", "1.4.0", "1.5.0", "1.5.1", "1.6.0", "1.7.0", "1.8.0", "1.9.0")
LEARNER_CONFIG = frozenset(
    [f"tensorflow_cpu_{v}{py}" for v in TENSORFLOW_VERSIONS for py in ("", "-py3")]
    + [f"tensorflow_gpu_{v}-gpu{py}" for v in TENSORFLOW_VERSIONS for py in ("", "-py3")]
    + [
        "h2o3_cpu_latest",
        "caffe_cpu_cpu",
        "caffe_gpu_gpu",
        "caffe_cpu_intel",
        "pytorch_gpu_v0.2",
        "pytorch_gpu_latest",
        "caffe2_cpu_c2v0.8.1.cpu.full.ubuntu14.04",
        "caffe2_gpu_c2v0.8.1.cuda8.cudnn7.ubuntu16.04",
        "caffe2_cpu_c2v0.8.0.cpu.full.ubuntu16.04",
        "caffe2_gpu_latest",
        "horovod_gpu_0.13.10-tf1.9.0-torch0.4.0-py3.5",
        "horovod_gpu_0.13.10-tf1.9.0-torch0.4.0-py2.7",
    ]
)
# aws-sdk-go service/s3/host_style_bucket.go
DNS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
IP_ADDRESS = re.compile(r"^(\d+\.){3}\d+$")
# shortid's default alphabet
ID_CHARS = string.ascii_letters + string.digits + "_-"
LOG_PAGE_SIZE = 10  # restapi models_impl.go defaultLogPageSize
GROK = {  # the regex_extractor's macros (FfDL metrics/log_collectors/regex_extractor)
    "%{FLOAT:": r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?",
    "%{INT:": r"[+-]?\d+",
}


def now_ms() -> str:
    return str(int(time.time() * 1000))


def error(code: int, message: str = "", description: str = "") -> dict:
    """restmodels.Error with its omitempty fields."""
    body = {"code": code}
    if message:
        body["error"] = message
    if description:
        body["description"] = description
    return body


INTERNAL = error(500, "Internal server error")


def path_style(auth_url: str, bucket: str) -> bool:
    """Whether FfDL's trainer reaches ``bucket`` path style (s3_object_store.go usePathStyleAddressing + aws-sdk-go)."""
    if "svc.cluster.local" in auth_url:
        return True
    if urllib.parse.urlsplit(auth_url).scheme == "https" and "." in bucket:
        return True
    dns = DNS_BUCKET.match(bucket or "") and not IP_ADDRESS.match(bucket) and ".." not in bucket
    return not dns


def to_virtual_host(request, **_kwargs) -> None:
    """Move the bucket from the path into the host name, as aws-sdk-go v1 does for any endpoint.

    botocore keeps path style for an IP endpoint whatever the configuration;
    FfDL's Go SDK does not, which is the point of reproducing it.
    """
    url = urllib.parse.urlsplit(request.url)
    bucket, _slash, key = url.path.lstrip("/").partition("/")
    if bucket:
        request.url = urllib.parse.urlunsplit((url.scheme, f"{bucket}.{url.netloc}", "/" + key, url.query, ""))


def s3_client(connection: dict, bucket: str):
    """An S3 client reaching ``bucket`` the way FfDL's trainer and data broker would."""
    auth_url = str(connection.get("auth_url") or "")
    client = boto3.client(
        "s3",
        endpoint_url=auth_url,
        aws_access_key_id=str(connection.get("user_name") or ""),
        aws_secret_access_key=str(connection.get("password") or ""),
        region_name=connection.get("region") or "us-east-1",
        config=Config(s3={"addressing_style": "path"}, connect_timeout=5, read_timeout=30, retries={"max_attempts": 1}),
    )
    if not path_style(auth_url, bucket):
        client.meta.events.register("before-sign.s3", to_virtual_host)
    return client


def ffdl_memory(value) -> tuple[float, str]:
    """(memory, unit) as FfDL's REST layer reads the manifest's memory string."""
    match = FFDL_MEMORY.match("" if value is None else str(value))
    unit = SIZE_UNITS.get(match.group("unit").lower())
    if not match.group("memory") or unit is None:
        return 512.0, "MB"  # the error is only logged (manifest.go)
    return float(match.group("memory")), unit


def number(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


class Job:
    def __init__(self, training_id: str, user: str, manifest: dict, zip_bytes: bytes):
        self.id = training_id
        self.user = user
        self.manifest = manifest
        self.zip = zip_bytes
        self.status = "PENDING"
        self.status_message = ""
        self.error_code = ""
        self.submitted = now_ms()
        self.completed = ""
        self.log = io.StringIO()
        self.process: subprocess.Popen | None = None
        self.deleted = False
        # the trainer drops the data stores when a job first reaches a final status
        self.stores_dropped = False
        self.lock = threading.Lock()
        memory, unit = ffdl_memory(manifest.get("memory"))
        if memory == 0:  # trainer setDefaultResourceRequirements
            memory, unit = 12.0, "GiB"
        self.resources = {
            "cpus": number(manifest.get("cpus")) or 5.0,
            "gpus": number(manifest.get("gpus")),
            "memory": memory,
            "memory_unit": unit,
            "learners": int(number(manifest.get("learners"))),
        }

    @property
    def store(self) -> dict:
        return self.manifest["data_stores"][0]

    def set(self, status: str, error_code: str = "", status_message: str = "") -> None:
        """What the trainer's UpdateTrainingJob stores: any status over any other (even over HALTED)."""
        with self.lock:
            if self.deleted:
                return
            self.status = status
            self.status_message = status_message
            self.error_code = error_code
            if status in TERMINAL:
                self.completed = now_ms()
                self.stores_dropped = True

    def halt(self) -> None:
        """PATCH halt: HALTED in the record, nothing else (the learner is not told)."""
        with self.lock:
            if self.status in TERMINAL:
                return
            self.status, self.status_message, self.error_code = "HALTED", "", ""
            self.completed = now_ms()
            self.stores_dropped = True

    def write(self, text: str) -> None:
        with self.lock:
            self.log.write(text)

    def log_text(self) -> str:
        with self.lock:
            return self.log.getvalue()

    def model(self) -> dict:
        """The job as restapi's createModel builds it, with go-swagger's omitempty."""
        m = self.manifest
        store = self.store
        status = {"status": self.status, "status_description": self.status, "submitted": self.submitted}
        for key, value in (
            ("status_message", self.status_message),
            ("error_code", self.error_code),
            ("completed", self.completed),
        ):
            if value:
                status[key] = value
        training = {"command": " ".join(str(m["framework"]["command"]).splitlines())}
        for key, value in self.resources.items():
            if value:
                training[key] = int(value) if key != "memory_unit" and float(value).is_integer() else value
        training.update(
            input_data=[f"{store.get('id')}-input"],
            output_data=[f"{store.get('id')}-output"] if store.get("training_results") else None,
            training_status=status,
        )
        job = {"model_id": self.id, "location": f"/v1/models/{self.id}", "name": m.get("name")}
        if m.get("description"):
            job["description"] = str(m["description"])
        job["framework"] = {"name": m["framework"]["name"], "version": str(m["framework"]["version"])}
        job["training"] = training
        if not self.stores_dropped:
            stores = []
            for suffix, key in (("input", "training_data"), ("output", "training_results")):
                if store.get(key):
                    connection = {k: str(v) for k, v in (store.get("connection") or {}).items()}
                    connection["bucket"] = store[key]["container"]
                    stores.append(
                        {
                            "data_store_id": f"{store.get('id')}-{suffix}",
                            "type": store.get("type"),
                            "connection": connection,
                        }
                    )
            job["data_stores"] = stores
        return job


class Learner(threading.Thread):
    """The LCM's helper and learner pods for one job (controller.sh's state machine, s3_datastore)."""

    def __init__(self, job: Job, workdir: Path, learner_bin: str, phase_seconds: float = 0.0):
        super().__init__(daemon=True)
        self.job = job
        self.root = workdir / job.id
        self.learner_bin = learner_bin
        # how long PENDING, DOWNLOADING and STORING last at least (pods starting, copies of big data sets)
        self.phase_seconds = phase_seconds

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # what the stand-in itself hits ends the job FAILED
            self.job.write(f"\nstand-in learner error: {exc}\n")
            self.job.set("FAILED", "S104", str(exc))
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _run(self) -> None:
        job = self.job
        store = job.store
        connection = store.get("connection") or {}
        data_bucket = store["training_data"]["container"]
        results_bucket = store["training_results"]["container"]
        state_dir = self.root / "job"
        data_dir = state_dir / data_bucket
        result_dir = state_dir / results_bucket
        model_dir = state_dir / "model-code"
        log_dir = state_dir / "logs"
        for path in (data_dir, result_dir, model_dir, log_dir):
            path.mkdir(parents=True, exist_ok=True)
        time.sleep(0.5 + self.phase_seconds)  # the LCM deploying the helper and learner pods
        job.write("Initiating job\n")
        job.set("DOWNLOADING")
        time.sleep(self.phase_seconds)

        # load-model and load-data
        try:
            with zipfile.ZipFile(io.BytesIO(job.zip)) as archive:
                archive.extractall(model_dir)
        except zipfile.BadZipFile:
            return self._fail_early("load_model_exit_code", 9, "S301")
        try:
            s3 = s3_client(connection, data_bucket)
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=data_bucket):
                for item in page.get("Contents", []):
                    target = data_dir / item["Key"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    s3.download_file(data_bucket, item["Key"], str(target))
        except Exception as exc:
            job.write(f"load-data: {exc}\n")
            return self._fail_early("load_data_exit_code", 1, "S302")

        job.set("PROCESSING")
        command = " ".join(str(job.manifest["framework"]["command"]).splitlines())
        env = {
            "PATH": f"{self.learner_bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(state_dir),
            "LANG": "C.UTF-8",
            "DATA_DIR": str(data_dir),
            "RESULT_DIR": str(result_dir),
            "MODEL_DIR": str(model_dir),
            "JOB_STATE_DIR": str(state_dir),
            "LOG_DIR": str(log_dir),
            "TRAINING_ID": job.id,
            "LEARNER_ID": "1",
            "TRAINING_COMMAND": command,
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
        job.write(
            f"stand-in learner: {self.learner_bin}/python3 in place of the image "
            f"{job.manifest['framework']['name']}/{job.manifest['framework']['name']}:"
            f"{job.manifest['framework']['version']}\n"
        )
        with subprocess.Popen(
            ["/bin/bash", "-c", 'eval "$TRAINING_COMMAND"'],
            cwd=model_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        ) as process:
            job.process = process
            for line in process.stdout:
                job.write(line)
            rc = process.wait()
        if job.deleted:
            return None
        if rc != 0:
            job.write(f"Failed: learner_exit_code: {rc}\n")
        job.set("STORING")
        time.sleep(self.phase_seconds)
        (log_dir / "training-log.txt").write_text(job.log_text())
        s3 = s3_client(connection, results_bucket)
        for path in sorted(result_dir.rglob("*")):
            if path.is_file():
                s3.upload_file(str(path), results_bucket, f"{job.id}/{path.relative_to(result_dir).as_posix()}")
        s3.put_object(Bucket=results_bucket, Key=f"{job.id}/learner-1/training-log.txt", Body=job.log_text().encode())
        if str((job.manifest.get("evaluation_metrics") or {}).get("type") or "") == "tensorboard":
            # the tensorboard log collector syncs /job/logs to <id>/
            for path in sorted(log_dir.rglob("*")):
                if path.is_file():
                    s3.upload_file(str(path), results_bucket, f"{job.id}/{path.relative_to(log_dir).as_posix()}")
        if rc != 0:
            job.set("FAILED", "C201", str(rc))
        else:
            job.set("COMPLETED")
        return None

    def _fail_early(self, what: str, exit_code: int, error_code: str) -> None:
        self.job.write(f"Failed: {what}: {exit_code}\n")
        self.job.set("FAILED", error_code, str(exit_code))


class State:
    def __init__(self, workdir: Path, learner_bin: str, trainer_restart: float, phase_seconds: float = 0.0):
        self.phase_seconds = phase_seconds
        self.workdir = workdir
        self.learner_bin = learner_bin
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.trainer_restart = trainer_restart
        self.trainer_down_until = 0.0

    def trainer_up(self) -> bool:
        return time.monotonic() >= self.trainer_down_until

    def kill_trainer(self) -> None:
        self.trainer_down_until = time.monotonic() + self.trainer_restart


def trainer_problem(manifest: dict, zip_bytes: bytes) -> str | None:
    """The trainer's validateRequest (trainer_impl.go): the first message, answered as a 400."""
    framework = manifest["framework"]
    if not manifest.get("name"):
        return "Model definition name is not set"
    if not framework.get("name"):
        return "Framework name is not set"
    if not framework.get("version"):
        return "Framework version is not set"
    name, version = str(framework["name"]).lower(), str(framework["version"])
    if f"{name}_gpu_{version}" not in LEARNER_CONFIG and f"{name}_cpu_{version}" not in LEARNER_CONFIG:
        return f"{name} version {version} not supported"
    if not zip_bytes:
        return "Model definition content is not set"
    if not framework.get("command"):
        return "Training command is not set"
    store = manifest["data_stores"][0]
    if not store.get("connection"):
        return "Data store connection info not set"
    for key in ("training_data", "training_results"):
        if key in store and not (store.get(key) or {}).get("container"):
            return "Data store bucket is not set"
    return None


class Handler(BaseHTTPRequestHandler):
    server_version = "ffdl-restapi-standin"
    protocol_version = "HTTP/1.1"
    state: State

    def log_message(self, fmt, *args):  # to stderr, which the test log captures
        sys.stderr.write(f"{self.log_date_time_string()} {fmt % args}\n")

    # ------------------------------------------------------------ plumbing
    def reply(self, code: int, body, headers: dict | None = None, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else (json.dumps(body) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def authenticate(self, query: dict, token_needed: bool) -> str | None:
        """The user id, or None after answering 401 as FfDL's middleware and go-swagger do."""
        info = self.headers.get("X-Watson-Userinfo") or (query.get("watson-userinfo") or [""])[0]
        fields = dict(part.split("=", 1) for part in info.split(";") if "=" in part)
        user = fields.get("bluemix-instance-id", "").strip()
        if not user:
            self.reply(401, {"message": "Missing or malformed X-Watson-Userinfo header."})
            return None
        token = (
            self.headers.get("Authorization")
            or self.headers.get("X-Watson-Authorization-Token")
            or (query.get("watson-token") or [""])[0]
        )
        if token_needed and not token:
            self.reply(401, {"code": 401, "message": "unauthenticated for invalid credentials"})
            return None
        return self.headers.get("X-WML-TenantID") or user

    def route(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        if method == "GET" and parts == ["health"]:
            self.reply(200, b"OK", content_type="text/plain")
            return
        # swagger: logs and metrics have `security: []` (no basic auth from a browser)
        token_needed = not (len(parts) == 4 and parts[:2] == ["v1", "models"] and parts[3] in ("logs", "metrics"))
        user = self.authenticate(query, token_needed)
        if user is None:
            return
        if parts[:2] == ["v1", "models"]:
            if not (query.get("version") or [""])[0]:
                self.reply(422, {"code": 602, "message": "version in query is required"})
                return
            if not self.state.trainer_up():
                self.reply(500, INTERNAL)
                return
            self.models(method, user, parts[2:], query)
            return
        if parts[:2] == ["v1", "logs"] and len(parts) == 4 and method == "GET" and parts[3] in ("loglines", "emetrics"):
            self.training_data(user, parts[2], parts[3], query)
            return
        self.reply(404, error(404, "Not found"))

    def job_of(self, user: str, training_id: str) -> Job | None:
        """The job, or None after answering as the REST layer maps the trainer's NotFound / PermissionDenied."""
        job = self.state.jobs.get(training_id)
        if job is None:
            self.reply(404, error(404, "Not found"))
            return None
        if job.user != user:
            self.reply(401, error(401, "Unauthorized"))
            return None
        return job

    # ------------------------------------------------------------ /v1/models
    def models(self, method: str, user: str, rest: list[str], query: dict) -> None:
        if not rest:
            if method == "GET":
                jobs = [j.model() for j in list(self.state.jobs.values()) if j.user == user]
                self.reply(200, {"models": jobs})
            elif method == "POST":
                self.submit(user)
            else:
                self.reply(405, {"code": 405, "message": f"method {method} is not allowed"})
            return
        training_id = rest[0]
        if len(rest) == 1 and method == "PATCH":
            try:
                wanted = json.loads(self.body() or b"{}").get("status")
            except ValueError:
                wanted = None
            if wanted != "halt":
                self.reply(400, error(400, "Bad request", "status parameter has incorrect value"))
                return
            job = self.state.jobs.get(training_id)
            if job is not None and job.user != user:
                self.reply(401, error(401, "Unauthorized"))
                return
            if job is not None:
                job.halt()
            # an unknown id is not the trainer's NotFound code: 202 all the same
            self.reply(202, {"model_id": training_id})
            return
        job = self.job_of(user, training_id)
        if job is None:
            return
        if len(rest) == 1 and method == "GET":
            self.reply(200, job.model())
        elif len(rest) == 1 and method == "DELETE":
            self.delete(job)
            self.reply(200, {"model_id": job.id})
        elif rest[1:] == ["logs"] and method == "GET":
            self.logs(job, (query.get("follow") or ["false"])[0] == "true")
        elif rest[1:] == ["definition"] and method == "GET":
            self.reply(200, job.zip, content_type="application/octet-stream")
        else:
            self.reply(404, error(404, "Not found"))

    def delete(self, job: Job) -> None:
        """DeleteTrainingJob: the learner killed, the record gone; the buckets stay."""
        with job.lock:
            job.deleted = True
        process = job.process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        with self.state.lock:
            self.state.jobs.pop(job.id, None)

    def logs(self, job: Job, follow: bool) -> None:
        """The log so far; with follow, streamed (chunked) until the job ends."""
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if not follow:
            data = job.log_text().encode()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        while True:
            text = job.log_text()
            ended = job.status in TERMINAL and (job.process is None or job.process.poll() is not None)
            if len(text) > sent:
                chunk = text[sent:].encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
                sent = len(text)
            if ended or job.deleted:
                break
            time.sleep(0.2)
        self.wfile.write(b"0\r\n\r\n")

    def training_data(self, user: str, training_id: str, kind: str, query: dict) -> None:
        """The training-data service (Elasticsearch): lines or metrics of the user's job, paged."""
        job = self.state.jobs.get(training_id)
        records = []
        if job is not None and job.user == user:
            lines = job.log_text().splitlines()
            if kind == "loglines":
                records = [{"line": line} for line in lines]
            else:
                records = emetrics(job.manifest.get("evaluation_metrics") or {}, lines)
            for index, record in enumerate(records, start=1):
                record["meta"] = {
                    "training_id": job.id,
                    "user_id": user,
                    "time": int(job.submitted) + index,
                    "rindex": index,
                }
        pagesize = int((query.get("pagesize") or [LOG_PAGE_SIZE])[0])
        pos = int((query.get("pos") or [0])[0])
        start = max(len(records) + pos, 0) if pos < 0 else max(pos - 1, 0)
        self.reply(200, {"models": records[start : start + pagesize]})

    def files(self) -> dict[str, bytes] | None:
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            return None
        raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + self.body()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        found = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                found[name] = part.get_payload(decode=True) or b""
        return found

    def submit(self, user: str) -> None:
        files = self.files() or {}
        if "manifest" not in files:
            self.reply(422, {"code": 602, "message": "manifest in formData is required"})
            return
        try:
            manifest = yaml.safe_load(files["manifest"])
            if not isinstance(manifest, dict):
                raise yaml.YAMLError("the manifest is not a mapping")
            for key in ("cpus", "gpus", "learners"):
                if key in manifest and not isinstance(manifest[key], (int, float)):
                    raise yaml.YAMLError(f"cannot unmarshal {manifest[key]!r} into the number {key}")
        except yaml.YAMLError as exc:
            self.reply(400, error(400, str(exc), "Incorrect manifest"))
            return
        if "model_definition" not in files:
            self.reply(500, INTERNAL)  # params.ModelDefinition is nil: the handler panics
            return
        stores = manifest.get("data_stores") or []
        if len(stores) > 1:
            self.reply(
                400,
                error(
                    400,
                    "Please only specify one data_store in the manifest. This constraint will go away with the once "
                    "the new manifest is in place.",
                ),
            )
            return
        if not stores or not isinstance(manifest.get("framework"), dict) or not isinstance(stores[0], dict):
            self.reply(500, INTERNAL)  # manifest2TrainingRequest dereferences them: a panic
            return
        zip_bytes = files["model_definition"]
        problem = trainer_problem(manifest, zip_bytes)
        if problem:
            self.reply(400, error(400, problem))
            return
        store = stores[0]
        connection = store.get("connection") or {}
        credentials = ("auth_url", "user_name", "password")
        if store.get("type") in ("s3_datastore", "mount_cos") and any(key not in connection for key in credentials):
            sys.stderr.write("trainer: FatalOnAbsentKeyInMap: the trainer exits and restarts\n")
            self.state.kill_trainer()
            self.reply(500, INTERNAL)
            return
        training_id = "training-" + "".join(secrets.choice(ID_CHARS) for _position in range(9))
        job = Job(training_id, user, manifest, zip_bytes)
        if store.get("type") != "mount_volume":
            results = store["training_results"]["container"]
            try:
                s3_client(connection, results).put_object(
                    Bucket=results, Key=f"{training_id}/_submitted_code/model.zip", Body=zip_bytes
                )
            except Exception as exc:
                sys.stderr.write(f"trainer: uploading the model to {results}: {exc}\n")
                self.reply(500, INTERNAL)
                return
        with self.state.lock:
            self.state.jobs[training_id] = job
        Learner(job, self.state.workdir, self.state.learner_bin, self.state.phase_seconds).start()
        location = f"/v1/models/{training_id}"
        self.reply(201, {"model_id": training_id, "location": location}, headers={"Location": location})

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PATCH(self):
        self.route("PATCH")

    def do_DELETE(self):
        self.route("DELETE")


def emetrics(spec: dict, lines: list[str]) -> list[dict]:
    """The regex_extractor log collector: one record per match of a group's regex (other collectors: none)."""
    if str(spec.get("type") or "") != "regex_extractor":
        return []
    records = []
    groups = spec.get("groups") or {}
    for line in lines:
        for label in sorted(groups):
            group = groups[label] or {}
            pattern = str(group.get("regex") or "")
            for macro, expression in GROK.items():
                pattern = re.sub(
                    re.escape(macro) + r"(\w+)\}", lambda m, e=expression: f"(?P<{m.group(1)}>{e})", pattern
                )
            found = re.search(pattern, line) if pattern else None
            if not found:
                continue

            def bind(items, found=found):
                out = {}
                for key, typed in (items or {}).items():
                    value = str(typed.get("value") or "")
                    if value.startswith("$"):
                        value = found.groupdict().get(value[1:], "")
                    out[key] = {"type": str(typed.get("type") or "STRING"), "value": value}
                return out

            records.append(
                {"grouplabel": label, "etimes": bind(group.get("etimes")), "values": bind(group.get("scalars"))}
            )
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workdir", type=Path, required=True, help="where jobs run")
    parser.add_argument("--learner-bin", required=True, help="bin directory of the learner's Python (tensorflow)")
    parser.add_argument(
        "--trainer-restart", type=float, default=3.0, help="seconds the trainer is down after it exits (a pod restart)"
    )
    parser.add_argument(
        "--phase-seconds",
        type=float,
        default=0.0,
        help="how long PENDING, DOWNLOADING and STORING last at least (a real cluster's pod starts and copies)",
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    Handler.state = State(args.workdir, args.learner_bin, args.trainer_restart, args.phase_seconds)
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    print(json.dumps({"url": f"http://{args.host}:{httpd.server_address[1]}"}), flush=True)
    httpd.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
