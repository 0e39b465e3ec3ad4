"""FL2xx text encoding and entity rules: each defect at its exact line/column, look-alikes silent.

Expected positions are computed from the text of the file the test wrote (the
value's opening quote, or the raw characters of the defect inside the JSON
string), never copied from feedlint's own output.
"""

from __future__ import annotations

import json
import time

import pytest

from conftest import SEED_EXPORT, base_record, needs_seeds, run_cli, line_col
from feedlint.config import Config
from feedlint.engine import Engine
from feedlint.fields import FieldRoles
from feedlint.model import Record
from feedlint.planning import Choices, build_plan
from feedlint.registry import load_catalogue
from feedlint.rules import encoding

CATALOGUE = load_catalogue(plugins=False)

PERSIAN = "پزشکیان گفت: «ما هرگز مذاکره نمی\u200cکنیم» \u200f"
LEGIT_TEXT = (
    "AT&T, R&D, Q&A, Tom & Jerry, fish & chips, &c, a&b, M&S, P&G; see ?a=1&b=2&c=3. "
    "The minister’s “plan” — 2010–2020 … café in Zürich, São Paulo, naïve, Straße, Łódź, ½ °C ±5. "
    "5 < 6, x<y, I <3 it, a <b c, <jane@example.com>, <https://example.com/a?b=1&c=2>, List<String>. "
    "😀👍🏽 中文 日本語 한국어 " + PERSIAN + " مرحبا بالعالم.\r\nLine\twith tab.\nLF line."
)
LEGIT_HTML = (
    '<p><span style="font-size:16px;">Iran&#39;s &quot;no&quot; &rsquo;&#x2019;&#8211; AT&T &amp; R&amp;D</span></p>\r\n\r\n'
    '<p>&nbsp;</p>\r\n\r\n<p><a href="/search?q=tram&amp;page=2&b=3">Q&amp;A</a> &copy; 2026 5 &lt; 6</p>'
    '<script>if (a&&b) { x&y; }</script><!-- &nbps; -->'
)


def run(records, tmp_path, select="FL2", config=None, pretty=False, layout="pages", bom=False, text=None):
    """Write an export (or ``text``) and run the selected rules through the real engine."""
    from conftest import export_text

    body = text if text is not None else export_text(records, layout, pretty)
    path = tmp_path / "export.json"
    path.write_text(("\ufeff" if bom else "") + body, encoding="utf-8", newline="")
    plan = build_plan(CATALOGUE, Config(values=config or {}), Choices(select=[select]))
    engine = Engine(plan)
    findings = list(engine.run([str(path)]))
    assert not engine.errors and not engine.internal_errors and not engine.setup_errors
    return findings, body




