"""A worker's packed findings reported without Finding objects: the same JSON, byte for byte.

:class:`feedlint.packed.PackedFindings` is what the main process of a parallel
run hands on: a sequence of the :class:`Finding` objects :func:`unpack_findings`
makes, and for the JSON reporter each finding's entry made from its row
(:meth:`PackedFindings.entries`).  Random rows (positions on a range's first
line and on later ones, content ids of every kind, what only the standard
library encodes) are reported both ways and compared.
"""

from __future__ import annotations

import io
import random
from collections import Counter

import pytest

from feedlint.output import atomic_text_writer
from feedlint.reader.positions import Cursor
from feedlint.reporters.base import RunInfo, Summary
from feedlint.reporters.gitlab import GitlabReporter
from feedlint.reporters.jsonfmt import BATCH, JsonReporter
from feedlint.reporters.jsonreport import JsonReportReporter
from feedlint.packed import PackedFindings, count_findings, unpack_findings

RULES = {"FL201": ("undecoded-entity", "warning"), "FL307": ("late-rendition", "note"), "FL101": ("schema", "error")}
TEXTS = ["plain", "curly “quotes” é ß 中文", "astral 😀 𝔘", 'escapes " \\ \n \t \x01 </script> &nbsp;', "line\r\nbreak", "lone \ud800 surrogate", ""]
CONTENT_IDS = [418667, "a-7", None, {"id": 3}, [1, "\x00", {"rule": 1}], 2**70, 1.5, True]
POINTERS = ["/content_body", "/attaches/0/sizes/150", "/a~1b/~0c", ""]


def _fields(rng: random.Random) -> tuple:
    start_line = rng.choice([1, 1, 2, 40])
    end_line = start_line + rng.choice([0, 0, 1])
    start_column, length = rng.randrange(1, 500), rng.randrange(0, 90)
    offset = rng.randrange(0, 10**6)
    return (start_line, start_column, end_line, start_column + length, start_column + 1, start_column + length + 2, offset, length, offset + 3, length + 1)


def _packed(rng: random.Random) -> tuple:
    rows = [
        (rng.choice(list(RULES)), rng.choice(TEXTS), rng.choice(POINTERS), _fields(rng), rng.choice([None, *TEXTS]), "%032x" % rng.getrandbits(128), None)
        for _ in range(rng.choice([1, 1, 3, 9]))
    ]
    return rng.choice(CONTENT_IDS), rows


def _random_batch(seed: int) -> PackedFindings:
    rng = random.Random(seed)
    base = rng.choice([None, Cursor(), Cursor(1, 77, 70, 76, 69), Cursor(12, 5, 4, 9000, 8990)])
    found = PackedFindings(RULES, rng.choice(["export.json", "dir/é.json"]), base)
    for index in range(rng.randrange(1, 40)):
        if rng.random() < 0.6:
            found.add(_packed(rng), index, f"/0/{index}")
    return found


def _run_info(display: str) -> RunInfo:
    return RunInfo("0", [], [display], "/", profile_of={display: "cms"}.get)


def _report(reporter_cls, findings, display: str, stream) -> None:
    reporter = reporter_cls(stream)
    reporter.start(_run_info(display))
    reporter.handle_many(findings)
    reporter.finish(Summary(1, len(findings)))


@pytest.mark.parametrize("seed", range(60))
def test_packed_findings_are_the_unpacked_ones_and_their_entries_their_dicts(seed):
    found = _random_batch(seed)
    unpacked = [f for packed, index, pointer in found._records for f in unpack_findings(packed, RULES, found.display, index, pointer, found._base)]
    assert len(found) == len(unpacked) and list(found) == unpacked
    assert found[0:3] == unpacked[0:3] and (not unpacked or found[-1] == unpacked[-1])
    for size in (1, 4, BATCH):
        lists = list(found.entries(size, "cms"))
        assert all(0 < len(entries) <= size for entries in lists)
        assert [list(vars(e).items()) for entries in lists for e in entries] == [[*f.as_dict().items(), ("profile", "cms")] for f in unpacked]


def _counted(findings, before: list) -> tuple[list, list]:
    """count_findings of ``findings`` into counters already holding ``before``'s findings: items in order."""
    by_rule, by_sev = Counter(), Counter()
    count_findings(before, by_rule, by_sev)
    count_findings(findings, by_rule, by_sev)
    return list(by_rule.items()), list(by_sev.items())


@pytest.mark.parametrize("seed", range(60))
def test_packed_findings_are_counted_as_finding_by_finding_keys_in_the_same_order(seed):
    """Counted a rule at a time from the rows: the counts of the findings, and each counter's keys first met first."""
    found = _random_batch(seed)
    before = list(_random_batch(seed + 1000))[: seed % 4]  # counters already holding some rules and severities
    unpacked = list(_random_batch(seed))
    expected = ([(k, n) for k, n in Counter([f.rule_id for f in before + unpacked]).items()], [(k, n) for k, n in Counter([f.severity for f in before + unpacked]).items()])
    assert _counted(found, before) == _counted(unpacked, before) == expected


