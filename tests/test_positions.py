"""Exact positions: compact one-line and pretty layouts, non-ASCII, astral characters, escapes."""

from __future__ import annotations

import io
import json
import random

import pytest

from feedlint.reader.errors import InputError
from feedlint.reader.jsonstream import JsonRecordReader
from feedlint.reader.locate import locate, string_span
from feedlint.reader.positions import utf8_counts
from feedlint.reader.textstream import TextStream


def records_of(text: str, chunk: int = 1 << 20):
    stream = TextStream(io.BytesIO(text.encode("utf-8")), "mem.json", chunk=chunk)
    return list(JsonRecordReader(stream).records())


def column_of(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """1-based (line, code-point column) of the n-th occurrence of ``needle``."""
    idx = -1
    for _ in range(occurrence + 1):
        idx = text.index(needle, idx + 1)
    before = text[:idx]
    return before.count("\n") + 1, idx - (before.rfind("\n") + 1) + 1


def test_compact_one_line_value_column():
    recs = [{"content_id": 1, "content_body": "a"}, {"content_id": 2, "content_body": "second"}]
    text = json.dumps([recs], separators=(",", ":"))
    r = records_of(text)
    assert [x.pointer for x in r] == ["/0/0", "/0/1"]
    region = r[1].region("/content_body")
    assert (region.start_line, region.start_column) == column_of(text, '"second"')
    assert region.end_column - region.start_column == len('"second"')


def test_pretty_layout_lines():
    recs = [{"content_id": 1, "x": [1, {"y": "deep"}]}, {"content_id": 2, "x": "two"}]
    text = json.dumps(recs, indent=2)
    r = records_of(text)
    reg = r[0].region("/x/1/y")
    assert (reg.start_line, reg.start_column) == column_of(text, '"deep"')
    reg2 = r[1].region("/x")
    assert (reg2.start_line, reg2.start_column) == column_of(text, '"two"')


def test_astral_and_non_ascii_before_value_utf16_columns():
    rec = {"content_title": "Emoji \U0001F600 and caf\u00e9", "content_body": "target"}
    text = json.dumps([[rec]], ensure_ascii=False, separators=(",", ":"))
    reg = records_of(text)[0].region("/content_body")
    line, col = column_of(text, '"target"')
    assert (reg.start_line, reg.start_column) == (line, col)
    # one astral character before the value: UTF-16 column is one more
    assert reg.start_column16 == col + 1


def test_escapes_inside_strings_and_span_mapping():
    value = 'He said \"yes\" <\\/p> caf\u00e9 \U0001F600 &#39;end'
    rec = {"content_body": value}
    text = json.dumps([rec], ensure_ascii=True).replace("<\\\\/p>", "<\\/p>")
    r = records_of(text)[0]
    decoded = r.data["content_body"]
    target = decoded.index("&#39;")
    reg = r.region("/content_body", span=(target, target + 5))
    assert text[reg.offset : reg.offset + reg.length] == "&#39;"


def test_string_span_surrogate_pair_escape():
    text = '"a\\ud83d\\ude00b"'
    # decoded: a, 😀, b
    assert string_span(text, 0, (2, 3)) == (text.index("b"), text.index("b") + 1)


def test_key_location_for_unknown_field():
    text = '{"content_id": 1, "extra_field": 5}'
    start, end = locate(text, "/extra_field", on_key=True)
    assert text[start:end] == '"extra_field"'


def test_missing_member_falls_back_to_parent():
    text = '{"a": {"b": 1}}'
    start, end = locate(text, "/a/zzz")
    assert text[start:end] == '{"b": 1}'


def test_pointer_escaping_tilde_and_slash():
    text = '{"a/b": {"m~n": "v"}}'
    start, end = locate(text, "/a~1b/m~0n")
    assert text[start:end] == '"v"'


def test_small_windows_give_same_records():
    recs = [{"content_id": i, "content_body": "x" * (i * 37), "t": "\u00e9\U0001F600"} for i in range(1, 60)]
    text = json.dumps([recs], ensure_ascii=False)
    big = records_of(text)
    small = records_of(text, chunk=64)
    assert [r.data for r in big] == [r.data for r in small] == recs
    assert [r.region("/content_body") for r in big] == [r.region("/content_body") for r in small]


def test_crlf_file_line_numbers():
    text = '[\r\n  {"content_id": 1},\r\n  {"content_id": 2, "v": "x"}\r\n]\r\n'
    reg = records_of(text)[1].region("/v")
    assert (reg.start_line, reg.start_column) == (3, 26)


@pytest.mark.parametrize(
    "text,line,col,fragment",
    [
        ('[{"a": 1}, {"a": }]', 1, 18, "expected a value (string, number, object, array, true, false or null), found '}'"),
        ('[{"a": 1},\n {"a": 1}', 2, 10, "end of file"),
        ('[{"a": 1},]', 1, 10, "trailing comma"),
        ('[{"a": 1}] x', 1, 12, "extra data"),
        ("", 1, 1, "empty file"),
        ("   \n  ", 1, 1, "empty file"),
    ],
)
def test_invalid_json_is_a_located_error(text, line, col, fragment):
    with pytest.raises(InputError) as exc:
        records_of(text)
    assert fragment in exc.value.message
    assert (exc.value.line, exc.value.column) == (line, col)


def test_invalid_utf8_position():
    raw = b'[{"a": "ok"},\n {"a": "bad \xff here"}]'
    stream = TextStream(io.BytesIO(raw), "bad.json")
    with pytest.raises(InputError) as exc:
        list(JsonRecordReader(stream).records())
    assert "invalid UTF-8" in exc.value.message
    assert (exc.value.line, exc.value.column) == (2, 13)


def test_bom_tolerated_and_not_counted_in_columns():
    raw = "\ufeff" + '[{"content_id": 1, "v": "x"}]'
    stream = TextStream(io.BytesIO(raw.encode("utf-8")), "bom.json")
    recs = list(JsonRecordReader(stream).records())
    assert stream.bom
    reg = recs[0].region("/v")
    assert (reg.start_line, reg.start_column) == (1, 25)


def test_text_index_positions_equal_advancing_over_the_text():
    """Binary search in a TextIndex gives what advancing a cursor over the text gives, at every offset."""
    import random

    from feedlint.reader.positions import TextIndex

    rng = random.Random(2)
    alphabet = ["a", " ", "\n", "\r\n", "é", "’", "😀", "\U00020000", "ا", "\u200c"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        _assert_indexed_as_advancing(rng, text, TextIndex(text))
        _assert_indexed_as_advancing(rng, text, TextIndex(text, text.encode("utf-8")))  # astral characters found in the UTF-8 (a record's source)


def _assert_indexed_as_advancing(rng, text, index):
    """Region.indexed from a random origin, for every start and a random end, equals advancing a cursor over the text."""
    from feedlint.reader.positions import Cursor, Region

    origin = Cursor(rng.randint(1, 5), rng.randint(1, 9), rng.randint(1, 9), rng.randint(0, 99), rng.randint(0, 99))
    for start in range(len(text) + 1):
        end = rng.randint(start, len(text))
        a = origin.advance(text[:start])
        b = a.advance(text[start:end])
        expected = Region(a.line, a.column, b.line, b.column, a.column16, b.column16, a.offset, b.offset - a.offset, a.offset16, b.offset16 - a.offset16)
        assert Region.indexed(origin, index, start, end) == expected, (text, start, end)


def test_a_flat_text_places_regions_as_advancing_over_it():
    """A text without line feeds or astral characters (a compact record) is placed by addition: the same regions as advancing a cursor, and only such a text counts as flat."""
    import random

    from feedlint.reader.positions import TextIndex

    rng = random.Random(5)
    for alphabet in (["a", " ", "\r", "\t"], ["é", "’", "ا", "\u200c", "\u2028", "x"], ["a", "\n"], ["a", "😀"]):
        for _ in range(100):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
            index = TextIndex(text)
            assert index.flat == ("\n" not in text and all(ord(c) < 0x10000 for c in text))
            _assert_indexed_as_advancing(rng, text, index)


def test_indexed_region_is_an_ordinary_region():
    """Region.indexed fills the fields without the dataclass __init__: same fields, equality, hash, repr, pickling and immutability."""
    import dataclasses
    import pickle

    from feedlint.reader.positions import Cursor, Region, TextIndex

    text = "ab\nc😀d\r\néf\n"
    index = TextIndex(text)
    origin = Cursor(3, 5, 6, 40, 41)
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            got = Region.indexed(origin, index, start, end)
            a, b = Cursor(*index.place(origin, start)), Cursor(*index.place(origin, end))
            want = Region(a.line, a.column, b.line, b.column, a.column16, b.column16, a.offset, b.offset - a.offset, a.offset16, b.offset16 - a.offset16)
            assert dataclasses.astuple(got) == dataclasses.astuple(want) and got == want and hash(got) == hash(want)
            assert repr(got) == repr(want) and got.as_dict() == want.as_dict() and pickle.loads(pickle.dumps(got)) == want
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.offset = 0  # type: ignore[misc]


def test_a_cursor_moved_over_bytes_is_an_ordinary_cursor():
    """advance_bytes builds its Cursor without the dataclass __init__ (positions._cursor): same fields as advance over the text, equality, hash, repr, pickling and immutability."""
    import dataclasses
    import pickle

    from feedlint.reader.positions import Cursor

    rng = random.Random(11)
    alphabet = "ab \n\r\u00e9\u4e2d\U0001F600"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20)))
        origin = Cursor(rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 9), rng.randint(0, 99), rng.randint(0, 99))
        got, want = origin.advance_bytes(text.encode("utf-8")), origin.advance(text)
        assert type(got) is Cursor and dataclasses.astuple(got) == dataclasses.astuple(want) and got == want and hash(got) == hash(want)
        assert repr(got) == repr(want) and pickle.loads(pickle.dumps(got)) == want and vars(got) == vars(want)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.line = 0  # type: ignore[misc]


