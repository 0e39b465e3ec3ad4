"""``feedlint check --fix`` / ``--diff``: minimal edits, the re-check loop, never losing data.

End to end through the installed CLI on an invented export holding every
fixable FL2xx defect, in both layouts (one-line pages, JSON Lines), plus the
escaping styles a CMS writes (``ensure_ascii``, PHP's ``\\/``, CRLF, a BOM).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
import subprocess

import pytest

from conftest import base_record, export_text, run_cli
from feedlint.fixing.edits import Style, detect, encode, rewrite_literal
from feedlint.reader.sources import Source

CLEAN_IDS = {510001, 510004, 510008}


def defective_records() -> list[dict]:
    """Every fixable FL2xx defect kind, alone and together, between clean records."""
    body = base_record()["content_body"]
    html = base_record()["content_html"]
    return [
        base_record(content_id=510001),
        base_record(content_id=510002, content_title="Talks &quot;impossible&quot;, minister says", content_body=body.replace("transport department’s", "transport department&#39;s").replace("four stops", "four&nbsp;stops")),
        base_record(content_id=510003, content_summary="Council &amp;quot;approves&amp;quot; the tram", content_html=html.replace("&nbsp;", "&amp;nbsp;")),
        base_record(content_id=510004, content_body=body + " AT&T, R&D and Q&A: fish & chips, ?a=1&b=2."),  # look-alikes: nothing to fix
        base_record(content_id=510005, content_body=body.replace("department’s", "departmentâ€™s").replace("“This", "â€œThis"), content_title="Café culture in Zürich".encode().decode("cp1252")),
        base_record(content_id=510006, content_body=body.replace("department’s", "department&#39;s") + " ministerâ€™s plan"),  # two fixes on one value: two passes
        base_record(content_id=510007, content_summary="Tram &amp;#39;extension&amp;#39; costs &#8364;84m &mdash; the council"),
        base_record(content_id=510008, content_title="The minister’s “plan” — café in Zürich, 😀, 中文, سلام می\u200cخواهم"),
        base_record(content_id=510009, content_html=html.replace("</p>", " 2010&#150;2020 &#39</p>", 1), content_title="Budget 2010\x962020"),  # FL203 C1 and unclosed references, FL206 a C1 control
        base_record(content_id=510010, content_summary="The mayor&#8217s plan for the 1990&#150s"),  # FL201: numeric references without ";"
    ]


def _findings(path, *extra) -> list[dict]:
    r = run_cli("check", "--format", "json", "--select", "FL2", "--fail-on", "never", *extra, str(path))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _all_findings(path) -> list[dict]:
    """Every rule's findings, as ``check`` reports them with the default selection."""
    r = run_cli("check", "--format", "json", "--fail-on", "never", str(path))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _records(path, data: bytes | None = None) -> dict:
    """content_id -> the record's exact source bytes (of ``data`` instead of the file's when given)."""
    return {raw.data["content_id"]: raw.source for raw in Source(str(path), data=data).records()}


def _plain(path, data: bytes) -> bytes:
    return gzip.decompress(data) if str(path).endswith(".gz") else data


LAYOUTS = ["pages", "pretty", "jsonl", "jsonl.gz"]


