"""Helpers for tests against the real test cluster (tests/cluster/launcher.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import yaml
from kubernetes import client, config
from kubernetes.client.rest import ApiException


def api_client(kubeconfig: str | os.PathLike, context: str | None = None) -> client.ApiClient:
    return config.new_client_from_config(config_file=str(kubeconfig), context=context)


def wait_for(what: str, check, timeout: float = 60, interval: float = 0.25):
    """Poll ``check`` until it returns a truthy value; return it, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except ApiException as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last error: {last})")


def ensure_namespace(api: client.ApiClient, name: str) -> None:
    core = client.CoreV1Api(api)
    try:
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    except ApiException as exc:
        if exc.status != 409:
            raise


def minishift_pvs(
    api: client.ApiClient, base_dir: str | os.PathLike, count: int = 5, start: int = 1, make_dirs: bool = True
) -> list[str]:
    """PersistentVolumes as OpenShift 3.11's `oc cluster up` makes them (ffdl-facts section i).

    pv0001..pvNNNN, hostPath <base>/openshift.local.pv/pvNNNN (mode 777), 100Gi,
    RWO+RWX+ROX, reclaim Recycle, label volume=pvNNNN, no storage class. Also
    the ``myproject`` namespace cluster-up creates for the developer user.
    """
    core = client.CoreV1Api(api)
    names = []
    for i in range(start, start + count):
        name = f"pv{i:04d}"
        path = Path(base_dir) / "openshift.local.pv" / name
        if make_dirs:  # False: the directories are on another host (the remote-VM test's)
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(0o777)
        body = client.V1PersistentVolume(
            metadata=client.V1ObjectMeta(name=name, labels={"volume": name}),
            spec=client.V1PersistentVolumeSpec(
                capacity={"storage": "100Gi"},
                access_modes=["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"],
                persistent_volume_reclaim_policy="Recycle",
                host_path=client.V1HostPathVolumeSource(path=str(path)),
            ),
        )
        try:
            core.create_persistent_volume(body)
        except ApiException as exc:
            if exc.status != 409:
                raise
        names.append(name)
    ensure_namespace(api, "myproject")
    return names


def chart_static_volume(api: client.ApiClient, namespace: str, local_pv: str) -> None:
    """FfDL's ffdl-helper state: static-volume-1 (no selector) bound to a hostPath PV like local-volume-1."""
    core = client.CoreV1Api(api)
    core.create_persistent_volume(
        client.V1PersistentVolume(
            metadata=client.V1ObjectMeta(name=local_pv, labels={"type": "local"}),
            spec=client.V1PersistentVolumeSpec(
                capacity={"storage": "20Gi"},
                access_modes=["ReadWriteMany"],
                persistent_volume_reclaim_policy="Delete",
                host_path=client.V1HostPathVolumeSource(path="/mnt"),
                # pre-bound, so only this namespace's claim takes it
                claim_ref=client.V1ObjectReference(namespace=namespace, name="static-volume-1"),
            ),
        )
    )
    core.create_namespaced_persistent_volume_claim(
        namespace,
        client.V1PersistentVolumeClaim(
            metadata=client.V1ObjectMeta(
                name="static-volume-1",
                labels={"type": "dlaas-static-volume"},
                annotations={"volume.beta.kubernetes.io/storage-class": ""},
            ),
            spec=client.V1PersistentVolumeClaimSpec(
                access_modes=["ReadWriteMany"],
                resources=client.V1VolumeResourceRequirements(requests={"storage": "20Gi"}),
                # The state after binding, set up front: left to the binder, a claim
                # created right after its pre-bound PV was once bound to a cluster-up
                # PV the binder's cache already held (pv0210 in a CI run).
                volume_name=local_pv,
            ),
        ),
    )
    wait_for(
        "chart claim bound",
        lambda: core.read_namespaced_persistent_volume_claim("static-volume-1", namespace).status.phase == "Bound",
    )


def create_deployment(api: client.ApiClient, namespace: str, name: str, labels: dict, image: str, replicas: int = 1):
    """A one-container Deployment selecting ``labels`` (kwok marks its pods Running and Ready)."""
    return client.AppsV1Api(api).create_namespaced_deployment(
        namespace,
        client.V1Deployment(
            metadata=client.V1ObjectMeta(name=name),
            spec=client.V1DeploymentSpec(
                replicas=replicas,
                selector=client.V1LabelSelector(match_labels=labels),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(labels=labels),
                    spec=client.V1PodSpec(containers=[client.V1Container(name=name, image=image)]),
                ),
            ),
        ),
    )


def writes(events: list[dict], user: str = "ffdl-roles-admin") -> list[dict]:
    """Audit events of create/update/patch/delete requests by ``user`` that really changed something.

    The roles under test authenticate as ffdl-roles-admin (the cluster's
    roles.kubeconfig). Requests with dryRun=All (server-side dry run) are left
    out: they persist nothing.
    """
    return [
        e
        for e in events
        if e.get("verb") in ("create", "update", "patch", "delete", "deletecollection")
        and (e.get("user") or {}).get("username") == user
        and "dryRun=All" not in e.get("requestURI", "")
    ]


def to_ffdl_api_versions(chart_root: Path) -> None:
    """Rewrite stand-in chart templates to the API versions FfDL's real charts use (for the 1.11 leg).

    Deployments and DaemonSets -> extensions/v1beta1, StatefulSets -> apps/v1beta1,
    RBAC -> rbac.authorization.k8s.io/v1beta1, StorageClasses -> storage.k8s.io/v1beta1
    (ffdl-facts.md, section h). The templates keep their explicit selectors, which
    those versions accept.
    """
    import re

    versions = {
        "Deployment": "extensions/v1beta1",
        "DaemonSet": "extensions/v1beta1",
        "StatefulSet": "apps/v1beta1",
        "ClusterRole": "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding": "rbac.authorization.k8s.io/v1beta1",
        "Role": "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding": "rbac.authorization.k8s.io/v1beta1",
        "StorageClass": "storage.k8s.io/v1beta1",
    }
    for template in Path(chart_root).rglob("*.tpl"):
        text = template.read_text()
        for kind, version in versions.items():
            text = re.sub(rf"(?m)^apiVersion: \S+\n(kind: {kind}\n)", rf"apiVersion: {version}\n\1", text)
        template.write_text(text)


def namespace_rbac(api: client.ApiClient, namespace: str) -> set[tuple[str, str]]:
    """The Roles and RoleBindings of a namespace, as (kind, name)."""
    rbac = client.RbacAuthorizationV1Api(api)
    found = {("Role", r.metadata.name) for r in rbac.list_namespaced_role(namespace).items}
    found |= {("RoleBinding", b.metadata.name) for b in rbac.list_namespaced_role_binding(namespace).items}
    return found


def cluster_role_binding_names(api: client.ApiClient) -> set[str]:
    return {b.metadata.name for b in client.RbacAuthorizationV1Api(api).list_cluster_role_binding().items}


def scc_field(cluster, field: str, scc: str = "anyuid"):
    """A field of an SCC (the SCC API double, tests/support/fixtures.py:install_scc_double)."""
    out = cluster.kubectl("get", "securitycontextconstraints.security.openshift.io", scc, "-o", "yaml").stdout
    return yaml.safe_load(out).get(field)


def scc_users(cluster, scc: str = "anyuid") -> list[str]:
    """The users granted an SCC."""
    return scc_field(cluster, "users", scc) or []
