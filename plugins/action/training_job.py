# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.training_job: submit with the module, then follow the job from the controller, printing progress.

The module submits (or finds) the job and returns at once; this plugin then
reads the job with ffdl.platform.training_job_info every ``poll_interval``
seconds (on the host the task runs on, delegation included) and prints one
line per status change, with the controller's time and the seconds since the
wait began, and the new log lines that match ``progress_patterns``, as they
happen:

    [localhost] training-kX9_2Qa-b  15:02:05 (+4s)  DOWNLOADING
    [localhost] training-kX9_2Qa-b  15:02:41 (+40s)  | Time 1764687761.2, Iter 1280, Minibatch Loss= 1.04 ...

A job that is already finished when the task starts is not followed (a
converged re-run reads it once). FAILED and HALTED fail the task with FfDL's
error code and status message, worded as FfDL's CLI words them, and the tail
of the log.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.ffdl.platform.plugins.module_utils.ffdl_rest import (
    PROGRESS_PATTERNS,
    TERMINAL,
    describe_status,
    scrub,
    tail,
)

display = Display()

MODULE = "ffdl.platform.training_job"
INFO = "ffdl.platform.training_job_info"
REST_KEYS = ("url", "user", "password", "timeout")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    # time and sleep, as attributes so that tests can run the loop without waiting
    clock = staticmethod(time.time)
    sleep = staticmethod(time.sleep)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        args = dict(self._task.args)
        follow = (
            boolean(args.get("wait", True), strict=False)
            and args.get("state", "present") == "present"
            and not self._task.check_mode
        )
        submitted = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
        result.update(submitted)
        if not follow or submitted.get("failed") or not submitted.get("training_id"):
            return result
        if submitted.get("status") in TERMINAL:
            # ended before this task: the module read its log tail already, nothing to follow
            self._verdict(result, args, followed=False)
            return result
        self._follow(result, args, task_vars)
        return result

    def _info(self, args, task_vars, **extra):
        info_args = dict((key, args[key]) for key in REST_KEYS if key in args)
        info_args.update(extra)
        return self._execute_module(module_name=INFO, module_args=info_args, task_vars=task_vars)

    def _say(self, host, training_id, started, now, text):
        display.display(
            "[%s] %s  %s (+%ds)  %s"
            % (host, training_id, time.strftime("%H:%M:%S", time.localtime(now)), now - started, text)
        )

    def _follow(self, result, args, task_vars):
        training_id = result["training_id"]
        host = task_vars.get("inventory_hostname", "localhost")
        wait_timeout = int(args.get("wait_timeout", 1800))
        poll_interval = max(int(args.get("poll_interval", 5)), 1)
        wanted = args.get("progress_patterns")
        patterns = [re.compile(p) for p in (PROGRESS_PATTERNS if wanted is None else wanted)]
        started = self.clock()
        timeline = []
        log_next = 0
        while True:
            extra = {"training_id": training_id, "log_lines": 0}
            if patterns:
                extra["log_from"] = log_next
            info = self._info(args, task_vars, **extra)
            now = self.clock()
            if info.get("failed") or not info.get("found"):
                result.update(
                    failed=True,
                    msg="training job %s could not be followed: %s"
                    % (training_id, info.get("msg") or "FfDL no longer knows it (deleted meanwhile?)"),
                )
                return
            # the lines written since the last read came before the status this read sees
            for line in info.get("log_new") or []:
                if any(p.search(line) for p in patterns):
                    self._say(host, training_id, started, now, "| " + line.strip())
            log_next = info.get("log_next", log_next)
            status = info.get("status")
            if not timeline or timeline[-1]["status"] != status:
                timeline.append(
                    {
                        "status": status,
                        "at": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(now)),
                        "elapsed": int(now - started),
                    }
                )
                self._say(host, training_id, started, now, status)
            if status in TERMINAL or now - started >= wait_timeout:
                break
            self.sleep(poll_interval)
        result["status_timeline"] = timeline
        result["status_history"] = [entry["status"] for entry in timeline]
        # the job once more, with its log tail
        info = self._info(args, task_vars, training_id=training_id, log_lines=int(args.get("log_lines", 40)))
        if info.get("failed"):
            result.update(failed=True, msg=info.get("msg"))
            return
        if info.get("jobs"):
            result.update(job=scrub(info["jobs"][0]), status=info.get("status"))
        result["log_tail"] = tail(info.get("log_tail") or "", int(args.get("log_lines", 40)))
        self._verdict(result, args, followed=True)

    @staticmethod
    def _verdict(result, args, followed):
        """Fail on FAILED, HALTED or, after following, a job that has not ended."""
        training_id = result["training_id"]
        status = result.get("status")
        if followed and status not in TERMINAL:
            result.update(
                failed=True,
                msg="training job %s is still %s after %ss (statuses: %s)"
                % (training_id, status, args.get("wait_timeout", 1800), " -> ".join(result.get("status_history", []))),
            )
        elif status in ("FAILED", "HALTED"):
            training_status = ((result.get("job") or {}).get("training") or {}).get("training_status")
            result.update(
                failed=True,
                msg="training job %s ended %s: %s; last lines of its log:\n%s"
                % (training_id, status, describe_status(training_status), result.get("log_tail", "")),
            )
