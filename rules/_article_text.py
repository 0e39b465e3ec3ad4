"""Helpers shared by the FL7xx rules: walk an article's lines, compile user patterns once.

An article record's values are verbatim lines joined with ``"\\n"``, so the
offset of a line inside its value is all a rule needs for an exact span.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator, Sequence

from feedlint.api import SetupError


def body_elements(record: Any, trailer: bool = True) -> Iterator[tuple[str, str]]:
    """``(pointer, value)`` of every paragraph, then every trailer line."""
    for k, value in enumerate(record.get("paragraphs") or []):
        if isinstance(value, str):
            yield f"/paragraphs/{k}", value
    if trailer:
        for k, value in enumerate(record.get("trailer") or []):
            if isinstance(value, str):
                yield f"/trailer/{k}", value


def lines_with_offsets(value: str) -> Iterator[tuple[int, str]]:
    """``(offset, line)`` for each line of a value (its lines are joined with ``\\n``)."""
    offset = 0
    for line in value.split("\n"):
        yield offset, line
        offset += len(line) + 1


def body_lines(record: Any, trailer: bool = True) -> Iterator[tuple[str, int, str]]:
    """``(pointer, offset in value, line)`` for every line of the body and trailer."""
    for pointer, value in body_elements(record, trailer):
        for offset, line in lines_with_offsets(value):
            yield pointer, offset, line


def stripped_span(line: str, offset: int) -> tuple[int, int]:
    """Span of ``line`` without its surrounding whitespace, relative to the value."""
    lead = len(line) - len(line.lstrip())
    return offset + lead, offset + len(line.rstrip())


def line_number(record: Any, pointer: str) -> int | None:
    numbers = record.get("line_numbers") or {}
    return numbers.get(pointer)


@lru_cache(maxsize=64)
def compile_patterns(patterns: Sequence[str], option: str) -> tuple[re.Pattern[str], ...]:
    """Case-insensitive regexes from an option; a bad one stops the run once (SetupError)."""
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p, re.IGNORECASE))
        except re.error as exc:
            raise SetupError(f"option {option!r}: invalid regular expression {p!r}: {exc}") from None
    return tuple(out)


def short(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