def test_each_record_keeps_the_exact_bytes_it_was_decoded_from():
    """A record's source is the slice its value was decoded from (kept, not cut again): the file's bytes from where it starts, whatever the layout and window."""
    rng = random.Random(5)
    for _ in range(40):
        records = [{"content_id": rng.randint(1, 99), "t": rng.choice(["x", "} {", "\u00e9\n", "a\\\"b", "]},{"]) * rng.randint(1, 30), "n": [1, {"a": None}]} for _ in range(rng.randint(1, 12))]
        pretty = rng.random() < 0.3
        dumped = [json.dumps(r, indent=2 if pretty else None, ensure_ascii=rng.random() < 0.5) for r in records]
        layout = rng.choice(["array", "pages", "lines"])
        if layout == "lines":
            text = "\n".join(dumped) + "\n"
        elif layout == "pages":
            text = "[[" + ",\r\n".join(dumped) + "]]"
        else:
            text = "[\n" + ",\n".join(dumped) + "\n]"
        data = text.encode("utf-8")
        raws = records_of(text, chunk=rng.choice([7, 64, 1 << 20]))
        assert [r.data for r in raws] == records
        for raw in raws:
            assert raw.source == data[raw.at : raw.at + len(raw.source)] and json.loads(raw.source) == raw.data


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_string_index_maps_every_decoded_offset_to_its_source_offset(ensure_ascii):
    """Decoding the source up to offset(i) gives exactly the first i characters, for escaped and plain text."""
    import json
    import random

    from feedlint.reader.locate import StringIndex

    rng = random.Random(8)
    alphabet = ["a", "b", "\r\n", '"', "\\", "/", "\t", "é", "’", "😀", "\u0001", "\\u0041"]
    for _ in range(400):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        literal = json.dumps(value, ensure_ascii=ensure_ascii).replace("/", "\\/")
        text = '{"k": ' + literal + "}"
        start = text.index(literal)
        index = StringIndex(text, start)
        assert index.length == len(value) and text[index.end] == '"'
        for i in range(len(value) + 1):
            if i and "\ud800" <= json.loads(json.dumps(value[:i]))[-1:] <= "\udfff":
                continue
            raw = text[start : index.offset(i)] + '"'
            assert json.loads(raw) == value[:i], (value, i)


