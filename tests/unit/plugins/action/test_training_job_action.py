"""The training_job action plugin: it follows a job from the controller and prints each change as it happens."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from unittest.mock import MagicMock

import pytest

from ansible_collections.ffdl.platform.plugins.action import training_job as action


class Job(object):
    """A job going through ``statuses``, one per status read, its log growing a line per read."""

    def __init__(self, statuses, failure=None):
        self.statuses = list(statuses)
        self.reads = 0
        self.failure = failure or {}
        self.calls = []

    def module(self, module_name, module_args, task_vars):
        self.calls.append((module_name, dict(module_args)))
        if module_name == action.MODULE:
            return {"changed": True, "submitted": True, "training_id": "training-a_B-1", "status": self.statuses[0]}
        status = self.statuses[min(self.reads, len(self.statuses) - 1)]
        self.reads += 1
        log = ["Initiating job"] + [
            "Time 1.0, Iter %d, Minibatch Loss= %.2f, Training Accuracy= 0.5" % (i * 128, 2.0 / i)
            for i in range(1, self.reads + 1)
        ]
        training_status = dict({"status": status, "status_description": status}, **self.failure)
        result = {
            "changed": False,
            "found": True,
            "status": status,
            "jobs": [
                {
                    "model_id": "training-a_B-1",
                    "training": {"training_status": training_status},
                    "data_stores": [{"connection": {"password": "secret-p"}}],
                }
            ],
        }
        if module_args.get("log_from") is not None:
            result["log_new"] = log[module_args["log_from"] :]
            result["log_next"] = len(log)
        if module_args.get("log_lines"):
            result["log_tail"] = "\n".join(log)
        return result


@pytest.fixture
def plugin(monkeypatch):
    shown = []
    monkeypatch.setattr(action.display, "display", lambda text, *a, **k: shown.append(text))
    ticks = iter(range(0, 100000, 5))
    monkeypatch.setattr(action.ActionModule, "clock", staticmethod(lambda: 1764687600.0 + next(ticks)))
    monkeypatch.setattr(action.ActionModule, "sleep", staticmethod(lambda seconds: None))

    def make(job, **args):
        task = MagicMock()
        task.args = dict(
            {"url": "http://ffdl", "password": "p", "manifest_content": "x", "model_definition": "/m"}, **args
        )
        task.check_mode = False
        task.async_val = 0
        plugin = action.ActionModule(task, MagicMock(), MagicMock(), MagicMock(), MagicMock(), MagicMock())
        plugin._execute_module = job.module
        return plugin

    return make, shown


def run(plugin):
    return plugin.run(task_vars={"inventory_hostname": "ffdl-host"})


def test_each_status_change_and_matching_log_line_is_printed_once(plugin):
    make, shown = plugin
    job = Job(["PENDING", "PENDING", "DOWNLOADING", "PROCESSING", "PROCESSING", "STORING", "COMPLETED"])
    result = run(make(job))
    assert not result.get("failed"), result
    assert result["status_history"] == ["PENDING", "DOWNLOADING", "PROCESSING", "STORING", "COMPLETED"]
    timeline = result["status_timeline"]
    assert [t["elapsed"] for t in timeline] == sorted(t["elapsed"] for t in timeline)
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", t["at"]) for t in timeline)
    changes = [line for line in shown if "|" not in line]
    assert len(changes) == 5 and all(line.startswith("[ffdl-host] training-a_B-1  ") for line in changes)
    assert changes[2].endswith("PROCESSING") and "(+" in changes[2]
    progress = [line for line in shown if "| Time" in line]
    # every new matching line, each once (the last read is the log tail's)
    assert len(progress) == len(set(progress)) == job.reads - 1
    assert "Initiating job" not in " ".join(shown)  # lines no pattern matches stay out
    assert "secret-p" not in str(result)  # FfDL echoes the object store's credentials back
    assert "Iter" in result["log_tail"]


def test_a_failed_job_fails_the_task_with_ffdls_detail_and_its_log(plugin):
    make, _shown = plugin
    job = Job(["PROCESSING", "STORING", "FAILED"], failure={"error_code": "C201", "status_message": "3"})
    result = run(make(job))
    assert result["failed"]
    assert "ended FAILED: Learner process terminated with an error (exit code: '3') (error code C201)" in result["msg"]
    assert "Minibatch Loss" in result["msg"]


def test_a_job_that_does_not_end_in_time_fails_naming_its_statuses(plugin):
    make, _shown = plugin
    result = run(make(Job(["PENDING", "DOWNLOADING"]), wait_timeout=20))
    assert result["failed"] and "is still DOWNLOADING after 20s (statuses: PENDING -> DOWNLOADING)" in result["msg"]


def test_a_job_found_finished_is_not_followed(plugin):
    make, shown = plugin
    job = Job(["COMPLETED"])
    job.module = lambda module_name, module_args, task_vars: {
        "changed": False,
        "training_id": "training-a_B-1",
        "status": "COMPLETED",
        "log_tail": "Testing Accuracy: 0.9",
    }
    result = run(make(job))
    assert not result.get("failed") and result["log_tail"] == "Testing Accuracy: 0.9" and shown == []


def test_no_patterns_reads_no_log_and_check_mode_does_not_follow(plugin):
    make, shown = plugin
    job = Job(["PENDING", "COMPLETED"])
    run(make(job, progress_patterns=[]))
    assert all("log_from" not in args for _name, args in job.calls)
    assert not [line for line in shown if "|" in line]
    quiet = Job(["PENDING"])
    checked = make(quiet)
    checked._task.check_mode = True
    result = run(checked)
    assert [name for name, _args in quiet.calls] == [action.MODULE] and "status_history" not in result
