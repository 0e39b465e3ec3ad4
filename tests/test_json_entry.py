"""A finding's JSON entry: ``Finding.as_dict`` (a :class:`FindingEntry`'s ``vars``), its encoding, and the reporter's remembered profiles.

``as_dict`` writes the place's keys itself instead of merging ``_place``'s
dict (the main process makes one per finding): they must stay the same keys,
in the same order, with the same values, as a related place's.  An entry
object (what the JSON reporter writes of a worker's findings) is encoded
byte for byte as its dict, by orjson (one at a time or a batch in one
``map``) and by the standard library.
"""

from __future__ import annotations

import io
import random

import pytest

from feedlint.model import Finding, ProfiledEntry, Related, _place
from feedlint.reader.positions import Region
from feedlint.reporters import jsonfmt
from feedlint.reporters.base import RunInfo
from feedlint.reporters.jsonfmt import JsonReporter, encode, encode_all

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


VALUES = ["plain", "curly “quotes” é", "astral 😀", 'escapes " \\ \n \x01 </script>', "lone \ud800 surrogate", "", None, 0, -7, 2**63 - 1, 2**70, 1.5, True,
          [1, "\x00", {"rule": 1}], {"id": 3, "x": [None]}, Region(1, 1, 1, 1, 1, 1, 0, 0, 0, 0)]  # the last one for default=str


NATIVE = [v for v in VALUES if v != 2**70 and not isinstance(v, Region) and "\ud800" not in str(v)]  # what orjson writes without help


def _entry(rng: random.Random, values: list) -> ProfiledEntry:
    return ProfiledEntry(*[rng.choice(values) for _ in ENTRY_KEYS], rng.choice(["cms", None, "wordpress"]))


@pytest.mark.parametrize("with_orjson", [True, False])
@pytest.mark.parametrize("seed", range(40))
def test_an_entry_object_is_encoded_as_its_dict(monkeypatch, seed, with_orjson):
    """One entry or a batch (all of orjson's types, or one for ``default`` or the standard library among them): the bytes of its dict."""
    if not with_orjson:
        monkeypatch.setattr(jsonfmt, "_orjson", None)
    rng = random.Random(seed)
    entries = [_entry(rng, NATIVE if seed % 2 else VALUES) for _ in range(rng.choice([1, 3, 20]))]
    assert list(vars(entries[0])) == [*ENTRY_KEYS, "profile"]
    as_dicts = [encode(dict(vars(e)), "surrogatepass") for e in entries]
    assert [encode(e, "surrogatepass") for e in entries] == as_dicts
    assert encode_all(entries, "surrogatepass") == as_dicts == encode_all([dict(vars(e)) for e in entries], "surrogatepass")
