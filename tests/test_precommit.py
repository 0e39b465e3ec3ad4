"""The real pre-commit: ``pre-commit try-repo <this repository> feedlint`` in a scratch git repository.

try-repo clones this repository, builds a fresh virtualenv and ``pip install``s
feedlint into it (network to PyPI is needed), then runs the hook exactly as a
user's commit would.  The test pins ``--ref`` to the committed HEAD: without it
try-repo adds uncommitted changes to *tracked* files but not new untracked
files, so a half-finished working tree (a tracked module importing a new,
not yet added one) would break the install.  Commit hook changes before
running this test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, base_record, export_text

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
pytestmark = pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="needs this repository as a git checkout")


def test_hooks_manifest_is_valid_and_serial():
    from pre_commit.clientlib import load_manifest

    hooks = {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"feedlint", "feedlint-jsonl"}
    assert all(h["entry"] == "feedlint check --allow-no-records" for h in hooks.values())  # a commit of package.json alone passes
    assert hooks["feedlint"]["language"] == "python"
    assert hooks["feedlint"]["types"] == ["json"]
    assert all(h["require_serial"] for h in hooks.values())  # cross-file dataset checks need every file at once
    assert all(h["additional_dependencies"] == [] for h in hooks.values())  # FL6xx default suite needs no GX
    import re

    pattern = re.compile(hooks["feedlint-jsonl"]["files"])
    assert pattern.search("exports/2026-06.jsonl") and pattern.search("a.ndjson") and not pattern.search("a.json")
    raw = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in raw] == ["feedlint", "feedlint-jsonl"]


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci", *args], cwd=cwd, check=True, capture_output=True)


def _try_repo(target: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), NO_COLOR="1", PRE_COMMIT_COLOR="never")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), "feedlint", "--ref", head, "--verbose", "--color", "never", *args],
        cwd=target, env=env, capture_output=True, text=True, timeout=900,
    )


def test_try_repo_fails_on_defects_passes_on_a_clean_export_alone_and_skips_package_json(tmp_path):
    target = tmp_path / "newsroom"
    target.mkdir()
    _git("init", "-q", ".", cwd=target)
    defect = base_record(content_id=510077, portal_id=0)
    (target / "defect.json").write_text(export_text([defect]), encoding="utf-8")
    (target / "clean.json").write_text(export_text([base_record()]), encoding="utf-8")
    # the same article id exported again in another file: a cross-file (dataset) finding
    mirror = base_record(content_title="Ferry timetable changes for the winter", content_body="The ferry runs hourly from November.",
                         content_html="<p>The ferry runs hourly from November.</p>", attach_title="Ferry timetable")
    (target / "mirror.json").write_text(export_text([mirror]), encoding="utf-8")
    (target / "package.json").write_text(json.dumps({"name": "newsroom-site", "version": "1.0.0", "private": True}), encoding="utf-8")
    (target / "tsconfig.json").write_text('{\n  // the site\'s TypeScript settings (JSONC)\n  "compilerOptions": {"strict": true}\n}\n', encoding="utf-8")
    _git("add", ".", cwd=target)
    _git("commit", "-q", "-m", "exports", cwd=target)
    home = tmp_path / "pre-commit-home"

    failing = _try_repo(target, home, "--all-files")
    out = failing.stdout + failing.stderr
    assert failing.returncode == 1, out
    assert "Failed" in out and "- exit code: 1" in out
    col = export_text([defect]).index('"portal_id":0') + len('"portal_id":') + 1
    assert f"defect.json:1:{col}: FL101 [content_id 510077] /0/0/portal_id:" in out
    assert "package.json: skipped: not a CMS export" in out
    # require_serial: one feedlint process saw both files, so the duplicate id is found in each
    assert "mirror.json:1:17: FL601 [content_id 510001] /0/0/content_id:" in out and "also at clean.json record 0" in out
    assert "clean.json:1:17: FL601 [content_id 510001]" in out

    passing = _try_repo(target, home, "--files", "clean.json", "package.json", "tsconfig.json")
    out = passing.stdout + passing.stderr
    assert passing.returncode == 0, out
    assert "Passed" in out and "FL101" not in out
    assert "package.json: skipped: not a CMS export" in out
    assert "tsconfig.json: skipped: JSON with comments (JSONC, as tsconfig.json and editor settings write it), not an export: a comment at 2:3" in out

    # a commit touching only package.json: no record checked, but the hooks opt in (--allow-no-records)
    only_package = _try_repo(target, home, "--files", "package.json")
    out = only_package.stdout + only_package.stderr
    assert only_package.returncode == 0, out
    assert "Passed" in out and "package.json: skipped: not a CMS export" in out
