"""Tuning knobs from the environment (``FEEDLINT_*``): a bad value is one warning line, never a crash."""

from __future__ import annotations

import json

import pytest

from conftest import base_record, export_text, run_cli

KNOBS = ["FEEDLINT_PARALLEL_MIN_RECORDS", "FEEDLINT_RANGE_BYTES", "FEEDLINT_START_METHOD"]


@pytest.fixture
def export(tmp_path):
    recs = [base_record(content_id=510001 + i, content_title=f"Title {i}", content_body=f"Body {i}.") for i in range(4)]
    recs[3]["content_id"] = 510001  # one FL601 pair, so the dataset stage reports something
    (tmp_path / "a.json").write_text(export_text(recs), encoding="utf-8")
    return tmp_path


def _findings(res) -> list:
    return sorted((f["rule"], f["record"], f["record_pointer"]) for f in json.loads(res.stdout))


@pytest.mark.parametrize("knob", KNOBS)
@pytest.mark.parametrize("value", ["lots", "-3", "0", "1e3", "spork"])
def test_a_bad_value_is_one_warning_and_the_default(export, knob, value):
    good = run_cli("check", "a.json", "--format", "json", "--jobs", "2", cwd=export)
    res = run_cli("check", "a.json", "--format", "json", "--jobs", "2", cwd=export, env={knob: value})
    assert res.returncode == good.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert _findings(res) == _findings(good)
    warnings = [line for line in res.stderr.splitlines() if knob in line]
    assert len(warnings) == 1, res.stderr  # once, from the main process only (not from each worker)
    assert warnings[0].startswith(f"feedlint: warning: {knob}={value!r} is not ") and "using the default" in warnings[0]


@pytest.mark.parametrize("knob,value", [("FEEDLINT_PARALLEL_MIN_RECORDS", "3"), ("FEEDLINT_RANGE_BYTES", "100"), ("FEEDLINT_START_METHOD", "spawn")])
def test_a_good_value_is_taken_silently(export, knob, value):
    good = run_cli("check", "a.json", "--format", "json", "--jobs", "2", cwd=export)
    res = run_cli("check", "a.json", "--format", "json", "--jobs", "2", cwd=export, env={knob: value})
    assert res.returncode == 1 and knob not in res.stderr and "Traceback" not in res.stderr
    assert _findings(res) == _findings(good)


def test_an_empty_value_counts_as_unset(export):
    res = run_cli("check", "a.json", "--format", "json", cwd=export, env={k: "" for k in KNOBS})
    assert res.returncode == 1 and res.stderr == ""
