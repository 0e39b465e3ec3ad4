"""Find where a JSON Pointer's value sits in a record's source text.

Only run for records that have findings, so it favours simplicity over speed;
values are skipped with the C JSON scanner.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import accumulate
from json.decoder import scanstring
from operator import add
from typing import Any, Iterator

from ..pointer import unescape

_decoder = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)
_PLAIN = re.compile(r'[^"\\]*')
_MEMBER = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")[ \t\n\r]*:[ \t\n\r]*', re.S)  # "key" : (value follows)
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_NO_DATA = object()
_AFTER = re.compile(r"[ \t\n\r]*(?:,[ \t\n\r]*)?")  # whitespace and one separating comma
_FOLLOWS_A_STRING = ",:]} \t\n\r"  # what may come right after a string's closing quote in JSON


def split_pointer(pointer: str) -> list[str]:
    return [step[0] for step in _steps(pointer)]


@lru_cache(maxsize=4096)
def _steps(pointer: str) -> tuple[tuple[str, str, str], ...]:
    """``(token, pointer up to and including it, the token's key literal)`` for each token (findings reuse a few pointers)."""
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise ValueError(f"JSON Pointer must start with '/': {pointer!r}")
    raw = pointer[1:].split("/")
    tokens = [unescape(t) for t in raw]
    return tuple((t, "/" + "/".join(raw[: k + 1]), _key_literal(t)) for k, t in enumerate(tokens))


def _ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()


def _escaped(text: str, i: int) -> bool:
    """Whether the character at ``i`` is escaped: an odd run of backslashes stands before it."""
    j = i
    while j > 0 and text[j - 1] == "\\":
        j -= 1
    return (i - j) % 2 == 1


def _skip_value(text: str, pos: int) -> int:
    """End of the JSON value at ``pos`` (in valid JSON)."""
    if text[pos : pos + 1] == '"':  # a string: its first quote not escaped, without decoding a long body
        end = text.find('"', pos + 1)
        while end > 0:
            if not _escaped(text, end):
                return end + 1
            end = text.find('"', end + 1)
    return _decoder.raw_decode(text, pos)[1]  # the C scanner: containers, scalars and anything unterminated


def unique_keys(data: Any, text: str | None = None) -> frozenset[str]:
    """Object keys that occur exactly once in ``data`` (at any depth).

    Given the source ``text``, none when the source has duplicate keys: the
    decoder kept one of each, so a key unique in ``data`` may be written twice
    in the text (or inside a value a duplicate replaced), and only walking the
    members finds the one the decoder kept.
    """
    seen: set[str] = set()
    twice: set[str] = set()
    members = 0
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            members += len(node)
            for k, v in node.items():
                if k in seen:
                    twice.add(k)
                else:
                    seen.add(k)
                if isinstance(v, (dict, list)):
                    stack.append(v)
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    if text is not None and source_members(text) != members:
        return frozenset()
    return frozenset(seen - twice)


_STRING_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"([ \t\n\r]*:)?', re.S)


def source_members(text: str) -> int:
    """How many object members the JSON ``text`` spells out, duplicates included.

    Scanning string tokens from the start keeps in step with the JSON (outside
    strings no quote occurs), so a string followed by ``:`` is a key.
    """
    return sum(1 for m in _STRING_TOKEN.finditer(text) if m.group(1) is not None)


def _find_key(text: str, token: str, pos: int, literal: str = "") -> tuple[int, int, int] | None:
    """``(key start, key end, value start)`` of the first key literal ``token`` after ``pos``.

    Only an unescaped ``"`` delimits a string, and a string followed by ``:`` is a
    key, so the first such match is the first key of that name at any depth.
    ``literal`` is ``_key_literal(token)`` when the caller has it.
    """
    literal = literal or _key_literal(token)
    i = text.find(literal, pos)
    while i >= 0:
        if not _escaped(text, i):  # the quote is a delimiter, not an escaped quote inside a string
            m = _COLON.match(text, i + len(literal))
            if m:
                return i, i + len(literal), m.end()
        i = text.find(literal, i + 1)
    return None


@lru_cache(maxsize=512)
def _key_literal(token: str) -> str:
    """How a key is written in compact JSON without ``\\u`` escapes (``json.dumps``, cached)."""
    return json.dumps(token, ensure_ascii=False)


def _last_literal(text: str, literal: str, memo: dict) -> int:
    """Where the key's literal last occurs in ``text`` (-1: nowhere), searched once per text (``memo``): findings under ``/attaches`` ask again.

    A key found there is the last member spelt that way: no later duplicate.
    Searching from the end reads only what follows that occurrence, once per
    literal, where searching on from each key found read the rest of the
    record each time.
    """
    key = ("last", literal)
    found = memo.get(key)
    if found is None:
        found = memo[key] = text.rfind(literal)
    return found


def _member_by_search(text: str, token: str, pos: int, unique: frozenset[str] | None, memo: dict, literal: str = "", outermost: bool = False) -> tuple[int, int, int] | None:
    """:func:`_find_key` for the member ``token`` of the object at ``pos``, when the key found is surely that member; else None.

    Sure when no other spelling of the key can be a member of that object
    and the key found is the last written as its literal: the decoder keeps a
    duplicate key's last value, so a finding belongs at the last.  With
    ``\\u`` escapes a key may be spelt otherwise, so it must also occur once
    in the record's decoded keys (``unique``); without them, the only other
    spelling is ``\\/`` for ``/``: such keys are walked to.

    The literal's last occurrence in the text, when a key with no ``{``
    between it and an ``outermost`` object's start (the object the text is:
    it ends where the text does), is a member of that object: found by
    searching from the end, without reading the members before it a second
    time (a record's last field, ``/attaches``: 15 KB of a 16 KB record).
    Otherwise the first key found after ``pos`` is the member when it is
    also the literal's last occurrence; when it is not but no ``{`` comes
    before it (no nested object to hold it: most top-level fields), only a
    later duplicate could be the member: that is looked for up to the
    object's end.

    A key starting with a character that may follow a string (``,`` ``:``
    ``]`` ``}`` or white space) is walked to: its literal can begin at the
    closing quote of another string (``"v",":"`` holds ``","`` followed by
    ``:``), which a search would take for the key.
    """
    if token and token[0] in _FOLLOWS_A_STRING:
        return None
    if unique is not None:
        if token not in unique:
            return None
    elif "/" in token:
        return None
    literal = literal or _key_literal(token)
    last = _last_literal(text, literal, memo)
    if last <= pos:
        return None  # not written as its literal in the object: walked to
    if outermost and text.find("{", pos + 1, last) < 0 and not _escaped(text, last):
        m = _COLON.match(text, last + len(literal))
        if m:
            return last, last + len(literal), m.end()
    hit = _find_key(text, token, pos + 1, literal)
    if hit is None or hit[0] == last:
        return hit
    if unique is None and text.find("{", pos + 1, hit[0]) < 0:
        return _last_duplicate(text, literal, hit)
    return None


def _last_duplicate(text: str, literal: str, hit: tuple[int, int, int]) -> tuple[int, int, int]:
    """The last member named like ``hit`` (a member found at depth one) in ``hit``'s object: the one the decoder keeps."""
    for m in _members_from(text, _AFTER.match(text, _skip_value(text, hit[2])).end()):
        if m.group(1) == literal:
            hit = (m.start(), m.end(1), m.end())
    return hit


def _members_from(text: str, i: int) -> Iterator[re.Match]:
    """Each member of an object from ``i`` (a member's key or the closing brace) on: its key literal is group 1, its value starts at the end."""
    while i < len(text) and text[i] != "}":
        m = _MEMBER.match(text, i)
        if m is None:  # not valid JSON here: no more members to tell
            return
        yield m
        i = _AFTER.match(text, _skip_value(text, m.end())).end()


_INDEX_AFTER = 8  # lookups in one container before it is indexed (most records ask a few times)


def _container_index(text: str, pos: int, ch: str, memo: dict) -> dict[str, tuple[int, int, int]] | list[int] | None:
    """An index of the object or array at ``pos`` once it has been asked about :data:`_INDEX_AFTER` times, else None.

    Searching for a key, or walking to an element, costs up to the container's
    size per lookup: a record with thousands of findings in one object (50,000
    unknown fields) or array would be quadratic.  The index is one walk: an
    object's members by decoded key (a duplicate key's last member wins, as in
    the decoder) as ``(key start, key end, value start)``, or an array's
    element starts.
    """
    if ch not in ("{", "["):
        return None
    index = memo.get(("index", pos))
    if index is not None:
        return index
    asked = memo[("asked", pos)] = memo.get(("asked", pos), 0) + 1
    if asked < _INDEX_AFTER:
        return None
    if ch == "{":
        members: dict[str, tuple[int, int, int]] = {}
        for m in _members_from(text, _ws(text, pos + 1)):
            literal = m.group(1)
            key = literal[1:-1] if "\\" not in literal else scanstring(text, m.start() + 1)[0]
            members[key] = (m.start(), m.end(1), m.end())
        index = members
    else:
        starts: list[int] = []
        i = _ws(text, pos + 1)
        while i < len(text) and text[i] != "]":
            starts.append(i)
            i = _AFTER.match(text, _skip_value(text, i)).end()
        index = starts
    memo[("index", pos)] = index
    return index


def locate(
    text: str, pointer: str, start: int = 0, on_key: bool = False, data: Any = _NO_DATA, unique: frozenset[str] | None = frozenset(), memo: dict | None = None
) -> tuple[int, int]:
    """``(start, end)`` offsets in ``text`` of the value at ``pointer``.

    With ``on_key`` the member's key string is located instead.  When the pointer
    does not resolve (a missing member), the deepest existing ancestor is
    returned: a missing property is reported at its parent object.

    Given the decoded ``data`` of ``text`` and its :func:`unique_keys`, a member
    whose key occurs once in the whole record is found with ``str.find`` instead
    of skipping every member before it.  ``unique=None`` says the text has no
    ``\\u`` escapes, so a key is written as its plain literal: no second
    occurrence of that literal after the key found is enough, and no walk of
    ``data`` is needed.

    ``memo`` (one per text) also keeps where each ancestor located so far
    starts: a record's findings under one attachment share all but the last
    steps.

    ``text`` from ``start`` on holds one JSON value and white space (a
    record's source): the object there ends where the text does.
    """
    memo = {} if memo is None else memo
    steps = _steps(pointer)
    pos = -1
    top = -1  # where the value the text is starts, when this walk starts there (see _member_by_search)
    node: Any = data
    if len(steps) > 1 and (start, steps[0][1], data is _NO_DATA) in memo:  # an ancestor was located: resume after the longest one
        for k in range(len(steps) - 2, -1, -1):
            state = memo.get((start, steps[k][1], data is _NO_DATA))
            if state is not None:
                pos, node = state
                steps = steps[k + 1 :]  # at least one step is left, and every step sets key_span
                break
    if pos < 0:
        pos = _ws(text, start)
        node = data
        top = pos if start == 0 else -1
    key_span: tuple[int, int] | None = None
    for token, prefix, literal in steps:
        ch = text[pos : pos + 1]
        found = None
        index = _container_index(text, pos, ch, memo)
        if index is not None:  # a container asked about often: one walk made an index of it
            if isinstance(index, dict):
                hit = index.get(token)
                if hit is not None:
                    key_span, found = hit[:2], hit[2]
                node = node[token] if isinstance(node, dict) and token in node else _NO_DATA
            else:
                k = int(token) if token.isdigit() else len(index)
                if k < len(index):
                    key_span, found = None, index[k]
                node = node[k] if isinstance(node, list) and k < len(node) else _NO_DATA
            if found is None:
                return pos, _skip_value(text, pos)
            pos = found
            memo[(start, prefix, data is _NO_DATA)] = (pos, node)
            continue
        if ch == "{" and isinstance(node, dict) and token in node:
            hit = _member_by_search(text, token, pos, unique, memo, literal, pos == top)
            if hit is not None:
                key_span = hit[:2]
                pos = hit[2]
                node = node[token]
                memo[(start, prefix, data is _NO_DATA)] = (pos, node)
                continue
        if node is not _NO_DATA:
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                node = _NO_DATA
        if ch == "{":
            for m in _members_from(text, _ws(text, pos + 1)):
                literal = m.group(1)
                key = literal[1:-1] if "\\" not in literal else scanstring(text, m.start() + 1)[0]
                if key == token:  # not the end of the walk: a duplicate key's last value is the decoded one
                    found = m.end()
                    key_span = (m.start(), m.end(1))
        elif ch == "[" and token.isdigit():
            wanted = int(token)
            i = _ws(text, pos + 1)
            index = 0
            while i < len(text) and text[i] != "]":
                if index == wanted:
                    found = i
                    key_span = None
                    break
                i = _AFTER.match(text, _skip_value(text, i)).end()
                index += 1
        if found is None:
            return pos, _skip_value(text, pos)
        pos = found
        memo[(start, prefix, data is _NO_DATA)] = (pos, node)
    if on_key and key_span is not None:
        return key_span
    return pos, _skip_value(text, pos)


def located_value(memo: dict, pointer: str) -> Any:
    """The decoded value :func:`locate` (given ``data`` and ``memo``) found at ``pointer``; ``_NO_DATA`` when it stopped at an ancestor (a missing member) or was not asked."""
    state = memo.get((0, pointer, False))
    return _NO_DATA if state is None else state[1]


def two_for_one(value: Any, no_u: bool) -> bool:
    """Whether every escape in the literal of the decoded string ``value`` is two characters for one, in a text without ``\\u`` (``no_u``).

    The literal can then hold no ``\\u`` escape, and no ``\\\\`` either: that
    decodes to a backslash, and ``value`` has none.  One ``memchr`` over the
    value instead of a regular expression over the stretch counted for each
    span (FL201's findings: 27 M instructions on 1,000 records, 6 K a span).
    """
    return no_u and type(value) is str and "\\" not in value


_BIG_TEXT = 1 << 20


def _offsets(room: int) -> tuple[Any, Any]:
    """Two empty sequences of offsets for a literal with at most ``room`` characters left in its text.

    Lists, except in a text of megabytes: a list holds an int object per
    offset (about 36 bytes), an ``array`` 8 bytes, which keeps the index of a
    50 MB body with a million escapes at 16 MB instead of 70 (appending to an
    array is a little slower, so the usual record keeps lists).
    """
    if room <= _BIG_TEXT:
        return [], []
    from array import array

    return array("q"), array("q")


class _DecodedOffsets:
    """Maps decoded offsets of one string literal to source offsets (``offset``); ``span`` maps a range."""

    __slots__ = ()

    def offset(self, index: int) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def span(self, span: tuple[int, int]) -> tuple[int, int]:
        a, b = span
        if b < a:  # an empty, reversed span: a point at ``b``
            a = b
        start = self.offset(a)
        return start, self._end(start, a, b)

    def _end(self, start: int, a: int, b: int) -> int:
        """Source offset of ``b`` (``start``: that of ``a``, not after ``b``)."""
        return self.offset(b)


class StringIndex(_DecodedOffsets):
    """Where the escapes of one string literal are, to map decoded offsets to source offsets.

    Built in one pass (C regex, a Python step per escape only); each mapping is
    then a binary search.  Findings reach it through :class:`CountedString`,
    which hands a literal over when counting cannot place its offsets (a
    ``\\\\`` or ``\\u`` escape, many offsets asked far apart).
    """

    __slots__ = ("start", "decoded", "raw_after", "length", "end")

    def __init__(self, text: str, literal_start: int, no_u: bool = False) -> None:
        """``no_u``: the caller knows ``text`` holds no ``\\u`` at all (a record searched once for it), so the literal is not searched again."""
        self.start = literal_start + 1
        if not self._index_escapes(text, no_u):
            self._index_stepwise(text)

    def _index_escapes(self, text: str, no_u: bool = False) -> bool:
        """The usual case, from ``str.find`` over backslashes and the closing quote (C speed between escapes).

        A regular expression walked a 4 KB body at about 15 ns a character (two
        walks: the literal's end, then its escapes); ``find`` jumps from one
        escape to the next.  False, with nothing set, when the literal holds a
        high-surrogate escape (pairs are joined by :meth:`_index_stepwise`) or
        is not complete.
        """
        if self._index_split(text, no_u):
            return True
        decoded_at, raw_after = _offsets(len(text) - self.start)
        find, match = text.find, _ESCAPE.match
        start = pos = self.start
        shrink = start  # source offset minus decoded offset, so far
        quote = find('"', pos)
        while True:
            if quote < 0:
                return False  # no closing quote: not a complete literal
            slash = find("\\", pos, quote)
            if slash < 0:
                break
            decoded_at.append(slash - shrink)
            if text[slash + 1] != "u":  # \n, \", \/ ...: two characters (a quote follows, so slash + 1 exists)
                b = slash + 2
            else:
                b = match(text, slash).end()  # \u and 4 hex digits (or, in invalid JSON, \u alone)
                if b - slash == 6 and text[slash + 2] in "dD" and text[slash + 3] in "89abAB":
                    return False  # \uD800-\uDBFF: maybe half of a surrogate pair
            raw_after.append(b)
            shrink += b - slash - 1
            pos = b
            if quote < pos:  # the quote was escaped (\\"): the next one
                quote = find('"', pos)
        self.decoded = decoded_at
        self.raw_after = raw_after
        self.length = quote - shrink
        self.end = quote
        return True

    def _index_split(self, text: str, no_u: bool = False) -> bool:
        """The commonest literal, with no Python step per escape: only two-character escapes (``\\/``, ``\\r``, ``\\n``...).

        Then every backslash starts an escape that decodes to one character, so
        splitting the literal at its backslashes and summing the pieces'
        lengths (``accumulate``, in C) gives each escape's decoded offset; its
        source end is that plus two, plus one per earlier escape.  A 7 KB body
        with 230 escapes: about 3× faster than a ``find`` per escape.  False,
        with nothing set, for a literal with ``\\\\``, ``\\u`` or an escaped
        quote, with no closing quote, or of megabytes (the pieces would be a
        second copy of it).
        """
        start = self.start
        quote = text.find('"', start)
        if quote < 0 or quote - start > _BIG_TEXT or text[quote - 1] == "\\":
            return False
        literal = text[start:quote]
        if "\\" not in literal:
            self.decoded, self.raw_after = [], []
            self.length = quote - start
            self.end = quote
            return True
        pieces = literal.split("\\")
        if pieces.count("") > (not pieces[0]) or (not no_u and "\\u" in literal):  # an empty piece after the first: "\\\\" (or a backslash before the quote); "\\u" is a slow search among many backslashes (a quarter of the index)
            return False
        decoded = list(accumulate(map(len, pieces)))
        decoded.pop()  # the last piece ends at the quote: no escape after it
        self.decoded = decoded
        self.raw_after = list(map(add, decoded, range(start + 2, start + 2 + len(decoded))))
        self.length = quote - start - len(decoded)
        self.end = quote
        return True

    def _index_stepwise(self, text: str) -> None:
        """Any literal, a Python step per escape: joins surrogate pairs, stops at a lone backslash at the end."""
        decoded_at, raw_after = _offsets(len(text) - self.start)  # decoded offset of each escape's character, source offset just after it
        decoded = 0
        raw = self.start
        n = len(text)
        while True:
            run_end = _PLAIN.match(text, raw).end()
            decoded += run_end - raw
            raw = run_end
            if raw >= n or text[raw] == '"':
                break
            m = _ESCAPE.match(text, raw)
            if m is None:  # a lone backslash at the very end: not a valid literal
                break
            step_end = m.end()
            esc = m.group(1)
            if esc[0] == "u" and 0xD800 <= int(esc[1:], 16) < 0xDC00:
                nxt = _ESCAPE.match(text, step_end)
                if nxt and nxt.group(1)[0] == "u" and 0xDC00 <= int(nxt.group(1)[1:], 16) < 0xE000:
                    step_end = nxt.end()  # a surrogate pair is one (astral) character
            decoded_at.append(decoded)
            raw_after.append(step_end)
            decoded += 1
            raw = step_end
        self.decoded = decoded_at
        self.raw_after = raw_after
        self.length = decoded  # decoded length
        self.end = raw  # offset of the closing quote

    def offset(self, index: int) -> int:
        """Source offset of decoded offset ``index`` (clamped to the closing quote)."""
        if index >= self.length:
            return self.end
        k = bisect_left(self.decoded, index)  # escapes strictly before ``index``
        if k == 0:
            return self.start + index
        return self.raw_after[k - 1] + (index - self.decoded[k - 1] - 1)


_NOT_TWO_FOR_ONE = re.compile(r"\\[\\u]")  # ``\\`` (its second backslash starts no escape) or ``\u`` (six characters for one)


class CountedString(_DecodedOffsets):
    """Source offsets of a string literal's decoded offsets, counted when asked instead of indexed beforehand.

    A record's findings in one long field are few (FL201: about five entities
    in a 7 KB body), and indexing every escape of the field (:class:`StringIndex`:
    a piece per escape, a sum per piece) cost more than all of them.  While
    every escape met is two characters for one (``\\r``, ``\\/``, ``\\"``),
    every backslash starts an escape, so the source offset ``s`` of decoded
    offset ``d`` is the least ``s`` with ``s = start + d + (backslashes in
    text[start:s])``: counted (``str.count``, in C) from the nearest offset
    already known below ``d`` until the count stops growing (each round
    counts only the stretch the last one added, at most half as long).  A
    ``\\\\`` or ``\\u`` on the way, or counting more than a few times the
    literal's length (many offsets asked far apart), hands the literal over
    to a :class:`StringIndex`.  ``two_for_one``: the caller knows the literal
    holds neither (:func:`two_for_one`), so no stretch is searched for them.
    """

    __slots__ = ("text", "start", "end", "no_u", "two_for_one", "_known_d", "_known_s", "_budget", "_index")

    def __init__(self, text: str, literal_start: int, quote: int, no_u: bool = False, two_for_one: bool = False) -> None:
        """``quote``: the literal's closing quote (where locating the literal found its end)."""
        self.text = text
        self.start = literal_start + 1
        self.end = quote
        self.no_u = no_u
        self.two_for_one = two_for_one
        self._known_d = [0]  # decoded offsets placed so far, ascending, and their source offsets
        self._known_s = [self.start]
        self._budget = 4 * (quote - self.start) + 256
        self._index: StringIndex | None = None

    def offset(self, index: int) -> int:
        """Source offset of decoded offset ``index`` (clamped to the closing quote)."""
        if self._index is not None:
            return self._index.offset(index)
        known_d, known_s = self._known_d, self._known_s
        k = len(known_d) - 1
        if index < known_d[k]:  # asked out of order (spans usually come left to right: then the last offset placed is the nearest)
            k = bisect_right(known_d, index) - 1
        d0, s0 = known_d[k], known_s[k]
        text, end = self.text, self.end
        target = s0 + index - d0
        counted, extra = s0, 0  # the backslashes in [s0, counted)
        s = target
        while s != counted and s < end:
            self._budget -= s - counted
            if self._budget < 0:
                return self._hand_over(index)
            extra += text.count("\\", counted, s)
            counted, s = s, target + extra
        if not self.two_for_one and _NOT_TWO_FOR_ONE.search(text, s0, min(s, end)):  # the stretch the answer rests on (a fixed point never follows a backslash)
            return self._hand_over(index)
        if s >= end:
            return end  # past the last character
        known_d.insert(k + 1, index)
        known_s.insert(k + 1, s)
        return s

    def _end(self, start: int, a: int, b: int) -> int:
        """A span without a backslash in it (an entity, a word) ends as many characters after its start as it holds: no counting."""
        end = start + (b - a)
        if end < self.end and self.text.find("\\", start, end) < 0:
            return end
        return self.offset(b)

    def region_fields(self, span: tuple[int, int], positions: Any, origin: Any) -> tuple:
        """``positions.region_fields(origin, *self.span(span))`` (``positions``: the text's :class:`~feedlint.reader.positions.TextIndex`), in one call.

        For a flat text (a compact record: each place is the origin moved on by
        its offset) and a span without a backslash in it (an entity, a word),
        :meth:`_end` and the index's flat branch written out: every finding in
        a long field comes this way (FL201: five a body), and the calls cost
        about as much as the arithmetic.  Anything else takes those calls.
        """
        a, b = span
        if a <= b and positions.flat:
            start = self.offset(a)
            end = start + (b - a)
            if end < self.end and self.text.find("\\", start, end) < 0:
                line = origin.line
                column, column16 = origin.column + start, origin.column16 + start
                length = end - start
                return (line, column, line, column + length, column16, column16 + length, origin.offset + start, length, origin.offset16 + start, length)
            return positions.region_fields(origin, start, self.offset(b))
        return positions.region_fields(origin, *self.span(span))

    def _hand_over(self, index: int) -> int:
        """Index the literal (:class:`StringIndex`) for this offset and all later ones."""
        self._index = StringIndex(self.text, self.start - 1, self.no_u)
        return self._index.offset(index)


def string_span(text: str, literal_start: int, span: tuple[int, int]) -> tuple[int, int]:
    """Map ``[a, b)`` in a decoded string to offsets in its source literal.

    ``literal_start`` is the offset of the opening quote.  Escapes such as
    ``\\"``, ``\\/`` and ``\\u00e9`` are one decoded character; a surrogate pair
    of ``\\u`` escapes is one astral character.
    """
    return StringIndex(text, literal_start).span(span)
