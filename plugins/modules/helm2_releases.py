#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: helm2_releases
short_description: Helm 2 releases through Tiller, installed, upgraded or deleted only where they differ, in one run
version_added: 0.3.0
description:
  - Helm 2 has no idempotent install, and kubernetes.core.helm does not drive Helm 2. This module compares what Tiller
    has deployed with what is wanted - one C(helm list) for all the releases, C(helm get values) for each deployed
    one, the history only of a release whose latest revision is not DEPLOYED - and runs
    C(helm upgrade --install --reset-values --wait) only for a release whose chart (name and version) or values
    differ. A converged set of releases costs one module run.
  - A release none of whose revisions ever deployed (a first install that failed, or one deleted without C(--purge))
    cannot be upgraded by Helm 2 ("has no deployed releases"); it is purged and installed again, with a warning.
  - Each release's values are kept in I(values_dir) as C(<name>-values.yaml) (mode 0600) and passed with C(-f).
    I(value_files) fill values from files on the host, as C(helm --set-file) does, so that a private key in them
    never passes through the controller.
  - With I(state=absent), the releases that Tiller knows are deleted with C(--purge), in the order given.
  - Runs with Python 2.7 and 3.x, on the host that has the helm client.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  releases:
    description: The releases, in the order they are installed (or deleted).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The release name.
        type: str
        required: true
      chart:
        description:
          - The chart directory; its C(Chart.yaml) gives the name and version compared. Needed with I(state=present).
        type: path
      values:
        description: The release's values.
        type: dict
        default: {}
      value_files:
        description:
          - Values read from files on the host, by top-level key - each C(path), and C(strip) to drop the content's
            surrounding white space.
        type: dict
        default: {}
      secret:
        description: The values are hidden from the result and the diff (they hold a key or a password).
        type: bool
        default: false
  state:
    description: C(present) installs or upgrades what differs; C(absent) deletes the releases with C(--purge).
    type: str
    default: present
    choices: [present, absent]
  namespace:
    description: The namespace releases are installed into. Needed with I(state=present).
    type: str
  values_dir:
    description: Where C(<name>-values.yaml) of each release is kept. Needed with I(state=present).
    type: path
  timeout:
    description: Seconds C(helm upgrade --install --wait) waits for a release's resources.
    type: int
    default: 300
  helm_bin:
    description: The Helm 2 client.
    type: path
    required: true
  helm_args:
    description: Arguments every helm command gets (C(--kube-context), C(--tls) options).
    type: list
    elements: str
    default: []
  helm_env:
    description: Environment of the helm commands (C(HELM_HOME), C(KUBECONFIG), C(HELM_HOST)); no secrets.
    type: dict
    default: {}
extends_documentation_fragment:
  - ffdl.platform.attributes
notes:
  - Check mode reads Tiller (list, values, history) and reports what a real run would install, upgrade, purge or
    delete; it writes no values file and runs no helm command that changes anything.
seealso:
  - module: kubernetes.core.helm
"""

EXAMPLES = r"""
- name: Install or upgrade FfDL's releases, only what differs
  ffdl.platform.helm2_releases:
    releases:
      - name: ffdl-helper
        chart: /root/FfDL/docs/helm-charts/ffdl-helper
        values:
          namespace: ffdl
      - name: ffdl-core
        chart: /root/FfDL/docs/helm-charts/ffdl-core
        values:
          namespace: ffdl
        value_files:
          rsapubkey: {path: /etc/ffdl/ffdl-learner-rsa.pub, strip: true}
          rsaprikey: {path: /etc/ffdl/ffdl-learner-rsa}
        secret: true
    namespace: ffdl
    values_dir: /etc/ffdl
    helm_bin: /usr/local/bin/helm
    helm_env:
      HELM_HOME: /root/.helm
