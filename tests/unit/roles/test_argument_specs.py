"""Every role variable has a role prefix, a default and an argument spec entry that agree."""

from pathlib import Path

import pytest
import yaml

ROLES = sorted(p for p in (Path(__file__).resolve().parents[3] / "roles").iterdir() if p.is_dir())


def _load(path: Path):
    return yaml.safe_load(path.read_text()) if path.exists() else None


def _normalise(value):
    # folded YAML scalars differ from one-line ones only in whitespace
    return " ".join(value.split()) if isinstance(value, str) else value


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_role_has_argument_specs_and_defaults(role):
    assert (role / "meta" / "argument_specs.yml").is_file(), f"{role.name}: meta/argument_specs.yml missing"
    assert (role / "defaults" / "main.yml").is_file(), f"{role.name}: defaults/main.yml missing"


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_defaults_and_specs_agree(role):
    defaults = _load(role / "defaults" / "main.yml") or {}
    specs = _load(role / "meta" / "argument_specs.yml")["argument_specs"]
    options = {}
    for entry in specs.values():
        options.update(entry.get("options", {}))
    # a required option (the including role's name, for the internal role_opening) has no default
    defaulted = sorted(name for name, spec in options.items() if not spec.get("required"))
    assert sorted(defaults) == defaulted, f"{role.name}: defaults and argument_specs list different variables"
    for name, spec in options.items():
        assert name.startswith(f"{role.name}_"), f"{name} lacks the {role.name}_ prefix"
        assert spec.get("description"), f"{name} has no description"
        assert spec.get("type"), f"{name} has no type"
        if spec.get("required"):
            assert "default" not in spec, f"{name}: required and defaulted"
            continue
        if "default" not in spec and "{{" in str(defaults[name]) and spec["type"] != "str":
            # a templated bool/int default is not a valid spec default (the docs
            # schema rejects it); the description states it instead
            assert "{{" in str(spec["description"]), f"{name}: templated default not described"
            continue
        assert _normalise(spec.get("default")) == _normalise(defaults[name]), (
            f"{name}: spec default != defaults/main.yml"
        )
        if "choices" in spec and "{{" not in str(defaults[name]):
            # a list's choices are its elements' (Ansible's argument specs)
            chosen = defaults[name] if spec["type"] == "list" else [defaults[name]]
            assert all(item in spec["choices"] for item in chosen), f"{name}: default not among its choices"


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_internal_vars_are_marked_private(role):
    """Variables in vars/ are OS constants; they carry the __<role>_ prefix."""
    for path in sorted((role / "vars").glob("*.yml")):
        for name in _load(path) or {}:
            assert name.startswith(f"__{role.name}_"), f"{path.relative_to(role)}: {name}"
