"""FL6xx dataset checks: cross-record defects found by a real Great Expectations run.

Every finding is checked at the exact line/column of the offending value, computed
from the file text; look-alikes that are legitimate stay silent.  Subprocess tests
check the real CLI: JSON and SARIF output, a clean stdout, Data Docs, and that GX is
not imported when the dataset rules are deselected or a one-record file is checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import base_record, export_text, run_cli
from feedlint.config import Config
from feedlint.engine import Engine
from feedlint.facts import FactTable, RowRef
from feedlint.planning import Choices, build_plan
from feedlint.registry import load_catalogue

CATALOGUE = load_catalogue(plugins=False)


def write(path: Path, records: list, pretty: bool = True) -> Path:
    path.write_text(export_text(records, pretty=pretty), encoding="utf-8", newline="")
    return path


def value_pos(text: str, key: str, value: str, occurrence: int = 0) -> tuple[int, int]:
    """1-based (line, column) of ``value`` in the ``"key": value`` member (n-th occurrence)."""
    needle = f'"{key}": {value}'
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(needle, at + 1)
    at += len(f'"{key}": ')
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def run(paths: list[Path], select: str = "FL6", **values) -> list:
    config = Config(values=values)
    engine = Engine(build_plan(CATALOGUE, config, Choices(select=[select])))
    findings = list(engine.run([str(p) for p in paths]))
    assert not engine.errors and not engine.internal_errors and not engine.setup_errors, (engine.errors, engine.internal_errors, engine.setup_errors)
    return findings


def where(f) -> tuple:
    return (f.rule_id, Path(f.path).name, f.record_index, f.record_pointer, f.region.start_line, f.region.start_column)


def article(cid: int, title: str, body: str, token: int, **more) -> dict:
    rec = base_record(content_id=cid, content_title=title, content_body=body, **more)
    rec["attaches"] = [dict(rec["attaches"][0], token=token)]
    return rec


# ----------------------------------------------------------------------------- FL601
def test_duplicate_content_id_across_two_files_at_both_values(tmp_path):
    a = write(tmp_path / "a.json", [article(510001, "One", "Body one.", 11), article(510002, "Two", "Body two.", 12)])
    b = write(tmp_path / "b.json", [article(510003, "Three", "Body three.", 13), article(510001, "Four", "Body four.", 14)])
    found = [f for f in run([a, b]) if f.rule_id == "FL601"]
    ta, tb = a.read_text(), b.read_text()
    assert sorted(where(f) for f in found) == [
        ("FL601", "a.json", 0, "/content_id", *value_pos(ta, "content_id", "510001")),
        ("FL601", "b.json", 1, "/content_id", *value_pos(tb, "content_id", "510001")),
    ]
    first = next(f for f in found if f.path.endswith("a.json"))
    assert "b.json record 1" in first.message and first.severity == "error"


def test_same_content_id_in_two_portals_is_not_a_duplicate(tmp_path):
    a = write(tmp_path / "a.json", [article(510001, "One", "Body one.", 11, portal_id=3)])
    b = write(tmp_path / "b.json", [article(510001, "One elsewhere", "Other body.", 12, portal_id=4)])
    assert [f for f in run([a, b]) if f.rule_id == "FL601"] == []


# ----------------------------------------------------------------------------- FL602
def test_duplicate_article_under_different_ids(tmp_path):
    body = "The minister\u2019s plan, \"in full\".\r\n\r\nSecond paragraph."
    same_encoded = "The minister&rsquo;s plan, &quot;in full&quot;.\n\nSecond  paragraph."
    recs = [
        article(510001, "Council approves plan", body, 11),
        article(510002, "Council Approves Plan", same_encoded, 12),  # case, entities, LF and spacing differ
        article(510003, "Council approves plan", "A different body under the same title.", 13),  # look-alike
        article(510004, "Photo gallery", "", 14),  # blank body: never compared
        article(510005, "Photo gallery", "", 15),
    ]
    p = write(tmp_path / "a.json", recs)
    text = p.read_text()
    found = [f for f in run([p]) if f.rule_id == "FL602"]
    assert sorted(where(f) for f in found) == [
        ("FL602", "a.json", 0, "/content_title", *value_pos(text, "content_title", '"Council approves plan"')),
        ("FL602", "a.json", 1, "/content_title", *value_pos(text, "content_title", '"Council Approves Plan"')),
    ]
    assert "content_id 510002" in found[0].message or "content_id 510002" in found[1].message


def test_same_article_under_the_same_id_is_fl601_not_fl602(tmp_path):
    a = write(tmp_path / "a.json", [article(510001, "One", "Body.", 11)])
    b = write(tmp_path / "b.json", [article(510001, "One", "Body.", 12)])
    ids = sorted(f.rule_id for f in run([a, b]))
    assert ids == ["FL601", "FL601"]


# ----------------------------------------------------------------------------- FL603
def test_lang_id_outside_the_configured_set(tmp_path):
    recs = [
        article(510001, "One", "Body one.", 11, lang_id="en"),
        article(510002, "می\u200cخواهم", "متن فارسی با نیم\u200cفاصله.", 12, lang_id="fa"),  # ZWNJ: legitimate
        article(510003, "Three", "Body three.", 13, lang_id="xx"),
        article(510004, "Four", "Body four.", 14, lang_id=None),  # null: the schema rules' business
    ]
    p = write(tmp_path / "a.json", recs)
    found = [f for f in run([p]) if f.rule_id == "FL603"]
    assert [where(f) for f in found] == [("FL603", "a.json", 2, "/lang_id", *value_pos(p.read_text(), "lang_id", '"xx"'))]
    assert '"xx"' in found[0].message
    # the set is an option: with languages = ["en"] the Persian record is flagged too
    found = [f for f in run([p], rules={"FL603": {"languages": ["en"]}}) if f.rule_id == "FL603"]
    assert [f.record_index for f in found] == [1, 2]


# ----------------------------------------------------------------------------- FL604
def test_sparse_field_reports_the_empty_records_only_below_mostly(tmp_path):
    recs = [article(510000 + i, f"T{i}", f"Body {i}.", 20 + i) for i in range(10)]
    for i, empty in ((1, ""), (2, None), (3, "  \r\n ")):
        recs[i]["content_body"] = empty
    p = write(tmp_path / "a.json", recs)
    text = p.read_text()
    found = [f for f in run([p]) if f.rule_id == "FL604"]
    assert sorted(where(f) for f in found) == [
        ("FL604", "a.json", 1, "/content_body", *value_pos(text, "content_body", '""')),
        ("FL604", "a.json", 2, "/content_body", *value_pos(text, "content_body", "null")),
        ("FL604", "a.json", 3, "/content_body", *value_pos(text, "content_body", '"  \\r\\n "')),
    ]
    assert "3 of 10 records (70% filled; expected at least 90%)" in found[0].message
    # 1 empty of 10 is 90% filled: not below mostly (90%), nothing is reported
    recs[2]["content_body"] = recs[3]["content_body"] = "Filled."
    assert [f for f in run([write(p, recs)]) if f.rule_id == "FL604"] == []


def test_a_site_without_summaries_is_not_flagged(tmp_path):
    """Writing no summaries is a style choice: the default suite does not hold a site to one."""
    recs = [article(510000 + i, f"T{i}", f"Body {i}.", 20 + i, content_summary="") for i in range(4)]
    assert [f for f in run([write(tmp_path / "a.json", recs)]) if f.rule_id == "FL604"] == []


# ----------------------------------------------------------------------------- FL605
def test_date_range_is_checked_per_export(tmp_path):
    a = write(tmp_path / "a.json", [article(510001, "One", "Body one.", 11), article(510002, "Two", "Body two.", 12)])
    old = article(510003, "Three", "Body three.", 13, content_date_register="1999-12-31 23:59:59")
    b = write(tmp_path / "b.json", [article(510004, "Four", "Body four.", 14), old])
    found = [f for f in run([a, b]) if f.rule_id == "FL605"]
    assert [where(f) for f in found] == [
        ("FL605", "b.json", 1, "/content_date_register", *value_pos(b.read_text(), "content_date_register", '"1999-12-31 23:59:59"'))
    ]
    assert "earlier than 2000-01-01 00:00:00" in found[0].message
    late = [f for f in run([a], rules={"FL605": {"latest": "2026-05-12 09:15:00"}}) if f.rule_id == "FL605"]
    # register 09:16:30 and last edit 09:20:41 are after it, start 09:14:05 is not
    assert sorted(f.record_pointer for f in late) == ["/content_date_last_edit"] * 2 + ["/content_date_register"] * 2


# ----------------------------------------------------------------------------- FL606
def related_where(r) -> tuple:
    return (Path(r.path).name, r.record_index, r.content_id, r.record_pointer, r.region.start_line, r.region.start_column)


def test_attachment_tokens_reused_across_records_one_finding_per_group(tmp_path):
    """Two records share token 777: one finding at the first one's token, the other as its related place;
    the same token twice inside one record (33) is no reuse across records: neither a finding nor a related place."""
    twice_inside = article(510003, "Three", "Body three.", 33)
    twice_inside["attaches"].append(dict(twice_inside["attaches"][0]))  # same token twice in ONE record
    recs = [article(510001, "One", "Body one.", 777), article(510002, "Two", "Body two.", 777), twice_inside]
    p = write(tmp_path / "a.json", recs)
    text = p.read_text()
    found = [f for f in run([p]) if f.rule_id == "FL606"]
    assert [where(f) for f in found] == [("FL606", "a.json", 0, "/attaches/0/token", *value_pos(text, "token", "777", 0))]
    assert [related_where(r) for r in found[0].related] == [("a.json", 1, 510002, "/attaches/0/token", *value_pos(text, "token", "777", 1))]
    assert found[0].related[0].pointer == "/0/1/attaches/0/token"  # absolute, in the file's document (pages layout)


def test_a_large_group_is_one_finding_naming_its_size_with_capped_related_places_and_the_old_fingerprint(tmp_path):
    """k records sharing one token: one finding (the first member, file order across the run) that says k and
    names 3 others, "and k-4 more"; the others are related places, at most related-max of them; its fingerprint is
    the one the first member's finding always had (rule, content id, pointer, evidence: no group size)."""
    from feedlint.model import fingerprint

    recs = [article(510001 + i, f"Title {i}", f"Body {i}.", 777) for i in range(6)]
    a = write(tmp_path / "a.json", recs)
    ta = a.read_text()
    found = [f for f in run([a]) if f.rule_id == "FL606"]
    assert [f.record_index for f in found] == [0]
    loc = [f"{a} record {i} (content_id {510001 + i})" for i in range(6)]
    assert found[0].message.endswith(f"is used by 6 records in this run; also at {loc[1]}, {loc[2]}, {loc[3]} and 2 more")
    assert found[0].evidence == 'unique-attachment-token:"777"'
    assert found[0].fingerprint == fingerprint("FL606", 510001, "/attaches/0/token", 'unique-attachment-token:"777"')
    assert [related_where(r) for r in found[0].related] == [("a.json", i, 510001 + i, "/attaches/0/token", *value_pos(ta, "token", "777", i)) for i in range(1, 6)]
    capped = [f for f in run([a], rules={"FL606": {"related-max": 2}}) if f.rule_id == "FL606"]
    assert [r.record_index for r in capped[0].related] == [1, 2] and capped[0].message == found[0].message
    assert [f.related for f in run([a], rules={"FL606": {"related-max": 0}}) if f.rule_id == "FL606"] == [()]
    b = write(tmp_path / "b.json", [article(520001 + i, f"Other {i}", f"Other body {i}.", 777) for i in range(4)])
    tb = b.read_text()
    grown = [f for f in run([a, b]) if f.rule_id == "FL606"]
    assert [(Path(f.path).name, f.record_index) for f in grown] == [("a.json", 0)]  # the group grew: still one finding
    assert "used by 10 records" in grown[0].message and grown[0].fingerprint == found[0].fingerprint
    assert [related_where(r) for r in grown[0].related][5:] == [("b.json", i, 520001 + i, "/attaches/0/token", *value_pos(tb, "token", "777", i)) for i in range(4)]
    first_b = [f for f in run([b, a]) if f.rule_id == "FL606"]  # file order decides the first member
    assert [(Path(f.path).name, f.record_index, f.content_id) for f in first_b] == [("b.json", 0, 520001)]
    assert [(Path(r.path).name, r.record_index) for r in first_b[0].related] == [("b.json", i) for i in (1, 2, 3)] + [("a.json", i) for i in range(6)]


