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

from feedlint import pointer as _jp
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
    "yyyy": "[0-9]{4}",  # {yyyy}/{mm}: a month folder written in two parts (WordPress, Ghost); read as {yyyymm}
    "mm": "[0-9]{2}",
    "name": "[^/]+?",  # a file name stem; WordPress's dedupe digits (name-1) are part of it
    "base": ".*?",  # any prefix: scheme, host, a site path, Ghost's __GHOST_URL__
}
_FIELD = re.compile(r"\{([a-z_]+)\}")

# Size keys whose renditions are hard crops to a box [width, height] (WordPress: thumbnail = [150, 150]):
# a rendition no larger than its box whose aspect differs from the original's is a crop, not a distortion.
CROPPED_SIZES = Option("cropped-sizes", {}, "size key -> [width, height] of a hard crop: such a rendition within the box may have another aspect than the original", type=dict)

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


def rebuilt_path(ap: "AttachPath", options: Any, name: str, value: str) -> str | None:
    """``ap``'s path written anew from its template with ``name`` set to ``value`` (FL502-FL505's fixes).

    Every other placeholder keeps what the path has (so the template
    reproduces the path exactly before the change; None if it does not, or the
    path does not follow its template).  ``yyyymm`` fills ``{yyyy}`` and
    ``{mm}`` when the template writes the month folder in two parts.
    """
    if ap.match is None:
        return None
    template = options["rendition-template" if ap.role == "rendition" else "original-template"]
    parts = {k: v for k, v in ap.match.groupdict().items() if v is not None}
    if _FIELD.sub(lambda t: parts.get(t.group(1), "\0"), template) != ap.value:
        return None
    if name == "yyyymm" and "yyyymm" not in parts:
        parts["yyyy"], parts["mm"] = value[:4], value[4:]
    else:
        parts[name] = value
    rebuilt = _FIELD.sub(lambda t: parts[t.group(1)], template)
    return rebuilt if rebuilt != ap.value and ap.match.re.fullmatch(rebuilt) else None


class AttachPath:
    """One path of an attachment: where it is in the record and what it parsed to.

    Read-only by convention.  Slotted, and its JSON Pointer is spelled out
    only when asked for: a record has a handful of paths and almost never a
    finding, so building pointers (or frozen dataclasses) up front is waste.
    """

    __slots__ = ("attach_index", "key", "value", "match", "parts", "places")

    def __init__(self, attach_index: int, key: str | None, value: str, regex: "re.Pattern[str]", places: dict | None = None) -> None:
        self.attach_index = attach_index
        self.places = places  # pointers of a profile's attachment layout (see place_pointers); None: the CMS export's
        self.key = key  # the size key of a rendition; None for the original
        self.value = value
        self.match = m = regex.fullmatch(value)
        self.parts: dict[str, str] = with_month(m.groupdict()) if m else {}  # empty when the template does not match

    @property
    def role(self) -> str:
        return "original" if self.key is None else "rendition"

    @property
    def pointer(self) -> str:
        """e.g. ``/attaches/0/sizes/600`` or ``/attaches/0/files/original/url`` (``/media_details/sizes/medium/source_url`` in WordPress media)."""
        if self.places is not None:
            return self.places[self.key]
        return path_pointer(self.attach_index, self.key)

    def part(self, name: str) -> str | None:
        return self.parts.get(name)

    def span(self, name: str) -> tuple[int, int] | None:
        if name not in self.parts:
            return None
        m = self.match
        if name == "yyyymm" and "yyyymm" not in m.re.groupindex:  # type: ignore[union-attr]
            return m.start("yyyy"), m.end("mm")  # type: ignore[union-attr]
        return m.span(name)  # type: ignore[union-attr]


