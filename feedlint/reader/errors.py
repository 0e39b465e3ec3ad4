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


class CommentInJson(InputError):
    """An :class:`InputError` at a ``//`` or ``/*`` comment: JSON has none, JSONC (tsconfig.json, editor settings) does.

    Met before the file's first record, it says the file is no export at all,
    so the engine skips it with that reason instead of failing the run; met
    later, it is the error it says.
    """

    def skip_reason(self) -> str:
        return f"JSON with comments (JSONC, as tsconfig.json and editor settings write it), not an export: a comment at {self.line}:{self.column or 1}"
