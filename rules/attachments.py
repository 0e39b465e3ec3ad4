"""FL5xx: attachment paths — template, token, ids, sizes, extensions, safety, files on disk.

Every rendition path (``attaches[*].sizes``) and the original's URL
(``attaches[*].files.original.url``) is parsed once per record against the
path templates (options ``rendition-template`` / ``original-template``); the
rules compare the parsed components with the attachment's own fields and point
at the wrong component inside the path (the token digits, the width…).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterator

from feedlint.api import Fix, Hit, Option, SetupError, bad, good, rule

from ._datetimes import hours_tolerance, valid_date
from .dates import FORMAT, LAST_EDIT, REGISTER, START  # the date family's field options, shared
from ._excerpt import quoted
from ._media import Resolution, media_root, resolve
from ._paths import CROPPED_SIZES, TEMPLATE_OPTIONS, AttachGroup, AttachPath, as_int, attach_index, attachment_paths, attachments, compile_template, month_index, month_number, original_pointer, path_values, rebuilt_path

IMAGE_KINDS = Option("image-kinds", [1], "file_media values that are images (only these have pixel sizes)")
ALLOWED_EXT = ["webp", "jpg", "jpeg", "png", "gif", "avif"]
MEDIA_ROOT = Option("media-root", "", "directory the paths are resolved against (also --media-root / config media-root); empty: not checked", type=str)

# Always-unsafe markers: never part of a well-formed relative path.
_DOTDOT = re.compile(r"(?:^|[/\\])(\.\.)(?=[/\\]|$)")
_ENCODED = re.compile(r"%(?:2e|2f|5c|00)", re.I)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# Every unsafe marker above needs one of these: a clean path is cleared by one search.
_SUSPECT = re.compile(r"\.\.|[\\%:\x00-\x1f\x7f]|^/")
# Printable ASCII but the suspect characters: deleting these bytes from a clean path leaves nothing.
_PLAIN = bytes(c for c in range(0x20, 0x7F) if chr(c) not in "\\%:")


def _traversal(value: str) -> tuple[str, tuple[int, int]] | None:
    """The first always-unsafe marker: a ``..`` segment, a backslash, an encoded separator, a control character."""
    m = _DOTDOT.search(value)
    if m:
        return "a '..' segment climbs out of the media folder", m.span(1)
    i = value.find("\\")
    if i >= 0:
        return "a backslash (a Windows separator that some servers treat as '/')", (i, i + 1)
    m = _ENCODED.search(value)
    if m:
        return f"a percent-encoded {quoted(m.group(0))} (an encoded '.', '/', '\\' or NUL hides traversal)", m.span()
    m = _CONTROL.search(value)
    if m:
        return f"a control character U+{ord(m.group(0)):04X}", m.span()
    return None


def _unsafe(value: str, options: Any) -> tuple[str, tuple[int, int]] | None:
    found = _traversal(value)
    if found:
        return found
    m = _SCHEME.match(value)
    if m:
        scheme = m.group(1)
        if len(scheme) == 1:
            return "a drive letter (an absolute Windows path)", m.span()
        if scheme.lower() not in [s.lower() for s in options["allow-schemes"]]:
            return f"a URL scheme {quoted(scheme + ':')}", m.span()
        return None
    if value.startswith("/") and not options["allow-absolute"]:
        if value.startswith("//"):
            return "a protocol-relative URL ('//host/…')", (0, 2)
        return "an absolute path", (0, 1)
    return None


def _reference(paths: list[AttachPath], part: str) -> str | None:
    """The value every path of one attachment should share: the original's, else the majority's."""
    for ap in paths:
        if ap.role == "original" and ap.part(part) is not None:
            return ap.part(part)
    counts = Counter(ap.part(part) for ap in paths if ap.part(part) is not None)
    return counts.most_common(1)[0][0] if counts else None


def _against_reference(group: AttachGroup, part: str) -> Iterator[tuple[AttachPath, str, str | None]]:
    """``(path, its part, the attachment's reference)`` for each path where ``part`` was parsed (FL503/FL504 path by path)."""
    ref = _reference(group.paths, part)
    for ap in group.paths:
        got = ap.part(part)
        if got is not None:
            yield ap, got, ref


def _differing(group: AttachGroup, part: str, want: str) -> Iterator[tuple[AttachPath, str]]:
    """``(path, its part)`` for each path whose parsed ``part`` is not ``want`` (FL502/FL505)."""
    if group.only(part, want):
        return  # every parsed path has it (the usual): no per-path look
    for ap in group.paths:
        got = ap.parts.get(part)
        if got is not None and got != want:
            yield ap, got


def _where(ap: AttachPath) -> str:
    return f"rendition {ap.key}" if ap.role == "rendition" else "original"


def _path_fix(ap: AttachPath, options: Any, part: str, want: str, got: str, whose: str) -> Fix | None:
    """FL502-FL505's unsafe fix: the path rebuilt from its template with the attachment's ``part``.

    Unsafe: the export may name the file where it really is and the field
    be the wrong side; the file should be checked at the new path.
    """
    rebuilt = rebuilt_path(ap, options, part, want)
    if rebuilt is None:
        return None
    label = {"attach_id": "attach id", "yyyymm": "folder", "portal_id": "portal", "token": "token"}[part]
    return Fix(rebuilt, f"rebuilt the {_where(ap)} path from its template with {whose} {label} {want} (was {got}); check that the file is there", "unsafe")


_P = "./cache/3/attach/202605/880001_2718281828_"
SIZES = {"150": _P + "150_84.webp", "300": _P + "300_168.webp", "600": _P + "600_336.webp", "1200": _P + "1000_560.jpg"}


def _att(sizes: dict | None = None, **original: Any) -> dict:
    """A complete attachment for the examples (a list in a partial record replaces the base's)."""
    orig = {"url": "./file/3/attach/202605/880001_2718281828.jpg", "width": 1000, "height": 560, "size": 61874}
    orig.update(original)
    return {"sizes": {**SIZES, **(sizes or {})}, "ext": "jpg", "file_media": 1, "token": 2718281828, "files": {"original": orig}}


@rule(
    "FL501",
    "attachment-path-format",
    "error",
    options=[*TEMPLATE_OPTIONS, Option("other-templates", [], "further path templates a path may follow instead of its own (FL501 only: the other attachment rules read the paths that follow the two templates)", type=list)],
    tags=("attachments",),
    examples=[
        bad({"attaches": [_att({"600": "./cache/3/attach/202605/880001-2718281828-600-336.webp"})]}, "dashes instead of underscores", pointers=["/attaches/0/sizes/600"]),
        bad({"attaches": [_att(url="./file/3/attach/202605/880001_2718281828")]}, "an original without extension", pointers=["/attaches/0/files/original/url"]),
        good({}, "every path follows the templates"),
    ],
)
def attachment_path_format(record, options) -> Iterator[Hit]:
    """An attachment path does not follow the path template.

    Renditions follow `rendition-template`
    (`./cache/{portal_id}/attach/{yyyymm}/{attach_id}_{token}_{width}_{height}.{ext}`),
    originals `original-template`
    (`./file/{portal_id}/attach/{yyyymm}/{attach_id}_{token}.{ext}`).  Set them
    for one rule here, or for all attachment rules at once with the top-level
    config keys of the same names.  Paths with `..`, backslashes, encoded
    separators or control characters are reported by FL510 only.

    A path may instead follow one of `other-templates`: a layout the CMS also
    writes, which the other attachment rules then do not read (they compare
    the parts of the two templates).  The `wordpress` profile lists the
    uploads folder itself (where WordPress files uploads when month folders
    are off, and where plugins such as WooCommerce put their placeholder
    image) and a multisite network's `sites/{n}/` folders.
    """
    others = None
    for group in attach_index(record, options).groups:
        if group.regular:
            continue  # every path of the attachment follows its template (the usual)
        for ap in group.paths:
            if ap.match is None and _traversal(ap.value) is None:
                if others is None:
                    others = _other_templates(options["other-templates"])
                if any(other.fullmatch(ap.value) for other in others):
                    continue
                template = options["rendition-template" if ap.role == "rendition" else "original-template"]
                yield Hit(ap.pointer, f"{_where(ap)} path {quoted(ap.value)} does not follow the template {template}", evidence=ap.value)


def _other_templates(templates: list) -> list:
    """FL501's ``other-templates``, compiled."""
    if not all(isinstance(t, str) for t in templates):
        raise SetupError(f"option 'other-templates' must list path templates (strings), got {templates!r}")
    return [compile_template(t) for t in templates]


@rule(
    "FL502",
    "attachment-token-mismatch",
    "error",
    options=[*TEMPLATE_OPTIONS],
    tags=("attachments",),
    examples=[
        bad({"attaches": [_att({"600": "./cache/3/attach/202605/880001_2718281829_600_336.webp"})]}, "one digit off", pointers=["/attaches/0/sizes/600"]),
        good({}, "every path carries the attachment's token"),
    ],
)
def attachment_token_mismatch(record, options) -> Iterator[Hit]:
    """The token in a path is not the attachment's `token` (the file will not be found).

    Reported at the token digits inside the path.  `check --fix
    --unsafe-fixes` rebuilds the path from its template with the
    attachment's token (unsafe: the file may be stored under the path's token).
    """
    for group in attach_index(record, options).groups:
        token = as_int(group.att.get("token"))
        if token is None:
            continue
        for ap, got in _differing(group, "token", str(token)):
            yield Hit(ap.pointer, f"{_where(ap)} path has token {got}, the attachment's token is {token}", evidence=f"{got}!={token}", span=ap.span("token"), fix=_path_fix(ap, options, "token", str(token), got, "the attachment's"))


@rule(
    "FL503",
    "attachment-id-mismatch",
    "error",
    options=[*TEMPLATE_OPTIONS],
    tags=("attachments",),
    examples=[
        bad({"attaches": [_att({"900": "./cache/3/attach/202605/880002_2718281828_900_504.webp"})]}, "one rendition of another attachment", pointers=["/attaches/0/sizes/900"]),
        good({}, "one attach id everywhere"),
    ],
)
def attachment_id_mismatch(record, options) -> Iterator[Hit]:
    """The attach id differs between the renditions and the original of one attachment.

    The original's id is the reference (the majority's when the original's
    path cannot be parsed); each deviating path is reported at its id.
    `check --fix --unsafe-fixes` rebuilds the path from its template with
    the reference id (unsafe: the file may be stored under the path's id).
    """
    for group in attach_index(record, options).groups:
        if len(group.distinct("attach_id")) > 1:  # one id on every path (the usual): nothing can differ
            yield from _id_hits(group, options)


def _id_hits(group: AttachGroup, options: Any) -> Iterator[Hit]:
    """FL503 path by path (the exact check behind the one-id exit)."""
    for ap, got, ref in _against_reference(group, "attach_id"):
        if ref is not None and got != ref:
            yield Hit(ap.pointer, f"{_where(ap)} path has attach id {got}, the attachment's other paths have {ref}", evidence=f"{got}!={ref}", span=ap.span("attach_id"), fix=_path_fix(ap, options, "attach_id", ref, got, "the other paths'"))


@rule(
    "FL504",
    "attachment-folder-mismatch",
    "error",
    options=[*TEMPLATE_OPTIONS],
    tags=("attachments",),
    examples=[
        bad({"attaches": [_att({"300": "./cache/3/attach/202604/880001_2718281828_300_168.webp"})]}, "one rendition filed a month earlier", pointers=["/attaches/0/sizes/300"]),
        bad({"attaches": [_att({"150": "./cache/3/attach/202613/880001_2718281828_150_84.webp"})]}, "month 13", pointers=["/attaches/0/sizes/150"]),
        good({}, "one folder everywhere"),
    ],
)
def attachment_folder_mismatch(record, options) -> Iterator[Hit]:
    """The year-month folder differs between the paths of one attachment, or is not a month.

    All renditions are stored in the original's upload folder
    (`…/attach/202605/…`).  Reported at the folder inside the path.
    `check --fix --unsafe-fixes` rebuilds the path from its template with
    the other paths' folder when that is a real month (unsafe: the file may
    be stored in the path's folder).
    """
    for group in attach_index(record, options).groups:
        folders = group.distinct("yyyymm")
        if len(folders) > 1 or (folders and month_number(next(iter(folders))) is None):  # one real month everywhere (the usual): nothing to report
            yield from _folder_hits(group, options)


def _folder_hits(group: AttachGroup, options: Any) -> Iterator[Hit]:
    """FL504 path by path (the exact check behind the one-month exit)."""
    for ap, got, ref in _against_reference(group, "yyyymm"):
        fix = _path_fix(ap, options, "yyyymm", ref, got, "the other paths'") if ref is not None and ref != got and month_number(ref) is not None else None
        if month_number(got) is None:
            yield Hit(ap.pointer, f"{_where(ap)} folder {got} is not a year and month (YYYYMM)", evidence=got, span=ap.span("yyyymm"), fix=fix)
        elif ref is not None and got != ref:
            yield Hit(ap.pointer, f"{_where(ap)} path is in folder {got}, the attachment's other paths are in {ref}", evidence=f"{got}!={ref}", span=ap.span("yyyymm"), fix=fix)


@rule(
    "FL505",
    "attachment-portal-mismatch",
    "error",
    options=[*TEMPLATE_OPTIONS],
    tags=("attachments",),
    examples=[
        bad({"portal_id": 2, "attaches": [_att()]}, "the record moved to portal 2, its images still under 3", pointers=[*(f"/attaches/0/sizes/{k}" for k in SIZES), "/attaches/0/files/original/url"]),
        good({}, "paths under the record's portal"),
    ],
)
def attachment_portal_mismatch(record, options) -> Iterator[Hit]:
    """The portal folder of a path is not the record's `portal_id`.

    Reported at the portal id inside each path.  A missing or invalid
    `portal_id` (not a positive integer) is left to the schema rules.
    `check --fix --unsafe-fixes` rebuilds the path from its template under
    the record's portal (unsafe: a record moved to another portal may have
    left its files under the old one).
    """
    portal = as_int(record.get("portal_id"))
    if portal is None or portal < 1:
        return  # no valid portal id: the schema (FL101) reports it, not every path again
    want = str(portal)
    for group in attach_index(record, options).groups:
        for ap, got in _differing(group, "portal_id", want):
            yield Hit(ap.pointer, f"{_where(ap)} path is under portal {got}, the record's portal_id is {portal}", evidence=f"{got}!={portal}", span=ap.span("portal_id"), fix=_path_fix(ap, options, "portal_id", want, got, "the record's"))


def _images(record: Any, options: Any) -> list[AttachGroup]:
    kinds = options["image-kinds"]
    return [g for g in attach_index(record, options).groups if g.att.get("file_media") in kinds]


@rule(
    "FL506",
    "rendition-width-mismatch",
    "error",
    options=[*TEMPLATE_OPTIONS, IMAGE_KINDS],
    tags=("attachments",),
    examples=[
        bad({"attaches": [_att({"1200": "./cache/3/attach/202605/880001_2718281828_1200_672.jpg"})]}, "upscaled past the 1000 px original", pointers=["/attaches/0/sizes/1200"]),
        bad({"attaches": [_att({"600": "./cache/3/attach/202605/880001_2718281828_400_224.webp"})]}, "the 600 key holds the 400 rendition", pointers=["/attaches/0/sizes/600"]),
        good({"attaches": [_att()]}, "key 1200 capped at the original's 1000 px: never upscale"),
    ],
)
def rendition_width_mismatch(record, options) -> Iterator[Hit]:
    """A rendition's width is not its size key (capped at the original's width), or it is upscaled.

    The size key is the requested width; a CMS never upscales, so when the key
    exceeds the original's width the rendition has the original's width
    (key `1200` of a 1000 px image is `…_1000_560.jpg`: correct).  A rendition
    wider than the original is reported as upscaled.  Only for attachments
    whose `file_media` is in `image-kinds`.
    """
    for group in _images(record, options):
        dims = group.dimensions
        if group.regular and _widths_plain(group.columns.get("width", ()), group.keys, dims):
            continue
        for ap in group.renditions:
            got = ap.parts.get("width")
            if got == ap.key and (dims is None or int(got) <= dims[0]):
                continue  # the usual: as wide as its key and no wider than the original
            msg = _width_problem(ap, got, dims)
            if msg is not None:
                yield Hit(ap.pointer, msg, evidence=f"{ap.key}:{int(got)}", span=ap.span("width"))


def _widths_plain(widths: tuple, keys: tuple, dims: tuple[int, int] | None) -> bool:
    """Every rendition exactly as wide as its key capped at the original's width: FL506's usual case, decided for the whole attachment.

    Equal strings mean equal numbers, so :func:`_width_problem` finds nothing
    in any of them; any other spelling (a leading zero…) takes the full check.
    """
    if dims is None:
        return widths == keys
    return widths == keys and (not widths or max(map(int, widths)) <= dims[0]) or widths == _capped(keys, dims[0])


@lru_cache(maxsize=256)
def _capped(keys: tuple, width: int) -> tuple | None:
    """The widths of renditions ``keys`` of an original ``width`` px wide, as written in their paths (None: a key is not a number)."""
    if not all(k.isascii() and k.isdigit() for k in keys):
        return None
    return tuple(str(min(int(k), width)) for k in keys)


def _width_problem(ap: AttachPath, got: str | None, dims: tuple[int, int] | None) -> str | None:
    """FL506's full check of one rendition's width ``got`` against its key and the original's ``dims``."""
    if got is None or not (ap.key or "").isdigit():
        return None
    key, w = int(ap.key), int(got)
    want = min(key, dims[0]) if dims else key
    if w == want or (dims is None and w < key):
        return None  # without the original's width a narrower rendition may be capped
    if dims and w > dims[0]:
        return f"rendition {ap.key} is {w} px wide, wider than the {dims[0]} px original (upscaled; expected {want})"
    why = f"the key {key}" if want == key else f"the original's width {want} (key {key} exceeds it)"
    return f"rendition {ap.key} is {w} px wide, expected {why}"


@rule(
    "FL507",
    "rendition-height-mismatch",
    "warning",
    options=[
        *TEMPLATE_OPTIONS,
        IMAGE_KINDS,
        CROPPED_SIZES,
        Option("height-tolerance", 1, "pixels of rounding allowed around width × original height / original width (or the width from a fitted height)", type=float, minimum=0),
        Option("aspect-sizes", [], "size keys that always keep the original's aspect; when given, a rendition under another key may be a hard crop (reported only when a side exceeds the original's)", type=list),
    ],
    tags=("attachments",),
    examples=[
        bad({"attaches": [_att({"600": "./cache/3/attach/202605/880001_2718281828_600_600.webp"})]}, "a square crop of a 1000×560 image", pointers=["/attaches/0/sizes/600"]),
        good({"attaches": [_att({"150": "./cache/3/attach/202605/880001_2718281828_150_85.webp"})]}, "84 rounded up to 85: within one pixel"),
        good({"attaches": [_att({"150": "./cache/3/attach/202605/880001_2718281828_150_150.webp"})]}, "a square thumbnail the site crops on purpose", options={"cropped-sizes": {"150": [150, 150]}}),
        good({"attaches": [_att({"150": "./cache/3/attach/202605/880001_2718281828_150_150.webp"})]}, "a size the site does not list among those keeping the aspect", options={"aspect-sizes": ["300", "600"]}),
    ],
)
def rendition_height_mismatch(record, options) -> Iterator[Hit]:
    """A rendition's height does not keep the original's aspect ratio.

    Expected height = width in the path × original height / original width,
    within `height-tolerance` pixels (1: resizers round either way).  Reported
    at the height inside the path.  Sites that hard-crop some sizes (WordPress
    thumbnails are 150×150 whatever the original's shape) list them in
    `cropped-sizes`, a table from size key to crop box
    (`{ thumbnail = [150, 150] }`): the rendition under that key may take
    another aspect when both its sides are at most the box's and the
    original's (a crop never enlarges).  A rendition fitted into a box by its
    height (a portrait image in a 300×300 box) has its width derived from the
    height: it is fine when the width is within the tolerance of height ×
    original width / original height.  When the CMS's plugins add sizes of
    their own, crops or not (WordPress themes do), `aspect-sizes` lists the
    keys known to keep the aspect; a rendition under any other key is then
    taken as a possible crop and reported only when a side exceeds the
    original's.
    """
    tol = options["height-tolerance"]
    for group in _images(record, options):
        dims = group.dimensions
        if dims is None:
            continue
        if group.regular:  # the usual attachment: its columns, with FL507's arithmetic below
            width, height = dims
            for w, h in zip(group.columns.get("width", ()), group.columns.get("height", ())):
                if abs(int(h) - int(w) * height / width) > tol:
                    break
            else:
                continue  # every height within the tolerance
        for ap in group.renditions:
            w, h = ap.parts.get("width"), ap.parts.get("height")
            if w is None or h is None:
                continue
            exact = int(w) * dims[1] / dims[0]
            if abs(int(h) - exact) > tol and abs(int(w) - int(h) * dims[0] / dims[1]) > tol and not _is_crop(ap.key, int(w), int(h), dims, _crop_boxes(options["cropped-sizes"]), options["aspect-sizes"]):
                yield Hit(ap.pointer, f"rendition {ap.key} is {w}×{h}, expected height {exact:g} for the {dims[0]}×{dims[1]} original", evidence=f"{w}x{h}", span=ap.span("height"))


def _crop_boxes(table: dict) -> dict[str, tuple[int, int]]:
    """FL507's `cropped-sizes` (size key -> [width, height]) as boxes; asked for only when a height is off."""
    boxes = {}
    for key, box in table.items():
        if not (isinstance(box, list) and len(box) == 2 and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in box)):
            raise SetupError(f"FL507: cropped-sizes.{key} must be [width, height] in pixels, got {box!r}")
        boxes[key] = (box[0], box[1])
    return boxes