def test_a_group_of_two_names_the_other_without_more(tmp_path):
    a = write(tmp_path / "a.json", [article(510001, "One", "Body one.", 5), article(510002, "Two", "Body two.", 5)])
    found = [f for f in run([a]) if f.rule_id == "FL606"]
    assert [f.message.rsplit("also at ", 1)[1] for f in found] == [f"{a} record 1 (content_id 510002)"]


def test_fl601_and_fl602_still_report_every_member(tmp_path):
    """Only FL606 reports a group once: a duplicated id and a duplicated article are still found at each member."""
    rec = article(510001, "One", "Body one.", 5)
    a = write(tmp_path / "a.json", [rec, dict(rec, attaches=[]), dict(rec, content_id=510002, attaches=[])])
    found = run([a])
    assert sorted((f.rule_id, f.record_index) for f in found if f.rule_id in ("FL601", "FL602")) == [("FL601", 0), ("FL601", 1), ("FL602", 0), ("FL602", 2)]
    assert all(f.related == () for f in found)


def test_a_group_report_key_must_be_each_or_group(tmp_path):
    from feedlint.rules._suite import SuiteFileError, load_suite_file

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"type": "expect_column_values_to_be_unique", "kwargs": {"column": "content_id"}, "meta": {"feedlint": {"report": "once"}}}]))
    with pytest.raises(SuiteFileError, match='meta.feedlint.report must be "each" or "group"'):
        load_suite_file(str(bad))


