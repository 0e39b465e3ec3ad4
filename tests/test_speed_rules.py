"""The per-record fast paths of the rules and the facts give what the general paths they skip give.

Each fast path is compared with the plain code it stands for, on inputs chosen
to break it (AT&T, ``&amp;quot;``, curly quotes, Persian with ZWNJ, ``<`` in
prose, CRLF vs LF, ``&nbsp;`` spacer paragraphs, U+001C..U+001F, astral
characters, lone surrogates), and each test also checks that the fast path is
taken where it should be, so a fast path that quietly declines everything
fails too.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata

import pytest

from feedlint.rules import _pieces, dataset

# Pieces of text that each break some shortcut of normalise_text.
_TEXT_BITS = [
    " ", "  ", "\t", "\r\n", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u2003", "\u2028", "\u3000", "\u200c",
    "a", "Bc", "AT&T", "R&D", "&", "&not", "&amp;", "&amp;quot;", "&amp;amp;", "&quot;", "&#39;", "&nbsp;", "&rsquo;", "&lsquo;", "&ldquo;", "&rdquo;",
    "&RSQUO;", "&eacute;", "&#8217;", "&mdash;", "<", "5 < 6", "\u2019", "\u201c", "\u00e9", "e\u0301", "\u0301", "\ufb01", "\u2474", "\u00df", "\u0130",
    "\u00c6", "\u0141", "\u03a3", "\uff06amp;", "\u212a", "\u017f", "\U0001f600", "\U0001d400", "\ud800", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "\r\n\r\n&nbsp;\r\n\r\n", "\n\n&nbsp;\n\n", "\r\n\r\n&amp;nbsp;\r\n\r\n", "&amp;#39;", "&#39", "\r\n\r\n&nbsp;",
    "&;", "&quot", "&#39&#39;", "&&quot;", "&amp;&quot;", "quot;", ";",
]  # fmt: skip


def _general_utf8(text: str) -> bytes:
    return dataset._normalise_general(text).encode("utf-8", "surrogatepass")


def _check(text: str) -> bool:
    """The fast path's answer, when it gives one, is the general path's; returns whether it gave one."""
    fast = dataset._fast_utf8(text)
    if fast is not None:
        assert fast == _general_utf8(text), repr(text)
    assert dataset.normalise_text(text).encode("utf-8", "surrogatepass") == _general_utf8(text), repr(text)
    return fast is not None


@pytest.mark.parametrize("ascii_only", [True, False])
def test_normalised_text_by_bytes_equals_the_general_path(ascii_only):
    rng = random.Random(13 if ascii_only else 17)
    bits = [b for b in _TEXT_BITS if b.isascii()] if ascii_only else _TEXT_BITS
    taken = 0
    for _ in range(6000):
        taken += _check("".join(rng.choice(bits) for _ in range(rng.randint(0, 30))))
    assert taken > 300  # the fast path took a fair share of them (most texts hold a bit it declines)


@pytest.mark.parametrize(
    "text, fast",
    [
        ("Iran&#39;s president said&nbsp;no.\r\n\r\n&nbsp;\r\n\r\n&quot;Yes&quot; \u201cno\u201d", True),
        ("Kessmark&rsquo;s &amp;quot;plan&amp;quot; &LDQUO;", False),  # an upper-case name: html.unescape's business
        ("AT&T and R&D", False),  # a bare & may start a legacy name (&not): declined
        ("Q&amp;A, Tom &amp; Jerry", False),  # "&amp;" leaves an "&" for html.unescape: declined
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u00ab\u062a\u0647\u0631\u0627\u0646\u00bb &nbsp; \u06f1\u06f4\u06f0\u06f2", True),  # Persian, ZWNJ
        ("\u00c6r\u00f8 \u0141\u00f3d\u017a STRASSE Stra\u00dfe \u0130stanbul \u03a3\u039f\u03a3", True),
        ("line\u2028break", False),  # white space only str.split knows
        ("a\x1cb\x1fc \x0b\x0cd", True),
        ("\U0001f600 astral \U0001d400 BOLD", True),
        ("lone \ud800 surrogate", False),
        ("\uff06amp; fullwidth", True),  # NFKC makes an & after the references are decoded: not decoded
        ("x" * 50 + " " * 1000 + "y", True),
        ("", True),
        ("a&amp;\r\n\r\n&nbsp;\r\n\r\nb", False),  # the paragraph break after an "&amp;": one space, the "&" left for html.unescape
        ("a\r\n\r\n&amp;nbsp;\r\n\r\n&amp;#39;b&#39;", True),  # "&amp;nbsp;" is decoded twice, not taken for the break
        ("a&#39;\r\n\r\n&nbsp;\r\n\r\n&quot;b&quot;&rdquo;", True),  # kinds after the first "&"-free text still decoded
        ("caf\u00e9\r\n\r\n&nbsp;\r\n\r\n\u0645\u06cc\u200c\r\n\r\n&nbsp;&nbsp;\r\n\r\n", True),
    ],
)
def test_normalised_text_on_tricky_inputs(text, fast):
    assert _check(text) is fast


def test_likely_references_are_the_common_ones_but_amp():
    """The fast path's first try decodes every common kind but ``&amp;`` (whose ``&`` sends text to the chain in its own order)."""
    assert sorted(dataset._LIKELY_ENTITIES) == sorted(e for e in dataset._COMMON_ENTITIES if e[0] != "&amp;")
    assert dataset._LIKELY_ENTITIES[0] == dataset._COMMON_ENTITIES[0]  # the paragraph break before the &nbsp; it holds