class AttachGroup:
    """One attachment and its string paths: the renditions in key order, then the original.

    What the rules compare is kept as columns: ``columns[name]`` holds
    component ``name`` of every rendition (in ``keys`` order) when every path
    of the attachment follows its template (``regular``, the usual), and
    ``original_parts`` the original's components.  The per-path
    :class:`AttachPath` objects (``paths``, ``renditions``, ``original``) are
    built only when asked for: by a rule that has something to report, or
    for an attachment with a path off its template.
    """

    __slots__ = ("index", "att", "dimensions", "keys", "values", "url", "regular", "columns", "original_parts", "_templates", "_paths")

    def __init__(self, index: int, att: dict, orig: dict | None, keys: tuple, values: tuple, url: str | None, rendition: "re.Pattern[str]", original: "re.Pattern[str]", kept: bool = False) -> None:
        self.index = index
        self.att = att
        self.dimensions = _dimensions(orig)  # the original's (width, height) when both are positive
        self.keys = keys  # size keys of the renditions with a string path
        self.values = values  # their paths
        self.url = url  # the original's URL when it is a string
        self._templates = (rendition, original)
        self._paths: tuple | None = None
        # kept: shared by the records whose attachment has these very paths (one image in many records): read-only, as every rule treats them
        parse = parsed_paths if kept else _parse_paths
        self.original_parts, self.regular, self.columns = parse(rendition, original, values, url)

    def _build(self) -> tuple:
        places = self.att.get(PLACES)
        renditions = [self._new_path(k, places) for k in range(len(self.keys))]
        orig = self._new_path(len(self.keys), places) if self.url is not None else None
        self._paths = (renditions + [orig] if orig is not None else renditions, renditions, orig)
        return self._paths

    def _new_path(self, k: int, places: Any) -> AttachPath:
        """Path ``k`` in :attr:`paths` order (the renditions in key order, then the original), parsed against its template."""
        rendition, original = self._templates
        if k < len(self.keys):
            return AttachPath(self.index, self.keys[k], self.values[k], rendition, places)
        return AttachPath(self.index, None, self.url, original, places)  # type: ignore[arg-type]  # k == len(keys): the original, which has a URL

    @property
    def paths(self) -> list[AttachPath]:
        return (self._paths or self._build())[0]

    @property
    def renditions(self) -> list[AttachPath]:
        return (self._paths or self._build())[1]

    @property
    def original(self) -> AttachPath | None:
        return (self._paths or self._build())[2]

    def part_column(self, name: str) -> list[str | None]:
        """Component ``name`` of each path in :attr:`paths` order (None where a path lacks it).

        A regular group reads it from its columns: a rule that reports one
        path of an attachment (FL307) then builds that path alone
        (:meth:`path`) instead of parsing all of them again.
        """
        if not self.regular:
            return [ap.parts.get(name) for ap in self.paths]
        column: list[str | None] = list(self.columns.get(name, (None,) * len(self.values)))
        if self.url is not None:
            column.append(self.original_parts.get(name))
        return column

    def path(self, k: int) -> AttachPath:
        """``paths[k]``, built alone when the paths are not built yet (it equals the one :attr:`paths` would hold)."""
        if self._paths is not None:
            return self._paths[0][k]
        return self._new_path(k, self.att.get(PLACES))

    def only(self, name: str, value: str) -> bool:
        """Component ``name`` is ``value`` in every parsed path that has it (``distinct(name) <= {value}``, counted in C for the usual attachment)."""
        if not self.regular:
            return self.distinct(name) <= {value}
        column = self.columns.get(name, ())
        return column.count(value) == len(column) and self.original_parts.get(name, value) == value

    def distinct(self, name: str) -> set[str]:
        """The different values component ``name`` takes across this attachment's parsed paths."""
        if not self.regular:
            found = {ap.parts.get(name) for ap in self.paths}
            found.discard(None)
            return found  # type: ignore[return-value]
        found = set(self.columns.get(name, ()))
        value = self.original_parts.get(name)
        if value is not None:
            found.add(value)
        return found


