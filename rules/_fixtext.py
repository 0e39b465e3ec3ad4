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


def replaced_references(value: str, edits: tuple[tuple[int, int, str], ...]) -> str:
    """FL203: ``value`` with each ``(start, end, reference)`` written in."""
    out, last = [], 0
    for a, b, text in edits:
        out.append(value[last:a])
        out.append(text)
        last = b
    out.append(value[last:])
    return "".join(out)


def references_repaired(value: str, edits: tuple[tuple[int, int, str], ...]) -> str:
    """FL203: how many references were rewritten, and the first few as ``old → new``."""
    counts: dict[tuple[str, str], int] = {}
    for a, b, text in edits:
        counts[(value[a:b], text)] = counts.get((value[a:b], text), 0) + 1
    n = sum(counts.values())
    shown = ", ".join(f"{old} → {new}" for old, new in list(counts)[:_SHOWN]) + (", …" if len(counts) > _SHOWN else "")
    return f"rewrote {_plural(n, 'character reference')} ({shown})"


def replaced_characters(value: str, table: dict[int, str]) -> str:
    """FL206: ``value`` with each character in ``table`` replaced (``""``: removed)."""
    return value.translate(table)


def _became(new: str) -> str:
    return "a line break" if new in ("\n", "\r\n") else ent.describe(new) if new else "nothing"


def characters_replaced(value: str, table: dict[int, str]) -> str:
    """FL206: what was replaced or removed, by character."""
    counts = {cp: value.count(chr(cp)) for cp in table}
    counts = {cp: n for cp, n in counts.items() if n}
    n = sum(counts.values())
    removed = all(not table[cp] for cp in counts)
    parts = [f"U+{cp:04X}" if removed else f"U+{cp:04X} → {_became(table[cp])}" for cp in list(counts)[:_SHOWN]]
    shown = ", ".join(parts) + (", …" if len(counts) > _SHOWN else "")
    return f"{'removed' if removed else 'replaced'} {_plural(n, 'control character')} ({shown})"


# Elements whose tags separate paragraphs when markup is stripped from plain text (FL205).
_BLOCK_TAGS = frozenset(
    "address article aside blockquote caption center div dl dd dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr "
    "li main nav ol p pre section table tbody thead tfoot tr td th ul".split()
)


def tags_stripped(value: str, tags: tuple[tuple[int, int, str], ...]) -> str:
    """FL205: ``value`` without the tags at ``(start, end, name)``.

    ``<br>`` becomes a line break and a block element's tag a blank line, in
    the value's own line ends, where the white space left between two pieces
    of text holds fewer line breaks; nothing is added at the start or the end.
    """
    newline = "\r\n" if "\r\n" in value else "\n"
    out: list[str] = []
    gap = ""  # white space since the last text
    pending = 0  # the strongest break owed since the last text: 0 none, 1 line, 2 paragraph
    started = False
    last = 0
    for a, b, name in (*tags, (len(value), len(value), "")):
        text = value[last:a]
        core = text.strip()
        if not core:
            gap += text
        else:
            lead = len(text) - len(text.lstrip())
            gap += text[:lead]
            if started and pending and gap.count("\n") < pending:
                gap = newline * pending
            out.append(gap)
            out.append(core)
            gap = text[lead + len(core) :]
            started, pending = True, 0
        pending = max(pending, 2 if name in _BLOCK_TAGS else 1 if name == "br" else 0)
        last = b
    out.append(gap)
    return "".join(out)


def stripped_description(value: str, tags: tuple[tuple[int, int, str], ...]) -> str:
    """FL205: how many tags were stripped, of which elements."""
    names = list(dict.fromkeys("<!-- -->" if n == "!--" else f"<{n}>" for _, _, n in tags))
    shown = ", ".join(names[:_SHOWN]) + (", …" if len(names) > _SHOWN else "")
    return f"stripped {_plural(len(tags), 'HTML tag')} ({shown}) from plain text"
