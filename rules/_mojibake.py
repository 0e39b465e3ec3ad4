"""Find mojibake (UTF-8 decoded as Windows-1252 or Latin-1) with ftfy, and locate it.

A cheap regular-expression pass comes first: UTF-8 read as cp1252 always leaves
a lead character ``Â``..``ô`` followed by a continuation-looking character
(Latin-1 supplement or a cp1252 punctuation mark).  Only text that has such a
pair reaches ftfy (imported lazily), whose heuristics decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# cp1252's 0x80-0x9F bytes decoded as cp1252 (what a continuation byte can turn into).
_CP1252_PUNCT = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_CONTINUATION = "\u0080-\u00bf" + re.escape(_CP1252_PUNCT)
# One leading class keeps the scan fast; "Ã " is à whose NBSP became a space.
CANDIDATE = re.compile(f"[\u00c2-\u00f4](?:[{_CONTINUATION}]|(?<=[ÂÃ]) )")
# CANDIDATE on the UTF-8 bytes of the text, where a literal first byte (C3: U+00C0..U+00FF)
# lets the scan skip ahead at C speed: several times faster than the class scan on a
# non-ASCII field.  UTF-8 is self-synchronising, so a match here is a match there.
CANDIDATE_UTF8 = re.compile(
    rb"\xc3(?:[\x82-\xb4](?:\xc2[\x80-\xbf]|"
    + b"|".join(re.escape(c.encode()) for c in _CP1252_PUNCT)
    + rb")|[\x82\x83] )"
)
_match_candidate = CANDIDATE_UTF8.match
# Characters a mojibake sequence is made of: Latin-1 supplement and cp1252 punctuation.
_SEQUENCE = re.compile(f"(?:[\u0080-\u00ff{re.escape(_CP1252_PUNCT)}]|(?<=[ÂÃ]) )+")


@dataclass(frozen=True)
class Mojibake:
    start: int  # span of the first bad sequence in the original text
    end: int
    sequence: str  # the bad sequence as found
    intended: str  # what it most likely was
    fixed: str  # the whole text repaired


def find(text: str, min_badness: int = 1, utf8: bytes | None = None) -> Mojibake | None:
    """The first mojibake sequence in ``text`` when ftfy can repair it, else None.

    ``utf8``: the text already encoded by :func:`utf8_of`, when the caller has it.
    """
    if text.isascii():
        return None
    if utf8 is None:
        utf8 = utf8_of(text)
    if not has_candidate(utf8):
        return None
    import ftfy

    if badness_near_non_ascii(text, utf8) < min_badness:
        return None
    fixed = ftfy.fix_encoding(text)
    if fixed == text:
        return None
    start = _common_prefix(text, fixed)
    if start > 0 and CANDIDATE.match(text, start - 1):  # "Ãƒ" repaired to "Ã": the lead was kept
        start -= 1
    m = _SEQUENCE.match(text, start)
    if m is None:  # the repair starts on a character outside the usual set; point at it
        end = start + 1
        while end < len(text) and end - start < 12 and not text[end].isascii():
            end += 1
    else:
        end = m.end()
    sequence = text[start:end]
    intended = ftfy.fix_encoding(sequence)
    if intended == sequence:
        intended = fixed[start : start + max(1, len(fixed) - len(text) + (end - start))]
    return Mojibake(start, end, sequence, intended, fixed)


def utf8_of(text: str) -> bytes:
    """``text`` as UTF-8, lone surrogates passed through (ED A0..ED BF), so any string encodes."""
    return text.encode("utf-8", "surrogatepass")


def has_candidate(utf8: bytes) -> bool:
    """Whether :data:`CANDIDATE` matches the text whose UTF-8 is ``utf8`` (a lead, then a continuation).

    Every match starts with the byte C3, which ``find`` (memchr) reaches faster
    than the regex's own scan; a text with many (French, Vietnamese) is left to
    one ``search`` after the first few.
    """
    at = utf8.find(b"\xc3")
    tried = 0
    while at >= 0:
        if _match_candidate(utf8, at) is not None:
            return True
        tried += 1
        if tried == 8:
            return CANDIDATE_UTF8.search(utf8, at + 1) is not None
        at = utf8.find(b"\xc3", at + 1)
    return False


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_CONTEXT = 8  # longer than any ftfy badness sequence (at most 7 characters)


def non_ascii_runs(text: str, utf8: bytes | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of non-ASCII characters: ``_NON_ASCII.finditer``, found on the UTF-8 bytes.

    A character-class scan costs several nanoseconds a character; here one
    ``bytes.translate`` sorts the bytes into ASCII (0), lead (1) and
    continuation (2), and ``find`` / ``count`` (C speed) walk from run to run.
    A character's index is its byte offset less the continuation bytes before it.
    """
    classes = (utf8 if utf8 is not None else utf8_of(text)).translate(_BYTE_CLASSES)
    runs: list[tuple[int, int]] = []
    continuations = 0  # before the current byte offset
    start = classes.find(b"\x01")
    while start >= 0:
        end = classes.find(b"\x00", start)
        if end < 0:
            end = len(classes)
        inside = classes.count(b"\x02", start, end)
        runs.append((start - continuations, end - continuations - inside))
        continuations += inside
        start = classes.find(b"\x01", end)
    return runs


_BYTE_CLASSES = bytes(0 if b < 0x80 else 2 if b < 0xC0 else 1 for b in range(256))


def badness_near_non_ascii(text: str, utf8: bytes | None = None) -> int:
    """``ftfy.badness.badness(text)``, looking only near non-ASCII characters.

    Every sequence ftfy counts holds a non-ASCII character and is at most 7
    characters long, so it lies within :data:`_CONTEXT` characters of one:
    the windows around non-ASCII runs, joined by NUL (which no sequence
    contains) and never cut where a sequence could cross, count the same.  A
    14 KB body with a few curly quotes is then a few hundred characters for
    ftfy's large regular expression instead of the whole field.  ``utf8``: as
    in :func:`find`.
    """
    from ftfy.badness import badness

    pieces: list[tuple[int, int]] = []
    for start, end in non_ascii_runs(text, utf8):
        a, b = max(0, start - _CONTEXT), end + _CONTEXT
        if pieces and a <= pieces[-1][1]:
            pieces[-1] = (pieces[-1][0], b)
        else:
            pieces.append((a, b))
    return badness("\x00".join(text[a:b] for a, b in pieces))


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    lo, hi = 0, n
    while lo < hi:  # binary search on equal prefixes: long clean bodies stay cheap
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo
