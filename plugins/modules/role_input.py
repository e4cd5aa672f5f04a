#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: role_input
short_description: Check a role's variables against its argument spec - types, elements, choices - before anything runs
version_added: 0.2.0
description:
  - Reads the calling role's C(meta/argument_specs.yml) and checks each of the role's variables that is set - a
    mapping where the spec says C(dict), a list (of the spec's C(elements)) where it says C(list), a boolean, a whole
    number, a string, one of the C(choices) - and that the variables named in I(absolute) are absolute paths and those
    in I(non_empty) are not empty.
  - Fails with one message per variable, each starting with the variable's name and saying what was expected, instead
    of the template error a later check would meet (Ansible's own role argument validation accepts the string
    C(max-size=50m) for a C(dict) and C(a,b) for a C(list), and leaves the variable as it was given).
  - Each variable is templated on its own, so one that cannot be templated is named too. Runs on the controller as an
    action plugin; changes nothing.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  role_path:
    description:
      - The role whose spec is read; by default the role of the task, or, with I(checks) naming another role of this
        collection (a C(validate.yml) included by ffdl.platform.role_opening), that role.
    type: path
  entry_point:
    description: The spec's entry point.
    type: str
    default: main
  absolute:
    description: Variables whose non-empty value must be an absolute path.
    type: list
    elements: str
    default: []
  non_empty:
    description: Variables that must not be empty.
    type: list
    elements: str
    default: []
  checks:
    description:
      - The role whose semantic checks run once the spec's types hold - formats, ranges, settings that contradict
        each other - with one message per problem, each starting with the variable to change.
      - C(training) runs P(ffdl.platform.training_input_problems#filter) on the role's variables and on the problems
        P(ffdl.platform.manifest_problems#filter) finds in the manifest they render (the role var
        C(__training_manifest), templated only once the types hold); the others run
        P(ffdl.platform.role_input_problems#filter).
    type: str
    choices: [docker, ssh, s3fs, helm, ffdl, k8s_auth, minishift, preflight, training]
  context:
    description:
      - What the semantic checks read besides the role's own variables, as the filters document it (role vars,
        other roles' variables when set, the training manifest's problems).
    type: dict
    default: {}
attributes:
  action:
    description: Runs on the controller only.
    support: full
  check_mode:
    description: Only reads.
    support: full
  diff_mode:
    description: Only reads.
    support: none
notes:
  - Used by every role of this collection as the first task of its C(validate.yml).
"""

EXAMPLES = r"""
- name: Check the role's variables against meta/argument_specs.yml
  ffdl.platform.role_input:
    absolute: [docker_daemon_config_path]
    checks: docker
    context:
      log_driver_opts: "{{ __docker_log_driver_opts }}"
      minishift_reserved: "{{ __docker_minishift_reserved }}"
"""

RETURN = r"""
checked:
  description: The variables that were set and checked.
  returned: always
  type: list
  elements: str
problems:
  description: One message per variable that does not fit, or, once all fit, per problem the semantic checks find.
  returned: on failure
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            role_path=dict(type="path"),
            entry_point=dict(type="str", default="main"),
            absolute=dict(type="list", elements="str", default=[]),
            non_empty=dict(type="list", elements="str", default=[]),
            checks=dict(
                type="str",
                choices=["docker", "ssh", "s3fs", "helm", "ffdl", "k8s_auth", "minishift", "preflight", "training"],
            ),
            context=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="ffdl.platform.role_input runs as an action plugin on the controller only")


if __name__ == "__main__":
    main()
