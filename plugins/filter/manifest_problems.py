# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.manifest_problems: what FfDL would refuse in a training manifest."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types
from ansible_collections.ffdl.platform.plugins.module_utils.ffdl_rest import manifest_problems as _problems

try:
    import yaml
except ImportError:  # ansible-core itself needs PyYAML
    yaml = None


def manifest_problems(manifest):
    """The problems of ``manifest`` (a mapping or YAML text), one string each; empty when FfDL would take it."""
    if isinstance(manifest, string_types):
        try:
            manifest = yaml.safe_load(manifest)
        except yaml.YAMLError as exc:
            return ["the manifest is not valid YAML: %s" % exc]
    if manifest is not None and not isinstance(manifest, dict):
        raise AnsibleFilterError("manifest_problems takes a mapping or YAML text, not %s" % type(manifest).__name__)
    return _problems(manifest)


class FilterModule(object):
    def filters(self):
        return {"manifest_problems": manifest_problems}