def value_offset(text: str, key: str, nth: int = 0) -> int:
    """Offset of the opening quote of ``"key"``'s value (compact or pretty-printed)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(f'"{key}"', at + 1)
    colon = text.index(":", at + len(key) + 2)
    i = colon + 1
    while text[i] in " \t\r\n":
        i += 1
    return i


def where(f) -> tuple[int, int]:
    return f.region.start_line, f.region.start_column


def ids(findings) -> list[str]:
    return [f.rule_id for f in findings]


# -- the seed -------------------------------------------------------------------


@needs_seeds()
def test_seed_reports_exactly_the_four_content_body_entities():
    proc = run_cli("check", "--select", "FL2", "--format", "json", str(SEED_EXPORT))
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)
    text = SEED_EXPORT.read_text(encoding="utf-8")
    body = value_offset(text, "content_body")
    assert body == 510  # 0-based: the value starts at column 511; each entity is placed at its first occurrence in it
    first = {e: text.index(e, body) for e in ("&#39;", "&nbsp;", "&quot;", "&rsquo;")}  # one line, entities stand raw in JSON
    assert [(f["rule"], f["pointer"], f["line"], f["column"], f["end_column"], f["evidence"]) for f in findings] == [
        ("FL201", "/0/0/content_body", 1, at + 1, at + 1 + len(e), e) for e, at in first.items()
    ]
    assert [f["column"] for f in findings] == [602, 753, 1014, 5924]  # as measured on the seed
    messages = [f["message"] for f in findings]
    assert messages[0].startswith('undecoded entity "&#39;" (\') in plain-text field (12 occurrences): "…')
    assert 'undecoded entity "&nbsp;" (U+00A0 NO-BREAK SPACE)' in messages[1]
    words = " ".join(json.loads(text)[0][0]["content_body"].split())
    for e, m in zip(first, messages):  # the words around the first occurrence (line breaks shown as spaces)
        snippet = m.split(': "', 1)[1].rstrip('"').strip("…")
        assert e in snippet and 20 < len(snippet) < 80 and words.index(snippet) <= words.index(e) < words.index(snippet) + len(snippet)


# -- FL201 undecoded-entity -----------------------------------------------------


def test_undecoded_entities_located_at_the_value_with_emoji_and_persian_before_it(tmp_path):
    rec = base_record(content_title="Tram 🚋 extension " + PERSIAN, content_body="Iran&#39;s plan&nbsp;&rsquo;&#x2019; &#39;again&#39;")
    findings, text = run([rec], tmp_path, "FL201")
    off = value_offset(text, "content_body")
    assert [(f.record_pointer, where(f), f.evidence) for f in findings] == [
        ("/content_body", (1, text.index(e, off) + 1), e) for e in ("&#39;", "&nbsp;", "&rsquo;", "&#x2019;")
    ]
    assert findings[0].region.start_column16 == text.index("&#39;", off) + 1 + 1  # the tram emoji is two UTF-16 units
    assert findings[0].message == 'undecoded entity "&#39;" (\') in plain-text field (3 occurrences): "Iran&#39;s plan&nbsp;&rsquo;&#x2019;…"'
    assert findings[1].message.startswith('undecoded entity "&nbsp;" (U+00A0 NO-BREAK SPACE) in plain-text field (1 occurrence): "')
    assert findings[3].message.startswith('undecoded entity "&#x2019;" (’)')
    assert findings[0].fix.replacement == "Iran's plan\u00a0’’ 'again'"
    import pickle  # the fix is built only when asked for, and survives the trip from a --jobs worker

    assert pickle.loads(pickle.dumps(findings[1])).fix.replacement == findings[0].fix.replacement


def test_undecoded_entity_in_a_pretty_printed_export(tmp_path):
    recs = [base_record(content_id=1), base_record(content_id=2, content_summary="Talks &quot;impossible&quot;, minister says")]
    findings, text = run(recs, tmp_path, "FL201", pretty=True)
    off = value_offset(text, "content_summary", nth=1)
    assert [(f.content_id, f.pointer, where(f)) for f in findings] == [(2, "/0/1/content_summary", line_col(text, text.index("&quot;", off)))]
    assert where(findings[0])[0] > 1


def test_undecoded_entity_placed_at_its_first_occurrence_in_a_one_line_export(tmp_path):
    body = "Zürich 😀 council: the mayor&#39;s plan — “a tram&nbsp;line” — and the mayor&#39;s budget."
    findings, text = run([base_record(content_body=body)], tmp_path, "FL201")
    assert "\n" not in text.strip()
    off = value_offset(text, "content_body")
    first = text.index("&#39;", off)
    assert [(where(f), f.region.end_column, f.evidence) for f in findings] == [
        ((1, first + 1), first + 1 + 5, "&#39;"),
        ((1, text.index("&nbsp;", off) + 1), text.index("&nbsp;", off) + 1 + 6, "&nbsp;"),
    ]
    assert findings[0].region.start_column16 == first + 1 + 1  # the emoji before it is two UTF-16 units
    assert findings[0].message == 'undecoded entity "&#39;" (\') in plain-text field (2 occurrences): "Zürich 😀 council: the mayor&#39;s plan — “a tram&nbsp;line” —…"'
    assert findings[0].evidence == "&#39;"  # evidence (and so the fingerprint) is the bare reference, as before


def test_undecoded_entity_placed_after_unicode_escapes_in_a_pretty_export(tmp_path):
    body = r"Caf\u00e9 \ud83d\ude00 \u201cquote\u201d\r\nline two: Tehran&#39;s reply &amp; more"  # JSON escapes, as written in the file
    rec = json.dumps(base_record(content_body="BODY"), indent=2, ensure_ascii=True).replace('"BODY"', '"' + body + '"')
    text = "[\n  [\n" + rec + "\n  ]\n]\n"
    findings, _ = run([], tmp_path, "FL201", text=text)
    assert [(f.evidence, where(f)) for f in findings] == [
        ("&#39;", line_col(text, text.index("&#39;"))),  # columns count the escapes' characters as they stand in the file
        ("&amp;", line_col(text, text.index("&amp;"))),
    ]
    assert findings[0].region.end_column == line_col(text, text.index("&#39;"))[1] + 5
    assert where(findings[0])[0] > 1
    assert findings[0].message.endswith(': "…😀 “quote” line two: Tehran&#39;s reply &amp; more"')  # the words decoded, line breaks as spaces


def test_undecoded_entity_in_json_lines(tmp_path):
    recs = [base_record(content_id=1), base_record(content_id=2, attach_title="Q&amp;A with the mayor")]
    findings, text = run(recs, tmp_path, "FL201", layout="jsonl")
    off = value_offset(text, "attach_title", nth=1)
    assert [(f.pointer, where(f)) for f in findings] == [("/attach_title", line_col(text, text.index("&amp;", off)))]
    assert line_col(text, off)[0] == 2


def test_bare_ampersands_and_non_entities_in_plain_text_are_silent(tmp_path):
    rec = base_record(content_body=LEGIT_TEXT + " &nbps; &foo; &copy 2026 &amp &AMP", content_title="AT&T and R&D: Q&A", content_summary="Tom & Jerry")
    findings, _ = run([rec], tmp_path, "FL201")
    assert findings == []


def test_references_in_html_fields_are_not_undecoded(tmp_path):
    findings, _ = run([base_record(content_html=LEGIT_HTML)], tmp_path, "FL201")
    assert findings == []


def test_entity_encoded_role_exempts_a_field(tmp_path):
    rec = base_record(content_summary="Iran&#39;s &quot;no&quot;", content_title="Iran&#39;s")
    config = {"fields": {"cms": {"entity-encoded": ["/content_summary"]}}}
    findings, _ = run([rec], tmp_path, "FL201", config=config)
    assert [f.record_pointer for f in findings] == ["/content_title"]


def test_legacy_references_without_semicolon_only_when_asked(tmp_path):
    rec = base_record(content_body="Copyright &copy 2026, Smith &amp Sons; AT&T &copy2026 &ampT")
    assert run([rec], tmp_path, "FL201")[0] == []
    findings, _ = run([rec], tmp_path, "FL201", config={"rules": {"FL201": {"legacy-without-semicolon": True}}})
    assert sorted(f.evidence for f in findings) == ["&amp", "&copy"]


def test_numeric_reference_without_semicolon_in_plain_text_is_found_and_fixed(tmp_path):
    """HTML reads "&#8217s" as "’s" and "1990&#150s" as "1990–s": the reference, its ";" lost, then the text."""
    rec = base_record(content_id=7, content_title="Don&#8217s plan for the 1990&#150s", content_summary="Scores of &#392 points, Iran&#39s &#x2019s")
    findings, text = run([rec], tmp_path, "FL201")
    title, summary = value_offset(text, "content_title"), value_offset(text, "content_summary")
    assert [(f.record_pointer, where(f), f.region.end_column, f.evidence) for f in findings] == [
        ("/content_title", (1, text.index("&#8217", title) + 1), text.index("&#8217", title) + 1 + 6, "&#8217"),
        ("/content_title", (1, text.index("&#150", title) + 1), text.index("&#150", title) + 1 + 5, "&#150"),
        ("/content_summary", (1, text.index("&#392", summary) + 1), text.index("&#392", summary) + 1 + 5, "&#392"),
        ("/content_summary", (1, text.index("&#39s", summary) + 1), text.index("&#39s", summary) + 1 + 4, "&#39"),
        ("/content_summary", (1, text.index("&#x2019", summary) + 1), text.index("&#x2019", summary) + 1 + 7, "&#x2019"),
    ]
    assert findings[0].message == 'undecoded entity "&#8217" without its ";" (’, as browsers read it) in plain-text field (1 occurrence): "Don&#8217s plan for the 1990&#150s"'
    assert findings[0].fix.replacement == "Don’s plan for the 1990–s"  # &#150 is the Windows-1252 en dash, as browsers show it
    # "&#392" is U+0188, or "&#39;" (an apostrophe) that swallowed the "2" of "2 points": reported, not fixed
    assert 'it may also be "&#39;" followed by digits of the text, so it is not fixed' in findings[2].message and findings[2].fix is None
    assert findings[3].fix.replacement == findings[4].fix.replacement == "Scores of &#392 points, Iran's ’s"


@pytest.mark.parametrize(
    "text",
    [
        "C&# is a language, and so is F&#; &#frag, &#x, &#xyz",  # "&#" without digits
        "AT&T, R&D, Q&A and M&S",
        "see https://example.com/a?b=1&#42 or example.com/?a=1&#frag, www.example.com/x&#8217s, /path/a&#8217s and ?q=1&#150",  # URLs, paths, query strings
        "write `Don&#8217s` in the template, `x&#150`",  # a code sample in backticks
        "Tom&#1 fan, item&#10, x&#65 y, z&#100",  # controls and plain ASCII letters: no one writes a reference for them
        "Vote&#2024 now, &#3920s",  # a letter of a script the text around lacks (NKo, Tibetan)
        "&#768 and &#57344 and &#64976",  # a mark on its own, private use, a noncharacter
        PERSIAN + " ۱۲۳&#۴۵ ٤٥&#٦٧",  # Persian and Arabic-Indic digits are not reference digits
        "Iran&#39;s plan&#8217;s",  # complete references: FL201's usual findings, not these
    ],
)
def test_look_alikes_of_references_without_semicolon_are_silent(text, tmp_path):
    findings, _ = run([base_record(content_body=text)], tmp_path, "FL201")
    assert [f.evidence for f in findings if not f.evidence.endswith(";")] == []


def test_persian_written_as_references_without_semicolons(tmp_path):
    """Letters of the script the text is written in are meant, even where a shorter run would be a no-break space ("&#160" + "5")."""
    body = "سلام &#1605&#1740 دنیا و &#1605 خوب"
    findings, text = run([base_record(content_body=body)], tmp_path, "FL201")
    assert [(f.evidence, f.fix is not None) for f in findings] == [("&#1605", True), ("&#1740", True)]
    assert findings[0].fix.replacement == "سلام می دنیا و م خوب"
    assert findings[0].region.start_column == text.index("&#1605") + 1


def test_fl4xx_reads_a_reference_without_semicolon_as_fl201_does(tmp_path):
    """The body's "department&#8217s" is FL201's: FL401 compares what a reader would see once it is decoded."""
    body = base_record()["content_body"]
    assert "department’s" in body
    rec = base_record(content_body=body.replace("department’s", "department&#8217s"))
    assert [f.evidence for f in run([rec], tmp_path, "FL201")[0]] == ["&#8217"]
    assert run([rec], tmp_path, "FL4")[0] == []
    # a look-alike FL201 leaves alone is a difference in words for FL401
    look_alike = base_record(content_body=body.replace("department’s", "department&#82s"))
    assert run([look_alike], tmp_path, "FL201")[0] == []
    assert [f.rule_id for f in run([look_alike], tmp_path, "FL4")[0]] == ["FL401"]


def test_allowed_entities_option(tmp_path):
    rec = base_record(content_body="Smith &amp; Sons &#38; Co &nbsp;")
    findings, _ = run([rec], tmp_path, "FL201", config={"rules": {"FL201": {"allowed-entities": ["amp", "&#38;"]}}})
    assert [f.evidence for f in findings] == ["&nbsp;"]


def test_double_encoded_reference_in_plain_text_is_left_to_fl202(tmp_path):
    rec = base_record(content_body="Iran&amp;#39;s plan, Smith &amp; Sons")
    findings, _ = run([rec], tmp_path)
    assert sorted((f.rule_id, f.evidence) for f in findings) == [("FL201", "&amp;"), ("FL202", "&amp;#39;")]


def test_article_kind_uses_its_own_plain_text_roles():
    data = {"section": "World", "title": "Iran&#39;s reply", "paragraphs": ["First.", "Said &quot;no&quot;."], "trailer": []}
    record = Record(data, kind="article", roles=FieldRoles())
    hits = list(encoding.undecoded_entity.check(record, encoding.undecoded_entity.defaults))
    assert [(h.pointer, h.evidence) for h in hits] == [("/title", "&#39;"), ("/paragraphs/1", "&quot;")]


# -- FL202 double-encoded-entity ------------------------------------------------


def test_double_encoded_in_html_located_at_the_sequence(tmp_path):
    html = "<p>Café 😀 Iran&amp;#39;s &amp;quot;no&amp;quot; &amp;amp; &amp;nbsp;</p>"
    findings, text = run([base_record(content_html=html)], tmp_path, "FL202")
    got = {f.evidence: f for f in findings}
    assert set(got) == {"&amp;#39;", "&amp;quot;", "&amp;amp;", "&amp;nbsp;"}
    for evidence, f in got.items():
        raw = text.index(evidence)  # the compact export escapes only "/" here, so the raw text is verbatim
        assert where(f) == (1, raw + 1)
        assert f.region.end_column == raw + 1 + len(evidence)
    assert got["&amp;quot;"].message == 'double-encoded entity "&amp;quot;": readers see "&quot;" instead of ("); 2 occurrences: "<p>Café 😀 Iran&amp;#39;s &amp;quot;no&amp;quot; &amp;amp;…"'
    assert got["&amp;#39;"].fix.replacement == "<p>Café 😀 Iran&#39;s &quot;no&quot; &amp; &nbsp;</p>"


def test_references_shown_as_code_are_not_double_encoded_but_one_beside_them_is(tmp_path):
    """A post explaining entities writes them escaped inside code elements, on purpose (a real Ghost export)."""
    html = "<p>Type <code>&amp;#8364;</code> or <kbd>&amp;euro;</kbd> for the sign:</p><pre><code>a &amp;amp;&amp; b</code></pre><p>Prices in &amp;#8364; here</p>"
    findings, text = run([base_record(content_html=html)], tmp_path, "FL202")
    assert [(f.evidence, where(f)) for f in findings] == [("&amp;#8364;", (1, text.index("&amp;#8364; here") + 1))]
    assert findings[0].message.endswith('1 occurrence: "…b</code></pre><p>Prices in &amp;#8364; here</p>"')
    assert findings[0].fix.replacement == html.replace("in &amp;#8364;", "in &#8364;")  # the code samples are left as written
    findings, _ = run([base_record(content_html="<p>Type <code>&amp;#8364;</code> and <tt>&amp;quot;</tt></p>")], tmp_path, "FL202")
    assert findings == []


def test_single_amp_in_html_is_correct(tmp_path):
    findings, _ = run([base_record(content_html=LEGIT_HTML, content_body="Smith & Sons")], tmp_path, "FL202")
    assert findings == []


def test_double_encoded_needs_a_real_reference_after_amp(tmp_path):
    html = '<p>R&amp;D&amp;T; &amp;nbps; <a href="?a=1&amp;b=2">x</a> &amp;#; &amp;foo;</p>'
    findings, _ = run([base_record(content_html=html)], tmp_path, "FL202")
    assert findings == []


# -- FL203 malformed-entity -----------------------------------------------------


@pytest.mark.parametrize(
    "reference,expected",
    [
        ("&nbps;", 'unknown entity "&nbps;" (did you mean "&nbsp;"?)'),
        ("&xyzzyq;", 'unknown entity "&xyzzyq;" (not an HTML5 entity name)'),
        ("&NBSP;", 'unknown entity "&NBSP;" (did you mean "&nbsp;"?)'),
        ("&#xZZ;", 'malformed numeric reference "&#xZZ;"'),
        ("&#;", 'malformed numeric reference "&#;"'),
        ("&#99999999;", 'numeric reference "&#99999999;" is beyond the last Unicode code point U+10FFFF'),
        ("&#150;", 'numeric reference "&#150;" is the C1 control U+0096; browsers guess Windows-1252 and show – — write &#8211; instead'),
        ("&#x81;", 'numeric reference "&#x81;" is the C1 control U+0081'),
        ("&#1;", 'numeric reference "&#1;" is the control character U+0001 <control>'),
        ("&#0;", 'numeric reference "&#0;" is NUL (shown as U+FFFD)'),
        ("&#xD800;", 'numeric reference "&#xD800;" is a UTF-16 surrogate U+D800, not a character'),
        ("&#xFFFE;", 'numeric reference "&#xFFFE;" is the noncharacter U+FFFE'),
        ("&#39", 'numeric reference "&#39" has no closing semicolon'),
    ],
)
def test_malformed_references_in_html(reference, expected, tmp_path):
    html = f"<p>Zürich 😀 before {reference} after</p>"
    findings, text = run([base_record(content_html=html)], tmp_path, "FL203")
    assert [f.message for f in findings] == [f'{expected}: "{html}"']  # the words around it: here the whole short field
    raw = text.index(reference)
    assert (findings[0].record_pointer, where(findings[0]), findings[0].evidence) == ("/content_html", (1, raw + 1), reference)


def test_malformed_reference_counted_and_located_in_pretty_export(tmp_path):
    html = "<p>one&nbps;two</p>\r\n<p>three&nbps;</p>"
    findings, text = run([base_record(content_html=html)], tmp_path, "FL203", pretty=True)
    assert len(findings) == 1 and findings[0].message.endswith('(2 occurrences): "<p>one&nbps;two</p> <p>three&nbps;</p>"')
    assert where(findings[0]) == line_col(text, text.index("&nbps;"))


def test_valid_references_and_bare_ampersands_in_html_are_silent(tmp_path):
    findings, _ = run([base_record(content_html=LEGIT_HTML + " &copy 2026 &#10; &#9; &#13; &#8212; &NotEqualTilde; &#x1F600;")], tmp_path, "FL203")
    assert findings == []


def test_plain_text_fields_are_not_checked_for_malformed_references(tmp_path):
    findings, _ = run([base_record(content_body="Smith &nbps; &#xZZ;")], tmp_path, "FL203")
    assert findings == []


def test_missing_semicolon_option_and_allowed_names(tmp_path):
    rec = base_record(content_html="<p>&#39 and &brand;</p>")
    config = {"rules": {"FL203": {"report-missing-semicolon": False, "allowed-entities": ["brand"]}}}
    assert run([rec], tmp_path, "FL203", config=config)[0] == []


# -- FL204 mojibake -------------------------------------------------------------


def test_mojibake_located_at_the_first_bad_sequence(tmp_path):
    body = "Mayor 😀 said:\r\nThe ministerâ€™s plan for ZÃ¼rich is â€œdoneâ€\x9d."
    findings, text = run([base_record(content_body=body)], tmp_path, "FL204")
    assert len(findings) == 1
    f = findings[0]
    raw = text.index("â€™")
    assert (f.record_pointer, where(f), f.region.end_column, f.evidence) == ("/content_body", (1, raw + 1), raw + 4, "â€™")
    assert f.message.startswith('mojibake "â€™" (UTF-8 decoded as Windows-1252), probably "’": "')
    assert "minister’s plan for Zürich" in f.message
    assert f.fix.replacement == "Mayor 😀 said:\r\nThe minister’s plan for Zürich is “done”."


def test_mojibake_in_html_and_pretty_export(tmp_path):
    html = '<p><span style="font-size:16px;">A cafÃ© in SÃ£o Paulo</span></p>'
    findings, text = run([base_record(content_html=html)], tmp_path, "FL204", pretty=True)
    assert [(f.record_pointer, where(f), f.evidence) for f in findings] == [("/content_html", line_col(text, text.index("Ã©")), "Ã©")]
    assert 'probably "é"' in findings[0].message


@pytest.mark.parametrize("garbled,intended", [("Ø³Ù„Ø§Ù…", "سلام"), ("ðŸ˜€", "😀"), ("ÃƒÂ©tÃƒÂ©", "é"), ("Ã¢â‚¬â„¢", "’")])
def test_mojibake_of_non_latin_emoji_and_double_mojibake(garbled, intended, tmp_path):
    findings, _ = run([base_record(content_summary=f"Word {garbled} end")], tmp_path, "FL204")
    assert len(findings) == 1 and f'probably "{intended}"' in findings[0].message


def test_real_multilingual_text_is_not_mojibake(tmp_path):
    extra = "« Bonjour » dit-il, Ça va ; déjà-vu… Tiếng Việt, İstanbul, ESPAÑA, Ñandú, ¿Qué? ¡Sí! 3×4÷2, SÃO PAULO, IRMÃ E, Dvořák"
    rec = base_record(content_body=LEGIT_TEXT + extra, content_html=LEGIT_HTML, content_title=PERSIAN, content_summary="東京 😀 Zürich café")
    findings, _ = run([rec], tmp_path, "FL204")
    assert findings == []


# -- FL205 markup-in-plain-text -------------------------------------------------


def test_markup_in_plain_text_located_at_the_first_tag(tmp_path):
    body = "Intro 😀 x<y and 5 < 6.\r\n<p><span style=\"font-size:16px;\">Text</span></p><br/><br>"
    findings, text = run([base_record(content_body=body)], tmp_path, "FL205")
    assert len(findings) == 1
    f = findings[0]
    raw = text.index("<p>")
    assert (f.record_pointer, where(f), f.region.end_column) == ("/content_body", (1, raw + 1), raw + 4)
    assert f.message == 'HTML markup in plain-text field: <p>, <span>, <br> (6 tags): "Intro 😀 x<y and 5 < 6. <p><span…"'
    assert f.evidence == "br,p,span"


def test_markup_in_pretty_export_and_comment(tmp_path):
    findings, text = run([base_record(content_summary="Summary <!-- draft --> text")], tmp_path, "FL205", pretty=True)
    assert [(f.record_pointer, where(f)) for f in findings] == [("/content_summary", line_col(text, text.index("<!--")))]


def test_angle_brackets_in_prose_are_silent(tmp_path):
    rec = base_record(content_body=LEGIT_TEXT + " if a <b and c> d, <foo>, <Hello>, Vector<T>, <- arrow, <<quote>>, &lt;p&gt;")
    findings, _ = run([rec], tmp_path, "FL205")
    assert findings == []


def test_markup_in_html_field_is_not_reported(tmp_path):
    assert run([base_record(content_html=LEGIT_HTML)], tmp_path, "FL205")[0] == []


CODE_BODY = "To embed the clip, paste:\r\n\r\n<video src=\"clip.mp4\" controls></video>\r\n\r\nThe <img> tag takes an alt text; so does `<area>`."
CODE_HTML = "<p>To embed the clip, paste:</p><pre><code>&lt;video src=&quot;clip.mp4&quot; controls&gt;&lt;/video&gt;</code></pre><p>The &lt;img&gt; tag takes an alt text; so does <code>&lt;area&gt;</code>.</p>"


def test_html_shown_as_text_is_silent(tmp_path):
    """A code sample the HTML escapes, a tag named in prose, a tag in backticks: text the record means to show."""
    assert run([base_record(content_body=CODE_BODY, content_html=CODE_HTML)], tmp_path, "FL205")[0] == []
    assert run([base_record(content_summary="Why the <img> element needs an alt text")], tmp_path, "FL205")[0] == []


def test_a_leaked_tag_beside_a_code_sample_is_still_found(tmp_path):
    """The same record with a real leftover <b> the HTML does not show as text: found at it, and only it."""
    body = CODE_BODY + "\r\n\r\nPrices rise <b>today</b>."
    findings, text = run([base_record(content_body=body, content_html=CODE_HTML + "<p>Prices rise <b>today</b>.</p>")], tmp_path, "FL205")
    [f] = findings
    at = text.index("<b>today")
    assert (f.record_pointer, where(f)) == ("/content_body", line_col(text, at))
    assert f.message == 'HTML markup in plain-text field: <b> (2 tags): "…does `<area>`. Prices rise <b>today</b>."'


def test_allowed_tags_option(tmp_path):
    rec = base_record(content_body="Line one<br>Line two<br/>")
    assert run([rec], tmp_path, "FL205", config={"rules": {"FL205": {"allowed-tags": ["br"]}}})[0] == []


# -- FL206 control-character ----------------------------------------------------


def test_control_characters_located_in_escaped_json(tmp_path):
    body = "Zürich 😀 budget\x08 approved\x00 2010\x962020 and again\x08"
    findings, text = run([base_record(content_body=body)], tmp_path, "FL206")
    got = {f.evidence: f for f in findings}
    assert list(got) == ["U+0008", "U+0000", "U+0096"]
    for evidence, escape in (("U+0008", "\\b"), ("U+0000", "\\u0000"), ("U+0096", "\x96")):
        raw = text.index(escape)  # json.dumps writes \b, \u0000; C1 stays raw
        assert where(got[evidence]) == (1, raw + 1), evidence
        assert got[evidence].region.end_column == raw + 1 + len(escape)
    assert got["U+0008"].message == 'control character U+0008 <control> in text (2 occurrences): "Zürich 😀 budget\\x08 approved\\x00 2010\\x962020 and…"'
    assert got["U+0096"].message.startswith("C1 control character U+0096 (probably –, a Windows-1252 byte decoded as Latin-1) in text (1 occurrence): ")


def test_lone_surrogate_and_noncharacter(tmp_path):
    text = '[{"content_id": 7, "content_title": "ok", "content_body": "Emoji broken: \\ud83d end \\uffff"}]'
    findings, _ = run(None, tmp_path, "FL206", text=text)
    assert [(f.evidence, where(f)) for f in findings] == [("U+D83D", (1, text.index("\\ud83d") + 1)), ("U+FFFF", (1, text.index("\\uffff") + 1))]
    assert findings[0].message.startswith("lone surrogate U+D83D")


def test_legitimate_invisible_characters_are_silent(tmp_path):
    rec = base_record(content_body=LEGIT_TEXT + " \u200c\u200d\u200e\u200f\u00a0\u2009", content_html=LEGIT_HTML, content_title=PERSIAN)
    findings, _ = run([rec], tmp_path, "FL206")
    assert findings == []


def test_allowed_code_points_option(tmp_path):
    rec = base_record(content_body="Page one\x0cPage two")
    assert [f.evidence for f in run([rec], tmp_path, "FL206")[0]] == ["U+000C"]
    assert run([rec], tmp_path, "FL206", config={"rules": {"FL206": {"allowed-code-points": ["U+000C"]}}})[0] == []


# -- FL207 replacement-character ------------------------------------------------


def test_replacement_character_located_and_counted(tmp_path):
    rec = base_record(content_title="Tram 🚋", content_summary="The minister\ufffds plan \ufffd again")
    findings, text = run([rec], tmp_path, "FL207", pretty=True)
    assert [(f.record_pointer, where(f)) for f in findings] == [("/content_summary", line_col(text, text.index("\ufffd")))]
    assert "(2 occurrences)" in findings[0].message


def test_no_replacement_character_in_clean_text(tmp_path):
    assert run([base_record(content_body=LEGIT_TEXT)], tmp_path, "FL207")[0] == []


# -- FL208 byte-order-mark ------------------------------------------------------


def test_bom_reported_once_at_file_start_without_shifting_other_columns(tmp_path):
    rec = base_record(content_body="Iran&#39;s plan")
    with_bom, text = run([rec], tmp_path, "FL2", bom=True)
    assert [(f.rule_id, f.severity, where(f), f.record_index) for f in with_bom if f.rule_id == "FL208"] == [("FL208", "note", (1, 1), None)]
    fl201 = [f for f in with_bom if f.rule_id == "FL201"]
    assert [where(f) for f in fl201] == [(1, text.index("&#39;") + 1)]  # the BOM is not counted


def test_no_bom_no_finding(tmp_path):
    assert run([base_record()], tmp_path, "FL208")[0] == []


# -- the whole pack on clean content --------------------------------------------


def test_clean_base_record_and_legit_content_silent_for_every_fl2_rule(tmp_path):
    recs = [
        base_record(),
        base_record(content_id=2, content_body=LEGIT_TEXT, content_html=LEGIT_HTML, content_title=PERSIAN, content_summary="Tom & Jerry <3"),
    ]
    for pretty in (False, True):
        assert run(recs, tmp_path, "FL2", pretty=pretty)[0] == []


def test_boolean_attributes_need_a_name_value_pair_beside_them(tmp_path):
    rec = base_record(content_body='Watch: <iframe width="560" src="https://example.com/v" allowfullscreen></iframe>', content_summary="if a <b and c> d, <i love you> too")
    findings, text = run([rec], tmp_path, "FL205")
    assert [(f.record_pointer, where(f)) for f in findings] == [("/content_body", (1, text.index("<iframe") + 1))]
    assert findings[0].message.startswith('HTML markup in plain-text field: <iframe> (2 tags): "Watch: <iframe width=')


def test_script_style_and_comments_are_skipped_in_linear_time(tmp_path):
    html = "<style>a&b;</STYLE >x&nbps;<script src=x>&&q;</script>&yy1;<!-- &zz1; -->" + "<script>" * 20000
    start = time.perf_counter()
    findings, _ = run([base_record(content_html=html)], tmp_path, "FL203")
    assert time.perf_counter() - start < 5  # was quadratic (minutes) with a lazy .*? regex
    assert sorted(f.evidence for f in findings) == ["&nbps;", "&yy1;"]


def test_unparsable_allowed_code_point_is_one_clear_error(tmp_path, write_export):
    path = write_export([base_record()])
    (tmp_path / "feedlint.toml").write_text('[rules.FL206]\nallowed-code-points = ["bogus"]\n', encoding="utf-8")
    proc = run_cli("check", "--select", "FL206", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert "allowed-code-points: 'bogus' is not a code point" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_fix_decodes_only_the_reported_references(tmp_path):
    rec = base_record(content_body="Iran&#39;s plan &copy2026 AT&T &ampT")
    findings, _ = run([rec], tmp_path, "FL201")
    assert [f.fix.replacement for f in findings] == ["Iran's plan &copy2026 AT&T &ampT"]  # html.unescape would turn &copy2026 into ©2026


def test_badness_near_non_ascii_equals_ftfy_on_the_whole_text():
    """Windows around non-ASCII characters count exactly what ftfy counts on the whole field."""
    import random

    from ftfy.badness import BADNESS_RE, badness

    from feedlint.rules._mojibake import badness_near_non_ascii

    rng = random.Random(4)
    special = sorted({c for c in BADNESS_RE.pattern if ord(c) > 127})
    ascii_part = list("abcxyzABC .,?!-\n\t")
    checked = bad = 0
    for _ in range(20000):
        parts = []
        for _ in range(rng.randint(1, 8)):
            parts.append("".join(rng.choice(special) for _ in range(rng.randint(1, 4))))
            parts.append("".join(rng.choice(ascii_part) for _ in range(rng.choice([0, 1, 2, 5, 7, 8, 9, 15, 17]))))
        if rng.random() < 0.5:
            parts.insert(0, "".join(rng.choice(ascii_part) for _ in range(rng.randint(0, 20))))
        text = "".join(parts)
        expected = badness(text)
        assert badness_near_non_ascii(text) == expected, text
        checked += 1
        bad += expected > 0
    assert checked == 20000 and 2000 < bad < 19000  # both outcomes are exercised