def _random_record(rng, keys: list, leaves: list, max_depth: int) -> dict:
    """An object of ``keys`` nesting objects and arrays up to ``max_depth``, ``leaves`` at the bottom."""

    def value(depth: int):
        r = rng.random()
        if depth > max_depth or r < 0.3:
            return rng.choice(leaves)
        if r < 0.65:
            return {rng.choice(keys): value(depth + 1) for _ in range(rng.randint(0, 3))}
        return [value(depth + 1) for _ in range(rng.randint(0, 3))]

    return {k: value(0) for k in rng.sample(keys, rng.randint(1, 5))}


def _every_pointer(node, base: str = "", missing: bool = False):
    """The pointer of every value in ``node``; with ``missing``, one absent member or index per container too."""
    yield base
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _every_pointer(v, f"{base}/{k.replace('~', '~0').replace('/', '~1')}", missing)
        if missing:
            yield f"{base}/missing"
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _every_pointer(v, f"{base}/{i}", missing)
        if missing:
            yield f"{base}/{len(node)}"


def test_locating_by_a_counted_key_literal_equals_walking_the_members():
    """The shortcut for escape-free records finds every value where the member-by-member walk does."""
    import json
    import random

    from feedlint.reader.locate import locate

    rng = random.Random(6)
    checked = 0
    for _ in range(500):
        data = _random_record(rng, ["a", "b", "content_body", "sizes", "150"], ['"a": 1', "x", 5, '{"b":2}', None], 2)
        text = json.dumps(data, separators=(",", ":") if rng.random() < 0.5 else (", ", ": "))
        for pointer in _every_pointer(data):
            for on_key in (False, True):
                walked = locate(text, pointer, on_key=on_key, data=data, unique=frozenset())
                assert locate(text, pointer, on_key=on_key, data=data, unique=None) == walked, (text, pointer)
                checked += 1
    assert checked > 3000


