"""role_input: a role's variables against its argument spec, one message per variable, never a template error."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ffdl.platform.plugins.action.role_input import problems

OPTIONS = {
    "opts": {"type": "dict"},
    "names": {"type": "list", "elements": "str"},
    "files": {"type": "list", "elements": "dict"},
    "flag": {"type": "bool"},
    "count": {"type": "int"},
    "rate": {"type": "float"},
    "mode": {"type": "str", "choices": ["a", "b"]},
    "checks": {"type": "list", "elements": "str", "choices": ["cpus", "disk"]},
    "where": {"type": "path"},
    "label": {"type": "str"},
}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"opts": "max-size=50m"}, "opts: must be a mapping, like {key: value}, not the string 'max-size=50m'"),
        ({"names": "a,b"}, "names: must be a list, like [a, b], not the string 'a,b'"),
        ({"names": ["a", {"b": 1}]}, "names: every element must be a string, not {'b': 1}"),
        ({"files": ["x.gz"]}, "files: every element must be a mapping, like {key: value}, not the string 'x.gz'"),
        ({"flag": "maybe"}, "flag: must be true or false, not the string 'maybe'"),
        ({"count": True}, "count: must be a whole number, not True"),
        ({"count": "12a"}, "count: must be a whole number, not the string '12a'"),
        ({"rate": "fast"}, "rate: must be a number, not the string 'fast'"),
        ({"mode": "c"}, "mode: the string 'c' is not one of a, b"),
        # a list's choices are those of its elements, as in Ansible's argument specs
        ({"checks": ["cpus", "gpu"]}, "checks: the string 'gpu' is not one of cpus, disk"),
        ({"where": {"a": 1}}, "where: must be a path, not {'a': 1}"),
        ({"where": "relative/dir"}, "where: relative/dir is not an absolute path"),
        ({"label": "   "}, "label: must not be blank"),
        ({"where": ""}, "where: must not be empty"),
    ],
)
def test_each_problem_names_the_variable_and_what_was_expected(values, message):
    assert problems(values, OPTIONS, absolute=["where"], non_empty=["where"]) == [message]


def test_values_that_fit_have_no_problem():
    good = {
        "opts": {"max-size": "50m"},
        "names": ["a"],
        "files": [{"name": "x"}],
        "flag": "yes",
        "count": "3",
        "rate": 0.5,
        "mode": "a",
        "checks": [],
        "where": "/etc/x",
        "label": "",
    }
    assert problems(good, OPTIONS, absolute=["where"], non_empty=["where"]) == []
    assert problems({"where": "~/.aws"}, OPTIONS, absolute=["where"]) == []


def test_an_option_without_a_type_is_a_string_as_in_ansibles_specs():
    assert problems({"other": [1]}, {"other": {"description": "no type"}}) == ["other: must be a string, not [1]"]
