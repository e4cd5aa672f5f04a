# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""FfDL's REST API (restapi/api_v1) and manifest rules, shared by the training modules.

What the server checks (ffdl-facts.md section d): every call carries
``X-Watson-Userinfo: bluemix-instance-id=<user>`` (jobs are scoped to that
user) and a non-empty ``Authorization`` header; /v1/models operations need
the ``version`` query parameter. A job is submitted as multipart/form-data
with the files ``manifest`` and ``model_definition``.

Python 2.7 and 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import copy
import json
import re
import uuid

from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible.module_utils.urls import fetch_url

API_VERSION = "2017-02-13"
TERMINAL = ("COMPLETED", "FAILED", "HALTED")
STATUSES = (
    "NOT_STARTED",
    "PENDING",
    "HALTED",
    "FAILED",
    "DEPLOY",
    "DOWNLOADING",
    "PROCESSING",
    "STORING",
    "COMPLETED",
    "QUEUED",
)
DATA_STORE_TYPES = ("mount_cos", "s3_datastore", "mount_volume")
FRAMEWORKS = ("tensorflow", "caffe", "caffe2", "pytorch", "h2o3", "horovod", "custom")
_MEMORY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(mb|mib|gb|gib)\s*$", re.I)
# The tag the training_job module adds to a manifest's description, so it can
# recognise the jobs it submitted for the same manifest and code.
DIGEST_TAG = re.compile(r"\[ffdl\.platform:([0-9a-f]{16,64})\]")


class RestError(Exception):
    def __init__(self, message, status=None, body=None):
        super(RestError, self).__init__(message)
        self.status = status
        self.body = body


def manifest_problems(manifest):
    """What FfDL's REST layer and trainer would refuse in a manifest (empty list: nothing).

    The REST API accepts exactly one data store; the trainer wants a name, a
    framework with name and version, a command, and memory in mb/mib/gb/gib.
    """
    problems = []
    if not isinstance(manifest, dict):
        return ["the manifest is not a YAML mapping"]
    if not str(manifest.get("name") or "").strip():
        problems.append("name: missing (FfDL's trainer requires a job name)")
    framework = manifest.get("framework")
    if not isinstance(framework, dict):
        problems.append("framework: missing (needs name, version and command)")
    else:
        if not str(framework.get("name") or "").strip():
            problems.append("framework.name: missing (one of %s)" % ", ".join(FRAMEWORKS))
        if not str(framework.get("version") or "").strip():
            problems.append("framework.version: missing (the learner image tag, like 1.5.0-py3)")
        if not str(framework.get("command") or "").strip():
            problems.append("framework.command: missing (what the learner runs)")
    stores = manifest.get("data_stores")
    if not isinstance(stores, list) or len(stores) != 1:
        problems.append(
            "data_stores: FfDL's REST API takes exactly one data store, got %s"
            % (len(stores) if isinstance(stores, list) else "none")
        )
    else:
        store = stores[0] if isinstance(stores[0], dict) else {}
        if store.get("type") not in DATA_STORE_TYPES:
            problems.append(
                "data_stores[0].type: %r is not one of %s" % (store.get("type"), ", ".join(DATA_STORE_TYPES))
            )
        for key in ("training_data", "training_results"):
            if not str((store.get(key) or {}).get("container") or "").strip():
                problems.append("data_stores[0].%s.container: missing (a bucket name)" % key)
        if store.get("type") in ("mount_cos", "s3_datastore"):
            connection = store.get("connection") or {}
            if not re.match(r"^https?://", str(connection.get("auth_url") or "")):
                problems.append(
                    "data_stores[0].connection.auth_url: %r is not an http(s) URL" % connection.get("auth_url")
                )
    memory = manifest.get("memory")
    if memory is not None and not _MEMORY.match(str(memory)):
        problems.append("memory: %r is not a size in mb, mib, gb or gib (like 1Gb or 512MiB)" % memory)
    for key in ("cpus", "gpus"):
        value = manifest.get(key)
        if value is not None:
            try:
                if float(value) < 0:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append("%s: %r is not a number of 0 or more" % (key, value))
    learners = manifest.get("learners")
    if learners is not None:
        try:
            if int(learners) < 1 or int(learners) != float(learners):
                raise ValueError
        except (TypeError, ValueError):
            problems.append("learners: %r is not a count of 1 or more" % learners)
    return problems


