"""Fixtures for tests against real services: the Kubernetes test cluster and a moto S3 server."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.cluster.launcher import DEFAULT_BIN, DEFAULT_LINE, Cluster  # noqa: E402
from tests.support import k8s, servers  # noqa: E402

# Where the bed's services listen: loopback, or the Docker bridge for the
# remote-VM end-to-end test, whose container reaches them there (the API
# server then serves on that address, which its certificate names).
BIND = os.environ.get("FFDL_TEST_BIND_ADDRESS", "127.0.0.1")


def pytest_collection_modifyitems(config, items):
    """Tests marked old_api run only in the Kubernetes 1.11 leg, tests marked current_api only in the other."""
    for item in items:
        if "old_api" in item.keywords and DEFAULT_LINE != "1.11":
            item.add_marker(pytest.mark.skip(reason="runs in the Kubernetes 1.11 leg (FFDL_TEST_KUBERNETES=1.11)"))
        if "current_api" in item.keywords and DEFAULT_LINE == "1.11":
            item.add_marker(pytest.mark.skip(reason="needs a current Kubernetes, not 1.11"))


@pytest.fixture(scope="session")
def kubernetes_line():
    """ "current" or "1.11" (OpenShift 3.11's): which API server this session tests against."""
    return DEFAULT_LINE


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """A running control plane for the whole session, stopped afterwards even when tests fail."""
    workdir = tmp_path_factory.mktemp("cluster")
    bed = Cluster(workdir, DEFAULT_BIN, DEFAULT_LINE, extra_addresses=() if BIND == "127.0.0.1" else (BIND,))
    try:
        bed.start()
    except Exception:
        for name in Cluster.COMPONENTS:
            print(f"--- {name}\n{bed.log_tail(name)}", file=sys.stderr)
        bed.stop()
        raise
    yield bed
    bed.stop()


@pytest.fixture(scope="session")
def api(cluster):
    return k8s.api_client(cluster.kubeconfig)


@pytest.fixture
def namespace(api, request):
    """A fresh namespace per test."""
    from kubernetes import client

    name = "t-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    k8s.ensure_namespace(api, name)
    yield name
    client.CoreV1Api(api).delete_namespace(name)


@pytest.fixture(scope="session")
def s3():
    """A moto S3 server (on loopback unless FFDL_TEST_BIND_ADDRESS says otherwise)."""
    server = servers.start(BIND)
    yield server
    servers.stop(server.pid)


@pytest.fixture
def cluster_env(cluster):
    """Environment for ansible-playbook / helm runs against the test cluster."""
    env = dict(os.environ)
    env.update(
        K8S_AUTH_KUBECONFIG=str(cluster.kubeconfig),
        KUBECONFIG=str(cluster.kubeconfig),
        PATH=f"{DEFAULT_BIN}:{Path(sys.executable).parent}:{env.get('PATH', '')}",
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
    )
    return env


def _release_tarball(out_dir: Path, name: str, files: dict[str, Path]) -> Path:
    """A get.helm.sh-shaped archive (linux-amd64/<file>) with its bare-digest .sha256 beside it."""
    import hashlib
    import tarfile

    archive = out_dir / name
    with tarfile.open(archive, "w:gz") as tar:
        for member, source in files.items():
            tar.add(source.resolve(), arcname=f"linux-amd64/{member}")
    archive.with_name(name + ".sha256").write_text(hashlib.sha256(archive.read_bytes()).hexdigest() + "\n")
    return archive


def _helm_mirror_dir() -> Path:
    """The mirror's files, built once per pair of Helm builds and kept in the test cache.

    Packing the three binaries is about 15 s of CPU at gzip's default level; four
    sessions of a make test run serve the same archives.
    """
    import shutil
    import tempfile

    from tests.cluster.launcher import DEFAULT_BIN

    versions = dict(
        line.split("=", 1) for line in (REPO / "tests/cluster/versions.env").read_text().split() if "=" in line
    )
    # the build directories' names hold version and recipe hash (tests/cluster/build.sh)
    key = "-".join((DEFAULT_BIN / name).resolve().parent.name for name in ("helm", "helm2"))
    root = DEFAULT_BIN.parent / "helm-mirror" / key
    if root.is_dir():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    # built aside and renamed: streams running side by side may both build it
    work = Path(tempfile.mkdtemp(dir=root.parent, prefix=".building-"))
    readme = work / "README.md"
    readme.write_text("Built from the Go module proxy by tests/cluster/build.sh\n")
    _release_tarball(
        work,
        f"helm-v{versions['HELM3_VERSION']}-linux-amd64.tar.gz",
        {"helm": DEFAULT_BIN / "helm", "README.md": readme},
    )
    _release_tarball(
        work,
        f"helm-v{versions['HELM2_VERSION']}-linux-amd64.tar.gz",
        {"helm": DEFAULT_BIN / "helm2", "tiller": DEFAULT_BIN / "tiller", "README.md": readme},
    )
    work.chmod(0o755)
    try:
        work.rename(root)
    except OSError:
        shutil.rmtree(work)
    return root


@pytest.fixture(scope="session")
def helm_mirror():
    """A local mirror of get.helm.sh holding the Helm 3 and Helm 2 (+Tiller) the test bed built."""
    versions = dict(
        line.split("=", 1) for line in (REPO / "tests/cluster/versions.env").read_text().split() if "=" in line
    )
    root = _helm_mirror_dir()
    server = servers.start_http(str(root), host=BIND)
    yield {"url": server.url, "root": root, "helm3": versions["HELM3_VERSION"], "helm2": versions["HELM2_VERSION"]}
    servers.stop(server.pid)


def start_tiller(cluster, log: Path, port: int | None = None, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    """Helm 2's Tiller as a local process against the test cluster: (pid, host:port for HELM_HOST)."""
    import subprocess

    port = port or servers.free_port(BIND)
    env = dict(os.environ, KUBECONFIG=str(cluster.kubeconfig), TILLER_NAMESPACE="kube-system")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                str(DEFAULT_BIN / "tiller"),
                # as the role configures tiller-deploy: release data in Secrets
                "--storage=secret",
                "-listen",
                f"{BIND}:{port}",
                "-probe-listen",
                f"127.0.0.1:{servers.free_port('127.0.0.1')}",
                *extra,
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    k8s.wait_for("tiller listening", lambda: _port_open(port), timeout=30)
    return proc.pid, f"{BIND}:{port}"


@pytest.fixture(scope="session")
def tiller(cluster, tmp_path_factory):
    """Tiller as a local process (kwok pods run nothing); yields its host:port, for HELM_HOST."""
    pid, address = start_tiller(cluster, tmp_path_factory.mktemp("tiller") / "tiller.log")
    yield address
    servers.stop(pid)


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex((BIND, port)) == 0


# Fashion-MNIST from Debian's package dataset-fashion-mnist: the same four file
# names and gzip'd IDX format as MNIST (ffdl-training-facts.md section 4).
FASHION_MNIST_PACKAGE = "dataset-fashion-mnist=0.0~git20200523.55506a9-1"
FASHION_MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "cf8536b0aa1a6ac5fa3f23001093305c",
    "train-labels-idx1-ubyte.gz": "10bea18fdb374794d4bb42e356e600c9",
    "t10k-images-idx3-ubyte.gz": "f78720b4224f21cce2f2ccf2d7a94c9a",
    "t10k-labels-idx1-ubyte.gz": "0d30e22e447f3c33dab9ed536400ac01",
}


@pytest.fixture(scope="session")
def fashion_mnist():
    """The directory holding Debian's Fashion-MNIST files (downloaded once into the test cache)."""
    import subprocess

    cache = Path(os.environ.get("FFDL_TEST_CACHE", REPO / ".cache")) / "datasets"
    root = cache / FASHION_MNIST_PACKAGE.replace("=", "_")
    files = root / "usr/share/datasets/fashion-mnist"
    if not (root / ".complete").exists():
        cache.mkdir(parents=True, exist_ok=True)
        download = ["apt-get", "download", FASHION_MNIST_PACKAGE]
        if subprocess.run(download, cwd=cache, check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(download, cwd=cache, check=True)
        deb = next(cache.glob("dataset-fashion-mnist_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        deb.unlink()
        (root / ".complete").touch()
    return files


@pytest.fixture(scope="session")
def restapi(tmp_path_factory):
    """The FfDL REST API stand-in (tests/doubles/ffdl_restapi), its learner a cached tensorflow-cpu virtualenv."""
    server = servers.start_ffdl_restapi(str(tmp_path_factory.mktemp("ffdl-jobs")), host=BIND)
    yield server
    servers.stop(server.pid)