def _parse_paths(rendition: "re.Pattern[str]", original: "re.Pattern[str]", values: tuple, url: str | None) -> tuple[dict[str, str], bool, dict[str, tuple]]:
    """An attachment's paths against the templates: ``(original_parts, regular, columns)`` of :class:`AttachGroup` (a function of these arguments alone)."""
    om = original.fullmatch(url) if url is not None else None
    original_parts: dict[str, str] = with_month(om.groupdict()) if om else {}
    rows = _matched_rows(rendition, values)
    regular = rows is not None and (url is None or om is not None)
    # every group of a template regex takes part in a match: no None in a column
    columns: dict[str, tuple] = with_month_column(dict(zip(group_names(rendition), zip(*rows)))) if regular else {}  # type: ignore[arg-type]
    return original_parts, regular, columns


@lru_cache(maxsize=256)
def parsed_paths(rendition: "re.Pattern[str]", original: "re.Pattern[str]", values: tuple, url: str | None) -> tuple[dict[str, str], bool, dict[str, tuple]]:
    """:func:`_parse_paths`, kept across records for the 256 attachments' paths asked for last: a placeholder image shared by many records is parsed once.

    What it gives is shared by every record with those paths: read-only, as
    every rule treats an :class:`AttachGroup`'s parts (tests/test_speed_attach_reference.py).
    """
    return _parse_paths(rendition, original, values, url)


def with_month(parts: dict[str, str]) -> dict[str, str]:
    """``parts`` with ``yyyymm`` made of ``yyyy`` and ``mm`` when the template writes the month folder in two parts."""
    if "yyyy" in parts and "mm" in parts and "yyyymm" not in parts:
        parts["yyyymm"] = parts["yyyy"] + parts["mm"]
    return parts


def with_month_column(columns: dict[str, tuple]) -> dict[str, tuple]:
    """:func:`with_month` for a group's columns."""
    if "yyyy" in columns and "mm" in columns and "yyyymm" not in columns:
        columns["yyyymm"] = tuple(y + m for y, m in zip(columns["yyyy"], columns["mm"]))
    return columns


class AttachIndex:
    """A record's attachment paths parsed against the templates: one per record, shared by FL307 and FL5xx."""

    __slots__ = ("groups", "_paths", "_months")

    def __init__(self, groups: list[AttachGroup]) -> None:
        self.groups = groups  # attachments with at least one string path, in order
        self._paths: list[AttachPath] | None = None
        self._months: list[str] | None = None

    @property
    def paths(self) -> list[AttachPath]:
        """All the record's paths, group after group (built when first asked for)."""
        if self._paths is None:
            self._paths = [ap for g in self.groups for ap in g.paths]
        return self._paths

    def distinct(self, name: str) -> set[str]:
        """The different values component ``name`` takes across all the record's parsed paths."""
        found: set[str] = set()
        for g in self.groups:
            found |= g.distinct(name)
        return found

    @property
    def months(self) -> list[str]:
        """The different month folders (``yyyymm``) of the record's paths that are months (year 1 or later, month 01-12), in ascending order.

        Worked out once per record for FL307 and FL308, which compare each with
        a date (a folder is six ASCII digits, the ``[0-9]`` of its placeholders,
        so the string order is the months' order).
        """
        if self._months is None:
            self._months = sorted(f for f in self.distinct("yyyymm") if month_number(f) is not None)
        return self._months


def month_index(year: int, month: int) -> int:
    """Months in order, a number apart: ``year * 12 + month - 1`` (a folder's, a date's)."""
    return year * 12 + month - 1


def month_number(folder: str) -> int | None:
    """:func:`month_index` of a ``YYYYMM`` month folder; None when it is not a month (year 1 or later, month 01-12)."""
    year, month = int(folder[:4]), int(folder[4:])
    return month_index(year, month) if year >= 1 and 1 <= month <= 12 else None