def test_locating_with_a_shared_memo_and_escaped_slashes_equals_walking_the_members():
    """One memo per text (ancestors reused, key literals searched after the key found) gives every walked position.

    Keys with ``/`` are written ``\\/`` in some places and not in others, and
    string values hold key literals with escaped quotes: the search must never
    take another key's literal for the member's.
    """
    import json
    import random

    from feedlint.reader.locate import locate

    rng = random.Random(61)
    checked = 0
    for _ in range(600):
        data = _random_record(rng, ["a", "a/b", "files", "sizes", "150", "x~y"], ['"a": 1', '{"a/b": 2}', "x/y", 5, None, '"files":'], 3)
        text = json.dumps(data, separators=(",", ":") if rng.random() < 0.5 else (", ", ": "))
        text = "".join(c if c != "/" or rng.random() < 0.5 else "\\/" for c in text)  # "/" escaped here and there, as PHP writes it
        assert json.loads(text) == data
        found = list(_every_pointer(data, missing=True))
        rng.shuffle(found)
        memo: dict = {}
        for pointer in found:
            for on_key in (False, True):
                walked = locate(text, pointer, on_key=on_key, data=data, unique=frozenset())
                assert locate(text, pointer, on_key=on_key, data=data, unique=None, memo=memo) == walked, (text, pointer, on_key)
                assert locate(text, pointer, on_key=on_key) == walked, (text, pointer, on_key)
                checked += 1
    assert checked > 5000


def test_skipping_a_string_by_its_quotes_ends_where_the_json_scanner_does():
    """Strings are skipped by finding the first unescaped quote: the same end as decoding them."""
    import json
    import random

    from feedlint.reader.locate import _decoder, _skip_value

    rng = random.Random(5)
    alphabet = ["a", '"', "\\", "\\\\", '\\"', "/", "é", "\r\n", "\\u0041", "😀", " "]
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        text = '{"k":' + json.dumps(value, ensure_ascii=rng.random() < 0.5) + rng.choice([",", "}", ' ,"x":1}'])
        assert _skip_value(text, 5) == _decoder.raw_decode(text, 5)[1], text
    for text in ('"\\\\"', '"a\\\\\\""', '[1, "x"]', "123", "true"):
        assert _skip_value(text, 0) == _decoder.raw_decode(text, 0)[1]


