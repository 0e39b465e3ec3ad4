"""FL3xx: date-time fields — real calendar dates, consistent order, plausible range.

Which fields are dates is configuration (the ``dates`` field role); the field
names the cross-field rules compare are options of those rules.  Values not in
the declared shape are the schema's business (FL101) and are not re-reported
here; values in the right shape that no calendar has (``2026-02-30``) are.
Dates are naive local times of the CMS: every comparison is between values of
the same record, and "now" comparisons carry tolerances wide enough for any
time zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Iterator

from feedlint import pointer as _jp
from feedlint.api import Hit, Option, bad, good, rule

from ._datetimes import DEFAULT_FORMAT, DateTable, date_table, hours_tolerance, now_from, pointer_name, tolerance, valid_date

FORMAT = Option("format", DEFAULT_FORMAT, "declared date-time format (strptime-style: %Y %m %d %H %M %S %f %z and literals, or rfc3339), or a list of them: a value is read with the first whose shape it has", type=(str, list))
REGISTER = Option("register-field", "content_date_register", "field holding the creation (registration) date-time", type=str)
LAST_EDIT = Option("last-edit-field", "content_date_last_edit", "field holding the last-edit date-time", type=str)
START = Option("start-field", "content_date_start", "field holding the publication date-time", type=str)
EVENT_START = Option("event-start-field", "content_date_event_start", "field holding the start of the event", type=str)
EVENT_END = Option("event-end-field", "content_date_event_end", "field holding the end of the event", type=str)
NOW = Option("now", "", "reference time as ISO date-time (empty: the clock, in UTC); pin it for reproducible runs", type=str)
EVENT_FIELDS = ["content_date_event", "content_date_event_start", "content_date_event_end"]


def _ptr(name: str) -> str:
    return "/" + _jp.escape(name)


def _ago(delta: timedelta) -> str:
    """A short human duration: 6 min 30 s, 3 h 5 min, 12 days 4 h."""
    s = int(abs(delta.total_seconds()))
    if s < 3600:
        parts = [(s // 60, "min"), (s % 60, "s")]
    elif s < 2 * 86400:
        parts = [(s // 3600, "h"), (s % 3600 // 60, "min")]
    else:
        parts = [(s // 86400, "days"), (s % 86400 // 3600, "h"), (s % 3600 // 60, "min")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n) or "0 s"


def _reversed_pair(record: Any, first: str, second: str, fmt: str) -> tuple[str, str, timedelta] | None:
    """``(first_text, second_text, how_much_earlier)`` when ``second`` lies before ``first``.

    Both must be valid dates; a null or unparsable side is another rule's business.
    """
    a, b = valid_date(record, first, fmt), valid_date(record, second, fmt)
    if a is None or b is None or not b < a:
        return None
    return record.get(first), record.get(second), a - b


@rule(
    "FL301",
    "impossible-date",
    "error",
    options=[FORMAT],
    tags=("dates",),
    examples=[
        bad({"content_date_register": "2026-02-30 10:00:00"}, "30 February", pointers=["/content_date_register"]),
        bad({"content_date_last_edit": "2026-06-24 25:00:00"}, "hour 25", pointers=["/content_date_last_edit"]),
        good({"content_date_register": "2024-02-29 10:00:00", "content_date_last_edit": "2024-02-29 23:59:59", "content_date_event_start": None}, "a leap day, the last second of a day, a null event date"),
    ],
)
def impossible_date(record, options) -> Iterator[Hit]:
    """A date-time in the declared format that no calendar has (30 February, hour 25, a zero date).

    Every field with the `dates` role is parsed with the `format` option
    (`%Y-%m-%d %H:%M:%S` by default).  The finding points at the impossible
    component (the day, the hour…).  A value whose *shape* is wrong
    (`24/06/2026`) is reported by the schema rule FL101 and not again here;
    null is left to the schema (it says which fields may be null).
    `0000-00-00 00:00:00`, MySQL's placeholder for "no date", is reported as
    a zero date: the export should say null.
    """
    for pointer, p in date_table(record, options["format"]).problems:
        yield Hit(pointer, p.problem, evidence=p.value, span=p.span)


@rule(
    "FL302",
    "edit-before-register",
    "error",
    options=[FORMAT, REGISTER, LAST_EDIT],
    tags=("dates",),
    examples=[
        bad({"content_date_last_edit": "2026-05-12 09:10:00"}, "edited six minutes before it was created", pointers=["/content_date_last_edit"]),
        good({"content_date_last_edit": "2026-05-12 09:16:30"}, "never edited after creation: both equal"),
    ],
)
def edit_before_register(record, options) -> Iterator[Hit]:
    """The last edit is earlier than the record's creation (registration).

    A record cannot be edited before it exists: the clock of one of the two
    writers is wrong, or the fields were swapped by an importer.  Reported at
    the last-edit value; the message names both values.  Equal values (never
    edited) are fine.
    """
    pair = _reversed_pair(record, options["register-field"], options["last-edit-field"], options["format"])
    if pair is not None:
        r, e, gap = pair
        yield Hit(_ptr(options["last-edit-field"]), f"last edit {e} is {_ago(gap)} before registration {r}", evidence=f"{e} < {r}")


@rule(
    "FL303",
    "event-end-before-start",
    "error",
    options=[FORMAT, EVENT_START, EVENT_END],
    tags=("dates",),
    examples=[
        bad({"content_date_event_start": "2026-05-20 18:00:00", "content_date_event_end": "2026-05-19 22:00:00"}, "the event ends the day before it starts", pointers=["/content_date_event_end"]),
        good({"content_date_event_start": "2026-05-20 18:00:00", "content_date_event_end": "2026-05-20 18:00:00"}, "an instant event: end equals start"),
        good({"content_date_event_start": "2026-05-20 18:00:00", "content_date_event_end": None}, "an open-ended event"),
    ],
)
def event_end_before_start(record, options) -> Iterator[Hit]:
    """The event's end is earlier than its start.

    Checked only when both are set (either may be null).  Reported at the end
    value; the message names both.
    """
    pair = _reversed_pair(record, options["event-start-field"], options["event-end-field"], options["format"])
    if pair is not None:
        s, e, gap = pair
        yield Hit(_ptr(options["event-end-field"]), f"event ends at {e}, {_ago(gap)} before it starts at {s}", evidence=f"{e} < {s}")


@rule(
    "FL304",
    "date-too-old",
    "warning",
    options=[
        FORMAT,
        Option("min-year", 1990, "dates before 1 January of this year are implausible for a record of this CMS"),
        Option("event-fields", EVENT_FIELDS, "fields about the story's subject, which may be historical: checked against event-min-year instead"),
        Option("event-min-year", 1900, "earliest plausible year for the event fields"),
    ],
    tags=("dates",),
    examples=[
        bad({"content_date_register": "1970-01-01 00:00:00"}, "the Unix epoch, a typical placeholder", pointers=["/content_date_register"]),
        good({"content_date_event": "1979-02-11 10:00:00"}, "a story about a historical event"),
    ],
)
def date_too_old(record, options) -> Iterator[Hit]:
    """A date earlier than this CMS can have written (the Unix epoch, year 1, a typo like 1026).

    Publication, registration, edit and score dates before `min-year` (1990)
    are placeholders or typos.  The event fields (`event-fields`) may refer to
    history, so they are only held to `event-min-year` (1900).
    """
    table = date_table(record, options["format"])
    if table.earliest is None or table.earliest.year >= max(options["min-year"], options["event-min-year"]):
        return  # the oldest date clears the higher floor: no date can be too old
    yield from _too_old(table, options)


def _too_old(table: DateTable, options: Any) -> Iterator[Hit]:
    """FL304 date by date (the exact check behind the one-comparison exit)."""
    events = set(options["event-fields"])
    for pointer, p in table.valid:
        name = pointer_name(pointer)
        floor = options["event-min-year"] if name in events else options["min-year"]
        if p.when.year < floor:
            hint = " (the Unix epoch: a placeholder for a missing date)" if p.value.startswith("1970-01-01") else ""
            yield Hit(pointer, f"{name} {p.value} is before {floor}{hint}", evidence=p.value)


@rule(
    "FL305",
    "date-in-future",
    "warning",
    options=[
        FORMAT,
        NOW,
        Option("tolerance-hours", 48, "how far past now a system-written date (registration, edit, score) may be: clock skew and time zones", minimum=0),
        Option("scheduled-fields", ["content_date_start"], "fields an editor may set ahead (scheduled publication)"),
        Option("scheduled-tolerance-days", 90, "how far ahead a scheduled field may be", minimum=0),
        Option("event-fields", EVENT_FIELDS, "fields about the story's subject (an upcoming match, an exhibition)"),
        Option("event-tolerance-days", 3660, "how far ahead an event field may be", minimum=0),
    ],
    tags=("dates",),
    examples=[
        bad({"content_date_last_edit": "2099-05-12 09:20:41"}, "an edit dated decades ahead", pointers=["/content_date_last_edit"]),
        good({"content_date_start": "2026-05-14 06:00:00"}, "publication scheduled two days after registration", options={"now": "2026-05-12T09:30:00"}),
    ],
)
def date_in_future(record, options) -> Iterator[Hit]:
    """A date later than now plus a tolerance that depends on who writes the field.

    Registration, last edit and score dates are written by the system at the
    time: beyond `tolerance-hours` (48 h, enough for any time zone) they are
    wrong.  Publication may be scheduled (`scheduled-fields`, up to
    `scheduled-tolerance-days`, 90) and event dates may lie years ahead
    (`event-fields`, up to `event-tolerance-days`, about ten years — this
    catches 2099 and 9999 typos).  "Now" is the clock in UTC, or the `now`
    option for reproducible runs.  Dates far after the newest date of the
    whole export are a dataset-level question, not this rule's.
    """
    now = now_from(options["now"])
    table = date_table(record, options["format"])
    if table.latest is None or table.latest - now <= min(_future_limits(options)):  # a difference: ``now + limit`` can pass the year 9999
        return  # the newest date is within the tightest tolerance: no date can be too far ahead
    yield from _in_future(table, now, options)


def _future_limits(options: Any) -> tuple[timedelta, timedelta, timedelta]:
    """FL305's tolerances for system-written, scheduled and event dates."""
    return _limits(options["tolerance-hours"], options["scheduled-tolerance-days"], options["event-tolerance-days"])