def test_a_user_entry_can_report_a_group_once(tmp_path):
    """``report: "group"`` on a user's unique entry: FL601 replaced by a grouped entry reports one finding per id."""
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps([{"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["portal_id", "content_id"]},
                                  "meta": {"feedlint": {"rule": "FL601", "key": "unique-content-id", "report": "group"}}}]))
    rec = article(510001, "One", "Body one.", 5)
    a = write(tmp_path / "a.json", [rec, dict(rec, attaches=[]), dict(rec, attaches=[])])
    found = [f for f in run([a], select="FL601", rules={"FL601": {"expectations": [str(suite)]}})]
    assert [(f.record_index, [r.record_index for r in f.related]) for f in found] == [(0, [1, 2])]


def test_clean_example_export_has_no_dataset_findings():
    from conftest import ROOT

    assert run([ROOT / "examples" / "clean-export.json"]) == []


# ----------------------------------------------------------------------------- user suites
def test_user_expectations_generic_rule_and_replacing_a_default(tmp_path):
    suite = tmp_path / "mine.json"
    suite.write_text(json.dumps({"expectations": [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "content_score", "min_value": 0, "max_value": 100}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "lang_id", "value_set": ["en", "xx"]},
         "meta": {"feedlint": {"rule": "FL603", "key": "lang-id-in-set"}}},
    ]}), encoding="utf-8")
    recs = [article(510001, "One", "Body one.", 11, lang_id="xx"), article(510002, "Two", "Body two.", 12, content_score=250)]
    p = write(tmp_path / "a.json", recs)
    found = run([p], expectations=[str(suite)])
    assert [where(f) for f in found] == [("FL690", "a.json", 1, "/content_score", *value_pos(p.read_text(), "content_score", "250"))]
    assert found[0].message == "content_score 250 fails expect_column_values_to_be_between"


def _table(*records_per_file: list) -> FactTable:
    from feedlint.rules import dataset

    table = FactTable(files=[f"f{i}.json" for i in range(len(records_per_file))])
    for k, records in enumerate(records_per_file):
        for i, rec in enumerate(records):
            table.add(RowRef(k, i, f"/0/{i}", rec.get("content_id") if isinstance(rec, dict) else None), dataset._facts(rec))
    return table


