"""Attachment path templates: parse ``./cache/{portal_id}/attach/{yyyymm}/…`` into a regex.

Shared by the FL5xx attachment rules and FL307 (rendition folder vs last edit).
Parsing every path of a record happens once per record (``record.memo``); the
rules then compare named components and point at them with ``Hit.span``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator

from feedlint.api import Option, SetupError

RENDITION_TEMPLATE = "./cache/{portal_id}/attach/{yyyymm}/{attach_id}_{token}_{width}_{height}.{ext}"
ORIGINAL_TEMPLATE = "./file/{portal_id}/attach/{yyyymm}/{attach_id}_{token}.{ext}"

# What each placeholder may match; anything else in a template is literal text.
PLACEHOLDERS = {
    "portal_id": "[0-9]+",
    "yyyymm": "[0-9]{6}",
    "attach_id": "[0-9]+",
    "token": "[0-9]+",
    "width": "[0-9]+",
    "height": "[0-9]+",
    "ext": "[A-Za-z0-9]+",
}
_FIELD = re.compile(r"\{([a-z_]+)\}")

TEMPLATE_OPTIONS = (
    Option("rendition-template", RENDITION_TEMPLATE, "path template of a rendition (attaches[*].sizes values); placeholders " + ", ".join("{%s}" % p for p in PLACEHOLDERS), type=str),
    Option("original-template", ORIGINAL_TEMPLATE, "path template of the original upload (attaches[*].files.original.url)", type=str),
)


@lru_cache(maxsize=64)
def compile_template(template: str) -> "re.Pattern[str]":
    """A full-match regex with one named group per placeholder (a repeat must equal the first)."""
    parts: list[str] = []
    seen: set[str] = set()
    pos = 0
    for m in _FIELD.finditer(template):
        parts.append(re.escape(template[pos : m.start()]))
        name = m.group(1)
        if name not in PLACEHOLDERS:
            raise SetupError(f"path template {template!r}: unknown placeholder {{{name}}} (known: {', '.join(PLACEHOLDERS)})")
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>{PLACEHOLDERS[name]})")
        seen.add(name)
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    if "{" in template[pos:] or not seen:
        raise SetupError(f"path template {template!r} has no valid {{placeholder}}")
    return re.compile("".join(parts))


@dataclass(frozen=True)
class AttachPath:
    """One path of an attachment: where it is in the record and what it parsed to."""

    pointer: str  # e.g. /attaches/0/sizes/600
    attach_index: int
    role: str  # "rendition" | "original"
    key: str | None  # the size key of a rendition
    value: str
    match: "re.Match[str] | None"
    parts: dict = field(default_factory=dict)  # the named components; empty when the template does not match

    def part(self, name: str) -> str | None:
        return self.parts.get(name)

    def span(self, name: str) -> tuple[int, int] | None:
        return self.match.span(name) if name in self.parts else None  # type: ignore[union-attr]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def attachments(record: Any) -> Iterator[tuple[int, dict]]:
    """``(index, attachment)`` for every attachment object of the record."""
    items = record.get("attaches")
    if isinstance(items, list):
        for i, att in enumerate(items):
            if isinstance(att, dict):
                yield i, att


def original_of(att: dict) -> dict | None:
    files = att.get("files")
    orig = files.get("original") if isinstance(files, dict) else None
    return orig if isinstance(orig, dict) else None


def _parsed(pointer: str, index: int, role: str, key: str | None, value: str, regex: "re.Pattern[str]") -> AttachPath:
    m = regex.fullmatch(value)
    return AttachPath(pointer, index, role, key, value, m, m.groupdict() if m else {})


def attach_paths(record: Any, options: Any) -> list[AttachPath]:
    """Every string path of every attachment, parsed against the templates (memoised per record)."""
    rt, ot = options["rendition-template"], options["original-template"]

    def compute() -> list[AttachPath]:
        r_re, o_re = compile_template(rt), compile_template(ot)
        out: list[AttachPath] = []
        for i, att in attachments(record):
            sizes = att.get("sizes")
            if isinstance(sizes, dict):
                for key, value in sizes.items():
                    if isinstance(value, str):
                        out.append(_parsed(f"/attaches/{i}/sizes/{_escape(key)}", i, "rendition", key, value, r_re))
            orig = original_of(att)
            if orig is not None and isinstance(orig.get("url"), str):
                url = orig["url"]
                out.append(_parsed(f"/attaches/{i}/files/original/url", i, "original", None, url, o_re))
        return out

    return record.memo(f"attach-paths\x1f{rt}\x1f{ot}", compute)

