"""The docker unit's effective command line from recorded EL7 (systemd 219) and Debian outputs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from pathlib import Path

import pytest

from ansible_collections.ffdl.platform.plugins.module_utils import systemd_unit as su
from ansible_collections.ffdl.platform.plugins.modules import service_command_line as mod

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "systemd"

EL7_FILES = {
    "/run/containers/registries.conf": "el7-run-registries.conf",
    "/etc/sysconfig/docker": "el7-sysconfig-docker",
    "/etc/sysconfig/docker-storage": "el7-sysconfig-docker-storage",
    "/etc/sysconfig/docker-network": "el7-sysconfig-docker-network",
}


def reader(files):
    def read(path):
        name = files.get(path)
        return (FIXTURES / name).read_text() if name else None

    return read


def test_el7_options_reach_the_command_line():
    line = su.effective_command_line((FIXTURES / "el7-docker.show").read_text(), reader(EL7_FILES))
    flags = line["flags"]
    # from /etc/sysconfig/docker's OPTIONS
    assert flags["log-driver"] == ["journald"]
    assert flags["selinux-enabled"] == ["true"]
    assert flags["signature-verification"] == ["false"]
    # from /etc/sysconfig/docker-storage, quoted with a trailing space
    assert flags["storage-driver"] == ["overlay2"]
    # from the unit itself
    assert flags["exec-opt"] == ["native.cgroupdriver=systemd"]
    assert flags["add-registry"] == ["registry.example.internal", "mirror.example.internal"]
    assert line["argv"][0] == "/usr/bin/dockerd-current"
    # the shell `if` in /etc/sysconfig/docker is not an assignment; ADD_REGISTRY etc. are unset
    assert line["unset_variables"] == ["ADD_REGISTRY", "BLOCK_REGISTRY", "INSECURE_REGISTRY"]
    assert line["load_state"] == "loaded" and line["active_state"] == "active" and line["main_pid"] == 1187
    assert line["missing_environment_files"] == []


def test_el7_after_minishift_drop_in_options_are_gone():
    line = su.effective_command_line((FIXTURES / "el7-docker-minishift.show").read_text(), reader(EL7_FILES))
    flags = line["flags"]
    assert "log-driver" not in flags
    assert flags["H"] == ["tcp://0.0.0.0:2376", "unix:///var/run/docker.sock"]
    assert flags["insecure-registry"] == ["172.30.0.0/16"]
    assert flags["tlsverify"] == ["true"]
    assert flags["label"] == ["provider=generic"]
    assert line["drop_in_paths"] == ["/etc/systemd/system/docker.service.d/10-machine.conf"]


def test_debian_docker_opts_from_etc_default():
    files = {"/etc/default/docker": "debian-default-docker"}
    line = su.effective_command_line((FIXTURES / "debian-docker.show").read_text(), reader(files))
    assert line["flags"]["log-driver"] == ["journald"]
    assert line["flags"]["dns"] == ["192.0.2.53"]
    assert line["environment_files"] == ["/etc/default/docker"]


def test_missing_required_environment_file_is_reported():
    show = (
        "ExecStart={ path=/x ; argv[]=/x $A ; ignore_errors=no }\nEnvironmentFiles=/etc/required (ignore_errors=no)\n"
    )
    line = su.effective_command_line(show, lambda path: None)
    assert line["missing_environment_files"] == ["/etc/required"]
    assert line["argv"] == ["/x"]


def test_environment_file_parsing_rules():
    text = (
        "# comment\n"
        "; also a comment\n"
        "A=plain\n"
        "B='single quoted $x'\n"
        'C="double \\"quoted\\""\n'
        "D=continued \\\n"
        "  line\n"
        "if [ -z x ]; then\n"
        "  E=indented\n"
        "fi\n"
        "F=\n"
    )
    env = su.parse_environment_file(text)
    assert env == {
        "A": "plain",
        "B": "single quoted $x",
        "C": 'double "quoted"',
        "D": "continued   line",
        "E": "indented",
        "F": "",
    }


def test_later_environment_files_win_over_environment():
    show = (
        "ExecStart={ path=/d ; argv[]=/d $OPTS ${ONE}x ; ignore_errors=no }\n"
        'Environment=OPTS=--a ONE=1 "TWO=two words"\n'
        "EnvironmentFile=/f1 (ignore_errors=yes)\n"
    )
    line = su.effective_command_line(show, lambda path: "OPTS=--b --c\n" if path == "/f1" else None)
    assert line["argv"] == ["/d", "--b", "--c", "1x"]


def test_braced_variable_stays_one_word_and_unset_expands_to_nothing():
    argv, unset = su.expand_argv("/d ${A} $B ${C}", {"A": "x y"})
    assert argv == ["/d", "x y"]
    assert unset == ["B", "C"]


def test_flag_forms():
    flags = su.parse_flags(["-H", "fd://", "--x=1", "--bool", "--y", "2", "positional", "--", "-"])
    assert flags == {"H": ["fd://"], "x": ["1"], "bool": ["true"], "y": ["2"]}


def test_systemd_219_environment_file_format_and_dash_form():
    assert su.environment_files(["/etc/a (ignore_errors=no)", "-/etc/b", "/etc/c", ""]) == [
        ("/etc/a", False),
        ("/etc/b", True),
        ("/etc/c", False),
    ]


def test_module_asks_systemctl_without_value_flag(run_module, monkeypatch):
    calls = []

    def run_command(_module, argv, **_kw):
        calls.append(argv)
        return 0, (FIXTURES / "el7-docker.show").read_text(), ""

    monkeypatch.setattr(mod.AnsibleModule, "get_bin_path", lambda _self, name, required=False: "/usr/bin/" + name)
    monkeypatch.setattr(mod.AnsibleModule, "run_command", run_command)
    monkeypatch.setattr(mod, "read_file", reader(EL7_FILES))
    result, failed = run_module(mod, {"name": "docker"}, check_mode=True)
    assert not failed and result["changed"] is False
    assert "--value" not in calls[0]
    assert calls[0][:3] == ["/usr/bin/systemctl", "show", "docker"]
    assert result["flags"]["log-driver"] == ["journald"]


def test_module_reports_systemctl_failure(run_module, monkeypatch):
    monkeypatch.setattr(mod.AnsibleModule, "get_bin_path", lambda _self, name, required=False: "/usr/bin/" + name)
    monkeypatch.setattr(mod.AnsibleModule, "run_command", lambda *_a, **_k: (1, "", "Failed to connect to bus"))
    result, failed = run_module(mod, {"name": "docker"})
    assert failed and "Failed to connect to bus" in result["msg"]


@pytest.mark.parametrize("name", ["el7-docker.show", "el7-docker-minishift.show", "debian-docker.show"])
def test_recorded_outputs_parse_without_unknown_lines(name):
    props = su.parse_show((FIXTURES / name).read_text())
    assert set(props) <= {*mod.PROPERTIES, "EnvironmentFile"}
