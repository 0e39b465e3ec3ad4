"""The per-finding fast paths (h-perf) give exactly what the simple paths they replace give.

Each fast path is compared with the plain code it stands for, on inputs chosen
to break it: escapes, astral characters, CRLF, nested arrays, keys with ``~``
and ``/``, content ids that are not strings.
"""

from __future__ import annotations

import json

import pytest

from feedlint.reader.positions import Region


def _records(tmp_path, records: list, ensure_ascii: bool) -> list:
    from feedlint.reader.sources import Source

    text = json.dumps([records], ensure_ascii=ensure_ascii, separators=(",", ":")).replace("/", "\\/")
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8", newline="")
    return list(Source(str(path)).records())


def _reference_region(raw, pointer: str, span: tuple[int, int]) -> Region:
    """The region by the slow path: the literal located without memo, its escapes indexed a step at a time."""
    from feedlint.reader.locate import StringIndex, locate
    from feedlint.reader.positions import TextIndex

    text = raw.text
    start, _ = locate(text, pointer)
    index = StringIndex.__new__(StringIndex)
    index.start = start + 1
    index._index_stepwise(text)
    return Region.indexed(raw.origin, TextIndex(text), *index.span(span))


_TRICKY = ["plain ", "caf\u00e9 ", "\U0001f600 ", "a/b ", "\r\n", "\t", 'say "hi" ', "back\\slash ", "&#39; ", "\u2028 "]


def _tricky_records() -> list:
    import random

    rng = random.Random(7)
    out = []
    for i in range(40):
        body = "".join(rng.choice(_TRICKY) for _ in range(rng.randint(1, 30)))
        out.append({"content_id": i, "content_body": body, "a~b/c": body[::-1], "nested": [[body, {"x": [body]}]]})
    return out


def test_string_regions_with_and_without_u_escapes_in_the_record(tmp_path):
    """Every span of every string, located through the record (the ``\\u``-free shortcut when the record has none) = the slow path.

    With ``ensure_ascii`` the records carry ``\\u`` escapes, and a literal
    indexed as if it had none would be placed wrong: the shortcut must not be
    taken there.
    """
    checked = 0
    for ensure_ascii in (False, True):
        for raw in _records(tmp_path, _tricky_records(), ensure_ascii):
            for pointer, value in (("/content_body", raw.data["content_body"]), ("/a~0b~1c", raw.data["a~b/c"]), ("/nested/0/1/x/0", raw.data["nested"][0][1]["x"][0])):
                for a in range(0, len(value) + 1, 3):
                    span = (a, min(len(value), a + 2))
                    assert raw.region(pointer, span) == _reference_region(raw, pointer, span), (ensure_ascii, pointer, span, value)
                    checked += 1
            assert (raw._unique is None) == (not ensure_ascii or "\\u" not in raw.text)
    assert checked > 500


def test_spans_asked_again_in_any_order_equal_each_asked_alone(tmp_path):
    """A record hands later spans in a string to the literal it already counted (FL201's findings in one body): in any order, after the whole value or its key, each equals the span asked of a fresh record."""
    import random

    rng = random.Random(11)
    for ensure_ascii in (False, True):
        fresh = _records(tmp_path, _tricky_records(), ensure_ascii)
        for raw, again in zip(_records(tmp_path, _tricky_records(), ensure_ascii), fresh):
            value = raw.data["content_body"]
            spans = [(a, min(len(value), a + rng.randint(0, 4))) for a in rng.sample(range(len(value) + 1), min(8, len(value) + 1))]
            spans += spans[:2]  # asked twice
            whole = raw.region("/content_body")
            key = raw.region("/content_body", on_key=True)
            for span in spans:
                assert raw.region("/content_body", span) == _reference_region(again, "/content_body", span), (ensure_ascii, span, value)
            assert raw.region("/content_body") == whole and raw.region("/content_body", on_key=True) == key
            assert raw.region_fields("/content_body") is raw.region_fields("/content_body")  # worked out once
            assert raw.region("/content_id", (0, 1)) == again.region("/content_id", (0, 1))  # a span in a number: the whole number


