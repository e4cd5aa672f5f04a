"""The regex_problems filter names the variable and never raises for a bad pattern."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ffdl.platform.plugins.filter.regex_problems import FilterModule

problems = FilterModule().filters()["regex_problems"]


def test_good_patterns_have_no_problem():
    assert problems([r"Iter (?P<step>\d+), Loss= (?P<loss>[0-9.]+)"], "v", groups=["step"]) == []
    assert problems(r"Accuracy: ([0-9.]+)", "v", numbered=True) == []


@pytest.mark.parametrize(
    ("patterns", "kwargs", "start"),
    [
        (["Iter (\\d+"], {}, "v: 'Iter (\\\\d+' is not a regular expression"),
        (
            ["loss (?P<loss>[0-9.]+)"],
            {"groups": ["step"]},
            "v: 'loss (?P<loss>[0-9.]+)' has no named group (?P<step>...)",
        ),
        ("Accuracy: [0-9.]+", {"numbered": True}, "v: 'Accuracy: [0-9.]+' has no group around the value"),
        ("max-size=50m", {}, None),
        ({"a": 1}, {}, "v: must be a list of regular expressions, not dict"),
        ([3], {}, "v: 3 is not a string"),
    ],
)
def test_each_problem_names_the_variable(patterns, kwargs, start):
    found = problems(patterns, "v", **kwargs)
    if start is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(start), found


def test_the_name_is_required():
    with pytest.raises(AnsibleFilterError):
        problems(["x"])
