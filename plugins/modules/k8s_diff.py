#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: k8s_diff
short_description: Which of many Kubernetes objects differ from what is wanted, from one module run
version_added: 0.3.0
description:
  - Reads every object a role manages, and any other objects it needs to see, with one API client in one module run,
    and says which objects a write would change - so a role writes only what differs, and a converged run makes one
    read instead of one module run per object.
  - I(present) follows M(kubernetes.core.k8s) with C(state=present) on an existing object (a patch) - every field
    given must have that value, dicts field by field, lists as a whole. I(applied) follows M(kubernetes.core.k8s) with
    C(apply=true) - kubernetes.core's own three-way merge with the C(kubectl.kubernetes.io/last-applied-configuration)
    annotation decides, so a field removed from the definition is a difference too. I(absent) objects must not exist.
  - Works the same on every Kubernetes version (it only reads), which is how ffdl.platform.k8s predicts check-mode
    changes on servers without server-side dry run (Kubernetes 1.11, OpenShift 3.11).
  - Reads only; C(changed) is always false.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  present:
    description: Objects that must exist with these fields (C(apiVersion), C(kind), C(metadata.name) at least).
    type: list
    elements: dict
    default: []
  applied:
    description: Objects applied with client-side apply (M(kubernetes.core.k8s) C(apply=true)).
    type: list
    elements: dict
    default: []
  absent:
    description: Objects that must not exist (C(apiVersion), C(kind), C(metadata.name), C(metadata.namespace)).
    type: list
    elements: dict
    default: []
  read:
    description:
      - Other objects to read and return as they are, in order, in RV(resources).
      - Each is C(kind), C(api_version) (default C(v1)) and optionally C(name), C(namespace), C(label_selectors)
        (a list of C(key=value) strings, as M(kubernetes.core.k8s_info) takes them), and C(key), the name its result
        has in RV(named).
    type: list
    elements: dict
    default: []
  namespace:
    description: The namespace of namespaced objects and reads that name none.
    type: str
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - ffdl.platform.attributes.info_module
requirements:
  - kubernetes.core
  - kubernetes >= 24.2.0 (on the target)
seealso:
  - module: ffdl.platform.k8s
  - module: kubernetes.core.k8s_info
"""

EXAMPLES = r"""
- name: Read the namespace, its RBAC and FfDL's pods in one run
  ffdl.platform.k8s_diff:
    present:
      - apiVersion: v1
        kind: Namespace
        metadata:
          name: ffdl
      - apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: ffdl-lcm
          namespace: ffdl
        rules:
          - apiGroups: [""]
            resources: [pods]
            verbs: [get, list]
    absent:
      - apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: ffdl-all-serviceaccounts-cluster-admin
    read:
      - key: pods
        kind: Pod
        namespace: ffdl
  register: ffdl_state

- name: Write only what differs
  ffdl.platform.k8s:
    state: present
    definition: "{{ ffdl_state.present }}"
  when: ffdl_state.present | length > 0
"""

RETURN = r"""
present:
  description: The I(present) definitions a write would change (missing, or a field differs), in input order.
  returned: always
  type: list
  elements: dict
applied:
  description: The I(applied) definitions an apply would change, in input order.
  returned: always
  type: list
  elements: dict
absent:
  description: The I(absent) definitions that exist, in input order.
  returned: always
  type: list
  elements: dict
differences:
  description: One line per object that differs - C(create), C(patch) or C(delete), kind, namespace and name.
  returned: always
  type: list
  elements: str
  sample: [patch Role ffdl/ffdl-lcm]