def _is_crop(key: str | None, w: int, h: int, dims: tuple[int, int], boxes: dict[str, tuple[int, int]], aspect_sizes: list) -> bool:
    """A ``w``×``h`` rendition under a hard-cropped size ``key``: inside its crop box and inside the original.

    With ``aspect_sizes``, a key not listed there (nor in the boxes) is a possible crop of any box.
    """
    box = boxes.get(key) if key is not None else None
    if box is None and aspect_sizes and key is not None and key not in aspect_sizes:
        box = dims
    return box is not None and w <= min(box[0], dims[0]) and h <= min(box[1], dims[1])


@rule(
    "FL508",
    "original-extension-mismatch",
    "error",
    options=[*TEMPLATE_OPTIONS],
    tags=("attachments",),
    examples=[
        bad({"attaches": [_att(url="./file/3/attach/202605/880001_2718281828.png")]}, "a .png URL for a jpg attachment", pointers=["/attaches/0/files/original/url"]),
        good({}, "URL extension equals ext"),
    ],
)
def original_extension_mismatch(record, options) -> Iterator[Hit]:
    """The original's URL extension is not the attachment's `ext` (compared exactly: servers are case-sensitive)."""
    for group in attach_index(record, options).groups:
        if group.url is None:
            continue
        ext = group.att.get("ext")
        got = group.original_parts.get("ext")
        if isinstance(ext, str) and got is not None and got != ext:
            ap = group.original
            case = " (differs only in case)" if got.lower() == ext.lower() else ""
            yield Hit(ap.pointer, f"original URL ends in .{got}, the attachment's ext is {quoted(ext)}{case}", evidence=f"{got}!={ext}", span=ap.span("ext"))


