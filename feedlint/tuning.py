"""The execution knobs of a run as one value: :class:`Tuning`, resolved once, carried by the plan.

How records are spread over worker processes (or Spark tasks) never changes
what a run finds, only how fast and in how much memory; the numbers that
decide it live here, once, with their defaults.  :func:`resolve` layers them,
highest first: ``--tune NAME=VALUE`` on the command line, the config's
``[tuning]`` table, the ``FEEDLINT_*`` environment variables (an older
contract, kept as a fallback), the defaults.  The value travels in
``Plan.tuning`` to every executor: workers and Spark tasks read the plan's,
never the environment.  A bad value on the command line or in the config is
an error (exit 2); a bad environment value is one warning line and is not
used.  What each knob does: docs/performance.md ("Tuning").
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields, replace
from typing import Any, Callable, Mapping, Sequence


@dataclass(frozen=True)
class Tuning:
    """How a run spreads its record checks (never what it finds); plain values, picklable."""

    parallel_min_records: int = 200  # a file with fewer records is checked in the main process (a pool costs more than it saves)
    range_bytes: int = 512 * 1024  # a worker reads about this much of a plain JSON file at a time (ranges)
    ranges: bool = True  # False: the main process reads every record and sends it to the workers
    task_bytes: int = 512 * 1024  # records path: about this much source per task...
    task_records: int = 256  # ... and at most this many records
    tasks_in_flight: int = 4  # tasks submitted ahead per worker (memory stays flat)
    start_method: str | None = None  # multiprocessing start method; None: fork on Linux, else spawn
    shutdown_grace: float = 10.0  # seconds the workers get to finish their tasks when the pool closes
    split_bytes: int = 0  # Spark engine: input bytes per task; 0: about four tasks per core, 1-64 MB each

    def method(self) -> str:
        """The start method to use: the chosen one, else the platform's usual."""
        return self.start_method or ("fork" if sys.platform.startswith("linux") else "spawn")


class TuningError(ValueError):
    """A knob name or value that is not taken (from the command line or the config)."""


@dataclass(frozen=True)
class Knob:
    name: str  # as written on the command line and in [tuning]
    field: str  # the Tuning attribute
    parse: Callable[[Any], Any]  # a string (command line, environment) or a TOML value -> the value; ValueError when not taken
    takes: str  # what a good value is, for messages
    env: str | None = None  # the FEEDLINT_* variable read as a fallback (the three that existed before [tuning])
    help: str = ""


def _number(value: Any, kind: type, least: float) -> Any:
    if isinstance(value, bool) or (kind is int and isinstance(value, float)):
        raise ValueError(value)
    number = kind(value.strip()) if isinstance(value, str) else value
    if not isinstance(number, (int, float)) or number < least:
        raise ValueError(value)
    return kind(number)


def _whole(value: Any) -> int:
    return _number(value, int, 1)


def _whole_or_zero(value: Any) -> int:
    return _number(value, int, 0)


def _seconds(value: Any) -> float:
    return _number(value, float, 0)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):  # a TOML number is not a flag
        raise ValueError(value)
    word = value.strip().lower()
    if word in ("true", "1", "yes", "on"):
        return True
    if word in ("false", "0", "no", "off"):
        return False
    raise ValueError(value)


def _start_method(value: Any) -> str:
    import multiprocessing

    if not isinstance(value, str) or value.strip() not in multiprocessing.get_all_start_methods():
        raise ValueError(value)
    return value.strip()


KNOBS: dict[str, Knob] = {
    knob.name: knob
    for knob in (
        Knob("parallel-min-records", "parallel_min_records", _whole, "a whole number >= 1", "FEEDLINT_PARALLEL_MIN_RECORDS",
             "fewer records than this in a file: checked in the main process, no workers"),
        Knob("range-bytes", "range_bytes", _whole, "a whole number >= 1", "FEEDLINT_RANGE_BYTES",
             "size of the byte range of a plain JSON file a worker reads at a time"),
        Knob("ranges", "ranges", _flag, "true or false", None,
             "false: the main process reads every record and sends it to the workers (the records path)"),
        Knob("task-bytes", "task_bytes", _whole, "a whole number >= 1", None, "records path: about this much source per task"),
        Knob("task-records", "task_records", _whole, "a whole number >= 1", None, "records path: at most this many records per task"),
        Knob("tasks-in-flight", "tasks_in_flight", _whole, "a whole number >= 1", None, "tasks submitted ahead per worker (bounds memory)"),
        Knob("start-method", "start_method", _start_method, "a start method of this platform (fork, spawn, forkserver)", "FEEDLINT_START_METHOD",
             "multiprocessing start method of the workers"),
        Knob("shutdown-grace", "shutdown_grace", _seconds, "a number of seconds >= 0", None,
             "seconds the workers get to finish their tasks when the pool closes, before they are terminated"),
        Knob("split-bytes", "split_bytes", _whole_or_zero, "a whole number >= 0", None,
             "Spark engine: input bytes per task (0: about four tasks per core, 1-64 MB each)"),
    )
}
ENV_KNOBS = {knob.env: knob for knob in KNOBS.values() if knob.env}
DEFAULTS = Tuning()