def _write_layout(tmp_path, records: list, layout: str):
    """The export in one of the layouts the issue names: one-line pages, pretty-printed, JSON Lines, gzip."""
    text = export_text(records, "pages" if layout in ("pages", "pretty") else "jsonl", pretty=layout == "pretty")
    path = tmp_path / {"pages": "export.json", "pretty": "export.json", "jsonl": "export.jsonl", "jsonl.gz": "export.jsonl.gz"}[layout]
    path.write_bytes(gzip.compress(text.encode()) if layout == "jsonl.gz" else text.encode())
    return path


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fix_removes_fl2xx_findings_and_touches_nothing_else(tmp_path, layout):
    """Issue 15's "done when", through the installed CLI, as a user runs it: ``check --fix`` with the default rules."""
    path = _write_layout(tmp_path, defective_records(), layout)
    before_bytes = path.read_bytes()
    before = _findings(path)
    before_all = _all_findings(path)
    assert {f["rule"] for f in before} >= {"FL201", "FL202", "FL203", "FL204", "FL206"}

    r = run_cli("check", "--fix", "--show-fixes", "--fail-on", "never", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "FL204 [content_id 510005]" in r.stderr and "repaired mojibake: â€™ → ’ (ftfy: encoding utf-8 misread as windows-1252)" in r.stderr
    assert "decoded 2 HTML entities (&quot; → \")" in r.stderr

    after = _findings(path)
    assert len(after) <= len(before) * 0.1  # >= 90% of the FL2xx findings removed
    assert {f["fingerprint"] for f in _all_findings(path)} <= {f["fingerprint"] for f in before_all}  # no finding added, of any rule
    fixed = path.read_bytes()
    assert _plain(path, fixed).count(b"\n") == _plain(path, before_bytes).count(b"\n")
    old_records = _records(path, _plain(path, before_bytes))
    new_records = _records(path)
    assert [old_records[i] for i in sorted(CLEAN_IDS)] == [new_records[i] for i in sorted(CLEAN_IDS)]  # byte-identical
    assert all(old_records[i] != new_records[i] for i in old_records if i not in CLEAN_IDS)
    data = {raw.data["content_id"]: raw.data for raw in Source(str(path)).records()}
    assert data[510002]["content_title"] == 'Talks "impossible", minister says'
    assert data[510005]["content_title"] == "Café culture in Zürich"
    assert "department's" in data[510006]["content_body"] and "minister’s plan" in data[510006]["content_body"]
    assert data[510003]["content_html"] == base_record()["content_html"]  # one level of escaping removed, HTML stays HTML
    assert data[510007]["content_summary"] == "Tram 'extension' costs €84m — the council"
    assert data[510009]["content_title"] == "Budget 2010–2020"
    assert " 2010&#8211;2020 &#39;</p>" in data[510009]["content_html"]  # HTML stays HTML: the reference is rewritten, not decoded
    assert data[510010]["content_summary"] == "The mayor’s plan for the 1990–s"  # references that lost their ";"

    again = run_cli("check", "--fix", "--fail-on", "never", str(path))
    assert again.returncode == 0 and path.read_bytes() == fixed  # fixing twice changes nothing
    assert "applied 0 fixes" in again.stderr


def test_only_changed_bytes_of_a_value_are_rewritten(tmp_path):
    """PHP style (``\\/``) and a one-line export: the diff of old and new is the decoded reference alone."""
    path = tmp_path / "export.json"
    path.write_text(export_text([base_record(content_title="Talks &#39;resume&#39;")]), encoding="utf-8", newline="")
    before = path.read_bytes()
    assert b"\\/" in before
    r = run_cli("check", "--fix", "--select", "FL201", str(path))
    assert r.returncode == 0, r.stderr
    assert path.read_bytes() == before.replace(b"&#39;", b"'")


def test_ensure_ascii_crlf_bom_pretty_file_keeps_its_style(tmp_path):
    rec = base_record(content_title="Caf\u00c3\u00a9 &quot;culture&quot; \u2014 Z\u00fcrich")
    text = json.dumps([[rec]], ensure_ascii=True, indent=4).replace("\n", "\r\n")
    path = tmp_path / "export.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    r = run_cli("check", "--fix", "--select", "FL2", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    fixed = path.read_bytes()
    expected = json.dumps([[dict(rec, content_title='Caf\u00e9 "culture" \u2014 Z\u00fcrich')]], ensure_ascii=True, indent=4).replace("\n", "\r\n")
    assert fixed == b"\xef\xbb\xbf" + expected.encode()  # \u00e9 written escaped, CRLF and BOM kept
    assert fixed.isascii() or fixed[3:].isascii()


def test_diff_writes_nothing_and_exits_1(tmp_path):
    """Short lines: a zero-context unified diff that ``patch`` applies."""
    path = tmp_path / "export.jsonl"
    lines = [{"content_id": 1, "content_title": "Talks &quot;resume&quot;"}, {"content_id": 2, "content_title": "Clean"}, {"content_id": 3, "content_summary": "Tram&amp;#39;s cost"}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8", newline="")
    before = path.read_bytes()
    r = run_cli("check", "--diff", "--select", "FL2", str(path))
    assert r.returncode == 1, r.stderr
    assert path.read_bytes() == before
    assert "feedlint: would apply 2 fixes to 2 records in 1 file" in r.stderr and "applied" not in r.stderr  # nothing was written
    assert r.stdout == (
        f"--- a/{path}\n+++ b/{path}\n"
        '@@ -1 +1 @@\n-{"content_id": 1, "content_title": "Talks &quot;resume&quot;"}\n+{"content_id": 1, "content_title": "Talks \\"resume\\""}\n'
        '@@ -3 +3 @@\n-{"content_id": 3, "content_summary": "Tram&amp;#39;s cost"}\n+{"content_id": 3, "content_summary": "Tram\'s cost"}\n'
    )
    if shutil.which("patch"):
        copy = tmp_path / "copy.jsonl"
        copy.write_bytes(before)
        subprocess.run(["patch", "-s", str(copy)], input=r.stdout, text=True, check=True)
        run_cli("check", "--fix", "--select", "FL2", str(path))
        assert copy.read_bytes() == path.read_bytes()
    (tmp_path / "clean.json").write_text(export_text([base_record()]), encoding="utf-8")
    clean = run_cli("check", "--diff", str(tmp_path / "clean.json"))
    assert clean.returncode == 0 and clean.stdout == ""


@pytest.mark.parametrize("layout", ["pages", "jsonl"])
def test_diff_of_long_lines_shows_each_changed_value(tmp_path, layout):
    """A one-line export (or a long JSON Lines record) is not printed whole: file:line:col, pointer and the change in context."""
    path = tmp_path / "export.json"
    records = [base_record(content_id=510001 + i, content_title=f"Talks {i} &quot;resume&quot;") for i in range(50)]
    path.write_text(export_text(records, layout), encoding="utf-8", newline="")
    size = path.stat().st_size
    r = run_cli("check", "--diff", "--select", "FL201", str(path))
    assert r.returncode == 1, r.stderr
    assert len(r.stdout) < size / 10  # not the file twice
    assert "---" not in r.stdout and "patch does not apply this part" in r.stdout
    text = path.read_text(encoding="utf-8")
    lines = r.stdout.splitlines()[1:]
    assert len(lines) == 3 * 50
    head, old, new = lines[3:6]  # the second record
    where, rest = head.split(": ", 1)
    line, column = (int(x) for x in where.rsplit(":", 2)[1:])
    assert rest == f"{'/0/1' if layout == 'pages' else ''}/content_title [content_id 510002] FL201"
    assert text.splitlines()[line - 1][column - 1 :].startswith("&quot;resume&quot;")
    assert old == '-"Talks 1 &quot;resume&quot;"' and new == '+"Talks 1 \\"resume\\""'
    assert "patch applies only the unified hunks" in r.stderr


def test_diff_cuts_a_long_value_around_the_change(tmp_path):
    body = "word " * 500 + "Iran&#39;s plan " + "word " * 500
    path = tmp_path / "export.json"
    path.write_text(export_text([base_record(content_body=body)]), encoding="utf-8", newline="")
    r = run_cli("check", "--diff", "--select", "FL201", str(path))
    old, new = r.stdout.splitlines()[2:4]
    assert old == "-…" + " word" * 7 + " Iran&#39;s plan" + " word" * 6 + " wor…"  # 40 characters either side of the change
    assert new == "+…" + " word" * 7 + " Iran's plan" + " word" * 6 + " wor…"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_json_patch_applies_to_the_original_records(tmp_path, layout):
    import jsonpatch  # a real RFC 6902 library (a test dependency: never skipped)

    records = defective_records()
    path = _write_layout(tmp_path, records, layout)
    r = run_cli("check", "--diff", "--format", "json-patch", str(path))
    assert r.returncode == 1, r.stderr
    patches = json.loads(r.stdout)["patches"]
    assert {p["content_id"] for p in patches} == {rec["content_id"] for rec in records} - CLEAN_IDS
    by_id = {rec["content_id"]: rec for rec in records}
    run_cli("check", "--fix", str(path))
    fixed = {raw.data["content_id"]: raw.data for raw in Source(str(path)).records()}
    assert fixed != by_id
    for p in patches:
        assert p["file"] == str(path) and p["pointer"] == (f"/0/{p['record']}" if layout in ("pages", "pretty") else "")
        original = json.loads(json.dumps(by_id[p["content_id"]]))  # the record as the CMS has it, untouched by the test
        assert jsonpatch.JsonPatch(p["patch"]).apply(original) == fixed[p["content_id"]]
    assert all(by_id[i] == fixed[i] for i in CLEAN_IDS)  # no patch, no change
    with pytest.raises(jsonpatch.JsonPatchTestFailed):  # the source changed since the export: the patch refuses
        p = patches[0]
        jsonpatch.JsonPatch(p["patch"]).apply(dict(by_id[p["content_id"]], **{p["patch"][0]["path"][1:]: "edited meanwhile"}))


def test_input_error_leaves_the_file_untouched(tmp_path):
    good = tmp_path / "a.json"
    good.write_text(export_text([base_record(content_title="A &quot;b&quot;")]), encoding="utf-8")
    bad = tmp_path / "b.json"
    bad_text = export_text([base_record(content_title="A &quot;b&quot;")])[:-5]
    bad.write_text(bad_text, encoding="utf-8")
    r = run_cli("check", "--fix", str(good), str(bad))
    assert r.returncode == 2
    assert bad.read_text(encoding="utf-8") == bad_text
    assert f"{bad}:1:" in r.stderr and "Traceback" not in r.stderr
    assert '"A \\"b\\""' in good.read_text(encoding="utf-8")  # the readable file is still fixed


def test_permissions_symlink_and_gzip(tmp_path):
    target = tmp_path / "real.json"
    target.write_text(export_text([base_record(content_title="A &quot;b&quot;")]), encoding="utf-8")
    os.chmod(target, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    gz = tmp_path / "export.json.gz"
    gz.write_bytes(gzip.compress(export_text([base_record(content_body="Iran&#39;s plan")], "jsonl").encode()))
    r = run_cli("check", "--fix", "--select", "FL2", str(link), str(gz))
    assert r.returncode == 0, r.stdout + r.stderr
    assert link.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert '"A \\"b\\""' in target.read_text(encoding="utf-8")
    assert json.loads(gzip.decompress(gz.read_bytes()))["content_body"] == "Iran's plan"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".feedlint-")]  # no temporary file left behind


def test_stdin_fix_writes_the_document_to_stdout(tmp_path):
    text = export_text([base_record(content_title="A &quot;b&quot;")])
    r = run_cli("check", "--fix", "--select", "FL2", "-", input=text)
    assert r.returncode == 0, r.stderr
    assert r.stdout == text.replace("&quot;", '\\"')
    assert "applied 1 fix" in r.stderr


def test_a_fix_that_breaks_the_schema_is_not_applied(tmp_path):
    from conftest import ROOT

    schema = json.loads((ROOT / "schemas" / "cms-export.schema.json").read_text(encoding="utf-8"))
    record_schema = schema["$defs"]["record"] if "$defs" in schema and "record" in schema["$defs"] else schema
    record_schema["properties"]["content_title"] = {"type": "string", "pattern": '^[^"]*$'}  # no straight quotes allowed
    (tmp_path / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    path = tmp_path / "export.json"
    path.write_text(export_text([base_record(content_title="A &quot;b&quot;", content_body="Iran&#39;s plan")]), encoding="utf-8")
    r = run_cli("check", "--fix", "--select", "FL2", "--schema", str(tmp_path / "schema.json"), str(path))
    data = json.loads(path.read_text(encoding="utf-8"))[0][0]
    assert data["content_title"] == "A &quot;b&quot;"  # refused: the repaired record would fail the schema
    assert data["content_body"] == "Iran's plan"
    assert r.returncode == 1 and "FL201" in r.stdout


def test_unsafe_fixes_and_fixable_config(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(export_text([base_record(content_title="A &quot;b&quot;", content_summary="Tram&amp;#39;s cost")]), encoding="utf-8")
    (tmp_path / "feedlint.toml").write_text('unfixable = ["FL202"]\n', encoding="utf-8")
    r = run_cli("check", "--fix", "--select", "FL2", "--fail-on", "never", str(path), cwd=tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))[0][0]
    assert data["content_title"] == 'A "b"' and data["content_summary"] == "Tram&amp;#39;s cost"
    assert "1 more with --unsafe-fixes (or not fixable by configuration)" in r.stderr
    (tmp_path / "feedlint.toml").write_text('fixable = ["nonsense"]\n', encoding="utf-8")
    r = run_cli("check", "--fix", str(path), cwd=tmp_path)
    assert r.returncode == 2 and "nonsense" in r.stderr


# -- the edit primitives -----------------------------------------------------------


def test_style_detection():
    assert detect('{"a": "caf\\u00e9"}') == Style(ascii_only=True)
    assert detect('{"a": "café \\u00e9"}').ascii_only is False
    assert detect('{"a": "x\\/y"}').escaped == frozenset("/")
    assert detect('{"a": "\\u00E9"}').upper_hex
    assert detect('{"a": "\\\\u00e9"}') == Style()  # an escaped backslash, then "u00e9": no escape at all
    assert detect('{"a": 1}', default=Style(ascii_only=True, escaped=frozenset("/"))) == Style(ascii_only=True, escaped=frozenset("/"))


@pytest.mark.parametrize("value", ["plain", "q\"uote\\back/slash", "tab\tnl\ncr\r", "é’😀中", "\ud83d lone", "\x00\x1f\x7f", "\u2028"])
@pytest.mark.parametrize("style", [Style(), Style(ascii_only=True), Style(True, True, frozenset("/'"))])
def test_encode_round_trips(value, style):
    body = encode(value, style)
    assert json.loads('"' + body + '"') == value
    if style.ascii_only:
        assert body.isascii()
    if "/" in style.escaped:
        assert "/" not in body.replace("\\/", "")


def test_rewrite_literal_keeps_unchanged_bytes():
    literal = '"caf\\u00e9 Iran&#39;s \\/path\\r\\n\\ud83d\\ude00 end"'
    old = json.loads(literal)
    new = old.replace("&#39;", "'")
    a, b, text = rewrite_literal(literal, old, new, detect(literal))
    assert literal[:a] == '"caf\\u00e9 Iran' and text == "'" and literal[b:] == 's \\/path\\r\\n\\ud83d\\ude00 end"'
    astral = '"\\ud83d\\ude00 &amp; x"'
    a, b, text = rewrite_literal(astral, json.loads(astral), "😀 & x", Style(ascii_only=True))
    assert astral[:a] + text + astral[b:] == '"\\ud83d\\ude00 & x"'


def test_sarif_results_carry_the_fix_on_the_exact_region(tmp_path):
    from test_sarif import SCHEMA_PATH, assert_valid

    if not SCHEMA_PATH.exists():
        pytest.skip("../shared/sarif schema not present")
    path = tmp_path / "export.json"
    path.write_text(export_text(defective_records()), encoding="utf-8", newline="")
    r = run_cli("check", "--format", "sarif", "--select", "FL2", "export.json", cwd=tmp_path)
    log = json.loads(r.stdout)
    assert_valid(log)
    text = path.read_text(encoding="utf-8")
    results = [res for res in log["runs"][0]["results"] if res["ruleId"] in ("FL201", "FL202", "FL204")]
    assert results and all("fixes" in res for res in results)
    by_rule = {}
    for res in results:
        change = res["fixes"][0]["artifactChanges"][0]
        assert change["artifactLocation"]["uri"] == "export.json"
        (rep,) = change["replacements"]
        region = rep["deletedRegion"]
        a, n = region["charOffset"], region["charLength"]
        assert region["startLine"] == 1 and region["startColumn"] == a + 1 and region["endColumn"] == a + n + 1  # one line, BMP text
        by_rule.setdefault(res["ruleId"], []).append((text[a : a + n], rep["insertedContent"]["text"], res["fixes"][0]["description"]["text"]))
        repaired = json.loads(text[:a] + rep["insertedContent"]["text"] + text[a + n :])  # the replacement alone gives valid JSON ...
        record = repaired[0][res["properties"]["recordIndex"]]
        value = record[res["properties"]["recordPointer"][1:]]
        assert res["properties"]["evidence"] not in value  # ... without the defect
    assert ("&quot;impossible&quot;", '\\"impossible\\"', 'decoded 2 HTML entities (&quot; → ")') in by_rule["FL201"]
    assert ("â€™", "’", "repaired mojibake: â€™ → ’ (ftfy: encoding utf-8 misread as windows-1252)") in by_rule["FL204"]
    assert ("Ã© culture in ZÃ¼", "é culture in Zü", "repaired mojibake: Ã© → é (ftfy: encoding utf-8 misread as latin-1)") in by_rule["FL204"]


# -- unsafe fixes ------------------------------------------------------------------

_P = "./cache/3/attach/202605/880001_2718281828_"


def unsafe_records() -> list[dict]:
    """Defects whose repair is a guess: applied only with --unsafe-fixes."""
    body, html = base_record()["content_body"], base_record()["content_html"]
    sizes = dict(base_record()["attaches"][0]["sizes"])
    broken = dict(sizes, **{"150": sizes["150"].replace("2718281828", "2718281829"), "300": sizes["300"].replace("/202605/", "/202604/")})
    return [
        base_record(content_id=520001, content_summary="<p><span style=\"font-size:16px;\">Council approves</span> the tram</p>", content_title="First<br>Second"),
        base_record(content_id=520002, content_summary="Budget\x00 approved\x0bnext line", content_html=html.replace("<p>", '<p title="Talks&nbps;resumed">', 1)),
        base_record(content_id=520003, content_body=body.replace("four stops", "five stops")),
        base_record(content_id=520004, content_body=""),
        base_record(content_id=520005, attaches=[dict(base_record()["attaches"][0], sizes=broken)]),
        base_record(content_id=520006),
    ]


@pytest.mark.parametrize("layout", ["pages", "jsonl"])
def test_unsafe_fixes_only_with_the_flag(tmp_path, layout):
    if base_record()["attaches"][0]["sizes"]["150"][:len(_P) - 11] != _P[:-11]:
        pytest.skip("base record's attachment differs")
    path = tmp_path / ("export.json" if layout == "pages" else "export.jsonl")
    records = unsafe_records()
    path.write_text(export_text(records, layout), encoding="utf-8", newline="")
    original = path.read_bytes()
    selected = ("--select", "FL2,FL4,FL5")
    safe = run_cli("check", "--fix", *selected, "--fail-on", "never", str(path))
    assert path.read_bytes() == original, safe.stderr  # nothing certain to repair here
    assert "more with --unsafe-fixes" in safe.stderr

    r = run_cli("check", "--fix", "--unsafe-fixes", "--show-fixes", *selected, "--format", "json", "--fail-on", "never", str(path))
    assert r.returncode == 0, r.stderr
    left = {(f["content_id"], f["rule"]) for f in json.loads(r.stdout)}
    assert left == set(), left
    out = r.stderr
    assert f"FL205 [content_id 520001] {'/0/0' if layout == 'pages' else ''}/content_summary: stripped 4 HTML tags (<p>, <span>) from plain text (unsafe fix)" in out
    assert "(unsafe fix)" in out and "rebuilt the plain-text body from the HTML" in out
    data = {raw.data["content_id"]: raw.data for raw in Source(str(path)).records()}
    assert data[520001]["content_summary"] == "Council approves the tram"
    assert data[520001]["content_title"] == "First\nSecond"
    assert data[520002]["content_summary"] == "Budget approved\nnext line"
    assert data[520002]["content_html"] == base_record()["content_html"].replace("<p>", '<p title="Talks&nbsp;resumed">', 1)
    assert data[520002]["content_body"] == base_record()["content_body"]  # the HTML's text did not change: no rebuild
    assert data[520003]["content_body"] == base_record()["content_body"]  # rebuilt from the HTML: the figure the HTML has
    assert data[520004]["content_body"] == base_record()["content_body"]
    assert data[520005]["attaches"][0]["sizes"] == sizes_of(base_record())
    assert data[520006] == base_record(content_id=520006)
    fixed = path.read_bytes()
    assert fixed.count(b"\n") == original.count(b"\n")
    again = run_cli("check", "--fix", "--unsafe-fixes", *selected, str(path))
    assert path.read_bytes() == fixed and "applied 0 fixes" in again.stderr


def sizes_of(rec: dict) -> dict:
    return rec["attaches"][0]["sizes"]


def test_rebuild_keeps_the_body_when_it_has_text_the_html_lacks(tmp_path):
    """The HTML lost a paragraph: rebuilding the body from it would lose text, so no fix is offered."""
    html = base_record()["content_html"]
    rec = base_record(content_html=html.split("<p>&nbsp;</p>", 1)[1])
    path = tmp_path / "export.json"
    path.write_text(export_text([rec]), encoding="utf-8", newline="")
    before = path.read_bytes()
    r = run_cli("check", "--fix", "--unsafe-fixes", "--select", "FL4", "--fail-on", "never", str(path))
    assert path.read_bytes() == before and "applied 0 fixes" in r.stderr


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("\r\n&nbsp;\r\n", "the body had no visible words, only spacing"),  # FL402: a lone &nbsp; is no word
        ("", "the body was empty"),
        ("<p>&#160;</p>\n\n&nbsp;", "the body had no visible words, only spacing"),
        ("Tom &amp; Jerry&#39;s\r\n\r\n&nbsp;\r\n\r\nshow", "the body had 4 words"),  # words as FL401 compares them
    ],
)
def test_rebuild_description_counts_the_words_fl4xx_sees(body, said):
    from feedlint.rules.parity import _rebuilt_description

    assert f"(1 paragraph; {said}; the HTML is taken as right)" in _rebuilt_description(body, "<p>Tom &amp; Jerry’s show</p>")


