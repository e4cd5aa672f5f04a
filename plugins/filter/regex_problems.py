# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.regex_problems: what is wrong with regular expressions a role is given, as messages."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types


def regex_problems(patterns, name, groups=None, numbered=False):
    """One message per pattern that does not compile or lacks a named group of ``groups`` (or, with ``numbered``,
    any group); each message starts with ``name``, the variable they came from."""
    if isinstance(patterns, string_types):
        patterns = [patterns]
    if not isinstance(patterns, (list, tuple)):
        return ["%s: must be a list of regular expressions, not %s" % (name, type(patterns).__name__)]
    problems = []
    for pattern in patterns:
        if not isinstance(pattern, string_types):
            problems.append("%s: %r is not a string" % (name, pattern))
            continue
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            problems.append("%s: %r is not a regular expression (%s)" % (name, pattern, exc))
            continue
        for group in groups or []:
            if group not in compiled.groupindex:
                problems.append("%s: %r has no named group (?P<%s>...)" % (name, pattern, group))
        if numbered and compiled.groups == 0:
            problems.append("%s: %r has no group around the value" % (name, pattern))
    return problems


def _filter(patterns, name=None, groups=None, numbered=False):
    if not name:
        raise AnsibleFilterError("regex_problems needs the variable's name, like regex_problems('my_var')")
    return regex_problems(patterns, name, groups, numbered)


class FilterModule(object):
    def filters(self):
        return {"regex_problems": _filter}
