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
# The learners FfDL's learner-config ConfigMap has images for (trainer frameworks.go looks the name up there).
FRAMEWORKS = ("tensorflow", "caffe", "caffe2", "pytorch", "h2o3", "horovod", "custom")
# What FfDL's REST layer reads correctly (restapi manifest.go convertMemoryFromManifest): an integer and one of
# trainer.proto's SizeUnits. Anything else (1.5Gb, 1Gi, 1024) silently becomes 512 MB.
_MEMORY = re.compile(r"^\s*([0-9]+)\s*(mb|mib|gb|gib)\s*$", re.I)
# aws-sdk-go v1 (service/s3/host_style_bucket.go): a DNS-compatible bucket name goes into the host name.
_DNS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^(\d+\.){3}\d+$")
# How FfDL's job monitor and CLI word a failure: error code -> message around the status_message (an exit code).
_FAILURES = {
    "S301": "Unable to load model (exit code: '%s')",
    "S302": "Unable to load training data (exit code: '%s')",
    "S303": "Unable to store results (exit code: '%s')",
    "S304": "Unable to store results on failure (exit code: '%s')",
    "S305": "Unable to store results on halt (exit code: '%s')",
    "C201": "Learner process terminated with an error (exit code: '%s')",
}
# The tag the training_job module adds to a manifest's description, so it can
# recognise the jobs it submitted for the same manifest and code.
DIGEST_TAG = re.compile(r"\[ffdl\.platform:([0-9a-f]{16,64})\]")


# The example model's progress lines (roles/training/files/tf-model): what training_job prints while it waits.
PROGRESS_PATTERNS = [r"Iter \d+, Minibatch Loss=", "Testing Accuracy:"]

# The options of every module talking to FfDL's REST API (doc fragment ffdl.platform.ffdl_rest).
REST_ARGUMENT_SPEC = dict(
    url=dict(type="str", required=True),
    user=dict(type="str", default="test-user"),
    password=dict(type="str", default="test", no_log=True),
    timeout=dict(type="int", default=30),
)


def check_rest_options(module):
    """Fail naming the option when the REST options cannot work."""
    p = module.params
    if not p["url"].startswith(("http://", "https://")):
        module.fail_json(msg="url: %r is not an http(s) URL of FfDL's REST API" % p["url"])
    if p["timeout"] <= 0:
        module.fail_json(msg="timeout: %s is not above zero" % p["timeout"])


class RestError(Exception):
    def __init__(self, message, status=None, body=None):
        super(RestError, self).__init__(message)
        self.status = status
        self.body = body


def virtual_host_url(auth_url, bucket):
    """The URL FfDL's trainer would use for ``bucket`` when that can never resolve, else None.

    The trainer (trainer/storage/s3_object_store.go) forces path style only for
    an ``auth_url`` in ``svc.cluster.local``; otherwise aws-sdk-go puts a
    DNS-compatible name in the host (``tf-trained-model.192.168.42.10``), which
    no resolver answers for an IP address or a one-label name like localhost.
    A named endpoint may serve such hosts (wildcard DNS, as AWS does): not refused.
    """
    match = re.match(r"^(https?)://([^/:]+)(:\d+)?", str(auth_url or ""))
    if not match or "svc.cluster.local" in auth_url:
        return None
    scheme, host, port = match.group(1), match.group(2), match.group(3) or ""
    bucket = str(bucket or "")
    if scheme == "https" and "." in bucket:
        return None
    if not _DNS_BUCKET.match(bucket) or _IP_ADDRESS.match(bucket) or ".." in bucket:
        return None
    if not (_IP_ADDRESS.match(host) or "." not in host):
        return None
    return "%s://%s.%s%s/" % (scheme, bucket, host, port)


