"""Input problems as values: a file that cannot be read is reported, not raised past the engine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputError(Exception):
    """A file feedlint could not read or parse; rendered as ``file:line:col: message``."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.message}"

    def stderr_line(self) -> str:
        """The line on stderr: ``file:line:col: message`` first when there is a position (editors jump
        there), else ``feedlint: error: file: message`` like every other error of the tool."""
        return str(self) if self.line is not None else f"feedlint: error: {self}"
