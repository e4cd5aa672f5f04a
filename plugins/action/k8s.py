# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.k8s: kubernetes.core.k8s that also works in check mode on Kubernetes 1.11 / OpenShift 3.11.

Outside check mode, and in check mode against servers with dry run (1.13 and
later), it runs kubernetes.core.k8s with the same arguments. In check mode
against older servers, where every dryRun=All write fails with HTTP 400, it
sends no write at all: ffdl.platform.k8s_diff reads every object in one module
run and says whether a create, patch (or apply) or delete would change it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import yaml

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.ffdl.platform.plugins.module_utils.k8s_predict import object_key, server_supports_dry_run

AUTH_KEYS = (
    "kubeconfig",
    "context",
    "host",
    "api_key",
    "username",
    "password",
    "validate_certs",
    "ca_cert",
    "client_cert",
    "client_key",
    "proxy",
    "no_proxy",
    "proxy_headers",
    "persist_config",
    "impersonate_user",
    "impersonate_groups",
)


# kubernetes.core puts the API's JSON body in msg, quotes escaped or not.
NAMESPACE_NOT_FOUND = re.compile(r'namespaces? \\?"[^"\\]+\\?" not found')


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def _module(self, name, args, task_vars):
        result = self._execute_module(module_name=name, module_args=args, task_vars=task_vars)
        if result.get("failed"):
            raise AnsibleActionFail("%s: %s" % (name, result.get("msg")), result=result)
        return result

    def _dry_run_supported(self, auth, task_vars):
        known = task_vars.get("k8s_auth_server_dry_run")
        if known is not None:
            return bool(self._templar.template(known))
        info = self._module("kubernetes.core.k8s_cluster_info", dict(auth, invalidate_cache=False), task_vars)
        return server_supports_dry_run(info["version"]["server"]["kubernetes"]["gitVersion"])

    @staticmethod
    def _definitions(args):
        definition = args.get("definition") or args.get("resource_definition")
        if isinstance(definition, str):
            definition = [d for d in yaml.safe_load_all(definition) if d]
        if isinstance(definition, dict):
            definition = [definition]
        if definition:
            return definition
        if args.get("src"):
            raise AnsibleActionFail(
                "ffdl.platform.k8s predicts check-mode changes from definition or kind/name, not src"
            )
        return [
            {
                "apiVersion": args.get("api_version", "v1"),
                "kind": args.get("kind"),
                "metadata": {"name": args.get("name"), "namespace": args.get("namespace")},
            }
        ]

    @staticmethod
    def _entry(objects, wanted, namespace):
        """k8s_diff's entry for ``wanted``: keyed with the namespace for namespaced kinds, without for the others."""
        return objects.get(object_key(wanted, namespace)) or objects.get(object_key(wanted, "")) or {}

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        args = dict(self._task.args)
        auth = dict((key, value) for key, value in args.items() if key in AUTH_KEYS and value is not None)
        if not self._play_context.check_mode:
            result.update(self._module("kubernetes.core.k8s", args, task_vars))
            return result
        if self._dry_run_supported(auth, task_vars):
            dry = self._execute_module(module_name="kubernetes.core.k8s", module_args=args, task_vars=task_vars)
            # A dry-run create in a namespace the same dry run would create does
            # not find it: predict instead, as on servers without dry run.
            if not (dry.get("failed") and NAMESPACE_NOT_FOUND.search(str(dry.get("msg")))):
                if dry.get("failed"):
                    raise AnsibleActionFail("kubernetes.core.k8s: %s" % dry.get("msg"), result=dry)
                result.update(dry)
                return result

        state = args.get("state", "present")
        if state == "present" and args.get("apply"):
            state = "applied"
        definitions = self._definitions(args)
        diff_args = dict(auth, namespace=args.get("namespace"))
        diff_args[state] = definitions
        found = self._module("ffdl.platform.k8s_diff", diff_args, task_vars)
        predicted, actions = [], []
        for wanted in definitions:
            meta = wanted.get("metadata") or {}
            entry = self._entry(found["objects"], wanted, args.get("namespace"))
            if not entry.get("api_found", True) and state != "absent":
                raise AnsibleActionFail(
                    "the cluster does not serve %s %s" % (wanted.get("apiVersion"), wanted.get("kind"))
                )
            predicted.append(entry.get("predicted"))
            actions.append("%s %s %s" % (entry.get("action", "none"), wanted.get("kind"), meta.get("name")))
        changed = len(found[state]) > 0
        result.update(
            changed=changed,
            result=predicted[0] if len(predicted) == 1 else {"results": predicted},
            method="read and predict (the API server has no dry run)",
            actions=actions,
        )
        return result
