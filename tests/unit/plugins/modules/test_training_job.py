"""ffdl.platform.training_job's decisions, against an in-memory FfDL (the REST contract is tested in integration)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ffdl.platform.plugins.modules import training_job as mod
from ansible_collections.ffdl.platform.plugins.module_utils.ffdl_rest import RestError

MANIFEST = """\
name: job
description: my job
cpus: 0.5
memory: 1Gb
framework: {name: tensorflow, version: "1.5.0-py3", command: python3 train.py}
data_stores:
  - id: s
    type: s3_datastore
    training_data: {container: my_data}
    training_results: {container: my_results}
    connection: {auth_url: "http://s3:80", user_name: k, password: secret-p}
"""


class FakeFfdl(object):
    """Jobs of one user; each submitted job ends with ``outcome``."""

    def __init__(self, module, url, user, password, timeout=30):
        self.jobs_ = FakeFfdl.store
        self.submitted = FakeFfdl.submitted
        self.halted = FakeFfdl.halted

    def health(self):
        if FakeFfdl.down:
            raise RestError("FfDL's REST API at http://ffdl does not answer: refused", -1)

    def jobs(self):
        return list(self.jobs_.values())

    def job(self, training_id):
        if training_id not in self.jobs_:
            raise RestError("not found", 404)
        return self.jobs_[training_id]

    def submit(self, manifest, zip_bytes):
        import yaml

        training_id = "training-%d" % (len(self.submitted) + 1)
        data = yaml.safe_load(manifest)
        self.jobs_[training_id] = {
            "model_id": training_id,
            "name": data["name"],
            "description": data["description"],
            "data_stores": data["data_stores"],
            "training": {
                "training_status": {
                    # as FfDL answers: the name in status_description, the exit code in status_message
                    "status": FakeFfdl.outcome,
                    "status_description": FakeFfdl.outcome,
                    "submitted": str(1000 + len(self.jobs_)),
                }
            },
        }
        if FakeFfdl.outcome == "FAILED":
            self.jobs_[training_id]["training"]["training_status"].update(status_message="3", error_code="C201")
        self.submitted.append(training_id)
        return training_id, {}

    def halt(self, training_id):
        self.halted.append(training_id)
        self.jobs_[training_id]["training"]["training_status"]["status"] = "HALTED"

    def delete(self, training_id):
        FakeFfdl.deleted.append(training_id)
        del self.jobs_[training_id]

    def logs(self, training_id):
        return "line 1\nerror: out of memory\n"


@pytest.fixture
def ffdl(monkeypatch, tmp_path):
    FakeFfdl.store, FakeFfdl.submitted, FakeFfdl.halted, FakeFfdl.deleted = {}, [], [], []
    FakeFfdl.outcome, FakeFfdl.down = "COMPLETED", False
    monkeypatch.setattr(mod, "Client", FakeFfdl)
    model = tmp_path / "model"
    model.mkdir()
    (model / "train.py").write_text("print(1)\n")
    return {"url": "http://ffdl", "manifest_content": MANIFEST, "model_definition": str(model), "poll_interval": 1}


def test_submits_once_then_finds_it(run_module, ffdl):
    first, failed = run_module(mod, ffdl)
    assert not failed and first["changed"] and first["submitted"] and first["status"] == "COMPLETED"
    second, failed = run_module(mod, ffdl)
    assert not failed and not second["changed"] and second["training_id"] == first["training_id"]
    assert FakeFfdl.submitted == [first["training_id"]]
    # the credentials FfDL echoes back never reach the result
    assert "secret-p" not in str(first) and "secret-p" not in str(second)


def test_the_digest_ignores_the_description_tag_and_follows_the_code(run_module, ffdl, tmp_path):
    first, _failed = run_module(mod, ffdl)
    (tmp_path / "model/train.py").write_text("print(2)\n")
    changed, _failed = run_module(mod, ffdl)
    assert changed["submitted"] and changed["digest"] != first["digest"]
    forced, _failed = run_module(mod, dict(ffdl, force=True))
    assert forced["submitted"] and forced["digest"] == changed["digest"]


def test_check_mode_predicts_and_diff_says_what(run_module, ffdl):
    result, failed = run_module(mod, ffdl, check_mode=True, diff=True)
    assert not failed and result["changed"] and result["submitted"] and FakeFfdl.submitted == []
    assert result["diff"]["before"] == "no job for this manifest and code\n"


def test_a_failed_job_is_reported_with_its_log_and_retried_once_asked(run_module, ffdl):
    # the module reports the end of a job that has ended; the action plugin fails the task (tests/unit/plugins/action)
    FakeFfdl.outcome = "FAILED"
    result, failed = run_module(mod, ffdl)
    assert not failed and result["status"] == "FAILED" and "error: out of memory" in result["log_tail"]
    kept, _failed = run_module(mod, dict(ffdl, retry_failed=False))
    assert not kept["submitted"] and len(FakeFfdl.submitted) == 1
    FakeFfdl.outcome = "COMPLETED"
    retried, failed = run_module(mod, ffdl)
    assert not failed and retried["submitted"] and len(FakeFfdl.submitted) == 2


def test_a_progress_pattern_that_is_no_regular_expression_is_refused(run_module, ffdl):
    result, failed = run_module(mod, dict(ffdl, progress_patterns=["Iter (\\d+"]))
    assert failed and result["msg"].startswith("progress_patterns:") and FakeFfdl.submitted == []


def test_bad_manifest_and_empty_model_are_refused_before_any_call(run_module, ffdl, tmp_path):
    FakeFfdl.down = True
    result, failed = run_module(mod, dict(ffdl, manifest_content=MANIFEST.replace("name: job\n", "")))
    assert failed and "name: missing" in result["msg"] and "nothing was submitted" in result["msg"]
    (tmp_path / "empty").mkdir()
    result, failed = run_module(mod, dict(ffdl, model_definition=str(tmp_path / "empty")))
    assert failed and "empty model definition" in result["msg"]


def test_an_unreachable_api_fails_naming_it(run_module, ffdl):
    FakeFfdl.down = True
    result, failed = run_module(mod, ffdl)
    assert failed and "http://ffdl does not answer" in result["msg"] and FakeFfdl.submitted == []


def test_halt_and_delete_are_idempotent(run_module, ffdl):
    FakeFfdl.outcome = "PROCESSING"
    job, _failed = run_module(mod, dict(ffdl, wait=False))
    args = {"url": "http://ffdl", "training_id": job["training_id"]}
    halted, _failed = run_module(mod, dict(args, state="halted"))
    again, _failed = run_module(mod, dict(args, state="halted"))
    assert halted["changed"] and halted["status"] == "HALTED" and not again["changed"]
    deleted, _failed = run_module(mod, dict(args, state="absent"))
    gone, _failed = run_module(mod, dict(args, state="absent"))
    assert deleted["changed"] and not gone["changed"]


def test_a_halted_job_is_deleted_before_it_is_submitted_again(run_module, ffdl, monkeypatch):
    """FfDL's halt leaves the learner running (ffdl-rest-contract-facts.md, differences 1): delete, then resubmit."""
    warnings = []
    monkeypatch.setattr(mod.AnsibleModule, "warn", lambda self, text: warnings.append(text))
    FakeFfdl.outcome = "PROCESSING"
    job, _failed = run_module(mod, dict(ffdl, wait=False))
    halted, _failed = run_module(mod, {"url": "http://ffdl", "training_id": job["training_id"], "state": "halted"})
    assert halted["changed"] and "learner keeps running" in " ".join(warnings)
    FakeFfdl.outcome = "COMPLETED"
    predicted, _failed = run_module(mod, ffdl, check_mode=True)
    assert predicted["submitted"] and predicted["deleted"] == job["training_id"] and FakeFfdl.deleted == []
    again, failed = run_module(mod, ffdl)
    assert not failed and again["submitted"] and again["deleted"] == job["training_id"]
    assert FakeFfdl.deleted == [job["training_id"]] and job["training_id"] not in FakeFfdl.store


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"url": "ffdl:8080"}, "url:"),
        ({"wait_timeout": 0}, "wait_timeout:"),
        ({"poll_interval": -1}, "poll_interval:"),
    ],
)
def test_bad_arguments(run_module, ffdl, args, message):
    result, failed = run_module(mod, dict(ffdl, **args))
    assert failed and result["msg"].startswith(message)
