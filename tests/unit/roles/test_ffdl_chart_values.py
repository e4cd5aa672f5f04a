"""The values the ffdl role gives FfDL's charts define every path FfDL's own templates read, with its type.

The paths and types are data read from IBM/FfDL's chart templates
(tests/unit/fixtures/ffdl-charts/values-read.yml). ffdl-core has no values.yaml
upstream any more, so the role must supply every one of its paths; the helper
and the storage plugin keep theirs (the stand-in charts' values.yaml are copies of
upstream's, ffdl-facts.md a.1-a.2) and the role's values go over them.
"""

import re
from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:  # ansible-core >= 2.19 templates only trusted strings
    from ansible.template import trust_as_template
except ImportError:  # ansible-core 2.16

    def trust_as_template(value):
        return value


REPO = Path(__file__).resolve().parents[3]
READ = yaml.safe_load((REPO / "tests/unit/fixtures/ffdl-charts/values-read.yml").read_text())
STAND_IN = REPO / "tests/integration/fixtures/ffdl-repo/docs/helm-charts"
TYPES = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "scalar": (str, int, float, bool),
}


def trusted(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {k: trusted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [trusted(v) for v in value]
    return value


def role_values():
    """(the three releases' values) as the role composes them, rendered with its defaults."""
    defaults = yaml.safe_load((REPO / "roles/ffdl/defaults/main.yml").read_text())
    role_vars = yaml.safe_load((REPO / "roles/ffdl/vars/main.yml").read_text())
    charts = yaml.safe_load((REPO / "roles/ffdl/tasks/charts.yml").read_text())
    releases = next(t for t in charts if "__ffdl_releases" in t.get("ansible.builtin.set_fact", {}))
    variables = trusted({**defaults, **role_vars})
    templar = Templar(loader=DataLoader(), variables=variables)
    composed = releases["ansible.builtin.set_fact"]["__ffdl_releases"]
    core = templar.template(trusted(role_vars["__ffdl_core_values_base"]))
    # the key pair: files read on the host (value_files); each key it fills, with text as it would be
    keys = re.findall(r"'(\w+)': \{'path'", composed[2]["value_files"])
    assert keys == ["rsapubkey", "rsaprikey"], composed[2]["value_files"]
    core.update(rsapubkey="ssh-rsa AAAA generated", rsaprikey="-----BEGIN RSA PRIVATE KEY-----\n...")
    helper = templar.template(trusted(composed[1]["values"]))
    plugin = templar.template(trusted(composed[0]["values"]))
    return {"ffdl-core": core, "ffdl-helper": helper, "ibmcloud-object-storage-plugin": plugin}


def merged(base, over):
    out = dict(base)
    for key, value in over.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def lookup(values, path):
    for part in path.split("."):
        if not isinstance(values, dict) or part not in values:
            raise KeyError(path)
        values = values[part]
    return values


VALUES = role_values()
UPSTREAM = {
    "ffdl-core": {},
    "ffdl-helper": yaml.safe_load((STAND_IN / "ffdl-helper/values.yaml").read_text()),
    "ibmcloud-object-storage-plugin": yaml.safe_load(
        (STAND_IN / "ibmcloud-object-storage-plugin/values.yaml").read_text()
    ),
}


@pytest.mark.parametrize(("chart", "path"), [(c, p) for c in READ for p in READ[c]])
def test_the_role_defines_each_path_ffdls_templates_read(chart, path):
    spec = READ[chart][path]
    values = merged(UPSTREAM[chart], VALUES[chart])
    try:
        value = lookup(values, path)
    except KeyError:
        assert spec.get("optional"), f"{chart}: {path} is read by {', '.join(spec['read_by'])} and not set"
        return
    wanted = TYPES[spec["type"]]
    ok = isinstance(value, wanted) and not (spec["type"] == "int" and isinstance(value, bool))
    needed = f"FfDL's {', '.join(spec['read_by'])} need a {spec['type']}"
    assert ok, f"{chart}: {path} is {value!r} ({type(value).__name__}), {needed}"


@pytest.mark.parametrize("chart", sorted(READ))
def test_the_stand_in_charts_read_nothing_ffdls_do_not(chart):
    read = set()
    for template in (STAND_IN / chart / "templates").iterdir():
        read.update(re.findall(r"\.Values\.([A-Za-z_][\w.]*\w)", template.read_text()))
    assert read - set(READ[chart]) == set()
