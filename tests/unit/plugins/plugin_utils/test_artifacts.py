"""The lock file and the offline bundle (plugin_utils artifacts, bundle_build, fetch), against real local sources:
an HTTP mirror, a git repository, a .deb built with dpkg-deb, and a registry answering as the distribution spec
and Docker Hub's token service do (401 with a Bearer challenge, then the token)."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import shutil
import subprocess
import tarfile
import threading

import pytest
import yaml

from ansible_collections.ffdl.platform.plugins.plugin_utils import artifacts, bundle_build, fetch


class Server:
    def __init__(self, handler):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


def static_handler(root, log):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *args):
            log.append(self.path)

    return Handler


def blob(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def registry_handler(images, requests):
    """A registry of ``images`` (repository -> (manifest bytes, {digest: bytes})) behind a token service: every
    /v2/ call without the token answers 401 with a Bearer challenge naming the realm, as Docker Hub does."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            requests.append(self.path)
            host = "http://%s:%d" % self.server.server_address
            if self.path.startswith("/token"):
                return self.reply(200, json.dumps({"token": "t0ken"}).encode(), "application/json")
            if self.headers.get("Authorization") != "Bearer t0ken":
                self.send_response(401)
                self.send_header(
                    "WWW-Authenticate",
                    'Bearer realm="%s/token",service="registry.test",scope="repository:x:pull"' % host,
                )
                self.end_headers()
                return None
            parts = self.path.split("/")
            repository = "/".join(parts[2:-2])
            manifest, blobs = images.get(repository, (None, {}))
            if parts[-2] == "manifests" and manifest and parts[-1] in ("v1", blob(manifest)):
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
                self.send_header("Docker-Content-Digest", blob(manifest))
                self.end_headers()
                return self.wfile.write(manifest)
            if parts[-2] == "blobs" and parts[-1] in blobs:
                return self.reply(200, blobs[parts[-1]], "application/octet-stream")
            return self.reply(404, b"{}", "application/json")

        def reply(self, code, body, kind):
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def layer_tar(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def make_image(files):
    import gzip

    raw = layer_tar(files)
    layer = gzip.compress(raw, mtime=0)
    config = json.dumps(
        {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [blob(raw)]}}
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config),
                       "digest": blob(config)},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(layer),
                        "digest": blob(layer)}],
        }
    ).encode()  # fmt: skip
    return manifest, {blob(config): config, blob(layer): layer}, blob(config)


def make_deb(path, name, version):
    root = path.parent / f"{name}-root"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: {version}\nArchitecture: all\nMaintainer: t <t@localhost>\nDescription: test\n"
    )
    (root / "usr" / "share" / name).mkdir(parents=True)
    (root / "usr" / "share" / name / "README").write_text("stand-in\n")
    subprocess.run(["dpkg-deb", "-Zxz", "--build", str(root), str(path)], check=True, capture_output=True)


@pytest.fixture
def sources(tmp_path):
    """A mirror (a release archive and its .sha256, a data file, two .debs), a git repository, a registry."""
    www = tmp_path / "www"
    (www / "v1.0").mkdir(parents=True)
    archive = www / "v1.0" / "tool-1.0.tgz"
    archive.write_bytes(b"archive bytes")
    (www / "v1.0" / "tool-1.0.tgz.sha256").write_text(hashlib.sha256(b"archive bytes").hexdigest() + "\n")
    (www / "data.gz").write_bytes(b"data bytes")
    (www / "pool").mkdir()
    make_deb(www / "pool" / "alpha_1.0_all.deb", "alpha", "1.0")
    make_deb(www / "pool" / "beta_2.0_all.deb", "beta", "2.0")
    log: list[str] = []
    mirror = Server(static_handler(www, log))
    repo = tmp_path / "repo"
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@localhost"]
    repo.mkdir()
    for argv in (["init", "-q", "-b", "main"], ["commit", "-q", "--allow-empty", "-m", "x"], ["branch", "helm-patch"]):
        subprocess.run(git + argv, check=True)
    commit = subprocess.run(
        [*git, "rev-parse", "helm-patch"], capture_output=True, text=True, check=True
    ).stdout.strip()
    manifest, blobs, image_id = make_image({"app/README": b"stand-in image\n"})
    requests: list[str] = []
    registry = Server(registry_handler({"ffdl/ffdl-lcm": (manifest, blobs)}, requests))
    lock = {
        "lock_version": 1,
        "artifacts": [
            {"name": "tool", "what": "a tool", "kind": "file", "roles": ["minishift"],
             "url": "https://unreachable.invalid/v1.0/tool-1.0.tgz", "filename": "tool-1.0.tgz",
             "mirror_variable": "minishift_release_base_url", "mirror_path": "v1.0/tool-1.0.tgz",
             "published_checksum": "sha256-file", "size": None, "checksum": None},
            {"name": "data", "what": "a data file", "kind": "file", "roles": ["training"],
             "url": "https://unreachable.invalid/data.gz", "filename": "data.gz", "mirror_path": "data.gz",
             "size": 10, "checksum": "md5:" + hashlib.md5(b"data bytes").hexdigest()},  # noqa: S324 - as published
            {"name": "charts", "what": "charts", "kind": "git", "roles": ["ffdl"], "url": str(repo),
             "ref": "helm-patch", "commit": None},
            {"name": "lcm", "what": "an image", "kind": "image", "roles": ["ffdl"],
             "reference": "docker.io/ffdl/ffdl-lcm:v1", "digest": None, "image_id": None},
            {"name": "packages-debian-12", "what": "packages", "kind": "packages", "roles": ["docker"],
             "platform": "Debian-12", "names": ["alpha", "beta"], "files": None},
        ],
    }  # fmt: skip
    package_sets = {
        "packages-debian-12": [
            {"filename": p.name, "url": f"{mirror.url}/pool/{p.name}", "size": p.stat().st_size,
             "checksum": "sha256:" + artifacts.file_digest(str(p))}
            for p in sorted((www / "pool").glob("*.deb"))
        ]
    }  # fmt: skip
    options = bundle_build.Options(
        mirrors={"tool": mirror.url, "data": [mirror.url + "/dead", mirror.url]},
        registries={"docker.io": registry.url},
    )
    yield {"lock": lock, "options": options, "package_sets": package_sets, "commit": commit, "image_id": image_id,
           "log": log, "requests": requests, "www": www, "tmp": tmp_path}  # fmt: skip
    mirror.stop()
    registry.stop()


