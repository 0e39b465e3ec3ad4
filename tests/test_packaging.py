"""A real wheel, installed into a fresh venv, finds its schemas/ and rules/ (not only in editable mode)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)], check=True, timeout=600)
    return next(out.glob("feedlint-*.whl"))


def test_wheel_contains_schemas_and_rules(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "feedlint/schemas/cms-export.schema.json" in names
    assert "feedlint/rules/schema.py" in names


def test_wheel_in_fresh_venv_runs(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=600)
    exe = env_dir / "bin" / "feedlint"
    clean = subprocess.run([str(exe), "check", str(ROOT / "examples" / "clean-export.json")], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    rules = subprocess.run([str(exe), "rules"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "FL101" in rules.stdout and "warning" not in rules.stderr
    origin = subprocess.run([str(py), "-c", "import feedlint.rules, feedlint.schemas; print(feedlint.rules.__file__); print(feedlint.schemas.bundled())"], capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert str(env_dir) in origin.stdout and str(ROOT) not in origin.stdout


def test_wheel_ships_fixing_and_profiles(wheel, tmp_path):
    """Every subpackage and data file is in the wheel: `--diff` (feedlint.fixing) and the built-in profiles run from it."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=600)
    exe = str(env_dir / "bin" / "feedlint")
    diff = subprocess.run([exe, "check", "--diff", str(ROOT / "examples" / "newsroom-export.json")], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert diff.returncode == 1 and diff.stdout.startswith(("---", "# ")) and ": changed values on long lines" in diff.stdout and "Traceback" not in diff.stderr, diff.stdout[:500] + diff.stderr
    profiles = subprocess.run([exe, "profiles"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert profiles.returncode == 0 and all(name in profiles.stdout for name in ("cms", "wordpress", "ghost", "jsonfeed")), profiles.stdout + profiles.stderr


def test_every_subpackage_is_listed_for_the_wheel():
    """A new folder under feedlint/ missing from [tool.setuptools] packages installs editable but not from a wheel."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "feedlint").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
