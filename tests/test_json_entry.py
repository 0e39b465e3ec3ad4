"""A finding's JSON entry: ``Finding.as_dict`` in one dict display, and the reporter's remembered profiles.

``as_dict`` writes the place's keys itself instead of merging ``_place``'s
dict (the main process makes one per finding): they must stay the same keys,
in the same order, with the same values, as a related place's.
"""

from __future__ import annotations

import io

from feedlint.model import Finding, Related, _place
from feedlint.reader.positions import Region
from feedlint.reporters.base import RunInfo
from feedlint.reporters.jsonfmt import JsonReporter

REGION = Region(2, 5, 3, 1, 6, 1, 40, 12, 41, 12)

ENTRY_KEYS = ["rule", "name", "severity", "message", "file", "record", "content_id", "pointer", "record_pointer", "line", "column",
              "end_line", "end_column", "column_utf16", "end_column_utf16", "offset", "length", "evidence", "fingerprint"]


def _finding(**changes) -> Finding:
    fields = dict(rule_id="FL201", rule_name="undecoded-entity", severity="warning", message="m", path="a.json", record_index=3,
                  content_id="c-1", pointer="/0/3/content_title", record_pointer="/content_title", region=REGION, evidence="&amp;")
    fields.update(changes)
    return Finding(**fields)


def test_entry_has_the_place_of_place_in_its_order():
    finding = _finding()
    entry = finding.as_dict()
    assert list(entry) == ENTRY_KEYS
    place = _place(finding)
    assert list(entry)[4 : 4 + len(place)] == list(place)
    assert {k: entry[k] for k in place} == place
    assert (entry["column_utf16"], entry["end_column_utf16"], entry["offset"], entry["length"]) == (6, 1, 40, 12)


def test_related_only_when_there_are_some_and_last():
    other = Related("b.json", 0, "c-2", "/0/0/attachments/0", "/attachments/0", REGION)
    entry = _finding(related=(other,)).as_dict()
    assert list(entry) == [*ENTRY_KEYS, "related"]
    assert entry["related"] == [_place(other)]
    assert "related" not in _finding().as_dict()


def test_profile_asked_again_until_known_then_remembered():
    known: dict = {}
    asked: list = []

    def profile_of(path):
        asked.append(path)
        return known.get(path)

    reporter = JsonReporter(io.StringIO())
    reporter.start(RunInfo("0", [], [], "/", profile_of=profile_of))
    assert reporter.entry(_finding())["profile"] is None  # not read yet (or an article): asked again next time
    known["a.json"] = "wordpress"
    assert [reporter.entry(_finding())["profile"] for _ in range(3)] == ["wordpress"] * 3
    assert asked == ["a.json", "a.json"]
    assert reporter.entry(_finding(path="b.json"))["profile"] is None
