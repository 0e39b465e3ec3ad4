"""``check --fix`` reports what is left in the same pass that repairs: the report must be a check of the repaired file.

Repaired records change length, so every later record moves (on a one-line
export, along the line): the positions of the findings, and of the SARIF
fixes still offered, must be the repaired file's.  Compared, for every layout,
with a plain ``check`` of the file ``--fix`` wrote.
"""

from __future__ import annotations

import gzip
import json

import pytest

from conftest import base_record, export_text, run_cli
from test_fixing import defective_records, unsafe_records


def _write(tmp_path, layout: str):
    records = defective_records() + unsafe_records()
    text = export_text(records, "jsonl" if layout == "jsonl" else "pages", pretty=layout == "pretty")
    if layout == "crlf-bom":
        text = "\ufeff" + export_text(records, "pages", pretty=True).replace("\n", "\r\n")
    path = tmp_path / ("export.jsonl" if layout == "jsonl" else "export.json")
    if layout == "gzip":
        path = tmp_path / "export.json.gz"
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def _results(stdout: str, fmt: str):
    doc = json.loads(stdout)
    return doc["runs"][0]["results"] if fmt == "sarif" else doc


@pytest.mark.parametrize("layout", ["pages", "pretty", "jsonl", "gzip", "crlf-bom"])
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_fix_report_is_a_check_of_the_repaired_file(tmp_path, layout, fmt):
    path = _write(tmp_path, layout)
    fixed = run_cli("check", "--fix", "--format", fmt, "--fail-on", "never", str(path))
    assert fixed.returncode == 0, fixed.stderr
    assert "applied" in fixed.stderr and "applied 0 fixes" not in fixed.stderr
    after = run_cli("check", "--format", fmt, "--fail-on", "never", str(path))
    assert after.returncode == 0, after.stderr
    got, want = _results(fixed.stdout, fmt), _results(after.stdout, fmt)
    assert got == want
    assert any(r.get("fixes") for r in got) if fmt == "sarif" else got  # unsafe fixes are still offered, at their new places


def test_text_report_and_counts_after_fix(tmp_path):
    path = _write(tmp_path, "pages")
    fixed = run_cli("check", "--fix", "--unsafe-fixes", "--fail-on", "never", "--statistics", str(path))
    after = run_cli("check", "--fail-on", "never", "--statistics", str(path))
    assert fixed.returncode == after.returncode == 0
    assert fixed.stdout == after.stdout


def test_a_file_with_an_input_error_reports_its_records_as_they_are(tmp_path):
    """Not fixed, so its findings are the file's own, at their own places, then the error (as a plain check)."""
    text = export_text([base_record(content_title="A &quot;b&quot;", content_id=1), base_record(content_summary="C &#39;d&#39;", content_id=2)])
    bad = tmp_path / "bad.json"
    bad.write_text(text[:-5], encoding="utf-8")
    fixed = run_cli("check", "--fix", "--format", "json", "--fail-on", "never", str(bad))
    plain = run_cli("check", "--format", "json", "--fail-on", "never", str(bad))
    assert fixed.returncode == plain.returncode == 2
    assert bad.read_text(encoding="utf-8") == text[:-5]
    assert json.loads(fixed.stdout) == json.loads(plain.stdout)
    assert {f["rule"] for f in json.loads(fixed.stdout)} >= {"FL201"}


def test_spooled_findings_with_fixes_replay(tmp_path):
    """The text report spools findings until the dataset rules are done; findings carrying fixes of several rules must come back intact.

    (One unpickler shared across the spooled findings mixed up their memo
    entries: "Can't get attribute '_rebuilt_description' on feedlint.rules.encoding".)
    """
    from feedlint.cli import _load, _plan
    from feedlint.engine import Engine

    path = tmp_path / "export.json"
    path.write_text(export_text(defective_records() + unsafe_records()), encoding="utf-8")
    cfg, catalogue = _load(None)
    plan = _plan(cfg, catalogue, None, None, None, None)
    held = list(Engine(plan, keep_fixes=True, in_position_order=True).run([str(path)]))
    direct = list(Engine(plan, keep_fixes=True).run([str(path)]))
    assert {f.rule_id for f in held if f.fix is not None} >= {"FL201", "FL401"}
    assert sorted((f.rule_id, f.pointer, f.fix.description if f.fix else None) for f in held) == sorted((f.rule_id, f.pointer, f.fix.description if f.fix else None) for f in direct)


def test_text_report_of_an_unreadable_file_under_fix(tmp_path):
    """--fix on a truncated export, text report (spooled for the dataset rules): exit 2, the file untouched, the plain check's findings."""
    text = export_text(defective_records() + unsafe_records())[:-3]
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    fixed = run_cli("check", "--fix", "--fail-on", "never", str(bad))
    plain = run_cli("check", "--fail-on", "never", str(bad))
    assert fixed.returncode == plain.returncode == 2, fixed.stderr
    assert "Traceback" not in fixed.stderr and bad.read_text(encoding="utf-8") == text
    assert fixed.stdout == plain.stdout
