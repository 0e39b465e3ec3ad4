"""GitLab Code Quality: a JSON array of Code Climate issues, shown in merge requests and pipelines.

Each issue has what GitLab reads (``docs.gitlab.com/ci/testing/code_quality``):
``description`` (the message, with the record and pointer), ``check_name``
(``FL201 undecoded-entity``), ``fingerprint`` (the finding's stable
fingerprint, so an issue keeps its identity across pipelines; a second finding
with the same one in the report gets a derived, still stable one: GitLab
drops repeated fingerprints), ``severity`` (note → ``info``, warning →
``minor``, error → ``major``; ``critical``/``blocker`` for rules declaring a
security severity of 7.0/9.0 or more), and ``location.path`` (relative to the
repository root, as GitLab matches it against the diff) with
``location.lines.begin``.  Written as findings arrive, like ``--format json``.

An input the run skipped (a JSON file that is no export) is an ``info`` issue
``feedlint input-skipped`` on that file's first line, saying why, so a merge
request shows that the file was not checked instead of nothing.
"""

from __future__ import annotations

import hashlib

from ..model import Finding
from .base import RunInfo, Summary, place
from .jsonfmt import JsonReporter
from .locations import annotation_path

SEVERITIES = {"note": "info", "warning": "minor", "error": "major"}
SECURITY_SEVERITIES = ((9.0, "blocker"), (7.0, "critical"))  # a rule's security_severity at or above


def severity(level: str, security_severity: float | None) -> str:
    """Code Climate severity of a finding: its level, raised for rules that declare a security severity."""
    if security_severity is not None:
        for floor, name in SECURITY_SEVERITIES:
            if float(security_severity) >= floor:
                return name
    return SEVERITIES[level]


class GitlabReporter(JsonReporter):
    name = "gitlab"

    def start(self, run: RunInfo) -> None:
        super().start(run)
        self._security = {a.rule.id: a.rule.security_severity for a in run.rules}
        self._seen: set[str] = set()

    def entry(self, f: Finding) -> dict:
        assert self.run is not None
        r = f.region
        return {
            "type": "issue",
            "description": place(f, self.run) + f.message,
            "check_name": f"{f.rule_id} {f.rule_name}",
            "fingerprint": self._unique(f.fingerprint),
            "severity": severity(f.severity, self._security.get(f.rule_id)),
            "location": {"path": annotation_path(f.path, self.run.root), "lines": {"begin": r.start_line, "end": r.end_line}},
        }

    def finish(self, summary: Summary) -> None:
        assert self.run is not None
        for skipped in summary.skipped:
            self.add({
                "type": "issue",
                "description": f"not checked: {skipped.reason}",
                "check_name": "feedlint input-skipped",
                "fingerprint": self._unique(hashlib.sha256(f"input-skipped\x1f{skipped.path}".encode()).hexdigest()[:32]),
                "severity": "info",
                "location": {"path": annotation_path(skipped.path, self.run.root), "lines": {"begin": 1, "end": 1}},
            })
        super().finish(summary)

    def _unique(self, fingerprint: str) -> str:
        """``fingerprint``, or for its n-th repeat in this report a hash of it and n (stable while the order is)."""
        candidate, n = fingerprint, 1
        while candidate in self._seen:
            n += 1
            candidate = hashlib.sha256(f"{fingerprint}\x1f{n}".encode()).hexdigest()[:32]
        self._seen.add(candidate)
        return candidate
