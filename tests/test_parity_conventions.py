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
GHOST = {"link-style": "text [url]", "line-markers": ["*", "1.", ">", "---"]}

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
