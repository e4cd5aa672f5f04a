"""The model zip is the same bytes for the same code (module_utils/model_zip.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time
import zipfile

import pytest

from ansible_collections.ffdl.platform.plugins.module_utils.model_zip import (
    ModelZipError,
    build,
    collect,
    command_files,
    missing_command_files,
)


def tree(root):
    (root / "sub").mkdir(parents=True)
    (root / "train.py").write_text("print('train')\n")
    (root / "sub/helper.py").write_text("X = 1\n")
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o700)
    (root / "__pycache__").mkdir()
    (root / "__pycache__/train.cpython-311.pyc").write_bytes(b"\0")
    (root / ".git").mkdir()
    (root / ".git/HEAD").write_text("ref\n")
    return root


def test_flat_sorted_and_without_caches(tmp_path):
    found = collect(src=str(tree(tmp_path / "m")))
    assert [entry for entry, _path in found] == ["helper.py", "run.sh", "train.py"]


def test_same_code_same_bytes_whatever_the_times(tmp_path):
    root = tree(tmp_path / "m")
    first = build(collect(src=str(root)))
    future = time.time() + 86400
    for path in root.rglob("*"):
        os.utime(path, (future, future))
    assert build(collect(src=str(root))) == first
    (root / "train.py").write_text("print('changed')\n")
    assert build(collect(src=str(root))) != first


def test_modes_and_layout(tmp_path):
    root = tree(tmp_path / "m")
    archive = zipfile.ZipFile(__import__("io").BytesIO(build(collect(src=str(root), flat=False))))
    infos = {i.filename: i for i in archive.infolist()}
    assert sorted(infos) == ["run.sh", "sub/helper.py", "train.py"]
    # executable for its owner: packed 0755, whatever else its mode says
    assert (infos["run.sh"].external_attr >> 16) & 0o777 == 0o755
    assert (infos["train.py"].external_attr >> 16) & 0o777 == 0o644
    assert infos["train.py"].date_time == (1980, 1, 1, 0, 0, 0)


def test_flat_name_clash_and_empty_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a/x.py").write_text("1")
    (tmp_path / "b/x.py").write_text("2")
    with pytest.raises(ModelZipError, match=r"x\.py"):
        collect(src=str(tmp_path))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelZipError, match="empty model"):
        collect(src=str(tmp_path / "empty"))
    with pytest.raises(ModelZipError, match="not a file"):
        collect(files=[str(tmp_path / "missing.py")])


@pytest.mark.parametrize(
    ("command", "files"),
    [
        (
            "python3 convolutional_network.py --trainImagesFile ${DATA_DIR}/train-images-idx3-ubyte.gz --rate 1",
            ["convolutional_network.py"],
        ),
        ("cd src && bash run.sh; python3 -u 'train.py' >$LOG_DIR/x.log", ["run.sh", "train.py"]),
        ("python3 -m trainer --config=cfg.py", []),
        ("th main.lua && Rscript fit.R", ["main.lua", "fit.R"]),
        ("python3 $MODEL_DIR/train.py /abs/path.py ../up.py", []),
        ("caffe train -solver lenet_solver.prototxt", ["lenet_solver.prototxt"]),
    ],
)
def test_the_files_a_training_command_names(command, files):
    assert command_files(command) == files


def test_missing_command_files():
    assert missing_command_files("python3 train.py && sh run.sh", ["train.py"]) == ["run.sh"]
    assert missing_command_files(None, []) == []
