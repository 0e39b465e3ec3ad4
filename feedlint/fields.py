"""Field roles: which fields are plain text, HTML, entity-encoded or dates.

Roles are configuration, not code: rules ask ``record.fields_with_role("plain-text")``
and never name CMS fields themselves.  Patterns are JSON Pointers relative to
the record, where a ``*`` token matches any key or array index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator, Mapping
from urllib.parse import urlsplit

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
    attachments are (read by ``rules/_paths.py``); ``id_scope`` and
    ``site_urls`` say where the identity must be unique (FL601,
    :meth:`scope`).
    """

    patterns: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=lambda: DEFAULT_ROLES)
    id: str = "/content_id"
    profile: str = "cms"
    attachments: Mapping[str, str] = field(default_factory=dict)  # a profile's [attachments] layout; empty: the CMS export's ``attaches``
    id_scope: str = "portal"  # where ``id`` is unique: "portal" (the CMS export's portal_id), "file" or "site" (ID_SCOPES)
    site_urls: tuple[str, ...] = ()  # id_scope "site": pointers to the record's own web addresses, the first present names its site

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
        return FieldRoles(merged, self.id, self.profile, self.attachments, self.id_scope, self.site_urls)

    @property
    def id_name(self) -> str:
        """What people call a record's identity: :func:`id_name` of ``id`` (``content_id``, a WordPress post's ``id``)."""
        return id_name(self.id)

    def identity(self, data: Any) -> Any:
        """The record's identity: the value at ``id`` (``content_id`` by default), or None."""
        if not isinstance(data, dict):
            return None
        member = single_member(self.id)
        if member is not None:
            return data.get(member[0])
        return next((v for _, v in expand(data, self.id)), None)

    def identity_at(self, data: Any) -> str | None:
        """The pointer of the member :meth:`identity` reads (``id`` itself unless it has a wildcard), or None."""
        if not isinstance(data, dict):
            return None
        return next((at for at, _ in expand(data, self.id)), None)

    def scope(self, data: Any, file: str | None) -> str | None:
        """Where the record's identity must be unique (FL601): its site's host, its file, or None (the CMS export: per portal_id).

        ``"site"``: the host (and port) of the first of ``site_urls`` that
        holds a web address -- a WordPress site's posts, pages and media share
        one id space whatever files they were saved to, and two sites differ
        by their address; a record with no address falls back to its file.
        ``"file"``: the file (a Ghost export, a JSON Feed: one site each).
        """
        if self.id_scope == "portal":
            return None
        if self.id_scope == "site" and isinstance(data, dict):
            for pattern in self.site_urls:
                host = next((h for _, v in expand(data, pattern) if (h := _host(v))), None)
                if host:
                    return host
        return file


ID_SCOPES = ("portal", "file", "site")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host(value: Any) -> str | None:
    """The host of an absolute web address, spelt one way per site (with a port if not the scheme's default), else None.

    One site's records may spell its address differently (``EXAMPLE.org``,
    ``example.org.``, ``example.org:443``, ``bücher.example`` beside
    ``xn--bcher-kva.example``): lower case, no trailing dot, the default port
    dropped, an internationalised name as its ASCII form.  An IPv6 literal
    keeps its brackets, so that ``[::1]:8080`` and ``[::1:8080]`` stay two hosts.
    """
    if not isinstance(value, str) or "//" not in value:
        return None
    try:
        parts = urlsplit(value.strip())
        host, port = parts.hostname, parts.port
    except ValueError:  # a malformed port or IPv6 literal: no site to name
        return None
    host = host.rstrip(".") if host else None
    if not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    elif not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:  # not a name IDNA 2003 can write: compared as it is
            pass
    return host if port is None or _DEFAULT_PORTS.get(parts.scheme.lower()) == port else f"{host}:{port}"


_tokens = pointer.tokens
_escape = pointer.escape


@lru_cache(maxsize=1024)
def id_name(pattern: str) -> str:
    """The name a record's identity goes by in messages: the last named step of its pointer (``/content_id``, ``/id``; ``/ids/*`` and ``/ids/0`` -> ``ids``).

    The JSON and SARIF outputs keep the key ``content_id``/``contentId`` for
    every profile (a contract); text names the field as the export does, so
    a WordPress post reads ``[id 5700]``, not ``[content_id 5700]``.
    """
    for token in reversed(pattern.split("/")[1:]):
        if token != "*" and not token.isdigit():
            return pointer.unescape(token)
    return "content_id"


@lru_cache(maxsize=1024)
def single_member(pattern: str) -> tuple[str, str] | None:
    """``(key, pointer)`` for a one-member pattern such as ``/content_body``, else None.

    Worked out once per pattern: a record's identity is read through it three
    times a record (4,300 instructions a call, parsing the pointer; 600 cached).
    """
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
