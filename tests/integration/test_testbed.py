"""The test bed is a real control plane: binding, protection, scheduling, NodePorts, Helm, kubernetes.core."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest
from kubernetes import client

from tests.support import k8s
from tests.support.ansible_run import run_playbook

pytestmark = pytest.mark.cluster


def test_apiserver_reports_its_real_version(cluster, kubernetes_line):
    version = json.loads(cluster.kubectl("version", "-o", "json").stdout)["serverVersion"]
    assert version["gitVersion"].startswith("v1.11." if kubernetes_line == "1.11" else "v1.34.")
    assert version["major"] == "1"


def test_pvc_with_empty_class_and_selector_binds_a_cluster_up_pv(api, namespace, tmp_path):
    # pv0101.. so the ffdl tests keep pv0001
    k8s.minishift_pvs(api, tmp_path, count=3, start=101)
    core = client.CoreV1Api(api)
    claim = client.V1PersistentVolumeClaim(
        metadata=client.V1ObjectMeta(name="claim"),
        spec=client.V1PersistentVolumeClaimSpec(
            storage_class_name="",
            access_modes=["ReadWriteMany"],
            resources=client.V1VolumeResourceRequirements(requests={"storage": "20Gi"}),
            selector=client.V1LabelSelector(match_labels={"volume": "pv0101"}),
        ),
    )
    core.create_namespaced_persistent_volume_claim(namespace, claim)
    bound = k8s.wait_for(
        "claim bound",
        lambda: (
            (pvc := core.read_namespaced_persistent_volume_claim("claim", namespace)).status.phase == "Bound" and pvc
        ),
    )
    assert bound.spec.volume_name == "pv0101"
    pv = core.read_persistent_volume("pv0101")
    assert pv.spec.claim_ref.name == "claim"
    core.delete_namespaced_persistent_volume_claim("claim", namespace)
    # Recycle needs a recycler pod; with no kubelet the PV ends Released or Failed, never Available.
    k8s.wait_for("pv0101 released", lambda: core.read_persistent_volume("pv0101").status.phase != "Bound")
    core.delete_persistent_volume("pv0101")


def test_claim_in_use_stays_terminating_until_the_pod_is_gone(api, namespace):
    core = client.CoreV1Api(api)
    core.create_namespaced_persistent_volume_claim(
        namespace,
        client.V1PersistentVolumeClaim(
            metadata=client.V1ObjectMeta(name="used"),
            spec=client.V1PersistentVolumeClaimSpec(
                storage_class_name="",
                access_modes=["ReadWriteOnce"],
                resources=client.V1VolumeResourceRequirements(requests={"storage": "1Gi"}),
            ),
        ),
    )
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name="user"),
        spec=client.V1PodSpec(
            containers=[
                client.V1Container(
                    name="c", image="busybox", volume_mounts=[client.V1VolumeMount(name="v", mount_path="/data")]
                )
            ],
            volumes=[
                client.V1Volume(
                    name="v", persistent_volume_claim=client.V1PersistentVolumeClaimVolumeSource(claim_name="used")
                )
            ],
        ),
    )
    core.create_namespaced_pod(namespace, pod)
    k8s.wait_for("pod scheduled", lambda: core.read_namespaced_pod("user", namespace).spec.node_name)
    core.delete_namespaced_persistent_volume_claim("used", namespace)
    pvc = core.read_namespaced_persistent_volume_claim("used", namespace)
    assert pvc.metadata.deletion_timestamp is not None
    assert "kubernetes.io/pvc-protection" in pvc.metadata.finalizers
    core.delete_namespaced_pod("user", namespace, grace_period_seconds=0)

    def claim_gone():
        try:
            core.read_namespaced_persistent_volume_claim("used", namespace)
        except client.ApiException as exc:
            return exc.status == 404
        return False

    k8s.wait_for("claim deleted after the pod", claim_gone)


def test_deployment_becomes_available_and_nodeport_is_allocated(api, namespace):
    apps = client.AppsV1Api(api)
    core = client.CoreV1Api(api)
    labels = {"app": "web"}
    k8s.create_deployment(api, namespace, "web", labels, "nginx", replicas=2)
    core.create_namespaced_service(
        namespace,
        client.V1Service(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1ServiceSpec(
                type="NodePort", selector=labels, ports=[client.V1ServicePort(port=80, target_port=8080)]
            ),
        ),
    )
    k8s.wait_for(
        "deployment available", lambda: apps.read_namespaced_deployment("web", namespace).status.available_replicas == 2
    )
    port = core.read_namespaced_service("web", namespace).spec.ports[0].node_port
    assert 30000 <= port <= 32767


def test_helm3_install_wait(cluster, cluster_env, namespace, tmp_path):
    chart = tmp_path / "tiny"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: tiny\nversion: 0.1.0\n")
    (chart / "templates" / "deploy.yaml").write_text(
        textwrap.dedent(
            """\
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: tiny}
            spec:
              replicas: 1
              selector: {matchLabels: {app: tiny}}
              template:
                metadata: {labels: {app: tiny}}
                spec: {containers: [{name: tiny, image: tiny}]}
            """
        )
    )
    subprocess.run(
        ["helm", "install", "tiny", str(chart), "--namespace", namespace, "--wait", "--timeout", "60s"],
        env=cluster_env,
        check=True,
        capture_output=True,
        text=True,
    )
    out = subprocess.run(
        ["helm", "status", "tiny", "--namespace", namespace, "-o", "json"],
        env=cluster_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert json.loads(out)["info"]["status"] == "deployed"


def test_kubernetes_core_modules_run_against_the_cluster(cluster_env, namespace, tmp_path):
    chart = tmp_path / "cm-chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: cm-chart\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-chart}\ndata: {k: v}\n"
    )
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        textwrap.dedent(
            f"""\
            - hosts: localhost
              gather_facts: false
              tasks:
                - kubernetes.core.k8s:
                    state: present
                    definition:
                      apiVersion: v1
                      kind: ConfigMap
                      metadata: {{name: from-k8s, namespace: {namespace}}}
                      data: {{a: b}}
                  register: created
                - kubernetes.core.k8s_info:
                    kind: ConfigMap
                    namespace: {namespace}
                    name: from-k8s
                  register: info
                - kubernetes.core.helm:
                    name: cm
                    chart_ref: {chart}
                    release_namespace: {namespace}
                    wait: true
                  register: release
                - ansible.builtin.assert:
                    that:
                      - created is changed
                      - info.resources[0].data.a == 'b'
                      - release.status.status == 'deployed'
            """
        )
    )
    result = run_playbook(playbook, env=cluster_env)
    assert result.rc == 0, result.stdout + result.stderr
