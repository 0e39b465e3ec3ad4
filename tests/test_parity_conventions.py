"""FL401 with a CMS's plain-text conventions (Ghost's plaintext) and more than one finding per record.

Invented look-alikes of a Ghost post: links written ``text [url]`` (the line wrapped right
after a link that the HTML follows with ")"), list items as `` * `` and ``1.``, quotes as
``>``, a rule line of dashes.  With the conventions set these are silent; the glued words a
real plaintext has ("improvesurvival") are still found, each at its characters.
"""

from __future__ import annotations

from conftest import base_record, export_text, line_col
from feedlint.config import Config
from feedlint.engine import Engine
from feedlint.planning import Choices, build_plan
from feedlint.registry import load_catalogue

CATALOGUE = load_catalogue(plugins=False)
GHOST = {"link-style": "text [url]", "line-markers": ["*", "1.", ">", "---"], "wrap-splits-words": True}  # the ghost profile's FL401 options

HTML = (
    '<p>See the <a href="https://example.org/report?a=1&amp;b=2">harbour report</a>) and the '
    '<a href="__GHOST_URL__/older/">older notes</a> for details.</p>'
    "<ul><li>Ferries run hourly</li><li>Night buses stop at midnight</li></ul>"
    "<ol><li>Buy a ticket</li><li>Board the ferry</li></ol>"
    "<blockquote><p>We expect calmer crossings.</p></blockquote><hr>"
    "<h3>2. What changes next year</h3><p>Extra boats do not improve crossing times in winter.</p>"
)
BODY = (
    "See the harbour report [https://example.org/report?a=1&b=2]\n) and the older notes\n"
    "[__GHOST_URL__/older/] for details.\n\n"
    " * Ferries run hourly\n * Night buses stop at midnight\n\n"
    " 1. Buy a ticket\n 2. Board the ferry\n\n"
    "> We expect calmer crossings.\n\n"
    "--------------------------------------------------------------------------------\n\n"
    "2. What changes next year\n\nExtra boats do not improve crossing times in winter."
)


def run(record: dict, tmp_path, options: dict | None = None):
    text = export_text([record])
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8", newline="")
    config = Config(values={"rules": {"FL401": options}} if options else {})
    engine = Engine(build_plan(CATALOGUE, config, Choices(select=["FL401"])))
    findings = list(engine.run([str(path)]))
    assert not engine.errors and not engine.internal_errors and not engine.setup_errors, engine.setup_errors
    return findings, text


def test_ghost_plaintext_conventions_are_silent_when_configured(tmp_path):
    rec = base_record(content_body=BODY, content_html=HTML)
    assert [f.rule_id for f in run(rec, tmp_path)[0]] == ["FL401"]  # without the conventions: "[https…]", "*", ">" differ
    assert run(rec, tmp_path, GHOST)[0] == []


def test_text_in_brackets_that_is_no_link_target_still_counts(tmp_path):
    rec = base_record(content_body=BODY.replace("for details.", "for details [see annex]."), content_html=HTML)
    [f] = run(rec, tmp_path, GHOST)[0]
    assert "[see annex]" in f.message or "annex" in f.message


def test_glued_words_are_found_each_at_its_place(tmp_path):
    """Two real defects of a Ghost plaintext: both reported with max-differences, the first alone by default."""
    body = BODY.replace("older notes\n", "oldernotes\n").replace("improve crossing", "improvecrossing")
    rec = base_record(content_body=body, content_html=HTML)
    findings, text = run(rec, tmp_path, dict(GHOST, **{"max-differences": 5}))
    assert [f.record_pointer for f in findings] == ["/content_body", "/content_body"]
    for f, word in zip(findings, ["oldernotes", "improvecrossing"]):
        at = text.index(word)
        assert (f.region.start_line, f.region.start_column) == line_col(text, at) and word in f.message
        assert (f.region.end_line, f.region.end_column) == line_col(text, at + len(word))
    [first] = run(rec, tmp_path, GHOST)[0]
    assert "oldernotes" in first.message and first.message.endswith("(1 more difference further on)")


def test_a_numbered_heading_in_the_html_is_not_a_list_marker_difference(tmp_path):
    """"2. What changes" is a heading's text in the HTML and a line in the body: dropped on both sides, not a difference."""
    rec = base_record(content_body="2. What changes next year\n\nMore boats.", content_html="<h3>2. What changes next year</h3><p>More boats.</p>")
    assert run(rec, tmp_path, GHOST)[0] == []