"""

RETURN = r"""
releases:
  description:
    - Each release - C(name), C(action) (C(none), C(install), C(upgrade), C(purge and install), C(delete)),
      C(status) (its latest revision's status before the run, or null) and C(chart) (C(name-version) wanted).
  returned: always
  type: list
  elements: dict
  sample: [{name: ffdl-helper, action: none, status: DEPLOYED, chart: ffdl-helper-0.1.1}]
purged:
  description: The releases that never deployed and were (or in check mode would be) purged before installing.
  returned: always
  type: list
  elements: str
pending:
  description: Check mode only - a release would be installed or upgraded, so what it creates cannot be read yet.
  returned: always
  type: bool
"""

import json
import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible_collections.ffdl.platform.plugins.module_utils.files import write_if_changed

# Statuses of revisions that are (or were) deployed: an upgrade works from them.
DEPLOYED_ONCE = ("DEPLOYED", "SUPERSEDED")


def chart_id(chart_dir):
    """``<name>-<version>`` from ``<chart_dir>/Chart.yaml``, as ``helm list`` shows a release's chart.

    The two top-level scalars as written (a YAML parser would turn ``version: 1.10`` into 1.1).
    """
    with open(os.path.join(chart_dir, "Chart.yaml")) as handle:
        text = handle.read()
    meta = {}
    for key in ("name", "version"):
        found = re.search(r"^%s:[ \t]*['\"]?([^'\"\s#]+)" % key, text, re.M)
        meta[key] = found.group(1) if found else None
    return "%s-%s" % (meta["name"], meta["version"])


def wanted_values(release):
    """The release's values with its value_files read in (text, as helm --set-file takes them)."""
    values = dict(release.get("values") or {})
    for key, spec in (release.get("value_files") or {}).items():
        spec = spec if isinstance(spec, dict) else {"path": spec}
        with open(spec["path"]) as handle:
            content = handle.read()
        values[key] = content.strip() if spec.get("strip") else content
    return values


def normalised(values):
    """Values as JSON gives them back: what `helm get values --output json` is compared with."""
    return json.loads(json.dumps(values or {}))


def revisions_of(listed, history):
    """The revisions, oldest first, each {status, chart}: the history when read, else the listing's latest."""
    if history is not None:
        return history
    return [{"status": entry.get("Status"), "chart": entry.get("Chart")} for entry in listed]


def never_deployed(revisions):
    """Revisions, none of them ever DEPLOYED: Helm 2 cannot upgrade such a release."""
    return bool(revisions) and not [r for r in revisions if r.get("status") in DEPLOYED_ONCE]


def plan(revisions, deployed_values, wanted, wanted_chart):
    """(action, latest status) for one release from what Tiller said.

    revisions: revisions_of(); deployed_values: `helm get values` of the deployed revision, or None.
    """
    if not revisions:
        return "install", None
    latest = revisions[-1]
    if never_deployed(revisions):
        return "purge and install", latest.get("status")
    up_to_date = (
        latest.get("status") == "DEPLOYED"
        and latest.get("chart") == wanted_chart
        and normalised(deployed_values) == normalised(wanted)
    )
    return ("none" if up_to_date else "upgrade"), latest.get("status")


def needs_history(listed):
    """Not listed: no release; listed once as DEPLOYED: the listing is enough; anything else: the history."""
    return len(listed) > 1 or (len(listed) == 1 and listed[0].get("Status") != "DEPLOYED")


class Helm(object):
    def __init__(self, module):
        self.module = module
        params = module.params
        self.argv0 = [params["helm_bin"]]
        self.extra = list(params["helm_args"])
        self.env = dict((k, to_native(v)) for k, v in params["helm_env"].items())

    def run(self, args, allow_fail=False):
        rc, out, err = self.module.run_command(self.argv0 + args + self.extra, environ_update=self.env)
        if rc != 0 and not allow_fail:
            self.module.fail_json(msg="helm %s failed: %s" % (" ".join(args[:2]), (err or out).strip()), rc=rc)
        return rc, out, err

    def listed(self, names):
        pattern = "^(%s)$" % "|".join(re.escape(n) for n in names)
        _rc, out, _err = self.run(["list", "--all", "--output", "json", pattern])
        releases = (json.loads(out) if out.strip() else {}).get("Releases") or []
        return dict((n, [r for r in releases if r.get("Name") == n]) for n in names)

    def history(self, name):
        rc, out, err = self.run(["history", name, "--output", "json", "--max", "256"], allow_fail=True)
        if rc != 0:
            if "not found" in err:
                return []
            self.module.fail_json(msg="helm history %s failed: %s" % (name, err.strip()), rc=rc)
        return json.loads(out) if out.strip() else []

    def values(self, name):
        _rc, out, _err = self.run(["get", "values", name, "--output", "json"])
        return json.loads(out) if out.strip() else {}


def values_diff(name, deployed, wanted, secret):
    """The diff of one release's values (hidden when they hold a secret)."""

    def text(values):
        return "(values hidden)\n" if secret else json.dumps(normalised(values), indent=2, sort_keys=True) + "\n"

    return dict(
        before_header="%s (deployed)" % name,
        after_header="%s (wanted)" % name,
        before=text(deployed),
        after=text(wanted),
    )


def write_values(path, values):
    """The values file (0600), written when its content differs; True when written."""
    return write_if_changed(path, to_bytes(json.dumps(values, indent=2, sort_keys=True) + "\n"))


def present(module, helm):
    params = module.params
    missing = [r["name"] for r in params["releases"] if not r.get("chart")]
    if missing or not params["namespace"] or not params["values_dir"]:
        module.fail_json(
            msg="state=present needs namespace, values_dir and each release's chart (missing for: %s)"
            % (", ".join(missing) or "none")
        )
    # every chart and value file read before Tiller is asked anything: a missing one changes nothing
    wanted_of = {}
    for release in params["releases"]:
        try:
            wanted_of[release["name"]] = (wanted_values(release), chart_id(release["chart"]))
        except (IOError, OSError) as error:
            module.fail_json(msg="release %s: %s; nothing was installed" % (release["name"], to_native(error)))
    listed = helm.listed([r["name"] for r in params["releases"]])
    result = dict(changed=False, releases=[], purged=[], pending=False)
    diffs = []
    for release in params["releases"]:
        name = release["name"]
        wanted, wanted_chart = wanted_of[name]
        revisions = revisions_of(listed[name], helm.history(name) if needs_history(listed[name]) else None)
        deployed = helm.values(name) if revisions and not never_deployed(revisions) else None
        action, status = plan(revisions, deployed, wanted, wanted_chart)
        result["releases"].append(dict(name=name, action=action, status=status, chart=wanted_chart))
        values_file = os.path.join(params["values_dir"], "%s-values.yaml" % name)
        if module._diff and action != "none":
            diffs.append(values_diff(name, deployed, wanted, release.get("secret")))
        if action == "none":
            if not module.check_mode and write_values(values_file, wanted):
                result["changed"] = True
            continue
        result["changed"] = True
        if action == "purge and install":
            result["purged"].append(name)
            module.warn(
                "release %s had only %s revisions (an earlier install failed or was deleted without --purge), which "
                "`helm upgrade --install` cannot upgrade; %s purged and installed again."
                % (
                    name,
                    "/".join(sorted(set(r.get("status") for r in revisions))),
                    "it would be" if module.check_mode else "it was",
                )
            )
        if module.check_mode:
            result["pending"] = True
            continue
        if action == "purge and install":
            helm.run(["delete", "--purge", name])
        write_values(values_file, wanted)
        helm.run(
            [
                "upgrade",
                "--install",
                name,
                release["chart"],
                "--namespace",
                params["namespace"],
                "-f",
                values_file,
                "--reset-values",
                "--wait",
                "--timeout",
                str(params["timeout"]),
            ]
        )
    if diffs:
        result["diff"] = diffs
    return result


def absent(module, helm):
    names = [r["name"] for r in module.params["releases"]]
    listed = helm.listed(names)
    result = dict(changed=False, releases=[], purged=[], pending=False)
    for name in names:
        known = listed[name]
        action = "delete" if known else "none"
        result["releases"].append(
            dict(name=name, action=action, status=known[-1].get("Status") if known else None, chart=None)
        )
        if known:
            result["changed"] = True
            if not module.check_mode:
                helm.run(["delete", "--purge", name])
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            releases=dict(
                type="list",
                elements="dict",
                required=True,
                options=dict(
                    name=dict(type="str", required=True),
                    chart=dict(type="path"),
                    values=dict(type="dict", default={}),
                    value_files=dict(type="dict", default={}),
                    secret=dict(type="bool", default=False),
                ),
            ),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            namespace=dict(type="str"),
            values_dir=dict(type="path"),
            timeout=dict(type="int", default=300),
            helm_bin=dict(type="path", required=True),
            helm_args=dict(type="list", elements="str", default=[]),
            helm_env=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    helm = Helm(module)
    if module.params["state"] == "absent":
        module.exit_json(**absent(module, helm))
    module.exit_json(**present(module, helm))


if __name__ == "__main__":
    main()
