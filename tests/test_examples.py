"""The bundled examples stay honest: each defective record triggers exactly its rules, clean ones none."""

from __future__ import annotations

import importlib.util
import json
from collections import defaultdict

from conftest import ROOT, run_cli

spec = importlib.util.spec_from_file_location("examples_build", ROOT / "examples" / "_build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


def test_examples_are_up_to_date_with_their_builder():
    assert (ROOT / "examples" / "newsroom-export.json").read_text(encoding="utf-8") == build.dumps_export(build.newsroom_records())
    assert (ROOT / "examples" / "clean-export.json").read_text(encoding="utf-8") == build.dumps_export([build.clean_records()])


def test_newsroom_example_defects_exactly():
    r = run_cli("check", "--format", "json", "examples/newsroom-export.json", cwd=ROOT)
    assert r.returncode == 1, r.stderr
    found = defaultdict(set)
    for f in json.loads(r.stdout):
        found[f["content_id"]].add(f["rule"])
    expected = {cid: set(rules) for cid, rules in build.DEFECTS.items()}
    expected[520000] = {"FL602"}  # the original of the story exported twice is half of the duplicate pair
    assert dict(found) == expected


def test_demo_directory_run_exit_code_and_summary():
    r = run_cli("check", "--statistics", "examples/", cwd=ROOT)
    assert r.returncode == 1
    assert "2 files, 15 records" in r.stdout
