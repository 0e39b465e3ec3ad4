"""A huge record's memory paths give what the usual paths give.

The reader grows a big window in place and decodes a big ASCII record from its text after letting the
window go (feedlint/reader/jsonstream.py); FL201's tally, FL206's check and the HTML fast pass of
FL401-FL403 take a long field a piece at a time (rules/_pieces.py).  None of this may change a value, a
position or a finding: each test makes the thresholds tiny, so small inputs take the big paths, and
compares with the usual path on inputs made to break a cut (tags and references across pieces and window
growth, entities, CRLF, astral characters, ``<`` in prose, comments, CDATA, script and style).  The memory
itself is measured by benchmarks/run.py --adversarial, not here.
"""

from __future__ import annotations

import io
import json
import random
import re
from collections import Counter

import pytest
from conftest import base_record, run_engine

from feedlint.reader import jsonstream
from feedlint.reader.jsonstream import JsonRecordReader
from feedlint.reader.textstream import TextStream
from feedlint.rules import _htmltext, _pieces, encoding

WORDS = ["council", "approved", "the", "plan", "caf\u00e9", "\U0001f600", "5 < 6", "x > y", "AT&T", "&amp;", "&#39;", "&nbsp;", "\u00a0", "\r\n", "\n", "{", "}, ", '"q"', "\\", "\t"]
TAGS = ["<p>", "</p>", "<span style='a:b'>", "</span>", "<br>", "<b>", "</b>", "<!-- c <p> -->", "<![CDATA[ a < b ]]>", "<script>var s = '<p>';</script>", "<style>p{}</style>", "<P>", "</div>", "<img src=x/>", "<h2>", "</h2>", "<a href='?a=1&b=2'>", "</a>"]


def _html(rng: random.Random, n: int, tags: list[str] = TAGS) -> str:
    return "".join(rng.choice(WORDS) + " " + (rng.choice(tags) if rng.random() < 0.5 else "") for _ in range(n))


def _clean_html(rng: random.Random, n: int) -> str:
    """Markup the C-speed pass accepts (properly nested, simple tags), with text that cuts across pieces."""
    out = []
    for _ in range(n):
        words = " ".join(rng.choice(["w", "&nbsp;", "&#39;", "&amp;", "caf\u00e9", "\U0001f600", "AT&T", " ", "\r\n"]) for _ in range(rng.randint(0, 4)))
        inner = rng.choice([words, f"<span style='x'>{words}</span>", f"<b>{words}</b><br>", f"<a href=y>{words}</a>", ""])
        out.append(rng.choice(["<p>{}</p>", "<div class=x>{}</div>", "{}", "<h2>{}</h2>", "{}<br />"]).format(inner))
        out.append(rng.choice(["", "\r\n", " ", "<p>&nbsp;</p>"]))
    return "".join(out)


# -- the pieces --------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 3, 16])
def test_cut_before_keeps_every_match_whole(monkeypatch, size):
    monkeypatch.setattr(_pieces, "PIECE", size)
    rng = random.Random(size)
    tag = re.compile(r"<[^<>]*>")
    for _ in range(300):
        text = _html(rng, rng.randint(0, 30))
        pieces = list(_pieces.cut_before(text, "<"))
        assert "".join(pieces) == text
        assert all(p.startswith("<") for p in pieces[1:]) and all(pieces)
        assert [m for p in pieces for m in tag.findall(p)] == tag.findall(text)
        assert "".join(_pieces.slices(text)) == text


def test_long_field_is_one_piece_up_to_the_limit():
    text = "<p>" + "w" * 100 + "</p>"
    assert next(_pieces.cut_before(text, "<")) is text  # no copy of a field that fits


# -- FL201 / FL206 ---------------------------------------------------------------------------------------
def test_reference_tally_in_pieces_counts_as_one_findall(monkeypatch):
    monkeypatch.setattr(_pieces, "PIECE", 5)
    rng = random.Random(3)
    refs = ["&#39;", "&quot;", "&amp;", "&rsquo;", "&", "&amp", "&#x2019;", "&nbsp;", "& ;", "&&#39;", "x", " ", "\r\n"]
    findall = encoding.ent.REFERENCE.findall
    for _ in range(500):
        value = "".join(rng.choice(refs) for _ in range(rng.randint(0, 40)))
        whole, pieced = Counter(findall(value)), encoding._tally_in_pieces(findall, value)
        assert pieced == whole and list(pieced) == list(whole), value  # the same counts, in first-seen order