def _serialize_with_spans(node, rng, pointer="", spans=None, key_spans=None, out=None):
    """JSON text of ``node`` (objects as lists of pairs, duplicate keys allowed) with where each pointer's value is.

    Built alongside the text, so it is an oracle independent of ``locate``: a
    duplicate key's later value overwrites the earlier span, as the decoder
    keeps the last value.  Keys and strings are written with ``\\u`` escapes
    at random.
    """
    from feedlint.pointer import escape as escape_pointer_token

    spans = {} if spans is None else spans
    key_spans = {} if key_spans is None else key_spans
    out = [] if out is None else out
    pos = sum(map(len, out))

    def literal(s: str) -> str:
        return json.dumps(s, ensure_ascii=rng.random() < 0.3)

    if isinstance(node, tuple):  # an object: a tuple of (key, value) pairs
        out.append("{")
        for k, (key, value) in enumerate(node):
            if k:
                out.append(rng.choice([",", ", "]))
            key_at = sum(map(len, out))
            out.append(literal(key))
            key_end = sum(map(len, out))
            out.append(rng.choice([":", ": "]))
            child = pointer + "/" + escape_pointer_token(key)
            for stale in [p for p in spans if p.startswith(child + "/")]:  # what an earlier duplicate held is gone
                del spans[stale]
                key_spans.pop(stale, None)
            _serialize_with_spans(value, rng, child, spans, key_spans, out)
            key_spans[child] = (key_at, key_end)
        out.append("}")
    elif isinstance(node, list):
        out.append("[")
        for k, value in enumerate(node):
            if k:
                out.append(",")
            _serialize_with_spans(value, rng, f"{pointer}/{k}", spans, key_spans, out)
        out.append("]")
    else:
        out.append(literal(node) if isinstance(node, str) else json.dumps(node))
    spans[pointer] = (pos, sum(map(len, out)))
    return "".join(out), spans, key_spans


def _random_pairs(rng, depth: int):
    keys = ["a", "b", "url", "content_body", "é", "x/y"]
    pairs = []
    for _ in range(rng.randint(1, 5)):
        roll = rng.random()
        if depth and roll < 0.25:
            value = _random_pairs(rng, depth - 1)
        elif depth and roll < 0.35:
            value = [_random_pairs(rng, depth - 1) for _ in range(rng.randint(0, 2))]
        else:
            value = rng.choice(["v", '"url":', "&#39;", 5, None, "caf\u00e9"])
        pairs.append((rng.choice(keys), value))
    return tuple(pairs)


def test_duplicate_keys_are_located_at_the_last_one_the_decoder_keeps():
    """With duplicate keys (at any depth, with and without ``\\u`` escapes) every value is found where the decoder took it from."""
    from feedlint.reader.locate import locate, unique_keys

    rng = random.Random(71)
    checked = duplicated = 0
    for _ in range(800):
        text, spans, key_spans = _serialize_with_spans(_random_pairs(rng, 3), rng)
        data = json.loads(text)
        unique = unique_keys(data, text) if "\\u" in text else None  # as RawRecord.region chooses
        memo: dict = {}
        pointers = list(spans)
        rng.shuffle(pointers)
        for pointer in pointers:
            assert locate(text, pointer, data=data, unique=unique, memo=memo) == spans[pointer], (text, pointer)
            assert locate(text, pointer) == spans[pointer], (text, pointer)
            if pointer in key_spans:  # a member (array elements have no key)
                assert locate(text, pointer, on_key=True, data=data, unique=unique) == key_spans[pointer], (text, pointer)
            checked += 1
        duplicated += len(spans) < text.count(":") + 1
    assert checked > 5000 and duplicated > 300


@pytest.mark.parametrize("indent", [None, 1])
def test_keys_that_begin_like_what_follows_a_string_are_found_where_they_are(indent):
    """A key such as ``","`` or ``"],"`` is also spelt at another string's closing quote (``"v",":"`` holds ``","`` then ``:``): searching for its literal must not stop there.

    Each key of each object is located with the decoded data (the search by
    literal, no ``\\u`` in the text) and by walking the members: both give
    the same place, the one ``json.dumps`` wrote it at.
    """
    from feedlint.reader.locate import locate

    keys = [",", ":", "],", "},", " ,", ", ", ":x", "]", "}", "\t", " ", "x,", ""]
    rng = random.Random(3)
    for _ in range(200):
        picked = rng.sample(keys, 5)
        obj = {}
        for k in picked:
            obj[k] = rng.choice(["v", ["v"], {"k": "v"}, 1, {",": "v"}])
        text = json.dumps({"a": "v", **obj, "z": ["v"]}, indent=indent, ensure_ascii=False)
        data = json.loads(text)
        for key in data:
            pointer = "/" + key.replace("~", "~0").replace("/", "~1")
            walked = locate(text, pointer)
            assert locate(text, pointer, data=data, unique=None, memo={}) == walked, (text, key)
            assert locate(text, pointer, on_key=True, data=data, unique=None) == locate(text, pointer, on_key=True), (text, key)
            assert json.loads(text[walked[0] : walked[1]]) == data[key]


