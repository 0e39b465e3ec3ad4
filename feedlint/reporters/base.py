"""The reporter lifecycle (as in flake8): ``start`` once, ``handle`` per finding, ``finish`` once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence, TextIO

from ..engine import ActiveRule
from ..model import Finding
from ..reader.errors import InputError


@dataclass
class RunInfo:
    """What is known before the first finding: the tool, the selected rules, the inputs."""

    version: str
    rules: Sequence[ActiveRule]
    paths: Sequence[str]
    root: str  # directory that SARIF uris are made relative to
    color: bool = False
    statistics: bool = False
    quiet: bool = False
    fail_on: str = "warning"


@dataclass
class Summary:
    """What is known after the run: counts, input errors, notices."""

    files: int
    records: int
    by_rule: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    errors: Sequence[InputError] = ()
    notices: Sequence[str] = ()
    internal_errors: Sequence[str] = ()
    exit_code: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Reporter:
    """Base class; subclasses override what they need.  ``stream`` is where output goes."""

    name = "base"
    uses_fixes = False  # True: findings keep their proposed Fix; costly to carry from worker processes, so off unless used

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.run: RunInfo | None = None

    def start(self, run: RunInfo) -> None:
        self.run = run

    def handle(self, finding: Finding) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self, summary: Summary) -> None:
        pass
