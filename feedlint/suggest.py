"""One wording for every unknown name: "unknown config key 'selct' — did you mean 'select'?".

Config keys, rule options, field roles, profile keys, profiles, rules and
output formats all say it the same way: the closest known name when there is
one (difflib, as click does for options and commands), else the known names.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Iterable


def closest(given: str, known: Iterable[str]) -> str | None:
    """The known name ``given`` is most likely a typo of (case first: ``FAIL-ON`` is ``fail-on``), or None."""
    names = list(known)
    folded = {n.casefold(): n for n in names}
    if given.casefold() in folded:
        return folded[given.casefold()]
    found = get_close_matches(given.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def unknown(what: str, given: str, known: Iterable[str], sort: bool = True) -> str:
    """``unknown <what> 'given' — did you mean 'x'?``, or ``unknown <what> 'given' (known: a, b)``."""
    names = list(known)
    match = closest(given, names)
    if match is not None:
        return f"unknown {what} {given!r} — did you mean {match!r}?"
    shown = sorted(names) if sort else names
    return f"unknown {what} {given!r} (known: {', '.join(shown) if shown else 'none'})"
