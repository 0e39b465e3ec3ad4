"""JSON report: the findings of ``--format json`` and the run's summary, in one object.

``--format json`` is a bare array (its contract since the first release), so it
cannot say which inputs were skipped or why a run failed without a finding;
those go to stderr.  A CI job that keeps only stdout needs them in the file:
this format writes ``{"version": 1, "tool": ..., "findings": [...], "summary": {...}}``
(described by ``schemas/feedlint-json-report.schema.json``), the findings
streamed exactly as ``--format json`` writes them, the summary at the end.
"""

from __future__ import annotations

from typing import Any

from .base import Summary
from .jsonfmt import JsonReporter, dumps

VERSION = 1


class JsonReportReporter(JsonReporter):
    name = "json-report"
    shows_statistics = True  # the summary's by_rule: --statistics adds nothing on stderr

    def head(self) -> str:
        tool = {"name": "feedlint", "version": self.run.version if self.run else None}
        return f'{{"version":{VERSION},"tool":{dumps(tool)},"findings":['

    def tail(self, summary: Summary) -> str:
        return f',"summary":{dumps(summary_dict(summary))}}}\n'


def summary_dict(summary: Summary) -> dict[str, Any]:
    """What the run checked, skipped and failed on; every key always present, so a consumer need not guess."""
    return {
        "exit_code": summary.exit_code,
        "files": summary.files,
        "records": summary.records,
        "findings": sum(summary.by_rule.values()),
        "by_rule": dict(sorted(summary.by_rule.items())),
        "by_severity": dict(summary.by_severity),
        "skipped": [{"file": s.path, "reason": s.reason} for s in summary.skipped],
        "unreadable": summary.unreadable,
        "errors": [{"file": e.path, "line": e.line, "column": e.column, "message": e.message} for e in summary.errors],
        "no_records": summary.no_records,
        "setup_errors": list(summary.extra.get("setup_errors", ())),
        "internal_errors": list(summary.internal_errors),
        "notices": list(summary.notices),
        "suppressed": summary.extra.get("suppressed", 0),
        "baseline": summary.extra.get("baseline"),
        "profiles": dict(summary.profiles),
    }
