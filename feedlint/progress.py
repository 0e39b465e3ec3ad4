"""A progress bar on stderr for long runs, and nothing at all otherwise.

Shown only when a human is watching a run that takes a while: stderr is a
terminal, not under CI (the ``CI`` variable every CI service sets), not
``--quiet``, and stdout is not that same terminal (findings streaming to the
terminal are the progress; a bar redrawn between them would garble both).  It
appears after :data:`DELAY` seconds, so quick runs never import rich.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Any

DELAY = 2.0  # seconds before the bar appears


def progress_wanted(quiet: bool, output: str | None, stderr: IO[str] | None = None, stdout: IO[str] | None = None, environ: Any = None) -> bool:
    stderr = stderr or sys.stderr
    stdout = stdout or sys.stdout
    environ = os.environ if environ is None else environ
    if quiet or environ.get("CI") or environ.get("FEEDLINT_NO_PROGRESS"):
        return False
    if not _isatty(stderr):
        return False
    return output is not None or not _isatty(stdout)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """Callable as ``progress(display, bytes_done, bytes_total, records)`` (see ``Source.records``)."""

    def __init__(self, delay: float = DELAY) -> None:
        self.started = time.monotonic()
        self.delay = delay
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __call__(self, display: str, done: int, total: int | None, records: int) -> None:
        if self._progress is None:
            if time.monotonic() - self.started < self.delay:
                return
            self._start()
        task = self._tasks.get(display)
        if task is None:
            for other in self._tasks.values():  # the previous file is done
                self._progress.update(other, visible=False)
            task = self._tasks[display] = self._progress.add_task(display, total=total, completed=done, records=records)
        self._progress.update(task, completed=done, total=total, records=records)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TextColumn("{task.fields[records]} records"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._progress.start()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