def resolved(sources):
    new, problems = bundle_build.resolve(sources["lock"], sources["options"], package_sets=sources["package_sets"])
    assert problems == []
    return new


def test_a_lock_with_null_checksums_is_valid_and_unresolved(sources):
    assert artifacts.validate(sources["lock"]) == []
    assert {e["name"]: artifacts.unresolved(e) for e in sources["lock"]["artifacts"]} == {
        "tool": ["checksum"],
        "data": [],
        "charts": ["commit"],
        "lcm": ["digest", "image_id"],
        "packages-debian-12": ["files"],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "tarball"}, "kind must be one of"),
        ({"reference": "docker.io/ffdl/ffdl-lcm"}, "reference must be an image name with its tag"),
        ({"reference": "docker.io/ffdl/ffdl-lcm@sha256:" + "0" * 64}, "reference must be an image name with its tag"),
        ({"digest": "latest"}, "digest must be sha256:"),
        ({"name": "Bad Name"}, "needs a name"),
    ],
)
def test_a_malformed_entry_is_named(sources, change, message):
    lock = json.loads(json.dumps(sources["lock"]))
    lock["artifacts"][3].update(change)
    assert any(message in problem for problem in artifacts.validate(lock)), artifacts.validate(lock)


def test_make_lock_reads_each_kind_from_its_source_or_mirror(sources):
    new = resolved(sources)
    entries = artifacts.entries(new)
    # the archive from the mirror, checked against the published .sha256
    assert entries["tool"]["checksum"] == "sha256:" + hashlib.sha256(b"archive bytes").hexdigest()
    assert entries["tool"]["size"] == len(b"archive bytes")
    # the published md5 is kept: it is what the source vouches for; the dead mirror fell through
    assert entries["data"]["checksum"].startswith("md5:")
    assert entries["charts"]["commit"] == sources["commit"]
    # the image by digest and ID, through the registry's token challenge
    assert entries["lcm"]["image_id"] == sources["image_id"] and entries["lcm"]["digest"].startswith("sha256:")
    assert any(path.startswith("/token") for path in sources["requests"])
    assert [f["filename"] for f in entries["packages-debian-12"]["files"]] == ["alpha_1.0_all.deb", "beta_2.0_all.deb"]
    assert all(artifacts.unresolved(e) == [] for e in new["artifacts"])


def test_make_lock_refuses_an_archive_its_published_digest_disowns(sources):
    (sources["www"] / "v1.0" / "tool-1.0.tgz.sha256").write_text("0" * 64 + "\n")
    _new, problems = bundle_build.resolve(sources["lock"], sources["options"])
    assert any(p.startswith("tool (a tool): ") and "published checksum (sha256-file) says" in p for p in problems)


def build(sources, new):
    text = yaml.safe_dump(new)
    out = str(sources["tmp"] / "ffdl-bundle.tar")
    bundle_build.build(new, out, sources["options"], text)
    return out


def test_make_bundle_refuses_an_unresolved_lock_naming_each_entry(sources):
    with pytest.raises(artifacts.LockError) as error:
        bundle_build.build(sources["lock"], str(sources["tmp"] / "b.tar"), sources["options"], "")
    assert "tool (a tool): checksum" in str(error.value) and "lcm (an image): digest, image_id" in str(error.value)
    assert not (sources["tmp"] / "b.tar").exists()


