#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: k8s
short_description: kubernetes.core.k8s that also runs in check mode against Kubernetes 1.11 and OpenShift 3.11
version_added: 0.1.0
description:
  - Creates, patches or deletes Kubernetes objects by running M(kubernetes.core.k8s) with the same arguments.
  - In check mode kubernetes.core.k8s sends every write with C(dryRun=All), which API servers before Kubernetes 1.13
    refuse (HTTP 400 "dryRun is not supported yet"); OpenShift 3.11, which Minishift runs and FfDL needs, is
    Kubernetes 1.11. Against such servers this action sends no write in check mode; it reads each object with
    M(kubernetes.core.k8s_info) and reports whether the create, merge patch or delete would change it.
  - The server's version comes from the fact C(k8s_auth_server_dry_run) that ffdl.platform.k8s_auth publishes, or is
    read once with M(kubernetes.core.k8s_cluster_info).
  - Every other option of M(kubernetes.core.k8s) is passed through unchanged; the ones below are what check-mode
    prediction reads.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  state:
    description: C(present) creates or patches the object, C(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  definition:
    description: The object(s), as a dict, a list, or a YAML string.
    type: raw
  api_version:
    description: API version of the object when no I(definition) is given.
    type: str
    default: v1
  kind:
    description: Kind of the object when no I(definition) is given.
    type: str
  name:
    description: Name of the object when no I(definition) is given.
    type: str
  namespace:
    description: Namespace of the object.
    type: str
  merge_type:
    description: Passed to M(kubernetes.core.k8s); predictions follow JSON merge patch semantics.
    type: list
    elements: str
    choices: [json, merge, strategic-merge]
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
attributes:
  action:
    description: Runs on the controller as an action plugin, which executes kubernetes.core modules on the target.
    support: full
  check_mode:
    description: Full support, also on servers without server-side dry run.
    support: full
  diff_mode:
    description: Passed through to M(kubernetes.core.k8s); predictions return the predicted object.
    support: partial
requirements:
  - kubernetes.core
  - kubernetes >= 24.2.0 (on the target)
seealso:
  - module: kubernetes.core.k8s
"""

EXAMPLES = r"""
- name: Create Tiller's service account, also in --check against OpenShift 3.11
  ffdl.platform.k8s:
    state: present
    definition:
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: tiller
        namespace: kube-system
"""

RETURN = r"""
result:
  description: The object as created or patched, or as predicted in check mode on servers without dry run.
  returned: success
  type: dict
method:
  description: C(read and predict (the API server has no dry run)) when the result is a prediction.
  returned: check mode against servers without dry run
  type: str
actions:
  description: The predicted action per object (C(create), C(patch), C(delete) or C(none)) with its kind and name.
  returned: check mode against servers without dry run
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC


def main():
    argument_spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        definition=dict(type="raw"),
        api_version=dict(type="str", default="v1"),
        kind=dict(type="str"),
        name=dict(type="str"),
        namespace=dict(type="str"),
        merge_type=dict(type="list", elements="str", choices=["json", "merge", "strategic-merge"]),
    )
    argument_spec.update(AUTH_ARG_SPEC)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    module.fail_json(msg="ffdl.platform.k8s runs as an action plugin; call it as a task, not as a module file")


if __name__ == "__main__":
    main()
