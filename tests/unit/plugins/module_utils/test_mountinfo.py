"""Tests for plugins/module_utils/mountinfo.py against recorded /proc/self/mountinfo shapes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from pathlib import Path

import pytest

from ansible_collections.ffdl.platform.plugins.module_utils import mountinfo as mi

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mountinfo"
PV = "/var/lib/minishift/base/openshift.local.pv/pv0001"


def load(name):
    return mi.parse_mountinfo((FIXTURES / name).read_text())


@pytest.mark.parametrize(
    ("fixture", "path", "propagation"),
    [
        ("private.txt", PV, "private"),
        ("shared.txt", PV, "shared"),
        ("slave.txt", "/srv/pv", "slave"),
        ("container-shared-slave.txt", "/srv/pv", "shared,slave"),
        ("nested.txt", "/data/pv/pv0001", "shared"),
        ("nested.txt", "/data/pv/pv0001/job", "private"),
    ],
)
def test_propagation_from_optional_fields(fixture, path, propagation):
    assert mi.top_mount_at(load(fixture), path).propagation == propagation


def test_unbindable():
    mounts = mi.parse_mountinfo("22 1 254:0 / / rw unbindable - ext4 /dev/vda rw\n")
    assert mounts[0].propagation == "unbindable"


def test_escaped_mount_point_round_trips():
    mounts = load("spaces.txt")
    path = "/srv/my pv\ttab\\x"
    at = mi.top_mount_at(mounts, path)
    assert at is not None and at.root == path
    assert mi.escape(path) == "/srv/my\\040pv\\011tab\\134x"
    assert mi.unescape(mi.escape(path)) == path


def test_bind_onto_itself_matches_the_underlying_filesystem():
    mounts = load("private.txt")
    assert mi.expected_bind_origin(mounts, PV, PV) == ("254:0", PV)
    at = mi.top_mount_at(mounts, PV)
    assert (at.device, at.root) == ("254:0", PV)


def test_bind_origin_on_a_nested_filesystem():
    mounts = load("nested.txt")
    # /data is /dev/vdb's root, so /data/pv/pv0001 is /pv/pv0001 inside it
    assert mi.expected_bind_origin(mounts, "/data/pv/pv0001", "/data/pv/pv0001") == ("254:16", "/pv/pv0001")
    assert [m.mount_point for m in mi.submounts(mounts, "/data/pv/pv0001")] == ["/data/pv/pv0001/job"]


def test_missing_path_has_no_mount():
    mounts = load("private.txt")
    assert mi.top_mount_at(mounts, "/does/not/exist") is None
    assert mi.containing_mount(mounts, "/does/not/exist").mount_point == "/"


def test_stacked_mounts_the_last_one_wins():
    text = (FIXTURES / "private.txt").read_text() + f"90 30 0:70 / {PV} rw - tmpfs tmpfs rw\n"
    assert mi.top_mount_at(mi.parse_mountinfo(text), PV).fstype == "tmpfs"


def test_malformed_line_is_reported():
    with pytest.raises(ValueError, match="malformed"):
        mi.parse_mountinfo("1 2 3\n")