@pytest.mark.parametrize("escaped", [False, True])
def test_a_finding_in_a_duplicated_field_points_at_the_value_the_decoder_kept(tmp_path, escaped):
    """A record with ``content_body`` twice: only the last counts (json keeps it), so only its defect is reported, and there."""
    from conftest import base_record, line_col, run_engine

    rec = json.dumps(base_record(content_body="BODY"), ensure_ascii=escaped)
    kept = rec.replace('"content_body": "BODY"', '"content_body": "clean first", "content_body": "It&#39;s the kept one"')
    dropped = rec.replace('"content_body": "BODY"', '"content_body": "It&#39;s dropped", "content_body": "clean"')
    for name, record, expected in (("kept", kept, 1), ("dropped", dropped, 0)):
        text = "[[" + record + "]]"
        path = tmp_path / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        findings, _ = run_engine(path, "FL201")
        assert len(findings) == expected, (name, findings)
        if expected:
            [f] = findings
            at = text.index('"It&#39;s the kept one"')
            assert at <= f.region.offset < at + len('"It&#39;s the kept one"')  # in the kept value, not the first
            assert (f.region.start_line, f.region.start_column) == line_col(text, f.region.offset)


def test_an_indexed_container_locates_every_value_where_the_walk_does(monkeypatch):
    """A container asked about often is indexed once (a record with 50,000 findings in one object stays linear):
    with every container indexed at once, duplicate keys, ``\\u`` and ``\\/`` escapes, missing members and
    array elements are located exactly where walking the members finds them."""
    from feedlint.reader import locate as loc

    monkeypatch.setattr(loc, "_INDEX_AFTER", 1)
    rng = random.Random(73)
    checked = 0
    for _ in range(600):
        text, spans, key_spans = _serialize_with_spans(_random_pairs(rng, 3), rng)
        data = json.loads(text)
        unique = loc.unique_keys(data, text) if "\\u" in text else None
        memo: dict = {}
        pointers = list(spans)
        rng.shuffle(pointers)
        for pointer in pointers:
            assert loc.locate(text, pointer, data=data, unique=unique, memo=memo) == spans[pointer], (text, pointer)
            if pointer in key_spans:
                assert loc.locate(text, pointer, on_key=True, data=data, unique=unique, memo=memo) == key_spans[pointer], (text, pointer)
            checked += 1
    for _ in range(300):
        data = _random_record(rng, ["a", "a/b", "files", "sizes", "150", "x~y"], ['"a": 1', '{"a/b": 2}', "x/y", 5, None, '"files":'], 3)
        text = json.dumps(data, separators=(",", ":") if rng.random() < 0.5 else (", ", ": "))
        text = "".join(c if c != "/" or rng.random() < 0.5 else "\\/" for c in text)
        memo = {}
        for pointer in _every_pointer(data, missing=True):
            for on_key in (False, True):
                monkeypatch.setattr(loc, "_INDEX_AFTER", 10**9)
                walked = loc.locate(text, pointer, on_key=on_key, data=data, unique=frozenset())
                monkeypatch.setattr(loc, "_INDEX_AFTER", 1)
                assert loc.locate(text, pointer, on_key=on_key, data=data, unique=None, memo=memo) == walked, (text, pointer, on_key)
                checked += 1
    assert checked > 5000


