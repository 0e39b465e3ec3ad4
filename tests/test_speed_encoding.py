"""The FL2xx fast paths answer exactly what the slow paths they skip would.

Each fast path (a byte-level precheck, a per-distinct-reference shortcut) is
held to the code it replaces, exhaustively where the property is about one or
two characters, and on random texts built from the characters that matter.
"""

from __future__ import annotations

import random
from collections import Counter

from feedlint.rules import _entities as ent
from feedlint.rules import _mojibake, _pieces
from feedlint.rules import encoding

# Leads of CANDIDATE and their neighbours; a few unrelated characters too.
_LEADS = [chr(c) for c in range(0xC0, 0x100)] + ["a", " ", "\u0100", "\u0153", "\u2019", "\ufffd"]
_ALL_BMP = [chr(c) for c in range(0x10000)]
_ASTRAL = ["\U0001f600", "\U0001fffe", "\U0010ffff", "\U00020000"]


def _pairs_matched(pattern_search, lead: str) -> set[str]:
    """Second characters ``c`` for which ``lead + c`` matches, one pair per line."""
    text = "".join(lead + c + "\n" for c in _ALL_BMP + _ASTRAL)
    return pattern_search(text)


def test_candidate_on_utf8_equals_candidate_for_every_pair_of_characters():
    """CANDIDATE is a two-character pattern: checking every lead against every second character checks it all."""
    matched_somewhere = 0
    for lead in _LEADS:
        by_text = _pairs_matched(lambda t: {m.group()[1:] for m in _mojibake.CANDIDATE.finditer(t)}, lead)
        by_bytes = _pairs_matched(
            lambda t: {m.group().decode("utf-8")[1:] for m in _mojibake.CANDIDATE_UTF8.finditer(_mojibake.utf8_of(t))}, lead
        )
        assert by_bytes == by_text, lead
        matched_somewhere += bool(by_text)
    assert matched_somewhere == 0xF4 - 0xC2 + 1  # every lead from Â to ô pairs with something, no other does


def _random_text(rng: random.Random, alphabet: list[str], longest: int = 40) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))


def test_has_candidate_equals_candidate_search_on_random_texts():
    rng = random.Random(7)
    alphabet = list("ÂÃÅâãéèôõÿ€’“”–™ŒšŸ\u0080\u0090\u00a0\u00bf ab\n\t\u200c中😀") + ["\ud83d", "\udc00", "\ufffd", "\u0153"]
    found = 0
    for _ in range(20000):
        text = _random_text(rng, alphabet)
        expected = _mojibake.CANDIDATE.search(text) is not None
        assert _mojibake.has_candidate(_mojibake.utf8_of(text)) == expected, ascii(text)
        found += expected
    assert 2000 < found < 18000  # both answers exercised


def _control_slow(text: str) -> bool:
    return encoding._CONTROL.search(text) is not None


def test_may_have_control_equals_the_control_scan_for_every_code_point():
    """Each alternative of the byte-level test is one character's encoding: every code point, one at a time."""
    reported = 0
    for cp in [*range(0x10000), *range(0x10000, 0x110000, 251), 0x1FFFE, 0x1FFFF, 0x10FFFE, 0x10FFFF]:
        ch = chr(cp)
        expected = _control_slow(ch)
        assert encoding._may_have_control(_mojibake.utf8_of(ch)) == expected, f"U+{cp:04X}"
        reported += expected
    assert reported == 0x09 + 2 + 0x12 + 1 + 0x20 + 0x800 + 0x20 + 2  # C0 (not tab, LF, CR), DEL, C1, surrogates, noncharacters


