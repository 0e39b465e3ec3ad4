"""JUnit XML and GitLab Code Quality through the installed CLI, checked as their consumers read them.

JUnit: valid against tests/fixtures/junit.xsd (the structure the Jenkins xUnit plugin's
junit-10.xsd defines) and read back with junitparser, as CI dashboards parse reports.
GitLab: the fields GitLab's Code Quality widget requires, with its severity vocabulary.
"""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, SEED_ARTICLE, SEED_EXPORT, base_record, export_text, line_col, needs_seeds, run_cli

XSD = ROOT / "tests" / "fixtures" / "junit.xsd"


def write(tmp_path, name="export.json", records=None):
    p = tmp_path / name
    p.write_text(export_text(records or [base_record()]), encoding="utf-8", newline="")
    return p


def junit(*args, cwd):
    r = run_cli("check", "--format", "junit", *args, cwd=cwd)
    assert r.returncode in (0, 1, 2), r.stderr
    from lxml import etree

    doc = etree.fromstring(r.stdout.encode("utf-8"))
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(doc), schema.error_log
    return r, doc


def test_junit_one_suite_per_file_one_case_per_rule_failures_located(tmp_path):
    write(tmp_path, "bad.json", [base_record(content_body="Iran&#39;s plan", portal_id=0)])
    write(tmp_path, "good.json")
    text = (tmp_path / "bad.json").read_text(encoding="utf-8")
    r, doc = junit("--select", "FL1,FL2", "bad.json", "good.json", cwd=tmp_path)
    assert r.returncode == 1
    suites = doc.findall("testsuite")
    assert [s.get("name") for s in suites] == ["bad.json", "good.json"]
    for s in suites:
        cases = s.findall("testcase")
        assert len(cases) == int(s.get("tests")) and {c.get("classname") for c in cases} == {s.get("name")}
        assert [c.get("name").split()[0] for c in cases][:3] == ["FL101", "FL102", "FL103"]
    bad = {c.get("name"): c for c in suites[0].findall("testcase")}
    failure = bad["FL201 undecoded-entity"].find("failure")
    assert failure.get("type") == "warning" and failure.get("message") == "1 finding of FL201 undecoded-entity"
    line, col = line_col(text, text.index("&#39;"))
    assert failure.text.startswith(f"bad.json:{line}:{col}: FL201 [content_id 510001] /0/0/content_body: undecoded entity")
    assert bad["FL101 schema-violation"].find("failure").get("type") == "error"
    assert bad["FL202 double-encoded-entity"].find("failure") is None  # a rule that found nothing passes
    assert suites[0].get("failures") == "2" and suites[1].get("failures") == "0"
    assert doc.get("failures") == "2" and doc.get("tests") == str(2 * len(bad))


def test_junit_read_by_junitparser_as_a_dashboard_does(tmp_path):
    junitparser = pytest.importorskip("junitparser")
    write(tmp_path, "bad.json", [base_record(content_body="Iran&#39;s plan &nbsp;")])
    (tmp_path / "report.xml").write_text(run_cli("check", "--format", "junit", "--select", "FL2", "bad.json", cwd=tmp_path).stdout, encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "report.xml"))
    suites = list(xml)
    assert [s.name for s in suites] == ["bad.json"] and suites[0].tests == len(list(suites[0])) and suites[0].failures == 1
    failed = [c for c in suites[0] if not c.is_passed]
    assert [c.name for c in failed] == ["FL201 undecoded-entity"] and failed[0].classname == "bad.json"
    (result,) = failed[0].result
    assert isinstance(result, junitparser.Failure) and result.type == "warning" and result.message == "2 findings of FL201 undecoded-entity"
    assert len(result.text.splitlines()) == 2


def test_junit_notes_below_fail_on_do_not_fail_and_unreadable_file_is_an_error(tmp_path):
    write(tmp_path, "note.json", [base_record(surprise=1)])
    (tmp_path / "cut.json").write_text('[[{"content_id": 1', encoding="utf-8")
    r, doc = junit("--select", "FL103", "note.json", "cut.json", cwd=tmp_path)
    assert r.returncode == 2
    note, cut = doc.findall("testsuite")
    case = note.find("testcase")
    assert case.find("failure") is None and "FL103" in case.find("system-out").text  # listed, not failing: as the exit code
    assert cut.get("errors") == "1" and cut.find("testcase/error").get("type") == "input-error"
    assert "cut.json" in cut.find("testcase/error").get("message")