def test_fl402_fix_says_the_body_had_no_words():
    r = run_cli("explain", "FL402")
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("Fixed by `feedlint check --fix`: "))
    assert "the body had no visible words, only spacing" in line and "1 word" not in line


def test_rebuilt_body_follows_the_body_conventions():
    from feedlint.rules.parity import rebuilt_body

    html = "<p>One &amp; <b>two</b></p>\r\n<p>&nbsp;</p>\r\n<p>Three<br>four\u00a0five</p>"
    assert rebuilt_body("x\r\n\r\n&nbsp;\r\n\r\ny", html) == "One & two\r\n\r\n&nbsp;\r\n\r\nThree\r\nfour\u00a0five"
    assert rebuilt_body("x\n\ny", html) == "One & two\n\nThree\nfour\u00a0five"
    assert rebuilt_body("", "<div>a</div><div>b</div>") == "a\n\nb"


@pytest.mark.parametrize(
    ("value", "stripped"),
    [
        ("First paragraph.<br>Second <b>bold</b> one.", "First paragraph.\nSecond bold one."),
        ('<p><span style="font-size:16px;">Summary</span></p>', "Summary"),
        ("<p>One</p>\r\n<p>Two <i>x</i></p>", "One\r\n\r\nTwo x"),
        ("a<!-- note -->b", "ab"),
        ("line<br>\nnext", "line\nnext"),
    ],
)
def test_markup_stripped_from_plain_text(value, stripped):
    from feedlint.rules._fixtext import tags_stripped
    from feedlint.rules._markup import tags

    assert tags_stripped(value, tuple((m.start(), m.end(), n) for m, n in tags(value))) == stripped