objects:
  description:
    - Every compared object by C(Kind/namespace/name) (C(Kind//name) when cluster-scoped) - C(action) (C(create),
      C(patch), C(delete) or C(none)), C(existing) (the object as read, or null) and C(predicted) (the object as the
      write would leave it, or null when deleted), and C(api_found) (false when the server does not serve the kind).
  returned: always
  type: dict
resources:
  description: For each I(read), in order, C(api_found) and C(resources) (the objects found).
  returned: always
  type: list
  elements: dict
named:
  description: The results of the I(read) entries that have a C(key), by that key.
  returned: always
  type: dict
  sample: {pods: {api_found: true, resources: []}}
"""

import copy
import traceback

from ansible_collections.ffdl.platform.plugins.module_utils.k8s_predict import (
    merged,
    object_key,
    predict,
    without_nulls,
)
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.apply import apply_patch
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    from kubernetes.dynamic.exceptions import NotFoundError, ResourceNotFoundError
except ImportError:
    # AnsibleK8SModule has already failed naming the missing library
    apply_patch = get_api_client = None
    NotFoundError = ResourceNotFoundError = Exception


def predict_apply(wanted, existing, patch_of):
    """(changed, predicted, action) for client-side apply; ``patch_of`` is kubernetes.core's apply_patch.

    kubernetes.core sends its patch as a JSON merge patch and reports a change when the server's answer differs
    from the object before; its patch always carries the definition's lists, so the patch is applied here the way
    the server applies it and the outcome compared, not the patch's emptiness.
    """
    if existing is None:
        return True, wanted, "create"
    actual, patch = patch_of(copy.deepcopy(existing), copy.deepcopy(wanted))
    if patch is actual:
        return False, existing, "none"
    predicted = merged(existing, patch)
    if without_nulls(predicted) == without_nulls(existing):
        return False, existing, "none"
    return True, predicted, "patch"


class Reader(object):
    """One API client; each kind's resource is discovered once."""

    def __init__(self, client, namespace):
        self.client = client
        self.namespace = namespace
        self._resources = {}

    def resource(self, api_version, kind):
        key = (api_version, kind)
        if key not in self._resources:
            try:
                self._resources[key] = self.client.resources.get(api_version=api_version, kind=kind)
            except ResourceNotFoundError:
                self._resources[key] = None
        return self._resources[key]

    def namespace_of(self, resource, namespace):
        if resource is None or not resource.namespaced:
            return None
        return namespace or self.namespace

    def get(self, definition):
        """(api_found, namespace, object or None)."""
        meta = definition.get("metadata") or {}
        resource = self.resource(definition.get("apiVersion") or "v1", definition.get("kind"))
        namespace = self.namespace_of(resource, meta.get("namespace"))
        if resource is None:
            return False, namespace, None
        try:
            return True, namespace, resource.get(name=meta.get("name"), namespace=namespace).to_dict()
        except NotFoundError:
            return True, namespace, None

    def query(self, query):
        resource = self.resource(query.get("api_version") or "v1", query.get("kind"))
        if resource is None:
            return dict(api_found=False, resources=[])
        namespace = self.namespace_of(resource, query.get("namespace"))
        selectors = query.get("label_selectors") or []
        try:
            found = resource.get(
                name=query.get("name"), namespace=namespace, label_selector=",".join(selectors) or None
            ).to_dict()
        except NotFoundError:
            return dict(api_found=True, resources=[])
        items = found.get("items") if query.get("name") is None else [found]
        return dict(api_found=True, resources=items or [])


def compare(reader, state, definitions):
    """(objects, the definitions that differ, difference lines) for one state."""
    objects, differing, lines = {}, [], []
    for wanted in definitions:
        api_found, namespace, existing = reader.get(wanted)
        if state == "applied":
            changed, predicted, action = predict_apply(wanted, existing, apply_patch)
        else:
            changed, predicted, action = predict(state, wanted, existing)
        key = object_key(wanted, namespace)
        objects[key] = dict(action=action, existing=existing, predicted=predicted, api_found=api_found)
        if changed:
            differing.append(wanted)
            lines.append("%s %s %s" % (action, wanted.get("kind"), key.split("/", 1)[1].lstrip("/")))
    return objects, differing, lines


def main():
    argument_spec = dict(
        present=dict(type="list", elements="dict", default=[]),
        applied=dict(type="list", elements="dict", default=[]),
        absent=dict(type="list", elements="dict", default=[]),
        read=dict(type="list", elements="dict", default=[]),
        namespace=dict(type="str"),
    )
    argument_spec.update(AUTH_ARG_SPEC)
    module = AnsibleK8SModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problems = [
        "%s[%d] needs kind and metadata.name" % (state, index)
        for state in ("present", "applied", "absent")
        for index, definition in enumerate(params[state])
        if not definition.get("kind") or not (definition.get("metadata") or {}).get("name")
    ]
    problems += ["read[%d] needs kind" % index for index, query in enumerate(params["read"]) if not query.get("kind")]
    if problems:
        module.fail_json(msg="; ".join(problems))

    result = dict(changed=False, objects={}, differences=[])
    try:
        reader = Reader(get_api_client(module=module).client, params["namespace"])
        for state in ("present", "applied", "absent"):
            objects, differing, lines = compare(reader, state, params[state])
            result["objects"].update(objects)
            result[state] = differing
            result["differences"].extend(lines)
        result["resources"], result["named"] = [], {}
        for query in params["read"]:
            found = reader.query(query)
            result["resources"].append(found)
            if query.get("key"):
                result["named"][query["key"]] = found
    except Exception as exc:  # the API's own message, whatever the client raised
        module.fail_json(msg="Kubernetes API error: %s" % exc, exception=traceback.format_exc())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
