"""What ffdl.platform.training_job prints while it waits: every status change with its time, and the progress lines.

A stand-in of its own whose pod-start, download and store phases last 2 s each
(``--phase-seconds``), so that a 1 s poll sees every status a job goes
through; the job is a script printing the example model's progress lines (no
TensorFlow needed).
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

from tests.integration.conftest import BIND
from tests.support import servers
from tests.support.ansible_run import run_playbook

pytestmark = pytest.mark.s3

TRAIN = textwrap.dedent(
    """\
    import time
    for step in range(1, 6):
        line = "Time %.4f, Iter %d, Minibatch Loss= %.6f, Training Accuracy= %.5f"
        print(line % (time.time(), step * 128, 2.0 / step, 0.15 * step), flush=True)
        print("an unrelated line", flush=True)
        time.sleep(0.6)
    print("Testing Accuracy: 0.7500", flush=True)
    """
)

PLAYBOOK = textwrap.dedent(
    """\
    - hosts: localhost
      gather_facts: false
      module_defaults:
        group/ffdl.platform.ffdl: {url: "{{ url }}"}
      tasks:
        - name: Train and follow
          ffdl.platform.training_job:
            manifest_content: "{{ manifest | to_nice_yaml }}"
            model_definition: "{{ model }}"
            poll_interval: 1
            wait_timeout: 120
          register: job
        - name: Report
          ansible.builtin.debug:
            msg: "{{ job.status_timeline }}"
    """
)


@pytest.fixture(scope="module")
def slow_restapi(tmp_path_factory):
    server = servers.start_ffdl_restapi(
        str(tmp_path_factory.mktemp("progress-jobs")), learner=Path(sys.executable).parent, host=BIND, phase_seconds=2
    )
    yield server
    servers.stop(server.pid)


def test_a_job_through_every_status_prints_each_change_once_with_its_time(s3, slow_restapi, tmp_path):
    servers.make_bucket(s3, "progress_data", {"data.txt": b"1\n"})
    servers.make_bucket(s3, "progress_results")
    model = tmp_path / "model"
    model.mkdir()
    (model / "train.py").write_text(TRAIN)
    manifest = servers.job_manifest("progress", s3.url, "progress_data", "progress_results")
    playbook = tmp_path / "progress.yml"
    playbook.write_text(PLAYBOOK)
    result = run_playbook(
        playbook, {"url": slow_restapi.url, "manifest": manifest, "model": str(model)}, callback="default"
    )
    assert result.rc == 0, result.stdout[-4000:]
    shown = re.findall(r"(?m)^\[localhost\] (training-\S{9})  (\d\d:\d\d:\d\d) \(\+(\d+)s\)  (.*)$", result.stdout)
    assert len({training_id for training_id, *_rest in shown}) == 1
    changes = [(int(elapsed), text) for _id, _at, elapsed, text in shown if not text.startswith("| ")]
    assert [text for _elapsed, text in changes] == ["PENDING", "DOWNLOADING", "PROCESSING", "STORING", "COMPLETED"]
    assert [elapsed for elapsed, _text in changes] == sorted(elapsed for elapsed, _text in changes)
    assert changes[-1][0] >= 6  # three phases of 2 s and the script's 3 s
    lines = [text for *_rest, text in shown if text.startswith("| ")]
    assert [line.split(", ")[1] for line in lines[:-1]] == [f"Iter {step * 128}" for step in range(1, 6)]
    assert lines[-1] == "| Testing Accuracy: 0.7500" and "unrelated" not in result.stdout.split("TASK [Report]")[0]
    # the same changes in the result, with the controller's time and the seconds since the wait began
    timeline = result.stdout.split("TASK [Report]")[1]  # ansible.cfg's callback result format is YAML
    assert len(re.findall(r"(?m)^\s+status: [A-Z]+$", timeline)) == 5 and timeline.count(" elapsed: ") == 5
    assert len(re.findall(r"at: '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d'", timeline)) == 5