def test_ascii_layout_test_equals_the_control_scan_for_every_ascii_character_and_random_texts():
    """FL206 decides an ASCII field by deleting the control bytes alone (no isprintable() first)."""
    assert [ch for ch in map(chr, range(128)) if not encoding._ascii_printable_but_layout(ch)] == [ch for ch in map(chr, range(128)) if _control_slow(ch)]
    rng = random.Random(19)
    alphabet = list("ab <>&;\r\n\t") + [chr(c) for c in range(128)]
    found = 0
    for _ in range(20000):
        text = _random_text(rng, alphabet, 8)
        expected = not _control_slow(text)
        assert encoding._ascii_printable_but_layout(text) == expected, ascii(text)
        found += expected
    assert 2000 < found < 18000


def test_control_search_and_translate_answer_alike(monkeypatch):
    """``_has_ascii_control`` searches a longer field once per control and deletes the controls of a shorter one: both paths, str and bytes, on the same texts."""
    rng = random.Random(23)
    alphabet = list("ab <>&;\r\n\t\u00e9\u2019") + [chr(c) for c in range(128)]
    found = 0
    for _ in range(5000):
        text = _random_text(rng, alphabet, 10)
        expected = _control_slow(text)
        utf8 = _mojibake.utf8_of(text)
        answers = []
        for search_from in (0, 10**9):  # every field searched, every field translated
            monkeypatch.setattr(encoding, "_SEARCH_FROM", search_from)
            answers.append(encoding._may_have_control(utf8))
            if text.isascii():
                answers.append(not encoding._ascii_printable_but_layout(text))
        assert answers == [expected] * len(answers), ascii(text)
        found += expected
    assert 1000 < found < 4000


def test_may_have_control_equals_the_control_scan_on_random_texts():
    rng = random.Random(11)
    alphabet = list("ab \r\n\t\u00a0\u00c2\u00ef\u00ed é’\u200c\u200f中한\ud55c\ufdcf\ufdd0\ufdef\ufdf0\ufffd\ufeff😀") + [
        "\x00", "\x08", "\x0b", "\x1f", "\x7f", "\x80", "\x9f", "\ud800", "\udfff", "\ufffe", "\uffff", "\U0001fffe",
    ]
    found = 0
    for _ in range(20000):
        text = _random_text(rng, alphabet, 12)
        expected = _control_slow(text)
        assert encoding._may_have_control(_mojibake.utf8_of(text)) == expected, ascii(text)
        found += expected
    assert 2000 < found < 18000


# -- FL201: the per-distinct-reference shortcut against the per-occurrence loop --------


def _undecoded_slow(value: str, allowed: set[str]) -> tuple[dict[str, int], str]:
    """FL201's general path (no legacy references): counts per reference and the fixed text."""
    counts: dict[str, int] = {}
    spans: list[tuple[int, int]] = []
    for m in ent.references(value):
        text = m.group()
        if text == "&amp;" and ent.DOUBLE.match(value, m.start()):
            continue
        if text in allowed:
            continue
        counts[text] = counts.get(text, 0) + 1
        spans.append(m.span())
    return counts, encoding._decode_spans(value, sorted(spans))


def test_undecoded_quick_equals_the_general_loop_on_random_texts():
    rng = random.Random(3)
    tokens = [
        "&#39;", "&quot;", "&nbsp;", "&rsquo;", "&#x2019;", "&lt;", "&gt;", "&amp;", "&amp;#39;", "&copy;", "&nbps;",
        "&#38;", "&#35;", "&#59;", "&#x41;", "&#65;", "&semi;", "&num;", "&AMP;", "&ampT", "&copy", "&", ";", "#",
        "#39;", "x", "AT&T", " ", "\r\n", "é", "’", "😀", "&#0;", "&#150;", "&#99999999;", "&Aacute;",
    ]
    quick = 0
    for i in range(20000):
        value = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 12)))
        allowed = {"&nbsp;"} if i % 3 == 0 else set()
        counts, fixed = _undecoded_slow(value, allowed)
        tally = Counter(ent.REFERENCE.findall(value))
        decoded = encoding._undecoded_quick(tally, allowed)
        if not allowed:  # the answer cached by distinct references is the same, in the same order
            cached = encoding._undecoded_quick_by_texts(tally)
            assert cached == decoded and (cached is None or list(cached) == list(decoded)), value
        if decoded is None:
            continue  # the general loop decides: nothing to compare
        quick += 1
        got = {text: tally[text] for text in decoded}
        assert got == counts and list(got) == list(counts), value  # same references, same counts, same order
        assert encoding._replace_all(value, decoded) == fixed, value
    assert quick > 4000  # the shortcut really is taken


