#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: training_metrics
short_description: A finished FfDL job's training curve - per-step metrics, a PNG plot and a run history
version_added: 0.2.0
description:
  - Reads the results of a training job fetched from FfDL's results bucket (M(ffdl.platform.training_job), then the
    training role's fetch) - the learner's log C(learner-1/training-log.txt) and, where the model wrote them,
    TensorBoard event files under C(tb/) (FfDL's tensorboard log collector copies C($LOG_DIR) there, the manifest's
    C(evaluation_metrics) C($JOB_STATE_DIR/logs/tb)).
  - Writes C(training-metrics.csv) into I(results_dir) - one row per step, one column per metric - with the values the
    log's lines give through I(patterns) and the TensorBoard scalars (columns C(tensorboard:<tag>)); draws them as
    C(training-curve.png) there (matplotlib); and keeps one line per job in I(history_file) (id, name, manifest and
    model digest, status, submitted, duration, points, final metrics), replaced when the same job is seen again, so
    successive runs compare at a glance.
  - Files change only when their content does; a converged re-run reports no change.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  results_dir:
    description: The job's results as fetched, C(<training_results_dir>/<training id>).
    type: path
    required: true
  log:
    description: The learner's log; by default C(<results_dir>/learner-1/training-log.txt), where FfDL stores it.
    type: path
  tensorboard_dir:
    description: TensorBoard event files (C(events.out.tfevents.*), any depth); by default C(<results_dir>/tb).
    type: path
  patterns:
    description:
      - Regular expressions applied to each log line. Each has a named group C(step); every other named group is a
        metric of that step (a float). The default matches the example model's progress lines
        (C(Iter 1280, Minibatch Loss= 0.52, Training Accuracy= 0.83)).
    type: list
    elements: str
    default:
      - 'Iter (?P<step>\d+), Minibatch Loss= *(?P<loss>[-+0-9.eE]+), Training Accuracy= *(?P<accuracy>[-+0-9.eE]+)'
  accuracy_pattern:
    description:
      - "A regular expression whose first group, in its last match in the log, is the model's test accuracy (the
        example model prints C(Testing Accuracy: 0.83)); returned as RV(test_accuracy) and written in the history
        line unless I(record) gives C(test_accuracy)."
    type: str
    version_added: 0.3.0
  plot:
    description: Draw C(training-curve.png) (needs matplotlib where the module runs).
    type: bool
    default: true
  title:
    description: The plot's title; by default the training id.
    type: str
  history_file:
    description: The run history (CSV), one line per job; none kept when empty.
    type: path
  record:
    description:
      - What the history line says of the job besides its metrics - C(training_id), C(name), C(digest), C(status),
        C(submitted) and C(completed) (FfDL's epoch milliseconds), C(test_accuracy).
    type: dict
    default: {}
extends_documentation_fragment:
  - ffdl.platform.attributes
requirements:
  - matplotlib (for I(plot=true))
notes:
  - Python 2.7 and 3.6 compatible; the TensorBoard files are read without TensorFlow (TFRecord framing and the
    Event and Summary protocol buffers, scalar values only; record checksums are not verified).
seealso:
  - module: ffdl.platform.training_job
"""

EXAMPLES = r"""
- name: Metrics, plot and history of a fetched job
  ffdl.platform.training_metrics:
    results_dir: "{{ playbook_dir }}/ffdl-training-results/{{ job.training_id }}"
    history_file: "{{ playbook_dir }}/ffdl-training-results/history.csv"
    record:
      training_id: "{{ job.training_id }}"
      status: "{{ job.status }}"
      digest: "{{ job.digest }}"
  register: metrics
"""

RETURN = r"""
points:
  description: Rows of the metrics file (steps with at least one value).
  returned: always
  type: int
columns:
  description: The metrics found, in the file's column order.
  returned: always
  type: list
  elements: str
final:
  description: The last value of each metric.
  returned: always
  type: dict
  sample: {"loss": 0.41, "accuracy": 0.86}
test_accuracy:
  description: The last match of I(accuracy_pattern) in the log, as a number; null when none (or no pattern).
  returned: always
  type: float
  sample: 0.8312
metrics_file:
  description: The metrics file.
  returned: always
  type: str
plot_file:
  description: The PNG, when one is drawn (or would be, in check mode).
  returned: when there are points and plot is true
  type: str
history:
  description: The history's rows as mappings, oldest first.
  returned: when history_file is set
  type: list
  elements: dict
"""

import csv
import io
import os
import re
import struct
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible_collections.ffdl.platform.plugins.module_utils.files import write_if_changed

HISTORY_COLUMNS = [
    "training_id",
    "name",
    "status",
    "submitted",
    "duration_s",
    "digest",
    "points",
    "final",
    "test_accuracy",
]
DEFAULT_PATTERN = (
    r"Iter (?P<step>\d+), Minibatch Loss= *(?P<loss>[-+0-9.eE]+), Training Accuracy= *(?P<accuracy>[-+0-9.eE]+)"
)


# ------------------------------------------------------------------ TensorBoard event files
def _varint(data, pos):
    shift = result = 0
    while True:
        byte = data[pos] if isinstance(data[pos], int) else ord(data[pos])
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data):
    """(field number, wire type, value) of a protocol buffer message."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            return
        yield number, wire, value


def _tensor_float(data):
    """The first float of a TensorProto (float_val or tensor_content), or None."""
    dtype = None
    for number, wire, value in _fields(data):
        if number == 1 and wire == 0:
            dtype = value
        elif number == 5 and wire == 5:
            return struct.unpack("<f", value)[0]
        elif wire == 2 and len(value) >= 4 and (number == 5 or (number == 4 and dtype in (1, None))):
            return struct.unpack("<f", value[:4])[0]  # packed float_val, or float tensor_content
        elif number == 6 and wire == 2 and len(value) >= 8:  # double_val
            return struct.unpack("<d", value[:8])[0]
    return None


def tensorboard_scalars(path):
    """{(tag, step): value} of the scalar summaries in one event file."""
    out = {}
    with open(path, "rb") as handle:
        data = handle.read()
    pos = 0
    while pos + 12 <= len(data):
        length = struct.unpack("<Q", data[pos : pos + 8])[0]
        record = data[pos + 12 : pos + 12 + length]
        pos += 12 + length + 4
        if len(record) < length:
            break
        step = 0
        summaries = []
        for number, wire, value in _fields(record):
            if number == 2 and wire == 0:
                step = value
            elif number == 5 and wire == 2:
                summaries.append(value)
        for summary in summaries:
            for number, wire, value in _fields(summary):
                if number != 1 or wire != 2:
                    continue
                tag, scalar = None, None
                for vnumber, vwire, vvalue in _fields(value):
                    if vnumber == 1 and vwire == 2:
                        tag = to_text(vvalue)
                    elif vnumber == 2 and vwire == 5:
                        scalar = struct.unpack("<f", vvalue)[0]
                    elif vnumber == 8 and vwire == 2:
                        scalar = _tensor_float(vvalue)
                if tag is not None and scalar is not None:
                    out[(tag, step)] = scalar
    return out


# ------------------------------------------------------------------ metrics
def log_metrics(text, patterns):
    """{step: {metric: value}} from the log lines the patterns match (a later line wins for the same step)."""
    rows = {}
    for line in text.splitlines():
        for pattern in patterns:
            found = pattern.search(line)
            if not found:
                continue
            values = found.groupdict()
            step = int(float(values.pop("step")))
            for name, value in values.items():
                try:
                    rows.setdefault(step, {})[name] = float(value)
                except (TypeError, ValueError):
                    continue
    return rows


def table(rows):
    """(columns, CSV text) of {step: {metric: value}}."""
    columns = []
    for step in sorted(rows):
        for name in rows[step]:
            if name not in columns:
                columns.append(name)
    out = io.StringIO() if str is not bytes else io.BytesIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["step"] + columns)
    for step in sorted(rows):
        writer.writerow([step] + ["%.6g" % rows[step][c] if c in rows[step] else "" for c in columns])
    return columns, to_text(out.getvalue())


