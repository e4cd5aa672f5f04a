"""helm2_init_manifests: Tiller's objects from helm init's output as Helm 2.17 prints it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ffdl.platform.plugins.filter.helm2_init_manifests import helm2_init_manifests

# `helm init --client-only --debug` with TLS on, as Helm 2.17 printed it here (keys shortened)
CLIENT_ONLY_DEBUG = """[debug] Host="", Key="/h/tls/helm.key", Cert="/h/tls/helm.crt", CA="/h/tls/ca.crt"

---
apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  name: tiller-deploy
  namespace: kube-system
spec:
  template:
    metadata:
      creationTimestamp: null
status: {}

---
apiVersion: v1
kind: Secret
metadata:
  creationTimestamp: null
  name: tiller-secret
type: Opaque

...
Creating /root/.helm/repository/repositories.yaml
Adding stable repo with URL: https://charts.helm.sh/stable
$HELM_HOME has been configured at /root/.helm.
Not installing Tiller due to 'client-only' flag having been set
"""


def test_the_objects_between_the_markers_without_what_the_server_sets():
    deployment, secret = helm2_init_manifests(CLIENT_ONLY_DEBUG)
    assert deployment["kind"] == "Deployment" and "status" not in deployment
    assert deployment["metadata"] == {"name": "tiller-deploy", "namespace": "kube-system"}
    # the pod template's own null stays: it is what apply compares (k8s_diff treats a null as unset)
    assert deployment["spec"]["template"]["metadata"] == {"creationTimestamp": None}
    assert secret["metadata"] == {"name": "tiller-secret"}


def test_output_without_manifests_gives_none_and_other_input_is_refused():
    assert helm2_init_manifests("") == []
    assert helm2_init_manifests("$HELM_HOME has been configured at /root/.helm.\n") == []
    with pytest.raises(AnsibleFilterError, match="as text"):
        helm2_init_manifests(None)