def _matched_rows(regex: "re.Pattern[str]", values: tuple) -> list[tuple] | None:
    """Each value's groups when every value fully matches ``regex``, else None.

    One ``findall`` over the values joined by newlines instead of a
    ``fullmatch`` per value, when no match can hold a newline (no negated
    class, no ``\\s``-like escape: every template without ``{name}``): a
    match anchored to a line's start and end is then that line's full match,
    and each line gives at most one, so there are as many matches as values
    exactly when every value matches.  Values with a newline, or templates
    that may match one, are matched one by one.
    """
    lines = _by_line(regex)
    joined = "\n".join(values)
    if lines is None or joined.count("\n") != len(values) - 1:
        matches = [regex.fullmatch(v) for v in values]
        return None if None in matches else [m.groups() for m in matches]  # type: ignore[union-attr]
    rows = lines.findall(joined)
    if len(rows) != len(values):
        return None
    return [(row,) for row in rows] if regex.groups == 1 else rows


# pattern text after which a regex may match a line feed: a negated class, a class escape of white space or of non-digits/-words
_MAY_MATCH_NEWLINE = re.compile(r"\[\^|\\[DWSs]")


@lru_cache(maxsize=64)
def _by_line(regex: "re.Pattern[str]") -> "re.Pattern[str] | None":
    """``regex`` anchored to a line (see :func:`_matched_rows`); None when a match could hold a newline."""
    if "\n" in regex.pattern or regex.flags & ~re.UNICODE or _MAY_MATCH_NEWLINE.search(regex.pattern):
        return None
    return re.compile(f"(?m)^(?:{regex.pattern})$")


@lru_cache(maxsize=64)
def group_names(regex: "re.Pattern[str]") -> tuple[str, ...]:
    """The names of a template regex's groups in group order (the order of ``Match.groups()``)."""
    return tuple(sorted(regex.groupindex, key=regex.groupindex.__getitem__))


_escape = _jp.escape


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
    """``(index, attachment, its files.original or None)`` for every attachment object (listed once per record).

    A profile with an ``[attachments]`` layout (WordPress media, a Ghost
    feature image) has its attachments seen in the CMS export's shape
    (``sizes`` key -> path, ``files.original``), each carrying the pointers of
    its values in the record under :data:`PLACES`.
    """
    layout = getattr(record.roles, "attachments", None)
    if layout:
        return record.memo("fl5:attachments", lambda: _laid_out(record.data, layout))
    return record.memo("fl5:attachments", lambda: _attachments(record.get("attaches")))


PLACES = "\0places"  # key of a laid-out attachment's pointers: size key (None: the original's URL) or "#width"… -> pointer

_ORIGINAL_FIELDS = {"url": "original-url", "width": "original-width", "height": "original-height", "size": "original-size"}


def _at(node: Any, pointer: str) -> Any:
    """The value at ``pointer`` (no wildcards) under ``node``, or None."""
    if not pointer:
        return node
    for token in pointer.split("/")[1:]:
        token = _jp.unescape(token)
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _laid_out(data: Any, layout: Any) -> list[tuple[int, dict, dict | None]]:
    """The attachments a profile's ``[attachments]`` layout finds, in the CMS export's shape (see :func:`attachments`)."""
    from feedlint.fields import expand

    items = layout.get("items", "")
    found = [("", data)] if not items else list(expand(data, items))
    skip = layout.get("original-rendition")
    out = []
    for i, (base, item) in enumerate(found):
        if not isinstance(item, dict):
            continue
        places: dict[Any, str] = {}
        sizes: dict[str, Any] = {}
        where = layout.get("renditions")
        renditions = _at(item, where) if where else None
        if isinstance(renditions, dict):
            url_at = layout.get("rendition-url", "")
            for key, value in renditions.items():
                if key == skip:
                    continue
                sizes[key] = _at(value, url_at)
                places[key] = f"{base}{where}/{_escape(key)}{url_at}"
        original: dict[str, Any] = {}
        for name, key in _ORIGINAL_FIELDS.items():
            pointer = layout.get(key)
            if isinstance(pointer, list):  # a field renamed between versions: the first one the item has
                pointer = next((p for p in pointer if _at(item, p) is not None), pointer[0])
            if pointer:
                original[name] = _at(item, pointer)
                places[None if name == "url" else "#" + name] = base + pointer
        att = {"sizes": sizes, "files": {"original": original}, "file_media": 1 if as_int(original.get("width")) is not None else None, PLACES: places}  # an image: it has a pixel width
        out.append((i, att, original))
    return out