def default_text(knob: Knob) -> str:
    """The default in words (start-method's is the platform's)."""
    value = getattr(DEFAULTS, knob.field)
    if value is None:
        return "fork on Linux, else spawn"
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class Resolved:
    """What :func:`resolve` found: the value, where each knob that is not a default came from, the warnings to print."""

    tuning: Tuning
    origins: Mapping[str, str]  # knob name -> "--tune", the config's "[tuning]" or the environment variable
    warnings: tuple[str, ...] = ()


def _unknown(given: str) -> str:
    from .suggest import unknown

    return unknown("tuning knob", given, KNOBS)


def _take(knob: Knob, value: Any, where: str) -> Any:
    try:
        return knob.parse(value)
    except (ValueError, TypeError):
        raise TuningError(f"{where}: {knob.name} = {value!r} is not {knob.takes}") from None


def parse_cli(items: Sequence[str]) -> dict[str, Any]:
    """``--tune NAME=VALUE`` arguments as knob values (the last of a name wins); :class:`TuningError` names the bad one."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise TuningError(f"--tune takes NAME=VALUE, got {item!r} (knobs: {', '.join(KNOBS)})")
        knob = KNOBS.get(name)
        if knob is None:
            raise TuningError(f"--tune: {_unknown(name)}")
        out[name] = _take(knob, raw, "--tune")
    return out


def parse_config(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The config's ``[tuning]`` table as knob values; :class:`TuningError` names the bad key or value."""
    out: dict[str, Any] = {}
    for name, value in table.items():
        knob = KNOBS.get(name)
        if knob is None:
            raise TuningError(f"{where}: tuning: {_unknown(name)}")
        out[name] = _take(knob, value, f"{where}: tuning")
    return out


def resolve(cli: Sequence[str] = (), config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None, where: str = "config") -> Resolved:
    """The run's :class:`Tuning`: ``cli`` (``NAME=VALUE`` strings) over ``config`` (a ``[tuning]`` table) over ``env`` over the defaults.

    Raises :class:`TuningError` for a bad name or value in ``cli`` or
    ``config``; an environment variable that is empty counts as unset, and
    one with a bad value gives a warning (only when nothing above it sets
    that knob) and the layer below is used.
    """
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    warnings: list[str] = []
    for var, knob in ENV_KNOBS.items():
        raw = (env or {}).get(var, "").strip()
        if not raw:
            continue
        try:
            values[knob.name] = knob.parse(raw)
            origins[knob.name] = var
        except (ValueError, TypeError):
            warnings.append(f"{var}={raw!r} is not {knob.takes}; using the default ({default_text(knob)})")
            values.pop(knob.name, None)
    layers = ((parse_config(config or {}, where), "[tuning]"), (parse_cli(cli), "--tune"))
    for layer, origin in layers:
        for name, value in layer.items():
            values[name] = value
            origins[name] = origin
    overridden = {KNOBS[name].env for name, origin in origins.items() if origin in ("[tuning]", "--tune")}
    warnings = [w for w in warnings if w.split("=", 1)[0] not in overridden]
    tuning = replace(DEFAULTS, **{KNOBS[name].field: value for name, value in values.items()})
    return Resolved(tuning, origins, tuple(warnings))


def as_settings(tuning: Tuning) -> list[tuple[str, Any]]:
    """``(knob name, value)`` in the order of :data:`KNOBS` (for ``--show-settings``)."""
    by_field = {f.name: getattr(tuning, f.name) for f in fields(tuning)}
    return [(knob.name, by_field[knob.field]) for knob in KNOBS.values()]
