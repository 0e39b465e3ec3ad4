"""FL607: a featured image, kept as a record of its own, filed under another month than its post.

WordPress keeps a post's featured image as a separate media record: the post
holds only its id (``featured_media``), the media record its file
(``wp-content/uploads/2013/05/name.png``) and the post it was uploaded for
(``post``).  Posts and media come in different files of one dump, so the check
is a join across the run: each record leaves a few facts (its own folder and
parent when it is a media item, its featured image's id and its date when it
references one), and the dataset stage joins them with one dictionary, in
linear time.  Which fields hold those is a profile's business: the rule's
options are read with the options of the file each record comes from
(:meth:`feedlint.plan.Plan.facts_for`), and the options the join needs are
carried on the referencing record's row.
"""

from __future__ import annotations

from typing import Any, Iterator

from feedlint.api import DatasetHit, Option, bad, good, rule

from ._datetimes import valid_date
from ._paths import TEMPLATE_OPTIONS, _at, attach_index, month_index
from .dates import FORMAT, START

FEATURED = Option("featured-field", "", "JSON Pointer of the record's featured image: the identity of another record of the run (WordPress: /featured_media); empty: the rule does nothing", type=str)
ATTACHED_TO = Option("attached-to-field", "", "JSON Pointer, in a media record, of the identity of the record it was uploaded for (WordPress: /post); empty: unknown, every image counts as reused", type=str)
TOLERANCE = Option("tolerance-months", 1, "how many calendar months before the record's month its featured image's folder may be (uploaded while drafting, across a month boundary)", type=int, minimum=0)
REUSED = Option("report-reused", False, "also report an image uploaded for another record or for none (a library image reused: legitimate for a series banner or a logo)", type=bool)

# fact columns (one row per record of the run; None where a record has nothing to say)
_MEDIA, _FOLDER, _MONTH, _PARENT = "fl607_media", "fl607_folder", "fl607_month", "fl607_parent"
_REF, _AT, _SELF, _DATE, _DMONTH, _TOLERANCE, _REUSED = "fl607_ref", "fl607_at", "fl607_self", "fl607_date", "fl607_dmonth", "fl607_tolerance", "fl607_reused"


def _key(profile: str, value: Any) -> str | None:
    """An identity comparable across files: the profile's name and the value (0 and "" are WordPress's "none")."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value in (0, ""):
        return None
    return f"{profile}\x1f{value}"


def collect_featured(record, options) -> dict[str, Any]:
    """The record's facts for the join: as a media item (its folder, its parent) and as a post (its featured image, its date)."""
    featured_at = options["featured-field"]
    if not featured_at:
        return {}  # the rule is not configured for this profile (the cms export): no column, no cost
    profile, data = record.profile, record.data
    facts: dict[str, Any] = {}
    date = valid_date(record, options["start-field"], options["format"])
    if date is not None:
        facts[_DATE] = record.get(options["start-field"])
        facts[_DMONTH] = month_index(date.year, date.month)
    for group in attach_index(record, options).groups:
        orig = group.original
        folder = orig.part("yyyymm") if orig is not None else None
        if folder is None or not 1 <= int(folder[4:]) <= 12:
            continue
        start, end = orig.span("yyyymm")  # type: ignore[misc, union-attr]
        facts[_MEDIA] = _key(profile, record.content_id)
        facts[_FOLDER] = orig.value[start:end]  # as the path writes it: 2013/05
        facts[_MONTH] = month_index(int(folder[:4]), int(folder[4:]))
        parent_at = options["attached-to-field"]
        facts[_PARENT] = _key(profile, _at(data, parent_at)) if parent_at else None
        break
    ref = _key(profile, _at(data, featured_at))
    if ref is not None and date is not None:
        facts.update({_REF: ref, _AT: featured_at, _SELF: _key(profile, record.content_id), _TOLERANCE: options["tolerance-months"], _REUSED: options["report-reused"]})
    return facts


def _two(a: dict, b: dict) -> list[dict]:
    return [a, b]


# the examples: a story of October 2026 whose featured image is the second record, an image filed in 2026/05 (the base record's folder)
_OPTIONS = {"featured-field": "/featured_id", "attached-to-field": "/attached_to"}
_STORY = {"content_date_start": "2026-10-01 08:00:00", "featured_id": 510002}