def test_region_from_fields_is_the_constructor():
    """What the main process rebuilds from a worker's tuple is the region the worker had: equal, same fields in the same order."""
    from feedlint.reader.positions import region_fields

    for fields in [(1, 1, 1, 1, 1, 1, 0, 0, 0, 0), (3, 7, 5, 2, 8, 3, 120, 5, 121, 6), (10**12, 2, 10**12 + 1, 9, 3, 11, 2**40, 7, 2**40 + 1, 8)]:
        built, made = Region.from_fields(fields), Region(*fields)
        assert built == made and list(vars(built).items()) == list(vars(made).items())
        assert region_fields(built) == fields and hash(built) == hash(made)


def _excerpt_reference(text: str, start: int, end: int | None = None, width: int = 30) -> str:
    """rules/_excerpt.py's ``excerpt`` as it was: a Python step per white space at the right edge, always the escaping ``sub``."""
    import re

    from feedlint.rules._excerpt import _INVISIBLE, _escape

    _SPACE = re.compile(r"\s")
    end = start if end is None else max(start, end)
    a = max(0, start - width)
    b = min(len(text), end + width)
    if a > 0 and not text[a - 1].isspace():
        m = _SPACE.search(text, a, start)
        a = m.end() if m else a
    if b < len(text) and not text[b].isspace():
        last = None
        for last in _SPACE.finditer(text, end, b):
            pass
        b = last.start() if last else b
    piece = _INVISIBLE.sub(_escape, " ".join(text[a:b].split()))
    return ("…" if a > 0 else "") + piece + ("…" if b < len(text) else "")


def test_excerpt_equals_the_stepwise_excerpt():
    import random

    from feedlint.rules._excerpt import excerpt

    rng = random.Random(5)
    pieces = ["word", " ", "  ", "\r\n", "\t", "\u00a0", "\u2028", "\u200b", "\x07", "\x85", "\ufeff", "\ud800", "\U0001f600", "é", "&#39;", "a/b", "\x1f"]
    pieces += ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u05e9\u05dc\u05d5\u05dd", "\u200c", "\u202b", "\u200f", "x" * 45, "\r", "\n\n"]  # RTL words with ZWNJ, bidi marks, a word longer than the width, lone CR
    for k in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        start = rng.choice([0, len(text)]) if k % 5 == 0 else rng.randint(0, len(text))  # the field's start and end too
        end = rng.choice([None, start, min(len(text), start + rng.randint(0, 12)), max(0, start - 3)])
        width = rng.choice([0, 1, 5, 30])
        assert excerpt(text, start, end, width) == _excerpt_reference(text, start, end, width), (text, start, end, width)


def _stepwise(text: str, literal_start: int):
    """The reference index of the literal at ``literal_start``: a Python step per escape."""
    from feedlint.reader.locate import StringIndex

    index = StringIndex.__new__(StringIndex)
    index.start = literal_start + 1
    index._index_stepwise(text)
    return index


_ESCAPY = ["a", " ", "\r\n", "\t", '"', "/", "\\", "caf\u00e9", "\U0001f600", "&#39;", "&amp;", "\u0001", "\u2028", "AT&T "]


def _counted_literals(seed: int, count: int):
    """``(text, literal start, closing quote, value)`` of random literals: escaped quotes and backslashes, ``\\u`` escapes and surrogate pairs (``ensure_ascii``), ``\\/``."""
    import random

    rng = random.Random(seed)
    for k in range(count):
        alphabet = _ESCAPY if k % 2 else [c for c in _ESCAPY if c not in ("\\", "\u0001")]  # half without what is written ``\\\\`` or ``\\u0001``
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        literal = json.dumps(value, ensure_ascii=k % 4 == 1)
        if rng.random() < 0.7:
            literal = literal.replace("/", "\\/")
        text = '{"n": "x\\\\", "k": ' + literal + ', "m": "y\\"z"}'
        start = text.index(literal)
        yield text, start, start + len(literal) - 1, value


