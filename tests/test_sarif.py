"""SARIF output, as produced by the real CLI, against the official 2.1.0 schema and GitHub's own rules.

GitHub's upload action validates with the schema copy in ../shared/sarif (Draft 2020-12, no
metaschema check); code scanning further needs a correct ruleIndex, repo-relative
percent-encoded uris, UTF-16 columns, stable fingerprints and at most 5,000 results.
"""

from __future__ import annotations

import io
import json
import subprocess
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import ROOT, SEED_EXPORT, SHARED, base_record, export_text, needs_seeds, run_cli

SCHEMA_PATH = SHARED / "sarif" / "sarif-schema-2.1.0.json"
pytestmark = pytest.mark.skipif(not SCHEMA_PATH.exists(), reason="../shared/sarif schema not present")


@lru_cache(maxsize=1)
def validator():
    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def assert_valid(log: dict) -> None:
    errors = sorted(validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def assert_github_constraints(log: dict) -> None:
    """What code scanning checks beyond the schema."""
    assert log["version"] == "2.1.0" and "$schema" in log and len(log["runs"]) == 1
    run = log["runs"][0]
    assert run["columnKind"] == "utf16CodeUnits"
    assert "results" in run
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for r in rules:
        assert r["shortDescription"]["text"] and len(r["fullDescription"]["text"]) <= 1024
        assert r["help"]["text"] and r["help"]["markdown"] and f"feedlint explain {r['id']}" in r["help"]["text"]
        assert len(r["fullDescription"]["text"]) <= 400 and len(json.dumps(r)) < 2500  # small: the rest is in `feedlint explain`
        assert "helpUri" not in r or r["helpUri"].startswith("https://")  # only where it resolves
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert len(r["properties"]["tags"]) <= 10
        assert r["properties"]["precision"] in ("very-high", "high", "medium", "low")
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert len(res["locations"]) == 1
        phys = res["locations"][0]["physicalLocation"]
        uri = phys["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "\\" not in uri and " " not in uri and uri.isascii()
        assert phys["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = phys["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
        assert res["partialFingerprints"]
        assert res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]


def sarif(*args: str, cwd: Path) -> tuple[dict, subprocess.CompletedProcess]:
    r = run_cli("check", "--format", "sarif", *args, cwd=cwd)
    assert r.returncode in (0, 1, 2), r.stderr
    log = json.loads(r.stdout)
    assert_valid(log)
    assert_github_constraints(log)
    return log, r


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def test_clean_export_has_empty_results_and_only_the_selected_rules(tmp_path):
    log, r = sarif("--select", "FL1", "examples/clean-export.json", cwd=ROOT)
    assert r.returncode == 0
    run = log["runs"][0]
    assert run["results"] == []
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["FL101", "FL102", "FL103"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "feedlint" and driver["semanticVersion"] and driver["informationUri"].startswith("http")
    assert run["invocations"][0]["executionSuccessful"] is True and run["invocations"][0]["exitCode"] == 0
    # short help from the rule's own doc: its first paragraph, and where the rest is
    fl101 = driver["rules"][0]
    explained = run_cli("explain", "FL101").stdout
    assert fl101["fullDescription"]["text"][:60] in " ".join(explained.split())
    assert fl101["help"]["markdown"].endswith("Options and examples: `feedlint explain FL101`")
    assert "helpUri" not in fl101  # the installed package names no published rules page: no uri that may not resolve


def test_all_selected_rules_are_listed_not_only_those_that_fired(tmp_path):
    from feedlint.registry import load_catalogue

    log, _ = sarif("examples/clean-export.json", cwd=ROOT)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    listed = run_cli("rules", cwd=tmp_path).stdout.splitlines()[1:]
    assert [r["id"] for r in rules] == [line.split()[0] for line in listed]
    assert len(rules) > len({res["ruleId"] for res in log["runs"][0]["results"]})
    declared = {r.id: r.security_severity for r in load_catalogue().rules}
    for r in rules:
        assert ("security-severity" in r["properties"]) == (declared[r["id"]] is not None), r["id"]


def test_results_locations_message_and_repo_relative_encoded_uri(tmp_path):
    repo = git_repo(tmp_path / "repo")
    sub = repo / "exports" / "نشر 2026"
    sub.mkdir(parents=True)
    rec = base_record(content_id=510009, portal_id=0, surprise=1)
    path = sub / "day one é.json"
    text = export_text([base_record(), rec])
    path.write_text(text, encoding="utf-8", newline="")
    # run from a subdirectory: uris must still be relative to the checkout root
    log, r = sarif("--select", "FL1", "day one é.json", cwd=sub)
    assert r.returncode == 1
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    by_rule = {res["ruleId"]: res for res in run["results"]}
    assert set(by_rule) == {"FL101", "FL103"}
    res = by_rule["FL101"]
    loc = res["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == quote("exports/نشر 2026/day one é.json")
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "exports/%D9%86%D8%B4%D8%B1%202026/day%20one%20%C3%A9.json"
    assert res["level"] == "error"
    assert "content_id 510009" in res["message"]["text"] and "/0/1/portal_id" in res["message"]["text"]
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "/0/1/portal_id"
    start = text.index('"portal_id":0', text.index('"content_id":510009')) + len('"portal_id":')
    assert loc["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": start + 1, "endLine": 1, "endColumn": start + 2, "charOffset": start, "charLength": 1,
    }
    note = by_rule["FL103"]
    assert note["level"] == "note" and "/0/1/surprise" in note["message"]["text"]


def test_columns_are_utf16_code_units_after_an_emoji(tmp_path):
    title = "Flood warning 🌊🌧 issued for the river valley"
    rec = base_record(content_title=title, content_score="three")
    text = export_text([rec])
    (tmp_path / "e.json").write_text(text, encoding="utf-8", newline="")
    log, _ = sarif("--select", "FL101", "e.json", cwd=tmp_path)
    (res,) = log["runs"][0]["results"]
    region = res["locations"][0]["physicalLocation"]["region"]
    start_cp = text.index('"three"')  # code points before the value
    before = text[:start_cp]
    start16 = len(before.encode("utf-16-le")) // 2
    assert start16 == start_cp + 2  # the two emoji are astral: 2 code units each
    assert region["startColumn"] == start16 + 1 and region["charOffset"] == start16
    assert region["endColumn"] == start16 + 1 + len('"three"') and region["charLength"] == len('"three"')
    # the JSON report keeps code-point columns, so the two differ exactly by the emoji
    data = json.loads(run_cli("check", "--format", "json", "--select", "FL101", "e.json", cwd=tmp_path).stdout)
    assert data[0]["column"] == start_cp + 1 and data[0]["column_utf16"] == region["startColumn"]


def _fingerprints(log: dict) -> dict:
    out = {}
    for res in log["runs"][0]["results"]:
        key = (res["ruleId"], res["properties"]["contentId"], res["properties"]["recordPointer"])
        out[key] = (res["partialFingerprints"], res["locations"][0]["physicalLocation"]["region"]["startLine"])
    return out


def test_fingerprints_survive_reordering_and_pretty_printing(tmp_path):
    records = [base_record(content_id=510000 + i, portal_id=0 if i % 2 else 3, extra_field=i) for i in range(1, 7)]
    (tmp_path / "a.json").write_text(export_text(records), encoding="utf-8")
    first = _fingerprints(sarif("--select", "FL1", "a.json", cwd=tmp_path)[0])
    (tmp_path / "a.json").write_text(export_text(list(reversed(records))), encoding="utf-8")
    reordered = _fingerprints(sarif("--select", "FL1", "a.json", cwd=tmp_path)[0])
    (tmp_path / "a.json").write_text(export_text(records, layout="array", pretty=True), encoding="utf-8")
    pretty = _fingerprints(sarif("--select", "FL1", "a.json", cwd=tmp_path)[0])
    assert len(first) == 9  # 3 wrong portal ids + 6 unknown fields
    assert {k: v[0] for k, v in first.items()} == {k: v[0] for k, v in reordered.items()} == {k: v[0] for k, v in pretty.items()}
    assert {v[1] for v in first.values()} == {1}  # one-line export: every finding on line 1
    assert len({v[1] for v in pretty.values()}) == 9  # ... but not once pretty-printed
    assert len({v[0]["feedlint/v1"] for v in first.values()}) == 9


def test_more_than_5000_results_keeps_the_most_severe_and_says_how_many_were_dropped(tmp_path):
    n = 5100
    records = [base_record(content_id=600000 + i, **{f"x{i}": 1}) for i in range(n)]  # one note each (FL103)
    for i in range(0, n, 500):
        records[i]["portal_id"] = 0  # 11 errors (FL101), spread through the file
    (tmp_path / "big.json").write_text(export_text(records), encoding="utf-8")
    log, r = sarif("--select", "FL1", "big.json", cwd=tmp_path)
    out = tmp_path / "big.sarif"
    run_cli("check", "--format", "sarif", "--select", "FL1", "-o", str(out), "big.json", cwd=tmp_path)
    assert r.returncode == 1 and out.stat().st_size < 10 * 1024 * 1024
    results = log["runs"][0]["results"]
    assert len(results) == 5000
    assert sum(res["level"] == "error" for res in results) == 11
    ids = [res["properties"]["contentId"] for res in results]
    assert ids == sorted(ids)  # still in file order
    (note,) = [n for n in log["runs"][0]["invocations"][0]["toolExecutionNotifications"] if n["descriptor"]["id"] == "results-truncated"]
    assert note["level"] == "warning" and "111 of 5111 results dropped" in note["message"]["text"]
    assert note["properties"]["dropped"] == 111


def test_input_error_is_an_error_notification_with_location_and_run_fails(tmp_path):
    (tmp_path / "ok.json").write_text(export_text([base_record(portal_id=0)]), encoding="utf-8")
    (tmp_path / "broken.json").write_text('[[{"content_id": 1,\n  "x": tru}]]', encoding="utf-8")
    log, r = sarif("--select", "FL1", "ok.json", "broken.json", cwd=tmp_path)
    assert r.returncode == 2
    inv = log["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False and inv["exitCode"] == 2
    (err,) = [n for n in inv["toolExecutionNotifications"] if n["level"] == "error"]
    phys = err["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "broken.json" and phys["region"]["startLine"] == 2
    assert len(log["runs"][0]["results"]) == 1  # the good file is still reported


def test_configured_severity_is_the_result_level_and_an_override(tmp_path):
    (tmp_path / "feedlint.toml").write_text('[rules.FL103]\nseverity = "error"\n', encoding="utf-8")
    (tmp_path / "e.json").write_text(export_text([base_record(surprise=1)]), encoding="utf-8")
    log, _ = sarif("--select", "FL1", "e.json", cwd=tmp_path)
    run = log["runs"][0]
    (res,) = run["results"]
    assert res["level"] == "error"
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["defaultConfiguration"]["level"] == "note"
    (ov,) = run["invocations"][0]["ruleConfigurationOverrides"]
    assert ov["descriptor"] == {"id": "FL103", "index": res["ruleIndex"]} and ov["configuration"]["level"] == "error"


def test_unused_suppression_is_a_configuration_notification(tmp_path):
    (tmp_path / "feedlint.toml").write_text('[[suppress]]\ncontent-id = 999\nreason = "old importer"\n', encoding="utf-8")
    (tmp_path / "e.json").write_text(export_text([base_record()]), encoding="utf-8")
    log, r = sarif("--select", "FL1", "e.json", cwd=tmp_path)
    notes = log["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["unused-suppression"]
    assert "content-id 999" in notes[0]["message"]["text"] and "old importer" in notes[0]["message"]["text"]
    assert "unused suppression" in r.stderr


# -- the reporter directly, for what the built-in rules cannot produce from the CLI -------------

def _reporter(rules, max_results=None):
    from feedlint.reporters.base import RunInfo
    from feedlint.reporters.sarif import SarifReporter

    buf = io.StringIO()
    rep = SarifReporter(buf)
    if max_results:
        rep.max_results = max_results
    rep.start(RunInfo("0.1.0", rules, ["x.json"], str(ROOT)))
    return rep, buf


def _summary(code=1):
    from feedlint.reporters.base import Summary

    return Summary(1, 1, exit_code=code)


def test_whole_file_finding_still_has_a_line_1_location_and_heap_stays_bounded():
    from feedlint.api import Hit, rule
    from feedlint.engine import ActiveRule
    from feedlint.model import Finding
    from feedlint.reader.positions import Region

    @rule("XT001", "byte-order-mark", "warning", scope="file", tags=("encoding",), security_severity=None)
    def bom(info, options):
        """The file starts with a byte-order mark."""
        yield Hit("", "file starts with a BOM")

    rep, buf = _reporter([ActiveRule(bom, "warning", {})], max_results=3)
    for i in range(10):
        rep.handle(Finding("XT001", "byte-order-mark", "warning", "file starts with a BOM", f"f{i}.json", None, None, "", "", Region.file_start()))
        assert len(rep._heap) <= 3
    rep.finish(_summary())
    log = json.loads(buf.getvalue())
    assert_valid(log)
    results = log["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == ["f0.json", "f1.json", "f2.json"]
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_security_severity_only_for_rules_that_declare_it():
    from feedlint.api import Hit, rule
    from feedlint.engine import ActiveRule
    from feedlint.reporters.sarif import rule_descriptor

    def check(record, options):
        yield Hit("", "")

    check.__doc__ = "An attachment path climbs out of the media root.\n\n" + "Long explanation. " * 100
    traversal = rule("XT002", "path-traversal", "error", security_severity=7.5, tags=tuple(f"t{i}" for i in range(15)))(check)
    d = rule_descriptor(ActiveRule(traversal, "error", {}), "https://example.invalid/")
    assert d["properties"]["security-severity"] == "7.5"
    assert len(d["properties"]["tags"]) == 10 and len(d["fullDescription"]["text"]) <= 1024


def test_whole_file_finding_from_the_cli_is_located_at_line_1(tmp_path):
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + export_text([base_record()]).encode("utf-8"))
    log, r = sarif("--select", "FL208", "bom.json", cwd=tmp_path)
    (res,) = log["runs"][0]["results"]
    assert res["ruleId"] == "FL208" and res["level"] == "note"
    phys = res["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "bom.json"
    assert phys["region"]["startLine"] == 1 and phys["region"]["startColumn"] == 1
    assert res["partialFingerprints"]["feedlint/v1"]


@needs_seeds()
def test_real_seed_export(tmp_path):
    text = SEED_EXPORT.read_text(encoding="utf-8")
    (tmp_path / "export.json").write_text(text, encoding="utf-8", newline="")
    log, r = sarif("--select", "FL201", "export.json", cwd=tmp_path)
    results = log["runs"][0]["results"]
    assert r.returncode == 1 and len(results) == 4  # &#39; &nbsp; &quot; &rsquo; in the plain-text body
    body = text.index('"content_body":') + len('"content_body":')
    for res, entity in zip(results, ("&#39;", "&nbsp;", "&quot;", "&rsquo;")):
        region = res["locations"][0]["physicalLocation"]["region"]
        start16 = len(text[: text.index(entity, body)].encode("utf-16-le")) // 2  # each at its first occurrence
        assert region["startLine"] == 1 and region["startColumn"] == start16 + 1 and region["charLength"] == len(entity)
        assert "content_id 418667" in res["message"]["text"] and "/0/0/content_body" in res["message"]["text"]
    assert len({res["partialFingerprints"]["feedlint/v1"] for res in results}) == 4
    full, _ = sarif("export.json", cwd=tmp_path)  # every rule listed, each small: the log was 179 KB with every rule's whole help
    rules = full["runs"][0]["tool"]["driver"]["rules"]
    assert len(json.dumps(rules, ensure_ascii=False, separators=(",", ":")).encode()) < 1500 * len(rules)  # measured: 62 KB for 49 rules


def test_help_uri_only_for_a_published_rules_page():
    from feedlint.engine import ActiveRule
    from feedlint.registry import load_catalogue
    from feedlint.reporters.sarif import rule_descriptor, rules_uri

    fl201 = next(r for r in load_catalogue(plugins=False).rules if r.id == "FL201")
    assert rules_uri() is None  # this package declares no "Rules" Project-URL
    assert "helpUri" not in rule_descriptor(ActiveRule(fl201, "warning", {}))
    d = rule_descriptor(ActiveRule(fl201, "warning", {}), "https://example.org/docs/rules.md")
    assert d["helpUri"] == "https://example.org/docs/rules.md#fl201-undecoded-entity"  # the heading's anchor in docs/rules.md
    assert "## FL201 undecoded-entity" in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def test_a_shared_token_group_is_one_result_with_related_locations_in_sarif_and_json(tmp_path):
    """FL606: one result at the group's first member; the others (capped by related-max) as relatedLocations
    in SARIF and as the finding's ``related`` list in JSON (valid against the report schema), at their tokens."""
    import jsonschema

    recs = []
    for i in range(4):
        rec = base_record(content_id=510001 + i, content_title=f"Title {i}", content_body=f"Body {i}.")
        recs.append(rec)
    text = export_text(recs, pretty=True)
    (tmp_path / "e.json").write_text(text, encoding="utf-8", newline="")
    token = '"token": 2718281828'
    starts = [i for i in range(len(text)) if text.startswith(token, i)]
    places = [(text.count("\n", 0, s) + 1, s + len('"token": ') - text.rfind("\n", 0, s)) for s in starts]
    assert len(places) == 4
    log, _ = sarif("--select", "FL606", "e.json", cwd=tmp_path)
    results = log["runs"][0]["results"]
    assert len(results) == 1
    res = results[0]
    assert "used by 4 records" in res["message"]["text"]
    assert (res["locations"][0]["physicalLocation"]["region"]["startLine"], res["locations"][0]["physicalLocation"]["region"]["startColumn"]) == places[0]
    related = res["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2, 3]
    assert [(r["physicalLocation"]["region"]["startLine"], r["physicalLocation"]["region"]["startColumn"]) for r in related] == places[1:]
    assert [r["properties"]["contentId"] for r in related] == [510002, 510003, 510004]
    assert related[0]["message"]["text"] == "also content_id 510002 at /0/1/attaches/0/token"
    capped, _ = sarif("--select", "FL606", "--config", str(_config(tmp_path, 'related-max = 1')), "e.json", cwd=tmp_path)
    assert len(capped["runs"][0]["results"][0]["relatedLocations"]) == 1
    r = run_cli("check", "--format", "json", "--select", "FL606", "e.json", cwd=tmp_path)
    data = json.loads(r.stdout)
    jsonschema.Draft202012Validator(json.loads((ROOT / "schemas" / "feedlint-report.schema.json").read_text())).validate(data)
    assert len(data) == 1 and data[0]["fingerprint"] == res["partialFingerprints"]["feedlint/v1"]
    assert [(d["file"], d["record"], d["content_id"], d["pointer"], d["line"], d["column"]) for d in data[0]["related"]] == [
        ("e.json", i, 510001 + i, f"/0/{i}/attaches/0/token", *places[i]) for i in (1, 2, 3)
    ]
    text_out = run_cli("check", "--select", "FL606", "e.json", cwd=tmp_path).stdout
    assert [line.split(": ")[1].split()[0] for line in text_out.splitlines() if line.startswith("e.json:")] == ["FL606"] and "used by 4 records" in text_out and "By rule: FL606 ×1." in text_out


def _config(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "cfg" / "capped.toml"  # not the working directory's feedlint.toml: only the run that names it uses it
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"[rules.FL606]\n{line}\n", encoding="utf-8")
    return path