@lru_cache(maxsize=16)
def _limits(hours: float, scheduled_days: float, event_days: float) -> tuple[timedelta, timedelta, timedelta]:
    return tolerance(hours=hours), tolerance(days=scheduled_days), tolerance(days=event_days)


def _in_future(table: DateTable, now: datetime, options: Any) -> Iterator[Hit]:
    """FL305 date by date (the exact check behind the one-comparison exit)."""
    system, scheduled_limit, event_limit = _future_limits(options)
    scheduled, events = set(options["scheduled-fields"]), set(options["event-fields"])
    for pointer, p in table.valid:
        name = pointer_name(pointer)
        if name in events:
            limit, why = event_limit, "event dates"
        elif name in scheduled:
            limit, why = scheduled_limit, "scheduled dates"
        else:
            limit, why = system, "system-written dates"
        if p.when - now > limit:
            yield Hit(pointer, f"{name} {p.value} is {_ago(p.when - now)} in the future (tolerance for {why}: {_ago(limit)}; now {now:%Y-%m-%d %H:%M:%S} UTC)", evidence=p.value)


@rule(
    "FL306",
    "published-long-before-register",
    "note",
    options=[FORMAT, START, REGISTER, Option("tolerance-hours", 24, "how long before registration a publication date may lie (a form opened, then saved)", minimum=0)],
    tags=("dates",),
    precision="medium",
    examples=[
        bad({"content_date_start": "2026-05-09 09:14:05"}, "published three days before the record was created", pointers=["/content_date_start"]),
        good({"content_date_start": "2026-05-12 09:14:05", "content_date_register": "2026-05-12 09:16:30"}, "publication stamped when the form was opened, two minutes before saving"),
    ],
)
def published_long_before_register(record, options) -> Iterator[Hit]:
    """The publication date lies long before the record was created.

    A publication date a little before registration is normal: the CMS stamps
    the publication time when the editor opens the form and the registration
    time when it is saved (the seed export shows 11:53:01 vs 11:54:51).  Beyond
    `tolerance-hours` (24) the record was backdated — legitimate for archive
    imports, a mistake otherwise — so this is only a note.  The message says
    "publication date", not "published": a draft may carry one too (Ghost
    keeps the date an editor picks before publishing).
    """
    fmt = options["format"]
    start, reg = valid_date(record, options["start-field"], fmt), valid_date(record, options["register-field"], fmt)
    limit = hours_tolerance(options["tolerance-hours"])
    if start is not None and reg is not None and reg - start > limit:
        s, r = record.get(options["start-field"]), record.get(options["register-field"])
        yield Hit(_ptr(options["start-field"]), f"publication date {s} is {_ago(reg - start)} before the record was registered {r} (tolerance {_ago(limit)})", evidence=f"{s} < {r}")


RULES = [impossible_date, edit_before_register, event_end_before_start, date_too_old, date_in_future, published_long_before_register]  # FL307, FL308 (attachment folders): rules/attachments.py