def test_control_check_in_slices_answers_as_the_whole_field(monkeypatch):
    rng = random.Random(4)
    values = ["".join(rng.choice(["w", " ", "\t", "\r\n"] * 12 + ["\x08", "\x7f", "\x0b"]) for _ in range(rng.randint(0, 30))) for _ in range(500)]
    whole = [encoding._ascii_printable_but_layout(v) for v in values]
    monkeypatch.setattr(_pieces, "PIECE", 4)
    assert [encoding._ascii_printable_but_layout(v) for v in values] == whole
    assert whole.count(True) > 50 and whole.count(False) > 50


# -- the HTML fast pass (FL401-FL403) ---------------------------------------------------------------------
def _scan_facts(quick):
    if quick is None:
        return None
    bare = quick.bare
    facts = (quick.clean, bare, quick.text, quick.bare_keeps_words(), quick.surely_has_text())
    if bare is not None:
        facts += (quick.bare_is(bare), quick.bare_is(bare + "x"), quick.bare_is(bare[:-1]), quick.bare_is(" " + bare))
    return facts


@pytest.mark.parametrize("size", [1, 7, 64])
def test_fast_pass_in_pieces_gives_what_the_whole_field_gives(monkeypatch, size):
    rng = random.Random(size)
    corpus = [_clean_html(rng, rng.randint(1, 30)) for _ in range(400)] + [_html(rng, rng.randint(1, 30)) for _ in range(400)]
    corpus += ["<p>&nbsp;</p>" * 40, "\r\n" * 5 + "&nbsp; " * 30 + "<p>text</p>", "&am<b>p;</b>nbsp; <p>w</p>", "<p>" + "&nbsp;" * 20 + "&amp;nbsp;</p>"]
    whole = [(_scan_facts(_htmltext.quick_scan(h)), _scan_facts(_htmltext.quick_scan(h))) for h in corpus]
    fresh_whole = [_htmltext.quick_scan(h) for h in corpus]
    monkeypatch.setattr(_pieces, "PIECE", size)
    taken = 0
    for html, (facts, _), fresh in zip(corpus, whole, fresh_whole):
        quick = _htmltext.quick_scan(html)
        if quick is not None and quick._pieces:
            taken += 1
            assert quick.surely_has_text() == (fresh.surely_has_text() if fresh is not None else None), html  # before anything was joined
            quick = _htmltext.quick_scan(html)
        assert _scan_facts(quick) == facts, html
    assert taken > 350  # not vacuous: the clean corpus takes the pieces


# -- the reader ------------------------------------------------------------------------------------------
def _read(data: bytes, chunk: int) -> list:
    return list(JsonRecordReader(TextStream(io.BytesIO(data), "m.json", chunk=chunk)).records())


def _facts(r, text: str) -> tuple:
    regions = [r.region(p) for p in ("/content_body", "/content_html", "/legacy_id", "") if p == "" or p.lstrip("/") in r.data]
    spans = [r.region("/content_body", (a, a + 3)) for a in (0, 5, len(r.data["content_body"]) - 3)]
    return (r.index, r.pointer, r.data, bytes(r.source), r.origin, r.size, r.binary, r.line_document, r.text == text, regions, spans)


def _export(rng: random.Random, layout: str, pretty: bool) -> tuple[bytes, list[str]]:
    """An export whose middle records are big (ASCII, some with CRLF, braces and quotes in text, a 25-digit integer) and one non-ASCII."""
    records = []
    for i in range(6):
        body = "".join(rng.choice(WORDS[2:4] + ["}, {", "\r\n", '"', "&#39;", "\\u0041"]) + " " for _ in range(5 if i in (0, 3) else 400))
        if i == 4:
            body += " caf\u00e9"
        records.append(base_record(content_id=i, content_body=body, content_html=f"<p>{body}</p>", legacy_id=10**24 + i))
    indent = 1 if pretty else None
    if layout == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif layout == "joined":  # pretty records, each starting on the line the one before ends on
        text = "[" + ", ".join(json.dumps(r, ensure_ascii=False, indent=1) for r in records) + "]"
    else:
        text = json.dumps([records[:3], records[3:]] if layout == "pages" else records, ensure_ascii=False, indent=indent)
    return text.encode("utf-8"), [json.dumps(r, ensure_ascii=False, indent=indent) for r in records]