@rule(
    "FL509",
    "rendition-extension-not-allowed",
    "warning",
    options=[*TEMPLATE_OPTIONS, Option("allowed-extensions", ALLOWED_EXT, "extensions a rendition may have (compared case-insensitively)")],
    tags=("attachments",),
    examples=[
        bad({"attaches": [_att({"300": "./cache/3/attach/202605/880001_2718281828_300_168.bmp"})]}, "a bitmap rendition", pointers=["/attaches/0/sizes/300"]),
        good({"attaches": [_att()]}, "webp renditions and a jpg for the largest"),
    ],
)
def rendition_extension_not_allowed(record, options) -> Iterator[Hit]:
    """A rendition has an extension outside `allowed-extensions` (webp, jpg, jpeg, png, gif, avif)."""
    listed = options["allowed-extensions"]
    allowed = None
    for group in attach_index(record, options).groups:
        if group.regular and _all_listed(group.columns.get("ext", ()), listed):
            continue
        for ap in group.renditions:
            got = ap.parts.get("ext")
            if got is None or got in listed:
                continue  # listed as written (the usual): allowed without lower-casing
            if allowed is None:
                allowed = {e.lower() for e in listed}
            if got.lower() not in allowed:
                yield Hit(ap.pointer, f"rendition {ap.key} has extension .{got}, not one of {', '.join(sorted(allowed))}", evidence=got, span=ap.span("ext"))


