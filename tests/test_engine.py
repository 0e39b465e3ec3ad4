"""Engine behaviour: crash isolation, non-object records, JSON report contract."""

from __future__ import annotations

import json

import jsonschema

from conftest import ROOT, base_record, export_text, run_cli
from feedlint.api import Hit, rule
from feedlint.engine import ActiveRule, Engine, Plan


@rule("XT001", "always-crashes")
def crashing(record, options):
    """Raises on every record."""
    raise RuntimeError("boom")
    yield  # pragma: no cover


@rule("XT002", "title-present")
def title_rule(record, options):
    """Reports every title (to prove the run went on)."""
    yield Hit("/content_title", "title seen")


def test_crashing_rule_is_isolated(tmp_path):
    p = tmp_path / "e.json"
    p.write_text(export_text([base_record(), base_record(content_id=2)]))
    engine = Engine(Plan([ActiveRule(crashing, "error", {}), ActiveRule(title_rule, "warning", {})]))
    findings = list(engine.run([str(p)]))
    assert [f.rule_id for f in findings] == ["XT002", "XT002"]
    assert len(engine.internal_errors) == 2 and "boom" in engine.internal_errors[0]


@rule("XT003", "crashes-after-two-hits")
def crashing_late(record, options):
    """Finds two things, then raises."""
    yield Hit("/content_title", "first")
    yield Hit("/content_id", "second")
    raise RuntimeError("late boom")


@rule("XT004", "returns-a-list")
def listing(record, options):
    """Returns its hits as a list, not a generator."""
    return [Hit("/content_id", "listed"), Hit("/content_title", "listed too")]


def test_a_rule_that_crashes_after_some_hits_reports_none_of_them(tmp_path):
    """A rule's hits are gathered whole before any is stamped: a crash midway drops them all, the rules after it still report (each record's hits gathered in one reused list)."""
    p = tmp_path / "e.json"
    p.write_text(export_text([base_record(), base_record(content_id=2)]))
    plan = Plan([ActiveRule(title_rule, "warning", {}), ActiveRule(crashing_late, "error", {}), ActiveRule(listing, "note", {}), ActiveRule(title_rule, "warning", {})])
    engine = Engine(plan)
    findings = list(engine.run([str(p)]))
    assert [(f.record_index, f.rule_id, f.message) for f in findings] == [
        (i, rid, msg) for i in (0, 1) for rid, msg in (("XT004", "listed"), ("XT002", "title seen"), ("XT002", "title seen"), ("XT004", "listed too"))  # in file order, then by rule
    ]
    assert len(engine.internal_errors) == 2 and all("late boom" in e for e in engine.internal_errors)


def test_non_object_record_gets_schema_finding_only(tmp_path):
    (tmp_path / "e.json").write_text(export_text([base_record(), "not a record", 7]))
    r = run_cli("check", "--format", "json", "e.json", cwd=tmp_path)
    data = json.loads(r.stdout)
    assert {(f["rule"], f["pointer"]) for f in data} == {("FL101", "/0/1"), ("FL101", "/0/2")}


def test_json_report_matches_its_schema(tmp_path):
    schema = json.loads((ROOT / "schemas" / "feedlint-report.schema.json").read_text())
    rec = base_record(portal_id="3", surprise=True)
    del rec["content_summary"]
    (tmp_path / "e.json").write_text(export_text([rec], pretty=True))
    r = run_cli("check", "--format", "json", "e.json", cwd=tmp_path)
    data = json.loads(r.stdout)
    assert len(data) >= 3
    jsonschema.Draft202012Validator(schema).validate(data)
    empty = run_cli("check", "--format", "json", str(ROOT / "examples" / "clean-export.json"))
    assert json.loads(empty.stdout) == []


def test_jsonl_pointers_are_per_line_document(tmp_path):
    (tmp_path / "e.jsonl").write_text(export_text([base_record(), base_record(content_id=7, portal_id=0)], layout="jsonl"))
    r = run_cli("check", "--format", "json", "e.jsonl", cwd=tmp_path)
    f = json.loads(r.stdout)[0]
    assert (f["pointer"], f["record"], f["line"]) == ("/portal_id", 1, 2)


def test_fingerprint_stable_across_reordering_and_reformatting(tmp_path):
    a, b = base_record(portal_id=0), base_record(content_id=9, lang_id="??")
    (tmp_path / "one.json").write_text(export_text([a, b]))
    (tmp_path / "two.json").write_text(export_text([b, a], layout="array", pretty=True))
    # --ignore FL6: b's lang_id "??" is also a dataset finding (FL603); this test is about per-record fingerprints
    fp = lambda name: sorted(f["fingerprint"] for f in json.loads(run_cli("check", "--format", "json", "--ignore", "FL6", name, cwd=tmp_path).stdout))
    assert fp("one.json") == fp("two.json") and len(fp("one.json")) == 2


def test_fields_with_role_expand_members_and_wildcards_in_pattern_order():
    """A role's fields, in its patterns' order: plain members looked up directly, wildcards walked; strings only unless asked."""
    from feedlint.fields import FieldRoles, expand
    from feedlint.model import Record

    roles = FieldRoles({"cms": {"plain-text": ["/title", "/attaches/*/title", "/missing", "/count", "/a~1b"]}})
    data = {"count": 3, "title": "T", "a/b": "slash", "attaches": [{"title": "one"}, {"title": 2}, {}]}
    rec = Record(data, "cms", roles=roles)
    assert list(rec.fields_with_role("plain-text")) == [("/title", "T"), ("/attaches/0/title", "one"), ("/a~1b", "slash")]
    everything = list(rec.fields_with_role("plain-text", strings_only=False))
    assert everything == [pair for pattern in roles.for_kind("cms", "plain-text") for pair in expand(data, pattern)]
    assert ("/count", 3) in everything and ("/attaches/1/title", 2) in everything
    assert list(Record(["not", "an", "object"], "cms", roles=roles).fields_with_role("plain-text")) == []


def test_fields_with_role_of_plain_members_equals_expanding_each_pattern():
    """A role made only of plain members takes lookups: same pairs, order, escapes and string filter as expanding each pattern."""
    from feedlint.fields import FieldRoles, expand
    from feedlint.model import Record

    patterns = ["/b", "/a~1b", "/missing", "/n", "/none", "/a", "/t~0x", "/b"]
    roles = FieldRoles({"cms": {"dates": patterns}})
    data = {"a": "A", "b": "B", "a/b": "slash", "n": 3, "none": None, "t~x": "tilde", "z": "not in the role"}
    for strings_only in (True, False):
        want = [pair for pattern in patterns for pair in expand(data, pattern)]
        if strings_only:
            want = [(p, v) for p, v in want if isinstance(v, str)]
        assert list(Record(data, "cms", roles=roles).fields_with_role("dates", strings_only)) == want
    assert [p for p, _ in Record(data, "cms", roles=roles).fields_with_role("dates")] == ["/b", "/a~1b", "/a", "/t~0x", "/b"]
    assert list(Record(["x"], "cms", roles=roles).fields_with_role("dates", False)) == []


def test_record_memo_computes_each_key_once_even_when_the_value_is_none():
    from feedlint.model import Record

    rec, calls = Record({}), []
    for _ in range(3):
        assert rec.memo("k", lambda: calls.append(1)) is None
        assert rec.memo("j", lambda: 0) == 0
    assert calls == [1]
