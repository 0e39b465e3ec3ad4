"""Attachment path templates: parse ``./cache/{portal_id}/attach/{yyyymm}/…`` into a regex.

Shared by the FL5xx attachment rules and FL307 (rendition folder vs last edit).
Parsing every path of a record happens once per record (``record.memo``) into
an :class:`AttachIndex` of per-attachment groups; the rules then compare named
components and point at them with ``Hit.span``.  This runs on every record of
exports with millions of them, hence the slotted classes and lazy pointers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

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


class AttachPath:
    """One path of an attachment: where it is in the record and what it parsed to.

    Read-only by convention.  Slotted, and its JSON Pointer is spelled out
    only when asked for: a record has a handful of paths and almost never a
    finding, so building pointers (or frozen dataclasses) up front is waste.
    """

    __slots__ = ("attach_index", "key", "value", "match", "parts")

    def __init__(self, attach_index: int, key: str | None, value: str, regex: "re.Pattern[str]") -> None:
        self.attach_index = attach_index
        self.key = key  # the size key of a rendition; None for the original
        self.value = value
        self.match = m = regex.fullmatch(value)
        self.parts: dict[str, str] = m.groupdict() if m else {}  # empty when the template does not match

    @property
    def role(self) -> str:
        return "original" if self.key is None else "rendition"

    @property
    def pointer(self) -> str:
        """e.g. ``/attaches/0/sizes/600`` or ``/attaches/0/files/original/url``."""
        return path_pointer(self.attach_index, self.key)

    def part(self, name: str) -> str | None:
        return self.parts.get(name)

    def span(self, name: str) -> tuple[int, int] | None:
        return self.match.span(name) if name in self.parts else None  # type: ignore[union-attr]


class AttachGroup:
    """One attachment with its parsed paths: ``paths`` holds the renditions in key order, then the original."""

    __slots__ = ("index", "att", "paths", "renditions", "original", "dimensions")

    def __init__(self, index: int, att: dict, orig: dict | None) -> None:
        self.index = index
        self.att = att
        self.paths: list[AttachPath] = []
        self.renditions: list[AttachPath] = []
        self.original: AttachPath | None = None
        self.dimensions = _dimensions(orig)  # the original's (width, height) when both are positive

    def distinct(self, name: str) -> set[str]:
        """The different values component ``name`` takes across this attachment's parsed paths."""
        found = {ap.parts.get(name) for ap in self.paths}
        found.discard(None)
        return found  # type: ignore[return-value]


class AttachIndex:
    """A record's attachment paths parsed against the templates: one per record, shared by FL307 and FL5xx."""

    __slots__ = ("groups", "paths")

    def __init__(self, groups: list[AttachGroup], paths: list[AttachPath]) -> None:
        self.groups = groups  # attachments with at least one string path, in order
        self.paths = paths  # all their paths, group after group

    def distinct(self, name: str) -> set[str]:
        """The different values component ``name`` takes across all the record's parsed paths."""
        found = {ap.parts.get(name) for ap in self.paths}
        found.discard(None)
        return found  # type: ignore[return-value]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def path_pointer(attach_index: int, key: str | None) -> str:
    """The pointer of a rendition (its size ``key``) or, for ``key`` None, of the original's URL."""
    if key is None:
        return f"/attaches/{attach_index}/files/original/url"
    return f"/attaches/{attach_index}/sizes/{_escape(key)}"


def as_int(value: Any) -> int | None:
    """``value`` when it is an int (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dimensions(orig: dict | None) -> tuple[int, int] | None:
    if orig is None:
        return None
    w, h = as_int(orig.get("width")), as_int(orig.get("height"))
    return (w, h) if w and h and w > 0 and h > 0 else None


def attachments(record: Any) -> list[tuple[int, dict, dict | None]]:
    """``(index, attachment, its files.original or None)`` for every attachment object (listed once per record)."""
    return record.memo("fl5:attachments", lambda: _attachments(record.get("attaches")))


def _attachments(items: Any) -> list[tuple[int, dict, dict | None]]:
    if not isinstance(items, list):
        return []
    return [(i, att, original_of(att)) for i, att in enumerate(items) if isinstance(att, dict)]


def original_of(att: dict) -> dict | None:
    files = att.get("files")
    orig = files.get("original") if isinstance(files, dict) else None
    return orig if isinstance(orig, dict) else None


def path_values(record: Any) -> list[tuple[int, str | None, str]]:
    """``(attach index, size key or None for the original, path)`` for every string path (listed once per record)."""
    return record.memo("fl5:path-values", lambda: _path_values(attachments(record)))


def _path_values(atts: list[tuple[int, dict, dict | None]]) -> list[tuple[int, str | None, str]]:
    out: list[tuple[int, str | None, str]] = []
    for i, att, orig in atts:
        sizes = att.get("sizes")
        if isinstance(sizes, dict):
            out += [(i, key, value) for key, value in sizes.items() if isinstance(value, str)]
        if orig is not None and isinstance(orig.get("url"), str):
            out.append((i, None, orig["url"]))
    return out


def attach_index(record: Any, options: Any) -> AttachIndex:
    """Every string path of every attachment, parsed against the templates (memoised per record)."""
    rt, ot = options["rendition-template"], options["original-template"]
    return record.memo(f"fl5:paths\x1f{rt}\x1f{ot}", lambda: _index(record, compile_template(rt), compile_template(ot)))


def _index(record: Any, rendition: "re.Pattern[str]", original: "re.Pattern[str]") -> AttachIndex:
    atts = {i: (att, orig) for i, att, orig in attachments(record)}
    groups: list[AttachGroup] = []
    paths: list[AttachPath] = []
    group = None
    for i, key, value in path_values(record):  # an attachment's paths are listed together
        if group is None or group.index != i:
            group = AttachGroup(i, *atts[i])
            groups.append(group)
        ap = AttachPath(i, key, value, original if key is None else rendition)
        paths.append(ap)
        group.paths.append(ap)
        if key is None:
            group.original = ap
        else:
            group.renditions.append(ap)
    return AttachIndex(groups, paths)
