"""write_if_changed: a file written only when content or mode differ, atomically, never readable by others meanwhile."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.ffdl.platform.plugins.module_utils.files import write_if_changed


def test_written_when_missing_then_not_again_then_when_content_or_mode_differ(tmp_path):
    path = tmp_path / "ffdl-core-values.yaml"
    assert write_if_changed(str(path), b"a: 1\n") is True
    assert path.read_bytes() == b"a: 1\n" and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert write_if_changed(str(path), b"a: 1\n") is False
    os.chmod(path, 0o644)
    assert write_if_changed(str(path), b"a: 1\n") is True and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert write_if_changed(str(path), b"a: 2\n") is True and path.read_bytes() == b"a: 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ffdl-core-values.yaml"]  # no temporary file left


def test_check_mode_says_it_would_write_and_writes_nothing(tmp_path):
    path = tmp_path / "report.json"
    assert write_if_changed(str(path), b"{}\n", mode=0o644, check_mode=True) is True and not path.exists()
    path.write_bytes(b"{}\n")
    os.chmod(path, 0o644)
    assert write_if_changed(str(path), b"{}\n", mode=0o644, check_mode=True) is False


def test_mode_none_keeps_the_files_mode_and_makes_new_ones_0644(tmp_path):
    path = tmp_path / "history.csv"
    assert write_if_changed(str(path), b"x\n", mode=None) is True and stat.S_IMODE(os.stat(path).st_mode) == 0o644
    os.chmod(path, 0o640)
    assert write_if_changed(str(path), b"x\n", mode=None) is False
    assert write_if_changed(str(path), b"y\n", mode=None) is True and stat.S_IMODE(os.stat(path).st_mode) == 0o640