def test_reference_repairs_are_safe_only_when_certain():
    from feedlint.rules.encoding import _guessed_reference, _repaired_reference

    assert _repaired_reference("&#150;") == "&#8211;" and _repaired_reference("&#x96;") == "&#x2013;"
    assert _repaired_reference("&#39") == "&#39;" and _repaired_reference("&#150") == "&#8211;"
    for none in ("&#129;", "&#99999999;", "&#xD800;", "&#1;", "&#xZZ;", "&#;", "&#39;"):
        assert _repaired_reference(none) is None, none
    assert _guessed_reference("&nbps;") == "&nbsp;" and _guessed_reference("&zzzzqq;") is None
    # digits then letters: a browser reads the reference, then the text ("&#8217s" shows "’s")
    assert _repaired_reference("&#8217s") == "&#8217;s" and _repaired_reference("&#x2019s") == "&#x2019;s" and _repaired_reference("&#150s") == "&#8211;s"
    assert _repaired_reference("&#8217s;") is None  # "’s;"? what was meant is unclear


def test_numeric_reference_run_into_a_word(tmp_path):
    """"Mayor&#8217s plan" is the reference without its semicolon before "s", not a reference without digits; --fix closes it."""
    path = tmp_path / "export.json"
    html = base_record()["content_html"].replace("</p>", " the mayor&#8217s plan, AT&T2024s, R&D and &#8217;s</p>", 1)
    path.write_text(export_text([base_record(content_html=html)]), encoding="utf-8")
    found = _findings(path, "--select", "FL203")
    assert [f["message"].split(":")[0] for f in found] == ['numeric reference "&#8217" has no closing semicolon (before "s")']
    r = run_cli("check", "--fix", "--select", "FL203", str(path))
    assert r.returncode == 0, r.stderr
    assert _findings(path, "--select", "FL203") == []
    assert " the mayor&#8217;s plan, AT&T2024s, R&D and &#8217;s</p>" in next(iter(Source(str(path)).records())).data["content_html"]


