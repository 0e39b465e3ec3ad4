"""Findings handed to reporters a list at a time (``Reporter.handle_many``): the same output as one at a time.

The CLI passes each list the engine gives (:meth:`Engine.run_batches`) to
``handle_many``; a reporter that only implements ``handle`` (a plugin's) sees
every finding through it, and the JSON reporter's batched path writes the bytes
its ``handle`` writes, whatever the lists' sizes.
"""

from __future__ import annotations

import io
import random
import re

import pytest

from feedlint.reporters import reporter_class
from feedlint.reporters.base import Reporter, Summary
from feedlint.reporters.jsonfmt import BATCH, JsonReporter

from test_json_bytes import _findings, _run_info

FORMATS = ["json", "json-report", "gitlab", "sarif", "github", "junit", "text"]


def _report(reporter_cls, findings, sizes=None) -> str:
    stream = io.StringIO()
    reporter = reporter_cls(stream)
    reporter.start(_run_info())
    if sizes is None:
        for finding in findings:
            reporter.handle(finding)
    else:
        at = 0
        for size in sizes:
            reporter.handle_many(findings[at : at + size])
            at += size
        assert at == len(findings)
    reporter.finish(Summary(1, len(findings)))
    return _CLOCK.sub("", stream.getvalue())


# JUnit's start of the run (to the second), which may tick between two reports of the same findings
_CLOCK = re.compile(r' timestamp="[^"]*"')


def _random_sizes(rng: random.Random, n: int) -> list[int]:
    sizes = []
    while n:
        size = min(n, rng.choice([0, 1, 2, 7, BATCH - 1, BATCH, BATCH + 3, 3 * BATCH]))
        sizes.append(size)
        n -= size
    return sizes


@pytest.mark.parametrize("fmt", FORMATS)
def test_lists_of_any_size_write_what_one_at_a_time_writes(fmt):
    rng = random.Random(fmt)
    reporter_cls = reporter_class(fmt)
    for n in (0, 1, BATCH - 1, BATCH, 2 * BATCH + 5):
        findings = _findings(n)
        expected = _report(reporter_cls, findings)
        for _ in range(3):
            assert _report(reporter_cls, findings, _random_sizes(rng, n)) == expected, (fmt, n)


def test_a_reporter_with_only_handle_sees_every_finding_in_order():
    class Collect(Reporter):
        def start(self, run):
            super().start(run)
            self.seen = []

        def handle(self, finding):
            self.seen.append(finding)

    findings = _findings(9)
    reporter = Collect(io.StringIO())
    reporter.start(_run_info())
    reporter.handle_many(findings[:4])
    reporter.handle_many(findings[4:])
    assert reporter.seen == findings


def test_a_json_subclass_with_its_own_handle_still_sees_every_finding():
    class Counting(JsonReporter):
        def handle(self, finding):
            self.handled = getattr(self, "handled", 0) + 1
            super().handle(finding)

    findings = _findings(BATCH + 2)
    stream = io.StringIO()
    reporter = Counting(stream)
    reporter.start(_run_info())
    reporter.handle_many(findings)
    reporter.finish(Summary(1, len(findings)))
    assert reporter.handled == len(findings)
    assert stream.getvalue() == _report(JsonReporter, findings)


def test_a_json_subclass_with_its_own_add_still_gets_every_entry():
    class Tagging(JsonReporter):
        def add(self, entry):
            entry["tag"] = 1
            super().add(entry)

    findings = _findings(5)
    stream = io.StringIO()
    reporter = Tagging(stream)
    reporter.start(_run_info())
    reporter.handle_many(findings)
    reporter.finish(Summary(1, len(findings)))
    assert stream.getvalue().count('"tag":1') == len(findings)


@pytest.mark.parametrize("jobs", [1, 2])
def test_engine_batches_are_its_findings_in_order(tmp_path, jobs):
    from feedlint.config import Config
    from feedlint.engine import Engine
    from feedlint.planning import Choices, build_plan
    from feedlint.registry import load_catalogue
    from feedlint.tuning import Tuning

    path = tmp_path / "export.json"
    path.write_text("[[" + ",".join('{"content_id": %d, "content_title": "a &amp; b &#39;%d"}' % (i, i) for i in range(30)) + "]]")
    plan = build_plan(load_catalogue(plugins=False), Config(), Choices(tuning=Tuning(parallel_min_records=2, range_bytes=200, start_method="fork")))
    batches = list(Engine(plan, jobs=jobs).run_batches([str(path)]))
    assert all(batches)
    assert [f.as_dict() for batch in batches for f in batch] == [f.as_dict() for f in Engine(plan, jobs=jobs).run([str(path)])]


def test_a_long_list_is_written_a_batch_at_a_time():
    """One record's 50,000 findings come as one list: the JSON reporter holds at most a batch of them encoded (each orjson result keeps a few KB)."""
    held = []

    class Watching(JsonReporter):
        def _flush(self) -> None:
            held.append(len(self._batch))
            super()._flush()

    findings = _findings(3 * BATCH + 5)
    stream = io.StringIO()
    reporter = Watching(stream)
    reporter.start(_run_info())
    Watching.handle_many(reporter, findings)  # the batched path itself (a subclass overriding only _flush keeps it)
    assert held and max(held) <= BATCH and sum(held) == 3 * BATCH
    reporter.finish(Summary(1, len(findings)))
    assert _report(JsonReporter, findings) == stream.getvalue()
