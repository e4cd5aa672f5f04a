"""ffdl.platform.release_binary against a real local HTTP server and real tarballs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import os
import tarfile
from pathlib import Path

import pytest

from ansible_collections.ffdl.platform.plugins.modules import release_binary as mod


def fake_binary(name: str, version: str) -> bytes:
    return f"#!/bin/sh\necho '{name} v{version}+abc123'\n".encode()


def make_tarball(path: Path, top: str, files: dict[str, bytes]) -> str:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            info.mode = 0o755
            tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def release(server):
    root, base = server
    digest = make_tarball(
        root / "minishift-1.34.3-linux-amd64.tgz",
        "minishift-1.34.3-linux-amd64",
        {"minishift": fake_binary("minishift", "1.34.3"), "README.adoc": b"readme"},
    )
    (root / "minishift-1.34.3-linux-amd64.tgz.sha256").write_text(digest + "\n")  # bare digest, as published
    return base + "/minishift-1.34.3-linux-amd64.tgz", digest


@pytest.fixture
def bin_dir(tmp_path):
    path = tmp_path / "bin"
    path.mkdir()
    return path


def args(url, bin_dir, **extra):
    return dict(
        name="minishift", version="1.34.3", url=url, checksum_url=url + ".sha256", bin_dir=str(bin_dir), **extra
    )


def test_installs_verified_binary_then_is_idempotent(run_module, release, bin_dir):
    url, digest = release
    result, failed = run_module(mod, args(url, bin_dir))
    assert not failed, result
    assert result["changed"] and result["sha256"] == digest and result["version_before"] is None
    installed = bin_dir / "minishift"
    assert installed.read_bytes() == fake_binary("minishift", "1.34.3")
    assert os.stat(installed).st_mode & 0o777 == 0o755
    assert sorted(p.name for p in bin_dir.iterdir()) == ["minishift"]  # no temp files left
    result, failed = run_module(mod, args(url, bin_dir))
    assert not failed and not result["changed"] and result["version_before"] == "1.34.3"


def test_checksum_mismatch_installs_nothing(run_module, release, bin_dir):
    url, _digest = release
    result, failed = run_module(mod, args(url, bin_dir, checksum="sha256:" + "0" * 64))
    assert failed
    assert "checksum mismatch" in result["msg"] and "nothing was installed" in result["msg"]
    assert list(bin_dir.iterdir()) == []


def test_tampered_archive_against_published_digest_fails(run_module, release, server, bin_dir):
    url, _digest = release
    root, _base = server
    make_tarball(root / "minishift-1.34.3-linux-amd64.tgz", "x", {"minishift": fake_binary("minishift", "6.6.6")})
    result, failed = run_module(mod, args(url, bin_dir))
    assert failed and "checksum mismatch" in result["msg"]
    assert list(bin_dir.iterdir()) == []


def test_unreachable_url_fails_clearly(run_module, bin_dir):
    url = "http://127.0.0.1:9/minishift-1.34.3-linux-amd64.tgz"
    result, failed = run_module(mod, args(url, bin_dir, checksum="a" * 64))
    assert failed
    assert result["msg"].startswith(f"could not download {url}")
    assert list(bin_dir.iterdir()) == []


def test_missing_checksum_file_fails(run_module, release, server, bin_dir):
    url, _digest = release
    root, _base = server
    (root / "minishift-1.34.3-linux-amd64.tgz.sha256").unlink()
    result, failed = run_module(mod, args(url, bin_dir))
    assert failed and "HTTP status 404" in result["msg"]


def test_sha256sum_style_file_picks_the_archive_line(run_module, release, server, bin_dir):
    url, digest = release
    root, _base = server
    (root / "minishift-1.34.3-linux-amd64.tgz.sha256").write_text(
        f"{'1' * 64}  minishift-1.34.3-darwin-amd64.tgz\n{digest}  minishift-1.34.3-linux-amd64.tgz\n"
    )
    result, failed = run_module(mod, args(url, bin_dir))
    assert not failed, result


def test_local_archive_for_air_gapped_hosts(run_module, tmp_path, bin_dir):
    archive = tmp_path / "helm-v2.17.0-linux-amd64.tar.gz"
    digest = make_tarball(
        archive, "linux-amd64", {"helm": fake_binary("helm", "2.17.0"), "tiller": fake_binary("tiller", "2.17.0")}
    )
    result, failed = run_module(
        mod,
        dict(
            name="helm",
            version="v2.17.0",
            src=str(archive),
            checksum=digest,
            binaries={"helm": "helm", "tiller": "tiller"},
            bin_dir=str(bin_dir),
            version_args=["version", "--client", "--short"],
        ),
    )
    assert not failed, result
    assert sorted(p.name for p in bin_dir.iterdir()) == ["helm", "tiller"]


def test_wrong_version_inside_the_archive_is_refused(run_module, tmp_path, bin_dir):
    archive = tmp_path / "minishift.tgz"
    digest = make_tarball(archive, "m", {"minishift": fake_binary("minishift", "1.34.2")})
    result, failed = run_module(
        mod, dict(name="minishift", version="1.34.3", src=str(archive), checksum=digest, bin_dir=str(bin_dir))
    )
    assert failed and "reports version 1.34.2" in result["msg"]
    assert list(bin_dir.iterdir()) == []


def test_check_mode_reports_without_downloading(run_module, bin_dir):
    result, failed = run_module(
        mod, args("http://127.0.0.1:9/none.tgz", bin_dir, checksum="a" * 64), check_mode=True, diff=True
    )
    assert not failed and result["changed"]
    assert result["diff"] == {"before": "minishift: None\n", "after": "minishift: 1.34.3\n"}
    assert list(bin_dir.iterdir()) == []


def test_upgrade_replaces_an_older_version(run_module, release, bin_dir):
    url, _digest = release
    (bin_dir / "minishift").write_bytes(fake_binary("minishift", "1.34.2"))
    (bin_dir / "minishift").chmod(0o755)
    result, failed = run_module(mod, args(url, bin_dir))
    assert not failed and result["changed"] and result["version_before"] == "1.34.2"
    assert b"1.34.3" in (bin_dir / "minishift").read_bytes()


def test_parse_digest():
    assert mod.parse_digest("ABC" + "a" * 61 + "\n", "x") == "abc" + "a" * 61
    assert mod.parse_digest("not a digest", "x") is None


def test_a_failure_reports_no_change(run_module, release, bin_dir):
    url, _digest = release
    result, failed = run_module(mod, args(url, bin_dir, checksum="f" * 64))
    assert failed and result["changed"] is False


def test_missing_bin_dir_fails_unless_asked_to_create_it_after_verification(run_module, release, tmp_path):
    url, _digest = release
    missing = tmp_path / "home" / ".local" / "bin"
    result, failed = run_module(mod, args(url, missing))
    assert failed and "does not exist" in result["msg"]
    # a download that does not verify creates nothing, not even the directory
    result, failed = run_module(mod, args(url, missing, checksum="sha256:" + "0" * 64, create_bin_dir=True))
    assert failed and not missing.exists()
    result, failed = run_module(mod, args(url, missing, create_bin_dir=True))
    assert not failed and result["changed"], result
    assert (missing / "minishift").exists() and os.stat(missing).st_mode & 0o777 == 0o755
    result, failed = run_module(mod, args(url, missing, create_bin_dir=True))
    assert not failed and not result["changed"]
