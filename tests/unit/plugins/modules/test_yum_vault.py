"""ffdl.platform.yum_vault on CentOS 7's stock CentOS-Base.repo, with dead and live mirrors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import shutil
from pathlib import Path

import pytest

from ansible_collections.ffdl.platform.plugins.module_utils import yum_repo_file as rf
from ansible_collections.ffdl.platform.plugins.modules import yum_vault as mod

STOCK = Path(__file__).resolve().parents[2] / "fixtures" / "yum" / "CentOS-Base.repo"
VAULT = "https://vault.centos.org/7.9.2009"


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "CentOS-Base.repo"
    shutil.copy(STOCK, path)
    return path


def probes(monkeypatch, alive):
    """fetch_url answering 200 (with a mirror) for URLs containing one of ``alive``, else like a dead host."""
    asked = []

    def fetch(_module, url, timeout=10):
        asked.append(url)
        if any(a in url for a in alive):
            return io.BytesIO(b"http://mirror.example.internal/centos/7.9.2009/os/x86_64/\n"), {"status": 200}
        return None, {"status": -1, "msg": "Request failed: <urlopen error [Errno -2] Name or service not known>"}

    monkeypatch.setattr(mod, "fetch_url", fetch)
    return asked


def test_dead_mirrors_switch_enabled_repositories_to_the_vault(run_module, monkeypatch, repo):
    asked = probes(monkeypatch, alive=[])
    result, failed = run_module(mod, {"repo_file": str(repo)})
    assert not failed and result["changed"]
    assert result["switched"] == ["base", "updates", "extras"]
    text = repo.read_text()
    settings = rf.sections(text)
    assert settings["base"]["baseurl"] == f"{VAULT}/os/$basearch/"
    assert settings["updates"]["baseurl"] == f"{VAULT}/updates/$basearch/"
    assert settings["extras"]["baseurl"] == f"{VAULT}/extras/$basearch/"
    assert all("mirrorlist" not in settings[r] for r in ("base", "updates", "extras"))
    # disabled centosplus untouched, comments and gpg keys kept
    assert settings["centosplus"]["mirrorlist"].startswith("http://mirrorlist.centos.org/")
    assert settings["base"]["gpgkey"] == "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7"
    assert "#baseurl=http://mirror.centos.org/centos/$releasever/os/$basearch/" in text
    assert "# CentOS-Base.repo" in text
    assert asked[0] == "http://mirrorlist.centos.org/?release=7&arch=x86_64&repo=os&infra=stock"
    # the original is backed up
    assert len(list(repo.parent.glob("CentOS-Base.repo.*"))) == 1


def test_second_run_changes_nothing_and_probes_nothing(run_module, monkeypatch, repo):
    probes(monkeypatch, alive=[])
    run_module(mod, {"repo_file": str(repo)})
    asked = probes(monkeypatch, alive=[])
    result, failed = run_module(mod, {"repo_file": str(repo)})
    assert not failed and not result["changed"] and result["switched"] == []
    assert asked == []


def test_healthy_host_is_left_alone(run_module, monkeypatch, repo):
    probes(monkeypatch, alive=["mirrorlist.centos.org"])
    result, failed = run_module(mod, {"repo_file": str(repo)})
    assert not failed and not result["changed"]
    assert repo.read_text() == STOCK.read_text()
    assert all(p["ok"] for p in result["probes"].values())


def test_only_the_dead_repository_is_switched(run_module, monkeypatch, repo):
    probes(monkeypatch, alive=["repo=os", "repo=extras"])
    result, _failed = run_module(mod, {"repo_file": str(repo)})
    assert result["switched"] == ["updates"]


def test_check_mode_predicts_with_a_diff_and_writes_nothing(run_module, monkeypatch, repo):
    probes(monkeypatch, alive=[])
    result, failed = run_module(mod, {"repo_file": str(repo)}, check_mode=True, diff=True)
    assert not failed and result["changed"] and result["switched"] == ["base", "updates", "extras"]
    assert f"baseurl={VAULT}/os/$basearch/" in result["diff"]["after"]
    assert repo.read_text() == STOCK.read_text()


def test_vault_mode_switches_without_probing_and_a_mirror_of_the_vault_works(run_module, monkeypatch, repo):
    asked = probes(monkeypatch, alive=["mirrorlist.centos.org"])
    result, _failed = run_module(
        mod, {"repo_file": str(repo), "mode": "vault", "vault_base_url": "http://mirror.example.internal/vault/"}
    )
    assert asked == [] and result["switched"] == ["base", "updates", "extras"]
    assert (
        rf.sections(repo.read_text())["base"]["baseurl"]
        == "http://mirror.example.internal/vault/7.9.2009/os/$basearch/"
    )


def test_keep_mode_and_a_host_without_the_file_do_nothing(run_module, monkeypatch, repo, tmp_path):
    probes(monkeypatch, alive=[])
    result, _failed = run_module(mod, {"repo_file": str(repo), "mode": "keep"})
    assert not result["changed"]
    result, _failed = run_module(mod, {"repo_file": str(tmp_path / "missing.repo")})
    assert not result["changed"] and result["switched"] == []


def test_bad_vault_url_is_refused(run_module, monkeypatch, repo):
    probes(monkeypatch, alive=[])
    result, failed = run_module(mod, {"repo_file": str(repo), "vault_base_url": "vault.centos.org"})
    assert failed and "vault_base_url" in result["msg"]
    assert repo.read_text() == STOCK.read_text()


def test_baseurl_repository_is_probed_through_repomd():
    text = "[local]\nbaseurl=http://mirror.example.internal/centos/$releasever/os/$basearch/\n"
    settings = rf.sections(text)["local"]
    assert rf.repo_dir(settings, "local") == "os"
    assert (
        rf.point_at(text, "local", "https://v/7.9.2009/os/$basearch/")
        == "[local]\nbaseurl=https://v/7.9.2009/os/$basearch/\n"
    )


def test_section_without_baseurl_gets_one_at_its_end():
    text = "[a]\nmirrorlist=http://m/?repo=os\n[b]\nname=b\n"
    out = rf.point_at(text, "a", "https://v/os/")
    assert out == "[a]\n#mirrorlist=http://m/?repo=os\nbaseurl=https://v/os/\n[b]\nname=b\n"
    assert rf.point_at("[a]\nname=a", "a", "https://v/") == "[a]\nname=a\nbaseurl=https://v/\n"
