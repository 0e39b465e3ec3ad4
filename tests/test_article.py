"""Plain-text article exports: the reader's model and positions, the FL7xx rules, FL2xx on articles.

Every article here is invented, in the layout of the syndicated seed (section,
title, two blank lines, paragraphs, trailer).  Positions are asserted against
positions computed from the file text itself.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from conftest import ROOT, SEED_ARTICLE, needs_seeds, run_cli
from feedlint.config import Config
from feedlint.engine import Engine
from feedlint.planning import Choices, build_plan
from feedlint.reader.article import ArticleReader
from feedlint.reader.errors import InputError
from feedlint.reader.textstream import TextStream
from feedlint.registry import load_catalogue

CATALOGUE = load_catalogue(plugins=False)
EXAMPLES = ROOT / "examples" / "articles"

HEAD = "Science & Environment\n\nVolunteers count cranes over the \u201clake of reeds\u201d\n\n\n"
P1 = "Volunteers on the northern shore counted just over 4,000 common cranes on Saturday, the bird society said."
P2 = "\u201cWe expected a good year, but not this \u2014 the sky was grey with wings,\u201d the coordinator said\u2026 twice."
P3 = "(Figures are provisional. The society publishes the final count in its spring bulletin.)"
ARTICLE = HEAD + P1 + "\n\n" + P2 + "\n\n" + P3 + "\n\n\nSource link\n"

_BREAK = re.compile(r"\r\n|\r|\n")


def pos(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the n-th ``needle``; CRLF, LF and a lone CR each end a line."""
    idx = -1
    for _ in range(occurrence + 1):
        idx = text.index(needle, idx + 1)
    breaks = list(_BREAK.finditer(text, 0, idx))
    line_start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, idx - line_start + 1


def norm_offset(text: str, offset: int) -> int:
    """The offset in ``text`` with CRLF collapsed to LF (CR kept as one character)."""
    return offset - text[:offset].count("\r\n")


def read(text: str, max_bytes: int | None = None):
    stream = TextStream(io.BytesIO(text.encode("utf-8")), "mem.txt")
    reader = ArticleReader(stream) if max_bytes is None else ArticleReader(stream, max_bytes)
    records = list(reader.records())
    assert len(records) == 1 and reader.layout == "text-article"
    return records[0]


