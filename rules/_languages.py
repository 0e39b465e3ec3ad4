"""Language tags compared as BCP 47 says (RFC 4647 basic filtering), not as strings.

``en-US``, ``en-us`` and ``en`` are one language to a site that publishes in ``en``;
a site configured for ``en-GB`` only takes ``en-GB`` and its subtags.  Without a
configured list, any tag whose primary subtag is a language (an ISO 639-1 code,
a three-letter ISO 639-2/3 code) is accepted: no site is flagged for its languages.
"""

from __future__ import annotations

import re
from typing import Iterable

# ISO 639-1, with the withdrawn iw/in/ji that old exports still carry
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en
    eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik in io is it iu iw ja
    ji jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mo mr ms mt my na nb
    nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg sh si sk sl sm sn so sq
    sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)
_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def _subtags(tag: str) -> list[str]:
    return tag.replace("_", "-").lower().split("-")


def is_language_tag(tag: str) -> bool:
    """A tag whose primary subtag names a language (``en``, ``en-US``, ``fil``, ``und``), not ``xx``."""
    if not _TAG.fullmatch(tag):
        return False
    primary = _subtags(tag)[0]
    return len(primary) == 3 or primary in ISO_639_1


def matches(tag: str, ranges: Iterable[str]) -> bool:
    """RFC 4647 basic filtering, case-insensitive: ``en`` takes ``en-US``; ``en-GB`` takes ``en-GB-oxendict`` but not ``en-US``."""
    sub = _subtags(tag)
    for r in ranges:
        want = _subtags(r)
        if want == ["*"] or sub[: len(want)] == want:
            return True
    return False


def accepted(tags: Iterable[object], configured: list[str]) -> list[str]:
    """The distinct string tags of a run that FL603 accepts: those matching ``configured``, or every language tag when it is empty."""
    out = []
    for tag in {t for t in tags if isinstance(t, str)}:
        if (matches(tag, configured) if configured else is_language_tag(tag)):
            out.append(tag)
    return sorted(out)