def test_junit_control_character_in_a_message_stays_valid_xml(tmp_path):
    write(tmp_path, "ctl.json", [base_record(content_title="A\x01B")])
    r, doc = junit("--select", "FL206", "ctl.json", cwd=tmp_path)
    assert "\\x01" in doc.find("testsuite/testcase/failure").text


def test_gitlab_code_quality_fields_as_gitlab_reads_them(tmp_path):
    write(tmp_path, "bad.json", [base_record(content_body="Iran&#39;s plan", portal_id=0, surprise=1)])
    r = run_cli("check", "--format", "gitlab", "--select", "FL1,FL2", "--fail-on", "error", "bad.json", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    issues = json.loads(r.stdout)
    by = {i["check_name"].split()[0]: i for i in issues}
    assert set(by) == {"FL101", "FL103", "FL201"}
    for i in issues:
        assert isinstance(i["description"], str) and i["description"]
        assert len(i["fingerprint"]) == 32 and i["location"]["path"] == "bad.json"
        assert isinstance(i["location"]["lines"]["begin"], int) and i["location"]["lines"]["begin"] >= 1
        assert i["severity"] in ("info", "minor", "major", "critical", "blocker")
    assert (by["FL101"]["severity"], by["FL201"]["severity"], by["FL103"]["severity"]) == ("major", "minor", "info")
    assert by["FL201"]["check_name"] == "FL201 undecoded-entity"
    assert by["FL201"]["description"].startswith("[content_id 510001] /0/0/content_body: undecoded entity")
    js = {f["rule"]: f["fingerprint"] for f in json.loads(run_cli("check", "--format", "json", "--select", "FL1,FL2", "bad.json", cwd=tmp_path).stdout)}
    assert {k: v["fingerprint"] for k, v in by.items()} == js  # the same identity as in JSON, SARIF and baselines
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_repeated_fingerprint_made_unique_and_security_rule_critical(tmp_path):
    from feedlint.reporters.gitlab import severity

    rec = base_record()
    (tmp_path / "a.json").write_text(export_text([rec, rec]), encoding="utf-8")  # the same record twice: same fingerprints
    issues = json.loads(run_cli("check", "--format", "gitlab", "--select", "FL601", "a.json", cwd=tmp_path).stdout)
    assert issues and len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab would drop repeats
    assert severity("error", 7.5) == "critical" and severity("error", 9.1) == "blocker" and severity("note", None) == "info"


def test_formats_are_entry_point_plugins():
    from feedlint.entry_points import entry_points

    names = {ep.name: ep.value for ep in entry_points("feedlint.reporters")}
    assert names["junit"] == "feedlint.reporters.junit:JunitReporter"
    assert names["gitlab"] == "feedlint.reporters.gitlab:GitlabReporter"


@needs_seeds()
def test_seed_files_in_every_format_say_the_same_summary(tmp_path):
    args = (str(SEED_EXPORT), str(SEED_ARTICLE))
    text = run_cli("check", *args).stdout.splitlines()
    github = run_cli("check", "--format", "github", *args).stdout.splitlines()
    assert github[-1] == "feedlint: " + text[-1]
    assert text[-1].startswith("Found 5 findings (5 warnings) in 2 files, 2 records.")
    assert not any("“" in line for line in text)  # one quoting style: straight double quotes
    assert text[-2].endswith(': FL701 trailer line 1: link text "Source link" has no link target (the URL was lost in the export)')


def test_explain_shows_what_an_example_changes():
    fl102 = run_cli("explain", "FL102").stdout
    assert "{}" not in fl102
    assert 'Bad (reported): a record without its headline\n    A complete record without "content_title".' in fl102
    assert "Good (not reported): every field present\n    A complete record, every field present and valid." in fl102
    fl513 = run_cli("explain", "FL513").stdout
    assert 'With the option media-root = "/": a complete record' in fl513
    fl201 = run_cli("explain", "FL201").stdout
    assert 'A complete record with these fields:\n\n    {\n      "content_body": "Iran&#39;s president said&nbsp;no."\n    }' in fl201
