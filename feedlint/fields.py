"""Field roles: which fields are plain text, HTML, entity-encoded or dates.

Roles are configuration, not code: rules ask ``record.fields_with_role("plain-text")``
and never name CMS fields themselves.  Patterns are JSON Pointers relative to
the record, where a ``*`` token matches any key or array index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator, Mapping

from . import pointer

ROLES = ("plain-text", "html", "entity-encoded", "dates")

DEFAULT_ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    "cms": {
        "plain-text": (
            "/content_title",
            "/content_short_title",
            "/content_rtitr",
            "/content_summary",
            "/content_body",
            "/attach_title",
        ),
        "html": ("/content_html",),
        "entity-encoded": (),
        "dates": (
            "/content_date_start",
            "/content_date_event",
            "/content_date_event_start",
            "/content_date_event_end",
            "/content_date_last_edit",
            "/content_date_register",
            "/score_date_last",
        ),
    },
    "article": {
        "plain-text": ("/section", "/title", "/paragraphs/*", "/trailer/*"),
        "html": (),
        "entity-encoded": (),
        "dates": (),
    },
}


@dataclass(frozen=True)
class FieldRoles:
    """Resolved role patterns for each record kind (defaults overlaid with config), and the record identity.

    ``id`` is the pointer of the field shown as ``content_id`` (fingerprints,
    suppressions, baselines); ``profile`` names the profile these roles
    come from (see :mod:`feedlint.profile`); ``attachments`` is where its
    attachments are (read by ``rules/_paths.py``).
    """

    patterns: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=lambda: DEFAULT_ROLES)
    id: str = "/content_id"
    profile: str = "cms"
    attachments: Mapping[str, str] = field(default_factory=dict)  # a profile's [attachments] layout; empty: the CMS export's ``attaches``

    def for_kind(self, kind: str, role: str) -> tuple[str, ...]:
        return tuple(self.patterns.get(kind, {}).get(role, ()))

    @classmethod
    def from_config(cls, overrides: Mapping[str, Mapping[str, list[str]]] | None) -> "FieldRoles":
        return cls().overlaid(overrides)

    def overlaid(self, overrides: Mapping[str, Mapping[str, list[str]]] | None) -> "FieldRoles":
        """These roles with config ``[fields.KIND]`` lists replacing the ones they name."""
        merged = {kind: dict(roles) for kind, roles in self.patterns.items()}
        for kind, roles in (overrides or {}).items():
            for role, pats in roles.items():
                merged.setdefault(kind, {})[role] = tuple(pats)
        return FieldRoles(merged, self.id, self.profile, self.attachments)

    def identity(self, data: Any) -> Any:
        """The record's identity: the value at ``id`` (``content_id`` by default), or None."""
        if not isinstance(data, dict):
            return None
        member = single_member(self.id)
        if member is not None:
            return data.get(member[0])
        return next((v for _, v in expand(data, self.id)), None)


_tokens = pointer.tokens
_escape = pointer.escape


@lru_cache(maxsize=1024)
def single_member(pattern: str) -> tuple[str, str] | None:
    """``(key, pointer)`` for a one-member pattern such as ``/content_body``, else None."""
    tokens = _tokens(pattern)
    return (tokens[0], "/" + _escape(tokens[0])) if len(tokens) == 1 and tokens[0] != "*" else None


def expand(data: Any, pattern: str) -> Iterator[tuple[str, Any]]:
    """Yield ``(pointer, value)`` for every existing location matching ``pattern``."""
    member = single_member(pattern)
    if member is not None and isinstance(data, dict):  # the usual "/content_body": no walk
        if member[0] in data:
            yield member[1], data[member[0]]
        return
    tokens = _tokens(pattern)

    def walk(node: Any, i: int, ptr: str) -> Iterator[tuple[str, Any]]:
        if i == len(tokens):
            yield ptr, node
            return
        tok = tokens[i]
        if isinstance(node, dict):
            keys = node.keys() if tok == "*" else ([tok] if tok in node else [])
            for k in keys:
                yield from walk(node[k], i + 1, f"{ptr}/{_escape(k)}")
        elif isinstance(node, list):
            if tok == "*":
                idx = range(len(node))
            elif tok.isdigit() and int(tok) < len(node):
                idx = [int(tok)]
            else:
                idx = []
            for j in idx:
                yield from walk(node[j], i + 1, f"{ptr}/{j}")

    yield from walk(data, 0, "")
