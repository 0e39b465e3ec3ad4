"""JUnit XML for CI test dashboards (Jenkins, GitLab test reports, Azure DevOps): a file is a suite, a rule a test.

One ``<testsuite>`` per input file and one ``<testcase>`` per selected rule in it,
so a dashboard counts "49 checks, 2 failed" per file and tracks each rule over
builds.  A rule's findings at or above ``--fail-on`` are one ``<failure>``
(``type`` = the most severe level, ``message`` = how many, the text = one line
per finding with its line, column, record and message); findings below the
threshold are listed in the test's ``<system-out>`` and do not fail it, as they
do not fail the run.  A file that could not be read is an ``<error>``; setup
and internal errors are errors of a ``feedlint`` suite, and so is a run that
checked no record (exit 2).  An input that was skipped (a JSON file that is no
export) is a suite of one ``<skipped>`` test whose message says why, so a
dashboard never shows it as passed.  Valid against the
Jenkins xUnit plugin's JUnit schema (tests/fixtures/junit.xsd).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

from ..model import SEVERITY_RANK, Finding
from .base import Reporter, RunInfo, Summary
from .text import format_finding


class JunitReporter(Reporter):
    """Buffers one line per finding by file and rule (a suite needs its counts before its tests), writes at ``finish``."""

    name = "junit"

    def start(self, run: RunInfo) -> None:
        super().start(run)
        self._lines: dict[str, dict[str, list[tuple[int, str]]]] = {}
        self._threshold = SEVERITY_RANK.get(run.fail_on, max(SEVERITY_RANK.values()) + 1)
        self._started = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat()

    def handle(self, finding: Finding) -> None:
        by_rule = self._lines.setdefault(finding.path, {})
        by_rule.setdefault(finding.rule_id, []).append((finding.rank, xml_text(format_finding(finding, run=self.run))))

    def finish(self, summary: Summary) -> None:
        run = self.run
        assert run is not None
        root = ET.Element("testsuites", name="feedlint")
        errors_by_file: dict[str, list[str]] = {}
        for err in summary.errors:
            errors_by_file.setdefault(err.path, []).append(str(err))
        skipped = {s.path: s.reason for s in summary.skipped}
        paths = list(dict.fromkeys([*run.paths, *self._lines, *errors_by_file, *skipped]))
        for path in paths:
            if path in skipped and path not in self._lines and path not in errors_by_file:
                root.append(self._skipped_suite(path, skipped[path]))
            else:
                root.append(self._suite(path, self._lines.get(path, {}), errors_by_file.get(path, [])))
        general = [*summary.extra.get("setup_errors", ()), *summary.internal_errors, *([summary.no_records] if summary.no_records else [])]
        if general:
            suite = ET.SubElement(root, "testsuite", name="feedlint", tests=str(len(general)), failures="0", errors=str(len(general)), skipped="0", time="0", timestamp=self._started)
            for i, msg in enumerate(general, 1):
                case = ET.SubElement(suite, "testcase", classname="feedlint", name=f"run error {i}", time="0")
                ET.SubElement(case, "error", type="feedlint-error", message=_one_line(msg)).text = xml_text(msg)
        for key in ("tests", "failures", "errors"):  # the schema allows no "skipped" on <testsuites>
            root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
        root.set("time", "0")
        ET.indent(root)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")

    def _skipped_suite(self, path: str, reason: str) -> ET.Element:
        """A suite for an input that was not checked: one test, skipped, saying why."""
        name = xml_text(path)
        suite = ET.Element("testsuite", name=name, file=name, timestamp=self._started, time="0", tests="1", failures="0", errors="0", skipped="1")
        case = ET.SubElement(suite, "testcase", classname=name, name="input", time="0")
        ET.SubElement(case, "skipped", message=_one_line(f"not checked: {reason}"))
        return suite

    def _suite(self, path: str, by_rule: dict[str, list[tuple[int, str]]], errors: list[str]) -> ET.Element:
        run = self.run
        assert run is not None
        path = xml_text(path)
        suite = ET.Element("testsuite", name=path, file=path, timestamp=self._started, time="0", skipped="0")
        failures = 0
        for message in errors:
            case = ET.SubElement(suite, "testcase", classname=path, name="input", time="0")
            ET.SubElement(case, "error", type="input-error", message=_one_line(message)).text = xml_text(message)
        for active in run.rules:
            rule = active.rule
            case = ET.SubElement(suite, "testcase", classname=path, name=f"{rule.id} {rule.name}", time="0")
            found = by_rule.get(rule.id, [])
            failing = [line for rank, line in found if rank >= self._threshold]
            passing = [line for rank, line in found if rank < self._threshold]
            if failing:
                failures += 1
                worst = max(rank for rank, _ in found if rank >= self._threshold)
                level = next(s for s, r in SEVERITY_RANK.items() if r == worst)
                n = len(failing)
                ET.SubElement(case, "failure", type=level, message=f"{n} finding{'s' if n != 1 else ''} of {rule.id} {rule.name}").text = "\n".join(failing)
            if passing:
                ET.SubElement(case, "system-out").text = "\n".join(passing)
        suite.set("tests", str(len(suite)))
        suite.set("failures", str(failures))
        suite.set("errors", str(len(errors)))
        return suite


# Characters XML 1.0 cannot hold even escaped (C0 controls but tab, LF, CR; surrogates; U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML cannot carry written as ``\\xNN``/``\\uNNNN`` (a message may quote a control character)."""
    if _NOT_XML.search(text) is None:
        return text
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def _one_line(text: str) -> str:
    return xml_text(" ".join(str(text).split()))