def test_a_whole_bundle_unpacks_once_and_checks_clean(sources):
    new = resolved(sources)
    out = build(sources, new)
    root, problems, unpacked = bundle_build.unpack(out, new)
    assert problems == [] and unpacked
    # the image loads as the locked ID; the repository holds the locked commit; the packages are a repository
    assert artifacts.image_archive_id(os.path.join(root, "images/lcm.tar")) == sources["image_id"]
    assert artifacts.git_archive_commit(os.path.join(root, "git/charts.git.tar"), "helm-patch") == sources["commit"]
    with open(os.path.join(root, "packages/packages-debian-12/Packages")) as handle:
        index = handle.read()
    assert "Package: alpha\nVersion: 1.0" in index and "Filename: ./beta_2.0_all.deb" in index and "SHA256: " in index
    with tarfile.open(os.path.join(root, "packages/packages-debian-12.tar")) as tar:
        assert {"Packages", "Packages.gz", "alpha_1.0_all.deb", "beta_2.0_all.deb"} <= set(tar.getnames())
    # a second call finds it unpacked and, asked, checks it again
    assert bundle_build.unpack(out, new) == (root, [], False)


def append(path, data):
    with open(path, "ab") as handle:
        handle.write(data)


def overwrite_start(path, data):
    with open(path, "r+b") as handle:
        handle.write(data)


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda root: os.unlink(os.path.join(root, "images/lcm.tar")), "lcm (an image): images/lcm.tar is missing"),
        (lambda root: append(os.path.join(root, "files/tool/tool-1.0.tgz"), b"!"),
         "tool (a tool): files/tool/tool-1.0.tgz has 14 bytes"),
        (lambda root: overwrite_start(os.path.join(root, "files/data/data.gz"), b"D"),
         "data (a data file): files/data/data.gz is altered"),
    ],
)  # fmt: skip
def test_a_bundle_with_an_artifact_missing_or_altered_is_named(sources, damage, named):
    new = resolved(sources)
    out = build(sources, new)
    root, problems, _unpacked = bundle_build.unpack(out, new)
    assert problems == []
    damage(root)
    _root, problems, _unpacked = bundle_build.unpack(out, new)
    assert any(p.startswith(named) for p in problems), problems


def test_a_bundle_member_outside_its_directory_is_refused(sources, tmp_path):
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        info = tarfile.TarInfo("../escape")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    _root, problems, unpacked = bundle_build.unpack(str(evil), sources["lock"])
    assert not unpacked and "not a file inside it" in problems[0]
    assert not (tmp_path.parent / "escape").exists()


def test_a_reference_is_read_with_dockers_defaults():
    assert fetch.parse_reference("mongo:3.0") == ("docker.io", "library/mongo", "3.0", None)
    assert fetch.parse_reference("docker.io/ffdl/ffdl-lcm:v0.1.1") == ("docker.io", "ffdl/ffdl-lcm", "v0.1.1", None)
    assert fetch.parse_reference("quay.io/coreos/etcd:latest")[:3] == ("quay.io", "coreos/etcd", "latest")
    assert fetch.parse_reference("127.0.0.1:5000/a/b@sha256:" + "1" * 64)[3] == "sha256:" + "1" * 64


def test_a_proxy_is_used_unless_no_proxy_covers_the_host():
    proxied = fetch.opener({"http": "http://u:p@proxy.test:3128"}, [".svc", "10.0.0.0/8"], "http://mirror.test/x")
    direct = fetch.opener({"http": "http://u:p@proxy.test:3128"}, [".svc", "10.0.0.0/8"], "http://10.1.2.3/x")
    handler = next(h for h in proxied.handlers if h.__class__.__name__ == "ProxyHandler")
    assert handler.proxies == {"http": "http://u:p@proxy.test:3128"}
    # no proxy handler at all, the environment's not either (build_opener skips its default one)
    assert [h for h in direct.handlers if h.__class__.__name__ == "ProxyHandler"] == []
    # messages never carry the credentials
    assert fetch._safe("http://u:p@proxy.test:3128/x") == "http://proxy.test:3128/x"


def test_a_deb_without_gzip_or_xz_control_is_refused(tmp_path):
    if not shutil.which("dpkg-deb"):
        pytest.skip("dpkg-deb missing")
    deb = tmp_path / "z.deb"
    make_deb(deb, "z", "1")
    assert "Package: z" in bundle_build.deb_control(str(deb))
    (tmp_path / "not.deb").write_bytes(b"text")
    with pytest.raises(ValueError, match=r"is not a \.deb"):
        bundle_build.deb_control(str(tmp_path / "not.deb"))