def test_fact_table_packs_text_and_row_refs_and_reads_back_the_same_values():
    from feedlint.facts import TextColumn

    values = [None, "en", "", "fa\u200cرا", "\ud800 lone surrogate", 7, 2.5, "emoji \U0001f600", None]
    col = TextColumn(values)
    assert list(col) == values and [col[i] for i in range(len(values))] == values
    assert col[-1] is None and col[-2] == "emoji \U0001f600" and col[1:4] == values[1:4]
    with pytest.raises(IndexError):
        col[len(values)]
    table = FactTable(files=["a.json"])
    table.add(RowRef(0, 0, "/0/0", 510001), {"content_id": 510001, "lang_id": None, "score": 1})
    table.add(RowRef(0, 1, "/0/1", "510002"), {"content_id": 510002, "lang_id": "en", "score": "x"})
    table.add(RowRef(0, 2, "/1/0", True), {"content_id": 1, "lang_id": "fa"})
    assert isinstance(table.columns["lang_id"], TextColumn)  # decided by the first value that is not None
    assert isinstance(table.columns["score"], list)
    assert list(table.column("lang_id")) == [None, "en", "fa"] and list(table.column("score")) == [1, "x", None]
    assert [table.refs[i] for i in range(3)] == [RowRef(0, 0, "/0/0", 510001), RowRef(0, 1, "/0/1", "510002"), RowRef(0, 2, "/1/0", True)]
    assert type(table.refs[1].content_id) is str and table.refs[2].content_id is True  # an equal fact of another type is not shared
    assert list(table.to_pandas()["lang_id"])[1:] == ["en", "fa"]


TABLES = {
    "clean": [[base_record()]],
    "lang": [[base_record(lang_id="xx")]],
    "summary": [[base_record(content_summary="")]],
    "old": [[base_record(content_date_register="1999-01-01 00:00:00")]],
    "future": [[base_record(content_date_start="2099-01-01 00:00:00")]],
    "nulls": [[base_record(lang_id=None, content_title=None)]],
    "bad-date": [[base_record(content_date_register="12/05/2026")]],
    "many": [
        [article(1, "A", "Body a.", 7), article(2, "A", "Body a.", 7, lang_id="xx"), article(3, "B", "Body b.", 8, content_summary=None), "not a record"],
        [article(1, "C", "Body c.", 9, content_date_register="1990-01-01 00:00:00"), article(4, "D", "", 10, portal_id=None, content_summary=""),
         article(5, "E", "Body e.", 11, content_date_last_edit="2099-01-01 00:00:00", content_summary="  ")],
    ],
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_python_evaluator_gives_the_same_hits_as_gx(name):
    """The built-in rules have one evaluator (plain Python); GX draws their Data Docs pages, which must say the same."""
    from feedlint.rules import _expect, _pyeval, dataset
    from feedlint.rules._suite import entries_for

    options = {"languages": ["en", "fa"], "earliest": "2000-01-01 00:00:00", "latest": "2030-01-01 00:00:00"}
    table = _table(*TABLES[name])
    hits = 0
    for rule_id in ("FL601", "FL602", "FL603", "FL604", "FL605", "FL606"):
        entries = entries_for(rule_id)
        py = list(_expect.outcome_hits(table, _expect.evaluate(table, entries, dataset._params(options), evaluator=_pyeval.PLAIN)))
        gx = list(_expect.outcome_hits(table, _expect.evaluate(table, entries, dataset._params(options), evaluator=_expect.GX)))
        assert py == gx, (name, rule_id)
        hits += len(gx)
    expected = {"clean": 0, "lang": 1, "summary": 0, "old": 1, "future": 1, "nulls": 1, "bad-date": 0, "many": 9}  # many: FL601 2, FL602 2, FL603 1, FL604 1 (body; no summary check by default), FL605 2, FL606 1 (one per group)
    assert hits == expected[name]


def test_plain_evaluation_gives_the_same_findings_as_great_expectations_end_to_end(tmp_path):
    """The whole run's findings (messages, positions, fingerprints) are the same with GX as the dataset
    stage's evaluator, on the examples and on groups of every kind: GX's Data Docs agree with the findings."""
    from conftest import ROOT
    from feedlint.rules._expect import GX

    groups = [article(510001 + i % 4, f"Title {i % 3}", f"Body {i % 3}.", 700 + i % 5, lang_id="en" if i % 7 else "xx",
                      content_summary="" if i % 3 else "Summary.", content_date_register="1999-01-01 00:00:00" if i == 5 else "2026-05-12 09:16:30")
              for i in range(23)]
    write(tmp_path / "g1.json", groups[:15])
    write(tmp_path / "g2.json", groups[15:] + ["not a record"], pretty=False)
    for name, records in TABLES.items():
        for k, recs in enumerate(records):
            write(tmp_path / f"t-{name}-{k}.json", recs)
    shutil.copy(ROOT / "examples" / "newsroom-export.json", tmp_path)
    shutil.copy(ROOT / "examples" / "clean-export.json", tmp_path)
    runs = [["g1.json", "g2.json"], sorted(p.name for p in tmp_path.glob("t-*.json")), ["newsroom-export.json", "clean-export.json"]]
    plan = build_plan(CATALOGUE, Config(values={}), Choices(select=["FL6"]))
    for files in runs:
        paths = [str(tmp_path / f) for f in files]
        plain, gx = Engine(plan), Engine(plan, dataset_evaluator=GX)
        found = list(plain.run(paths))
        assert found == list(gx.run(paths))
        assert len(found) >= 2 and not plain.setup_errors and not gx.setup_errors and not plain.internal_errors and not gx.internal_errors


# ----------------------------------------------------------------------------- real CLI
@pytest.fixture
def two_files(tmp_path):
    a = write(tmp_path / "a.json", [article(510001, "One", "Body one.", 11), article(510002, "Two", "Body two.", 12)])
    b = write(tmp_path / "b.json", [article(510003, "Three", "Body three.", 13, lang_id="xx"), article(510001, "Four", "Body four.", 14)])
    return a, b


def test_json_and_sarif_outputs_carry_exact_positions_and_stdout_is_clean(two_files, tmp_path):
    a, b = two_files
    res = run_cli("check", "a.json", "b.json", "--select", "FL6", "--format", "json", "-q", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert res.stderr == ""
    data = json.loads(res.stdout)  # stdout is feedlint's JSON and nothing else (no GX logging or progress bars)
    findings = data if isinstance(data, list) else data["findings"]
    got = sorted((f["rule"], f["file"], f["record"], f["line"], f["column"]) for f in findings)
    assert got == sorted([
        ("FL601", "a.json", 0, *value_pos(a.read_text(), "content_id", "510001")),
        ("FL601", "b.json", 1, *value_pos(b.read_text(), "content_id", "510001")),
        ("FL603", "b.json", 0, *value_pos(b.read_text(), "lang_id", '"xx"')),
    ])
    res = run_cli("check", "a.json", "b.json", "--select", "FL6", "--format", "sarif", "-q", cwd=tmp_path)
    assert res.returncode == 1 and res.stderr == ""
    results = json.loads(res.stdout)["runs"][0]["results"]
    got = sorted(
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1],
         r["locations"][0]["physicalLocation"]["region"]["startLine"], r["locations"][0]["physicalLocation"]["region"]["startColumn"])
        for r in results
    )
    assert got == sorted([
        ("FL601", "a.json", *value_pos(a.read_text(), "content_id", "510001")),
        ("FL601", "b.json", *value_pos(b.read_text(), "content_id", "510001")),
        ("FL603", "b.json", *value_pos(b.read_text(), "lang_id", '"xx"')),
    ])