@rule(
    "FL607",
    "featured-image-other-month",
    "warning",
    scope="dataset",
    collect=collect_featured,
    reads_rows=(_REF, _MEDIA),  # the join reads the posts with a featured image and the media: on Spark only those rows come back
    options=[FEATURED, ATTACHED_TO, FORMAT, START, *TEMPLATE_OPTIONS, TOLERANCE, REUSED],
    tags=("dataset", "dates", "attachments"),
    precision="medium",
    examples=[
        bad(_two(_STORY, {"content_id": 510002, "content_title": "Its image", "attached_to": 510001}), "an October story; its featured image is the second record, uploaded for it and filed in 202605 (the base record's attachment folder)", pointers=["/featured_id"], options=_OPTIONS),
        good(_two(_STORY, {"content_id": 510002, "content_title": "A series banner", "attached_to": 510003}), "the image (filed in 202605) was uploaded for another story: a library image reused", options=_OPTIONS),
        good(_two({**_STORY, "content_date_start": "2026-06-01 08:00:00"}, {"content_id": 510002, "content_title": "Its image", "attached_to": 510001}), "uploaded in May while drafting, published on 1 June", options=_OPTIONS),
    ],
)
def featured_image_other_month(table, options) -> Iterator[DatasetHit]:
    """A record's featured image, uploaded for it, is filed under a month folder long before the record's date.

    For profiles whose featured image is a record of its own (WordPress: the
    post's `featured_media` is the id of a media record, in media.json): the
    image's file lives in its upload month's folder
    (`wp-content/uploads/2013/05/`), and WordPress files an upload for a post
    under that post's month.  An image uploaded *for this record* (the media
    record's `attached-to-field`, WordPress `post`, names it) yet filed more
    than `tolerance-months` (1) before the record's month means the record's
    date was moved after its image was filed (re-dated, republished), or the
    image was filed under the wrong month.  Reported at the featured-image
    reference (`/featured_media`), naming both folders and dates.

    Not reported: an image uploaded for another record or for none (a library
    image reused, as a series banner or a site logo is; `report-reused = true`
    reports those too), a folder later than the record's date (an image added
    by a later edit; later than the last edit is FL307's), an id no record of
    the run has, or one that two records of the run have (two sites in one
    run).  Run the posts and the media files in one `feedlint check` (a
    folder): the join sees the files of the run only.  A featured image
    written inside the record (Ghost `feature_image`) needs no join: FL308
    compares its folder with the publication date in the record itself.
    Does nothing unless `featured-field` is set (the `wordpress` profile sets
    it).
    """
    refs = table.column(_REF)
    if not any(ref is not None for ref in refs):
        return
    media = table.column(_MEDIA)
    index: dict[str, int] = {}
    twice: set[str] = set()
    for row, key in enumerate(media):
        if key is not None:
            if key in index:
                twice.add(key)
            else:
                index[key] = row
    months, folders, parents = table.column(_MONTH), table.column(_FOLDER), table.column(_PARENT)
    dmonths, dates, at, own = table.column(_DMONTH), table.column(_DATE), table.column(_AT), table.column(_SELF)
    tolerance, reused = table.column(_TOLERANCE), table.column(_REUSED)
    for row, ref in enumerate(refs):
        if ref is None or ref in twice or ref not in index:
            continue
        m = index[ref]
        gap = dmonths[row] - months[m]
        if gap <= tolerance[row]:
            continue
        attached = parents[m] is not None and parents[m] == own[row]
        if not attached and not reused[row]:
            continue
        image = ref.split("\x1f", 1)[1]
        uploaded = f", uploaded {dates[m]}" if dates[m] is not None else ""
        whose = "for this record" if attached else ("for record " + parents[m].split("\x1f", 1)[1] if parents[m] is not None else "for no record")
        yield DatasetHit(
            row,
            at[row],
            f"featured image {image} is filed under {folders[m]}{uploaded} {whose}, {gap} month{'s' if gap != 1 else ''} before this record's date {dates[row]}",
            evidence=f"{folders[m]} < {dates[row]}",
        )


RULES = [featured_image_other_month]
