#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: training_job
short_description: An FfDL training job as declarative state - submitted once, followed to the end, halted or deleted
version_added: 0.1.0
description:
  - I(state=present) submits a training job to FfDL's REST API (C(POST /v1/models), multipart C(manifest) and
    C(model_definition)) unless a job for the same manifest and model definition already exists for I(user) - then
    nothing is submitted and that job is reported. I(force=true) submits anyway.
  - To recognise its jobs the module adds C([ffdl.platform:<digest>]) to the manifest's C(description), the digest
    of the manifest and the model zip; FfDL returns the description with every job.
  - The manifest is validated first against what FfDL's REST layer and trainer refuse or silently change (see
    notes below); a bad manifest fails before anything is sent.
  - I(wait=true) follows the job's status until C(COMPLETED), C(FAILED) or C(HALTED), within I(wait_timeout), and
    reports the statuses it went through. C(FAILED) and C(HALTED) fail the task with FfDL's error code, its status
    message worded as FfDL's CLI words it, and the tail of the job's log.
  - I(state=halted) halts a running job (C(PATCH) with the body C({"status" - "halt"}) as JSON). FfDL only records
    the status C(HALTED) - its learner keeps running and may later report C(STORING) and C(COMPLETED) over it, so
    the module warns; only I(state=absent) (C(DELETE)) stops the learner. FfDL keeps the results in the object store.
  - Before it resubmits a job whose newest run for the same manifest and code is C(HALTED) (I(retry_failed)), the
    module deletes that job, so its learner does not run beside the new one.
  - Check mode reads the user's jobs and predicts; nothing is submitted, halted or deleted.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  manifest:
    description:
      - Path of the manifest (YAML) on the host the module runs on.
      - With I(state=present) one of I(manifest) and I(manifest_content) is required.
    type: path
  manifest_content:
    description:
      - The manifest itself, as YAML text (for example rendered by a template lookup). Mutually exclusive with
        I(manifest). Kept out of the output, since manifests hold the object store's credentials.
    type: str
  model_definition:
    description:
      - The model code - a zip (see M(ffdl.platform.model_definition)) or a directory, packed in memory the same
        deterministic way (flat), as the FfDL CLI's C(ffdl train <manifest> <directory>) does.
      - Required with I(state=present).
    type: path
  training_id:
    description: The job to halt or delete; without it, the job matching I(manifest) and I(model_definition).
    type: str
  state:
    description: C(present) submits (once), C(halted) halts, C(absent) deletes.
    type: str
    default: present
    choices: [present, halted, absent]
  force:
    description: Submit even when a job for the same manifest and code exists.
    type: bool
    default: false
  retry_failed:
    description:
      - When the newest job for the same manifest and code ended C(FAILED) or C(HALTED), submit it again (missing
        data fixed, a halt undone). With C(false) that job's failure is reported again and nothing is submitted.
    type: bool
    default: true
  wait:
    description:
      - With I(state=present), follow the job until it ends. The following is done on the controller by the
        module's action plugin, which prints each status change with its time as it happens (and the log lines
        matching I(progress_patterns)), then fails the task on C(FAILED) or C(HALTED).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to follow the job.
    type: int
    default: 1800
  poll_interval:
    description: Seconds between status reads.
    type: int
    default: 5
  keep_manifest:
    description:
      - Where the manifest as sent (with the digest tag in its description) is kept on the host, mode 0600, written
        when it differs. FfDL stops listing a job's data stores once it ends; this copy says what the job was given.
      - It holds the object store's credentials.
    type: path
    version_added: 0.3.0
  log_lines:
    description: Lines of the job's log returned (and shown when it fails).
    type: int
    default: 40
  progress_patterns:
    description:
      - Regular expressions; while the job runs, each new line of its log that one of them matches is printed
        beside the status changes (the default matches the example model's progress lines). An empty list prints
        status changes only.
    type: list
    elements: str
    default: ['Iter \d+, Minibatch Loss=', 'Testing Accuracy:']
extends_documentation_fragment:
  - ffdl.platform.ffdl_rest
  - ffdl.platform.attributes
attributes:
  action:
    description: The action plugin follows the job from the controller and prints its progress.
    support: full
notes:
  - Python 2.7 and 3.6 compatible.
  - A job found for the same manifest and code but still running is followed, not submitted again.
  - "What FfDL refuses or silently changes, checked before anything is sent (FfDL's restapi manifest.go,
    trainer_impl.go, storage/s3_object_store.go): exactly one data store with both buckets; for C(s3_datastore) and
    C(mount_cos) an http(s) C(auth_url), a C(user_name) and a C(password) (without them FfDL's trainer exits) and
    bucket names the trainer can reach (it uses path style only for an C(auth_url) in C(svc.cluster.local); a
    DNS-compatible name such as C(tf-trained-model) goes into the host name, which cannot resolve for an IP address);
    a name; a framework FfDL has a learner for (tensorflow, caffe, caffe2, pytorch, h2o3, horovod, custom) with
    version and command; C(memory) as an integer with a unit mb, mib, gb or gib (C(1.5Gb) would become 512 MB, C(0Gb)
    12 GiB); C(cpus) above zero (0 would become 5)."
seealso:
  - module: ffdl.platform.training_job_info
  - module: ffdl.platform.model_definition
"""

EXAMPLES = r"""
- name: Train the tutorial's model and wait for the result
  ffdl.platform.training_job:
    url: "{{ ffdl_restapi_url }}"
    manifest: /tmp/manifest.yml
    model_definition: /tmp/tf-model.zip
    wait_timeout: 3600
  register: job

- name: Halt it
  ffdl.platform.training_job:
    url: "{{ ffdl_restapi_url }}"
    training_id: "{{ job.training_id }}"
    state: halted
"""

RETURN = r"""
training_id:
  description: The job's id, like C(training-a1B2c3D4e).
  returned: when a job exists or was submitted (predicted jobs in check mode have none)
  type: str
submitted:
  description: Whether this run submitted the job (or, in check mode, would).
  returned: always
  type: bool
status:
  description: The job's last status (C(COMPLETED), C(FAILED), ...).
  returned: when a job exists
  type: str
status_history:
  description: The statuses seen while waiting, in order.
  returned: when waited
  type: list
  elements: str
status_timeline:
  description: Each status change seen while waiting - C(status), C(at) (the controller's time, ISO 8601) and
    C(elapsed) (seconds since the wait began).
  returned: when waited
  type: list
  elements: dict
  sample: [{"status": "PENDING", "at": "2026-12-02T15:02:01", "elapsed": 0}]
job:
  description: The job as FfDL's REST API returns it (data store credentials removed).
  returned: when a job exists
  type: dict
results_bucket:
  description: The bucket the results go to (C(data_stores[0].training_results.container)).
  returned: with state=present
  type: str
digest:
  description: The digest of manifest and model definition the module tags the job with.
  returned: with state=present
  type: str
log_tail:
  description: The last I(log_lines) of the job's log.
  returned: when waited, or when the job failed
  type: str
deleted:
  description: The HALTED job deleted before the resubmit (FfDL's halt does not stop its learner).
  returned: when a HALTED job was resubmitted
  type: str
"""

import hashlib
import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible_collections.ffdl.platform.plugins.module_utils.files import write_if_changed
from ansible_collections.ffdl.platform.plugins.module_utils.model_zip import ModelZipError, build, collect
from ansible_collections.ffdl.platform.plugins.module_utils.ffdl_rest import (
    DIGEST_TAG,
    PROGRESS_PATTERNS,
    REST_ARGUMENT_SPEC,
    TERMINAL,
    Client,
    RestError,
    check_rest_options,
    manifest_problems,
    scrub,
    status_of,
    tail,
)

try:
    import yaml
except ImportError:  # reported in main()
    yaml = None


def tagged(manifest_text, zip_bytes):
    """(manifest text with the digest tag in its description, digest)."""
    manifest = yaml.safe_load(manifest_text)
    description = DIGEST_TAG.sub("", str(manifest.get("description") or "")).strip()
    manifest["description"] = description
    # safe_dump sorts keys (also the PyYAML 3.x of EL7, which has no sort_keys)
    digest = hashlib.sha256(to_bytes(yaml.safe_dump(manifest, default_flow_style=False)) + b"\0" + zip_bytes)
    digest = digest.hexdigest()[:32]
    manifest["description"] = ("%s [ffdl.platform:%s]" % (description, digest)).strip()
    return yaml.safe_dump(manifest, default_flow_style=False), digest


def existing(client, training_id):
    """The job ``training_id`` of the user, or None when FfDL does not know it (HTTP 404)."""
    try:
        return client.job(training_id)
    except RestError as exc:
        if exc.status == 404:
            return None
        raise


def find(client, digest):
    """The newest job of the user tagged with ``digest``, or None."""
    matching = []
    for job in client.jobs():
        found = DIGEST_TAG.search(str(job.get("description") or ""))
        if found and found.group(1) == digest:
            matching.append(job)
    if not matching:
        return None
    matching.sort(key=lambda j: str(((j.get("training") or {}).get("training_status") or {}).get("submitted") or ""))
    return matching[-1]


def diff(p, job, result):
    before = "%s %s\n" % (job.get("model_id"), status_of(job)) if job else "no job for this manifest and code\n"
    if p["state"] == "present":
        after = "a new job for digest %s\n" % result.get("digest")
    elif p["state"] == "halted":
        after = "%s HALTED\n" % job.get("model_id")
    else:
        after = "%s deleted (its results stay in the object store)\n" % job.get("model_id")
    return dict(before=before, after=after)


def read_manifest(module):
    p = module.params
    if p["manifest_content"] is not None:
        return p["manifest_content"]
    if not os.path.isfile(p["manifest"]):
        module.fail_json(msg="manifest: %s is not a file" % p["manifest"])
    with open(p["manifest"], "rb") as handle:
        return to_native(handle.read())


def read_model(module):
    """The zip's bytes: the file, or the directory packed as ffdl.platform.model_definition packs it."""
    path = module.params["model_definition"]
    if os.path.isdir(path):
        try:
            return build(collect(src=path))
        except ModelZipError as exc:
            module.fail_json(msg="model_definition: %s" % to_native(exc))
    if not os.path.isfile(path):
        module.fail_json(msg="model_definition: %s is neither a zip file nor a directory" % path)
    with open(path, "rb") as handle:
        return handle.read()


def main():
    argument_spec = dict(REST_ARGUMENT_SPEC)
    argument_spec.update(
        manifest=dict(type="path"),
        manifest_content=dict(type="str", no_log=True),
        model_definition=dict(type="path"),
        training_id=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "halted", "absent"]),
        force=dict(type="bool", default=False),
        retry_failed=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        poll_interval=dict(type="int", default=5),
        keep_manifest=dict(type="path"),
        log_lines=dict(type="int", default=40),
        # read by the action plugin, which follows the job (plugins/action/training_job.py)
        progress_patterns=dict(type="list", elements="str", default=PROGRESS_PATTERNS),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        required_if=[
            ("state", "present", ("manifest", "manifest_content"), True),
            ("state", "present", ("model_definition",)),
        ],
        mutually_exclusive=[("manifest", "manifest_content")],
        supports_check_mode=True,
    )
    p = module.params
    if yaml is None:
        module.fail_json(msg="the training_job module needs PyYAML on %s" % os.uname()[1])
    check_rest_options(module)
    for key in ("wait_timeout", "poll_interval", "log_lines"):
        if p[key] <= 0:
            module.fail_json(msg="%s: %s is not above zero" % (key, p[key]))
    for pattern in p["progress_patterns"]:
        try:
            re.compile(pattern)
        except re.error as exc:
            module.fail_json(msg="progress_patterns: %r is not a regular expression (%s)" % (pattern, exc))
    result = dict(changed=False, submitted=False)
    client = Client(module, p["url"], p["user"], p["password"], p["timeout"])

    manifest_text = zip_bytes = digest = None
    has_manifest = p["manifest"] or p["manifest_content"] is not None
    if p["state"] == "present" or (has_manifest and p["model_definition"]):
        manifest_text = read_manifest(module)
        zip_bytes = read_model(module)
        try:
            manifest = yaml.safe_load(manifest_text)
        except yaml.YAMLError as exc:
            module.fail_json(msg="the manifest is not valid YAML: %s" % exc)
        problems = manifest_problems(manifest)
        if not zip_bytes:
            problems.append("model_definition: %s is empty (FfDL refuses an empty model)" % p["model_definition"])
        if problems:
            module.fail_json(
                msg="the manifest would be refused by FfDL: %s; nothing was submitted" % "; ".join(problems)
            )
        manifest_text, digest = tagged(manifest_text, zip_bytes)
        result["digest"] = digest
        result["results_bucket"] = manifest["data_stores"][0]["training_results"]["container"]
        if p["state"] == "present" and p["keep_manifest"] and not module.check_mode:
            try:
                result["changed"] = write_if_changed(p["keep_manifest"], to_bytes(manifest_text))
            except (IOError, OSError) as exc:
                module.fail_json(msg="keep_manifest: %s" % to_native(exc))

    try:
        client.health()
        job = existing(client, p["training_id"]) if p["training_id"] else (find(client, digest) if digest else None)
        if job:
            result.update(training_id=job.get("model_id"), status=status_of(job), job=scrub(job))

        if p["state"] == "present":
            ended_badly = job is not None and status_of(job) in ("FAILED", "HALTED") and p["retry_failed"]
            if job is None or p["force"] or ended_badly:
                result.update(changed=True, submitted=True)
                if ended_badly and status_of(job) == "HALTED":
                    # FfDL's halt leaves the learner running: delete the job (which kills it) first
                    result["deleted"] = job.get("model_id")
                    if not module.check_mode:
                        client.delete(job["model_id"])
                if not module.check_mode:
                    training_id, _data = client.submit(to_bytes(manifest_text), zip_bytes)
                    submitted = client.job(training_id)
                    result.update(training_id=training_id, status=status_of(submitted), job=scrub(submitted))
            if p["wait"] and not module.check_mode and result.get("status") in TERMINAL:
                # already ended: what the action plugin needs to report it without following
                result["log_tail"] = tail(client.logs(result["training_id"]), p["log_lines"])
        elif p["state"] == "halted":
            if job is not None and status_of(job) not in TERMINAL:
                result["changed"] = True
                if not module.check_mode:
                    client.halt(job["model_id"])
                    result["status"] = status_of(client.job(job["model_id"]))
                module.warn(
                    "FfDL only records %s as HALTED: its learner keeps running and may still report STORING and "
                    "COMPLETED. state=absent deletes the job, which stops the learner." % job["model_id"]
                )
        else:
            if job is not None:
                result["changed"] = True
                if not module.check_mode:
                    client.delete(job["model_id"])
    except RestError as exc:
        result["msg"] = to_native(exc)
        module.fail_json(**result)
    if module._diff and result["changed"]:
        result["diff"] = diff(p, job, result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
