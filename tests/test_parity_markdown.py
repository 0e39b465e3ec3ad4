"""FL401 with a plain-text body written as Markdown (``markdown-body``; the jsonfeed profile sets it).

micro.blog writes a JSON Feed's ``content_text`` as the Markdown source of its
``content_html``.  Invented look-alikes: links ``[text](url)``, emphasis, a code span,
a list, a quote, ``--`` and ``...`` that renderers turn into a dash and an ellipsis.
With the option they are silent; a word really missing from the HTML is still found, at
its place in the body, and no rebuilt plain text (which would drop the Markdown) is offered.
Through the CLI: a real-shaped JSON Feed, both sides.
"""

from __future__ import annotations

import json

from conftest import base_record, export_text, line_col, run_cli
from feedlint.config import Config
from feedlint.engine import Engine
from feedlint.planning import Choices, build_plan
from feedlint.registry import load_catalogue

CATALOGUE = load_catalogue(plugins=False)

HTML = (
    '<p>I enjoyed <a href="https://example.com/essay">this essay on gardening</a> today, '
    "<em>mostly</em> the part on <code>compost.py</code> \u2013 really\u2026</p>\n"
    "<ul>\n<li>Tomatoes first</li>\n<li>Beans after</li>\n</ul>\n"
    "<blockquote>\n<p>Soil is \u201cslow\u201d work.</p>\n</blockquote>\n"
)
BODY = (
    "I enjoyed [this essay on gardening](https://example.com/essay) today, _mostly_ the part on "
    '`compost.py` -- really...\n\n* Tomatoes first\n* Beans after\n\n> Soil is "slow" work.\n'
)


def run(record: dict, tmp_path, markdown: bool):
    path = tmp_path / "export.json"
    path.write_text(export_text([record]), encoding="utf-8", newline="")
    engine = Engine(build_plan(CATALOGUE, Config(values={"rules": {"FL401": {"markdown-body": markdown}}}), Choices(select=["FL401"])))
    findings = list(engine.run([str(path)]))
    assert not engine.errors and not engine.internal_errors and not engine.setup_errors
    return findings, path


def test_a_markdown_body_saying_what_the_html_says_is_no_difference(tmp_path):
    rec = base_record(content_body=BODY, content_html=HTML)
    assert [f.rule_id for f in run(rec, tmp_path, markdown=False)[0]] == ["FL401"]  # read as plain text, "[this" and "_mostly_" differ
    assert run(rec, tmp_path, markdown=True)[0] == []


def test_a_word_missing_from_the_html_is_still_found_in_a_markdown_body_without_a_rebuild(tmp_path):
    rec = base_record(content_body=BODY.replace("Beans after", "Beans after the frost"), content_html=HTML)
    [finding], path = run(rec, tmp_path, markdown=True)
    assert finding.rule_id == "FL401" and "frost" in finding.message
    text = path.read_text(encoding="utf-8")
    assert (finding.region.start_line, finding.region.start_column) == line_col(text, text.index("the frost"))
    assert finding.fix is None  # rebuilding the body from the HTML would drop its links and markup


def test_a_plain_body_that_differs_keeps_its_rebuild(tmp_path):
    plain = "I enjoyed this essay on gardening today, mostly the part on compost.py \u2013 really\u2026\n\nTomatoes first\nBeans\n\nSoil is \u201cslow\u201d work."
    [finding], _ = run(base_record(content_body=plain, content_html=HTML), tmp_path, markdown=True)
    assert finding.fix is not None and finding.fix.applicability == "unsafe"


def test_a_micro_blog_shaped_json_feed_through_the_cli(tmp_path):
    """The jsonfeed profile reads content_text as Markdown: a link and emphasis are silent, a sentence the HTML lost is not."""
    items = [
        {"id": "https://notes.example.org/2024/05/01/a.html", "content_html": HTML, "content_text": BODY, "date_published": "2024-05-01T10:00:00+02:00"},
        {"id": "https://notes.example.org/2024/05/02/b.html", "content_html": "<p>Rain at last.</p>\n",
         "content_text": "Rain at last. [The forecast](https://example.com/f) was wrong.\n", "date_published": "2024-05-02T10:00:00+02:00"},
    ]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Notes", "items": items}, indent=1), encoding="utf-8")
    proc = run_cli("check", "--format", "json", "-j", "1", "--select", "FL401", str(path))
    findings = json.loads(proc.stdout)
    assert [(f["pointer"], f["profile"]) for f in findings] == [("/items/1/content_html", "jsonfeed")], proc.stderr  # the HTML stops short
    assert "the body goes on for 4 more words" in findings[0]["message"] and "forecast" in findings[0]["message"]


