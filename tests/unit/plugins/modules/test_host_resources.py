"""host_resources: the listeners of the asked ports with their programs, read from a /proc tree."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.server
import os
import threading
from typing import ClassVar

import pytest

from ansible_collections.ffdl.platform.plugins.modules.host_resources import (
    address_of,
    d_type_of,
    listeners,
    nearest_existing,
    probe_source,
)

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"


def socket_line(address, port, state, inode):
    return "   0: %s:%04X 00000000:0000 %s 00000000:00000000 00:00000000 00000000     0        0 %s 1\n" % (
        address,
        port,
        state,
        inode,
    )


def fake_proc(tmp_path):
    proc = tmp_path / "proc"
    (proc / "net").mkdir(parents=True)
    (proc / "net" / "tcp").write_text(
        HEADER
        + socket_line("0100007F", 8443, "0A", 101)  # 127.0.0.1:8443 listening
        + socket_line("00000000", 31000, "0A", 102)  # 0.0.0.0:31000 listening
        + socket_line("00000000", 2376, "01", 103)  # established: not a listener
        + socket_line("00000000", 22, "0A", 104)  # listening, not asked
    )
    (proc / "net" / "tcp6").write_text(HEADER + socket_line("0" * 32, 2376, "0A", 105))
    for pid, comm, inodes in (("10", "openshift", [101]), ("20", "nginx", [102, 105])):
        fd = proc / pid / "fd"
        fd.mkdir(parents=True)
        (proc / pid / "comm").write_text(comm + "\n")
        for number, inode in enumerate(inodes):
            os.symlink("socket:[%d]" % inode, str(fd / str(number)))
    return str(proc)


def test_listeners_of_the_asked_ports_and_ranges_name_their_programs(tmp_path):
    found = listeners([2376, 8443], [(30000, 32767)], proc=fake_proc(tmp_path))
    assert found == [
        {"port": 2376, "address": "::", "programs": ["nginx"]},
        {"port": 8443, "address": "127.0.0.1", "programs": ["openshift"]},
        {"port": 31000, "address": "0.0.0.0", "programs": ["nginx"]},  # noqa: S104 (what /proc says)
    ]


def test_proc_addresses_are_little_endian_words():
    assert address_of("0100007F") == "127.0.0.1"
    assert address_of("0000000000000000FFFF00000100007F") == "::ffff:127.0.0.1"


def test_a_path_not_created_yet_is_judged_by_its_nearest_parent(tmp_path):
    assert nearest_existing(str(tmp_path / "minishift" / "machines")) == str(tmp_path)


class Module:
    def __init__(self, xfs_info_output=None):
        self.output = xfs_info_output

    def get_bin_path(self, name):
        return "/usr/sbin/xfs_info" if self.output is not None else None

    def run_command(self, argv):
        return 0, self.output, ""


def test_overlay2_needs_d_type_which_xfs_has_only_with_ftype_1():
    assert d_type_of(Module(), "ext4", "/")[0] is True
    assert d_type_of(Module(), "overlay", "/")[0] is False
    # CentOS 7.0-7.2 installers made XFS with ftype=0
    assert d_type_of(Module("naming   =version 2  bsize=4096  ascii-ci=0 ftype=0\n"), "xfs", "/") == (
        False,
        "xfs_info reports ftype=0",
    )
    assert d_type_of(Module("naming   =version 2  bsize=4096  ascii-ci=0 ftype=1\n"), "xfs", "/")[0] is True
    assert d_type_of(Module(), "xfs", "/") == (None, "xfs_info is not installed (xfsprogs)")


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """A mirror: /archive.tgz answers a Range request with 206, /old redirects to it, anything else is 404."""

    seen: ClassVar[list] = []

    def do_GET(self):
        RangeHandler.seen.append((self.path, self.headers.get("Range")))
        if self.path == "/old":
            self.send_response(302)
            self.send_header("Location", "/archive.tgz")
            self.end_headers()
        elif self.path == "/archive.tgz":
            self.send_response(206)
            self.send_header("Content-Range", "bytes 0-0/123456")
            self.send_header("Content-Length", "1")
            self.end_headers()
            self.wfile.write(b"\x1f")
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def mirror():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    RangeHandler.seen = []
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()


def test_a_source_answers_with_one_byte_after_its_redirects(mirror):
    found = probe_source({"what": "archive", "urls": [mirror + "/gone", mirror + "/old"]}, timeout=5)
    assert found["probed"] and found["answered"] == [mirror + "/old"]
    assert found["errors"] == [mirror + "/gone - HTTP Error 404: Not Found"]
    # only the first byte was asked for, of each URL
    assert {rng for _path, rng in RangeHandler.seen} == {"bytes=0-0"}


def test_a_source_already_present_is_not_asked(mirror, tmp_path):
    binary = tmp_path / "minishift"
    binary.write_text("")
    found = probe_source({"urls": [mirror + "/archive.tgz"], "present_path": str(binary)}, timeout=5)
    assert found["present"] and not found["probed"] and RangeHandler.seen == []


def test_local_sources_must_exist_and_ssh_ones_are_not_probed(tmp_path):
    assert probe_source({"urls": ["file://" + str(tmp_path)]}, timeout=5)["answered"] == ["file://" + str(tmp_path)]
    missing = probe_source({"urls": [str(tmp_path / "FfDL.git")]}, timeout=5)
    assert missing["answered"] == [] and "does not exist here" in missing["errors"][0]
    assert probe_source({"urls": ["git@github.com:IBM/FfDL.git"]}, timeout=5)["probed"] is False