def _all_listed(extensions: tuple, listed: list) -> bool:
    """Every extension listed as written (the usual attachment: allowed without lower-casing)."""
    for ext in extensions:
        if ext not in listed:
            return False
    return True


def _all_paths(record: Any) -> Iterator[tuple[str, str]]:
    yield from path_values(record)


@rule(
    "FL510",
    "unsafe-attachment-path",
    "error",
    options=[
        Option("allow-schemes", [], "URL schemes allowed at the start of a path, e.g. ['https'] for CDN URLs", type=list),
        Option("allow-absolute", False, "allow paths starting with '/'", type=bool),
    ],
    tags=("attachments", "security"),
    security_severity=5.0,
    examples=[
        bad({"attaches": [_att({"150": "./cache/3/attach/../../../../etc/passwd"})]}, "path traversal", pointers=["/attaches/0/sizes/150"]),
        bad({"attaches": [_att(url="file:///etc/passwd")]}, "a URL scheme", pointers=["/attaches/0/files/original/url"]),
        bad({"attaches": [_att({"150": "/srv/cache/3/attach/202605/880001_2718281828_150_84.webp"})]}, "an absolute path (a web profile allows site-root paths with allow-absolute)", pointers=["/attaches/0/sizes/150"]),
        good({"attaches": [_att({"150": "./cache/3/attach/202605/880001_2718281828_150_84.webp"})]}, "a plain relative path"),
    ],
)
def unsafe_attachment_path(record, options) -> Iterator[Hit]:
    """An attachment path could reach outside the media folder (path traversal).

    Flags a `..` segment, a backslash, a percent-encoded `.`, `/`, `\\` or NUL,
    a control character, a drive letter, a URL scheme (unless listed in
    `allow-schemes`) and an absolute or protocol-relative path (unless
    `allow-absolute`).  Whatever serves or copies these files would follow
    them.  Reported at the offending part of the path.  This check reads no
    files; with a media root, FL514 also resolves symlinks.
    """
    paths = _path_strings(record)
    if not paths or _plain(" ".join(paths)):
        return  # the usual: no path has a suspect character, found without a regex scan per path
    yield from _unsafe_hits(path_values(record), options)


