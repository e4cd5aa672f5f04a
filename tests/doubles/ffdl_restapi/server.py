"""A stand-in for FfDL's REST API (restapi/api_v1) that really runs the training jobs.

FfDL's own services cannot run here (their images are on a registry this
machine cannot reach, and its Go module is not served by the proxy), so the
tests talk to this server instead. It is written from the facts
(../shared/reference/ffdl-facts.md section d, ffdl-training-facts.md section 6),
not from what the collection's modules send, and tests/README.md lists what
it reproduces and what it does not.

The contract it enforces, as FfDL's REST layer does:
- GET /health answers 200 "OK" without authentication.
- Every other call needs ``X-Watson-Userinfo`` (or the ``watson-userinfo``
  query parameter) with ``bluemix-instance-id=<user>``: 401 and FfDL's
  message otherwise. ``X-WML-TenantID`` overrides the user. Jobs are scoped per
  user: another user's job is "Not found".
- One of ``Authorization``, ``X-Watson-Authorization-Token`` or the
  ``watson-token`` query parameter must be non-empty (the value is not checked).
- ``version`` is required on /v1/models operations (422 without it).
- POST /v1/models takes multipart/form-data with the files ``manifest`` and
  ``model_definition``; the manifest must parse, have a name, framework name,
  version and command, exactly one data store, a non-empty model zip, memory
  in mb/mib/gb/gib; for s3_datastore and mount_cos both buckets must exist at
  the manifest's ``auth_url`` (checked with its credentials). 201 with
  ``Location`` and ``{"model_id", "location"}``.

And it runs each job the way FfDL's learner does with an s3_datastore:
PENDING -> DOWNLOADING (the training bucket copied into $DATA_DIR) ->
PROCESSING (the zip unpacked into $MODEL_DIR, ``framework.command`` run by a
shell there with DATA_DIR, RESULT_DIR, JOB_STATE_DIR, LOG_DIR, MODEL_DIR,
TRAINING_ID) -> STORING ($RESULT_DIR copied to ``<results bucket>/<id>/``,
the log to ``<id>/learner-1/training-log.txt``) -> COMPLETED, or FAILED with
status_description and error_code. PATCH {"status": "halt"} stops it: HALTED.

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

STATUS_CODES = {
    "NOT_STARTED": 0,
    "PENDING": 1,
    "HALTED": 5,
    "FAILED": 10,
    "DEPLOY": 20,
    "DOWNLOADING": 30,
    "PROCESSING": 40,
    "STORING": 50,
    "COMPLETED": 60,
    "QUEUED": 70,
}
TERMINAL = ("COMPLETED", "FAILED", "HALTED")
MEMORY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(mb|mib|gb|gib)\s*$", re.I)
USERINFO_MESSAGE = {"message": "Missing or malformed X-Watson-Userinfo header."}
ID_CHARS = string.ascii_letters + string.digits


def now_ms() -> str:
    return str(int(time.time() * 1000))


def s3_client(connection: dict):
    return boto3.client(
        "s3",
        endpoint_url=connection.get("auth_url"),
        aws_access_key_id=str(connection.get("user_name") or ""),
        aws_secret_access_key=str(connection.get("password") or ""),
        region_name=connection.get("region") or "us-east-1",
        # bucket names like tf_training_data are not DNS names
        config=Config(s3={"addressing_style": "path"}, connect_timeout=5, read_timeout=30, retries={"max_attempts": 1}),
    )


class Job:
    def __init__(self, training_id: str, user: str, manifest: dict, zip_bytes: bytes):
        self.id = training_id
        self.user = user
        self.manifest = manifest
        self.zip = zip_bytes
        self.status = "PENDING"
        self.description = ""
        self.error_code = ""
        self.submitted = now_ms()
        self.completed = ""
        self.log = io.StringIO()
        self.process: subprocess.Popen | None = None
        self.halt_requested = False
        self.lock = threading.Lock()

    @property
    def store(self) -> dict:
        return self.manifest["data_stores"][0]

    def set(self, status: str, description: str = "", error_code: str = "") -> None:
        with self.lock:
            if self.status in TERMINAL:
                return
            self.status = status
            self.description = description
            self.error_code = error_code
            if status in TERMINAL:
                self.completed = now_ms()

    def write(self, text: str) -> None:
        with self.lock:
            self.log.write(text)

    def log_text(self) -> str:
        with self.lock:
            return self.log.getvalue()

    def model(self) -> dict:
        """The job as FfDL's restmodels.Model (data store credentials echoed back, as FfDL does)."""
        m = self.manifest
        memory = MEMORY.match(str(m.get("memory") or "12Gb")) or MEMORY.match("12Gb")
        store = self.store
        return {
            "model_id": self.id,
            "location": f"/v1/models/{self.id}",
            "name": m.get("name"),
            "description": m.get("description") or "",
            "framework": {"name": m["framework"]["name"], "version": str(m["framework"]["version"])},
            "training": {
                "command": m["framework"]["command"],
                "cpus": float(m.get("cpus") or 5),
                "gpus": float(m.get("gpus") or 0),
                "memory": float(memory.group(1)),
                "memory_unit": memory.group(2),
                "learners": int(m.get("learners") or 1),
                "input_data": [store.get("id")],
                "output_data": [store.get("id")],
                "training_status": {
                    "status": self.status,
                    "status_description": self.description or self.status,
                    "status_message": self.description,
                    "error_code": self.error_code,
                    "submitted": self.submitted,
                    "completed": self.completed,
                },
            },
            "data_stores": [
                {
                    "data_store_id": store.get("id"),
                    "type": store.get("type"),
                    "connection": dict(store.get("connection") or {}),
                }
            ],
            "metrics": [],
        }


