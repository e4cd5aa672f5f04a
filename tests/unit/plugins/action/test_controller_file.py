"""controller_file: the run's outputs on the controller, written in the controller's process when they differ."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
from unittest import mock

import pytest
from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext

from ansible_collections.ffdl.platform.plugins.action.controller_file import ActionModule


def run(args, check_mode=False, diff=False, no_log=False):
    task = mock.MagicMock(args=args, diff=diff, no_log=no_log, async_val=0, check_mode=check_mode)
    context = PlayContext()
    context.check_mode = check_mode
    action = ActionModule(task, mock.MagicMock(), context, loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars={})


def test_written_once_with_its_mode_and_a_diff_then_unchanged(tmp_path):
    path = tmp_path / "ffdl-endpoints.yml"
    result = run({"path": str(path), "content": "restapi_url: x\n"}, diff=True)
    assert result["changed"] and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert result["diff"]["before"] == "" and result["diff"]["after"] == "restapi_url: x\n"
    assert not run({"path": str(path), "content": "restapi_url: x\n"})["changed"]


def test_check_mode_reports_and_writes_nothing_unless_it_is_the_runs_own_report(tmp_path):
    path = tmp_path / "endpoints.yml"
    assert run({"path": str(path), "content": "a\n"}, check_mode=True)["changed"] and not path.exists()
    report = tmp_path / "preflight-report.json"
    result = run({"path": str(report), "content": "{}\n", "mode": "0644", "report_change": False}, check_mode=True)
    assert not result["changed"] and report.read_text() == "{}\n"


def test_no_diff_of_a_file_under_no_log_and_clear_failures(tmp_path):
    path = tmp_path / "secret.yml"
    assert "diff" not in run({"path": str(path), "content": "k: v\n"}, diff=True, no_log=True)
    with pytest.raises(AnsibleActionFail, match=r"directory of .* does not exist"):
        run({"path": str(tmp_path / "missing" / "x"), "content": ""})
    with pytest.raises(AnsibleActionFail, match="mode must be octal"):
        run({"path": str(path), "content": "", "mode": "rw"})


def test_a_missing_directory_is_made_with_its_mode_when_asked(tmp_path):
    path = tmp_path / "kube" / "ffdl-platform" / "vm.kubeconfig"
    result = run({"path": str(path), "content": "k\n", "directory_mode": "0700", "report_change": False}, True)
    assert not result["changed"] and path.read_text() == "k\n"
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    with pytest.raises(AnsibleActionFail, match="directory_mode must be octal"):
        run({"path": str(tmp_path / "other" / "x"), "content": "", "directory_mode": "private"})