def test_string_index_fast_path_equals_the_stepwise_path():
    """The find-based index (no high-surrogate escape) gives exactly the stepwise index, on random literals."""
    import json
    import random

    rng = random.Random(13)
    alphabet = ["a", " ", "\n", '"', "\\", "/", "é", "😀", "\u0001", "\\u0041", "\\\\u", "\\ud83d", "&#39;"]
    fast_taken = 0
    for _ in range(2000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        literal = json.dumps(value, ensure_ascii=rng.random() < 0.5)
        if rng.random() < 0.5:
            literal = literal.replace("/", "\\/")
        text = '{"k": ' + literal + ', "n": "x\\"y"}'
        start = text.index(literal)
        fast, slow = _two_indexes(text, start)
        if fast._index_escapes(text):
            fast_taken += 1
            assert (fast.decoded, fast.raw_after, fast.length, fast.end) == (slow.decoded, slow.raw_after, slow.length, slow.end), literal
        else:
            assert "\\ud8" in literal.lower() or "\\ud9" in literal.lower() or "\\uda" in literal.lower() or "\\udb" in literal.lower()
    assert fast_taken > 1000


def test_string_index_split_path_equals_the_stepwise_path():
    """The split index (two-character escapes only) gives exactly the stepwise index; other literals are left to the find loop."""
    import json
    import random

    rng = random.Random(21)
    alphabet = ["a", " ", "\r\n", "\t", '"', "/", "é", "😀", "&#39;", "\\", "\u0001"]
    taken = refused = 0
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        literal = json.dumps(value, ensure_ascii=False).replace("/", "\\/")
        text = '{"k": ' + literal + ', "n": "x\\"y"}'
        start = text.index(literal)
        split, slow = _two_indexes(text, start)
        if split._index_split(text):
            taken += 1
            assert (list(split.decoded), list(split.raw_after), split.length, split.end) == (list(slow.decoded), list(slow.raw_after), slow.length, slow.end), literal
        else:
            refused += 1
            inner = literal[1:-1]
            assert "\\\\" in inner or "\\u" in inner or '\\"' in inner, literal
    assert taken > 200 and refused > 200


def _two_indexes(text: str, start: int):
    """Two indexes of the string literal at ``start``: one to fill by the path under test, one filled stepwise (the reference)."""
    from feedlint.reader.locate import StringIndex

    fast = StringIndex.__new__(StringIndex)
    fast.start = start + 1
    slow = StringIndex.__new__(StringIndex)
    slow.start = start + 1
    slow._index_stepwise(text)
    return fast, slow


def _counts_byte_by_byte(data: bytes) -> tuple[int, int]:
    """The definition: a code point per byte that is not a continuation byte, a second UTF-16 unit per 4-byte lead."""
    n = sum(1 for b in data if not 0x80 <= b < 0xC0)
    return n, n + sum(1 for b in data if 0xF0 <= b <= 0xF4)


UTF8_TEXTS = [
    "", "plain ASCII", "caf\u00e9", "\u201cquoted\u201d \u2019s", "\ufeffBOM first", "a\r\nb\r\n",
    "\U00010000 \U00040000 \U00080000 \U000c0000 \U00100000 \U0010ffff",  # each 4-byte lead, F0 to F4
    "x" * 300 + "\U0001F600" + "\u00e9" * 3, "\u0641\u200c\u0627 \u4e2d\u6587",
]


@pytest.mark.parametrize("text", UTF8_TEXTS)
def test_utf8_counts_of_any_piece_add_up_to_the_text(text):
    """Decoding and measuring counts what the byte-by-byte definition counts, also for pieces cut inside a character."""
    data = text.encode("utf-8")
    assert utf8_counts(data) == _counts_byte_by_byte(data) == (len(text), len(text.encode("utf-16-le")) // 2)
    for cut in range(len(data) + 1):
        head, tail = utf8_counts(data[:cut]), utf8_counts(data[cut:])
        assert (head[0] + tail[0], head[1] + tail[1]) == utf8_counts(data)
        assert head == _counts_byte_by_byte(data[:cut]) and tail == _counts_byte_by_byte(data[cut:])


def test_utf8_counts_of_bytes_that_do_not_decode_count_each_lead():
    """An encoded lone surrogate (which strict UTF-8 rejects) counts as the lead byte it starts with."""
    for data in ("a\ud800b\U0001F600".encode("utf-8", "surrogatepass"), b"\xf0\x9f", b"\x80\x80x", b"\xf4\x8f\xbf"):
        assert utf8_counts(data) == _counts_byte_by_byte(data)