# Where a reference starts, ends or only seems to: bare "&", "&#" without digits, references without ";",
# legacy names, an unknown name, a name too long, CMS spacer paragraphs, CRLF, astral characters.
_TALLY_TOKENS = [
    "&#39;", "&#39", "&#x27;", "&#X27;", "&#x", "&#", "&#;", "&#0;", "&#99999999;", "&#8217s", "&#150s", "&nbsp;", "&quot;",
    "&amp;", "&amp;quot;", "&AMP;", "&not", "&copy2024", "&nbps;", "&a;", "&" + "a" * 31 + ";", "&" + "a" * 32 + ";",
    "AT&T", "&", "&&", "#", "9", "x", ";", " ", "\r\n\r\n&nbsp;\r\n\r\n", "\r\n", "é", "😀", "\U0010ffff",
]  # fmt: skip


def _tally_slow(value: str) -> tuple[Counter, bool]:
    """The reference tally as REFERENCE gives it, and whether an "&#" starts no complete reference (a count each)."""
    tally = Counter(ent.REFERENCE.findall(value))
    return tally, value.count("&#") != sum(n for text, n in tally.items() if text[1] == "#")


def _tally_fast(value: str) -> tuple[Counter, bool]:
    fields = encoding._assemble_fields([("/p", value)], [], [])
    tally = encoding._reference_tally(fields, "/p", value)
    assert fields.tallies["/p"] is tally  # made once per record
    return tally, "/p" in fields.stray


def _tallies_agree(rng: random.Random, texts: int, longest: int, alphabets: tuple[list[str], ...] = (_TALLY_TOKENS,)) -> int:
    """Fast and slow tallies of random texts (each made of one of ``alphabets``): the same counts in the same order, the same stray "&#"; how many had one."""
    stray = 0
    for _ in range(texts):
        tokens = rng.choice(alphabets)
        value = "".join(rng.choice(tokens) for _ in range(rng.randint(0, longest)))
        (fast, fast_stray), (slow, slow_stray) = _tally_fast(value), _tally_slow(value)
        assert fast == slow and list(fast) == list(slow), ascii(value)
        assert fast_stray == slow_stray, ascii(value)
        if not fast_stray:
            assert not list(ent.unclosed_references(value)), ascii(value)  # _unclosed need not look
        stray += fast_stray
    return stray


def test_reference_tally_and_stray_equal_findall_and_counts_on_random_texts():
    """One findall matching every "&" gives REFERENCE's tally and tells where an "&#" starts no reference."""
    stray = _tallies_agree(random.Random(21), 20000, 12)
    assert 3000 < stray < 17000  # both answers exercised


def test_reference_tally_and_stray_in_pieces_equal_findall_and_counts(monkeypatch):
    """A field over a piece (1 MiB; here 7 characters) is tallied a piece at a time: the same answers."""
    monkeypatch.setattr(_pieces, "PIECE", 7)
    stray = _tallies_agree(random.Random(22), 3000, 30)
    assert 500 < stray < 2900