def test_stdin_is_checked_too_and_per_file_ignores_apply(two_files, tmp_path):
    a, b = two_files
    res = run_cli("check", "-", "b.json", "--select", "FL601", "--format", "json", "-q", cwd=tmp_path, input=a.read_text())
    got = sorted((f["file"], f["record"], f["line"], f["column"]) for f in json.loads(res.stdout))
    assert got == [("<stdin>", 0, *value_pos(a.read_text(), "content_id", "510001")), ("b.json", 1, *value_pos(b.read_text(), "content_id", "510001"))]
    assert not [p for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("feedlint-stdin-*")]  # the spooled copy is gone
    # a file under per-file-ignores still takes part in the comparison but gets no FL6 finding itself
    (tmp_path / "feedlint.toml").write_text('[per-file-ignores]\n"a.json" = ["FL6"]\n', encoding="utf-8")
    res = run_cli("check", "a.json", "b.json", "--select", "FL601", "--format", "json", "-q", cwd=tmp_path)
    assert [(f["file"], f["record"]) for f in json.loads(res.stdout)] == [("b.json", 1)]


def test_pre_commit_run_says_the_dataset_checks_saw_this_invocation_only(two_files, tmp_path):
    res = run_cli("check", "a.json", "b.json", "--select", "FL601", cwd=tmp_path, env={"PRE_COMMIT": "1"})
    assert res.returncode == 1
    assert "compared the 2 file(s) of this pre-commit invocation only" in res.stderr
    res = run_cli("check", "a.json", "b.json", "--select", "FL601", cwd=tmp_path, env={"PRE_COMMIT": ""})
    assert "pre-commit invocation" not in res.stderr


PROBE = """
import sys
from feedlint.cli import main
sys.argv = ["feedlint", "check", "-q", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print(code, "great_expectations" in sys.modules, "pandas" in sys.modules, file=sys.stderr)
"""


def _probe(*args: str, cwd: Path) -> tuple[int, bool, bool]:
    env = dict(os.environ, NO_COLOR="1")
    res = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env)
    code, gx, pd = res.stderr.strip().splitlines()[-1].split()
    return int(code), gx == "True", pd == "True"


def test_gx_is_imported_only_when_dataset_checks_need_it(two_files, tmp_path):
    write(tmp_path / "one.json", [base_record()])
    assert _probe("a.json", "b.json", "--ignore", "FL6", cwd=tmp_path)[1:] == (False, False)
    assert _probe("one.json", cwd=tmp_path)[1:] == (False, False)  # one record: no GX, no pandas
    # a small export (pre-commit's case): the plain evaluator answers, GX's import (1.5-2 s) is not paid
    assert _probe("a.json", "b.json", "--select", "FL601", cwd=tmp_path) == (1, False, False)
    assert _probe("a.json", "b.json", "--select", "FL601", "--data-docs", str(tmp_path / "docs"), cwd=tmp_path) == (1, True, True)


LAZY_PROBE = """
import sys
from feedlint.cli import main
sys.argv = ["feedlint", "check", "--format", "json", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print(code, "scipy.stats._stats_py" in sys.modules, "altair.vegalite" in sys.modules, file=sys.stderr)
"""


