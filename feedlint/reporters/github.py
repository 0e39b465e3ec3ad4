"""GitHub Actions workflow commands: findings as annotations on the changed files, no code scanning needed.

``::error file=F,line=L,col=C,endLine=L,endColumn=C,title=FL201 undecoded-entity::message``

Escaping follows the runner (actions/toolkit ``command.ts``): in the message
``%``, ``\\r`` and ``\\n`` become ``%25``, ``%0D``, ``%0A``; in property values
``:`` and ``,`` are escaped too (``%3A``, ``%2C``).  Columns are UTF-16 code
units, as in the editor GitHub renders; ``col``/``endColumn`` are only given when
the region is on one line (annotations cannot span columns across lines).
GitHub shows at most 10 errors and 10 warnings per step in the UI, so for many
findings upload SARIF instead.
"""

from __future__ import annotations

import re

from ..model import Finding
from .base import Reporter, RunInfo, Summary, counts_sentence, place
from .locations import annotation_path

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


_DATA_SPECIAL = re.compile("[%\r\n]")
_PROPERTY_SPECIAL = re.compile("[%\r\n:,]")


def escape_data(text: str) -> str:
    if _DATA_SPECIAL.search(text) is None:  # the usual message: one search, no copies
        return text
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    if _PROPERTY_SPECIAL.search(text) is None:
        return text
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **props: object) -> str:
    given = ",".join(f"{k}={v if type(v) is int else escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{kind}{' ' + given if given else ''}::{escape_data(message)}"


def annotation(f: Finding, cwd: str, run: RunInfo | None = None) -> str:
    r = f.region
    one_line = r.start_line == r.end_line
    return command(
        COMMANDS[f.severity],
        place(f, run) + f.message,
        file=annotation_path(f.path, cwd),
        line=r.start_line,
        col=r.start_column16 if one_line else None,
        endLine=r.end_line,
        endColumn=max(r.end_column16, r.start_column16) if one_line else None,
        title=f"{f.rule_id} {f.rule_name}",
    )


class GithubReporter(Reporter):
    name = "github"

    def start(self, run: RunInfo) -> None:
        super().start(run)

    def handle(self, finding: Finding) -> None:
        assert self.run is not None
        self.stream.write(annotation(finding, self.run.root, self.run) + "\n")

    def finish(self, summary: Summary) -> None:
        run = self.run
        assert run is not None
        for err in summary.errors:
            self.stream.write(command("error", err.message, file=annotation_path(err.path, run.root), line=err.line, col=err.column, title="feedlint input error") + "\n")
        for msg in summary.extra.get("setup_errors", ()):
            self.stream.write(command("error", msg, title="feedlint") + "\n")
        for msg in summary.internal_errors:
            self.stream.write(command("error", msg, title="feedlint internal error") + "\n")
        for skipped in summary.skipped:
            self.stream.write(command("warning", f"skipped: {skipped.reason}", file=annotation_path(skipped.path, run.root), title="feedlint skipped input") + "\n")
        if summary.no_records:
            self.stream.write(command("error", summary.no_records, title="feedlint") + "\n")
        for msg in summary.extra.get("unused_suppressions", ()):
            self.stream.write(command("notice", msg, title="feedlint unused suppression") + "\n")
        for msg in summary.extra.get("stale_notes", ()):
            self.stream.write(command("notice", msg, title="feedlint stale baseline entry") + "\n")
        base = summary.extra.get("baseline")
        known = f" {base['matched']} known finding{'s' if base['matched'] != 1 else ''} in the baseline not reported." if base else ""
        sentence = counts_sentence(summary) or f"Incomplete run ({summary.files} file{'s' if summary.files != 1 else ''} checked)."
        self.stream.write(f"feedlint: {sentence}{known}\n")
