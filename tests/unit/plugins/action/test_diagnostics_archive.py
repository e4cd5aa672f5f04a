"""diagnostics_archive: text members into one .tar.gz, mode 0600, written whole or not at all."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import tarfile

import pytest

from ansible_collections.ffdl.platform.plugins.action.diagnostics_archive import write_archive


def test_members_are_written_and_the_archive_is_private(tmp_path):
    path = tmp_path / "new" / "ffdl-diagnostics-vm-ffdl.tar.gz"
    members = write_archive(str(path), {"events.txt": "BackOff\n", "logs/lcm/lcm.log": "panic\n", "empty.txt": None})
    assert members == ["empty.txt", "events.txt", "logs/lcm/lcm.log"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with tarfile.open(path) as archive:
        assert archive.extractfile("logs/lcm/lcm.log").read() == b"panic\n"
        assert archive.extractfile("empty.txt").read() == b""
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_member_outside_the_archive_is_refused_and_nothing_is_left(tmp_path):
    path = tmp_path / "d.tar.gz"
    for name in ("/etc/passwd", "../up.txt"):
        with pytest.raises(ValueError, match="not a relative member name"):
            write_archive(str(path), {name: "x"})
    assert list(tmp_path.iterdir()) == []
