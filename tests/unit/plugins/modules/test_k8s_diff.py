"""ffdl.platform.k8s_diff's decisions: which objects a write would change, from what was read.

The reads run against the real API server in the integration tests (the ffdl and
helm roles, and the drift test of the end-to-end run); here the comparison rules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.ffdl.platform.plugins.module_utils.k8s_predict import is_subset, object_key, predict
from ansible_collections.ffdl.platform.plugins.modules import k8s_diff as mod
from ansible_collections.kubernetes.core.plugins.module_utils.apply import apply_patch

ROLE = {
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "Role",
    "metadata": {"name": "ffdl-lcm", "namespace": "ffdl"},
    "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}],
}
DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "tiller-deploy", "namespace": "kube-system"},
    "spec": {
        "template": {"spec": {"containers": [{"name": "tiller", "image": "tiller:v2.17.0", "command": ["/tiller"]}]}}
    },
}


def served(definition, **server_fields):
    """The object as the API server returns it: our fields plus what it adds."""
    out = json.loads(json.dumps(definition))
    out["metadata"].update(uid="1", resourceVersion="7", creationTimestamp="2026-12-06T00:00:00Z")
    out.update(server_fields)
    return out


def applied(definition):
    """As client-side apply leaves it: the last-applied annotation holds the definition."""
    out = served(definition)
    out["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
            definition, separators=(",", ":"), sort_keys=True
        )
    }
    return out


class FakeResource:
    def __init__(self, namespaced):
        self.namespaced = namespaced


class FakeReader(mod.Reader):
    """Reader over a dict of objects by Kind/namespace/name; kinds in `unserved` are not served."""

    def __init__(self, objects, unserved=(), namespace=None):
        super().__init__(client=None, namespace=namespace)
        self.objects = objects
        self.unserved = unserved

    def resource(self, api_version, kind):
        if kind in self.unserved:
            return None
        return FakeResource(namespaced=kind not in ("Namespace", "ClusterRoleBinding", "Node"))

    def get(self, definition):
        resource = self.resource(definition.get("apiVersion"), definition.get("kind"))
        namespace = self.namespace_of(resource, (definition.get("metadata") or {}).get("namespace"))
        if resource is None:
            return False, namespace, None
        return True, namespace, self.objects.get(object_key(definition, namespace))


def test_present_compares_the_fields_given_with_what_the_server_returned():
    assert predict("present", ROLE, served(ROLE))[0] is False
    edited = served(ROLE)
    edited["rules"] = []
    changed, predicted, action = predict("present", ROLE, edited)
    assert changed and action == "patch" and predicted["rules"] == ROLE["rules"]
    assert predict("present", ROLE, None)[2] == "create"
    # numbers the server returns as numbers match the strings Jinja renders
    assert is_subset({"spec": {"port": "8080"}}, {"spec": {"port": 8080}})


def test_applied_follows_kubernetes_cores_apply_with_the_last_applied_annotation():
    assert mod.predict_apply(DEPLOYMENT, applied(DEPLOYMENT), apply_patch)[0] is False
    # a field the server defaulted inside a list item is no difference
    defaulted = applied(DEPLOYMENT)
    defaulted["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"] = "/dev/termination-log"
    assert mod.predict_apply(DEPLOYMENT, defaulted, apply_patch)[0] is False
    # a field removed from the definition is removed by apply: a difference the subset rule cannot see
    without_command = json.loads(json.dumps(DEPLOYMENT))
    del without_command["spec"]["template"]["spec"]["containers"][0]["command"]
    assert is_subset(without_command, applied(DEPLOYMENT))
    assert mod.predict_apply(without_command, applied(DEPLOYMENT), apply_patch)[0] is True
    # an object created without apply has no annotation yet: apply would add it
    assert mod.predict_apply(DEPLOYMENT, served(DEPLOYMENT), apply_patch)[2] == "patch"
    assert mod.predict_apply(DEPLOYMENT, None, apply_patch)[2] == "create"


def test_compare_returns_only_what_differs_in_order_with_a_line_each():
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ffdl"}}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "x"}}
    edited = served(ROLE)
    edited["rules"] = []
    reader = FakeReader(
        {"Namespace//ffdl": served(namespace), "Role/ffdl/ffdl-lcm": edited, "ClusterRoleBinding//x": served(binding)}
    )
    objects, differing, lines = mod.compare(reader, "present", [namespace, ROLE])
    assert differing == [ROLE] and lines == ["patch Role ffdl/ffdl-lcm"]
    assert objects["Namespace//ffdl"]["action"] == "none" and objects["Role/ffdl/ffdl-lcm"]["existing"] == edited
    objects, differing, lines = mod.compare(reader, "absent", [binding, dict(binding, metadata={"name": "gone"})])
    assert differing == [binding] and lines == ["delete ClusterRoleBinding x"]


def test_an_object_without_namespace_takes_the_default_only_when_its_kind_is_namespaced():
    reader = FakeReader({"Role/ffdl/ffdl-lcm": served(ROLE)}, namespace="ffdl")
    role = json.loads(json.dumps(ROLE))
    del role["metadata"]["namespace"]
    objects, differing, _lines = mod.compare(reader, "present", [role])
    assert differing == [] and list(objects) == ["Role/ffdl/ffdl-lcm"]
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}}
    objects, _differing, _lines = mod.compare(reader, "present", [namespace])
    assert list(objects) == ["Namespace//other"] and objects["Namespace//other"]["action"] == "create"


def test_a_kind_the_server_does_not_serve_is_reported_not_raised():
    scc = {
        "apiVersion": "security.openshift.io/v1",
        "kind": "SecurityContextConstraints",
        "metadata": {"name": "anyuid"},
    }
    reader = FakeReader({}, unserved=("SecurityContextConstraints",))
    objects, differing, _lines = mod.compare(reader, "absent", [scc])
    assert differing == [] and objects["SecurityContextConstraints//anyuid"]["api_found"] is False
    assert reader.query({"api_version": "security.openshift.io/v1", "kind": "SecurityContextConstraints"}) == {
        "api_found": False,
        "resources": [],
    }


def test_bad_input_fails_before_the_cluster_is_read(run_module, monkeypatch):
    def no_read(**kwargs):
        raise AssertionError("the cluster was read")

    monkeypatch.setattr(mod, "get_api_client", no_read)
    result, failed = run_module(mod, {"present": [{"kind": "Role", "metadata": {}}], "read": [{"name": "x"}]})
    assert failed and result["msg"] == "present[0] needs kind and metadata.name; read[0] needs kind"