# Hugo's Goldmark (micro.blog) and Jekyll's kramdown show a footnote mark as the note's number, in the order of the
# notes whatever its label, and move the notes to the end, each with a back link
FOOTNOTE_HTML = (
    '<p>It took years before I was any good.<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup> '
    'Then came the shell<sup id="fnref:2"><a href="#fn:2" class="footnote-ref" role="doc-noteref">2</a></sup>.</p>\n'
    '<p>Practice daily.</p>\n<section class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n'
    '<li id="fn:1"><p>A radio host said so, <em>twice</em>.&#160;<a href="#fnref:1" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a></p>\n</li>\n'
    '<li id="fn:2"><p>The terminal, that is.&#160;<a href="#fnref:2" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a></p>\n</li>\n'
    "</ol>\n</section>"
)
FOOTNOTE_BODY = (
    "It took years before I was any good.[^1] Then came the shell[^cli].\n\n"
    "[^1]: A radio host said so, _twice_.\n\nPractice daily.\n\n[^cli]: The terminal, that is.\n"
)


def test_markdown_footnotes_read_as_their_numbers_and_notes(tmp_path):
    """``[^1]`` and ``[^cli]`` are the HTML's marks 1 and 2, their notes its endnotes: no difference; a word a note lost is one."""
    assert run(base_record(content_body=FOOTNOTE_BODY, content_html=FOOTNOTE_HTML), tmp_path, markdown=True)[0] == []
    assert [f.rule_id for f in run(base_record(content_body=FOOTNOTE_BODY, content_html=FOOTNOTE_HTML), tmp_path, markdown=False)[0]] == ["FL401"]
    lost = FOOTNOTE_HTML.replace("The terminal, that is.", "The terminal.")
    [finding], _ = run(base_record(content_body=FOOTNOTE_BODY, content_html=lost), tmp_path, markdown=True)
    # found; shown in the source's order, where the notes stand after their paragraphs, not at the end (a known limit)
    assert finding.pointer.endswith("/content_body")
    marked = FOOTNOTE_BODY.replace("good.[^1]", "good.[^1] Really.")  # a word the HTML lacks beside a mark: shown there, the mark read as "1"
    [finding], _ = run(base_record(content_body=marked, content_html=FOOTNOTE_HTML), tmp_path, markdown=True)
    assert finding.evidence == "[-Really.-]" and "good.1" in finding.message, finding.message
    renumbered = FOOTNOTE_HTML.replace(">2</a></sup>", ">7</a></sup>")  # a mark that is not the note's number
    assert [f.rule_id for f in run(base_record(content_body=FOOTNOTE_BODY, content_html=renumbered), tmp_path, markdown=True)[0]] == ["FL401"]


def test_the_source_read_as_text_keeps_every_character_in_its_place():
    """What a difference is shown and placed with: syntax blanked (inline syntax by zero-width spaces that join), offsets kept."""
    from feedlint.rules._markdown import source_as_text

    source = 'See [the report](https://e.org/r "t"). _Mostly_ `a_b*c*` -- yes\n\n* one\n> two\n## three\nsnake_case 2*3*4 \\*kept\\*'
    text = source_as_text(source)
    assert len(text) == len(source)
    words = text.replace("\u200b", "").split()
    assert words == ["See", "the", "report.", "Mostly", "a_b*c*", "-", "yes", "one", "two", "three", "snake_case", "2*3*4", "*kept*"]


def test_in_ranges_is_the_look_at_each_range():
    """The binary search that tells a code span's (or a caption's) place: the same answer as trying every range."""
    import random

    from feedlint.rules._htmltext import in_ranges

    rng = random.Random(7)
    for _ in range(500):
        cuts = sorted(rng.sample(range(200), rng.randrange(0, 12) * 2))
        ranges = list(zip(cuts[0::2], cuts[1::2]))
        for at in range(-2, 202):
            assert in_ranges(ranges, at) == any(a <= at < b for a, b in ranges)
