"""ffdl.platform.ffdl (after ffdl.platform.helm) against the real control plane, with stand-in FfDL charts.

The tests run in file order and share one deployment: dry run on a fresh
cluster, deploy with Helm 2 through Tiller, re-run, interrupted rewrite, RBAC
modes, a readiness failure, removal, then the same with Helm 3.
The Helm 2 tests run in the Kubernetes 1.11 leg only: FfDL with Tiller is the
tutorial's set-up on OpenShift 3.11, and its charts' API versions are gone
from current Kubernetes. The Helm 3 mode runs against the current one.
"""

from __future__ import annotations

import stat
import subprocess
import textwrap

import pytest
import yaml
from kubernetes import client

from tests.support import fixtures, k8s
from tests.support.ansible_run import run_playbook

pytestmark = pytest.mark.cluster

NS = "ffdl-test"
PLAYBOOK = textwrap.dedent(
    """\
    - hosts: localhost
      gather_facts: true
      roles:
        - role: ffdl.platform.helm
        - role: ffdl.platform.ffdl
    """
)


@pytest.fixture(scope="module")
def env(api, cluster, helm_mirror, tiller, tmp_path_factory, kubernetes_line):
    work = tmp_path_factory.mktemp("ffdl")
    # FfDL's repository as the role clones it: a git repository with a helm-patch branch
    repo = fixtures.ffdl_repository(work / "FfDL.git", kubernetes_line)
    # Minishift's PVs, pv0001 with data that must survive everything
    pv_base = work / "minishift-base"
    k8s.minishift_pvs(api, pv_base, count=3, start=1)
    data = pv_base / "openshift.local.pv" / "pv0001" / "earlier-job" / "model.ckpt"
    data.parent.mkdir(parents=True)
    data.write_text("weights")
    (work / "bin").mkdir()
    playbook = work / "site.yml"
    playbook.write_text(PLAYBOOK)
    extra = {
        "k8s_auth_kubeconfig": str(cluster.roles_kubeconfig),
        "k8s_auth_context": "ffdl-test",
        "helm_release_base_url": helm_mirror["url"],
        "helm_bin_dir": str(work / "bin"),
        "helm_home": str(work / "helm-home"),
        "helm_tiller_host": tiller,
        # its own Tiller service account, so the dry run has Tiller's objects to predict
        "helm_tiller_service_account": "tiller-ffdl",
        "ffdl_repo_url": str(repo),
        "ffdl_source_dir": str(work / "src"),
        "ffdl_config_dir": str(work / "config"),
        "ffdl_manage_packages": False,
        "ffdl_namespace": NS,
        "ffdl_endpoints_file": str(work / "endpoints.yml"),
        "ffdl_ready_timeout": 120,
        "ffdl_helm_timeout": 120,
    }
    yield {"work": work, "playbook": playbook, "vars": extra, "data": data, "api": api}


def run(env, check=False, **overrides):
    return run_playbook(env["playbook"], {**env["vars"], **overrides}, check=check)


