"""The words of the FL2xx fixes: what a repair did, as ftfy's ``fix_and_explain`` tells it.

Called lazily (``DeferredFix(explain=...)``): a run that never shows fixes
never counts the occurrences.
"""

from __future__ import annotations

from . import _entities as ent

_SHOWN = 3  # distinct replacements named in a description


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _pairs(counts: dict[str, int], meaning) -> str:
    shown = ", ".join(f"{text} → {ent.describe(meaning(text))}" for text in list(counts)[:_SHOWN])
    return shown + (", …" if len(counts) > _SHOWN else "")


def decoded_references(value: str, decoded: dict[str, str]) -> str:
    """FL201, quick path: ``decoded`` maps each reference to its text, every occurrence decoded."""
    counts = {text: value.count(text) for text in decoded}
    return _decoded(counts)


def decoded_spans(value: str, spans: list[tuple[int, int]]) -> str:
    """FL201, general path: the references at ``spans`` were decoded."""
    counts: dict[str, int] = {}
    for a, b in spans:
        counts[value[a:b]] = counts.get(value[a:b], 0) + 1
    return _decoded(counts)


def _decoded(counts: dict[str, int]) -> str:
    n = sum(counts.values())
    return f"decoded {n} HTML {'entity' if n == 1 else 'entities'} ({_pairs(counts, ent.decode)})"


def unescaped_once(counts: dict[str, int], markup: bool) -> str:
    """FL202: ``counts`` of each double-escaped sequence; markup keeps one level of escaping, plain text none."""
    n = sum(counts.values())
    if markup:
        return f"removed the extra escaping of {_plural(n, 'reference')} ({_pairs(counts, _once)})"
    return f"decoded {_plural(n, 'double-escaped reference')} ({_pairs(counts, lambda t: ent.decode(_once(t)))})"


def _once(text: str) -> str:
    """``&amp;amp;#39;`` → ``&#39;``: every wrapping ``amp;`` removed."""
    m = ent.DOUBLE.match(text)
    return "&" + m.group(2) if m else text


def mojibake(fixed: str, sequence: str, intended: str) -> str:
    """FL204: ``sequence`` became ``intended``; the decoding steps are ftfy's own explanation."""
    import ftfy

    steps = ftfy.fix_encoding_and_explain(sequence).explanation or []
    how = ""
    encode = next((p for a, p in steps if a == "encode"), None)
    decode = next((p for a, p in steps if a == "decode"), None)
    if encode and decode:
        how = f" (ftfy: encoding {decode} misread as {encode.replace('sloppy-', '')})"
    return f"repaired mojibake: {sequence.strip() or sequence} → {intended.strip() or intended}{how}"


def given(fixed: str, *_: object) -> str:
    """The replacement already worked out by the check (``DeferredFix`` wants a function)."""
    return fixed