# Characters NFKC changes, or changes next to others: marks (one composing with "e", one with "<"), Hangul jamo
# composing into syllables, a Tibetan sign decomposing to marks, compatibility characters, marks out of order.
_NFKC_BITS = [
    "\u0301", "\u0338", "\u0323", "\u0327", "\u1100", "\u1161", "\u11a8", "\uac00", "\u0f73", "\u0f71", "\u0f72", "\u212b", "\ufb01", "\u00c5",
    "A\u030a", "\u0b47", "\u0b3e", "\u0dd9", "\u0dcf", "\u09c7", "\u09be", "\u0622", "\u0627", "\u0653", "\u2474", "\u00bd", "\u3099", "\u304b",
    "\u00e9", "\u2019", "\u201c", "\u00f8", "\u00c6", "\u0645", "\u200c", "\u0130", "\u00df", "\U0001d400", "\u0344", "\u0955",
]  # fmt: skip


def test_nfkc_is_skipped_only_where_it_changes_nothing():
    """Where _nfkc_keeps says NFKC keeps a text's characters, NFKC keeps the text; and it says so for plain letters and quotes."""
    rng = random.Random(29)
    ascii_bits = ["a", "e", "E", "<", "=", " ", "o", "1", "&", "\r\n"]
    said = 0
    for _ in range(20000):
        text = "".join(rng.choice(_NFKC_BITS if rng.random() < 0.5 else ascii_bits) for _ in range(rng.randint(1, 8)))
        if dataset._nfkc_keeps({c for c in text if not c.isascii()}):
            said += 1
            assert unicodedata.normalize("NFKC", text) == text, ascii(text)
    assert said > 2000
    assert dataset._nfkc_keeps(set("\u2019\u201c\u201d\u00e9\u00f8\u00c6\u0141\u0645\u06cc\u200c"))
    assert not dataset._nfkc_keeps({"\u1100", "\u1161"})  # jamo side by side make a syllable
    assert not dataset._nfkc_keeps({"\u0301"})  # a mark composes with the letter before it


def test_squeeze_is_split_and_join():
    rng = random.Random(3)
    for _ in range(3000):
        data = b"".join(rng.choice([b" ", b"  ", b" " * 9, b"a", b"bc", b"\xe2\x80\x99"]) for _ in range(rng.randint(0, 40)))
        assert dataset._squeeze(data) == b" ".join(data.split()), data


def test_article_key_by_bytes_is_the_hash_of_the_normalised_text(monkeypatch):
    """The key hashes normalise_text's UTF-8 directly: the same value as hashing the str (FL602 groups by it)."""
    rng = random.Random(23)
    for _ in range(1500):
        title = "".join(rng.choice(_TEXT_BITS) for _ in range(rng.randint(0, 6)))
        body = "".join(rng.choice(_TEXT_BITS) for _ in range(rng.randint(0, 30)))
        text = dataset.normalise_text(body)
        expected = hashlib.blake2b((dataset.normalise_text(title) + "\x1f" + text).encode("utf-8", "surrogatepass"), digest_size=10).hexdigest() if text else None
        assert dataset.article_key(title, body) == expected, (title, body)
        monkeypatch.setattr(_pieces, "PIECE", rng.randint(1, 8))  # the pieces of a huge body
        assert dataset.article_key(title, body) == expected, (title, body)
        monkeypatch.setattr(_pieces, "PIECE", 1 << 20)


def test_article_key_of_a_body_over_a_mebibyte():
    body = ("Iran&#39;s president said&nbsp;no. \u201cYes\u201d\r\n\r\n&nbsp;\r\n\r\n" * 40000) + "caf\u00e9 \u0130"
    assert len(body) > 1 << 21
    text = dataset._normalise_general(body)
    expected = hashlib.blake2b(("t\x1f" + text).encode("utf-8"), digest_size=10).hexdigest()
    assert dataset.article_key("T", body) == expected
