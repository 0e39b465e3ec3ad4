"""JSON: a list of findings, each with every field (documented in docs/json-format.md).

Findings are written as they arrive, so memory does not grow with their number.
"""

from __future__ import annotations

import json

from ..model import Finding
from .base import Reporter, RunInfo, Summary


class JsonReporter(Reporter):
    name = "json"

    def start(self, run: RunInfo) -> None:
        super().start(run)
        self._first = True
        self.stream.write("[")

    def handle(self, finding: Finding) -> None:
        self.stream.write(("\n  " if self._first else ",\n  ") + json.dumps(finding.as_dict(), ensure_ascii=False, default=str))
        self._first = False

    def finish(self, summary: Summary) -> None:
        self.stream.write("]\n" if self._first else "\n]\n")
