"""``--format github``: workflow commands the Actions runner turns into annotations."""

from __future__ import annotations

import re

from conftest import base_record, export_text, run_cli

COMMAND = re.compile(r"^::(error|warning|notice)(?: (?P<props>[^:]*))?::(?P<msg>.*)$")


def unescape(text: str) -> str:
    """The runner's decoding (actions/runner ActionCommand.Unescape*)."""
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def parse(line: str) -> tuple[str, dict, str]:
    m = COMMAND.match(line)
    assert m, line
    props = {}
    for pair in (m["props"] or "").split(","):
        key, _, value = pair.partition("=")
        props[key] = unescape(value)
    return m[1], props, unescape(m["msg"])


def test_annotations_with_exact_utf16_positions_levels_and_title(tmp_path):
    rec = base_record(content_id=510009, content_title="Storm 🌩 closes the coast road", content_score="high", surprise=1)
    text = export_text([rec])
    (tmp_path / "e.json").write_text(text, encoding="utf-8", newline="")
    r = run_cli("check", "--format", "github", "--select", "FL1", "e.json", cwd=tmp_path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    commands = [parse(line) for line in lines if line.startswith("::")]
    kinds = {props["title"]: (kind, props, msg) for kind, props, msg in commands}
    kind, props, msg = kinds["FL101 schema-violation"]
    assert kind == "error" and props["file"] == "e.json" and props["line"] == "1" and props["endLine"] == "1"
    start = text.index('"high"')
    start16 = len(text[:start].encode("utf-16-le")) // 2
    assert start16 == start + 1  # the emoji is one code point, two UTF-16 units
    assert props["col"] == str(start16 + 1) and props["endColumn"] == str(start16 + 1 + len('"high"'))
    assert msg.startswith("[content_id 510009] /0/0/content_score: expected number, got string \"high\"")
    kind, props, msg = kinds["FL103 unknown-field"]
    assert kind == "notice" and "/0/0/surprise" in msg
    assert lines[-1] == "feedlint: Found 2 findings (1 error, 1 note) in 1 file, 1 record. By rule: FL101 ×1, FL103 ×1."  # the text format's wording


def test_properties_and_message_are_escaped_as_the_runner_expects(tmp_path):
    rec = base_record(content_id="50%\nA,B:C", portal_id=0)
    (tmp_path / "a,b:c.json").write_text(export_text([rec]), encoding="utf-8")
    r = run_cli("check", "--format", "github", "--select", "FL101", "a,b:c.json", cwd=tmp_path)
    first = [line for line in r.stdout.splitlines() if line.startswith("::")]
    assert len(first) == 2  # content_id is not an integer, portal_id below its minimum; one line each
    raw = first[0]
    assert "file=a%2Cb%3Ac.json," in raw and "\n" not in raw
    assert "50%25%0AA,B:C" in raw  # message: only %, CR, LF are escaped
    kind, props, msg = parse(raw)
    assert props["file"] == "a,b:c.json" and "[content_id 50%\nA,B:C]" in msg


def test_multi_line_region_has_no_columns_and_input_errors_are_annotations(tmp_path):
    rec = base_record()
    del rec["content_title"]
    (tmp_path / "p.json").write_text(export_text([rec], layout="array", pretty=True), encoding="utf-8")
    (tmp_path / "broken.json").write_text('[{"content_id": 1,\n "x": }]', encoding="utf-8")
    r = run_cli("check", "--format", "github", "--select", "FL102", "p.json", "broken.json", cwd=tmp_path)
    assert r.returncode == 2
    commands = [parse(line) for line in r.stdout.splitlines() if line.startswith("::")]
    (missing,) = [c for c in commands if c[1].get("title") == "FL102 missing-field"]
    assert missing[0] == "error" and missing[1]["line"] == "2" and int(missing[1]["endLine"]) > 2
    assert "col" not in missing[1] and "endColumn" not in missing[1]
    (err,) = [c for c in commands if c[1].get("title") == "feedlint input error"]
    assert err[1]["file"] == "broken.json" and err[1]["line"] == "2"


def test_escaping_matches_the_runners_rules_for_every_special_character():
    """The shortcut for text without special characters gives what the full escaping gives (actions/toolkit command.ts)."""
    from feedlint.reporters.github import command, escape_data, escape_property

    for text in ["plain", "50% done", "a\r\nb", "key: value, more", "%0A literal", "", "ünïcödé: ok"]:
        assert escape_data(text) == text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        assert escape_property(text) == escape_data(text).replace(":", "%3A").replace(",", "%2C")
    assert command("warning", "m: 1%", file="a,b.json", line=3, col=None, title="FL201 x") == "::warning file=a%2Cb.json,line=3,title=FL201 x::m: 1%25"
