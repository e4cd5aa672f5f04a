"""Tests for scripts/controller-prerequisites.sh: what `make site` and `make test` check before installing."""

import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "controller-prerequisites.sh"


def run(checkout: Path) -> subprocess.CompletedProcess:
    (checkout / "scripts").mkdir(exist_ok=True)
    shutil.copy(SCRIPT, checkout / "scripts" / SCRIPT.name)
    # this test's interpreter stands for the controller's Python; the virtualenv does not exist yet
    return subprocess.run(
        ["bash", "scripts/" + SCRIPT.name, sys.executable, "2.16", str(checkout / ".venv-2.16")],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_collections_directory_beside_site_yml_is_refused_naming_the_way_out(tmp_path):
    (tmp_path / "collections" / "ansible_collections" / "community").mkdir(parents=True)
    proc = run(tmp_path)
    assert proc.returncode == 1
    assert "collections is in the way" in proc.stderr and "collections-2.16/" in proc.stderr
    assert "mv collections collections-2.19" in proc.stderr


def test_without_it_the_check_passes(tmp_path):
    (tmp_path / "collections-2.19" / "ansible_collections").mkdir(parents=True)
    proc = run(tmp_path)
    assert proc.returncode == 0, proc.stderr