class Learner(threading.Thread):
    """Runs one job as FfDL's learner and data broker do with an s3_datastore."""

    def __init__(self, job: Job, workdir: Path, learner_bin: str):
        super().__init__(daemon=True)
        self.job = job
        self.root = workdir / job.id
        self.learner_bin = learner_bin

    def run(self) -> None:
        job = self.job
        try:
            self._run()
        except Exception as exc:  # anything the learner hits ends the job FAILED, as in FfDL
            job.write(f"\nstand-in learner error: {exc}\n")
            job.set("FAILED", f"Learner failed: {exc}", "C201")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _run(self) -> None:
        job = self.job
        store = job.store
        s3 = s3_client(store.get("connection") or {})
        data_bucket = store["training_data"]["container"]
        results_bucket = store["training_results"]["container"]
        state_dir = self.root / "job"
        data_dir = state_dir / data_bucket
        result_dir = state_dir / results_bucket
        model_dir = state_dir / "model-code"
        log_dir = state_dir / "logs"
        for path in (data_dir, result_dir, model_dir, log_dir):
            path.mkdir(parents=True, exist_ok=True)

        job.set("DOWNLOADING")
        count = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=data_bucket):
            for item in page.get("Contents", []):
                target = data_dir / item["Key"]
                target.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(data_bucket, item["Key"], str(target))
                count += 1
        if count == 0:
            job.set("FAILED", f"No training data found in bucket {data_bucket}", "C103")
            return
        if job.halt_requested:
            job.set("HALTED", "Halted by the user")
            return

        job.set("PROCESSING")
        if job.status != "PROCESSING":  # halted while downloading
            return
        with zipfile.ZipFile(io.BytesIO(job.zip)) as archive:
            archive.extractall(model_dir)
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
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
        job.write(
            f"stand-in learner: {self.learner_bin}/python3 in place of the image "
            f"{job.manifest['framework']['name']}/{job.manifest['framework']['name']}:"
            f"{job.manifest['framework']['version']}\n"
        )
        with subprocess.Popen(
            ["/bin/sh", "-c", command],
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
        if job.halt_requested:
            job.set("HALTED", "Halted by the user")
            return

        job.set("STORING")
        (log_dir / "training-log.txt").write_text(job.log_text())
        for path in sorted(result_dir.rglob("*")):
            if path.is_file():
                s3.upload_file(str(path), results_bucket, f"{job.id}/{path.relative_to(result_dir).as_posix()}")
        s3.put_object(Bucket=results_bucket, Key=f"{job.id}/learner-1/training-log.txt", Body=job.log_text().encode())
        if rc != 0:
            job.set("FAILED", f"Learner exited with exit code {rc}", "C201")
        else:
            job.set("COMPLETED")


class State:
    def __init__(self, workdir: Path, learner_bin: str):
        self.workdir = workdir
        self.learner_bin = learner_bin
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()


def manifest_errors(manifest) -> list[str]:
    """What FfDL's REST layer and trainer refuse (restapi manifest.go, trainer_impl.go)."""
    if not isinstance(manifest, dict):
        return ["manifest is not a YAML mapping"]
    errors = []
    if not manifest.get("name"):
        errors.append("name is required")
    framework = manifest.get("framework") or {}
    if not isinstance(framework, dict) or not framework.get("name") or not framework.get("version"):
        errors.append("framework name and version are required")
    elif not framework.get("command"):
        errors.append("framework command is required")
    stores = manifest.get("data_stores")
    if not isinstance(stores, list) or len(stores) != 1:
        errors.append("Only one data store is supported")
    memory = manifest.get("memory")
    if memory is not None and not MEMORY.match(str(memory)):
        errors.append(f"Incorrect memory specification: {memory}")
    return errors


class Handler(BaseHTTPRequestHandler):
    server_version = "ffdl-restapi-standin"
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

    def authenticate(self, query: dict) -> str | None:
        """The user id, or None after answering 401 as FfDL's middleware and go-swagger do."""
        info = self.headers.get("X-Watson-Userinfo") or (query.get("watson-userinfo") or [""])[0]
        fields = dict(part.split("=", 1) for part in info.split(";") if "=" in part)
        user = fields.get("bluemix-instance-id", "").strip()
        if not user:
            self.reply(401, USERINFO_MESSAGE)
            return None
        token = (
            self.headers.get("Authorization")
            or self.headers.get("X-Watson-Authorization-Token")
            or (query.get("watson-token") or [""])[0]
        )
        if not token:
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
        user = self.authenticate(query)
        if user is None:
            return
        if parts[:2] == ["v1", "models"]:
            if not (query.get("version") or [""])[0]:
                self.reply(422, {"code": 602, "message": "version in query is required"})
                return
            self.models(method, user, parts[2:])
            return
        if parts[:2] == ["v1", "logs"] and len(parts) == 4 and parts[3] == "loglines" and method == "GET":
            job = self.job_of(user, parts[2])
            if job is not None:
                lines = job.log_text().splitlines()
                self.reply(
                    200,
                    {
                        "models": [
                            {"meta": {"training_id": job.id, "user_id": user, "rindex": i + 1}, "line": line}
                            for i, line in enumerate(lines)
                        ]
                    },
                )
            return
        self.reply(404, {"code": 404, "error": "Not found"})

    def job_of(self, user: str, training_id: str) -> Job | None:
        job = self.state.jobs.get(training_id)
        if job is None or job.user != user:
            self.reply(404, {"code": 404, "error": "Not found"})
            return None
        return job

    # ------------------------------------------------------------ /v1/models
    def models(self, method: str, user: str, rest: list[str]) -> None:
        if not rest:
            if method == "GET":
                jobs = [j.model() for j in self.state.jobs.values() if j.user == user]
                self.reply(200, {"models": jobs})
            elif method == "POST":
                self.submit(user)
            else:
                self.reply(405, {"code": 405, "message": f"method {method} is not allowed"})
            return
        job = self.job_of(user, rest[0])
        if job is None:
            return
        if len(rest) == 1 and method == "GET":
            self.reply(200, job.model())
        elif len(rest) == 1 and method == "PATCH":
            try:
                wanted = json.loads(self.body() or b"{}").get("status")
            except ValueError:
                wanted = None
            if wanted != "halt":
                self.reply(400, {"code": 400, "error": "Bad request", "description": "status must be halt"})
                return
            self.halt(job)
            self.reply(202, {"model_id": job.id, "status": "halt"})
        elif len(rest) == 1 and method == "DELETE":
            self.halt(job)
            with self.state.lock:
                self.state.jobs.pop(job.id, None)
            self.reply(200, {"model_id": job.id})
        elif rest[1:] == ["logs"] and method == "GET":
            self.reply(200, job.log_text().encode(), content_type="text/plain")
        elif rest[1:] == ["definition"] and method == "GET":
            self.reply(200, job.zip, content_type="application/octet-stream")
        else:
            self.reply(404, {"code": 404, "error": "Not found"})

    @staticmethod
    def halt(job: Job) -> None:
        job.halt_requested = True
        process = job.process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        if job.status not in TERMINAL and process is None:
            job.set("HALTED", "Halted by the user")

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
        files = self.files()
        if files is None or "manifest" not in files:
            self.reply(400, {"code": 400, "error": "Bad request", "description": "manifest file is required"})
            return
        try:
            manifest = yaml.safe_load(files["manifest"])
        except yaml.YAMLError as exc:
            self.reply(400, {"code": 400, "error": "Bad request", "description": f"Incorrect manifest: {exc}"})
            return
        errors = manifest_errors(manifest)
        zip_bytes = files.get("model_definition") or b""
        if not zip_bytes:
            errors.append("model definition is empty")
        elif not zipfile.is_zipfile(io.BytesIO(zip_bytes)):
            errors.append("model definition is not a zip file")
        if errors:
            self.reply(400, {"code": 400, "error": "Bad request", "description": "; ".join(errors)})
            return
        store = manifest["data_stores"][0]
        if store.get("type") in ("s3_datastore", "mount_cos"):
            s3 = s3_client(store.get("connection") or {})
            for key in ("training_data", "training_results"):
                bucket = (store.get(key) or {}).get("container")
                try:
                    s3.head_bucket(Bucket=bucket)
                except Exception as exc:
                    self.reply(
                        400,
                        {
                            "code": 400,
                            "error": "Bad request",
                            "description": f"Data store bucket {bucket!r} incorrect or not reachable "
                            f"at {store.get('connection', {}).get('auth_url')}: {exc}",
                        },
                    )
                    return
        training_id = "training-" + "".join(secrets.choice(ID_CHARS) for _position in range(9))
        job = Job(training_id, user, manifest, zip_bytes)
        if store.get("type") != "mount_volume":
            s3_client(store.get("connection") or {}).put_object(
                Bucket=store["training_results"]["container"],
                Key=f"{training_id}/_submitted_code/model.zip",
                Body=zip_bytes,
            )
        with self.state.lock:
            self.state.jobs[training_id] = job
        Learner(job, self.state.workdir, self.state.learner_bin).start()
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workdir", type=Path, required=True, help="where jobs run")
    parser.add_argument("--learner-bin", required=True, help="bin directory of the learner's Python (tensorflow)")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    Handler.state = State(args.workdir, args.learner_bin)
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    print(json.dumps({"url": f"http://{args.host}:{httpd.server_address[1]}"}), flush=True)
    httpd.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
