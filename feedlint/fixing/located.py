"""A rule's fix tied to the exact place of the value it replaces.

The engine wraps each proposed fix (when a reporter or ``--fix`` wants them)
with the whole value's region and JSON text and the record's escaping style,
so a SARIF log can offer the replacement and the fix loop can edit the
record without locating the value again.  Everything here is plain data: it
crosses process boundaries with the finding (``--jobs``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..reader.positions import Region, utf16_len
from .edits import Style, detect, encode, rewrite_literal


@dataclass
class LocatedFix:
    """``fix`` (a :class:`feedlint.api.Fix` or ``DeferredFix``) for the value at ``region``.

    ``start`` is where the value's JSON text (``literal``) begins in its
    record's source text.
    """

    fix: Any
    region: Region
    start: int
    literal: str
    style: Style

    @property
    def replacement(self) -> Any:
        return self.fix.replacement

    @property
    def description(self) -> str:
        return self.fix.description

    @property
    def applicability(self) -> str:
        return getattr(self.fix, "applicability", "safe")

    def edit(self) -> tuple[int, int, str]:
        """``(start, end, text)`` in the record's source text: the smallest change that writes the replacement."""
        new = self.replacement
        if isinstance(new, str) and self.literal.startswith('"'):
            a, b, text = rewrite_literal(self.literal, json.loads(self.literal), new, self.style)
            return self.start + a, self.start + b, text
        literal = json.dumps(new, ensure_ascii=self.style.ascii_only, separators=(",", ":"))
        if isinstance(new, str):
            literal = '"' + encode(new, self.style) + '"'
        return self.start, self.start + len(self.literal), literal

    def file_replacement(self) -> tuple[dict, str]:
        """The SARIF ``deletedRegion`` (UTF-16 columns and offsets, like every feedlint region) and the inserted text."""
        a, b, text = self.edit()
        r = self.region
        if not self.literal.startswith('"'):  # not a string: the whole value, which may span lines
            return {"startLine": r.start_line, "startColumn": r.start_column16, "endLine": r.end_line, "endColumn": r.end_column16, "charOffset": r.offset16, "charLength": r.length16}, text
        # a string literal holds no line break: the replaced part is on the value's first line
        before = utf16_len(self.literal[: a - self.start])
        length = utf16_len(self.literal[a - self.start : b - self.start])
        column = r.start_column16 + before
        return {"startLine": r.start_line, "startColumn": column, "endLine": r.start_line, "endColumn": column + length, "charOffset": r.offset16 + before, "charLength": length}, text


class _StyleCache:
    """The escaping style of the record last seen: its findings arrive one after another."""

    __slots__ = ("raw", "style")

    def __init__(self) -> None:
        self.raw: Any = None
        self.style = Style()

    def of(self, raw: Any) -> Style:
        if raw is not self.raw:
            self.raw, self.style = raw, detect(raw.text)
        return self.style


_styles = _StyleCache()


def locate_fix(fix: Any, raw: Any, pointer: str) -> Any:
    """``fix`` as a :class:`LocatedFix` for the value at ``pointer`` in ``raw``; ``fix`` itself when it cannot be placed."""
    if getattr(raw, "kind", "cms") != "cms":
        return fix  # an article's text is no JSON: fixes are applied to exports only
    try:
        text = raw.text
        region = raw.region(pointer)
        start = region.offset - raw.origin.offset
        literal = text[start : start + region.length]
    except Exception:  # noqa: BLE001 - an article, or a pointer a plugin got wrong: the fix stays unlocated
        return fix
    return LocatedFix(fix, region, start, literal, _styles.of(raw))
