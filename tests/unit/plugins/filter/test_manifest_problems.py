"""The manifest_problems filter takes a mapping or YAML text."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ffdl.platform.plugins.filter.manifest_problems import FilterModule

problems = FilterModule().filters()["manifest_problems"]


def test_yaml_text_and_mapping():
    text = (
        "name: x\ncpus: 1\nmemory: 1Gb\n"
        "framework: {name: tensorflow, version: '1.5.0-py3', command: 'true'}\ndata_stores: []\n"
    )
    assert problems(text) == ["data_stores: FfDL's REST API takes exactly one data store, got 0"]


def test_broken_yaml_is_a_problem_not_a_crash():
    assert problems("name: [unclosed")[0].startswith("the manifest is not valid YAML")


def test_wrong_type_is_an_error():
    with pytest.raises(AnsibleFilterError):
        problems(42)
