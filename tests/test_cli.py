"""The command line end to end, as a subprocess: exit codes, formats, errors, config."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, SEED_EXPORT, base_record, export_text, needs_seeds, run_cli


def test_version():
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("feedlint ")


def test_clean_example_passes():
    r = run_cli("check", str(ROOT / "examples" / "clean-export.json"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed (1 file, 3 records)" in r.stdout


def test_schema_violation_text_format_and_exit_1(write_export, tmp_path):
    p = write_export([base_record(), base_record(content_id="510009")])
    r = run_cli("check", "export.json", cwd=tmp_path)
    assert r.returncode == 1
    line = next(x for x in r.stdout.splitlines() if " FL101 " in x)  # after FL602 on record 0: text output is in position order
    text = p.read_text()
    col = text.index('"510009"') + 1
    assert line.startswith(f"export.json:1:{col}: FL101 [content_id 510009] /0/1/content_id: expected integer")


def test_json_format_fields(write_export, tmp_path):
    write_export([base_record(portal_id=0)])
    r = run_cli("check", "--format", "json", "export.json", cwd=tmp_path)
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert isinstance(data, list) and len(data) == 1
    f = data[0]
    for key in ("rule", "name", "severity", "message", "file", "record", "content_id", "pointer", "line", "column", "end_line", "end_column", "column_utf16", "end_column_utf16", "fingerprint"):
        assert key in f
    assert f["rule"] == "FL101" and f["pointer"] == "/0/0/portal_id" and f["content_id"] == 510001


def test_missing_field_at_parent_and_unknown_field_at_key(write_export, tmp_path):
    rec = base_record(surprise=1)
    del rec["content_title"]
    p = write_export([rec], layout="array", pretty=True)
    r = run_cli("check", "--format", "json", "--fail-on", "error", str(p))
    data = json.loads(r.stdout)
    by = {f["rule"]: f for f in data}
    assert by["FL102"]["pointer"] == "/0" and "content_title" in by["FL102"]["message"]
    assert by["FL102"]["line"] == 2 and by["FL102"]["column"] == 3
    assert by["FL103"]["severity"] == "note" and by["FL103"]["pointer"] == "/0/surprise"
    text = p.read_text().splitlines()
    assert text[by["FL103"]["line"] - 1][by["FL103"]["column"] - 1 :].startswith('"surprise"')


def test_fail_on_controls_exit_code(write_export, tmp_path):
    write_export([base_record(surprise=1)])  # only a note
    assert run_cli("check", "export.json", cwd=tmp_path).returncode == 0
    assert run_cli("check", "--fail-on", "note", "export.json", cwd=tmp_path).returncode == 1
    write_export([base_record(portal_id="x")])
    assert run_cli("check", "--fail-on", "never", "export.json", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    "content,fragment",
    [
        ('[{"content_id": 1,}]', ":1:19: invalid JSON"),
        ("", ":1:1: empty file"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_other_files_still_checked(tmp_path, content, fragment):
    (tmp_path / "bad.json").write_text(content)
    (tmp_path / "good.json").write_text(export_text([base_record(portal_id=-1)]))
    r = run_cli("check", "bad.json", "good.json", cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    err_lines = [ln for ln in r.stderr.splitlines() if "bad.json" in ln]
    assert len(err_lines) == 1 and fragment in err_lines[0] and err_lines[0].startswith("bad.json:")
    assert "good.json:1:" in r.stdout  # the other file was still checked


def test_invalid_utf8_and_missing_file(tmp_path):
    (tmp_path / "latin.json").write_bytes(b'[{"content_title": "caf\xe9"}]')
    r = run_cli("check", "latin.json", "nope.json", cwd=tmp_path)
    assert r.returncode == 2
    assert "latin.json:1:24: invalid UTF-8" in r.stderr
    assert "nope.json: no such file" in r.stderr
    assert "Traceback" not in r.stderr


def test_directory_recursion_and_non_export_json_skipped(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text(export_text([base_record(portal_id=0)]))
    (tmp_path / "sub" / "b.jsonl").write_text(export_text([base_record()], layout="jsonl"))
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    (tmp_path / "notes.txt").write_text("not looked at")
    r = run_cli("check", ".", cwd=tmp_path)
    assert r.returncode == 1
    assert "sub/a.json:1:" in r.stdout
    assert "package.json: skipped: not a CMS export" in r.stdout  # in the text summary
    assert "2 files, 2 records, 1 file skipped" in r.stdout


def test_stdin(tmp_path):
    r = run_cli("check", "-", input=export_text([base_record(lang_id="English")]))
    assert r.returncode == 1 and r.stdout.startswith("<stdin>:1:")


def test_output_written_atomically_and_stdout_empty(write_export, tmp_path):
    write_export([base_record(portal_id=0)])
    r = run_cli("check", "--format", "json", "-o", "report.json", "export.json", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert json.loads((tmp_path / "report.json").read_text())[0]["rule"] == "FL101"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".feedlint-")]


def test_unknown_format_and_selector_are_usage_errors(write_export, tmp_path):
    write_export([base_record()])
    r = run_cli("check", "--format", "yaml", "export.json", cwd=tmp_path)
    assert r.returncode == 2 and "unknown output format 'yaml'" in r.stderr
    r = run_cli("check", "--select", "FL999", "export.json", cwd=tmp_path)
    assert r.returncode == 2 and "FL999" in r.stderr


def test_config_file_select_severity_options_and_unknown_key(write_export, tmp_path):
    write_export([base_record(surprise=1)])
    (tmp_path / "feedlint.toml").write_text('[rules.FL103]\nseverity = "error"\n')
    r = run_cli("check", "--format", "json", "export.json", cwd=tmp_path)
    assert r.returncode == 1 and json.loads(r.stdout)[0]["severity"] == "error"
    (tmp_path / "feedlint.toml").write_text('selct = ["FL1"]\n')
    r = run_cli("check", "export.json", cwd=tmp_path)
    assert r.returncode == 2 and "unknown config key 'selct'" in r.stderr and "feedlint.toml" in r.stderr
    (tmp_path / "feedlint.toml").write_text('[rules.FL101]\nbogus = 1\n')
    r = run_cli("check", "export.json", cwd=tmp_path)
    assert r.returncode == 2 and "FL101" in r.stderr and "'bogus'" in r.stderr


def test_pyproject_config_and_suppress_by_content_id(write_export, tmp_path):
    write_export([base_record(portal_id=0), base_record(content_id=510002, portal_id=0)])
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.feedlint]\n'
        '[[tool.feedlint.suppress]]\ncontent-id = 510001\nrules = ["FL101"]\nreason = "legacy portal"\n'
        '[[tool.feedlint.suppress]]\ncontent-id = 999\nreason = "gone"\n'
    )
    # --ignore FL6: two copies of one record under two ids are also a duplicate article (FL602) and share a token (FL606)
    r = run_cli("check", "--format", "json", "--ignore", "FL6", "export.json", cwd=tmp_path)
    ids = [f["content_id"] for f in json.loads(r.stdout)]
    assert ids == [510002]
    assert "unused suppression (content-id 999): gone" in r.stderr


def test_per_file_ignores(write_export, tmp_path):
    write_export([base_record(portal_id=0)], name="legacy-1.json")
    (tmp_path / "feedlint.toml").write_text('[per-file-ignores]\n"legacy-*.json" = ["FL1"]\n')
    r = run_cli("check", "legacy-1.json", cwd=tmp_path)
    assert r.returncode == 0, r.stdout


def test_user_schema_replaces_bundled(write_export, tmp_path):
    write_export([base_record()])
    (tmp_path / "strict.json").write_text(json.dumps({"type": "object", "required": ["content_kicker"]}))
    r = run_cli("check", "--schema", "strict.json", "--format", "json", "export.json", cwd=tmp_path)
    data = json.loads(r.stdout)
    assert [f["rule"] for f in data] == ["FL102"] and "content_kicker" in data[0]["message"]
    (tmp_path / "broken.json").write_text("{nope")
    r = run_cli("check", "--schema", "broken.json", "export.json", cwd=tmp_path)
    assert r.returncode == 2 and "broken.json:1:2: schema is not valid JSON" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "schemas").glob("*.schema.json")))
def test_bundled_schemas_are_valid_json_schemas(name):
    """Vetted here once: the loader does not check the bundled CMS schema against its metaschema in every process (every bundled schema, a new one too)."""
    import jsonschema

    assert {"cms-export.schema.json", "ghost-post.schema.json", "jsonfeed-item.schema.json", "wordpress.schema.json"} <= {p.name for p in (ROOT / "schemas").glob("*.schema.json")}
    schema = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator).check_schema(schema)


def test_a_users_invalid_json_schema_is_still_a_setup_error(tmp_path):
    from feedlint.rules._schema_loader import SchemaSetupError, compiled

    (tmp_path / "bad.json").write_text(json.dumps({"type": 5}))
    with pytest.raises(SchemaSetupError, match="invalid JSON Schema"):
        compiled(str(tmp_path / "bad.json"), False)


def test_rules_and_explain():
    r = run_cli("rules")
    assert r.returncode == 0 and "FL101" in r.stdout and "schema-violation" in r.stdout
    r = run_cli("explain", "FL102")
    assert r.returncode == 0 and "missing-field" in r.stdout and "Bad (reported)" in r.stdout
    r = run_cli("explain", "FL999")
    assert r.returncode == 2


@needs_seeds()
def test_seed_export_schema_clean():
    r = run_cli("check", "--select", "FL1", str(SEED_EXPORT))
    assert r.returncode == 0, r.stdout


def test_closed_pipe_is_quiet(tmp_path):
    import subprocess

    from conftest import feedlint_cmd

    records = [base_record(content_id=i, portal_id=0) for i in range(1, 400)]
    (tmp_path / "many.json").write_text(export_text(records))
    cmd = " ".join(feedlint_cmd()) + " check --select FL101 many.json | head -1"
    r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.stdout.count("\n") == 1
    assert "Traceback" not in r.stderr and "Broken pipe" not in r.stderr


def test_unreadable_schema_is_one_error_line_and_no_pass_summary(write_export, tmp_path):
    write_export([base_record()])
    (tmp_path / "latin.json").write_bytes(b'{"description": "caf\xe9"}')
    r = run_cli("check", "--schema", "latin.json", "export.json", cwd=tmp_path)
    assert r.returncode == 2
    assert "All checks passed" not in r.stdout
    lines = [ln for ln in r.stderr.splitlines() if "latin.json" in ln]
    assert lines == [f"feedlint: error: rules FL101, FL102, FL103: {tmp_path / 'latin.json'}: cannot read schema: not UTF-8 (byte 0xe9 at byte offset 20)"]
    assert "Traceback" not in r.stderr and "crashed" not in r.stderr


def test_directory_without_exports_is_a_usage_error_not_a_pass(tmp_path):
    (tmp_path / "notes.txt").write_text("an article, but only found when named")
    r = run_cli("check", ".", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("feedlint: error: no export files found in .") and "*.jsonl" in r.stderr
    assert run_cli("check", "notes.txt", cwd=tmp_path).returncode in (0, 1)


def test_json_reporter_writes_what_orjson_cannot_with_the_standard_library():
    import json

    from feedlint.reporters.jsonfmt import dumps

    value = {"content_id": 123456789012345678901234567890, "message": "caf\u00e9 \U0001F600", "n": None}
    assert json.loads(dumps(value)) == value
    assert json.loads(dumps({"evidence": "lone \ud800"})) == {"evidence": "lone \ud800"}