def test_unknown_line_marker_is_a_setup_error(tmp_path):
    text = export_text([base_record()])
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    engine = Engine(build_plan(CATALOGUE, Config(values={"rules": {"FL401": {"line-markers": ["#"]}}}), Choices(select=["FL401"])))
    list(engine.run([str(path)]))
    assert engine.setup_errors and "line-markers" in str(engine.setup_errors[0])


# -- shapes seen in a real Ghost 4 export (invented text) ------------------------------------
NESTED_HTML = (
    '<p>Contents:</p><ul><li><a href="/tides-part-one/">Part one: how tides turn</a><ul><li>Why the moon matters</li></ul></li>'
    "<li><strong>Charts drawn with Plotter</strong><ul><li>Hover over a chart for its data</li></ul></li></ul>"
    "<blockquote><strong>1. Tides are slow</strong></blockquote><ul><li>Harbours wait</li></ul>"
)
NESTED_BODY = (
    "Contents:\n\n * Part one: how tides turn\n   [/tides-part-one/] * Why the moon matters\n   \n   \n"
    " * Charts drawn with Plotter * Hover over a chart for its data\n   \n   \n\n> 1. Tides are slow\n * Harbours wait"
)


def test_nested_list_markers_on_the_parents_line_are_not_differences(tmp_path):
    """html-to-text starts a nested list on its parent item's line (after the link's [url] or the text) and numbers a quote "> 1."."""
    rec = base_record(content_body=NESTED_BODY, content_html=NESTED_HTML)
    assert run(rec, tmp_path, GHOST)[0] == []
    # a word that is not a marker in the same place is still a difference
    [f] = run(base_record(content_body=NESTED_BODY.replace("Plotter * Hover", "Plotter x Hover"), content_html=NESTED_HTML), tmp_path, GHOST)[0]
    assert "[-x-]" in f.message


def test_a_target_linked_twice_is_undone_at_each_link(tmp_path):
    """The same URL before ":" (the wrap before ":" is no space) and before a space elsewhere."""
    html = '<p>An example from <a href="https://example.org/filing.htm">the ferry filing</a>:</p><p>Source: <a href="https://example.org/filing.htm">the ferry filing</a> and the <a href="https://example.org/filing.htm">same filing</a>, twice.</p>'
    body = "An example from the ferry filing\n[https://example.org/filing.htm]\n:\n\nSource: the ferry filing [https://example.org/filing.htm] and the same filing\n[https://example.org/filing.htm]\n, twice."
    assert run(base_record(content_body=body, content_html=html), tmp_path, GHOST)[0] == []


def test_a_wrap_between_a_text_and_a_link_is_no_space_but_a_glued_word_is_found(tmp_path):
    """`"\nWhy` for `"<a>Why` and `memo...\nhttps://…` for a link whose text is its URL; a space where the HTML has none is not a wrap."""
    html = (
        '<p>As argued in &quot;<a href="https://example.org/ferries">Why ferries run late</a>&quot; last spring.</p>'
        '<p>An old harbour memo...<a href="https://t.example/k3X9">https://t.example/k3X9</a></p>'
        '<p>Plain <a href="https://example.org/same">https://example.org/same</a> link.</p>'
    )
    body = (
        'As argued in "\nWhy ferries run late [https://example.org/ferries]" last spring.\n\n'
        "An old harbour memo...\nhttps://t.example/k3X9\n\nPlain https://example.org/same link."
    )
    rec = base_record(content_body=body, content_html=html)
    assert run(rec, tmp_path, GHOST)[0] == []
    assert [f.rule_id for f in run(rec, tmp_path, dict(GHOST, **{"wrap-splits-words": False}))[0]] == ["FL401"]
    [f] = run(base_record(content_body=body.replace("memo...\nhttps", "memo... https"), content_html=html), tmp_path, GHOST)[0]
    assert "memo..." in f.message  # a space is not a wrap
    [f] = run(base_record(content_body=body.replace("last spring", "lastspring"), content_html=html), tmp_path, GHOST)[0]
    assert "[-lastspring.-]" in f.message  # the other way round (a separator lost) is a glued word
