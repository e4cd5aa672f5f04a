"""Test-bed pieces several test suites share: FfDL's stand-in repository, OpenShift's SCC API double."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from tests.support import k8s

FFDL_REPO_FIXTURE = Path(__file__).resolve().parents[1] / "integration" / "fixtures" / "ffdl-repo"


def ffdl_repository(dest: Path, kubernetes_line: str) -> Path:
    """FfDL's repository as the ffdl role clones it: a git repository with a helm-patch branch, stand-in charts."""
    shutil.copytree(FFDL_REPO_FIXTURE, dest)
    if kubernetes_line == "1.11":
        # OpenShift 3.11's API server serves the API versions FfDL's real charts use
        k8s.to_ffdl_api_versions(dest / "docs" / "helm-charts")
    git = ["git", "-C", str(dest), "-c", "user.name=t", "-c", "user.email=t@localhost"]
    for argv in (["init", "-q", "-b", "master"], ["add", "-A"], ["commit", "-qm", "charts"], ["branch", "helm-patch"]):
        subprocess.run(git + argv, check=True)
    return dest


# anyuid as OpenShift Origin v3.11.0 bootstraps it (github.com/openshift/origin@v3.11.0,
# pkg/cmd/server/bootstrappolicy/securitycontextconstraints.go GetBootstrapSecurityContextConstraints and
# GetBoostrapSCCAccess): granted to the group system:cluster-admins, to no user (the API answers users: null).
ORIGIN_ANYUID = {
    "apiVersion": "security.openshift.io/v1",
    "kind": "SecurityContextConstraints",
    "metadata": {
        "name": "anyuid",
        "annotations": {
            "kubernetes.io/description": "anyuid provides all features of the restricted SCC but allows users to run "
            "with any UID and any GID."
        },
    },
    "priority": 10,
    "allowPrivilegedContainer": False,
    "allowHostDirVolumePlugin": False,
    "allowHostIPC": False,
    "allowHostNetwork": False,
    "allowHostPID": False,
    "allowHostPorts": False,
    "readOnlyRootFilesystem": False,
    "allowedCapabilities": None,
    "defaultAddCapabilities": None,
    "requiredDropCapabilities": ["MKNOD"],
    "fsGroup": {"type": "RunAsAny"},
    "runAsUser": {"type": "RunAsAny"},
    "seLinuxContext": {"type": "MustRunAs"},
    "supplementalGroups": {"type": "RunAsAny"},
    "volumes": ["configMap", "downwardAPI", "emptyDir", "persistentVolumeClaim", "projected", "secret"],
    "groups": ["system:cluster-admins"],
    "users": None,
}


def install_scc_double(cluster, kubernetes_line: str) -> None:
    """TEST DOUBLE of OpenShift's SecurityContextConstraints API (a CRD) holding Origin 3.11's own anyuid SCC."""
    names = {
        "kind": "SecurityContextConstraints",
        "plural": "securitycontextconstraints",
        "singular": "securitycontextconstraints",
    }
    if kubernetes_line == "1.11":
        # apiextensions.k8s.io/v1 arrived in Kubernetes 1.16
        crd = {
            "apiVersion": "apiextensions.k8s.io/v1beta1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "securitycontextconstraints.security.openshift.io"},
            "spec": {"group": "security.openshift.io", "version": "v1", "scope": "Cluster", "names": names},
        }
    else:
        crd = {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "securitycontextconstraints.security.openshift.io"},
            "spec": {
                "group": "security.openshift.io",
                "scope": "Cluster",
                "names": names,
                "versions": [
                    {
                        "name": "v1",
                        "served": True,
                        "storage": True,
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                    }
                ],
            },
        }
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(crd))
    cluster.kubectl("wait", "--for=condition=Established", "crd/securitycontextconstraints.security.openshift.io")
    scc = ORIGIN_ANYUID
    k8s.wait_for(
        "SCC API served",
        lambda: cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(scc), check=False).returncode == 0,
    )


def remove_scc_double(cluster) -> None:
    cluster.kubectl(
        "delete", "crd", "securitycontextconstraints.security.openshift.io", "--wait=true", "--ignore-not-found"
    )