def test_reference_tally_by_counting_equals_the_scan(monkeypatch):
    """A field whose every "&" starts a reference of the field tallied last is counted (``str.count``), not scanned: the same answers.

    Most texts here repeat a few references, as an export does, so both ways are taken many times, in every order.
    """
    taken = Counter()
    counting = encoding._tally_by_counting

    def spy(value: str):
        counted = counting(value)
        taken[counted is not None] += 1
        if counted is not None:
            assert counted[1] == {text: value.find(text) for text in counted[0]}  # FL201's hits take these offsets
        return counted

    monkeypatch.setattr(encoding, "_tally_by_counting", spy)
    few = ["&#39;", "&nbsp;", "&quot;", "x", " ", "\r\n", "é", "9", ";", "#"]
    more = few + ["&rsquo;", "&#x27;", "&amp;"]
    stray = _tallies_agree(random.Random(24), 20000, 14, (few,) * 6 + (more, _TALLY_TOKENS))
    assert taken[True] > 3000 and taken[False] > 5000 and stray > 1000


def test_undecoded_messages_are_worked_out_per_reference():
    value = "A&nbsp;b: Iran&#39;s and it&#39;s"
    hits = [encoding._undecoded_hit("/content_body", value, text, n, value.find(text), None) for text, n in (("&#39;", 2), ("&nbsp;", 1))]
    assert [(h.message, h.evidence, h.span) for h in hits] == [
        ("undecoded entity \"&#39;\" (') in plain-text field (2 occurrences): \"A&nbsp;b: Iran&#39;s and it&#39;s\"", "&#39;", (14, 19)),
        ('undecoded entity "&nbsp;" (U+00A0 NO-BREAK SPACE) in plain-text field (1 occurrence): "A&nbsp;b: Iran&#39;s and it&#39;s"', "&nbsp;", (1, 7)),
    ]
    assert encoding._undecoded_message.cache_info().currsize >= 2  # the part without the excerpt is cached per reference and count


# -- FL202 / FL203: one scan of the SUSPECT matches serves both -----------------------

_HTML_TOKENS = [
    "&nbsp;", "&quot;", "&#39;", "&rsquo;", "&#8217;", "&#x27;", "&amp;", "&amp;#39;", "&amp;amp;", "&nbps;", "&NBSP;",
    "&nbsp", "&#39", "&#039;", "&#x;", "&#;", "&#", "&#xZZ;", "&#150;", "&#0;", "&#99999999;", "&#xD800;", "&#65535;",
    "&zwj;", "&zwnj;", "&zwjx;", "&brand;", "&copy", "&copy2026", "AT&T", "&", ";", "#", "x", " ", "<p>", "</p>",
    "<script>", "</script>", "<STYLE>", "</style >", "<!--", "-->", "<scripts>", "é", "&nbsp;x", "&#8217;;", "&lt;&gt;",
]


def _malformed_slow(value: str, allowed: set[str], missing_semicolon: bool) -> bool:
    return encoding._any_reference_problem(ent.blank_raw_text(value), allowed, missing_semicolon)


def test_suspect_matches_never_miss_a_malformed_reference():
    """FL203 skips a field when none of its SUSPECT matches is a problem: the full check must agree."""
    rng = random.Random(5)
    outcomes = Counter()
    for i in range(20000):
        value = "".join(rng.choice(_HTML_TOKENS) for _ in range(rng.randint(0, 10)))
        allowed = {"brand", "nbps"} if i % 4 == 0 else set()
        missing_semicolon = i % 3 != 0
        slow = _malformed_slow(value, allowed, missing_semicolon)
        fast = encoding._any_problem_in(set(ent.SUSPECT.findall(value)), allowed, missing_semicolon)
        assert fast or not slow, value  # never skips a field with a problem
        if "<" not in value:
            assert fast == slow, value  # nothing blanked: the very same answer
        outcomes[fast, slow] += 1
    assert outcomes[True, True] > 3000 and outcomes[False, False] > 3000 and outcomes[True, False] > 100


def test_common_valid_references_are_never_a_problem():
    """SUSPECT skips COMMON_VALID: each must be fine whatever the options."""
    for name in ent.COMMON_VALID:
        for missing_semicolon in (True, False):
            m = ent.REFERENCE_LIKE.match("&" + name + ";")
            assert m.group() == "&" + name + ";"
            assert encoding._reference_problem(m, set(), missing_semicolon) is None, name


