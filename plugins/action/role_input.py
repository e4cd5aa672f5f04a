# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.role_input: a role's variables against the types and choices of its meta/argument_specs.yml.

Ansible's own role argument validation converts leniently (the string
"max-size=50m" passes as a dict, "a,b" as a list) and leaves the variable as
given, so a role's later checks meet a string where they expect a mapping and
fail with a template error instead of a message. This plugin templates each
variable on its own (a variable that cannot be templated is a message too),
and checks the value itself: its type, its elements, its choices, paths that
must be absolute, strings that must not be empty. Once those hold, the role's
semantic checks (``checks``: formats, ranges, contradicting settings) run on the
same templated values, in Python: ffdl.platform.role_input_problems and
ffdl.platform.training_input_problems. It runs on the controller and changes
nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.six import string_types
from ansible.plugins.action import ActionBase
from ansible_collections.ffdl.platform.plugins.filter.manifest_problems import manifest_problems
from ansible_collections.ffdl.platform.plugins.filter.role_input_problems import CHECKS, role_input_problems
from ansible_collections.ffdl.platform.plugins.filter.training_input_problems import training_input_problems

BOOLEANS = ("yes", "no", "true", "false", "on", "off", "1", "0", "y", "n")
EXPECTED = {
    "dict": "a mapping, like {key: value}",
    "list": "a list, like [a, b]",
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "str": "a string",
    "path": "a path",
}


def _shown(value):
    text = repr(value) if not isinstance(value, string_types) else "the string %r" % (value,)
    return text if len(text) < 80 else text[:77] + "..."


def value_problem(name, value, option):
    """The message for a value that does not fit its option's spec, or None."""
    kind = option.get("type", "str")
    wrong = None
    if kind == "dict" and not isinstance(value, dict):
        wrong = True
    elif kind == "list":
        if not isinstance(value, (list, tuple)):
            wrong = True
        else:
            elements = option.get("elements")
            for item in value:
                problem = value_problem("%s[]" % name, item, {"type": elements}) if elements else None
                if problem:
                    wanted = EXPECTED.get(elements, elements)
                    return "%s: every element must be %s, not %s" % (name, wanted, _shown(item))
    elif kind == "bool":
        wrong = not isinstance(value, bool) and not (isinstance(value, string_types) and value.lower() in BOOLEANS)
    elif kind == "int":
        wrong = isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, string_types) and value.strip().lstrip("-").isdigit())
        )
    elif kind == "float":
        try:
            wrong = isinstance(value, (bool, dict, list)) or float(value) != float(value)
        except (TypeError, ValueError):
            wrong = True
    elif kind in ("str", "path"):
        wrong = isinstance(value, (dict, list, tuple))
    if wrong:
        return "%s: must be %s, not %s" % (name, EXPECTED.get(kind, kind), _shown(value))
    choices = option.get("choices")
    # a list's choices are those of its elements (Ansible's argument specs)
    for item in value if kind == "list" else [value]:
        shown = ("true" if item else "false") if isinstance(item, bool) else str(item)
        if choices and item not in choices and shown not in [str(c) for c in choices]:
            return "%s: %s is not one of %s" % (name, _shown(item), ", ".join(str(c) for c in choices))
    return None


def problems(values, options, absolute=(), non_empty=()):
    """One message per variable in ``values`` that does not fit ``options`` (an argument spec's options)."""
    found = []
    for name in sorted(values):
        value = values[name]
        option = options.get(name) or {}
        problem = value_problem(name, value, option)
        if problem:
            found.append(problem)
            continue
        blank = isinstance(value, string_types) and value and not value.strip()
        if blank or (name in non_empty and (value is None or (isinstance(value, string_types) and not value.strip()))):
            found.append("%s: must not be %s" % (name, "blank" if blank else "empty"))
        elif name in absolute and isinstance(value, string_types) and value and not value.startswith(("/", "~")):
            # a path starting with ~ is absolute once the module expands it
            found.append("%s: %s is not an absolute path" % (name, value))
    return found


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("role_path", "entry_point", "absolute", "non_empty", "checks", "context"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._task.args
        role_path = args.get("role_path") or (self._task._role._role_path if self._task._role else None)
        if not role_path:
            result.update(failed=True, msg="role_input runs inside a role, or needs role_path")
            return result
        checks = args.get("checks")
        if checks and not args.get("role_path") and os.path.basename(role_path) != checks:
            # a role's validate.yml included by another role of the collection (ffdl.platform.role_opening):
            # the spec is the sibling role's that the checks are for
            role_path = os.path.join(os.path.dirname(role_path), checks)
        spec_file = os.path.join(role_path, "meta", "argument_specs.yml")
        with open(spec_file) as handle:
            specs = yaml.safe_load(handle)["argument_specs"]
        options = specs[args.get("entry_point", "main")].get("options") or {}
        absolute = list(args.get("absolute") or [])
        non_empty = list(args.get("non_empty") or [])
        values, unreadable = {}, []
        for name in options:
            if name not in task_vars:
                continue
            try:
                values[name] = self._templar.template(task_vars[name])
            except AnsibleError as exc:
                unreadable.append("%s: cannot be read (%s)" % (name, to_native(exc).splitlines()[0]))
        found = unreadable + problems(values, options, absolute, non_empty)
        context = args.get("context") or {}
        if checks not in (None, "training") and checks not in CHECKS:
            result.update(failed=True, msg="role_input: checks=%s is not one of %s" % (checks, ", ".join(CHECKS)))
            return result
        if checks and not found:
            # the semantic checks may assume the spec's types: they run only once those hold
            if checks == "training":
                found = self._training_problems(values, task_vars)
            else:
                found = role_input_problems(values, checks, context)
        result.update(changed=False, checked=sorted(values))
        if found:
            result.update(failed=True, msg="; ".join(found), problems=found)
        return result

    def _training_problems(self, values, task_vars):
        """The training role's manifest is rendered from its variables (role vars), so it is templated here, once
        their types hold, not as a task argument that a wrong type would turn into a template error."""
        try:
            manifest = self._templar.template(task_vars["__training_manifest"])
            manifest_variables = self._templar.template(task_vars["__training_manifest_variables"])
        except AnsibleError as exc:
            return [
                "the training manifest cannot be rendered from the role's variables: %s"
                % to_native(exc).splitlines()[0]
            ]
        return training_input_problems(values, manifest_problems(manifest), manifest_variables)
