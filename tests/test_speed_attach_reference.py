"""The attachment and date rules' shortcuts against the general path they skip.

Each ``_ref_*`` below is the rule as it was before its shortcut (the general
computation, kept here verbatim); the rule must give the same hits (pointer,
message, evidence, span, fix) on fuzzed records and option sets that reach
both sides of every exit.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, Iterator

import pytest

from feedlint.api import Hit
from feedlint.rules import attachments as fl5
from feedlint.rules._datetimes import hours_tolerance, valid_date
from feedlint.rules._paths import attach_index

from test_speed_dates_attachments import CATALOGUE, RECORDS, fuzzed, record


def _ref_fl307(record, options) -> Iterator[Hit]:
    edit = valid_date(record, options["last-edit-field"], options["format"])
    if edit is None:
        return
    index = attach_index(record, options)
    slack = hours_tolerance(options["tolerance-hours"])
    later: dict[str, bool] = {}
    for folder in index.distinct("yyyymm"):
        start = fl5._month_start(folder)
        later[folder] = start is not None and start - edit > slack
    if not any(later.values()):
        return
    last = record.get(options["last-edit-field"])
    for group in index.groups:
        folders = group.part_column("yyyymm")
        late = [k for k, folder in enumerate(folders) if folder is not None and later[folder]]
        if late:
            first = group.path(late[0])
            folder = folders[late[0]]
            yield Hit(first.pointer, f"attachment folder {folder} is later than the last edit {last} ({fl5._late_count(len(late), len(folders))})", evidence=f"{folder} > {last}", span=first.span("yyyymm"))


def _ref_fl308(record, options) -> Iterator[Hit]:
    start = valid_date(record, options["start-field"], options["format"])
    if start is None:
        return
    created = valid_date(record, options["register-field"], options["format"]) if options["register-field"] else None
    earliest = min(start, created) if created is not None else start
    index = attach_index(record, options)
    limit = earliest.year * 12 + earliest.month - 1 - options["months-before"]
    early = {folder for folder in index.distinct("yyyymm") if fl5._month_start(folder) is not None and int(folder[:4]) * 12 + int(folder[4:]) - 1 < limit}
    if not early:
        return
    published = record.get(options["start-field"])
    since = f"the publication {published}" if earliest == start else f"the creation {record.get(options['register-field'])} (published {published})"
    for ap in index.paths:
        folder = ap.parts.get("yyyymm")
        if folder in early:
            yield Hit(ap.pointer, f"attachment folder {folder} is more than {options['months-before']} months before {since}", evidence=f"{folder} < {published}", span=ap.span("yyyymm"))


REFERENCES = {"FL307": _ref_fl307, "FL308": _ref_fl308}


def _hits(hits) -> list[tuple]:
    return [(h.pointer, h.message, h.evidence, h.span, h.on_key, None if h.fix is None else (h.fix.replacement, h.fix.description, h.fix.applicability)) for h in hits]


def _dated(seed: int, n: int) -> list[dict]:
    """Fuzzed records whose last-edit and start dates fall around their folders' months (both sides of FL307's and FL308's exits)."""
    rng = random.Random(seed)
    out = []
    for data in fuzzed(seed, n):
        for name in ("content_date_last_edit", "content_date_start", "content_date_register"):
            if rng.random() < 0.7:
                when = datetime(rng.choice([2, 2025, 2026, 2026, 2026, 9998]), rng.choice([1, 2, 3, 4, 5, 6, 7, 12]), rng.choice([1, 15, 28]) if rng.random() < 0.5 else 1) + timedelta(minutes=rng.choice([-1, 0, 1, 23 * 60 + 59]))
                data[name] = f"{when.year:04d}-{when.month:02d}-{when.day:02d} {when.hour:02d}:{when.minute:02d}:{when.second:02d}"
        out.append(data)
    return out


DATED = RECORDS + _dated(7, 1500)
OPTION_SETS = {
    "FL307": [None, {"tolerance-hours": 0}, {"tolerance-hours": 1}, {"tolerance-hours": 2000}, {"tolerance-hours": 47}],
    "FL308": [None, {"months-before": 0}, {"months-before": 1}, {"months-before": 12}, {"months-before": 2}, {"register-field": ""}],
}