def _number(value):
    """``value`` as a float, or None when YAML gave something else (FfDL's parser refuses it)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            return float(str(value))
        except (TypeError, ValueError):
            return None
    return float(value)


def _resource_problems(manifest):
    problems = []
    memory = manifest.get("memory")
    found = _MEMORY.match(str(memory)) if memory is not None and not isinstance(memory, (int, float)) else None
    if memory is None:
        problems.append("memory: missing (FfDL would run the job with 512 MB; give an integer and a unit, like 1Gb)")
    elif not found:
        problems.append(
            "memory: %r is not an integer with a unit mb, mib, gb or gib, like 1Gb or 512MiB (FfDL's REST layer "
            "reads anything else as 512 MB and only logs why)" % (memory,)
        )
    elif int(found.group(1)) == 0:
        problems.append("memory: %r is zero (FfDL's trainer would give the job 12 GiB)" % (memory,))
    cpus = manifest.get("cpus")
    if cpus is None or (_number(cpus) == 0):
        problems.append(
            "cpus: %s (FfDL's trainer would give the job 5 CPUs; give a number above 0, like 0.5)"
            % ("missing" if cpus is None else "%r" % (cpus,))
        )
    for key in ("cpus", "gpus"):
        value = manifest.get(key)
        if value is not None and (_number(value) is None or _number(value) < 0):
            problems.append("%s: %r is not a number of 0 or more" % (key, value))
    learners = manifest.get("learners")
    if learners is not None:
        try:
            if int(learners) < 1 or int(learners) != float(learners):
                raise ValueError
        except (TypeError, ValueError):
            problems.append("learners: %r is not a count of 1 or more" % (learners,))
    return problems


def _store_problems(store):
    problems = []
    if store.get("type") not in DATA_STORE_TYPES:
        problems.append("data_stores[0].type: %r is not one of %s" % (store.get("type"), ", ".join(DATA_STORE_TYPES)))
    for key in ("training_data", "training_results"):
        if not str((store.get(key) or {}).get("container") or "").strip():
            problems.append("data_stores[0].%s.container: missing (a bucket name)" % key)
    if store.get("type") not in ("mount_cos", "s3_datastore"):
        return problems
    connection = store.get("connection") or {}
    auth_url = connection.get("auth_url")
    if not re.match(r"^https?://", str(auth_url or "")):
        problems.append("data_stores[0].connection.auth_url: %r is not an http(s) URL" % (auth_url,))
    for key in ("user_name", "password"):
        if not str(connection.get(key) or "").strip():
            problems.append(
                "data_stores[0].connection.%s: missing (FfDL's trainer exits when an object store connection "
                "has no user_name or password)" % key
            )
    for key in ("training_data", "training_results"):
        bucket = (store.get(key) or {}).get("container")
        url = virtual_host_url(auth_url, bucket)
        if url:
            problems.append(
                "data_stores[0].%s.container: %r is a DNS-compatible name, so FfDL's trainer would reach it as %s "
                "(virtual-host style; it uses path style only for an auth_url in svc.cluster.local), which cannot "
                "resolve: name the bucket so it is not a DNS name, like the tutorial's tf_trained_model, or use an "
                "in-cluster auth_url" % (key, bucket, url)
            )
    return problems


def manifest_problems(manifest):
    """What FfDL's REST layer and trainer would refuse or silently change in a manifest (empty list: nothing).

    From FfDL's source (restapi manifest.go, trainer trainer_impl.go and
    storage/s3_object_store.go): exactly one data store, with its buckets and,
    for object stores, an http(s) ``auth_url``, a user_name and a password and
    bucket names the trainer can reach from it; a name; a framework FfDL has a
    learner for, with version and command; memory as an integer with a unit;
    cpus above zero.
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
        name = str(framework.get("name") or "").strip()
        if not name:
            problems.append("framework.name: missing (one of %s)" % ", ".join(FRAMEWORKS))
        elif name.lower() not in FRAMEWORKS:
            problems.append(
                "framework.name: %r has no learner in FfDL (one of %s; the trainer answers '%s version %s not "
                "supported')" % (name, ", ".join(FRAMEWORKS), name, framework.get("version"))
            )
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
        problems.extend(_store_problems(stores[0] if isinstance(stores[0], dict) else {}))
    problems.extend(_resource_problems(manifest))
    return problems


def describe_status(training_status):
    """One line for a job's training_status, worded as FfDL's job monitor and CLI word failures.

    FfDL puts the status name in status_description; the detail is the
    error_code with the status_message (for learner failures the exit code).
    """
    training_status = training_status or {}
    code = str(training_status.get("error_code") or "")
    message = str(training_status.get("status_message") or "")
    if code:
        text = (_FAILURES[code] % message) if code in _FAILURES else (message or code)
        return "%s (error code %s)" % (text, code)
    return message or str(training_status.get("status_description") or training_status.get("status") or "no status")


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