def _path_strings(record: Any) -> list[str]:
    """The strings of :func:`path_values` (another order: all FL510's usual case needs)."""
    out: list[str] = []
    for e in attachment_paths(record):
        out += e[4]
        if e[5] is not None:
            out.append(e[5])
    return out


def _plain(joined: str) -> bool:
    """True when no path of ``joined`` (paths separated by spaces) matches ``_SUSPECT``.

    String methods instead of the regex: with its alternation ``_SUSPECT``
    scans a record's paths ten times slower.  Non-ASCII is never plain, so
    such paths take the exact check.
    """
    return joined.isascii() and not joined.encode("ascii").translate(None, _PLAIN) and ".." not in joined and " /" not in joined and not joined.startswith("/")


def _unsafe_hits(values: list[tuple[str, str]], options: Any) -> Iterator[Hit]:
    """FL510 path by path (the exact check behind the whole-record search)."""
    for pointer, value in values:
        if not _SUSPECT.search(value):
            continue
        found = _unsafe(value, options)
        if found:
            what, span = found
            yield Hit(pointer, f"path {quoted(value)} contains {what}", evidence=value, span=span)


@rule(
    "FL511",
    "original-dimensions-invalid",
    "warning",
    options=[IMAGE_KINDS],
    tags=("attachments",),
    examples=[
        bad({"attaches": [_att(width=0)]}, "an image 0 px wide", pointers=["/attaches/0/files/original/width"]),
        good({}, "1000×560"),
    ],
)
def original_dimensions_invalid(record, options) -> Iterator[Hit]:
    """An image's original width or height is not a positive number of pixels.

    Without them no rendition size can be checked (FL506, FL507 skip the
    attachment).  Only for `file_media` in `image-kinds`.
    """
    for i, att, orig in attachments(record):
        if orig is None or att.get("file_media") not in options["image-kinds"]:
            continue
        for dim in ("width", "height"):
            v = as_int(orig.get(dim))
            if v is not None and v <= 0:
                yield Hit(original_pointer(record, i, dim), f"original {dim} is {v}", evidence=f"{dim}={v}")