def test_gx_leaves_scipy_and_altair_unloaded_until_an_expectation_uses_them(tmp_path):
    """GX imports scipy.stats and altair for the KL-divergence expectation (~70 MB): loaded only when a suite runs it."""
    recs = [article(510001 + i, f"Title {i}", f"Body {i}.", 20 + i, content_score=score) for i, score in enumerate([10, 20, 90])]
    write(tmp_path / "a.json", recs)
    kl = {"type": "expect_column_kl_divergence_to_be_less_than",
          "kwargs": {"column": "content_score", "partition_object": {"bins": [0, 50, 100], "weights": [0.9, 0.1]}, "threshold": 0.1}}
    (tmp_path / "kl.json").write_text(json.dumps({"expectations": [kl]}), encoding="utf-8")

    between = {"type": "expect_column_values_to_be_between", "kwargs": {"column": "content_score", "min_value": 0, "max_value": 100}}
    (tmp_path / "between.json").write_text(json.dumps({"expectations": [between]}), encoding="utf-8")

    def probe(*args: str) -> tuple[list, list[str]]:
        res = subprocess.run([sys.executable, "-c", LAZY_PROBE, "a.json", "--select", "FL6", *args], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        return json.loads(res.stdout), res.stderr.strip().splitlines()[-1].split()

    findings, state = probe("--expectations", "between.json")
    assert findings == [] and state == ["0", "False", "False"]  # GX ran a kind only it knows, without them
    findings, state = probe("--expectations", "kl.json")
    assert state == ["1", "True", "False"]  # the KL expectation got the real scipy.stats
    # observed KL divergence of weights (2/3, 1/3) against (0.9, 0.1): 2/3 ln(20/27) + 1/3 ln(10/3) = 0.20125...
    assert [(f["rule"], f["record"], f["record_pointer"]) for f in findings] == [("FL690", 0, "/content_score")]
    assert "expect_column_kl_divergence_to_be_less_than failed on content_score (observed 0.2012545398" in findings[0]["message"]


NO_GX = """
import sys
sys.modules["great_expectations"] = None  # as if the optional extra were not installed
from feedlint.cli import main
sys.argv = ["feedlint", "check", "--format", "json", *sys.argv[1:]]
main()
"""


def test_without_great_expectations_the_default_suite_still_runs(two_files, tmp_path):
    a, _ = two_files
    cmd = [sys.executable, "-c", NO_GX, "a.json", "b.json", "--select", "FL6"]
    res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr
    got = sorted((f["rule"], f["file"], f["record"]) for f in json.loads(res.stdout))
    assert got == [("FL601", "a.json", 0), ("FL601", "b.json", 1), ("FL603", "b.json", 0)]
    res = subprocess.run([*cmd, "--data-docs", "site"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and res.stderr.strip().splitlines() == ["feedlint: error: --data-docs needs Great Expectations: pip install 'feedlint[dataset]'"]
    assert not (tmp_path / "site").exists()


def test_bad_expectations_file_is_one_located_error(tmp_path):
    write(tmp_path / "one.json", [base_record()])
    text = '[\n  {"type": "expect_column_values_to_be_unique",,}\n]\n'
    (tmp_path / "mine.json").write_text(text, encoding="utf-8")
    res = run_cli("check", "one.json", "--expectations", "mine.json", cwd=tmp_path)
    assert res.returncode == 2
    column = text.index(",,") + 1 - text.index("\n")  # the second comma, 1-based on line 2
    assert res.stderr.strip().splitlines() == [f"feedlint: error: {tmp_path / 'mine.json'}:2:{column}: invalid JSON: expected a member name in double quotes, found ','"]
    (tmp_path / "mine.json").write_text('[{"type": "expect_column_values_to_be_uniq", "kwargs": {"column": "uid"}}]', encoding="utf-8")
    res = run_cli("check", "one.json", "--expectations", "mine.json", cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "expect_column_values_to_be_uniq not found" in res.stderr


# ----------------------------------------------------------------------------- Data Docs
class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.links: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.chunks.append(data.strip())

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "a":
            self.links.extend(v for k, v in attrs if k == "href" and v)


def _data_docs(two_files, tmp_path) -> Path:
    before = set(os.listdir(tmp_path))
    res = run_cli("check", "a.json", "b.json", "--select", "FL601,FL603", "--data-docs", "site", "-q", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert set(os.listdir(tmp_path)) - before == {"site"}  # nothing else written: no gx/ folder
    return tmp_path / "site"


def test_data_docs_pages_list_the_failed_expectations(two_files, tmp_path):
    site = _data_docs(two_files, tmp_path)
    # the index table is filled by JavaScript from an inline data blob: take the page paths from it
    pages = sorted(set(re.findall(r"validations/[^'\"\s]+?\.html", (site / "index.html").read_text(encoding="utf-8"))))
    assert any("FL601-duplicate-content-id" in l for l in pages) and any("FL603-unexpected-language" in l for l in pages)
    page = next(site / l for l in pages if "FL601" in l)
    text = _Text()
    text.feed(page.read_text(encoding="utf-8"))
    words = " ".join(text.chunks)
    assert "Failed" in words or "failed" in words
    assert "content_id" in words and "portal_id" in words
    assert "510001" in words  # the duplicated value is shown among the unexpected values


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="needs a headless chromium: apt-get install -y --no-install-recommends chromium")
def test_data_docs_page_renders_in_a_real_browser(two_files, tmp_path):
    site = _data_docs(two_files, tmp_path)
    page = next(site.glob("validations/FL601-duplicate-content-id-records/*/*/*.html"))
    shot = tmp_path / "page.png"
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = _Text()
    text.feed(dom.stdout)
    assert "510001" in " ".join(text.chunks)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}", "--window-size=1200,900", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_lang_ids_are_compared_as_bcp47_tags(tmp_path):
    """en-US and en-us are English to a site configured for en; with no list, any real language passes and xx does not."""
    recs = [
        article(520001, "One", "Body one.", 21, lang_id="en-US"),
        article(520002, "Two", "Body two.", 22, lang_id="en-us"),
        article(520003, "Três", "Corpo três.", 23, lang_id="pt-BR"),
        article(520004, "Four", "Body four.", 24, lang_id="xx"),
    ]
    p = write(tmp_path / "a.json", recs)
    found = [f for f in run([p]) if f.rule_id == "FL603"]
    assert [where(f) for f in found] == [("FL603", "a.json", 3, "/lang_id", *value_pos(p.read_text(), "lang_id", '"xx"'))]
    found = [f for f in run([p], rules={"FL603": {"languages": ["en"]}}) if f.rule_id == "FL603"]
    assert [f.record_index for f in found] == [2, 3]
    found = [f for f in run([p], rules={"FL603": {"languages": ["en-GB", "pt"]}}) if f.rule_id == "FL603"]
    assert [f.record_index for f in found] == [0, 1, 3]


def test_a_huge_text_is_normalised_a_piece_at_a_time_to_the_same_result(monkeypatch):
    """Whitespace of a huge body is collapsed a megabyte at a time (a word list of a 20 MB body is ~180 MB):
    any piece size gives exactly " ".join(text.split()), for str and for bytes, across every kind of space."""
    import random

    from feedlint.rules import _pieces, dataset

    rng = random.Random(5)
    bits = [" ", "  ", "\t", "\r\n", "\r\n\r\n \r\n\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2003", "a", "Bc", "&amp;", "&#39;", "&rsquo;", "\u00e9"]
    for _ in range(3000):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(0, 40)))
        monkeypatch.setattr(_pieces, "PIECE", 1 << 20)
        whole = dataset.normalise_text(text)
        raw = text.encode("utf-8")
        monkeypatch.setattr(_pieces, "PIECE", rng.randint(1, 6))
        assert dataset.normalise_text(text) == whole, text
        assert _pieces.collapse(text) == " ".join(text.split()), text
        folded = raw.translate(dataset._FOLD)  # every ASCII white space a space: what _squeeze is given
        assert dataset._squeeze(folded) == b" ".join(folded.split()), raw


def test_a_huge_body_is_fingerprinted_a_piece_at_a_time_to_the_same_key(monkeypatch):
    """article_key normalises and hashes a huge body in pieces cut before white space (no whole copy):
    any piece size gives the hash of normalise_text(title) + "\\x1f" + normalise_text(body), and a blank body None."""
    import hashlib
    import random

    from feedlint.rules import _pieces, dataset

    def whole_key(title, body):
        text = dataset.normalise_text(body)
        if not text:
            return None
        return hashlib.blake2b((dataset.normalise_text(title) + "\x1f" + text).encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()

    rng = random.Random(11)
    bits = [" ", "  ", "\t", "\r\n", "\n", "\x0b", "\x1c", "\x85", "\xa0", "\u2003", "a", "Bc", "&amp;", "&amp;quot;", "&#39;", "&rsquo;", "&eacute;", "\u00e9", "e\u0301", "\ufb01", "\u2474"]
    keys = set()
    for _ in range(2000):
        body = "".join(rng.choice(bits) for _ in range(rng.randint(0, 40)))
        expected = whole_key("T", body)
        monkeypatch.setattr(_pieces, "PIECE", rng.randint(1, 8))
        assert dataset.article_key("T", body) == expected, body
        monkeypatch.setattr(_pieces, "PIECE", 1 << 20)
        keys.add(expected)
    assert None in keys and len(keys) > 1000  # blank bodies and many different articles were among them


def test_text_output_places_dataset_findings_among_the_others_by_position(tmp_path):
    """Text: dataset findings in file position order with the record findings (held in a temporary file
    until the dataset stage is done); JSON keeps its order: record findings as found, then the dataset's."""
    a = write(tmp_path / "a.json", [article(510001, "One", "Body one&#39;s.", 11), article(510002, "Two", "Body two&#39;s.", 12, lang_id="xx"), article(510003, "Three", "Three&#39;s.", 13)])
    b = write(tmp_path / "b.json", [article(510001, "Four", "Body four&#39;s.", 14), article(510005, "Five", "Five&#39;s.", 15)])
    res = run_cli("check", "a.json", "b.json", "--select", "FL201,FL601,FL603", "-q", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    got = [(line.split(":")[0], int(line.split(":")[1]), int(line.split(":")[2]), line.split()[1]) for line in res.stdout.splitlines()]
    files = {"a.json": 0, "b.json": 1}
    assert got == sorted(got, key=lambda g: (files[g[0]], g[1], g[2]))
    assert [g[3] for g in got] == ["FL601", "FL201", "FL603", "FL201", "FL201", "FL601", "FL201", "FL201"]
    assert (got[0][1], got[0][2]) == value_pos(a.read_text(), "content_id", "510001")
    data = json.loads(run_cli("check", "a.json", "b.json", "--select", "FL201,FL601,FL603", "--format", "json", cwd=tmp_path).stdout)
    assert [f["rule"] for f in data] == ["FL201"] * 5 + ["FL601", "FL603", "FL601"]
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("feedlint-findings-*"))


def _count_readings(monkeypatch, seekable: bool) -> tuple[list, list]:
    """Spy on both ways of reading records: (records read in order: file, index), (records read at their offsets: file, index).

    ``seekable`` False: the stage reads every file in order again (as for gzip).
    """
    from feedlint.ranges import reread
    from feedlint.reader import sources

    in_order: list[tuple[str, int]] = []
    at_offsets: list[tuple[str, int]] = []
    opened, at = sources.Source.records, reread.records_at

    def counting(self, *args, **kwargs):
        for raw in opened(self, *args, **kwargs):
            in_order.append((Path(self.path).name, raw.index))
            yield raw

    def counting_at(path, info, wanted):
        for raw in at(path, info, wanted):
            at_offsets.append((Path(path).name, raw.index))
            yield raw

    monkeypatch.setattr(sources.Source, "records", counting)
    monkeypatch.setattr(reread, "records_at", counting_at)
    if not seekable:
        monkeypatch.setattr(reread, "seekable", lambda path, info: False)
    return in_order, at_offsets


@pytest.mark.parametrize("seekable", [True, False], ids=["at-offsets", "in-order"])
def test_the_dataset_stage_reads_again_only_the_records_with_a_finding(tmp_path, monkeypatch, seekable):
    """Duplicates in the first two records of forty: both located exactly; the second reading reads records 0 and 1
    at their offsets, or (a file that cannot seek) reads the file in order and stops after record 1."""
    recs = [article(510001, "One", "Body one.", 11), article(510001, "Two", "Body two.", 12)]
    recs += [article(520000 + i, f"Other {i}", f"Body {i}.", 100 + i) for i in range(38)]
    a = write(tmp_path / "a.json", recs)
    in_order, at_offsets = _count_readings(monkeypatch, seekable)
    found = [f for f in run([a], select="FL601")]
    text = a.read_text()
    assert [where(f) for f in found] == [
        ("FL601", "a.json", 0, "/content_id", *value_pos(text, "content_id", "510001")),
        ("FL601", "a.json", 1, "/content_id", *value_pos(text, "content_id", "510001", 1)),
    ]
    first = [("a.json", i) for i in range(40)]
    if seekable:
        assert (in_order, at_offsets) == (first, [("a.json", 0), ("a.json", 1)])
    else:
        assert (in_order, at_offsets) == (first + [("a.json", i) for i in (0, 1, 2)], [])  # up to the record after the last finding


@pytest.mark.parametrize("seekable", [True, False], ids=["at-offsets", "in-order"])
def test_the_second_reading_stops_after_the_last_related_place_located_not_the_groups_last(tmp_path, monkeypatch, seekable):
    """Forty records share one token, related-max 3: the finding at record 0 lists records 1-3, and the second
    reading of the file reads records 0-3 (in order: stops after record 3, the last one it needs), not up to
    record 39 (the group's last); b.json's members are past the cap: that file is not read again at all."""
    a = write(tmp_path / "a.json", [article(510001 + i, f"Title {i}", f"Body {i}.", 777) for i in range(40)])
    b = write(tmp_path / "b.json", [article(520001 + i, f"Other {i}", f"Other body {i}.", 777) for i in range(3)])
    in_order, at_offsets = _count_readings(monkeypatch, seekable)
    found = run([a, b], select="FL606", rules={"FL606": {"related-max": 3}})
    assert [(f.record_index, [r.record_index for r in f.related]) for f in found] == [(0, [1, 2, 3])]
    assert "used by 43 records" in found[0].message
    first = [("a.json", i) for i in range(40)] + [("b.json", i) for i in range(3)]
    if seekable:
        assert (in_order, at_offsets) == (first, [("a.json", i) for i in range(4)])
    else:
        assert (in_order, at_offsets) == (first + [("a.json", i) for i in range(5)], [])  # up to the record after record 3 (where the reader learns it is past)


def test_stage_gives_rows_only_to_rules_that_read_them():
    """A table kept elsewhere (Spark's) reaches a rule as it is only when the rule declares
    ``reads_rows=False``; any other dataset rule (FL607, a plugin's) gets ``table.local()``,
    and its hits' rows are mapped back to the stage table's row ids."""
    from feedlint.api import DatasetHit, rule
    from feedlint.dataset import run_stage
    from feedlint.plan import ActiveRule

    local = FactTable(ids=[7, 9])  # an extract: rows 0 and 1 are rows 7 and 9 of the remote table
    local.add(RowRef(0, 0, "/0", 1), {"content_id": 1})
    local.add(RowRef(0, 1, "/1", 2), {"content_id": 2})

    class Remote:  # no columns here: reading rows from it would fail
        files = ["a.json"]

        def __len__(self):
            return 10

        def local(self, having=None):
            asked.append(having)
            return local

    seen, asked = {}, []

    def checker(key):
        def check(table, options):
            """Records what it was given."""
            seen[key] = table
            yield DatasetHit(1, "/content_id", "hit")

        return check

    reads = rule("FL691", "reads-rows-test", scope="dataset")(checker("rows"))
    asks = rule("FL692", "asks-evaluator-test", scope="dataset", reads_rows=False)(checker("asks"))
    joins = rule("FL693", "joins-rows-test", scope="dataset", reads_rows=["ref", "media"])(checker("joins"))
    remote = Remote()
    result = run_stage([ActiveRule(reads, "warning", {}), ActiveRule(asks, "warning", {}), ActiveRule(joins, "warning", {})], remote)
    assert seen["rows"] is local and seen["asks"] is remote and seen["joins"] is local
    assert asked == [None, ("ref", "media")]  # the whole table, then only the rows having the join's facts
    assert [(active.rule.id, hit.row) for active, hit in result.hits] == [("FL691", 9), ("FL692", 1), ("FL693", 9)]
    assert not result.effects.internal_errors


def test_spark_facts_give_rows_already_on_the_driver_without_another_job():
    """Once a rule gathered the whole fact table, a rule asking only for some facts' rows (FL607) gets that
    table (a superset, as the local engine's FactTable gives) instead of a second Spark job."""
    from feedlint.spark.facts import SparkFacts

    facts = SparkFacts.__new__(SparkFacts)
    facts._memo = {}
    facts.frame = lambda: pytest.fail("a Spark job was started")
    whole = object()
    facts._memo["spark:local"] = whole
    assert facts.local(having=("fl607_ref", "fl607_media")) is whole
    assert facts.local() is whole
