"""Atomic output: a report is written to a temporary file and renamed into place.

A CI gate must never upload half a SARIF file, and an interrupted run must not
clobber the previous report.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from typing import Iterator, TextIO


@contextlib.contextmanager
def atomic_text_writer(path: str | None) -> Iterator[TextIO]:
    """Yield a text stream; with ``path`` it lands there only if the block succeeds."""
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    fd, tmp = tempfile.mkstemp(prefix=".feedlint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