@rule(
    "FL512",
    "original-size-unknown",
    "note",
    options=[MEDIA_ROOT],
    tags=("attachments", "filesystem"),
    examples=[
        bad({"attaches": [_att(url="./etc/passwd", size=0)]}, "size 0 in the export, the file under the media root has bytes", options={"media-root": "/"}, pointers=["/attaches/0/files/original/size"]),
        good({"attaches": [_att(size=0)]}, "no media root given: size 0 is not reported"),
        good({"attaches": [_att(size=48213)]}, "a size in bytes"),
    ],
)
def original_size_unknown(record, options) -> Iterator[Hit]:
    """The original's file size is 0 in the export although the file under the media root has one.

    Only runs with a media root (`--media-root`, config `media-root`, or this
    rule's option), like FL513: real exports often leave `size` at 0 (the CMS
    does not always fill it), and without the file nobody can say what it
    should be, so such a note could not be acted on.  With the file at hand
    the message gives its size in bytes, the value to write.  A missing file
    is FL513's, a path outside the root FL514's.
    """
    if not options["media-root"]:
        return
    on_disk = {pointer: res for pointer, _, res in _resolved(record, options["media-root"])}
    for i, att, orig in attachments(record):
        if orig is None or as_int(orig.get("size")) != 0:
            continue
        res = on_disk.get(original_pointer(record, i, "url"))
        if res is None or res.status != "ok":
            continue
        try:
            size = os.path.getsize(res.real)
        except OSError:
            continue
        if size:
            yield Hit(original_pointer(record, i, "size"), f"original file size is 0 in the export; the file under the media root has {size:,} bytes", evidence="size=0")