@pytest.mark.parametrize("layout,pretty", [("pages", False), ("array", True), ("jsonl", False), ("joined", True)])
@pytest.mark.parametrize("chunk", [16, 97, 1 << 20])
def test_big_ascii_records_read_from_their_text_as_from_bytes(monkeypatch, layout, pretty, chunk):
    """Values, source bytes, origin, size and every region as the usual path gives them; a big window grows
    in place and turns back into bytes; a non-ASCII big record keeps a view of the window instead."""
    data, _ = _export(random.Random(chunk), layout, pretty)
    usual = _read(data, 1 << 20)
    usual_facts = [_facts(r, str(r.source, "utf-8")) for r in usual]
    assert all(isinstance(r.source, bytes) for r in usual)
    monkeypatch.setattr(jsonstream, "BIG_RECORD", 3000)
    big = _read(data, chunk)
    kinds = [(r.size > 3000, r.data["content_body"].isascii(), type(r._source).__name__) for r in big]
    assert [_facts(r, str(r.source, "utf-8")) for r in big] == usual_facts
    assert {k[2] for k in kinds if k[0] and k[1]} == {"NoneType"}  # big ASCII: kept as text
    assert {k[2] for k in kinds if k[0] and not k[1]} == {"memoryview"}  # big non-ASCII: a view of the window
    assert {k[2] for k in kinds if not k[0]} == {"bytes"}
    assert big[-1].data["legacy_id"] == 10**24 + 5  # beyond 64 bits: exact


def test_a_slice_that_is_not_the_record_puts_the_window_back(monkeypatch):
    """Braces in text fool the count past the big-record size: the text path fails, the window is rebuilt
    as it was, and the usual split finds the record (and the records after it)."""
    body = "plain words " * 300 + "x }, y { " * 5 + "tail"
    records = [base_record(content_id=1, content_body=body), base_record(content_id=2)]
    data = json.dumps([records]).encode()
    usual = [_facts(r, str(r.source, "utf-8")) for r in _read(data, 1 << 20)]
    monkeypatch.setattr(jsonstream, "BIG_RECORD", len(json.dumps(records[1])) + 100)
    failed = []
    loads_text = JsonRecordReader._loads_text

    def spy(self, start, end):
        found = loads_text(self, start, end)
        failed.append(found is None)
        return found

    monkeypatch.setattr(JsonRecordReader, "_loads_text", spy)
    monkeypatch.setattr(JsonRecordReader, "guess_ends", False)
    assert [_facts(r, str(r.source, "utf-8")) for r in _read(data, 32)] == usual
    assert failed == [True]  # then split as usual, from the window put back


def test_big_records_are_found_and_located_as_before(tmp_path, monkeypatch):
    """Every rule, end to end: the findings (rule, pointer, region, message, evidence) of a big record with
    entities, CRLF, astral characters, `<` in prose, comments, CDATA, script and style, a control character
    and a difference in the middle are those of the usual paths."""
    rng = random.Random(9)
    records = []
    for i, html in enumerate([_clean_html(rng, 300), _html(rng, 300), _clean_html(rng, 300) + "<p><b>x</p></b>"]):
        bare = re.sub(r"<[^<>]*>", "", html)
        body = bare.replace("council", "councils", 1) if i == 2 else bare
        records.append(base_record(content_id=i + 1, content_body=body + ("\x08" if i == 1 else ""), content_html=html))
    records.append(base_record(content_id=9, content_body="ok", content_html="<p>" + "&nbsp;" * 300 + "</p>"))
    path = tmp_path / "big.json"
    path.write_text(json.dumps([records[:2], records[2:]], ensure_ascii=False), encoding="utf-8")

    def found():
        return [(f.rule_id, f.record_index, f.pointer, f.region, f.message, f.evidence) for f in run_engine(path, "ALL")[0]]

    usual = found()
    assert len(usual) > 10 and {f[0] for f in usual} >= {"FL201", "FL206", "FL401", "FL403"}
    monkeypatch.setattr(jsonstream, "BIG_RECORD", 2500)
    monkeypatch.setattr(_pieces, "PIECE", 50)
    assert found() == usual
