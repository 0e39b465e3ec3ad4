"""ruff/flake8-style text: one finding a line, then a summary."""

from __future__ import annotations

from ..model import Finding
from .base import Reporter, RunInfo, Summary

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def format_finding(f: Finding, color: bool = False) -> str:
    """``path:line:col: FL201 [content_id 418667] /0/0/content_body: message``."""
    where = f"{f.path}:{f.region.start_line}:{f.region.start_column}:"
    ident = f" [content_id {f.content_id}]" if f.content_id is not None else (f" [record {f.record_index}]" if f.record_index is not None else "")
    pointer = f" {f.pointer}:" if f.pointer else ""
    code = f.rule_id
    if color:
        where = f"{_BOLD}{where}{_RESET}"
        code = f"{_COLORS[f.severity]}{_BOLD}{code}{_RESET}"
        ident = f"{_DIM}{ident}{_RESET}"
    return f"{where} {code}{ident}{pointer} {f.message}"


class TextReporter(Reporter):
    name = "text"

    def start(self, run: RunInfo) -> None:
        super().start(run)
        self.names: dict[str, str] = {a.rule.id: a.rule.name for a in run.rules}

    def handle(self, finding: Finding) -> None:
        self.stream.write(format_finding(finding, self.run.color if self.run else False) + "\n")

    def finish(self, summary: Summary) -> None:
        run = self.run
        if run is None or run.quiet:
            return
        total = sum(summary.by_rule.values())
        if run.statistics and total:
            width = max(len(str(n)) for n in summary.by_rule.values())
            for rule_id, n in sorted(summary.by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
                self.stream.write(f"{n:>{width}}  {rule_id:<6} {summary.extra.get('names', {}).get(rule_id, '')}\n")
        sev = summary.by_severity
        files = f"{summary.files} file{'s' if summary.files != 1 else ''}, {summary.records} record{'s' if summary.records != 1 else ''}"
        if total:
            parts = ", ".join(f"{sev[s]} {s}{'s' if sev[s] != 1 else ''}" for s in ("error", "warning", "note") if sev[s])
            by = ", ".join(f"{k} ×{v}" for k, v in sorted(summary.by_rule.items()))
            self.stream.write(f"Found {total} finding{'s' if total != 1 else ''} ({parts}) in {files}.{'' if run.statistics else ' By rule: ' + by + '.'}\n")
        elif summary.exit_code == 0:  # an incomplete run (exit 2) has not passed
            self.stream.write(f"All checks passed ({files}).\n")
        base = summary.extra.get("baseline")
        if base:
            stale = f"{base['stale']} stale entr{'y' if base['stale'] == 1 else 'ies'} (listed on stderr; regenerate with `feedlint baseline`)" if base["stale"] else "no stale entries"
            self.stream.write(f"Baseline {base['path']}: {base['matched']} known finding{'s' if base['matched'] != 1 else ''} not reported, {stale}.\n")