def _resolved(record: Any, option: str) -> list[tuple[str, str, Resolution]]:
    def compute() -> list[tuple[str, str, Resolution]]:
        root, folders = media_root(option), {}
        return [(pointer, value, resolve(root, value, folders)) for pointer, value in _all_paths(record)]

    return record.memo(f"fl5:media\x1f{option}", compute)


@rule(
    "FL513",
    "attachment-file-missing",
    "error",
    options=[MEDIA_ROOT],
    tags=("attachments", "filesystem"),
    examples=[
        bad({}, "no such files under /", options={"media-root": "/"}, pointers=["/attaches/0/sizes/150", "/attaches/0/sizes/300", "/attaches/0/sizes/400", "/attaches/0/sizes/600", "/attaches/0/sizes/900", "/attaches/0/sizes/1200", "/attaches/0/files/original/url"]),
        good({}, "no media root given: nothing is checked"),
    ],
)
def attachment_file_missing(record, options) -> Iterator[Hit]:
    """A referenced file does not exist under the media root (`--media-root DIR`).

    Only runs with a media root (`--media-root`, config `media-root`, or this
    rule's option).  Paths are resolved under the root (`./cache/…` and
    root-relative `/cache/…` alike); files are only stat()ed, never opened.
    URLs with a scheme are skipped; paths resolving outside the root are
    FL514's and are never looked at.
    """
    if not options["media-root"]:
        return
    for pointer, value, res in _resolved(record, options["media-root"]):
        if res.status == "missing":
            yield Hit(pointer, f"file {quoted(value)} not found under the media root", evidence=value)
        elif res.status == "not-a-file":
            yield Hit(pointer, f"{quoted(value)} is not a regular file under the media root", evidence=value)


@rule(
    "FL514",
    "attachment-outside-media-root",
    "error",
    options=[MEDIA_ROOT],
    tags=("attachments", "security", "filesystem"),
    security_severity=6.5,
    examples=[
        bad({"attaches": [_att({"150": "./cache/../../etc/hostname"})]}, "climbs out of the root", options={"media-root": "/tmp"}, pointers=["/attaches/0/sizes/150"]),
        good({}, "no media root given: nothing is checked"),
    ],
)
def attachment_outside_media_root(record, options) -> Iterator[Hit]:
    """A path resolves outside the media root, through `..` or through a symlink.

    The root and each path are resolved with realpath; a path whose real
    location is not inside the real root is refused and its target is never
    stat()ed.  `..` paths are also reported by FL510 (which needs no media
    root); a symlink escape only this rule can see.
    """
    if not options["media-root"]:
        return
    for pointer, value, res in _resolved(record, options["media-root"]):
        if res.status == "escapes":
            yield Hit(pointer, f"path {quoted(value)} resolves outside the media root", evidence=value)
        elif res.status == "symlink-escape":
            yield Hit(pointer, f"path {quoted(value)} leads outside the media root through a symbolic link", evidence=value)


# --------------------------------------------------------------------------- attachment folders against the record's dates (FL3xx ids: they were date rules first)
@rule(
    "FL307",
    "attachment-folder-after-edit",
    "warning",
    options=[FORMAT, LAST_EDIT, *TEMPLATE_OPTIONS, Option("tolerance-hours", 24, "slack for the time zone of the folder clock at a month boundary", minimum=0)],
    tags=("dates", "attachments"),
    examples=[
        bad({"content_date_last_edit": "2026-04-20 09:20:41"}, "images filed in May for a record last edited in April: one finding for the attachment, at its first path", pointers=["/attaches/0/sizes/150"]),
        good({"content_date_last_edit": "2026-07-01 08:00:00"}, "an image uploaded in May, last edited in July"),
        good({"content_date_last_edit": "2026-04-30 23:30:00"}, "edited half an hour before the month turned (time-zone slack)"),
    ],
)
def attachment_folder_after_edit(record, options) -> Iterator[Hit]:
    """An attachment is filed in a month folder later than the record's last edit.

    Paths look like `…/attach/202605/…` (the `{yyyymm}` of the path
    templates): the folder is the upload month.  An attachment uploaded after
    the last edit would have made that edit later, so the folder or the
    last-edit date is wrong.  Reported once per attachment, at its first path
    in a later folder (pointing at the folder); the message says how many of
    the attachment's paths (renditions and original) are in a later folder.
    Paths that do not follow the template are left to FL501.
    """
    edit = valid_date(record, options["last-edit-field"], options["format"])
    if edit is None:
        return
    index = attach_index(record, options)
    slack = hours_tolerance(options["tolerance-hours"])
    late_folders = {folder for folder in index.months if _month_start(folder) - edit > slack}  # type: ignore[operator]  # a difference: ``edit + slack`` can pass the year 9999
    if not late_folders:
        return
    last = record.get(options["last-edit-field"])
    for group in index.groups:  # one finding per attachment, at its first late path (its pointer and evidence: the fingerprint of old)
        folders = group.part_column("yyyymm")  # from the parsed columns: only the path reported is built
        late = [k for k, folder in enumerate(folders) if folder in late_folders]
        if late:
            first = group.path(late[0])
            folder = folders[late[0]]
            yield Hit(first.pointer, f"attachment folder {folder} is later than the last edit {last} ({_late_count(len(late), len(folders))})", evidence=f"{folder} > {last}", span=first.span("yyyymm"))


