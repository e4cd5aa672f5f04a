"""Decision logic of ffdl.platform.pv_bind_mount with recorded mountinfo; no real mounts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from pathlib import Path

import pytest

from ansible_collections.ffdl.platform.plugins.module_utils import mountinfo as mi
from ansible_collections.ffdl.platform.plugins.modules import pv_bind_mount as mod

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mountinfo"


class FakeHost:
    """Feeds mountinfo to the module and applies the mount commands it runs to that state."""

    def __init__(self, monkeypatch, mounts_text):
        self.text = mounts_text
        self.commands = []
        monkeypatch.setattr(mod, "read_mountinfo", lambda: mi.parse_mountinfo(self.text))
        monkeypatch.setattr(mod.AnsibleModule, "get_bin_path", lambda _self, name, required=False: "/bin/" + name)
        monkeypatch.setattr(mod.AnsibleModule, "run_command", lambda _module, argv, **kw: self.run_command(argv))

    def run_command(self, argv):
        self.commands.append(argv[1:] if argv[0] == "/bin/mount" else argv)
        if argv[0] == "/bin/mount" and argv[1] == "--bind":
            src, path = argv[2], argv[3]
            self.text += f"99 22 254:0 {mi.escape(src)} {mi.escape(path)} rw - ext4 /dev/vda rw\n"
        elif argv[0] == "/bin/mount" and argv[1].startswith("--make-"):
            kind = argv[1][len("--make-") :].lstrip("r")
            tag = {"shared": "shared:77", "slave": "master:1", "private": "", "unbindable": "unbindable"}[kind]
            lines = self.text.splitlines()
            for i, line in enumerate(lines):
                f = line.split(" ")
                if mi.unescape(f[4]) == argv[2]:
                    sep = f.index("-")
                    lines[i] = " ".join(f[:6] + ([tag] if tag else []) + f[sep:])
            self.text = "\n".join(lines) + "\n"
        elif argv[0] == "/bin/umount":
            self.text = "".join(
                line + "\n" for line in self.text.splitlines() if mi.unescape(line.split(" ")[4]) != argv[1]
            )
        return 0, "", ""


ROOT_ONLY = "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"


@pytest.fixture
def pv(tmp_path):
    path = tmp_path / "openshift.local.pv" / "pv0001"
    path.mkdir(parents=True)
    return str(path)


def test_mounts_and_makes_rshared_when_absent(monkeypatch, run_module, pv, tmp_path):
    host = FakeHost(monkeypatch, ROOT_ONLY)
    result, failed = run_module(mod, {"path": pv, "fstab": str(tmp_path / "fstab")})
    assert not failed, result
    assert result["changed"]
    assert host.commands == [["--bind", pv, pv], ["--make-rshared", pv]]
    assert result["propagation_before"] is None
    assert result["propagation_after"] == "shared"


def test_second_run_is_unchanged(monkeypatch, run_module, pv, tmp_path):
    host = FakeHost(monkeypatch, ROOT_ONLY)
    run_module(mod, {"path": pv, "fstab": str(tmp_path / "fstab")})
    host.commands.clear()
    result, failed = run_module(mod, {"path": pv, "fstab": str(tmp_path / "fstab")})
    assert not failed
    assert not result["changed"]
    assert host.commands == []


def test_private_bind_only_gets_its_propagation_changed(monkeypatch, run_module, pv, tmp_path):
    text = ROOT_ONLY + f"30 22 254:0 {pv} {pv} rw,relatime - ext4 /dev/vda rw\n"
    host = FakeHost(monkeypatch, text)
    result, _failed = run_module(mod, {"path": pv, "fstab": str(tmp_path / "fstab")})
    assert host.commands == [["--make-rshared", pv]]
    assert result["propagation_before"] == "private"
    assert result["mounted_before"]


def test_shared_slave_counts_as_shared(monkeypatch, run_module, pv, tmp_path):
    text = ROOT_ONLY + f"30 22 254:0 {pv} {pv} rw shared:3 master:1 - ext4 /dev/vda rw\n"
    host = FakeHost(monkeypatch, text)
    result, _failed = run_module(mod, {"path": pv, "fstab": str(tmp_path / "fstab")})
    assert not result["changed"] and host.commands == []


def test_slave_is_not_shared(monkeypatch, run_module, pv, tmp_path):
    text = ROOT_ONLY + f"30 22 254:0 {pv} {pv} rw master:1 - ext4 /dev/vda rw\n"
    host = FakeHost(monkeypatch, text)
    result, _failed = run_module(mod, {"path": pv, "fstab": str(tmp_path / "fstab")})
    assert result["propagation_before"] == "slave"
    assert host.commands == [["--make-rshared", pv]]


def test_rshared_checks_mounts_below(monkeypatch, run_module, pv, tmp_path):
    text = ROOT_ONLY + f"30 22 254:0 {pv} {pv} rw shared:3 - ext4 /dev/vda rw\n40 30 0:9 / {pv}/job rw - tmpfs t rw\n"
    host = FakeHost(monkeypatch, text)
    result, _failed = run_module(mod, {"path": pv, "fstab": str(tmp_path / "fstab")})
    assert host.commands == [["--make-rshared", pv]]
    host.commands.clear()
    result, _failed = run_module(mod, {"path": pv, "propagation": "shared", "fstab": str(tmp_path / "fstab")})
    assert not result["changed"]


def test_check_mode_predicts_without_running(monkeypatch, run_module, pv, tmp_path):
    host = FakeHost(monkeypatch, ROOT_ONLY)
    fstab = tmp_path / "fstab"
    result, failed = run_module(mod, {"path": pv, "persistent": True, "fstab": str(fstab)}, check_mode=True, diff=True)
    assert not failed
    assert result["changed"] and result["fstab_changed"]
    assert host.commands == []
    assert not fstab.exists()
    assert "propagation: None" in result["diff"]["before"]
    assert "propagation: shared" in result["diff"]["after"]


def test_missing_path_fails_clearly(monkeypatch, run_module, tmp_path):
    FakeHost(monkeypatch, ROOT_ONLY)
    result, failed = run_module(mod, {"path": str(tmp_path / "nope"), "fstab": str(tmp_path / "fstab")})
    assert failed
    assert "does not exist" in result["msg"]


def test_missing_path_is_created_on_request(monkeypatch, run_module, tmp_path):
    host = FakeHost(monkeypatch, ROOT_ONLY)
    path = tmp_path / "pv0002"
    result, failed = run_module(mod, {"path": str(path), "create": True, "fstab": str(tmp_path / "fstab")})
    assert not failed, result
    assert path.is_dir() and oct(path.stat().st_mode & 0o777) == "0o777"
    assert host.commands[0] == ["--bind", str(path), str(path)]


def test_foreign_mount_is_left_alone(monkeypatch, run_module, pv, tmp_path):
    host = FakeHost(monkeypatch, ROOT_ONLY + f"60 22 0:61 / {pv} rw - tmpfs tmpfs rw\n")
    result, failed = run_module(mod, {"path": pv, "fstab": str(tmp_path / "fstab")})
    assert failed and "another mount" in result["msg"]
    assert host.commands == []


def test_path_with_spaces_persists_escaped(monkeypatch, run_module, tmp_path):
    path = tmp_path / "my pv"
    path.mkdir()
    fstab = tmp_path / "fstab"
    fstab.write_text("# static\n/dev/vda / ext4 defaults 0 1\n")
    FakeHost(monkeypatch, ROOT_ONLY)
    result, failed = run_module(mod, {"path": str(path), "persistent": True, "fstab": str(fstab)})
    assert not failed, result
    escaped = mi.escape(str(path))
    assert "\\040" in escaped
    assert fstab.read_text().splitlines() == [
        "# static",
        "/dev/vda / ext4 defaults 0 1",
        f"{escaped} {escaped} none bind,rshared 0 0",
    ]
    result, _failed = run_module(mod, {"path": str(path), "persistent": True, "fstab": str(fstab)})
    assert not result["changed"]


def test_unmount_removes_mount_and_fstab_entry_but_not_data(monkeypatch, run_module, pv, tmp_path):
    (Path(pv) / "keep.txt").write_text("data")
    fstab = tmp_path / "fstab"
    fstab.write_text(f"{pv} {pv} none bind,rshared 0 0\n")
    host = FakeHost(monkeypatch, ROOT_ONLY + f"30 22 254:0 {pv} {pv} rw shared:3 - ext4 /dev/vda rw\n")
    result, failed = run_module(mod, {"path": pv, "state": "unmounted", "persistent": True, "fstab": str(fstab)})
    assert not failed, result
    assert host.commands == [["/bin/umount", pv]]
    assert fstab.read_text() == "\n"
    assert (Path(pv) / "keep.txt").read_text() == "data"
    assert result["propagation_after"] is None


def test_fstab_entry_with_other_propagation_is_replaced():
    lines = ["/a /a none bind,private 0 0", "/b /b none bind 0 0", "/a /a none bind 0 0"]
    assert mod.desired_fstab(lines, "/a", "/a /a none bind,rshared 0 0") == [
        "/a /a none bind,rshared 0 0",
        "/b /b none bind 0 0",
    ]
    assert mod.desired_fstab(lines, "/a", None) == ["/b /b none bind 0 0"]
