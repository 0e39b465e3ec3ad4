"""ruff/flake8-style text: one finding a line, then a summary."""

from __future__ import annotations

from ..model import Finding
from .base import Reporter, RunInfo, Summary, counts_sentence, place, profiles_sentence, record_label, statistics_lines

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def format_finding(f: Finding, color: bool = False, run: RunInfo | None = None) -> str:
    """``path:line:col: FL201 [content_id 418667] /0/0/content_body: message``; ``a.txt:31:1: FL701 trailer line 1: message``."""
    where = f"{f.path}:{f.region.start_line}:{f.region.start_column}:"
    code = f.rule_id
    label = record_label(f, run)
    context = place(f, run)
    if color:
        where = f"{_BOLD}{where}{_RESET}"
        code = f"{_COLORS[f.severity]}{_BOLD}{code}{_RESET}"
        if label:
            context = context.replace(f"[{label}]", f"{_DIM}[{label}]{_RESET}", 1)
    return f"{where} {code} {context}{f.message}"


class TextReporter(Reporter):
    name = "text"
    shows_statistics = True

    def start(self, run: RunInfo) -> None:
        super().start(run)
        self.names: dict[str, str] = {a.rule.id: a.rule.name for a in run.rules}

    def handle(self, finding: Finding) -> None:
        self.stream.write(format_finding(finding, self.run.color if self.run else False, self.run) + "\n")

    def finish(self, summary: Summary) -> None:
        run = self.run
        if run is None or run.quiet:
            return
        if run.statistics:
            for line in statistics_lines(summary):
                self.stream.write(line + "\n")
        sentence = counts_sentence(summary, by_rule=not run.statistics)
        if sentence:
            self.stream.write(sentence + "\n")
        read_as = profiles_sentence(summary)
        if read_as:
            self.stream.write(read_as + "\n")
        for skipped in summary.skipped:
            self.stream.write(f"{skipped}\n")
        base = summary.extra.get("baseline")
        if base:
            stale = f"{base['stale']} stale entr{'y' if base['stale'] == 1 else 'ies'} (listed on stderr; regenerate with `feedlint baseline`)" if base["stale"] else "no stale entries"
            self.stream.write(f"Baseline {base['path']}: {base['matched']} known finding{'s' if base['matched'] != 1 else ''} not reported, {stale}.\n")
