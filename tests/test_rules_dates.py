"""FL3xx date rules through the real engine: the defect at its exact position, look-alikes left alone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from conftest import SEED_EXPORT, base_record, line_col, needs_seeds, run_engine, write_export_file
from feedlint.api import SetupError


def run(path: Path, select: str = "FL3", config: dict | None = None):
    return run_engine(path, select, config)


write = write_export_file


def value_offset(text: str, value: str, occurrence: int = 0) -> int:
    """Offset of the first character inside the quotes of the n-th ``"value"`` in the file."""
    idx = -1
    for _ in range(occurrence + 1):
        idx = text.index(f'"{value}"', idx + 1)
    return idx + 1


def ids(findings) -> list[str]:
    return [f.rule_id for f in findings]


# -- FL301 impossible-date ---------------------------------------------------

def test_thirtieth_of_february_points_at_the_day(tmp_path):
    p, text = write(tmp_path, [base_record(content_date_register="2026-02-30 10:00:00", content_date_last_edit="2026-03-01 10:00:00")])
    findings, _ = run(p)
    [f] = [f for f in findings if f.rule_id == "FL301"]
    assert f.record_pointer == "/content_date_register" and f.pointer == "/0/0/content_date_register"
    start = value_offset(text, "2026-02-30 10:00:00") + 8
    assert (f.region.offset, f.region.length) == (start, 2)
    assert text[f.region.offset : f.region.offset + f.region.length] == "30"
    assert (f.region.start_line, f.region.start_column) == line_col(text, start)
    assert "February 2026" in f.message and "28 days" in f.message


def test_hour_25_on_a_pretty_crlf_export_exact_line_and_column(tmp_path):
    p, text = write(tmp_path, [base_record(), base_record(content_id=510002, content_date_last_edit="2026-06-24 25:00:00")], layout="flat", pretty=True, crlf=True)
    assert "\r\n" in text
    findings, _ = run(p, "FL301")
    [f] = findings
    assert f.content_id == 510002 and f.record_pointer == "/content_date_last_edit" and f.pointer == "/1/content_date_last_edit"
    start = value_offset(text, "2026-06-24 25:00:00") + 11
    assert text[start : start + 2] == "25"
    assert (f.region.start_line, f.region.start_column) == line_col(text, start)
    assert f.region.start_line > 1
    assert f.message == "hour 25 is out of range 00-23"


@pytest.mark.parametrize(
    "value,part,needle",
    [
        ("2026-13-01 10:00:00", "month 13", "13"),
        ("2026-04-31 10:00:00", "day 31", "31"),
        ("2026-02-29 10:00:00", "day 29", "29"),  # 2026 is not a leap year
        ("1900-02-29 10:00:00", "day 29", "29"),  # century, not a leap year
        ("2026-06-24 23:60:00", "minute 60", "60"),
        ("2026-06-24 23:59:60", "second 60", "60"),
        ("2026-06-24 24:00:00", "hour 24", "24"),
        ("2026-00-10 10:00:00", "month 00", "00"),
    ],
)
def test_impossible_components(tmp_path, value, part, needle):
    p, text = write(tmp_path, [base_record(content_date_event=value)])
    [f] = run(p, "FL301")[0]
    assert f.record_pointer == "/content_date_event" and part in f.message
    assert text[f.region.offset : f.region.offset + f.region.length] == needle
    assert value_offset(text, value) <= f.region.offset < value_offset(text, value) + len(value)


def test_zero_date_reported_as_placeholder(tmp_path):
    p, text = write(tmp_path, [base_record(content_date_event="0000-00-00 00:00:00")])
    [f] = run(p, "FL301")[0]
    assert "zero date" in f.message and "null" in f.message
    assert f.region.offset == value_offset(text, "0000-00-00 00:00:00") - 1  # the whole value, quotes included


@pytest.mark.parametrize(
    "changes",
    [
        {"content_date_register": "2024-02-29 10:00:00", "content_date_last_edit": "2024-02-29 23:59:59", "content_date_start": "2024-02-29 09:00:00", "content_date_event": "2024-02-29 09:00:00"},
        {"content_date_event": "2000-02-29 00:00:00"},  # divisible by 400: a leap year
        {"content_date_event_start": None, "content_date_event_end": None, "score_date_last": None},
        {"content_date_event": "2026-12-31 23:59:59"},
    ],
)
def test_real_dates_and_nulls_not_flagged(tmp_path, changes):
    p, _ = write(tmp_path, [base_record(**changes)])
    assert run(p, "FL301")[0] == []


def test_wrong_shape_is_the_schema_rules_not_reported_twice(tmp_path):
    p, _ = write(tmp_path, [base_record(content_date_start="24/06/2026 11:53", content_date_event="2026-6-24 11:53:01")])
    findings, _ = run(p, "FL101,FL301")
    assert sorted((f.rule_id, f.record_pointer) for f in findings) == [("FL101", "/content_date_event"), ("FL101", "/content_date_start")]


def test_custom_format_and_unsupported_directive(tmp_path):
    rec = base_record(content_date_event="30.02.2026 10:00")
    p, text = write(tmp_path, [rec])
    [f] = run(p, "FL301", {"rules": {"FL301": {"format": "%d.%m.%Y %H:%M"}}})[0]
    assert f.record_pointer == "/content_date_event"
    assert text[f.region.offset : f.region.offset + 2] == "30"
    findings, engine = run(p, "FL301", {"rules": {"FL301": {"format": "%d %b %Y"}}})
    assert findings == [] and any("%b is not supported" in e for e in engine.setup_errors)


def test_date_roles_are_configuration(tmp_path):
    rec = base_record(content_source="2026-02-30 10:00:00")
    p, _ = write(tmp_path, [rec])
    assert run(p, "FL301")[0] == []
    roles = {"fields": {"cms": {"dates": ["/content_source"]}}}
    [f] = run(p, "FL301", roles)[0]
    assert f.record_pointer == "/content_source"


# -- FL302 / FL303 order -----------------------------------------------------

def test_edit_before_register_at_last_edit_naming_both(tmp_path):
    p, text = write(tmp_path, [base_record(content_date_last_edit="2026-05-12 09:10:00")])
    [f] = run(p, "FL302")[0]
    assert f.record_pointer == "/content_date_last_edit" and f.severity == "error"
    assert "2026-05-12 09:10:00" in f.message and "2026-05-12 09:16:30" in f.message and "6 min 30 s" in f.message
    start = value_offset(text, "2026-05-12 09:10:00") - 1
    assert (f.region.start_line, f.region.start_column) == line_col(text, start)


def test_edit_equal_to_register_and_seed_like_order_fine(tmp_path):
    recs = [
        base_record(content_date_last_edit="2026-05-12 09:16:30"),
        base_record(content_id=510002, content_date_start="2026-06-24 11:53:01", content_date_register="2026-06-24 11:54:51", content_date_last_edit="2026-06-24 11:54:51", content_date_event="2026-06-24 11:53:01"),
    ]
    p, _ = write(tmp_path, recs)
    assert run(p, "FL302,FL303,FL306")[0] == []


def test_field_names_are_options(tmp_path):
    p, _ = write(tmp_path, [base_record(content_date_event="2026-05-01 00:00:00")])
    [f] = run(p, "FL302", {"rules": {"FL302": {"last-edit-field": "content_date_event"}}})[0]
    assert f.record_pointer == "/content_date_event"


def test_event_end_before_start(tmp_path):
    p, text = write(tmp_path, [base_record(content_date_event_start="2026-05-20 18:00:00", content_date_event_end="2026-05-19 22:00:00")])
    [f] = run(p, "FL303")[0]
    assert f.record_pointer == "/content_date_event_end"
    assert "2026-05-19 22:00:00" in f.message and "2026-05-20 18:00:00" in f.message
    assert f.region.offset == value_offset(text, "2026-05-19 22:00:00") - 1


@pytest.mark.parametrize("start,end", [("2026-05-20 18:00:00", None), (None, "2026-05-19 22:00:00"), ("2026-05-20 18:00:00", "2026-05-20 18:00:00"), ("2026-05-20 18:00:00", "2026-05-22 18:00:00")])
def test_event_order_look_alikes(tmp_path, start, end):
    p, _ = write(tmp_path, [base_record(content_date_event_start=start, content_date_event_end=end)])
    assert run(p, "FL303")[0] == []


def test_impossible_date_does_not_cascade_into_order_rules(tmp_path):
    p, _ = write(tmp_path, [base_record(content_date_register="2026-05-32 09:16:30")])
    assert ids(run(p, "FL3")[0]) == ["FL301"]


# -- FL304 / FL305 plausibility -----------------------------------------------

def test_epoch_and_typo_years_too_old(tmp_path):
    p, text = write(tmp_path, [base_record(content_date_register="1970-01-01 00:00:00", content_date_start="1026-05-12 09:14:05")])
    found = {f.record_pointer: f for f in run(p, "FL304")[0]}
    assert set(found) == {"/content_date_register", "/content_date_start"}
    assert "Unix epoch" in found["/content_date_register"].message
    assert found["/content_date_start"].region.offset == value_offset(text, "1026-05-12 09:14:05") - 1


def test_historical_event_dates_are_fine_but_not_before_event_min_year(tmp_path):
    p, _ = write(tmp_path, [base_record(content_date_event="1979-02-11 10:00:00", content_date_event_start="1945-05-08 00:00:00")])
    assert run(p, "FL304")[0] == []
    p, _ = write(tmp_path, [base_record(content_date_event="0001-01-01 00:00:00")])
    [f] = run(p, "FL304")[0]
    assert f.record_pointer == "/content_date_event"
    p, _ = write(tmp_path, [base_record(content_date_register="1995-01-01 00:00:00", content_date_start="1995-01-01 00:00:00", content_date_last_edit="1995-01-01 00:00:00")])
    assert run(p, "FL304")[0] == []
    assert len(run(p, "FL304", {"rules": {"FL304": {"min-year": 2000}}})[0]) == 3


NOW = {"now": "2026-05-12T09:30:00"}


def test_future_tolerances_depend_on_who_writes_the_field(tmp_path):
    rec = base_record(
        content_date_start="2026-06-30 06:00:00",  # scheduled 49 days ahead: fine
        content_date_event_start="2030-09-01 10:00:00",  # an event years ahead: fine
        content_date_last_edit="2026-05-14 10:00:00",  # 48 h 30 min ahead of now: system date too far ahead
        content_date_register="2026-05-13 09:16:30",  # one day ahead: time-zone slack
    )
    p, text = write(tmp_path, [rec])
    [f] = run(p, "FL305", {"rules": {"FL305": NOW}})[0]
    assert f.record_pointer == "/content_date_last_edit" and "2026-05-14 10:00:00" in f.message and "2 days 30 min in the future" in f.message
    assert f.region.offset == value_offset(text, "2026-05-14 10:00:00") - 1


def test_far_scheduled_publication_and_event_typo(tmp_path):
    rec = base_record(content_date_start="2026-10-01 06:00:00", content_date_event_end="2099-01-01 00:00:00")
    p, _ = write(tmp_path, [rec])
    assert {f.record_pointer for f in run(p, "FL305", {"rules": {"FL305": NOW}})[0]} == {"/content_date_start", "/content_date_event_end"}
    options = dict(NOW, **{"scheduled-tolerance-days": 365})
    assert {f.record_pointer for f in run(p, "FL305", {"rules": {"FL305": options}})[0]} == {"/content_date_event_end"}


def test_future_against_the_real_clock(tmp_path):
    p, _ = write(tmp_path, [base_record(content_date_register="2999-01-01 00:00:00")])
    assert [f.record_pointer for f in run(p, "FL305")[0]] == ["/content_date_register"]
    p, _ = write(tmp_path, [base_record()])
    assert run(p, "FL305")[0] == []


def test_bad_now_option_is_a_setup_error(tmp_path):
    p, _ = write(tmp_path, [base_record()])
    findings, engine = run(p, "FL305", {"rules": {"FL305": {"now": "yesterday"}}})
    assert findings == [] and engine.setup_errors


# -- FL306 publication vs registration ------------------------------------------

def test_publication_days_before_registration_is_a_note(tmp_path):
    p, text = write(tmp_path, [base_record(content_date_start="2026-05-09 09:14:05")])
    [f] = run(p, "FL306")[0]
    assert f.severity == "note" and f.record_pointer == "/content_date_start"
    assert "2026-05-09 09:14:05" in f.message and "2026-05-12 09:16:30" in f.message
    assert f.region.offset == value_offset(text, "2026-05-09 09:14:05") - 1


def test_publication_minutes_or_hours_before_registration_is_normal(tmp_path):
    p, _ = write(tmp_path, [base_record(content_date_start="2026-05-11 10:00:00"), base_record(content_id=2, content_date_start="2026-05-20 10:00:00")])
    assert run(p, "FL306")[0] == []
    assert len(run(p, "FL306", {"rules": {"FL306": {"tolerance-hours": 1}}})[0]) == 1


# -- FL307 attachment folder vs last edit -------------------------------------------

def test_folder_month_after_last_edit_points_at_the_folder_in_escaped_paths(tmp_path):
    rec = base_record(content_date_last_edit="2026-04-20 09:20:41", content_date_register="2026-04-20 09:16:30", content_date_start="2026-04-20 09:14:05", content_date_event="2026-04-20 09:14:05")
    p, text = write(tmp_path, [rec])
    findings = run(p, "FL307")[0]
    assert len(findings) == 1  # one per attachment (six renditions and the original are all late), at its first path
    f = findings[0]
    assert f.record_pointer == "/attaches/0/sizes/150"
    assert f.message.endswith("(all 7 of its 7 paths)")
    assert f.evidence == "202605 > 2026-04-20 09:20:41"  # the first path's fingerprint of old (evidence and pointer unchanged)
    escaped = ".\\/cache\\/3\\/attach\\/202605\\/880001_2718281828_150_84.webp"
    start = text.index(escaped) + escaped.index("202605")
    assert (f.region.offset, f.region.length) == (start, 6)
    assert (f.region.start_line, f.region.start_column) == line_col(text, start)
    assert "202605" in f.message and "2026-04-20 09:20:41" in f.message


def test_folder_after_edit_is_one_finding_per_attachment_counting_its_late_paths(tmp_path):
    """Three attachments: the first partly in a late folder (its 300 and 600 renditions), the second in time
    (not flagged), the third wholly late: one finding each for the first and third, at their first late path."""
    import copy

    rec = base_record(content_date_last_edit="2026-04-20 09:20:41")
    first = rec["attaches"][0]
    in_time = {k: v.replace("202605", "202604") for k, v in first["sizes"].items()}
    partly = copy.deepcopy(first)
    partly["sizes"] = dict(in_time, **{k: first["sizes"][k] for k in ("300", "600")})
    partly["files"]["original"]["url"] = first["files"]["original"]["url"].replace("202605", "202604")
    ok = copy.deepcopy(partly)
    ok["sizes"] = in_time
    rec["attaches"] = [partly, ok, copy.deepcopy(first)]
    p, text = write(tmp_path, [rec])
    findings = run(p, "FL307")[0]
    assert [(f.record_pointer, f.message.rsplit("(", 1)[1]) for f in findings] == [("/attaches/0/sizes/300", "2 of its 7 paths)"), ("/attaches/2/sizes/150", "all 7 of its 7 paths)")]
    late = text.index("202605")  # the first late folder in the file: attachment 0's 300 rendition
    assert (findings[0].region.offset, findings[0].region.length) == (late, 6)
    assert (findings[0].region.start_line, findings[0].region.start_column) == line_col(text, late)


@pytest.mark.parametrize("last_edit", ["2026-05-01 00:00:00", "2026-04-30 23:30:00", "2026-07-01 08:00:00"])
def test_folder_month_look_alikes(tmp_path, last_edit):
    p, _ = write(tmp_path, [base_record(content_date_last_edit=last_edit)])
    assert run(p, "FL307")[0] == []


# -- FL308 attachment folder long before publication ----------------------------------------

def _published(day: str) -> dict:
    return base_record(content_date_start=day, content_date_event=day, content_date_register=day, content_date_last_edit=day)


def test_featured_image_filed_months_before_the_story_points_at_the_folder(tmp_path):
    """A story of October whose image sits in the May folder (a WordPress look-alike): each path, at its folder digits."""
    p, text = write(tmp_path, [_published("2026-10-01 08:00:00")])
    findings = run(p, "FL3")[0]
    assert [f.rule_id for f in findings] == ["FL308"] * 7 and findings[0].severity == "note"
    f = findings[0]
    assert f.record_pointer == "/attaches/0/sizes/150"
    escaped = ".\\/cache\\/3\\/attach\\/202605\\/880001_2718281828_150_84.webp"
    start = text.index(escaped) + escaped.index("202605")
    assert (f.region.offset, f.region.length) == (start, 6)
    assert (f.region.start_line, f.region.start_column) == line_col(text, start)
    assert "202605" in f.message and "2026-10-01 08:00:00" in f.message


@pytest.mark.parametrize("day", ["2026-05-12 09:14:05", "2026-06-01 00:05:00", "2026-08-31 23:59:59"])
def test_images_uploaded_ahead_of_the_story_are_fine(tmp_path, day):
    """The same month, across a month boundary, three months ahead: normal."""
    p, _ = write(tmp_path, [_published(day)])
    assert run(p, "FL308")[0] == []


def test_months_before_option(tmp_path):
    p, _ = write(tmp_path, [_published("2026-09-01 08:00:00")])
    assert len(run(p, "FL308")[0]) == 7
    assert run(p, "FL308", {"rules": {"FL308": {"months-before": 4}}})[0] == []


# -- the seed ----------------------------------------------------------------------------

@needs_seeds()
def test_seed_has_no_date_findings():
    findings, _ = run(SEED_EXPORT, "FL3")
    assert findings == []


# -- tolerances at the edge of the calendar ---------------------------------------------

def test_huge_tolerances_and_dates_near_the_year_9999_never_crash(tmp_path):
    """Tolerances beyond a timedelta (~2.7 million years) tolerate everything; dates near 9999-12-31 plus a tolerance do not overflow."""
    rec = base_record(content_date_last_edit="9999-12-31 23:00:00", content_date_register="2026-05-12 09:16:30", content_date_start="0001-01-02 00:00:00")
    p, _ = write(tmp_path, [rec])
    huge = {"tolerance-hours": 10**15, "scheduled-tolerance-days": 10**13, "event-tolerance-days": 10**13}
    findings, engine = run(p, "FL305,FL306,FL307", {"rules": {"FL305": dict(NOW, **huge), "FL306": {"tolerance-hours": 10**15}, "FL307": {"tolerance-hours": 10**15}}})
    assert engine.internal_errors == [] and engine.setup_errors == []
    assert findings == []
    # the same record with the default tolerances: every rule reports, none crashes (the folder is before the edit: no FL307)
    findings, engine = run(p, "FL305,FL306,FL307", {"rules": {"FL305": NOW}})
    assert engine.internal_errors == []
    assert sorted(f.rule_id for f in findings) == ["FL305", "FL306"]


def test_attachment_folder_check_near_the_end_of_the_calendar(tmp_path):
    """An edit on 9999-12-31 plus the 24 h slack is past datetime's range: compared as a difference, not a sum."""
    rec = base_record(content_date_last_edit="9999-12-31 12:00:00")
    p, _ = write(tmp_path, [rec])
    findings, engine = run(p, "FL307")
    assert engine.internal_errors == [] and findings == []


def test_several_formats_read_a_value_with_the_first_whose_shape_it_has():
    """``format`` may list formats (a Ghost export from SQLite writes "2017-10-24 10:55:10" beside ISO exports)."""
    from feedlint.rules._datetimes import format_key, parse

    formats = format_key(["%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S"])
    assert parse("2017-10-24T10:55:10.000+02:00", formats).when == datetime(2017, 10, 24, 8, 55, 10)  # in UTC
    assert parse("2017-10-24 10:55:10", formats).when == datetime(2017, 10, 24, 10, 55, 10)
    bad = parse("2017-02-30 10:55:10", formats)
    assert (bad.when, bad.span) == (None, (8, 10))  # the second format's day
    neither = parse("24/10/2017", formats)
    assert (neither.when, neither.shape_ok, neither.problem) == (None, False, None)  # left to the schema (FL101)
    for wrong in ([], ["%Y-%m-%d", 3]):
        with pytest.raises(SetupError, match="list of formats"):
            format_key(wrong)