def _late_count(late: int, paths: int) -> str:
    """How many of an attachment's paths are in a late folder, as FL307's message says it."""
    if paths == 1:
        return "its only path"
    return f"{'all ' if late == paths else ''}{late} of its {paths} paths"


@rule(
    "FL308",
    "attachment-folder-before-publication",
    "note",
    options=[FORMAT, START, REGISTER, *TEMPLATE_OPTIONS, Option("months-before", 3, "how many calendar months before the publication month (or the creation month, when earlier) an attachment's folder may be (uploads ahead of a story, a month boundary)", minimum=0)],
    tags=("dates", "attachments"),
    precision="medium",
    examples=[
        bad({"content_date_start": "2026-10-01 08:00:00", "content_date_event": "2026-10-01 08:00:00", "content_date_register": "2026-10-01 08:00:00", "content_date_last_edit": "2026-10-01 08:10:00"}, "a story of October with images filed in May", pointers=["/attaches/0/sizes/150", "/attaches/0/sizes/300", "/attaches/0/sizes/400", "/attaches/0/sizes/600", "/attaches/0/sizes/900", "/attaches/0/sizes/1200", "/attaches/0/files/original/url"]),
        good({"content_date_start": "2026-06-01 00:10:00"}, "uploaded in May, published just after the month turned"),
        good({"content_date_start": "2026-08-20 08:00:00"}, "uploaded three months ahead of publication"),
        good({"content_date_register": "2026-05-04 09:00:00", "content_date_start": "2026-11-02 08:00:00", "content_date_event": "2026-11-02 08:00:00", "content_date_last_edit": "2026-11-02 08:00:00"},
             "a draft written in May, its images uploaded then, published in November"),
    ],
)
def attachment_folder_before_publication(record, options) -> Iterator[Hit]:
    """An attachment is filed in a month folder long before the record was published.

    The folder (`…/attach/202605/…`, the `{yyyymm}` of the path templates) is
    the upload month.  Images are uploaded a little ahead of a story, often
    across a month boundary, so a folder up to `months-before` (3) calendar
    months before the publication month (`start-field`) is normal, and so is
    one up to as far before the month the record was created
    (`register-field`) when that is earlier: a draft's images are uploaded
    while it is written, months before it goes out.  Further back, the image
    was filed under the wrong month, or an old upload was reused from the
    library (legitimate for a logo or a portrait, hence a note).  A folder
    later than the last edit is FL307's.  Reported at each path, pointing at
    the folder.
    """
    fmt = options["format"]
    start = valid_date(record, options["start-field"], fmt)
    if start is None:
        return
    index = attach_index(record, options)
    months = options["months-before"]
    early = {folder for folder in index.months if month_number(folder) < month_index(start.year, start.month) - months}  # type: ignore[operator]  # index.months are months
    if not early:
        return  # the usual: no folder that far before the publication, whatever the creation
    published = record.get(options["start-field"])
    since = f"the publication {published}"
    created = valid_date(record, options["register-field"], fmt) if options["register-field"] else None
    if created is not None and created < start:  # a draft written earlier: its images may be as old as it
        early = {folder for folder in early if month_number(folder) < month_index(created.year, created.month) - months}  # type: ignore[operator]
        if not early:
            return
        since = f"the creation {record.get(options['register-field'])} (published {published})"
    for ap in index.paths:
        folder = ap.parts.get("yyyymm")
        if folder in early:
            yield Hit(ap.pointer, f"attachment folder {folder} is more than {options['months-before']} months before {since}", evidence=f"{folder} < {published}", span=ap.span("yyyymm"))


@lru_cache(maxsize=1024)
def _month_start(folder: str) -> datetime | None:
    """The first day of a ``YYYYMM`` folder's month, None when it is not a month (records share a few folders)."""
    n = month_number(folder)
    return None if n is None else datetime(n // 12, n % 12 + 1, 1)


RULES = [
    attachment_path_format,
    attachment_token_mismatch,
    attachment_id_mismatch,
    attachment_folder_mismatch,
    attachment_portal_mismatch,
    rendition_width_mismatch,
    rendition_height_mismatch,
    original_extension_mismatch,
    rendition_extension_not_allowed,
    unsafe_attachment_path,
    original_dimensions_invalid,
    original_size_unknown,
    attachment_file_missing,
    attachment_outside_media_root,
    attachment_folder_after_edit,
    attachment_folder_before_publication,
]
