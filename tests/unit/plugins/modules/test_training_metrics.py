"""ffdl.platform.training_metrics: the learner's log and TensorBoard files into a CSV, a PNG and a history."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import os
import shutil
import struct
from pathlib import Path

import pytest

from ansible_collections.ffdl.platform.plugins.modules import training_metrics as mod

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures/tensorboard"
LOG = "\n".join(
    ["Initiating job", "Data: 60000 training and 10000 test images"]
    + [
        "Time 17.0, Iter %d, Minibatch Loss= %.6f, Training Accuracy= %.5f" % (step * 128, 2.3 / step, 0.1 * step)
        for step in range(1, 8)
    ]
    + ["Optimization Finished!", "Testing Accuracy: 0.8123"]
)


@pytest.fixture
def results(tmp_path):
    root = tmp_path / "training-x1_Y-2"
    (root / "learner-1").mkdir(parents=True)
    (root / "learner-1/training-log.txt").write_text(LOG)
    return root


def rows(path):
    with open(path) as handle:
        return list(csv.DictReader(handle))


def test_the_tensorboard_reader_reads_what_tensorflow_wrote():
    tf1 = mod.tensorboard_scalars(str(FIXTURES / "events.out.tfevents.tf1-simple-value"))
    assert sorted(tf1) == [(tag, step) for tag in ("accuracy", "loss") for step in (128, 256, 384)]
    assert tf1[("loss", 256)] == pytest.approx(200 / 256) and tf1[("accuracy", 384)] == pytest.approx(0.384)
    tf2 = mod.tensorboard_scalars(str(FIXTURES / "events.out.tfevents.tf2-tensor"))
    assert tf2 == {("loss", 10): pytest.approx(0.1), ("loss", 20): pytest.approx(0.05)}


def test_a_truncated_event_file_yields_what_is_complete(tmp_path):
    data = (FIXTURES / "events.out.tfevents.tf1-simple-value").read_bytes()
    (tmp_path / "cut").write_bytes(data[: len(data) - 10])
    assert len(mod.tensorboard_scalars(str(tmp_path / "cut"))) < 6


def test_log_and_tensorboard_become_one_csv_a_png_and_a_history_line(run_module, results, tmp_path):
    (results / "tb").mkdir()
    shutil.copy(FIXTURES / "events.out.tfevents.tf1-simple-value", results / "tb")
    history = tmp_path / "history.csv"
    record = {"training_id": "training-x1_Y-2", "name": "tf", "digest": "ab12", "status": "COMPLETED"}
    record.update(submitted="1764687600000", completed="1764687725000", test_accuracy=0.8123)
    result, failed = run_module(mod, {"results_dir": str(results), "history_file": str(history), "record": record})
    assert not failed and result["changed"], result
    assert result["columns"] == ["loss", "accuracy", "tensorboard:accuracy", "tensorboard:loss"]
    table = rows(results / "training-metrics.csv")
    assert [int(r["step"]) for r in table] == [128, 256, 384, 512, 640, 768, 896]
    losses = [float(r["loss"]) for r in table]
    assert losses == sorted(losses, reverse=True) and result["final"]["accuracy"] == pytest.approx(0.7)
    png = (results / "training-curve.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 700 and 400 < height < 600  # one panel per metric, TensorBoard's beside the log's
    (line,) = rows(history)
    assert line["training_id"] == "training-x1_Y-2" and line["duration_s"] == "125" and line["points"] == "7"
    assert line["submitted"] == "2025-12-02T15:00:00Z" and line["test_accuracy"] == "0.8123"
    assert "loss=0.328571" in line["final"]
    again, _failed = run_module(mod, {"results_dir": str(results), "history_file": str(history), "record": record})
    assert not again["changed"]


def test_a_second_job_adds_a_line_and_the_same_job_replaces_its_own(run_module, results, tmp_path):
    history = tmp_path / "history.csv"
    for training_id, submitted, status in (("training-b", "2000", "FAILED"), ("training-a", "1000", "COMPLETED")):
        args = {"results_dir": str(results), "history_file": str(history), "plot": False}
        run_module(mod, dict(args, record={"training_id": training_id, "submitted": submitted, "status": status}))
    record = {"training_id": "training-b", "submitted": "2000", "status": "COMPLETED"}
    run_module(mod, {"results_dir": str(results), "history_file": str(history), "plot": False, "record": record})
    assert [(r["training_id"], r["status"]) for r in rows(history)] == [
        ("training-a", "COMPLETED"),
        ("training-b", "COMPLETED"),
    ]


def test_check_mode_writes_nothing_and_a_deleted_png_is_drawn_again(run_module, results):
    predicted, _failed = run_module(mod, {"results_dir": str(results)}, check_mode=True)
    assert predicted["changed"] and os.listdir(results) == ["learner-1"]
    run_module(mod, {"results_dir": str(results)})
    (results / "training-curve.png").unlink()
    redrawn, _failed = run_module(mod, {"results_dir": str(results)})
    assert redrawn["changed"] and (results / "training-curve.png").exists()


def test_a_log_without_progress_lines_gives_an_empty_table_and_no_plot(run_module, results):
    (results / "learner-1/training-log.txt").write_text("nothing to see\n")
    result, failed = run_module(mod, {"results_dir": str(results)})
    assert not failed and result["points"] == 0 and "plot_file" not in result
    assert (results / "training-metrics.csv").read_text() == "step\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"patterns": ["Iter (\\d+"]}, "patterns: 'Iter (\\\\d+' is not a regular expression"),
        ({"patterns": ["loss (?P<loss>[0-9.]+)"]}, "has no named group (?P<step>...)"),
        ({"results_dir": "/nonexistent/dir"}, "results_dir: /nonexistent/dir is not a directory"),
    ],
)
def test_bad_arguments_name_the_option(run_module, results, args, message):
    result, failed = run_module(mod, dict({"results_dir": str(results)}, **args))
    assert failed and message in result["msg"]


def test_the_test_accuracy_is_the_last_match_of_the_pattern_and_fills_the_history(run_module, results, tmp_path):
    history = tmp_path / "history.csv"
    args = {
        "results_dir": str(results),
        "plot": False,
        "history_file": str(history),
        "record": {"training_id": "training-x1_Y-2", "status": "COMPLETED"},
        "accuracy_pattern": r"Testing Accuracy:\s*([0-9]*\.?[0-9]+)",
    }
    result, failed = run_module(mod, args)
    assert not failed and result["test_accuracy"] == pytest.approx(0.8123)
    assert rows(history)[0]["test_accuracy"] == "0.8123"
    # what the record says wins; without a pattern there is no accuracy
    result, failed = run_module(mod, dict(args, record=dict(args["record"], test_accuracy=0.5)))
    assert rows(history)[0]["test_accuracy"] == "0.5000"
    result, failed = run_module(mod, dict(args, accuracy_pattern=None))
    assert not failed and result["test_accuracy"] is None


@pytest.mark.parametrize(
    "pattern, message", [("Testing Accuracy: ([0-9", "is not a regular expression"), ("Accuracy", "has no group")]
)
def test_an_accuracy_pattern_that_cannot_give_a_number_fails_naming_it(run_module, results, pattern, message):
    result, failed = run_module(mod, {"results_dir": str(results), "accuracy_pattern": pattern})
    assert failed and result["msg"].startswith("accuracy_pattern:") and message in result["msg"]