def test_counted_string_equals_the_stepwise_index():
    """Every decoded offset (and past the end), asked in a random order: the counted offsets are the stepwise index's.

    Literals with ``\\\\`` or ``\\u`` hand over to the index on the way; those
    without stay counted, and their anchors are reused.  Told that the
    literal has neither (:func:`two_for_one`: its value holds no backslash, the
    text no ``\\u``), no stretch is searched for them: the same offsets.
    """
    import random

    from feedlint.reader.locate import CountedString, two_for_one

    rng = random.Random(5)
    counted = handed_over = told = 0
    for text, start, quote, value in _counted_literals(11, 3000):
        slow = _stepwise(text, start)
        fast = CountedString(text, start, quote)
        plain = two_for_one(value, "\\u" not in text)
        given = CountedString(text, start, quote, "\\u" not in text, plain)
        if plain:
            told += 1
            assert "\\\\" not in text[start:quote] and "\\u" not in text[start:quote]
        wanted = list(range(len(value) + 3))
        rng.shuffle(wanted)
        for i in wanted + wanted[:3]:
            assert fast.offset(i) == slow.offset(i) == given.offset(i), (text, i)
        for a in range(0, len(value) + 1, 2):
            assert fast.span((a, a + 5)) == slow.span((a, a + 5)) == given.span((a, a + 5)) and fast.span((a + 1, a)) == slow.span((a + 1, a)) == given.span((a + 1, a))
        if fast._index is None:
            counted += 1
            assert "\\\\" not in text[start:quote] and "\\u" not in text[start:quote]
        else:
            handed_over += 1
    assert counted > 1000 and handed_over > 500 and told > 500


def test_counted_string_hands_over_after_counting_too_much():
    """Offsets asked from the end backwards in a long literal of escapes: the counting stops within its budget and the index answers the same."""
    from feedlint.reader.locate import CountedString

    value = ("\r\n" * 3 + "word&#39;s \t") * 400
    literal = json.dumps(value)
    text = '{"k": ' + literal + "}"
    start = text.index(literal)
    slow = _stepwise(text, start)
    fast = CountedString(text, start, start + len(literal) - 1)
    for i in range(len(value), -1, -97):
        assert fast.offset(i) == slow.offset(i)
    assert fast._index is not None


def _pretty_records(crlf: bool) -> tuple[str, list]:
    """A pretty-printed export (tabs in the indent; CRLF on request) of records whose fields hold several entities, at the ends too."""
    bodies = [
        "&#39;start and end&#39;",
        'say \\"hi\\" &amp; caf\u00e9 &#39;s \U0001f600 &quot;x&quot;\r\n\tnext&nbsp;',
        "\r\n\r\n&nbsp;\r\n\r\n" * 5 + "AT&T &lt;b&gt; &#39;",
        "plain",
    ]
    records = [{"content_id": i, "content_title": b[::-1], "content_body": b, "nested": [{"x": b}]} for i, b in enumerate(bodies)]
    text = json.dumps([records], ensure_ascii=False, indent="\t").replace("/", "\\/")
    return (text.replace("\n", "\r\n") if crlf else text), records


