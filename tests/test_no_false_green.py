"""No false green (issue 13): every format says which inputs were skipped and why; a run that
checked no record exits 2 unless the caller opted in; non-object records in an export's pages
are FL101 findings at their position, never a skip.  End to end through the installed CLI.
"""

from __future__ import annotations

import json

from conftest import base_record, export_text, line_col, run_cli
from test_sarif import SCHEMA_PATH, assert_valid

PACKAGE = '{"name": "site", "version": "1.0.0"}'


def _skip_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if "package.json: skipped: not a CMS export" in ln]


def test_only_a_non_export_is_exit_2_with_one_line_reason(tmp_path):
    (tmp_path / "package.json").write_text(PACKAGE)
    r = run_cli("check", "package.json", cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "All checks passed" not in r.stdout
    assert "No record checked (0 files, 0 records, 1 file skipped)." in r.stdout
    assert len(_skip_lines(r.stdout)) == 1
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("feedlint: error:")]
    assert errors == ["feedlint: error: no record was checked (1 input skipped); pass --allow-no-records (config allow-no-records = true) if that is expected"]
    # -q prints no summary, but the skip and the reason still reach stderr: never a silent pass
    r = run_cli("check", "-q", "package.json", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert len(_skip_lines(r.stderr)) == 1 and "no record was checked" in r.stderr


def test_allow_no_records_flag_and_config_key(tmp_path):
    (tmp_path / "package.json").write_text(PACKAGE)
    r = run_cli("check", "--allow-no-records", "package.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "All checks passed (0 files, 0 records, 1 file skipped)." in r.stdout and _skip_lines(r.stdout)
    (tmp_path / "feedlint.toml").write_text("allow-no-records = true\n")
    r = run_cli("check", "--format", "json", "package.json", cwd=tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout) == []
    assert len(_skip_lines(r.stderr)) == 1  # still said
    (tmp_path / "feedlint.toml").write_text('allow-no-records = "yes"\n')
    r = run_cli("check", "package.json", cwd=tmp_path)
    assert r.returncode == 2 and "config key 'allow-no-records' must be a bool" in r.stderr


def test_empty_export_checked_no_record(tmp_path):
    (tmp_path / "empty.json").write_text("[]")
    r = run_cli("check", "empty.json", cwd=tmp_path)
    assert r.returncode == 2
    assert "no record was checked (1 file without records)" in r.stderr
    assert run_cli("check", "--allow-no-records", "empty.json", cwd=tmp_path).returncode == 0


def test_skipped_input_beside_checked_ones_is_stated_not_fatal(write_export, tmp_path):
    write_export([base_record()])
    (tmp_path / "package.json").write_text(PACKAGE)
    r = run_cli("check", "export.json", "package.json", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed (1 file, 1 record, 1 file skipped)." in r.stdout
    assert _skip_lines(r.stdout) and not _skip_lines(r.stderr)  # said once, in the report


def test_json_sarif_github_state_the_skip(write_export, tmp_path):
    write_export([base_record(portal_id=0)])
    (tmp_path / "package.json").write_text(PACKAGE)
    r = run_cli("check", "--format", "json", "export.json", "package.json", cwd=tmp_path)
    assert r.returncode == 1 and [f["rule"] for f in json.loads(r.stdout)] == ["FL101"]
    assert _skip_lines(r.stderr) == ["feedlint: warning: package.json: skipped: not a CMS export (none of the profiles cms, wordpress, ghost, jsonfeed fits its top-level json-lines records)"]

    r = run_cli("check", "--format", "sarif", "export.json", "package.json", cwd=tmp_path)
    log = json.loads(r.stdout)
    if SCHEMA_PATH.exists():
        assert_valid(log)
    run = log["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    skip = [n for n in notes if n["descriptor"]["id"] == "input-skipped"]
    assert len(skip) == 1 and skip[0]["level"] == "warning"
    assert skip[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "package.json"
    assert skip[0]["properties"]["reason"].startswith("not a CMS export")
    assert run["properties"]["files"] == 1 and run["properties"]["skipped"] == 1
    assert _skip_lines(r.stderr)  # and on stderr, as for every format but text on the terminal

    r = run_cli("check", "--format", "github", "export.json", "package.json", cwd=tmp_path)
    assert "::warning file=package.json,title=feedlint skipped input::skipped: not a CMS export" in r.stdout
    assert "in 1 file, 1 record, 1 file skipped" in r.stdout


def test_sarif_and_github_state_a_run_that_checked_nothing(tmp_path):
    (tmp_path / "package.json").write_text(PACKAGE)
    r = run_cli("check", "--format", "sarif", "package.json", cwd=tmp_path)
    assert r.returncode == 2
    log = json.loads(r.stdout)
    if SCHEMA_PATH.exists():
        assert_valid(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    ids = {n["descriptor"]["id"]: n for n in invocation["toolExecutionNotifications"]}
    assert ids["no-records-checked"]["level"] == "error" and "no record was checked" in ids["no-records-checked"]["message"]["text"]
    r = run_cli("check", "--format", "github", "package.json", cwd=tmp_path)
    assert r.returncode == 2 and "::error title=feedlint::no record was checked" in r.stdout


def test_non_object_records_in_pages_are_fl101_at_their_position(tmp_path):
    text = '[[1, "x", null]]'
    (tmp_path / "odd.json").write_text(text)
    r = run_cli("check", "--format", "json", "odd.json", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "skipped" not in r.stderr
    found = json.loads(r.stdout)
    assert [(f["rule"], f["pointer"], f["record"]) for f in found] == [("FL101", "/0/0", 0), ("FL101", "/0/1", 1), ("FL101", "/0/2", 2)]
    for f, token in zip(found, ("1", '"x"', "null")):
        assert (f["line"], f["column"]) == line_col(text, text.index(token))
        assert f["length"] == len(token)
    assert [f["message"] for f in found] == ["expected object, got integer 1", 'expected object, got string "x"', "expected object, got null"]
    # the look-alike: records that are objects in the same layout are checked as usual and pass
    (tmp_path / "fine.json").write_text(export_text([base_record()]))
    assert run_cli("check", "fine.json", cwd=tmp_path).returncode == 0


def _json_report_schema():
    """The json-report schema with the findings schema it refers to, resolved locally."""
    import jsonschema
    from referencing import Registry, Resource

    from conftest import ROOT

    load = lambda name: json.loads((ROOT / "schemas" / name).read_text())
    findings, report = load("feedlint-report.schema.json"), load("feedlint-json-report.schema.json")
    registry = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in (findings, report)])
    return jsonschema.Draft202012Validator(report, registry=registry)


def test_json_report_states_the_skip_and_the_counts(write_export, tmp_path):
    write_export([base_record(portal_id=0)])
    (tmp_path / "package.json").write_text(PACKAGE)
    r = run_cli("check", "--format", "json-report", "export.json", "package.json", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    report = json.loads(r.stdout)
    _json_report_schema().validate(report)
    plain = json.loads(run_cli("check", "--format", "json", "export.json", "package.json", cwd=tmp_path).stdout)
    assert report["findings"] == plain  # the same entries as --format json, byte for byte once parsed
    summary = report["summary"]
    assert summary["skipped"] == [{"file": "package.json", "reason": "not a CMS export (none of the profiles cms, wordpress, ghost, jsonfeed fits its top-level json-lines records)"}]
    assert (summary["exit_code"], summary["files"], summary["records"], summary["findings"]) == (1, 1, 1, 1)
    assert summary["by_rule"] == {"FL101": 1} and summary["no_records"] is None and summary["profiles"] == {"export.json": "cms"}


def test_json_report_of_a_run_that_checked_nothing_says_why(tmp_path):
    (tmp_path / "package.json").write_text(PACKAGE)
    r = run_cli("check", "--format", "json-report", "package.json", cwd=tmp_path)
    assert r.returncode == 2
    report = json.loads(r.stdout)
    _json_report_schema().validate(report)
    summary = report["summary"]
    assert report["findings"] == [] and summary["exit_code"] == 2 and summary["errors"] == []
    assert [s["file"] for s in summary["skipped"]] == ["package.json"]
    assert summary["no_records"].startswith("no record was checked (1 input skipped)")
    # opting in keeps the reason out, and the skip in
    r = run_cli("check", "--format", "json-report", "--allow-no-records", "package.json", cwd=tmp_path)
    summary = json.loads(r.stdout)["summary"]
    assert r.returncode == 0 and summary["no_records"] is None and len(summary["skipped"]) == 1
    # an unreadable input: its error, with the position, in the report (exit 2)
    (tmp_path / "broken.json").write_text('[{"content_id": 1,')
    r = run_cli("check", "--format", "json-report", "broken.json", cwd=tmp_path)
    report = json.loads(r.stdout)
    _json_report_schema().validate(report)
    assert r.returncode == 2 and report["summary"]["exit_code"] == 2 and report["summary"]["unreadable"] == 1
    [error] = report["summary"]["errors"]
    assert error["file"] == "broken.json" and error["line"] == 1 and error["column"] >= 1 and error["message"]


def test_junit_and_gitlab_state_the_skip(write_export, tmp_path):
    from lxml import etree

    from conftest import ROOT

    write_export([base_record()])
    (tmp_path / "package.json").write_text(PACKAGE)
    r = run_cli("check", "--format", "junit", "export.json", "package.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    xml = etree.fromstring(r.stdout.encode())
    etree.XMLSchema(etree.parse(str(ROOT / "tests" / "fixtures" / "junit.xsd"))).assertValid(xml)
    suite = xml.find("testsuite[@name='package.json']")
    assert suite is not None and (suite.get("tests"), suite.get("skipped")) == ("1", "1")
    assert suite.find("testcase/skipped").get("message").startswith("not checked: not a CMS export")
    assert xml.find("testsuite[@name='export.json']").get("skipped") == "0"

    r = run_cli("check", "--format", "gitlab", "export.json", "package.json", cwd=tmp_path)
    issues = json.loads(r.stdout)
    assert [(i["check_name"], i["severity"], i["location"]["path"]) for i in issues] == [("feedlint input-skipped", "info", "package.json")]
    assert issues[0]["description"].startswith("not checked: not a CMS export")


def test_junit_fails_a_run_that_checked_nothing(tmp_path):
    from lxml import etree

    (tmp_path / "package.json").write_text(PACKAGE)
    r = run_cli("check", "--format", "junit", "package.json", cwd=tmp_path)
    assert r.returncode == 2
    xml = etree.fromstring(r.stdout.encode())
    errors = xml.findall("testsuite[@name='feedlint']/testcase/error")
    assert len(errors) == 1 and "no record was checked" in errors[0].get("message")
    assert xml.get("errors") == "1" and xml.find("testsuite[@name='package.json']").get("skipped") == "1"


JSONC = '{\n  // the site\'s TypeScript settings\n  "compilerOptions": {"strict": true}\n}\n'
JSONC_REASON = "skipped: JSON with comments (JSONC, as tsconfig.json and editor settings write it), not an export: a comment at"


def test_json_with_comments_is_skipped_as_no_export_not_an_input_error(write_export, tmp_path):
    """tsconfig.json, editor settings: JSONC is no export; the pre-commit hooks pass over it (they see every *.json)."""
    (tmp_path / "tsconfig.json").write_text(JSONC)
    (tmp_path / "settings.json").write_text('/* editor settings */\n{"tabSize": 2}\n')
    alone = run_cli("check", "tsconfig.json", cwd=tmp_path)
    assert alone.returncode == 2 and "No record checked (0 files, 0 records, 1 file skipped)." in alone.stdout, alone.stdout + alone.stderr
    assert f"tsconfig.json: {JSONC_REASON} 2:3" in alone.stdout and "invalid JSON" not in alone.stderr
    hook = run_cli("check", "--allow-no-records", "tsconfig.json", "settings.json", cwd=tmp_path)
    assert hook.returncode == 0 and f"settings.json: {JSONC_REASON} 1:1" in hook.stdout, hook.stdout + hook.stderr
    write_export([base_record()], name="export.json")
    beside = run_cli("check", "--format", "sarif", ".", cwd=tmp_path)
    assert beside.returncode == 0, beside.stderr
    notes = [n["message"]["text"] for inv in json.loads(beside.stdout)["runs"][0]["invocations"] for n in inv.get("toolExecutionNotifications", [])]
    assert sum(JSONC_REASON in n for n in notes) == 2, notes


def test_a_comment_after_the_first_record_is_the_input_error_it_is(write_export, tmp_path):
    path = write_export([base_record(content_id=1), base_record(content_id=2)], layout="array", pretty=True)
    text = path.read_text()
    at = text.index('  {\n    "content_id": 2')
    path.write_text(text[:at] + "  // a note left in the export\n" + text[at:])
    r = run_cli("check", path.name, cwd=tmp_path)
    line, column = line_col(path.read_text(), at + 2)
    assert r.returncode == 2 and r.stderr.splitlines()[0].startswith(f"{path.name}:{line}:{column}: invalid JSON"), r.stderr
    assert "(a comment: JSON has none)" in r.stderr and "skipped" not in r.stdout + r.stderr


def test_a_lone_slash_at_the_end_of_a_file_is_a_one_line_error(tmp_path):
    """A "/" that could start a comment but ends the file: the error it is, never a traceback."""
    for name, content, at in (("slash.json", "/", "1:1"), ("open.json", "[/", "1:2"), ("object.json", '{"content_id": 1, /', "1:19")):
        (tmp_path / name).write_text(content)
        r = run_cli("check", name, cwd=tmp_path)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.splitlines()[0].startswith(f"{name}:{at}: ") and len(r.stderr.splitlines()) == 1, r.stderr

