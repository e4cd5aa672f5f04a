"""verified_file: one file or several in one module run, each verified before it is moved into place."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

from ansible_collections.ffdl.platform.plugins.modules import verified_file as mod


def md5(data):
    return "md5:" + hashlib.md5(data).hexdigest()  # noqa: S324 (MNIST publishes MD5 checksums)


def test_several_files_in_one_run_from_mirrors_and_a_local_copy_then_nothing(run_module, server, tmp_path):
    mirror, base = server
    (mirror / "a.gz").write_bytes(b"aaa")
    (tmp_path / "b.gz").write_bytes(b"bbb")
    cache = tmp_path / "cache"
    files = [
        {
            "dest": str(cache / "a.gz"),
            "checksum": md5(b"aaa"),
            "urls": [base + "/nowhere.gz", base + "/a.gz"],
        },
        {"dest": str(cache / "b.gz"), "checksum": md5(b"bbb"), "src": str(tmp_path / "b.gz"), "name": "labels"},
    ]
    result, failed = run_module(mod, {"files": files}, diff=True)
    assert not failed and result["changed"], result
    assert [f["name"] for f in result["files"]] == ["a.gz", "labels"]
    assert result["files"][0]["source"].endswith("/a.gz") and len(result["files"][0]["attempts"]) == 2
    assert result["files"][1]["upload_etag"] == hashlib.md5(b"bbb").hexdigest()  # noqa: S324
    assert len(result["diff"]) == 2
    result, failed = run_module(mod, {"files": files})
    assert not failed and not result["changed"] and not any(f["changed"] for f in result["files"])


def test_a_file_that_does_not_verify_fails_naming_it_and_is_not_written(run_module, tmp_path):
    (tmp_path / "b.gz").write_bytes(b"tampered")
    files = [{"dest": str(tmp_path / "cache/b.gz"), "checksum": md5(b"bbb"), "src": str(tmp_path / "b.gz")}]
    result, failed = run_module(mod, {"files": files})
    assert failed and result["msg"].startswith("b.gz: checksum mismatch") and not (tmp_path / "cache/b.gz").exists()


def test_check_mode_reports_without_fetching(run_module, tmp_path):
    files = [{"dest": str(tmp_path / "a.gz"), "checksum": md5(b"aaa"), "urls": ["http://192.0.2.1/a.gz"]}]
    result, failed = run_module(mod, {"files": files}, check_mode=True)
    assert not failed and result["changed"] and "upload_etag" not in result["files"][0]
    assert not (tmp_path / "a.gz").exists()