def test_every_amp_amp_is_a_suspect_and_in_the_reference_tally():
    """FL202 reads "&amp;" from FL203's SUSPECT matches or FL201's tally instead of searching the field."""
    rng = random.Random(9)
    present = 0
    for _ in range(20000):
        value = "".join(rng.choice(_HTML_TOKENS + ["amp;", "&am", "p;", "&&amp;", "&ampamp;"]) for _ in range(rng.randint(0, 8)))
        expected = "&amp;" in value
        assert ("&amp;" in set(ent.SUSPECT.findall(value))) == expected, value
        assert ("&amp;" in Counter(ent.REFERENCE.findall(value))) == expected, value
        present += expected
    assert 3000 < present < 17000


# -- FL204: non-ASCII runs found on the UTF-8 bytes ---------------------------------------


def test_non_ascii_runs_equal_the_regex_runs_on_random_texts():
    """Character offsets worked out from byte offsets: 2-, 3- and 4-byte characters and lone surrogates."""
    rng = random.Random(13)
    alphabet = list("ab \n\t&;") * 3 + ["é", "\u0080", "\u07ff", "’", "中", "\ufffd", "\uffff", "😀", "\U0010ffff", "\ud83d", "\udfff"]
    runs = 0
    for _ in range(20000):
        text = _random_text(rng, alphabet, 30)
        expected = [(m.start(), m.end()) for m in _mojibake._NON_ASCII.finditer(text)]
        assert _mojibake.non_ascii_runs(text) == expected, ascii(text)
        assert _mojibake.non_ascii_runs(text, _mojibake.utf8_of(text)) == expected, ascii(text)
        runs += len(expected)
    assert runs > 20000


# -- the FL2xx fields: a one-member layout against fields_with_role -----------------------


def _fields_seen_by_rules(fields: encoding._Fields) -> tuple:
    """What the rules read: the lists, and for each present field whether it is markup or exempt."""
    present = [p for p, _ in fields.text]
    return fields.plain, fields.text, fields.markup, [p in fields.markup_pointers for p in present], [p in fields.exempt for p in present]


def test_fields_from_the_layout_equal_the_fields_by_role_on_random_configurations():
    from feedlint.fields import FieldRoles
    from feedlint.model import Record

    rng = random.Random(17)
    patterns = ["/title", "/body", "/html", "/enc", "/a~1b", "/t~0x", "/items/*", "/*", "/nested/body", "/missing"]
    values = ["AT&amp;T", "Iran&#39;s", "", "x", 3, None, ["a"], {"body": "in&nbsp;side"}]
    by_layout = 0
    for i in range(3000):
        roles = FieldRoles.from_config(
            {"cms": {role: rng.sample(patterns, rng.randint(0, 3)) + (rng.sample(patterns, 1) if rng.random() < 0.1 else []) for role in ("plain-text", "html", "entity-encoded")}}
        )
        keys = ["title", "body", "html", "enc", "a/b", "t~x", "items", "nested"]
        data = {k: rng.choice(values) for k in rng.sample(keys, rng.randint(0, len(keys)))} if i % 50 else ["not", "a dict"]
        expected = encoding._collect_fields_by_role(Record(data, "cms", roles=roles))
        got = encoding._collect_fields(Record(data, "cms", roles=roles))
        assert _fields_seen_by_rules(got) == _fields_seen_by_rules(expected), (roles.patterns, data)
        by_layout += encoding._layout(roles, "cms") is not None and isinstance(data, dict)
    assert 300 < by_layout < 2700  # both paths taken


def test_the_default_roles_take_the_layout():
    from feedlint.fields import FieldRoles

    assert encoding._layout(FieldRoles(), "cms") is not None
    assert encoding._layout(FieldRoles(), "article") is None  # "/paragraphs/*"
