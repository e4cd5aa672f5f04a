"""The old-API leg's bed is OpenShift 3.11's Kubernetes: what it serves, and what it refuses.

These run only with FFDL_TEST_KUBERNETES=1.11 (tests/cluster/kubernetes-1.11).
"""

from __future__ import annotations

import json

import pytest
from kubernetes import client

from tests.support import k8s

pytestmark = [pytest.mark.cluster, pytest.mark.old_api]


def test_apiserver_is_kubernetes_1_11(cluster):
    version = json.loads(cluster.kubectl("version", "-o", "json").stdout)["serverVersion"]
    assert version["gitVersion"] == "v1.11.10"


def test_it_serves_the_api_versions_ffdl_charts_use(cluster):
    served = set(cluster.kubectl("api-versions").stdout.split())
    assert {
        "extensions/v1beta1",
        "apps/v1beta1",
        "rbac.authorization.k8s.io/v1beta1",
        "storage.k8s.io/v1beta1",
    } <= served
    # and not what came later
    assert "apiextensions.k8s.io/v1" not in served
    assert "coordination.k8s.io/v1" not in served


def test_server_side_dry_run_is_refused(api, namespace):
    """What kubernetes.core's check mode sends: HTTP 400, nothing persisted."""
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry"}, "data": {"a": "b"}}
    with pytest.raises(client.ApiException) as refused:
        client.CoreV1Api(api).create_namespaced_config_map(namespace, body, dry_run="All")
    assert refused.value.status == 400
    assert "dryRun is not supported yet" in refused.value.body
    with pytest.raises(client.ApiException) as missing:
        client.CoreV1Api(api).read_namespaced_config_map("dry", namespace)
    assert missing.value.status == 404


def test_extensions_v1beta1_deployment_becomes_available(cluster, api, namespace):
    manifest = {
        "apiVersion": "extensions/v1beta1",
        "kind": "Deployment",
        "metadata": {"name": "legacy", "namespace": namespace},
        "spec": {
            "replicas": 1,
            "template": {
                "metadata": {"labels": {"service": "legacy"}},
                "spec": {"containers": [{"name": "c", "image": "example.invalid/legacy:1"}]},
            },
        },
    }
    cluster.kubectl("apply", "-f", "-", input=json.dumps(manifest))
    k8s.wait_for(
        "legacy deployment available",
        lambda: client.AppsV1Api(api).read_namespaced_deployment("legacy", namespace).status.available_replicas == 1,
    )


def test_fake_node_stays_ready_without_leases(cluster, api):
    """1.11 has no node Lease API: kwok heartbeats through the node's status instead."""
    first = _heartbeat(api)
    k8s.wait_for("a new node status heartbeat", lambda: _heartbeat(api) > first, timeout=120, interval=2)
    node = client.CoreV1Api(api).read_node("kwok-node-0")
    ready = next(c for c in node.status.conditions if c.type == "Ready")
    assert ready.status == "True"


def _heartbeat(api):
    node = client.CoreV1Api(api).read_node("kwok-node-0")
    return next(c for c in node.status.conditions if c.type == "Ready").last_heartbeat_time


def test_developer_may_not_create_cluster_wide_objects(cluster):
    """The token user Minishift logs you in as (cluster-up's developer): Forbidden outside myproject."""
    config = client.Configuration()
    config.host = cluster.server
    config.ssl_ca_cert = str(cluster.pki / "ca.crt")
    config.api_key = {"authorization": "Bearer " + cluster.developer_token_file.read_text()}
    developer = client.ApiClient(config)
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "developer-tries"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "g"}],
    }
    with pytest.raises(client.ApiException) as refused:
        client.RbacAuthorizationV1Api(developer).create_cluster_role_binding(binding)
    assert refused.value.status == 403
    # but it may work in its project
    client.CoreV1Api(developer).create_namespaced_config_map(
        "myproject", {"metadata": {"name": "developer-was-here"}, "data": {"a": "b"}}
    )
