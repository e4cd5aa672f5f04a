"""ffdl.platform.helm against the real test cluster, with Helm built from source and served as a mirror."""

from __future__ import annotations

import re
import subprocess
import textwrap
import threading

import pytest
from kubernetes import client

from tests.integration.conftest import start_tiller
from tests.support import k8s, servers
from tests.support.ansible_run import run_playbook

pytestmark = pytest.mark.cluster

PLAYBOOK = textwrap.dedent(
    """\
    - hosts: localhost
      gather_facts: true
      roles:
        - role: ffdl.platform.helm
    """
)


@pytest.fixture
def playbook(tmp_path):
    path = tmp_path / "helm.yml"
    path.write_text(PLAYBOOK)
    return path


def base_vars(cluster, helm_mirror, tmp_path, **extra):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    return {
        "k8s_auth_kubeconfig": str(cluster.roles_kubeconfig),
        "k8s_auth_context": "ffdl-test",
        "helm_release_base_url": helm_mirror["url"],
        "helm_bin_dir": str(bin_dir),
        "helm_home": str(tmp_path / "helm-home"),
        **extra,
    }


@pytest.mark.current_api
def test_helm3_installs_verified_and_is_idempotent(cluster, helm_mirror, playbook, tmp_path):
    extra = base_vars(cluster, helm_mirror, tmp_path, helm_mode="helm3")
    first = run_playbook(playbook, extra)
    assert first.rc == 0, first.stdout[-3000:] + first.stderr
    assert "Install Helm " + helm_mirror["helm3"] in first.changed_tasks()
    out = subprocess.run([str(tmp_path / "bin/helm"), "version", "--short"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("v" + helm_mirror["helm3"])
    second = run_playbook(playbook, extra)
    assert second.rc == 0 and second.changed() == 0, second.changed_tasks()


@pytest.mark.current_api
def test_helm3_creates_no_tiller_objects(api, cluster, helm_mirror, playbook, tmp_path):
    extra = base_vars(
        cluster, helm_mirror, tmp_path, helm_mode="helm3", helm_tiller_service_account="tiller-helm3-must-not-exist"
    )
    run = run_playbook(playbook, extra)
    assert run.rc == 0, run.stdout[-3000:]
    assert run.task_results("Create the tiller service account and bind it to cluster-admin") == []
    assert run.task_results("Check the client reaches the cluster")[0]["rc"] == 0
    with pytest.raises(client.ApiException) as missing:
        client.CoreV1Api(api).read_namespaced_service_account("tiller-helm3-must-not-exist", "kube-system")
    assert missing.value.status == 404
    bindings = {b.metadata.name for b in client.RbacAuthorizationV1Api(api).list_cluster_role_binding().items}
    assert "tiller-helm3-must-not-exist" not in bindings


@pytest.mark.old_api
def test_helm3_mode_refuses_kubernetes_1_11(cluster, helm_mirror, playbook, tmp_path):
    run = run_playbook(playbook, base_vars(cluster, helm_mirror, tmp_path, helm_mode="helm3"))
    assert run.rc != 0
    assert any("runs Kubernetes 1.11.10, older than" in msg for msg in run.failure_messages()), run.failure_messages()


def test_checksum_mismatch_is_rejected_before_install(cluster, helm_mirror, playbook, tmp_path):
    extra = base_vars(cluster, helm_mirror, tmp_path, helm_mode="helm3", helm_checksum="0" * 64)
    run = run_playbook(playbook, extra)
    assert run.rc != 0
    assert any("checksum mismatch" in msg for msg in run.failure_messages()), run.failure_messages()
    assert list((tmp_path / "bin").iterdir()) == []


def test_tiller_mode_dry_run_on_a_fresh_cluster_predicts_and_writes_nothing(
    api, cluster, helm_mirror, playbook, tmp_path, tiller
):
    extra = base_vars(
        cluster,
        helm_mirror,
        tmp_path,
        helm_tiller_namespace="kube-system",
        helm_tiller_service_account="tiller-dry",
        helm_tiller_host=tiller,
    )
    before = len(cluster.audit_events())
    run = run_playbook(playbook, extra, check=True)
    assert run.rc == 0, run.stdout[-3000:]
    # every object the real run creates is reported (Kubernetes 1.11: read and predicted, no dry run there)
    changed = run.changed_tasks()
    for task in (
        "Install Helm " + helm_mirror["helm2"],
        "Create the tiller service account and bind it to cluster-admin",
        "Report the Tiller a dry run cannot render (helm is not installed yet)",
    ):
        assert task in changed, changed
    assert list((tmp_path / "bin").iterdir()) == []
    with pytest.raises(client.ApiException):
        client.CoreV1Api(api).read_namespaced_service_account("tiller-dry", "kube-system")
    with pytest.raises(client.ApiException):
        client.RbacAuthorizationV1Api(api).read_cluster_role_binding("tiller-dry")
    # nothing was written: no request without dryRun=All reached the API server
    assert k8s.writes(cluster.audit_events()[before:]) == []


def test_tiller_mode_sets_up_tiller_and_is_idempotent(api, cluster, helm_mirror, playbook, tmp_path, tiller):
    extra = base_vars(
        cluster,
        helm_mirror,
        tmp_path,
        helm_tiller_image="registry.example.internal/helm/tiller:v2.17.0",
        helm_tiller_host=tiller,
    )
    first = run_playbook(playbook, extra)
    assert first.rc == 0, first.stdout[-4000:] + first.stderr
    assert "Deploy Tiller (Deployment and Service tiller-deploy)" in first.changed_tasks()

    core, rbac, apps = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api), client.AppsV1Api(api)
    assert core.read_namespaced_service_account("tiller", "kube-system").metadata.name == "tiller"
    binding = rbac.read_cluster_role_binding("tiller")
    assert binding.role_ref.name == "cluster-admin"
    assert [(s.kind, s.name, s.namespace) for s in binding.subjects] == [("ServiceAccount", "tiller", "kube-system")]
    deploy = apps.read_namespaced_deployment("tiller-deploy", "kube-system")
    assert deploy.spec.template.spec.service_account_name == "tiller"
    assert deploy.spec.template.spec.containers[0].image == "registry.example.internal/helm/tiller:v2.17.0"
    # hardened: release data in Secrets, gRPC on localhost inside the pod
    assert deploy.spec.template.spec.containers[0].command == [
        "/tiller",
        "--storage=secret",
        "--listen=localhost:44134",
    ]
    assert deploy.status.available_replicas == 1

    versions = first.task_results("Check the client reaches Tiller")[0]["stdout"]
    # a source build has no git commit, so helm prints the long form even with --short
    assert re.search(r"^Client: .*v2\.17\.0", versions, re.M) and re.search(r"^Server: .*v2\.17\.0", versions, re.M)

    second = run_playbook(playbook, extra)
    assert second.rc == 0 and second.changed() == 0, second.changed_tasks()
    # the same in check mode, against a Tiller that exists: nothing to predict
    third = run_playbook(playbook, extra, check=True)
    assert third.rc == 0 and third.changed() == 0, third.changed_tasks()


# Tiller's TLS set-up and removal do not depend on the API line: they run once,
# on OpenShift 3.11's Kubernetes, where Helm 2 is the real target.
@pytest.mark.old_api
def test_tiller_tls_then_removal(api, cluster, helm_mirror, playbook, tmp_path):
    """Mutual TLS between helm and Tiller with generated certificates; then Tiller and its RBAC removed."""
    port = servers.free_port("127.0.0.1")
    extra = base_vars(
        cluster,
        helm_mirror,
        tmp_path,
        helm_tiller_tls=True,
        helm_tiller_service_account="tiller-tls",
        helm_tiller_host=f"127.0.0.1:{port}",
    )
    tls = tmp_path / "helm-home" / "tls"
    tiller_pid = []

    def start_when_deployed():
        """Tiller's pod starts once its Deployment and the Secret with its certificate exist (kwok runs nothing)."""
        core = client.CoreV1Api(api)
        k8s.wait_for(
            "tiller-secret with the role's certificate",
            lambda: (tls / "tiller.crt").exists() and core.read_namespaced_secret("tiller-secret", "kube-system"),
            timeout=240,
            interval=1,
        )
        certs = (
            f"--tls-cert={tls / 'tiller.crt'}",
            f"--tls-key={tls / 'tiller.key'}",
            f"--tls-ca-cert={tls / 'ca.crt'}",
        )
        tiller_pid.append(
            start_tiller(cluster, tmp_path / "tiller-tls.log", port, ("--tls", "--tls-verify", *certs))[0]
        )

    starter = threading.Thread(target=start_when_deployed, daemon=True)
    starter.start()
    try:
        first = run_playbook(playbook, extra)
        starter.join(timeout=5)
        assert first.rc == 0, first.stdout[-3000:]
        for key in ("ca.key", "tiller.key", "helm.key"):
            assert oct((tls / key).stat().st_mode & 0o777) == "0o600", key
        core = client.CoreV1Api(api)
        secret = core.read_namespaced_secret("tiller-secret", "kube-system")
        assert {"ca.crt", "tls.crt", "tls.key"} <= set(secret.data)
        pod = client.AppsV1Api(api).read_namespaced_deployment("tiller-deploy", "kube-system").spec.template.spec
        assert {e.name for e in pod.containers[0].env} >= {"TILLER_TLS_ENABLE", "TILLER_TLS_VERIFY"}
        reached = first.task_results("Check the client reaches Tiller")[0]["stdout"]
        assert re.search(r"^Server: .*v2\.17\.0", reached, re.M)

        second = run_playbook(playbook, extra)
        assert second.rc == 0 and second.changed() == 0, second.changed_tasks()
        # a client without the certificate is turned away
        bare = subprocess.run(
            [str(tmp_path / "bin/helm"), "version", "--short", "--tiller-connection-timeout", "5"],
            env={"HELM_HOST": f"127.0.0.1:{port}", "HELM_HOME": str(tmp_path / "helm-home"), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert bare.returncode != 0
    finally:
        for pid in tiller_pid:
            servers.stop(pid)

    gone = run_playbook(playbook, {**extra, "helm_tiller_state": "absent"})
    assert gone.rc == 0, gone.stdout[-3000:]
    with pytest.raises(client.ApiException):
        client.AppsV1Api(api).read_namespaced_deployment("tiller-deploy", "kube-system")
    with pytest.raises(client.ApiException):
        core.read_namespaced_service_account("tiller-tls", "kube-system")
    with pytest.raises(client.ApiException):
        client.RbacAuthorizationV1Api(api).read_cluster_role_binding("tiller-tls")
    again = run_playbook(playbook, {**extra, "helm_tiller_state": "absent"})
    assert again.rc == 0 and again.changed() == 0, again.changed_tasks()


def test_tiller_mode_refuses_a_helm3_version(cluster, helm_mirror, playbook, tmp_path):
    extra = base_vars(cluster, helm_mirror, tmp_path, helm_v2_version="3.18.6")
    run = run_playbook(playbook, extra)
    assert run.rc != 0
    assert any("Tiller exists only in Helm 2" in msg for msg in run.failure_messages())