def test_regions_of_several_spans_in_pretty_printed_records(tmp_path):
    """Every span of every field of pretty-printed records (LF and CRLF), several per field in a shuffled order: the counted regions are the stepwise ones."""
    import random

    from feedlint.reader.sources import Source

    rng = random.Random(3)
    checked = 0
    for crlf in (False, True):
        text, records = _pretty_records(crlf)
        path = tmp_path / "pretty.json"
        path.write_text(text, encoding="utf-8", newline="")
        for raw, record in zip(Source(str(path)).records(), records):
            spans = [(p, (a, b)) for p, v in (("/content_body", record["content_body"]), ("/content_title", record["content_title"]), ("/nested/0/x", record["nested"][0]["x"])) for a in range(len(v) + 1) for b in (a, a + 1, a + 5)]
            rng.shuffle(spans)
            for pointer, span in spans:
                assert raw.region(pointer, span) == _reference_region(raw, pointer, span), (crlf, pointer, span)
                checked += 1
    assert checked > 1000


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_regions_of_several_spans_in_compact_records(tmp_path, ensure_ascii):
    """Compact records (flat: one line; astral characters make a record not flat): every span of every field, several per field, ascending or shuffled, through ``CountedString.region_fields``'s written-out flat path and the general one: the stepwise regions."""
    import random

    from feedlint.reader.sources import Source

    rng = random.Random(7)
    pieces = ["word ", "&#39;", "&nbsp;", "\r\n", "\r\n\r\n", "/", '"', "\\", "\t", "caf\u00e9 ", "\u2019", "AT&T "]
    records = []
    for i in range(60):
        body = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 25)))
        if i % 5 == 4:
            body += " \U0001f600"  # not flat
        records.append({"content_id": i, "content_title": body[::-1], "content_body": body})
    text = json.dumps([records], ensure_ascii=ensure_ascii, separators=(",", ":")).replace("/", "\\/")
    path = tmp_path / "compact.json"
    path.write_text(text, encoding="utf-8", newline="")
    checked = flat = 0
    for raw, record in zip(Source(str(path)).records(), records):
        spans = [(p, (a, b)) for p, v in (("/content_body", record["content_body"]), ("/content_title", record["content_title"])) for a in range(len(v) + 1) for b in (a, a + 1, a + 5, max(a - 1, 0))]
        if raw.index % 2:
            rng.shuffle(spans)
        for pointer, span in spans:
            assert raw.region(pointer, span) == _reference_region(raw, pointer, span), (pointer, span)
            checked += 1
        flat += raw._positions.flat
    assert checked > 3000 and flat > 20


def test_counted_region_fields_equal_the_span_through_the_index():
    """``CountedString.region_fields`` (span's end and the flat branch written out) gives what ``TextIndex.region_fields(origin, *span(...))`` gives, and leaves the counting in the same state: random literals, spans ascending, repeated, backwards and reversed, flat and not."""
    import random

    from feedlint.reader.locate import CountedString, two_for_one
    from feedlint.reader.positions import Cursor, TextIndex

    rng = random.Random(11)
    origins = [Cursor(), Cursor(3, 7, 9, 120, 130)]
    for text, start, quote, value in _counted_literals(21, 1500):
        no_u = "\\u" not in text
        for positions in (TextIndex(text), TextIndex("x\ny")):  # flat, then not
            one = CountedString(text, start, quote, no_u, two_for_one(value, no_u))
            two = CountedString(text, start, quote, no_u, two_for_one(value, no_u))
            origin = rng.choice(origins)
            asks = sorted(rng.randrange(len(value) + 2) for _ in range(rng.randrange(1, 8)))
            spans = [(a, a + rng.choice((0, 1, 5, 6, -1))) for a in asks]
            if rng.random() < 0.3:
                spans.reverse()
            for span in spans:
                assert one.region_fields(span, positions, origin) == positions.region_fields(origin, *two.span(span)), (text, span)
                assert (one._known_d, one._known_s, one._budget, one._index is None) == (two._known_d, two._known_s, two._budget, two._index is None)


def test_u_escape_search_equals_in():
    """``_has_u_escape`` (a regular expression, on the UTF-8 or the text) answers what ``"\\u" in text`` does."""
    import random

    from feedlint.reader.jsonstream import _has_u_escape

    rng = random.Random(13)
    pieces = ["\\", "u", "\\u", "\\\\", "\\\\u", "\\n", "\\/", '\\"', "é", "’", "😀", "a", " ", "uu", "\\u00e9"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(12)))
        want = "\\u" in text
        assert _has_u_escape(text, text.encode("utf-8")) is want
        assert _has_u_escape(text, None) is want