@pytest.mark.parametrize("reporter_cls", [JsonReporter, JsonReportReporter, GitlabReporter])
@pytest.mark.parametrize("seed", range(20))
def test_json_reports_of_packed_findings_are_byte_identical(tmp_path, reporter_cls, seed):
    found = _random_batch(seed)
    as_list = list(found)
    fresh = _random_batch(seed)  # not yet unpacked: the reporter takes its rows
    text, packed_text = io.StringIO(), io.StringIO()
    _report(reporter_cls, as_list, found.display, text)
    _report(reporter_cls, fresh, found.display, packed_text)
    assert packed_text.getvalue() == text.getvalue()
    if "\ud800" not in text.getvalue():  # a lone surrogate cannot be written to a UTF-8 file (either way)
        with atomic_text_writer(str(tmp_path / "report.json")) as stream:
            _report(reporter_cls, _random_batch(seed), found.display, stream)
        assert (tmp_path / "report.json").read_bytes() == text.getvalue().encode("utf-8")


def test_a_json_subclass_with_its_own_entry_gets_the_findings():
    class Tagging(JsonReporter):
        def entry(self, finding):
            assert finding.region.start_line >= 1
            return {**super().entry(finding), "tag": finding.rule_id}

    found = _random_batch(3)
    stream = io.StringIO()
    _report(Tagging, found, found.display, stream)
    assert stream.getvalue().count('"tag":"FL') == len(found) > 0


def test_a_long_list_of_packed_findings_is_encoded_a_batch_at_a_time():
    """One record's 50,000 findings may come in one task: at most a batch of entries is made at once."""
    rng = random.Random(5)
    found = PackedFindings(RULES, "export.json", Cursor(1, 10, 10, 9, 9))
    found.add((7, [(*_packed(rng)[1][0][:6], None) for _ in range(3 * BATCH + 5)]), 0, "/0/0")
    assert [len(entries) for entries in found.entries(BATCH, None)] == [BATCH, BATCH, BATCH, 5]
    stream = io.StringIO()
    _report(JsonReporter, found, "export.json", stream)
    assert stream.getvalue() == _as_text(list(found))


def _as_text(findings) -> str:
    stream = io.StringIO()
    _report(JsonReporter, findings, "export.json", stream)
    return stream.getvalue()


@pytest.mark.parametrize("layout", [("--shared-image",), ("--pretty", "--non-ascii", "0.2")])
@pytest.mark.parametrize("suppress", [False, True])
def test_findings_packed_straight_from_the_hits_are_the_stamped_ones(tmp_path, layout, suppress):
    """Findings packed from their hits (``RecordCheck.packed``: :func:`stamp_row`'s rows, as workers and the serial executor make them) are the :class:`Finding` objects :func:`stamp` makes: equal field by field, in the same order.

    A generated export with defects of every family, compact and
    pretty-printed with non-ASCII text; with a suppression the findings are
    stamped and packed instead.
    """
    import subprocess
    import sys

    from conftest import ROOT, _builtin_catalogue
    from feedlint.checker import check_records
    from feedlint.config import Config
    from feedlint.engine import Engine
    from feedlint.executor import SerialExecutor
    from feedlint.planning import Choices, build_plan

    class Stamping(SerialExecutor):  # the records' findings as stamp makes them, one Finding per hit
        def run(self, job):
            return check_records(job.check, job.records)

    path = tmp_path / "export.json"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--out", str(path), "--records", "150", "--defects", "0.3", "--page-size", "40", *layout],
                   check=True, capture_output=True, timeout=300)
    config = {"suppress": [{"rules": ["FL201"], "pointer": "/content_body", "reason": "test"}]} if suppress else {}
    plan = build_plan(_builtin_catalogue(), Config(values=config), Choices(select=["ALL"]))
    runs = []
    for executor in (Stamping(), SerialExecutor(packed=True)):
        engine = Engine(plan, keep_fixes=False, executor=executor)
        runs.append([f for batch in engine.run_batches([str(path)]) for f in batch])
        assert not engine.errors and not engine.internal_errors
    stamped, packed = runs
    assert len(stamped) > 30 and {"FL1", "FL3", "FL4", "FL5"} <= {f.rule_id[:3] for f in stamped}
    assert packed == stamped and [f.kind for f in packed] == [f.kind for f in stamped]
    assert [f.as_dict() for f in packed] == [f.as_dict() for f in stamped]


@pytest.mark.parametrize("seed", range(3))
def test_finding_fingerprint_is_the_documented_sha256_of_its_parts(seed):
    """``finding_fingerprint`` (the parts written out) equals ``hashlib.sha256`` of the parts joined as :func:`fingerprint` documents them."""
    import hashlib

    from feedlint.model import finding_fingerprint, fingerprint

    rng = random.Random(seed)
    evidences = [None, "", "&nbsp;", *TEXTS, 0]
    for _ in range(2000):
        rule_id, content_id, pointer = rng.choice(list(RULES)), rng.choice(CONTENT_IDS), rng.choice(POINTERS)
        evidence, path = rng.choice(evidences), rng.choice(["x.json", "dir/é 😀.json", None])
        parts = [rule_id, repr(content_id), pointer, evidence or ""] + ([path] if content_id is None and path is not None else [])
        want = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        assert finding_fingerprint(rule_id, content_id, pointer, evidence, path) == want
        assert fingerprint(rule_id, content_id, pointer, evidence, path if content_id is None else None) == want
