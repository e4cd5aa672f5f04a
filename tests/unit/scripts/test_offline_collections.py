"""Tests for scripts/offline_collections.py, the offline collection installer."""

import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "offline_collections.py"
spec = importlib.util.spec_from_file_location("offline_collections", SCRIPT)
oc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(oc)


@pytest.mark.parametrize(
    ("version", "spec", "expected"),
    [
        ("6.2.0", ">=5.0.0,<7.0.0", True),
        ("7.0.0", ">=5.0.0,<7.0.0", False),
        ("4.9.9", ">=5.0.0,<7.0.0", False),
        ("2.1.0", "*", True),
        ("2.1.0", "2.1.0", True),
        ("2.1.1", "==2.1.0", False),
        ("3.0.5", "!=3.0.5", False),
        ("10.1.2", ">9.0.0", True),
    ],
)
def test_satisfies(version, spec, expected):
    assert oc.satisfies(version, spec) is expected


def test_parse_version_rejects_garbage():
    with pytest.raises(ValueError, match="not a semantic version"):
        oc.parse_version("latest")


def _fake_bundle(path: Path, collections: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, version in collections.items():
            ns, coll = name.split(".")
            manifest = {"collection_info": {"namespace": ns, "name": coll, "version": version}}
            archive.writestr(f"ansible_collections/{ns}/{coll}/MANIFEST.json", json.dumps(manifest))
        archive.writestr("ansible_collections/other/unwanted/MANIFEST.json", "{}")


def _requirements(path: Path, specs: dict[str, str]) -> Path:
    lines = ["---", "collections:"]
    for name, spec in specs.items():
        lines += [f"  - name: {name}", f'    version: "{spec}"']
    path.write_text("\n".join(lines) + "\n")
    return path


def test_install_extracts_only_required_collections_and_checks(tmp_path, capsys):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _fake_bundle(wheels / "ansible-1.0.0-py3-none-any.whl", {"a.one": "1.2.3", "b.two": "2.0.0"})
    reqs = _requirements(tmp_path / "requirements.yml", {"a.one": ">=1.0.0,<2.0.0", "b.two": "*"})
    dest = tmp_path / "collections"
    argv = ["install", "--requirements", str(reqs), "--dest", str(dest), "--wheel-dir", str(wheels)]
    argv += ["--ansible-version", "1.0.0"]
    assert oc.main(argv) == 0
    assert (dest / "ansible_collections/a/one/MANIFEST.json").is_file()
    assert not (dest / "ansible_collections/other").exists()
    assert "ok a.one 1.2.3" in capsys.readouterr().out


def test_check_reports_missing_and_mismatch(tmp_path, capsys):
    dest = tmp_path / "collections"
    manifest = dest / "ansible_collections/a/one/MANIFEST.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"collection_info": {"version": "3.0.0"}}))
    reqs = _requirements(tmp_path / "requirements.yml", {"a.one": "<3.0.0", "c.three": "*"})
    assert oc.main(["check", "--requirements", str(reqs), "--dest", str(dest)]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH a.one 3.0.0" in out
    assert "MISSING c.three" in out


def test_the_2_16_line_requires_the_same_collections_capped_no_higher():
    """requirements-2.16.yml: requirements.yml's names, each range's upper bound at or below requirements.yml's."""
    root = SCRIPT.parents[1]
    current = {r["name"]: r["version"] for r in oc.requirements(root / "requirements.yml")}
    older = {r["name"]: r["version"] for r in oc.requirements(root / "requirements-2.16.yml")}
    assert older.keys() == current.keys()

    def upper(spec):
        return next(part[1:] for part in spec.split(",") if part.startswith("<"))

    for name, spec in older.items():
        assert oc.satisfies(upper(spec), "<=" + upper(current[name])), (name, spec, current[name])