def test_literal_offsets_match_decoding():
    """Each decoded position maps to the literal offset whose prefix decodes to exactly that many characters."""
    import random

    from feedlint.fixing.edits import _literal_offsets

    rng = random.Random(15)
    pieces = ["a", "é", "\\r\\n", "\\/", '\\"', "\\\\", "\\u00e9", "\\u00E9", "\\ud83d\\ude00", "😀", "\\t", " "]
    for _ in range(300):
        body = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40)))
        n = len(json.loads('"' + body + '"'))
        offsets = _literal_offsets(body, range(n + 1))
        assert offsets[-1] == len(body)
        for p, off in enumerate(offsets):
            assert len(json.loads('"' + body[:off] + '"')) == p
            assert off == len(body) or not body[:off].endswith("\\") or body[:off].endswith("\\\\")


@pytest.mark.parametrize("literal,new", [
    ('"a\\/x"', "b/x"),        # "/" written escaped: the unchanged suffix "/x" is not the literal's last two characters
    ('"\\u00e9t\\u00e9"', "\u00e9te"),
    ('"x\\\\n"', "y\\n"),       # an escaped backslash before "n"
    ('"\\ud83d\\ude00!"', "\U0001F600?"),
    ('"tab\\there"', "tab\there!"),
    ('"A \\u0026amp; B"', "A & B"),
])
def test_rewrite_literal_splits_between_escapes(literal, new):
    """Whatever the literal's spelling, the rewritten literal decodes to the new value and keeps its unchanged ends."""
    old = json.loads(literal)
    for style in (Style(), Style(ascii_only=True), detect(literal)):
        a, b, text = rewrite_literal(literal, old, new, style)
        out = literal[:a] + text + literal[b:]
        assert json.loads(out) == new, (style, out)