def multipart(fields):
    """(content type, body) of a multipart/form-data request with files: {name: (filename, bytes, content type)}."""
    boundary = "ffdl-platform-%s" % uuid.uuid4().hex
    parts = []
    for name in sorted(fields):
        filename, data, content_type = fields[name]
        parts.append(
            to_bytes(
                '--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: %s\r\n\r\n'
                % (boundary, name, filename, content_type)
            )
        )
        parts.append(data)
        parts.append(b"\r\n")
    parts.append(to_bytes("--%s--\r\n" % boundary))
    return "multipart/form-data; boundary=%s" % boundary, b"".join(parts)


class Client(object):
    """Calls to one FfDL REST API as one user."""

    def __init__(self, module, url, user, password, timeout=30):
        self.module = module
        self.url = url.rstrip("/")
        self.user = user
        self.timeout = timeout
        token = base64.b64encode(to_bytes("%s:%s" % (user, password))).decode("ascii")
        self.headers = {
            "X-Watson-Userinfo": "bluemix-instance-id=%s" % user,
            "Authorization": "Basic %s" % token,
            "Accept": "application/json",
        }

    def call(self, method, path, data=None, content_type=None, raw=False, expect=(200,)):
        separator = "&" if "?" in path else "?"
        url = "%s%s%sversion=%s" % (self.url, path, separator, API_VERSION)
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        response, info = fetch_url(self.module, url, data=data, headers=headers, method=method, timeout=self.timeout)
        status = info.get("status", -1)
        body = b""
        if response is not None:
            try:
                body = response.read()
            except (IOError, OSError, ValueError):
                body = b""
        # on HTTP errors ansible-core reads the error body into info["body"]
        body = body or info.get("body") or b""
        if status not in expect:
            detail = to_native(body or info.get("msg", ""))[:2000]
            if status == -1:
                raise RestError("FfDL's REST API at %s does not answer: %s" % (self.url, info.get("msg")), status)
            raise RestError("%s %s answered HTTP %s: %s" % (method, path, status, detail), status, detail)
        if raw:
            return body, info
        text = to_native(body or b"")
        return (json.loads(text) if text.strip() else {}), info

    def health(self):
        response, info = fetch_url(self.module, self.url + "/health", timeout=self.timeout)
        if response is None or info.get("status") != 200:
            raise RestError(
                "FfDL's REST API at %s does not answer (GET /health: %s, HTTP status %s)"
                % (self.url, info.get("msg", "no response"), info.get("status")),
                info.get("status"),
            )

    def jobs(self):
        data, _info = self.call("GET", "/v1/models")
        return data.get("models") or []

    def job(self, training_id):
        data, _info = self.call("GET", "/v1/models/%s" % training_id)
        return data

    def submit(self, manifest_bytes, zip_bytes):
        content_type, body = multipart(
            {
                "manifest": ("manifest.yml", manifest_bytes, "application/x-yaml"),
                "model_definition": ("model.zip", zip_bytes, "application/zip"),
            }
        )
        data, info = self.call("POST", "/v1/models", data=body, content_type=content_type, expect=(201,))
        return data.get("model_id") or (info.get("location") or "").rstrip("/").split("/")[-1], data

    def halt(self, training_id):
        self.call(
            "PATCH",
            "/v1/models/%s" % training_id,
            data=b'{"status": "halt"}',
            content_type="application/json",
            expect=(200, 202),
        )

    def delete(self, training_id):
        self.call("DELETE", "/v1/models/%s" % training_id, expect=(200, 202, 204))

    def logs(self, training_id):
        try:
            body, _info = self.call("GET", "/v1/models/%s/logs" % training_id, raw=True)
        except RestError:
            return ""
        return to_native(body or b"")


def status_of(job):
    return ((job.get("training") or {}).get("training_status") or {}).get("status")


def tail(text, lines=40):
    return "\n".join(to_native(text or "").splitlines()[-lines:])


def scrub(job):
    """The job without the object store credentials FfDL echoes back with it."""
    job = copy.deepcopy(job or {})
    for store in job.get("data_stores") or []:
        connection = store.get("connection") or {}
        for key in ("password", "user_name", "secret_key", "access_key"):
            if key in connection:
                connection[key] = "********"
    return job