def original_pointer(record: Any, index: int, name: str) -> str:
    """The pointer of the original's ``name`` (url, width, height, size) of attachment ``index``."""
    for i, att, _ in attachments(record):
        if i == index and PLACES in att:
            return att[PLACES]["#" + name if name != "url" else None]
    return f"/attaches/{index}/files/original/{name}"


def _attachments(items: Any) -> list[tuple[int, dict, dict | None]]:
    if not isinstance(items, list):
        return []
    return [(i, att, original_of(att)) for i, att in enumerate(items) if isinstance(att, dict)]


def original_of(att: dict) -> dict | None:
    files = att.get("files")
    orig = files.get("original") if isinstance(files, dict) else None
    return orig if isinstance(orig, dict) else None


def path_values(record: Any) -> list[tuple[str, str]]:
    """``(pointer, path)`` for every string path (listed once per record)."""
    return record.memo("fl5:path-values", lambda: _path_values(attachments(record)))


def _path_values(atts: list[tuple[int, dict, dict | None]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i, att, orig in atts:
        places = att.get(PLACES)
        sizes = att.get("sizes")
        if isinstance(sizes, dict):
            out += [(places[key] if places else path_pointer(i, key), value) for key, value in sizes.items() if isinstance(value, str)]
        if orig is not None and isinstance(orig.get("url"), str):
            out.append((places[None] if places else path_pointer(i, None), orig["url"]))
    return out


def attach_index(record: Any, options: Any) -> AttachIndex:
    """Every string path of every attachment, parsed against the templates (memoised per record and templates).

    The record's indexes are kept in one table under a fixed key, by
    templates: eleven rules ask a record for it, and a key string and a
    closure made per call cost twice the lookup (about 6,000 instructions a
    call against 3,500).
    """
    rt, ot = options["rendition-template"], options["original-template"]
    indexes = record.memo("fl5:paths", dict)
    found = indexes.get((rt, ot))
    if found is None:
        found = indexes[rt, ot] = _index(record, compile_template(rt), compile_template(ot))
    return found


def attachment_paths(record: Any) -> list[tuple[int, dict, dict | None, tuple, tuple, str | None]]:
    """``(index, attachment, files.original, size keys, their paths, original URL)`` for every attachment with a string path.

    Listed once per record: the parsed index (per template) and FL510 (which
    needs no template) both start from it.  ``keys``/``paths`` keep the sizes'
    order and only their string values; the URL is None unless a string.
    """
    return record.memo("fl5:attachment-paths", lambda: _attachment_paths(attachments(record)))


def _attachment_paths(atts: list[tuple[int, dict, dict | None]]) -> list[tuple[int, dict, dict | None, tuple, tuple, str | None]]:
    out = []
    for i, att, orig in atts:
        sizes = att.get("sizes")
        keys: tuple = ()
        values: tuple = ()
        if isinstance(sizes, dict) and sizes:
            values = tuple(sizes.values())
            if all(type(v) is str for v in values):  # the usual: every size a path
                keys = tuple(sizes)
            else:
                pairs = [(k, v) for k, v in sizes.items() if isinstance(v, str)]
                keys, values = tuple(k for k, _ in pairs), tuple(v for _, v in pairs)
        url = orig.get("url") if orig is not None else None
        if not isinstance(url, str):
            url = None
        if values or url is not None:
            out.append((i, att, orig, keys, values, url))
    return out


def _index(record: Any, rendition: "re.Pattern[str]", original: "re.Pattern[str]") -> AttachIndex:
    return AttachIndex([AttachGroup(*entry, rendition, original, kept=True) for entry in attachment_paths(record)])