@pytest.mark.parametrize("rule_id", ["FL201", "FL202", "FL203", "FL204", "FL205", "FL206", "FL401", "FL402", "FL502", "FL503", "FL504", "FL505"])
def test_explain_shows_the_fix_of_every_fixable_rule(rule_id):
    """`feedlint explain` says what the fix does to the bad example, and whether it is unsafe."""
    r = run_cli("explain", rule_id)
    assert r.returncode == 0, r.stderr
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("Fixed by `feedlint check --fix`: ")), None)
    assert line is not None, r.stdout
    unsafe_only = rule_id in {"FL205", "FL401", "FL402", "FL502", "FL503", "FL504", "FL505"}
    assert ("(unsafe: applied with --unsafe-fixes)" in line) == unsafe_only or rule_id in {"FL203", "FL206"}
    assert "--fix" in r.stdout.split("Options:")[0] or "--fix" in r.stdout.split("Bad (reported)")[0]  # the doc says what the fix does


# -- interruption ------------------------------------------------------------------


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_an_interrupted_fix_leaves_every_file_old_or_new(tmp_path, signal_name):
    """Stopped at any point, ``--fix`` leaves each file as it was or wholly repaired, never half-written.

    Three files, each a few seconds' work; the run is stopped at several moments.
    Ctrl-C and a CI timeout's SIGTERM also remove the temporary file; after
    SIGKILL (nothing can run) it may stay behind, beside the intact file.
    """
    import signal
    import time

    from conftest import feedlint_cmd

    records = [dict(rec, content_id=rec["content_id"] * 1000 + i) for i in range(40) for rec in defective_records()]
    originals, repaired = {}, {}
    for name in ("a.jsonl", "b.json", "c.json"):
        text = export_text(records, "jsonl" if name.endswith("jsonl") else "pages", pretty=name == "c.json")
        originals[name] = text.encode()
        ref = tmp_path / "ref" / name
        ref.parent.mkdir(exist_ok=True)
        ref.write_bytes(originals[name])
    t0 = time.monotonic()
    run_cli("check", "--fix", "--fail-on", "never", *(str(tmp_path / "ref" / n) for n in originals))
    whole = time.monotonic() - t0
    for name in originals:
        repaired[name] = (tmp_path / "ref" / name).read_bytes()
        assert repaired[name] != originals[name]
    sig = getattr(signal, signal_name)
    for k, fraction in enumerate((0.2, 0.5, 0.85)):
        work = tmp_path / f"run{k}"
        work.mkdir()
        for name, data in originals.items():
            (work / name).write_bytes(data)
        proc = subprocess.Popen([*feedlint_cmd(), "check", "--fix", "--fail-on", "never", *(str(work / n) for n in originals)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(whole * fraction)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 130 if sig == signal.SIGINT else -sig), (proc.returncode, err)  # SIGTERM: cleaned up, then dead of the signal
        states = []
        for name in originals:
            now = (work / name).read_bytes()
            assert now in (originals[name], repaired[name]), (signal_name, fraction, name)
            states.append("new" if now == repaired[name] else "old")
        assert states == sorted(states, key=lambda s: s == "old"), states  # files are fixed in order: no new file after an old one
        left = [p for p in os.listdir(work) if p.startswith(".feedlint-")]
        if signal_name != "SIGKILL":
            assert left == [], (signal_name, fraction, left)
            assert b"Traceback" not in err
