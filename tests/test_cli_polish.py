"""Issue 16, what a new user hits first: help pages, selectors in any case, no rule selected,
statistics with machine formats, error wording, did-you-mean, ruff habits, colour, the demo.

Everything runs the installed ``feedlint`` in a subprocess (conftest.run_cli).
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, base_record, export_text, feedlint_cmd, line_col, run_cli

ANSI = re.compile("\x1b\\[[0-9;]*m")


def help_text(*args: str) -> str:
    r = run_cli(*args, "--help", env={"COLUMNS": "80"})
    assert r.returncode == 0, r.stderr
    return r.stdout


def one_line(text: str) -> str:
    """The help with its wrapping undone (help columns joined), to assert on whole phrases."""
    return " ".join(text.split())


@pytest.fixture
def export(tmp_path):
    p = tmp_path / "export.json"
    p.write_text(export_text([base_record(content_body="It&#39;s here.", portal_id="3")]), encoding="utf-8")
    return p


# --- 1. help pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [(), ("check",), ("baseline",), ("rules",), ("explain",), ("profiles",), ("explain-profile",)])
def test_every_help_page_is_plain_text_within_80_columns(command):
    text = help_text(*command)
    for line in text.splitlines():
        assert len(line) <= 80, line
    assert not ANSI.search(text) and "╭" not in text  # no Rich panels, no colour codes
    for typer_metavar in ("<list[str]>", "<bool>", "<str>", "<int>", "{paths}", "{"):
        assert typer_metavar not in text, typer_metavar


def test_check_help_shows_defaults_plain_metavars_and_whole_choices():
    text = help_text("check")
    assert text.startswith("Usage: feedlint check [OPTIONS] [PATH...]\n")
    flat = one_line(text)
    for shown in ("--select SEL", "--ignore SEL", "-o, --output FILE", "--config FILE", "--baseline FILE", "-j, --jobs N",
                  "--media-root DIR", "--profile NAME", "-f, --format, --output-format FORMAT"):
        assert shown in flat, shown
    # defaults are visible, with their brackets (Rich markup used to swallow "[default: …]")
    assert "Lowest severity that makes the exit code 1. [default: config `fail-on`, else warning]" in flat
    assert "Worker processes for the record checks; 1 = none. [default: config `jobs`, else all cores]" in flat
    assert "[default: nearest feedlint.toml, .feedlint.toml or pyproject.toml with [tool.feedlint]]" in flat
    assert "exit code 1 ." not in flat and "checks ; 1" not in flat
    # the --fail-on choices are one unbroken word on one line (they wrapped as "neve r>")
    assert any(line.strip() == "--fail-on [error|warning|note|never]" for line in text.splitlines())
    for flag in ("--exit-zero", "--show-settings", "--statistics", "--no-color"):
        assert re.search(rf"^  {flag}\s", text, re.M), flag


def test_baseline_help_shows_its_defaults():
    flat = one_line(help_text("baseline"))
    assert "Usage: feedlint baseline [OPTIONS] PATH..." in flat
    assert "-o, --output FILE Baseline file to write. [default: config `baseline`, else .feedlint-baseline.json]" in flat
    assert "PATH... Export files or directories, as for `check`. [required]" in flat


def test_root_help_lists_commands_without_cutting_sentences():
    flat = one_line(help_text())
    assert "check Check exports and report findings (and fix them: --fix, --diff)." in flat
    assert "..." not in flat.replace("COMMAND [ARGS]...", "")


# --- 2. selectors in any case --------------------------------------------------------------------


def _rules(r) -> list[str]:
    return sorted(f["rule"] for f in json.loads(r.stdout))


def test_selectors_match_in_any_case_on_the_command_line(export):
    upper = run_cli("check", "--format", "json", "--select", "FL201", str(export))
    lower = run_cli("check", "--format", "json", "--select", "fl201", str(export))
    assert upper.returncode == lower.returncode == 1, lower.stderr
    assert _rules(lower) == _rules(upper) == ["FL201"]
    r = run_cli("check", "--format", "json", "--ignore", "fl2", "--select", "fl1,Fl2", str(export))
    assert _rules(r) == ["FL101"]
    r = run_cli("check", "--format", "json", "--select", "UNDECODED-Entity", str(export))
    assert _rules(r) == ["FL201"]


def test_selectors_match_in_any_case_in_the_config(export, tmp_path):
    (tmp_path / "feedlint.toml").write_text(
        'select = ["fl1", "fl2"]\nignore = ["fl101"]\n'
        '[rules.fl201]\nseverity = "error"\n'
        '[per-file-ignores]\n"other-*.json" = ["fl2"]\n'
        '[[suppress]]\ncontent-id = 99\nrules = ["fl999x"]\nreason = "typo must still be refused"\n',
        encoding="utf-8",
    )
    r = run_cli("check", "--format", "json", str(export), cwd=tmp_path)
    assert r.returncode == 2 and "unknown rule selector 'fl999x'" in r.stderr  # case-insensitive, not typo-tolerant
    cfg = (tmp_path / "feedlint.toml").read_text().replace('rules = ["fl999x"]', 'rules = ["fl2"]').replace("content-id = 99", "content-id = 1")
    (tmp_path / "feedlint.toml").write_text(cfg.replace("content-id = 1", f"content-id = {base_record()['content_id']}"), encoding="utf-8")
    r = run_cli("check", "--format", "json", str(export), cwd=tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout) == []  # FL101 ignored, FL201 suppressed by "fl2"
    (tmp_path / "feedlint.toml").write_text('select = ["fl201"]\n[rules.fl201]\nseverity = "error"\n', encoding="utf-8")
    r = run_cli("check", "--format", "json", str(export), cwd=tmp_path)
    assert [(f["rule"], f["severity"]) for f in json.loads(r.stdout)] == [("FL201", "error")]
    shutil.copy(export, tmp_path / "other-1.json")
    (tmp_path / "feedlint.toml").write_text('select = ["fl201"]\n[per-file-ignores]\n"other-*.json" = ["Fl2"]\n', encoding="utf-8")
    r = run_cli("check", "--format", "json", "export.json", "other-1.json", cwd=tmp_path)
    assert [f["file"] for f in json.loads(r.stdout)] == ["export.json"]


def test_normalize_selector_is_the_one_rule():
    from feedlint.registry import load_catalogue
    from feedlint.selection import normalize_selector, select_rules

    catalogue = load_catalogue(plugins=False)
    assert normalize_selector(" fl201 ") == normalize_selector("FL201") == "FL201"
    assert catalogue.find("fl201") is catalogue.find("FL201") is catalogue.find("Undecoded-Entity")
    assert [r.id for r in select_rules(catalogue.rules, ["all"], ["fl1", "fl2", "fl3", "fl4", "fl5", "fl6"])] == [r.id for r in catalogue.rules if r.id.startswith("FL7")]


# --- 3. no rule selected -------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("--ignore", "ALL"), ("--ignore", "all"), ("--select", "FL2", "--ignore", "fl2")])
def test_a_selection_without_rules_warns_and_does_not_claim_a_pass(export, args):
    r = run_cli("check", *args, str(export))
    assert r.returncode == 0
    assert "feedlint: warning: no rule selected" in r.stderr
    assert "All checks passed" not in r.stdout
    assert "No rule selected: nothing was checked (1 file, 1 record read)." in r.stdout


def test_a_normal_run_has_no_such_warning(export):
    assert "no rule selected" not in run_cli("check", str(export)).stderr


# --- 4. --statistics with machine formats --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab", "junit", "github"])
def test_statistics_with_a_machine_format_go_to_stderr(export, fmt):
    r = run_cli("check", "--format", fmt, "--statistics", str(export))
    assert r.returncode == 1
    assert f"feedlint: note: --statistics with --format {fmt}: the counts per rule are written to stderr" in r.stderr
    assert re.search(r"^1  FL101  schema-violation$", r.stderr, re.M) and re.search(r"^1  FL201  undecoded-entity$", r.stderr, re.M)
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(r.stdout)  # stdout is still the report alone
    assert "FL101  schema-violation" not in r.stdout


def test_statistics_in_text_stay_on_stdout(export):
    r = run_cli("check", "--statistics", str(export))
    assert "1  FL201  undecoded-entity" in r.stdout and "--statistics" not in r.stderr


# --- 5. a missing file among others --------------------------------------------------------------


def test_missing_file_has_the_error_prefix_and_is_counted_as_unread(export):
    r = run_cli("check", str(export), "nope.json", cwd=export.parent)
    assert r.returncode == 2
    assert "feedlint: error: nope.json: no such file" in r.stderr.splitlines()
    assert "in 1 file, 1 record, 1 file could not be read." in r.stdout


# --- 6. invalid JSON in whole sentences ----------------------------------------------------------


@pytest.mark.parametrize(
    "content,where,message",
    [
        ('[[{"content_id": 1, "content_title": "Hello wor', "1:38", "invalid JSON: unterminated string: no closing quote before the end of the file (file truncated?)"),
        ('[{"content_id":', "1:16", "invalid JSON: the file ends where a value was expected (file truncated?)"),
        ('[{"content_id": 1 "a": 2}]', "1:19", "invalid JSON: expected ',' or a closing bracket after the value, found '\"'"),
        ('[{"content_id": 1,}]', "1:19", "invalid JSON: trailing comma before '}'"),
        ('[{"content_id": "a\tb"}]', "1:19", "invalid JSON: unescaped control character U+0009 inside a string"),
        ('[{"content_id": "\\q"}]', "1:18", "invalid JSON: invalid escape '\\\\q' in a string"),
        ('{"content_id": 1}\n{"content_id": 2', "2:17", "invalid JSON: the file ends where ',' or a closing bracket was expected (file truncated?)"),
    ],
)
def test_invalid_json_is_one_whole_sentence_at_its_position(tmp_path, content, where, message):
    (tmp_path / "bad.json").write_text(content, encoding="utf-8")
    r = run_cli("check", "bad.json", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if "bad.json" in ln]
    assert lines == [f"bad.json:{where}: {message}"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_record_too_deep_or_a_number_too_long_to_decode_is_a_located_error_not_a_traceback(tmp_path, jobs):
    """Legal JSON beyond what Python's decoder takes: an array nested 5,000 deep inside a record (RecursionError) and an
    integer of 6,000 digits (Python's int_max_str_digits is 4,300: ValueError).  Each record is among others, one
    file per case big enough to be split between two workers; a string of 6,000 digits is text, not that number."""
    filler = [{"content_id": i, "content_title": "t" * 4000} for i in range(300)]
    cases = {
        "deep.json": ('"x": ' + "[" * 5000 + "]" * 5000, "5,001 arrays and objects open here, one inside another: deeper than feedlint reads (about 1,000)", "[]"),
        "long.json": ('"s": "' + "7" * 6000 + '", "x": [1, ' + "9" * 6000 + "]", "a number of 6,000 digits: more than the 4,300 feedlint reads", "9" * 6000),
    }
    for name, (member, message, at) in cases.items():
        records = [json.dumps(r) for r in filler]
        records[150] = records[150][:-1] + ", " + member + "}"
        text = "[[" + ",".join(records[:100]) + "],[" + ",".join(records[100:]) + "]]"
        (tmp_path / name).write_text(text, encoding="utf-8")
        r = run_cli("check", "-j", jobs, name, cwd=tmp_path, env={"FEEDLINT_RANGE_BYTES": "65536"})  # -j 2: 20 ranges, two workers
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-2000:]
        line, col = line_col(text, text.index(at))
        assert [ln for ln in r.stderr.splitlines() if name in ln] == [f"{name}:{line}:{col}: {message}"], r.stderr


def test_every_stdlib_json_message_becomes_a_sentence():
    from feedlint.reader.jsonerrors import describe_json_error

    cases = ['{"a": "x', '{"a": "x\ty"}', '{"a": "\\q"}', '{"a": "\\u12"}', '{"a" 1}', '{"a": 1 "b": 2}', "[1 2]", "{a: 1}", '{"a": 1,}', "[1,]", "[1] x", "", "[", '{"a":']
    for text in cases:
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            said = describe_json_error(exc.msg, text, exc.pos)
            assert said.startswith("invalid JSON: ") and not said.endswith((" at", " starting at")), (text, said)
            assert exc.msg not in said, (text, said)  # reworded, never the bare stdlib fragment
        else:  # pragma: no cover
            raise AssertionError(text)


@pytest.mark.parametrize(
    "table,message",
    [
        ("[rules.FL401]\nmax-differences = 0\n", "FL401: option 'max-differences' must be at least 1, got 0"),
        ("[rules.FL401]\ncontext-words = -2\n", "FL401: option 'context-words' must be at least 0, got -2"),
        ("[rules.FL507]\nheight-tolerance = -0.5\n", "FL507: option 'height-tolerance' must be at least 0, got -0.5"),
        ("[rules.FL305]\ntolerance-hours = -1\n", "FL305: option 'tolerance-hours' must be at least 0, got -1"),
    ],
)
def test_a_rule_option_below_its_declared_minimum_is_refused(export, tmp_path, table, message):
    """A count below 1 or a negative tolerance is an error of the config (exit 2), not quietly taken as the nearest sensible value."""
    (tmp_path / "feedlint.toml").write_text(table, encoding="utf-8")
    r = run_cli("check", str(export), cwd=tmp_path)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    (tmp_path / "feedlint.toml").write_text(table.replace("= -0.5", "= 0").replace("= -2", "= 0").replace("= -1", "= 0").replace("max-differences = 0", "max-differences = 1"), encoding="utf-8")
    assert run_cli("check", str(export), cwd=tmp_path).returncode in (0, 1)  # the minimum itself is taken


# --- 7. did you mean -----------------------------------------------------------------------------


def test_unknown_config_key_and_rule_option_suggest_the_closest(export, tmp_path):
    (tmp_path / "feedlint.toml").write_text('selct = ["FL1"]\n', encoding="utf-8")
    r = run_cli("check", str(export), cwd=tmp_path)
    assert r.returncode == 2 and f"feedlint: error: {tmp_path / 'feedlint.toml'}: unknown config key 'selct' — did you mean 'select'?" in r.stderr
    (tmp_path / "feedlint.toml").write_text('zzzz = 1\n', encoding="utf-8")
    r = run_cli("check", str(export), cwd=tmp_path)
    assert "unknown config key 'zzzz' (known: allow-no-records, allow-remote-refs, baseline," in r.stderr
    (tmp_path / "feedlint.toml").write_text('[rules.FL201]\nallowed-entity = ["&x;"]\n', encoding="utf-8")
    r = run_cli("check", str(export), cwd=tmp_path)
    assert r.returncode == 2 and "FL201 (undecoded-entity): unknown option 'allowed-entity' — did you mean 'allowed-entities'?" in r.stderr
    (tmp_path / "feedlint.toml").write_text('[[suppress]]\ncontent-idd = 1\nreason = "x"\n', encoding="utf-8")
    r = run_cli("check", str(export), cwd=tmp_path)
    assert "suppress[0]: unknown key 'content-idd' — did you mean 'content-id'?" in r.stderr


def test_unknown_options_commands_rules_formats_suggest_the_closest(export):
    r = run_cli("check", "--exit-zer", str(export))
    assert r.returncode == 2 and "unknown option '--exit-zer' — did you mean '--exit-zero'?" in r.stderr
    assert "media-root" not in r.stderr
    r = run_cli("check", "--zzz", str(export))
    assert r.returncode == 2 and "unknown option '--zzz' (`feedlint check -h` lists them)" in r.stderr
    r = run_cli("chek", str(export))
    assert r.returncode == 2 and "unknown command 'chek' — did you mean 'check'?" in r.stderr
    r = run_cli("check", "--format", "jsn", str(export))
    assert r.returncode == 2 and "unknown output format 'jsn' — did you mean 'json'?" in r.stderr
    r = run_cli("explain", "undecoded-entities")
    assert r.returncode == 2 and "unknown rule 'undecoded-entities' — did you mean 'undecoded-entity'?" in r.stderr
    r = run_cli("check", "--profile", "wordpres", str(export))
    assert r.returncode == 2 and "unknown profile 'wordpres' — did you mean 'wordpress'?" in r.stderr


def test_explain_takes_any_case():
    assert run_cli("explain", "fl201").stdout == run_cli("explain", "FL201").stdout != ""


# --- 8. ruff habits ------------------------------------------------------------------------------


def test_exit_zero_passes_findings_but_not_input_errors(export, tmp_path):
    r = run_cli("check", "--exit-zero", str(export))
    assert r.returncode == 0 and "FL201" in r.stdout and "Found 3 findings" in r.stdout
    (tmp_path / "bad.json").write_text("[{", encoding="utf-8")
    assert run_cli("check", "--exit-zero", str(export), str(tmp_path / "bad.json")).returncode == 2
    assert run_cli("check", "--exit-zero", "--diff", str(export)).returncode == 0  # something to fix, still 0


def test_output_format_is_an_alias_of_format(export):
    a = run_cli("check", "--output-format", "json", str(export))
    b = run_cli("check", "--format", "json", str(export))
    assert a.returncode == b.returncode == 1 and json.loads(a.stdout) == json.loads(b.stdout)


def test_show_settings_prints_the_resolved_settings_and_checks_nothing(tmp_path):
    (tmp_path / "feedlint.toml").write_text(
        'select = ["fl2"]\nignore = ["FL201"]\nfail-on = "error"\nprofile = "wordpress"\n[rules.FL203]\nallowed-entities = ["&foo;"]\n', encoding="utf-8"
    )
    r = run_cli("check", "--show-settings", "--format", "sarif", cwd=tmp_path, env={"FEEDLINT_RANGE_BYTES": "4096"})
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert f'config-file = "{tmp_path / "feedlint.toml"}"' in out
    assert 'format = "sarif"' in out and 'fail-on = "error"' in out and 'profile = "wordpress"' in out
    assert 'select = ["fl2"]' in out and 'ignore = ["FL201"]' in out
    assert 'FL202 = { severity = "warning" }' in out and "FL201 =" not in out and "FL101 =" not in out
    assert 'FL203 = { severity = "warning", allowed-entities = ["&foo;"], report-missing-semicolon = true }' in out
    assert "[tuning]" in out and "range-bytes = 4096  # from FEEDLINT_RANGE_BYTES" in out and "parallel-min-records = 200  # default" in out
    assert "Found" not in out and "checks passed" not in out
    import tomllib

    tomllib.loads(out)  # TOML-ish indeed: it parses


def test_show_settings_with_paths_checks_nothing_and_without_paths_check_needs_them(export, tmp_path):
    r = run_cli("check", "--show-settings", str(export), cwd=tmp_path)
    assert r.returncode == 0 and "# config-file: not set" in r.stdout and "FL201" in r.stdout and str(export) not in r.stdout
    r = run_cli("check", cwd=tmp_path)
    assert r.returncode == 2 and "Missing argument 'PATH...'" in r.stderr


# --- 9. colour -----------------------------------------------------------------------------------


def _colour_env(**values: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(values)
    return env


def _run_piped(args, env):
    return subprocess.run([*feedlint_cmd(), *args], capture_output=True, text=True, env=env, timeout=300)


def _run_on_terminal(args, env) -> str:
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([*feedlint_cmd(), *args], stdout=slave, stderr=subprocess.DEVNULL, env=env, timeout=300)
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        assert proc.returncode == 1
        return b"".join(chunks).decode("utf-8", "replace")
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)


@pytest.mark.parametrize(
    "env,coloured",
    [
        ({}, False),  # not a terminal
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": ""}, False),  # empty counts as unset
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins
        ({"FORCE_COLOR": "1", "NO_COLOR": ""}, True),  # an empty NO_COLOR does not count
    ],
)
def test_colour_when_piped(export, env, coloured):
    r = _run_piped(["check", str(export)], _colour_env(**env))
    assert r.returncode == 1
    assert bool(ANSI.search(r.stdout)) is coloured


def test_force_color_does_not_colour_machine_formats_or_beat_no_color_flag(export):
    assert not ANSI.search(_run_piped(["check", "--format", "json", str(export)], _colour_env(FORCE_COLOR="1")).stdout)
    assert not ANSI.search(_run_piped(["check", "--no-color", str(export)], _colour_env(FORCE_COLOR="1")).stdout)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_unless_no_color_is_non_empty(export):
    assert ANSI.search(_run_on_terminal(["check", str(export)], _colour_env()))
    assert ANSI.search(_run_on_terminal(["check", str(export)], _colour_env(NO_COLOR="")))  # empty: not set
    assert not ANSI.search(_run_on_terminal(["check", str(export)], _colour_env(NO_COLOR="1")))


def test_use_color_rules():
    from feedlint.cli import use_color

    class Tty:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

    assert use_color(Tty(True), {}) and use_color(Tty(True), {"NO_COLOR": ""})
    assert not use_color(Tty(True), {"NO_COLOR": "0"})  # any non-empty value, even "0"
    assert use_color(Tty(False), {"FORCE_COLOR": "1"}) and not use_color(Tty(False), {"FORCE_COLOR": ""})
    assert not use_color(object(), {})


# --- 10. the demo --------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_lints_the_exports_and_the_plain_text_articles():
    venv = os.path.dirname(os.path.dirname(feedlint_cmd()[0])) if len(feedlint_cmd()) == 1 else None
    if venv is None:
        pytest.skip("feedlint is not installed as a script next to this Python")
    # -o: take the venv as set up (no pip install); the recipe itself is what is tested
    r = subprocess.run(["make", "--no-print-directory", "demo", f"VENV={venv}", "-o", f"{venv}/.demo"], cwd=ROOT,
                       capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "examples/articles/defective-article.txt:" in r.stdout and " FL7" in r.stdout
    assert "examples/newsroom-export.json:" in r.stdout
    assert "in 4 files, 17 records." in r.stdout
    assert re.search(r"^1  FL701  dangling-link-text$", r.stdout, re.M)


def test_readme_quickstart_is_still_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quickstart", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make demo", "make test"]
