"""Fixtures for tests against real services: the Kubernetes test cluster and a moto S3 server."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.cluster.launcher import DEFAULT_BIN, Cluster  # noqa: E402
from tests.support import k8s, servers  # noqa: E402


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """A running control plane for the whole session, stopped afterwards even when tests fail."""
    workdir = tmp_path_factory.mktemp("cluster")
    bed = Cluster(workdir, DEFAULT_BIN)
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
    """A moto S3 server on loopback."""
    server = servers.start("127.0.0.1")
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