def helm2_releases(env):
    out = subprocess.run(
        [str(env["work"] / "bin/helm"), "ls", "--all", "--output", "json", "--kube-context", "ffdl-test"],
        env={
            "KUBECONFIG": env["vars"]["k8s_auth_kubeconfig"],
            "HELM_HOME": env["vars"]["helm_home"],
            "HELM_HOST": env["vars"]["helm_tiller_host"],
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {r["Name"]: r["Status"] for r in (yaml.safe_load(out) or {}).get("Releases", [])}


def can(cluster, sa, verb, resource, namespace):
    out = cluster.kubectl(
        "auth", "can-i", verb, resource, "-n", namespace, f"--as=system:serviceaccount:{NS}:{sa}", check=False
    )
    return out.stdout.strip() == "yes"


def assert_lcm_and_jobmonitor_rights(cluster, kubernetes_line):
    """What FfDL's LCM (ffdl-lcm) and job monitor (default) do for a job is allowed in FfDL's namespace only."""
    # FfDL's LCM creates extensions/v1beta1 Deployments, which only old servers
    # serve (kubectl auth can-i cannot resolve the group on newer ones)
    old = (("create", "deployments.extensions"),) if kubernetes_line == "1.11" else ()
    for verb, resource in (
        *old,
        ("create", "statefulsets.apps"),
        ("delete", "deployments.apps"),
        ("create", "services"),
        ("create", "secrets"),
        ("create", "persistentvolumeclaims"),
        ("list", "pods"),
        ("get", "pods/log"),
    ):
        assert can(cluster, "ffdl-lcm", verb, resource, NS), (verb, resource)
    assert can(cluster, "default", "list", "pods", NS)
    assert can(cluster, "default", "watch", "statefulsets.apps", NS)
    # the job monitor and learners may not change anything, nor look elsewhere
    assert not can(cluster, "default", "create", "statefulsets.apps", NS)
    assert not can(cluster, "default", "list", "pods", "kube-system")
    assert not can(cluster, "default", "list", "secrets", NS)
    # and nothing of FfDL's is cluster-admin (ffdl-core's own chart binds ffdl-lcm to `edit`, see README)
    assert not can(cluster, "ffdl-lcm", "create", "clusterrolebindings.rbac.authorization.k8s.io", NS)
    assert not can(cluster, "default", "create", "namespaces", NS)


@pytest.fixture(scope="module")
def openshift_scc(cluster, kubernetes_line):
    """TEST DOUBLE of OpenShift's SecurityContextConstraints API (a CRD) with an anyuid SCC."""
    fixtures.install_scc_double(cluster, kubernetes_line)
    yield
    fixtures.remove_scc_double(cluster)


@pytest.mark.old_api
def test_dry_run_on_a_fresh_cluster_predicts_and_writes_nothing(env, openshift_scc, cluster):
    before = len(cluster.audit_events())
    result = run(env, check=True)
    assert result.rc == 0, result.stdout[-4000:]
    # every object the real run creates outside the charts is reported, the SCC grant and
    # Tiller's binding too (charts: their sources are not on the host yet, said so)
    changed = result.changed_tasks()
    for task in (
        "Create the tiller service account and bind it to cluster-admin",
        "Report the Tiller a dry run cannot render (helm is not installed yet)",
        "Clone FfDL (helm-patch)",
        # the namespace and its RBAC, in one call after one read
        "Create or repair FfDL's namespace and RBAC where they differ",
        "Grant FfDL's service accounts the SCC, or take it back, anyuid",
    ):
        assert task in changed, changed
    assert "Note what a dry run on a fresh host cannot show" in result.stdout
    core = client.CoreV1Api(env["api"])
    assert NS not in {n.metadata.name for n in core.list_namespace().items}
    assert not (env["work"] / "src").exists()
    assert not any(name.startswith("ffdl-") for name in k8s.cluster_role_binding_names(env["api"]))
    assert f"system:serviceaccount:{NS}:default" not in k8s.scc_users(cluster)
    # no request without dryRun=All: on Kubernetes 1.11 nothing was even sent
    writes = k8s.writes(cluster.audit_events()[before:])
    assert writes == [], [(e["verb"], e["requestURI"], e.get("userAgent")) for e in writes]


@pytest.mark.old_api
def test_mismatched_static_volume_pv_is_refused_before_any_change(env, cluster):
    alone = env["work"] / "ffdl-alone.yml"
    alone.write_text("- hosts: localhost\n  roles: [ffdl.platform.ffdl]\n")
    before = len(cluster.audit_events())
    result = run_playbook(alone, {**env["vars"], "minishift_shared_pv": "pv0002", "ffdl_static_volume_pv": "pv0001"})
    assert result.rc != 0
    message = " ".join(result.failure_messages())
    assert "ffdl_static_volume_pv: pv0001 differs from the PV ffdl.platform.minishift bind-mounted (pv0002" in message
    assert k8s.writes(cluster.audit_events()[before:]) == []
    assert not (env["work"] / "src").exists()


@pytest.mark.old_api
def test_failed_first_install_leaves_a_release_helm2_cannot_upgrade(env, openshift_scc, cluster):
    """Cordoned node: the first release's --wait times out, Tiller records it FAILED."""
    helm_only = env["work"] / "helm-only.yml"
    helm_only.write_text("- hosts: localhost\n  roles: [ffdl.platform.helm]\n")
    tiller = run_playbook(helm_only, env["vars"])
    assert tiller.rc == 0, tiller.stdout[-3000:]
    cluster.kubectl("cordon", "kwok-node-0")
    try:
        alone = env["work"] / "ffdl-alone.yml"
        result = run_playbook(alone, {**env["vars"], "ffdl_helm_timeout": 5})
    finally:
        cluster.kubectl("uncordon", "kwok-node-0")
    assert result.rc != 0
    # the plugin's provisioner tolerates every taint, so it came up; the helper did not
    assert helm2_releases(env) == {"ibmcloud-object-storage-plugin": "DEPLOYED", "ffdl-helper": "FAILED"}


@pytest.mark.old_api
def test_deploy_with_helm2_through_tiller(env, openshift_scc, cluster, kubernetes_line):
    result = run(env)
    assert result.rc == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # the release that never deployed was purged and installed again, and the run said so
    (charts,) = result.task_results("Install or upgrade FfDL's releases where they differ (Helm 2 through Tiller)")
    assert charts["purged"] == ["ffdl-helper"], charts
    assert [(r["name"], r["action"]) for r in charts["releases"]] == [
        ("ibmcloud-object-storage-plugin", "none"),
        ("ffdl-helper", "purge and install"),
        ("ffdl-core", "install"),
    ]
    assert "release ffdl-helper had only FAILED revisions" in str(charts.get("warnings")) + result.stderr
    api = env["api"]
    core = client.CoreV1Api(api)

    assert helm2_releases(env) == {
        "ibmcloud-object-storage-plugin": "DEPLOYED",
        "ffdl-helper": "DEPLOYED",
        "ffdl-core": "DEPLOYED",
    }
    pvc = core.read_namespaced_persistent_volume_claim("static-volume-1", NS)
    assert pvc.status.phase == "Bound" and pvc.spec.volume_name == "pv0001"
    assert pvc.spec.selector.match_labels == {"volume": "pv0001"}
    assert pvc.metadata.labels["type"] == "dlaas-static-volume"
    assert pvc.metadata.annotations["volume.beta.kubernetes.io/storage-class"] == ""
    with pytest.raises(client.ApiException):
        core.read_persistent_volume("local-volume-1")
    cm = yaml.safe_load(core.read_namespaced_config_map("static-volumes-v2", NS).data["PVCs-v2.yaml"])
    assert cm == {"static-volumes-v2": [{"name": "static-volume-1", "zlabel": "static-volume-1", "status": "active"}]}

    # least privilege: Roles in the namespace, no cluster-wide binding of ours
    assert not [name for name in k8s.cluster_role_binding_names(api) if name.startswith("ffdl-") and name != "ffdl-lcm"]
    assert k8s.namespace_rbac(api, NS) == {
        ("Role", "ffdl-lcm"),
        ("Role", "ffdl-jobmonitor"),
        ("RoleBinding", "ffdl-lcm"),
        ("RoleBinding", "ffdl-jobmonitor"),
    }
    assert_lcm_and_jobmonitor_rights(cluster, kubernetes_line)
    # Origin 3.11's anyuid grants no user (users: null) and the group system:cluster-admins, which stays
    assert set(k8s.scc_users(cluster)) == {
        f"system:serviceaccount:{NS}:default",
        f"system:serviceaccount:{NS}:ffdl-lcm",
    }
    assert k8s.scc_field(cluster, "groups") == ["system:cluster-admins"]

    ports = {s: core.read_namespaced_service(s, NS).spec.ports[0].node_port for s in ("ffdl-ui", "ffdl-restapi", "s3")}
    node = core.read_node("kwok-node-0")
    ip = next(a.address for a in node.status.addresses if a.type == "InternalIP")
    endpoints_file = env["work"] / "endpoints.yml"
    endpoints = yaml.safe_load(endpoints_file.read_text())
    assert (
        endpoints["ui_url"]
        == f"http://{ip}:{ports['ffdl-ui']}/#/login?endpoint={ip}:{ports['ffdl-restapi']}&username=test-user"
    )
    assert endpoints["restapi_url"] == f"http://{ip}:{ports['ffdl-restapi']}"
    assert endpoints["s3_endpoint_url"] == f"http://{ip}:{ports['s3']}"
    assert "development-only" in endpoints_file.read_text()
    assert stat.S_IMODE(endpoints_file.stat().st_mode) == 0o600

    config = env["work"] / "config"
    private_key = (config / "ffdl-learner-rsa").read_text()
    assert stat.S_IMODE((config / "ffdl-learner-rsa").stat().st_mode) == 0o600
    assert stat.S_IMODE((config / "ffdl-core-values.yaml").stat().st_mode) == 0o600
    values = yaml.safe_load((config / "ffdl-core-values.yaml").read_text())
    assert values["rsaprikey"] == private_key and values["learner"]["tag"] == "master-97"
    key_body = private_key.splitlines()[1]
    assert key_body not in result.stdout and key_body not in result.stderr
    assert env["data"].read_text() == "weights"


@pytest.mark.old_api
def test_second_run_changes_nothing(env, openshift_scc):
    result = run(env)
    assert result.rc == 0, result.stdout[-4000:]
    assert result.changed() == 0, result.changed_tasks()


@pytest.mark.old_api
def test_run_interrupted_after_the_claim_deletion_converges(env, openshift_scc):
    core = client.CoreV1Api(env["api"])
    core.delete_namespaced_persistent_volume_claim("static-volume-1", NS)
    k8s.wait_for(
        "claim gone",
        lambda: (
            "static-volume-1" not in {c.metadata.name for c in core.list_namespaced_persistent_volume_claim(NS).items}
        ),
    )
    result = run(env)
    assert result.rc == 0, result.stdout[-4000:]
    pvc = core.read_namespaced_persistent_volume_claim("static-volume-1", NS)
    assert pvc.status.phase == "Bound" and pvc.spec.volume_name == "pv0001"
    assert env["data"].read_text() == "weights"


@pytest.mark.old_api
def test_rbac_cluster_mode_warns_and_none_leaves_rbac_alone(env, openshift_scc):
    api = env["api"]
    result = run(env, ffdl_rbac_mode="cluster")
    assert result.rc == 0, result.stdout[-4000:]
    assert "EVERY service account" in result.stdout
    binding = client.RbacAuthorizationV1Api(api).read_cluster_role_binding("ffdl-all-serviceaccounts-cluster-admin")
    assert [(s.kind, s.name) for s in binding.subjects] == [("Group", "system:serviceaccounts")]
    assert k8s.namespace_rbac(api, NS) == set()
    before = k8s.cluster_role_binding_names(api), k8s.namespace_rbac(api, NS)
    result = run(env, ffdl_rbac_mode="none")
    assert result.rc == 0 and (k8s.cluster_role_binding_names(api), k8s.namespace_rbac(api, NS)) == before
    result = run(env)  # back to the default
    assert result.rc == 0
    assert ("Role", "ffdl-lcm") in k8s.namespace_rbac(api, NS)
    assert "ffdl-all-serviceaccounts-cluster-admin" not in k8s.cluster_role_binding_names(api)


@pytest.mark.old_api
def test_readiness_timeout_names_the_pods_that_are_not_ready(env, openshift_scc, cluster):
    core = client.CoreV1Api(env["api"])
    cluster.kubectl("cordon", "kwok-node-0")
    try:
        for pod in core.list_namespaced_pod(NS, label_selector="service=ffdl-ui").items:
            core.delete_namespaced_pod(pod.metadata.name, NS, grace_period_seconds=0)
        k8s.wait_for(
            "a pending ffdl-ui pod",
            lambda: any(
                p.status.phase == "Pending"
                for p in core.list_namespaced_pod(NS, label_selector="service=ffdl-ui").items
            ),
        )
        result = run(env, ffdl_ready_timeout=3)
        assert result.rc != 0
        message = " ".join(result.failure_messages())
        assert "ffdl-ui: pod ffdl-ui-" in message and "Pending" in message and "Unschedulable" in message
        assert "ffdl-lcm" not in message
    finally:
        cluster.kubectl("uncordon", "kwok-node-0")


@pytest.mark.old_api
def test_absent_removes_ffdl_but_not_the_data(env, openshift_scc, cluster):
    api = env["api"]
    core = client.CoreV1Api(api)
    # pv0001 as cluster-up made it (Recycle: its data is scrubbed once its claim goes).
    # The bed has no recycler, so the data would survive anyway: what protects it
    # on OpenShift is Retain being set before the claim is deleted, which the
    # API server's audit log shows in order.
    core.patch_persistent_volume("pv0001", {"spec": {"persistentVolumeReclaimPolicy": "Recycle"}})
    before = len(cluster.audit_events())
    result = run(env, ffdl_state="absent")
    assert result.rc == 0, result.stdout[-4000:]
    events = k8s.writes(cluster.audit_events()[before:])
    retain = [
        i
        for i, e in enumerate(events)
        if e["verb"] == "patch"
        and e["objectRef"].get("resource") == "persistentvolumes"
        and e["objectRef"].get("name") == "pv0001"
        and (e.get("requestObject") or {}).get("spec", {}).get("persistentVolumeReclaimPolicy") == "Retain"
    ]
    deletes = [
        i
        for i, e in enumerate(events)
        if e["verb"] == "delete"
        and e["objectRef"].get("resource") == "persistentvolumeclaims"
        and e["objectRef"].get("name") == "static-volume-1"
    ]
    assert retain and deletes and retain[0] < deletes[0], [(e["verb"], e["requestURI"]) for e in events]
    assert helm2_releases(env) == {}
    assert "static-volume-1" not in {c.metadata.name for c in core.list_namespaced_persistent_volume_claim(NS).items}
    assert "static-volumes-v2" not in {c.metadata.name for c in core.list_namespaced_config_map(NS).items}
    assert not [name for name in k8s.cluster_role_binding_names(api) if name.startswith("ffdl-") and name != "ffdl-lcm"]
    assert k8s.namespace_rbac(api, NS) == set()
    assert not [u for u in k8s.scc_users(cluster) if u.startswith(f"system:serviceaccount:{NS}:")]
    pv = core.read_persistent_volume("pv0001")
    assert pv.spec.persistent_volume_reclaim_policy == "Retain"
    assert env["data"].read_text() == "weights"
    again = run(env, ffdl_state="absent")
    assert again.rc == 0 and again.changed() == 0, again.changed_tasks()


@pytest.mark.old_api
def test_without_node_ports_the_endpoints_are_in_cluster_urls(env, openshift_scc):
    """ffdl_expose_node_port=false: UI and S3 are ClusterIP services; the role says so instead of crashing."""
    result = run(env, ffdl_expose_node_port=False)
    try:
        assert result.rc == 0, result.stdout[-4000:]
        endpoints = yaml.safe_load((env["work"] / "endpoints.yml").read_text())
        assert endpoints["s3_endpoint_url"] == f"http://s3.{NS}.svc.cluster.local"
        assert endpoints["ui_url"].startswith(f"http://ffdl-ui.{NS}.svc.cluster.local/#/login?endpoint=")
        # the REST API is a NodePort service whatever the value
        port = client.CoreV1Api(env["api"]).read_namespaced_service("ffdl-restapi", NS).spec.ports[0].node_port
        assert endpoints["restapi_url"].endswith(f":{port}")
        assert "answer only inside the cluster" in result.stdout
    finally:
        gone = run(env, ffdl_state="absent")
        assert gone.rc == 0, gone.stdout[-4000:]


@pytest.mark.current_api
def test_helm3_mode_deploys_idempotently_and_removes(env):
    core = client.CoreV1Api(env["api"])
    result = run(env, helm_mode="helm3")
    assert result.rc == 0, result.stdout[-6000:]
    pvc = core.read_namespaced_persistent_volume_claim("static-volume-1", NS)
    assert pvc.status.phase == "Bound" and pvc.spec.volume_name == "pv0001"
    listed = subprocess.run(
        [str(env["work"] / "bin/helm"), "list", "-n", NS, "-o", "json"],
        env={"KUBECONFIG": env["vars"]["k8s_auth_kubeconfig"], "PATH": "/usr/bin:/bin", "HOME": str(env["work"])},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert {r["name"]: r["status"] for r in yaml.safe_load(listed)} == {
        "ibmcloud-object-storage-plugin": "deployed",
        "ffdl-helper": "deployed",
        "ffdl-core": "deployed",
    }
    second = run(env, helm_mode="helm3")
    assert second.rc == 0 and second.changed() == 0, second.changed_tasks()
    gone = run(env, helm_mode="helm3", ffdl_state="absent")
    assert gone.rc == 0, gone.stdout[-4000:]
    assert env["data"].read_text() == "weights"
