# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.helm2_init_manifests: Tiller's objects from what Helm 2's `helm init` printed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import yaml
from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types

# Helm 2.17's cmd/helm/init.go writes each manifest after a "---" line and ends
# them with the YAML document end marker "..."; with --debug, debug lines
# ("[debug] Host=..." when TLS is on) come before, and with --client-only the
# client home's set-up ("Creating ...", "$HELM_HOME has been configured") after.
_MANIFESTS = re.compile(r"^---$(.*?)^\.\.\.$", re.M | re.S)


def helm2_init_manifests(text):
    """The objects `helm init --output yaml` (or `--client-only --debug`) printed, without creationTimestamp and
    status, which only the API server sets."""
    if not isinstance(text, string_types):
        raise AnsibleFilterError("helm2_init_manifests takes helm init's output as text")
    found = _MANIFESTS.search(text)
    if not found:
        return []
    objects = []
    try:
        documents = list(yaml.safe_load_all("---" + found.group(1)))
    except yaml.YAMLError as exc:
        raise AnsibleFilterError("helm init printed manifests that are not YAML: %s" % exc) from exc
    for document in documents:
        if not isinstance(document, dict):
            continue
        document = dict((key, value) for key, value in document.items() if key != "status")
        document["metadata"] = dict(
            (key, value) for key, value in (document.get("metadata") or {}).items() if key != "creationTimestamp"
        )
        objects.append(document)
    return objects


class FilterModule(object):
    def filters(self):
        return {"helm2_init_manifests": helm2_init_manifests}