def plot_png(rows, columns, title, dest):
    """Draw one panel per metric against the step into ``dest`` (PNG); a TensorBoard scalar of the same name as a
    log metric shares its panel."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    panels = []
    for name in columns:
        base = name.split(":", 1)[-1]
        if base not in panels:
            panels.append(base)
    figure, axes = pyplot.subplots(len(panels), 1, figsize=(7, 2.4 * len(panels) + 0.6), sharex=True, squeeze=False)
    for index, base in enumerate(panels):
        axis = axes[index][0]
        for name, label, style in ((base, "log", "-"), ("tensorboard:" + base, "TensorBoard", "--")):
            steps = [s for s in sorted(rows) if name in rows[s]]
            if steps:
                axis.plot(steps, [rows[s][name] for s in steps], style, marker="o", markersize=3, label=label)
        axis.set_ylabel(base)
        axis.grid(True, alpha=0.3)
        if len(axis.get_lines()) > 1:
            axis.legend(loc="best", fontsize="small")
    axes[-1][0].set_xlabel("step")
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(dest, format="png", dpi=100, metadata={"Software": None})
    pyplot.close(figure)


# ------------------------------------------------------------------ history
def read_history(path):
    if not os.path.isfile(path):
        return []
    with io.open(path, encoding="utf-8") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def history_text(rows):
    out = io.StringIO() if str is not bytes else io.BytesIO()
    writer = csv.DictWriter(out, fieldnames=HISTORY_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(dict((key, row.get(key, "")) for key in HISTORY_COLUMNS))
    return to_text(out.getvalue())


def iso(milliseconds):
    text = str(milliseconds or "")
    if not text.isdigit():
        return text
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(text) / 1000.0))


def history_row(record, columns, final, points):
    submitted, completed = str(record.get("submitted") or ""), str(record.get("completed") or "")
    duration = ""
    if submitted.isdigit() and completed.isdigit():
        duration = "%d" % round((int(completed) - int(submitted)) / 1000.0)
    try:
        accuracy = "%.4f" % float(record.get("test_accuracy"))
    except (TypeError, ValueError):  # none printed (ansible-core < 2.19 templates a none as "None")
        accuracy = ""
    return {
        "training_id": str(record.get("training_id") or ""),
        "name": str(record.get("name") or ""),
        "status": str(record.get("status") or ""),
        "submitted": iso(submitted),
        "duration_s": duration,
        "digest": str(record.get("digest") or ""),
        "points": str(points),
        "final": ";".join("%s=%.6g" % (name, final[name]) for name in columns if name in final),
        "test_accuracy": accuracy,
    }


def keep(module, path, text, changed_files):
    """Write ``text`` to ``path`` when it differs, noting the path in ``changed_files``."""
    if write_if_changed(path, to_bytes(text), mode=None, check_mode=module.check_mode):
        changed_files.append(path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            results_dir=dict(type="path", required=True),
            log=dict(type="path"),
            tensorboard_dir=dict(type="path"),
            patterns=dict(type="list", elements="str", default=[DEFAULT_PATTERN]),
            plot=dict(type="bool", default=True),
            title=dict(type="str"),
            history_file=dict(type="path"),
            record=dict(type="dict", default={}),
            accuracy_pattern=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    patterns = []
    for text in p["patterns"]:
        try:
            pattern = re.compile(text)
        except re.error as exc:
            module.fail_json(msg="patterns: %r is not a regular expression (%s)" % (text, exc))
        if "step" not in pattern.groupindex:
            module.fail_json(msg="patterns: %r has no named group (?P<step>...) for the step" % text)
        patterns.append(pattern)
    accuracy_pattern = None
    if p["accuracy_pattern"]:
        try:
            accuracy_pattern = re.compile(p["accuracy_pattern"])
        except re.error as exc:
            module.fail_json(msg="accuracy_pattern: %r is not a regular expression (%s)" % (p["accuracy_pattern"], exc))
        if accuracy_pattern.groups < 1:
            module.fail_json(msg="accuracy_pattern: %r has no group for the accuracy" % p["accuracy_pattern"])
    if not os.path.isdir(p["results_dir"]):
        module.fail_json(msg="results_dir: %s is not a directory (fetch the job's results first)" % p["results_dir"])

    log = p["log"] or os.path.join(p["results_dir"], "learner-1", "training-log.txt")
    rows, test_accuracy = {}, None
    if os.path.isfile(log):
        with io.open(log, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        rows = log_metrics(text, patterns)
        found = accuracy_pattern.findall(text) if accuracy_pattern else []
        if found:
            last = found[-1][0] if isinstance(found[-1], tuple) else found[-1]
            try:
                test_accuracy = float(last)
            except ValueError:
                test_accuracy = None
    tb_dir = p["tensorboard_dir"] or os.path.join(p["results_dir"], "tb")
    event_files = sorted(
        os.path.join(root, name)
        for root, _dirs, names in os.walk(tb_dir)
        for name in names
        if name.startswith("events.out.tfevents.")
    )
    for path in event_files:
        for (tag, step), value in sorted(tensorboard_scalars(path).items()):
            rows.setdefault(step, {})["tensorboard:" + tag] = value

    columns, csv_text = table(rows)
    final = {}
    for step in sorted(rows):
        final.update(rows[step])
    changed_files = []
    metrics_file = os.path.join(p["results_dir"], "training-metrics.csv")
    metrics_before = None
    if os.path.isfile(metrics_file):
        with io.open(metrics_file, encoding="utf-8") as handle:
            metrics_before = handle.read()
    keep(module, metrics_file, csv_text, changed_files)
    result = dict(
        points=len(rows), columns=columns, final=final, metrics_file=metrics_file, log=log, test_accuracy=test_accuracy
    )
    result["event_files"] = event_files

    if rows and p["plot"]:
        plot_file = os.path.join(p["results_dir"], "training-curve.png")
        result["plot_file"] = plot_file
        if metrics_before != csv_text or not os.path.isfile(plot_file):
            changed_files.append(plot_file)
            if not module.check_mode:
                try:
                    plot_png(rows, columns, p["title"] or os.path.basename(p["results_dir"].rstrip("/")), plot_file)
                except ImportError as exc:
                    module.fail_json(
                        msg="plot: matplotlib is not installed for %s (%s); install it (requirements.txt) or set "
                        "plot to false" % (os.uname()[1], to_native(exc))
                    )

    if p["history_file"]:
        history = [
            row for row in read_history(p["history_file"]) if row.get("training_id") != p["record"].get("training_id")
        ]
        record = dict(p["record"])
        if record.get("test_accuracy") in (None, "", "None"):
            record["test_accuracy"] = test_accuracy
        history.append(history_row(record, columns, final, len(rows)))
        history.sort(key=lambda row: (row.get("submitted") or "", row.get("training_id") or ""))
        directory = os.path.dirname(p["history_file"])
        if directory and not os.path.isdir(directory) and not module.check_mode:
            os.makedirs(directory)
        keep(module, p["history_file"], history_text(history), changed_files)
        result["history"] = history

    result["changed"] = bool(changed_files)
    if module._diff and changed_files:
        result["diff"] = dict(before="", after="".join("%s\n" % path for path in changed_files))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
