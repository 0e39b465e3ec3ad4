"""Tuning knobs read from the environment (``FEEDLINT_*``), for experiments and tests.

Every knob is listed in :data:`KNOBS`, once.  A knob never stops a run: a value
the knob does not take is one warning line on stderr (``feedlint: warning:
...``) and the default is used.  :func:`warn_bad_values` says it when a run
starts, whether or not the run reaches the code that reads the knob; a worker
process never repeats it.  What each knob does: docs/performance.md ("Tuning
knobs").
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Knob:
    name: str
    default: Any
    parse: Callable[[str], Any]  # raises ValueError on a bad value
    takes: str  # what a good value is, for the warning
    default_text: str = ""  # the default in words, when it is not a value (None)


def _whole(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError(raw)
    return value


def _start_method(raw: str) -> str:
    import multiprocessing

    if raw not in multiprocessing.get_all_start_methods():
        raise ValueError(raw)
    return raw


KNOBS = {
    knob.name: knob
    for knob in (
        Knob("FEEDLINT_PARALLEL_MIN_RECORDS", 200, _whole, "a whole number >= 1"),
        Knob("FEEDLINT_RANGE_BYTES", 512 * 1024, _whole, "a whole number >= 1"),
        Knob("FEEDLINT_START_METHOD", None, _start_method, "a start method of this platform (fork, spawn, forkserver)", "fork on Linux, else spawn"),
    )
}


def _parse(knob: Knob) -> tuple[Any, bool]:
    """``(value, ok)``; unset or empty is the default and ok."""
    raw = os.environ.get(knob.name, "").strip()
    if not raw:
        return knob.default, True
    try:
        return knob.parse(raw), True
    except ValueError:
        return knob.default, False


def value(name: str) -> Any:
    """The knob's value from the environment, or its default (unset, empty or bad)."""
    return _parse(KNOBS[name])[0]


def warn_bad_values() -> None:
    """One stderr line per knob whose value is not taken (the main process only)."""
    bad = [knob for knob in KNOBS.values() if not _parse(knob)[1]]
    if not bad:
        return
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        return
    for knob in bad:
        shown = knob.default_text or knob.default
        raw = os.environ.get(knob.name, "").strip()
        sys.stderr.write(f"feedlint: warning: {knob.name}={raw!r} is not {knob.takes}; using the default ({shown})\n")
