#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: training_job_info
short_description: List a user's FfDL training jobs or read one, with its log
version_added: 0.1.0
description:
  - Reads FfDL's REST API like the FfDL CLI's C(ffdl list), C(ffdl show) and C(ffdl logs) - the jobs of I(user)
    (FfDL scopes jobs per user), or the one I(training_id) with its status, timestamps and the tail of its log.
  - Only reads; the object store credentials FfDL echoes back with every job are masked.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  training_id:
    description: One job to read; without it, every job of I(user).
    type: str
  name:
    description: Only jobs whose manifest C(name) is this.
    type: str
  log_lines:
    description: With I(training_id), lines of the job's log returned (0 reads no log).
    type: int
    default: 40
  log_from:
    description:
      - With I(training_id), also return the log's lines from this line on (0 is the first) as C(log_new), and the
        number of the next one as C(log_next), to follow a log across calls (as C(ffdl loglines --pos) does).
    type: int
extends_documentation_fragment:
  - ffdl.platform.ffdl_rest
  - ffdl.platform.attributes.info_module
notes:
  - Python 2.7 and 3.6 compatible.
seealso:
  - module: ffdl.platform.training_job
"""

EXAMPLES = r"""
- name: List test-user's jobs (ffdl list)
  ffdl.platform.training_job_info:
    url: "{{ ffdl_restapi_url }}"
  register: jobs

- name: Show one with the end of its log (ffdl show, ffdl logs)
  ffdl.platform.training_job_info:
    url: "{{ ffdl_restapi_url }}"
    training_id: "{{ jobs.jobs[0].model_id }}"
    log_lines: 100
  register: job
"""

RETURN = r"""
jobs:
  description: The jobs found, as FfDL's REST API returns them (credentials masked), newest first.
  returned: always
  type: list
  elements: dict
summary:
  description: One line per job, C(<training id> <status> <name> submitted <time>) - what C(ffdl list) shows.
  returned: always
  type: list
  elements: str
status:
  description: The status of I(training_id).
  returned: with training_id, when the job exists
  type: str
log_tail:
  description: The last I(log_lines) of the job's log.
  returned: with training_id and log_lines above 0, when the job exists
  type: str
found:
  description: Whether I(training_id) exists for I(user).
  returned: with training_id
  type: bool
status_message:
  description: FfDL's status message and error code of I(training_id), worded as FfDL's CLI words failures.
  returned: with training_id, when the job exists
  type: str
  sample: "Learner process terminated with an error (exit code: '3') (error code C201)"
log_new:
  description: The log's lines from I(log_from) on.
  returned: with training_id and log_from, when the job exists
  type: list
  elements: str
log_next:
  description: The number of the log line after the last of C(log_new) (the next I(log_from)).
  returned: with training_id and log_from, when the job exists
  type: int
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.ffdl.platform.plugins.module_utils.ffdl_rest import (
    REST_ARGUMENT_SPEC,
    Client,
    RestError,
    check_rest_options,
    describe_status,
    scrub,
    status_of,
    tail,
)


def submitted(job):
    return str(((job.get("training") or {}).get("training_status") or {}).get("submitted") or "")


def line(job):
    stamp = submitted(job)
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(stamp) / 1000.0)) if stamp.isdigit() else stamp
    return "%s %s %s submitted %s" % (job.get("model_id"), status_of(job), job.get("name"), when or "unknown")


def main():
    argument_spec = dict(REST_ARGUMENT_SPEC)
    argument_spec.update(
        training_id=dict(type="str"),
        name=dict(type="str"),
        log_lines=dict(type="int", default=40),
        log_from=dict(type="int"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    check_rest_options(module)
    for key in ("log_lines", "log_from"):
        if (p[key] or 0) < 0:
            module.fail_json(msg="%s: %s is not zero or more" % (key, p[key]))
    client = Client(module, p["url"], p["user"], p["password"], p["timeout"])
    result = dict(changed=False, jobs=[], summary=[])
    try:
        if p["training_id"]:
            try:
                jobs = [client.job(p["training_id"])]
            except RestError as exc:
                if exc.status != 404:
                    raise
                jobs = []
            result["found"] = bool(jobs)
        else:
            jobs = client.jobs()
        if p["name"]:
            jobs = [job for job in jobs if job.get("name") == p["name"]]
        jobs.sort(key=submitted, reverse=True)
        result["jobs"] = [scrub(job) for job in jobs]
        result["summary"] = [line(job) for job in jobs]
        if p["training_id"] and jobs:
            result["status"] = status_of(jobs[0])
            result["status_message"] = describe_status((jobs[0].get("training") or {}).get("training_status"))
            if p["log_lines"] or p["log_from"] is not None:
                log = client.logs(p["training_id"])
                if p["log_lines"]:
                    result["log_tail"] = tail(log, p["log_lines"])
                if p["log_from"] is not None:
                    lines = to_native(log or "").splitlines()
                    result["log_new"] = lines[p["log_from"] :]
                    result["log_next"] = max(len(lines), p["log_from"])
    except RestError as exc:
        module.fail_json(msg=to_native(exc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