@pytest.mark.parametrize("rule_id", sorted(REFERENCES))
def test_rule_agrees_with_its_general_path(rule_id):
    rule = CATALOGUE[rule_id]
    reported = exits = 0
    for given in OPTION_SETS.get(rule_id, [None]):
        options = rule.resolve_options(given)
        for data in DATED:
            want = _hits(REFERENCES[rule_id](record(data), options))
            got = _hits(rule.check(record(data), options))
            assert got == want, (rule_id, given, data)
            reported += bool(want)
            exits += not want
    assert reported >= 50 and exits >= 50, (reported, exits)


def test_month_folders_are_the_valid_distinct_folders_in_order():
    options = CATALOGUE["FL307"].resolve_options(None)
    for data in DATED:
        index = attach_index(record(data), options)
        want = sorted(f for f in index.distinct("yyyymm") if fl5._month_start(f) is not None)
        assert index.months == want
        assert [fl5._month_start(f) for f in want] == sorted(fl5._month_start(f) for f in want)


def _ref_table(record, fmt):
    """The date table as it was built: the role's fields (through ``fields_with_role``), each parsed, then sorted and bounded in separate passes."""
    from feedlint.rules._datetimes import parse

    by_value: dict = {}
    rows = []
    for pointer, value in record.fields_with_role("dates"):
        if value not in by_value:
            by_value[value] = parse(value, fmt)
        rows.append((pointer, by_value[value]))
    valid = [(pointer, p) for pointer, p in rows if p.when is not None]
    problems = [(pointer, p) for pointer, p in rows if p.when is None and p.problem is not None]
    whens = [p.when for _, p in valid]
    return rows, valid, problems, (min(whens) if whens else None), (max(whens) if whens else None)


def _rows(rows):
    return [(pointer, p.value, p.when, p.shape_ok, p.problem, p.span) for pointer, p in rows]


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M:%S", "rfc3339", "%Y-%m-%dT%H:%M:%S%z", "%d/%m/%Y"])
def test_date_table_in_one_pass_is_the_table_of_separate_passes(fmt):
    from feedlint.rules._datetimes import date_table

    rng = random.Random(fmt)
    shapes = ["2026-05-01T10:00:00+02:00", "2026-05-01T10:00:00Z", "2026-05-01 10:00:00-0130", "01/05/2026", "02/05/2026", "15/12/1999", "31/02/2026", "2026-05-01T25:00:00Z"]
    bounded = 0
    for data in DATED:
        data = dict(data)
        for name in ("content_date_event_start", "content_date_event_end", "score_date_last"):
            if rng.random() < 0.6:
                data[name] = rng.choice(shapes)
        table = date_table(record(data), fmt)
        rows, valid, problems, earliest, latest = _ref_table(record(data), fmt)
        assert (_rows(table.fields), _rows(table.valid), _rows(table.problems), table.earliest, table.latest) == (_rows(rows), _rows(valid), _rows(problems), earliest, latest)
        bounded += earliest is not None and earliest != latest
    assert bounded >= 20, bounded


def test_paths_parsed_once_across_records_are_the_paths_parsed_per_record():
    """The parse kept across records (one image shared by many) gives each group what parsing it afresh gives, and no rule changes what is kept.

    300 records' attachments through a cache of 256: entries are dropped and parsed again many times over.
    """
    import copy

    from feedlint.rules import _paths
    from feedlint.rules._paths import AttachGroup, attachment_paths

    _paths.parsed_paths.cache_clear()
    rng = random.Random(5)
    pool = DATED[:300]
    options = CATALOGUE["FL501"].resolve_options(None)
    rt, ot = (_paths.compile_template(options[k]) for k in ("rendition-template", "original-template"))
    fl5_ids = [rid for rid in CATALOGUE if rid.startswith("FL5")] + ["FL307", "FL308"]
    for _ in range(2000):
        data = rng.choice(pool)
        rec = record(data)
        index = attach_index(rec, options)
        entries = attachment_paths(record(data))
        for group, entry in zip(index.groups, entries, strict=True):
            fresh = AttachGroup(*entry, rt, ot)
            assert (group.original_parts, group.regular, group.columns) == (fresh.original_parts, fresh.regular, fresh.columns)
        kept = [copy.deepcopy(_paths.parsed_paths(rt, ot, values, url)) for *_, values, url in entries]
        for rid in fl5_ids:
            list(CATALOGUE[rid].check(rec, CATALOGUE[rid].resolve_options(None)))
        assert [_paths.parsed_paths(rt, ot, values, url) for *_, values, url in entries] == kept
    info = _paths.parsed_paths.cache_info()
    assert info.hits > 1000 and info.misses > 300, info  # kept across records, and dropped and parsed again