def findings_of(text: str, tmp_path, select=("ALL",), rules: dict | None = None, name: str = "article.txt", input_format: str | None = None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    plan = build_plan(CATALOGUE, Config(values={"rules": rules} if rules else {}), Choices(select=list(select), input_format=input_format))
    engine = Engine(plan)
    found = list(engine.run([str(path)]))
    assert not engine.errors and not engine.internal_errors and not engine.setup_errors, (engine.errors, engine.internal_errors, engine.setup_errors)
    return found


def where(f) -> tuple[int, int]:
    return f.region.start_line, f.region.start_column


# ----------------------------------------------------------------- reader: model


def test_model_of_a_seed_shaped_article():
    rec = read(ARTICLE)
    assert rec.kind == "article" and rec.index == 0 and rec.pointer == "" and rec.line_document is False
    assert rec.data["section"] == "Science & Environment"
    assert rec.data["title"] == "Volunteers count cranes over the \u201clake of reeds\u201d"
    assert rec.data["paragraphs"] == [P1, P2, P3]
    assert rec.data["trailer"] == ["Source link"]
    assert rec.data["line_numbers"] == {"/section": 1, "/title": 3, "/paragraphs/0": 6, "/paragraphs/1": 8, "/paragraphs/2": 10, "/trailer/0": 13}
    assert set(rec.data["line_endings"]) == {"lf"}


def test_title_only_header_and_multi_line_paragraph_joined_with_newline():
    text = "Cranes return to the lake\n\n\nFirst line of a paragraph\nsecond line of it.\n\nAnother paragraph.\n"
    rec = read(text)
    assert rec.data["section"] is None and rec.data["title"] == "Cranes return to the lake"
    assert rec.data["paragraphs"] == ["First line of a paragraph\nsecond line of it.", "Another paragraph."]
    assert rec.data["trailer"] == []


def test_single_gap_header_section_and_title():
    text = "Opinion\n\nWhy the cranes keep coming back to the lake\n\nThe lake is shallow and warm, which the birds like.\n"
    rec = read(text)
    assert (rec.data["section"], rec.data["title"]) == ("Opinion", "Why the cranes keep coming back to the lake")
    assert rec.data["paragraphs"] == ["The lake is shallow and warm, which the birds like."]


def test_single_gap_short_title_then_short_first_sentence():
    rec = read("Cranes return\n\nThe birds came back on Monday.\n\nMore of them than last year.\n")
    assert (rec.data["section"], rec.data["title"]) == (None, "Cranes return")
    assert rec.data["paragraphs"] == ["The birds came back on Monday.", "More of them than last year."]


def test_file_starting_with_body_text_has_no_title():
    body = "Volunteers on the northern shore counted just over four thousand common cranes on Saturday, the society said."
    rec = read(body + "\n\nA second paragraph follows.\n")
    assert rec.data["title"] is None and rec.data["section"] is None
    assert rec.data["paragraphs"][0] == body


def test_no_break_space_line_separates_paragraphs():
    rec = read(HEAD + "First paragraph.\n\u00a0\nSecond paragraph.\n")
    assert rec.data["paragraphs"] == ["First paragraph.", "Second paragraph."]


def test_trailer_vocabulary_after_a_single_blank_line():
    rec = read(HEAD + P1 + "\n\nRead more\n")
    assert rec.data["paragraphs"] == [P1] and rec.data["trailer"] == ["Read more"]


def test_long_last_paragraph_after_double_gap_stays_body():
    rec = read(HEAD + P1 + "\n\n\n" + P3 + "\n")
    assert rec.data["paragraphs"] == [P1, P3] and rec.data["trailer"] == []


def test_short_closing_paragraph_that_is_not_a_leftover_stays_body():
    rec = read(HEAD + P1 + "\n\nSources say the count will be repeated.\n")
    assert rec.data["paragraphs"] == [P1, "Sources say the count will be repeated."] and rec.data["trailer"] == []


def test_paragraphs_separated_by_two_blank_lines_throughout():
    text = "Cranes return to the lake\n\n\n" + P1 + "\n\n\n" + P2 + "\n\n\n" + P3 + "\n"
    rec = read(text)
    assert rec.data["title"] == "Cranes return to the lake" and rec.data["section"] is None
    assert rec.data["paragraphs"] == [P1, P2, P3] and rec.data["trailer"] == []


def test_size_cap_is_an_input_error():
    with pytest.raises(InputError) as exc:
        read(ARTICLE * 10, max_bytes=len(ARTICLE.encode()) * 2)
    assert "too large for a plain-text article" in str(exc.value) and str(exc.value).startswith("mem.txt:1:1:")


# ----------------------------------------------------------------- reader: positions


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_every_element_maps_to_its_exact_text(newline):
    text = ARTICLE.replace("\n", newline)
    rec = read(text)
    assert rec.data["paragraphs"] == [P1, P2, P3]  # values do not depend on the line endings
    expected = {"/section": rec.data["section"], "/title": rec.data["title"], "/paragraphs/1": P2, "/trailer/0": "Source link"}
    for pointer, value in expected.items():
        reg = rec.region(pointer)
        assert (reg.start_line, reg.start_column) == pos(text, value), pointer
        assert text[reg.offset : reg.offset + reg.length] == value
        assert reg.end_line == reg.start_line and reg.end_column == reg.start_column + len(value)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_span_on_the_second_line_of_a_paragraph(newline):
    para = "The survey began in 2009 on the northern\nshore, where the reeds are tallest."
    text = (HEAD + para + "\n").replace("\n", newline)
    rec = read(text)
    value = rec.data["paragraphs"][0]
    assert value == para
    k = value.index("reeds")
    reg = rec.region("/paragraphs/0", span=(k, k + 5))
    assert (reg.start_line, reg.start_column) == pos(text, "reeds", occurrence=1) == (7, 18)
    assert text[reg.offset : reg.offset + reg.length] == "reeds"
    whole = rec.region("/paragraphs/0")
    assert (whole.start_line, whole.end_line) == (6, 7)


def test_random_articles_every_element_and_span_maps_back():
    """Generated articles (mixed endings, blank runs, astral and RTL text): slices match values."""
    import random

    rng = random.Random(7)
    words = ["lake", "Cranes", "\u201cquoted\u201d", "\U0001F426", "\u062f\u0631\u06cc\u0627\u200c\u06cc", "AT&T", "caf\u00e9", "\u2014", "5 < 6", "x"]
    for _ in range(200):
        parts = []
        for _ in range(rng.randint(1, 12)):
            line = " ".join(rng.choice(words) for _ in range(rng.randint(0, 9)))
            parts.append(line + rng.choice(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n\r\n", " \u00a0\n"]))
        text = "".join(parts).lstrip(" \t\r\n\u00a0[{") or "x"
        rec = read(text)
        norm = text.replace("\r\n", "\n").replace("\r", "\n")
        assert len(rec.data["line_endings"]) == len(_BREAK.split(text)) - (1 if _BREAK.search(text[-1:]) else 0)
        elements = [("/section", rec.data["section"]), ("/title", rec.data["title"])]
        elements += [(f"/paragraphs/{k}", v) for k, v in enumerate(rec.data["paragraphs"])]
        elements += [(f"/trailer/{k}", v) for k, v in enumerate(rec.data["trailer"])]
        for pointer, value in elements:
            if value is None:
                continue
            reg = rec.region(pointer)
            assert re.sub(r"\r\n|\r", "\n", text[reg.offset : reg.offset + reg.length]) == value
            assert rec.data["line_numbers"][pointer] == reg.start_line
            assert reg.start_line == norm[: norm_offset(text, reg.offset)].count("\n") + 1
            a = rng.randint(0, len(value))
            b = rng.randint(a, len(value))
            sub = rec.region(pointer, span=(a, b))
            assert re.sub(r"\r\n|\r", "\n", text[sub.offset : sub.offset + sub.length]) == value[a:b]
            before = text[: sub.offset]
            breaks = list(_BREAK.finditer(before))
            assert sub.start_line == len(breaks) + 1
            assert sub.start_column == sub.offset - (breaks[-1].end() if breaks else 0) + 1


def test_utf16_columns_after_an_astral_character():
    text = HEAD + "Party time \U0001F389 for the &#39;volunteers\n"
    rec = read(text)
    k = rec.data["paragraphs"][0].index("&#39;")
    reg = rec.region("/paragraphs/0", span=(k, k + 5))
    line, col = pos(text, "&#39;")
    assert (reg.start_line, reg.start_column) == (line, col)
    assert reg.start_column16 == col + 1 and reg.end_column16 == col + 6
    assert reg.offset16 == reg.offset + 1


def test_byte_order_mark_is_not_counted():
    rec = read("\ufeff" + ARTICLE)
    reg = rec.region("/section")
    assert (reg.start_line, reg.start_column, reg.offset) == (1, 1, 0)


def test_unresolved_pointer_falls_back_to_the_file_start():
    rec = read("A long opening sentence that is plainly body text and not a headline at all, as anyone can see.\n")
    assert rec.data["title"] is None
    reg = rec.region("/title")
    assert (reg.start_line, reg.start_column) == (1, 1)


# ----------------------------------------------------------------- the seed


@needs_seeds()
def test_seed_article_full_rule_set_reports_only_the_dangling_source_link(tmp_path):
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    plan = build_plan(CATALOGUE, Config(), Choices(select=["ALL"]))
    engine = Engine(plan)
    found = list(engine.run([str(SEED_ARTICLE)]))
    assert not engine.errors and not engine.internal_errors and not engine.setup_errors
    assert engine.files[0].kind == "article" and engine.files[0].layout == "text-article"
    assert [(f.rule_id, f.record_pointer) for f in found] == [("FL701", "/trailer/0")]
    line, col = pos(text, "Source link")
    assert where(found[0]) == (line, col) == (len(text.splitlines()), 1)
    assert found[0].region.end_column == col + len("Source link")


@needs_seeds()
def test_seed_article_on_the_command_line():
    r = run_cli("check", "--format", "json", str(SEED_ARTICLE))
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    assert [(f["rule"], f["line"], f["column"], f["pointer"]) for f in data] == [("FL701", 31, 1, "/trailer/0")]


# ----------------------------------------------------------------- FL2xx on articles


def test_encoding_rules_run_on_article_fields_with_exact_positions(tmp_path):
    title = "Council&#39;s harbour budget passes"
    para = "The vote came late on Tuesday night,\nthe clerk\u00e2\u20ac\u2122s office said."
    text = "Local Politics\r\n\r\n" + title + "\r\n\r\n\r\n" + para.replace("\n", "\r\n") + "\r\n"
    found = findings_of(text, tmp_path, select=["FL2"])
    by = {f.rule_id: f for f in found}
    assert set(by) == {"FL201", "FL204"}, [(f.rule_id, f.message) for f in found]
    assert by["FL201"].record_pointer == "/title" and by["FL201"].region.start_line == 3
    reg = by["FL201"].region
    assert reg.offset <= text.index("&#39;") < reg.offset + reg.length
    assert by["FL204"].record_pointer == "/paragraphs/0"
    assert where(by["FL204"]) == pos(text, "\u00e2\u20ac\u2122") == (7, 10)


@pytest.mark.parametrize(
    "rule_id,defect",
    [("FL202", "&amp;#39;"), ("FL205", "<b>"), ("FL206", "\x07"), ("FL207", "\ufffd")],
)
def test_other_encoding_rules_on_the_second_line_of_a_paragraph(rule_id, defect, tmp_path):
    text = HEAD + "The mayor of the town spoke on Monday,\nsaying " + defect + " and more.</b>\n"
    found = [f for f in findings_of(text, tmp_path, select=["FL2"]) if f.rule_id == rule_id]
    assert [(f.record_pointer, where(f)) for f in found] == [("/paragraphs/0", pos(text, defect))]


def test_look_alikes_in_an_article_are_not_reported(tmp_path):
    text = (
        HEAD
        + "AT&T and R&D staff held a Q&A with Tom & Jerry fans; 5 < 6 and 7 > 3.\n\n"
        + "\u201cCurly quotes\u201d, \u2018single ones\u2019, dashes \u2013 and \u2014, an ellipsis\u2026 and an emoji \U0001F426.\n\n"
        + "\u0646\u0627\u0645 \u062f\u0631\u06cc\u0627\u0686\u0647\u200c\u06cc \u0646\u06cc \u0631\u0627 \u0647\u0645\u0647 \u0645\u06cc\u200c\u062f\u0627\u0646\u0646\u062f.\n"
        + "\u00a0\n"
        + "(A parenthesised note from the publisher, as syndicated copies carry.)\n"
    )
    for newline in ("\n", "\r\n"):
        assert findings_of(text.replace("\n", newline), tmp_path) == []


# ----------------------------------------------------------------- FL701 dangling-link-text


@pytest.mark.parametrize("trailer", ["Source link", "READ MORE", "Read more \u00bb", "\u2192 Continue reading", "Click here:", "  Source link  "])
def test_dangling_link_text_found_at_its_line(trailer, tmp_path):
    text = ARTICLE.replace("Source link", trailer)
    found = findings_of(text, tmp_path, select=["FL701"])
    assert len(found) == 1 and found[0].record_pointer == "/trailer/0"
    core = trailer.strip(" \u00bb\u2192:")
    assert where(found[0]) == pos(text, core)
    assert found[0].region.length == len(core)


def test_dangling_link_text_inside_the_body(tmp_path):
    text = HEAD + P1 + "\nRead more\n\n" + P2 + "\n"
    found = findings_of(text, tmp_path, select=["FL701"])
    assert [(f.record_pointer, where(f)) for f in found] == [("/paragraphs/0", (7, 1))]


def test_link_text_with_a_target_or_inside_a_sentence_is_fine(tmp_path):
    text = HEAD + "Read more about the count in the society\u2019s bulletin.\n\nThe sign said: click here.\n\n\nSource link: https://example.org/cranes\n"
    assert findings_of(text, tmp_path, select=["FL701"]) == []


def test_dangling_link_phrases_are_configurable(tmp_path):
    text = ARTICLE.replace("Source link", "Weiterlesen")
    assert findings_of(text, tmp_path, select=["FL701"]) == []
    found = findings_of(text, tmp_path, select=["FL701"], rules={"FL701": {"phrases": ["weiterlesen"]}})
    assert [where(f) for f in found] == [pos(text, "Weiterlesen")]


# ----------------------------------------------------------------- FL702 missing-title


def test_missing_title_at_line_one(tmp_path):
    text = P1 + "\n\n" + P2 + "\n"
    found = findings_of(text, tmp_path, select=["FL702"])
    assert [(f.record_pointer, where(f), f.severity) for f in found] == [("/title", (1, 1), "error")]
    assert "no title" in found[0].message


@pytest.mark.parametrize("title", ["\u2014", "\u200b", "* * *", "Untitled", "  headline "])
def test_empty_or_placeholder_title(title, tmp_path):
    text = "Regional News\n\n" + title + "\n\n\n" + P1 + "\n"
    found = findings_of(text, tmp_path, select=["FL702"])
    assert len(found) == 1 and found[0].record_pointer == "/title"
    assert found[0].region.start_line == 3
    if title.strip().isalpha():
        assert where(found[0]) == pos(text, title.strip())


def test_real_titles_are_fine(tmp_path):
    for title in ("Why did the ferry fares not rise?", "5 things to know", "\u062e\u0628\u0631 \u0641\u0648\u0631\u06cc", "Title IX ruling upheld"):
        text = "Regional News\n\n" + title + "\n\n\n" + P1 + "\n"
        assert findings_of(text, tmp_path, select=["FL702"]) == [], title


# ----------------------------------------------------------------- FL703 boilerplate-line


def test_boilerplate_lines_with_exact_spans(tmp_path):
    text = HEAD + P1 + "\n\nFollow us on social media for more\n\n" + P2 + "\n\n\n\u00a9 2026 Lake Gazette. All rights reserved.\n"
    found = findings_of(text, tmp_path, select=["FL703"])
    assert [(f.record_pointer, where(f)) for f in found] == [("/paragraphs/1", pos(text, "Follow us on")), ("/trailer/0", pos(text, "\u00a9 2026"))]
    assert found[0].region.length == len("Follow us on")


def test_boilerplate_words_inside_prose_are_fine(tmp_path):
    long_line = "Readers who follow us on the coastal path will find that all rights reserved for walkers in the old charter " * 2
    text = HEAD + "They said the copyright 2026 rules are unclear.\n\n" + long_line.strip() + "\n"
    assert findings_of(text, tmp_path, select=["FL703"]) == []


def test_boilerplate_patterns_are_configurable_and_checked(tmp_path):
    text = HEAD + P1 + "\n\nPromoted by Lake Tours\n"
    assert findings_of(text, tmp_path, select=["FL703"]) == []
    found = findings_of(text, tmp_path, select=["FL703"], rules={"FL703": {"patterns": [r"^promoted by\b"]}})
    assert [where(f) for f in found] == [pos(text, "Promoted by")]
    path = tmp_path / "bad-regex.txt"
    path.write_text(text, encoding="utf-8")
    cfg = tmp_path / "feedlint.toml"
    cfg.write_text('[rules.FL703]\npatterns = ["(unclosed"]\n', encoding="utf-8")
    r = run_cli("check", "--select", "FL703", str(path), cwd=tmp_path)
    assert r.returncode == 2 and "invalid regular expression" in r.stderr and "Traceback" not in r.stderr


# ----------------------------------------------------------------- FL704 repeated-paragraph


def test_repeated_paragraph_at_second_occurrence_naming_the_first_line(tmp_path):
    text = HEAD + P1 + "\n\n" + P2 + "\n\n" + P1 + "\n"
    found = findings_of(text, tmp_path, select=["FL704"])
    assert [(f.record_pointer, where(f)) for f in found] == [("/paragraphs/2", pos(text, P1, occurrence=1))]
    assert "line 6" in found[0].message


def test_repeated_paragraph_rewrapped_and_whitespace_option(tmp_path):
    rewrapped = P1.replace(" the bird", "\nthe bird")
    text = HEAD + P1 + "\n\n" + rewrapped + "\n"
    assert len(findings_of(text, tmp_path, select=["FL704"])) == 1
    assert findings_of(text, tmp_path, select=["FL704"], rules={"FL704": {"normalize-whitespace": False}}) == []


def test_short_repeated_separators_are_fine(tmp_path):
    text = HEAD + P1 + "\n\n* * *\n\n" + P2 + "\n\n* * *\n\n" + P3 + "\n"
    assert findings_of(text, tmp_path, select=["FL704"]) == []


# ----------------------------------------------------------------- FL705 hard-wrapped-paragraph


def test_hard_wrapped_paragraph_at_the_end_of_the_first_broken_line(tmp_path):
    para = "Volunteers on the northern shore counted more cranes than in\nany year since the survey began, the society said on Sunday."
    text = HEAD + para + "\n"
    found = findings_of(text, tmp_path, select=["FL705"])
    assert [(f.record_pointer, where(f), f.severity) for f in found] == [("/paragraphs/0", pos(text, "in\n"), "note")]
    assert found[0].region.length == 2


def test_word_split_with_a_hyphen_is_a_hard_wrap(tmp_path):
    text = HEAD + "The engineers said the northern channel needs dredg-\ning before the summer season starts.\n"
    found = findings_of(text, tmp_path, select=["FL705"])
    assert [where(f) for f in found] == [pos(text, "dredg-")]


@pytest.mark.parametrize(
    "para",
    [
        "More about the survey and its methods is on the society's website at\nhttps://example.org/cranes/2026",  # URL line
        "the cranes fly over water\nand over reeds and stone\nthey do not stop for us",  # verse: short lines
        "What the society asked of its volunteers on the day:\n- binoculars and a warm coat for the morning\n- a notebook",  # list
        "> the count starts at dawn and ends when the last birds\n> have landed on the lake, the letter said",  # quoted
        "The count ends at 6 p.m.\nand the results come out on Monday at the society.",  # sentence end
        "Volunteers from the town and from the villages came to count on\nSaturday with the rangers of the national park.",  # proper noun
        "\u0634\u0645\u0627\u0631\u0634 \u0644\u06a9\u200c\u0644\u06a9\u200c\u0647\u0627 \u062f\u0631 \u06a9\u0646\u0627\u0631 \u062f\u0631\u06cc\u0627\u0686\u0647 \u0627\u0646\u062c\u0627\u0645 \u0634\u062f \u0648 \u062f\u0627\u0648\u0637\u0644\u0628\u0627\u0646 \u0632\u06cc\u0627\u062f\u06cc\n\u0622\u0645\u062f\u0646\u062f",
    ],
    ids=["url", "verse", "list", "quote", "sentence-end", "proper-noun", "persian"],
)
def test_legitimate_line_breaks_are_fine(para, tmp_path):
    assert findings_of(HEAD + para + "\n", tmp_path, select=["FL705"]) == []


# ----------------------------------------------------------------- FL706 mixed-line-endings


def test_mixed_line_endings_first_minority_line(tmp_path):
    lines = ARTICLE.split("\n")
    text = "\r\n".join(lines[:7]) + "\n" + "\r\n".join(lines[7:])  # line 7 ends with LF, the rest CRLF
    found = findings_of(text, tmp_path, select=["FL706"])
    assert len(found) == 1 and found[0].record_pointer == "/line_endings/6"
    line7 = lines[6]
    assert where(found[0]) == (7, len(line7) + 1) and found[0].region.length == 1
    assert "LF" in found[0].message and "CRLF" in found[0].message and "(1 line differs)" in found[0].message


def test_lone_cr_among_lf(tmp_path):
    text = ARTICLE.replace("Source link\n", "Source link\r")
    found = findings_of(text, tmp_path, select=["FL706"])
    assert [(where(f), f.region.length) for f in found] == [((13, 12), 1)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_consistent_line_endings_and_a_missing_final_newline_are_fine(newline, tmp_path):
    text = ARTICLE.rstrip("\n").replace("\n", newline)
    assert findings_of(text, tmp_path, select=["FL706"]) == []


# ----------------------------------------------------------------- FL707 empty-article-body


def test_article_with_only_a_header(tmp_path):
    found = findings_of(HEAD + "Source link\n", tmp_path, select=["FL707"])
    assert [(f.record_pointer, where(f)) for f in found] == [("/paragraphs", (1, 1))]


# ----------------------------------------------------------------- examples and CLI


def test_clean_example_article_is_clean_under_every_rule(tmp_path):
    r = run_cli("check", "--select", "ALL", str(EXAMPLES / "clean-article.txt"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed (1 file, 1 record)" in r.stdout


def test_defective_example_article_findings_and_positions():
    path = EXAMPLES / "defective-article.txt"
    text = path.read_text(encoding="utf-8")
    r = run_cli("check", "--format", "json", "--select", "ALL", str(path))
    assert r.returncode == 1, r.stderr
    got = [(f["rule"], f["pointer"], f["line"], f["column"]) for f in json.loads(r.stdout)]
    assert got == [
        ("FL201", "/title", *pos(text, "&#39;")),
        ("FL204", "/paragraphs/0", *pos(text, "\u00e2\u20ac\u2122")),
        ("FL705", "/paragraphs/1", *pos(text, "the\nnorthern")),
        ("FL704", "/paragraphs/3", *pos(text, "The budget sets", occurrence=1)),
        ("FL703", "/paragraphs/4", *pos(text, "Follow us on")),
        ("FL701", "/trailer/0", *pos(text, "Continue reading")),
    ]


def test_text_output_line_for_an_article(tmp_path):
    (tmp_path / "story.txt").write_text(ARTICLE, encoding="utf-8")
    r = run_cli("check", "story.txt", cwd=tmp_path)
    assert r.returncode == 1
    # an article is one file with lines: its element is named, no record index or JSON Pointer (issue 16)
    assert r.stdout.splitlines()[0] == 'story.txt:13:1: FL701 trailer line 1: link text "Source link" has no link target (the URL was lost in the export)'
    js = json.loads(run_cli("check", "--format", "json", "story.txt", cwd=tmp_path).stdout)[0]  # JSON keeps every field
    assert (js["record"], js["pointer"], js["record_pointer"], js["line"]) == (0, "/trailer/0", "/trailer/0", 13)


def test_article_starting_with_a_bracket_is_recognised_from_content(tmp_path):
    text = "[Opinion]\n\nWhy the cranes keep coming back\n\n\n" + P1 + "\n\n\nRead more\n"
    (tmp_path / "bracket.txt").write_text(text, encoding="utf-8")
    for extra in ((), ("--input-format", "text")):
        r = run_cli("check", *extra, "--format", "json", "bracket.txt", cwd=tmp_path)
        assert r.returncode == 1, r.stderr
        assert [(f["rule"], f["line"], f["column"]) for f in json.loads(r.stdout)] == [("FL701", 9, 1)]
    # a broken JSON export that does start like JSON is still an input error, not an article
    (tmp_path / "broken.json").write_text('[{"content_id": 1,,}]', encoding="utf-8")
    r = run_cli("check", "broken.json", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("broken.json:1:") and "Traceback" not in r.stderr


def test_a_file_named_as_json_is_never_read_as_an_article(tmp_path):
    """An HTML page a site generator saved as feed.json, an article gzipped under a JSON Lines name: an input error at 1:1, not FL7xx findings (real data, third round)."""
    site = tmp_path / "_site"
    site.mkdir()
    (site / "feed.json").write_text("<!doctype html>\n<html lang=\"es\"><head><title>Invented</title></head>\n<body><p>Not a feed.</p></body></html>\n", encoding="utf-8")
    (tmp_path / "story.ndjson.gz").write_bytes(__import__("gzip").compress(ARTICLE.encode()))
    for name, first, char in (("_site/feed.json", "1:1", "<"), ("story.ndjson.gz", "1:1", ARTICLE[0])):  # JSONC is skipped: tests/test_no_false_green.py
        r = run_cli("check", name, cwd=tmp_path)
        assert r.returncode == 2 and r.stdout == "", r.stdout
        assert r.stderr.splitlines() == [f"{name}:{first}: not a JSON export: expected '[' or '{{', found '{char}'"]
    r = run_cli("check", "--format", "json", ".", cwd=tmp_path)  # found by a directory walk: the same error, no finding
    assert r.returncode == 2 and json.loads(r.stdout) == [] and "_site/feed.json:1:1: not a JSON export" in r.stderr
    # the look-alikes: the same text named as an article, on stdin, or read as text on request is an article
    (tmp_path / "story.txt").write_text(ARTICLE, encoding="utf-8")
    for args, stdin in ((("story.txt",), None), (("-",), ARTICLE), (("--input-format", "text", "_site/feed.json"), None)):
        r = run_cli("check", "--format", "json", *args, cwd=tmp_path, input=stdin)
        assert r.returncode == 1 and {f["rule"][:3] for f in json.loads(r.stdout)} == {"FL7"} | ({"FL2"} if "_site/feed.json" in args else set()), r.stderr


def test_empty_file_read_as_text(tmp_path):
    found = findings_of("", tmp_path, select=["FL7"], input_format="text")
    assert sorted((f.rule_id, where(f)) for f in found) == [("FL702", (1, 1)), ("FL707", (1, 1))]


def test_articles_and_exports_in_one_run_dataset_rules_see_only_export_records():
    r = run_cli("check", "--select", "ALL", str(ROOT / "examples" / "clean-export.json"), str(EXAMPLES / "clean-article.txt"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed (2 files, 4 records)" in r.stdout
    r = run_cli("check", "--select", "ALL", str(EXAMPLES / "clean-article.txt"))
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_invalid_utf8_in_an_article_is_one_located_line(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"Regional News\r\n\r\nTitle here\r\n\r\n\r\nBody with bad \xff byte.\r\n")
    r = run_cli("check", "bad.txt", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout.count("FL") == 0
    assert r.stderr.splitlines()[0] == "bad.txt:6:15: invalid UTF-8 (byte 0xff at byte offset 47)"


def test_article_on_stdin():
    r = run_cli("check", "--format", "json", "-", input=ARTICLE)
    assert r.returncode == 1, r.stderr
    assert [(f["file"], f["rule"], f["line"], f["column"]) for f in json.loads(r.stdout)] == [("<stdin>", "FL701", 13, 1)]
