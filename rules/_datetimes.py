"""Parse the export's date-time strings once per record, with the span of a bad component.

The declared format (``%Y-%m-%d %H:%M:%S`` by default), or each of several
declared formats, is turned into a shape regex.  A value not matching the shape is left to the schema rule (FL101); a
value matching it is checked component by component so a finding can point at
the impossible day or hour itself, not just the whole value.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Iterable

from feedlint import pointer as _jp
from feedlint.api import SetupError

from ._excerpt import quoted

DEFAULT_FORMAT = "%Y-%m-%d %H:%M:%S"
_DIRECTIVES = {
    "Y": ("year", "[0-9]{4}"),
    "m": ("month", "[0-9]{2}"),
    "d": ("day", "[0-9]{2}"),
    "H": ("hour", "[0-9]{2}"),
    "M": ("minute", "[0-9]{2}"),
    "S": ("second", "[0-9]{2}"),
    "f": ("fraction", "[0-9]{1,9}"),  # fractions of a second: matched, not compared
    "z": ("tz", "Z|[+-][0-9]{2}:?[0-9]{2}"),  # a UTC offset: the value is compared in UTC
}
# RFC 3339 (JSON Feed, Atom, most APIs): optional fraction, a UTC offset or Z, T or a space.
RFC3339 = "rfc3339"
_RFC3339_SHAPE = r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})[Tt ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.[0-9]+)?(?P<tz>[Zz]|[+-][0-9]{2}:[0-9]{2})"
_LIMITS = {"hour": 23, "minute": 59, "second": 59}
_EPOCH = datetime(1970, 1, 1)  # naive UTC
_fromisoformat = datetime.fromisoformat


@lru_cache(maxsize=16)
def shape(fmt: str) -> "re.Pattern[str]":
    """The format as a full-match regex with one named group per component (``rfc3339``: RFC 3339 date-times)."""
    if fmt == RFC3339:
        return re.compile(_RFC3339_SHAPE)
    out: list[str] = []
    seen: set[str] = set()
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%" and i + 1 < len(fmt):
            d = fmt[i + 1]
            if d == "%":
                out.append("%")
            elif d in _DIRECTIVES and _DIRECTIVES[d][0] not in seen:
                name, rx = _DIRECTIVES[d]
                out.append(f"(?P<{name}>{rx})")
                seen.add(name)
            else:
                raise SetupError(f"date format {fmt!r}: directive %{d} is not supported (use %Y %m %d %H %M %S %f %z, each once, or 'rfc3339')")
            i += 2
            continue
        out.append(re.escape(ch))
        i += 1
    if "year" not in seen or "month" not in seen or "day" not in seen:
        raise SetupError(f"date format {fmt!r} needs at least %Y, %m and %d")
    return re.compile("".join(out))


class Parsed:
    """A date value: ``when`` when valid; ``problem`` and ``span`` when the calendar rejects it.

    Read-only by convention.  A slotted class rather than a frozen dataclass:
    one is built for every date of every record, and a frozen dataclass costs
    three times as much to construct.
    """

    __slots__ = ("value", "when", "shape_ok", "problem", "span")

    def __init__(self, value: str, when: datetime | None = None, shape_ok: bool = False, problem: str | None = None, span: tuple[int, int] | None = None) -> None:
        self.value = value
        self.when = when
        self.shape_ok = shape_ok
        self.problem = problem
        self.span = span

    def __repr__(self) -> str:
        return f"Parsed({self.value!r}, when={self.when!r}, shape_ok={self.shape_ok}, problem={self.problem!r}, span={self.span})"


def format_key(fmt: str | list | tuple) -> str | tuple[str, ...]:
    """The ``format`` option as a key: a format, or several (a list in the config) as a tuple, checked to be formats."""
    if isinstance(fmt, str):
        return fmt
    formats = tuple(fmt)
    if not formats or not all(isinstance(f, str) for f in formats):
        raise SetupError(f"date format {list(formats)!r}: give a format, or a non-empty list of formats")
    return formats


def parse(value: str, fmt: str | tuple[str, ...]) -> Parsed:
    """``value`` read with ``fmt``; with several formats (a tuple), with the first whose shape it has (none: left to the schema, as for one)."""
    if isinstance(fmt, str):
        read, m = fmt, shape(fmt).fullmatch(value)
    else:
        read, m = next(((one, found) for one in fmt if (found := shape(one).fullmatch(value)) is not None), (None, None))
    if m is None:
        return Parsed(value)
    if read == DEFAULT_FORMAT:
        try:  # fast path for the common, valid case; the C parser checks the calendar too
            return Parsed(value, _fromisoformat(value), True)
        except ValueError:
            pass
    groups = m.groupdict()
    tz = groups.pop("tz", None)
    groups.pop("fraction", None)
    parts = {k: int(v) for k, v in groups.items()}
    if all(v == 0 for k, v in parts.items() if k in ("year", "month", "day")):
        return Parsed(value, None, True, f"{quoted(value)} is a zero date (a placeholder for 'no date'); export null instead", None)
    y, mo, d = parts["year"], parts["month"], parts["day"]
    if y < 1:
        return Parsed(value, None, True, f"year {m.group('year')} does not exist", m.span("year"))
    if not 1 <= mo <= 12:
        return Parsed(value, None, True, f"month {m.group('month')} does not exist", m.span("month"))
    last = calendar.monthrange(y, mo)[1]
    if not 1 <= d <= last:
        return Parsed(value, None, True, f"day {m.group('day')} does not exist in {calendar.month_name[mo]} {y} (it has {last} days)", m.span("day"))
    for name, limit in _LIMITS.items():
        if name in parts and parts[name] > limit:
            return Parsed(value, None, True, f"{name} {m.group(name)} is out of range 00-{limit}", m.span(name))
    when = datetime(y, mo, d, parts.get("hour", 0), parts.get("minute", 0), parts.get("second", 0))
    if tz and tz not in "Zz":
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        when -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return Parsed(value, when, True)


class DateTable:
    """Every date of one record, parsed once and shared by all FL3xx rules (via ``record.memo``).

    ``fields`` lists each date-role field; ``problems`` and ``valid`` are the
    two subsets the rules loop over, and ``earliest``/``latest`` bound the
    valid dates so a rule can tell in one comparison that no date is too old
    or too far ahead.  Equal strings are parsed once (a record's start and
    event dates, or its register and last-edit dates, are often the same).
    """

    __slots__ = ("fmt", "fields", "problems", "valid", "earliest", "latest", "_by_value")

    def __init__(self, fmt: str, fields: Iterable[tuple[str, str]]) -> None:
        self.fmt = fmt
        self._by_value: dict[str, Parsed] = {}
        self.fields = rows = []
        self.valid = valid = []
        self.problems = problems = []
        earliest = latest = None
        for pointer, value in fields:  # one pass: each field parsed (once per distinct value), sorted into valid or problem, the bounds kept
            p = self.parse(value)
            row = (pointer, p)
            rows.append(row)
            when = p.when
            if when is not None:
                valid.append(row)
                if earliest is None:
                    earliest = latest = when
                elif when < earliest:
                    earliest = when
                elif when > latest:
                    latest = when
            elif p.problem is not None:
                problems.append(row)
        self.earliest = earliest
        self.latest = latest

    def parse(self, value: str) -> Parsed:
        p = self._by_value.get(value)
        if p is None:
            p = self._by_value[value] = parse(value, self.fmt)
        return p


def pointer_name(pointer: str) -> str:
    """The field name a pointer ends in (``/content_date_start`` -> ``content_date_start``)."""
    return _jp.last(pointer)


def date_table(record: Any, fmt: str | list | tuple) -> DateTable:
    """The record's :class:`DateTable` for ``fmt`` (built by the first rule that asks).

    Kept in one table of the record's, by format, under a fixed key: the
    date rules ask nine times a record, and a key string and a closure made
    per call cost more than the lookup (4,600 instructions a call against 2,600).
    """
    tables = record.memo("fl3:dates", dict)
    key = fmt if isinstance(fmt, str) else format_key(fmt)  # a list of formats from the config: a tuple, to key the table
    table = tables.get(key)
    if table is None:
        table = tables[key] = DateTable(key, record.fields_with_role("dates"))
    return table


def parsed_field(record: Any, name: str, fmt: str) -> Parsed | None:
    """The parsed top-level field ``name`` (None when absent, null or not a string)."""
    value = record.get(name)
    if not isinstance(value, str):
        return None
    return date_table(record, fmt).parse(value)


def now_from(option: str) -> datetime:
    """The reference 'now' (naive, UTC) — the ``now`` option pins it for reproducible runs."""
    if option:
        return _pinned_now(option)
    # the instant datetime.now(timezone.utc) gives, without its time-zone round trip (a µs per record)
    return _EPOCH + timedelta(seconds=time.time())


@lru_cache(maxsize=16)
def _pinned_now(option: str) -> datetime:
    """A pinned ``now`` is read once per run, not once per record."""
    try:
        return datetime.fromisoformat(option).replace(tzinfo=None)
    except ValueError:
        raise SetupError(f"now {option!r} is not an ISO date-time like 2026-06-24T12:00:00") from None


def valid_date(record: Any, name: str, fmt: str) -> datetime | None:
    """The top-level field ``name`` as a date, when it is a valid one (``parsed_field(...).when``)."""
    value = record.get(name)
    return date_table(record, fmt).parse(value).when if isinstance(value, str) else None


def tolerance(**amount: float) -> timedelta:
    """A tolerance option as a timedelta; one beyond what a timedelta holds (about 2.7 million years) tolerates everything."""
    try:
        return timedelta(**amount)
    except OverflowError:
        return timedelta.max if next(iter(amount.values())) > 0 else timedelta.min


@lru_cache(maxsize=16)
def hours_tolerance(hours: float) -> timedelta:
    return tolerance(hours=hours)
