"""The worker side of a parallel run, and the pool that runs it.

Workers get the run's plan by ``fork`` on Linux (nothing to rebuild: plugins
already loaded); elsewhere they rebuild it from a picklable description,
looking rules up by id in their own catalogue (built-ins and entry-point
plugins).  A task is a chunk of records (:func:`check_chunk`) or a byte range
of the file (:func:`feedlint.ranges.pool.check_range`); either way the worker
sends back each record's findings packed as plain tuples (:mod:`feedlint.packed`,
read back in the main process), its dataset
facts, and the task's other :class:`Effects` (records counted, internal
errors, suppressions used).  :mod:`feedlint.parallel` schedules the tasks and
puts the results back in order.  Records are checked with
:func:`feedlint.checker.check_records`, as everywhere.
"""

from __future__ import annotations

import os
import time
from collections import deque
from typing import Any, Iterator

from .reader.positions import Cursor

_worker: dict[str, Any] = {}
_inherited_plan: Any = None  # set just before a fork-based pool starts


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(value: int | None) -> int:
    """``None`` or 0: all cores; a negative number is refused by the caller."""
    return default_jobs() if not value else value


def _plan_spec(plan: Any) -> dict[str, Any]:
    """What a spawned worker needs to rebuild ``plan`` (rules by id, everything else as data)."""
    return {
        "rules": [(a.rule.id, a.severity, dict(a.options)) for a in plan.rules],
        "roles": plan.roles,
        "per_file_ignores": dict(plan.per_file_ignores),
        "suppressions": [(s.reason, s.content_id, s.pointer, s.rules, s.path) for s in plan.suppressions],
        "input_format": plan.input_format,
        "profiles": plan.profiles,
        "profile_rules": {name: [(a.rule.id, a.severity, dict(a.options)) for a in rules] for name, rules in plan.profile_rules.items()},
        "profile_roles": plan.profile_roles,
        "select": plan.select,
        "tuning": plan.tuning,
    }


def _plan_from_spec(spec: dict[str, Any]) -> Any:
    from .plan import ActiveRule, Plan, Suppression
    from .registry import load_catalogue

    by_id = load_catalogue().by_id()
    rules = [ActiveRule(by_id[rid], severity, options) for rid, severity, options in spec["rules"]]
    sups = [Suppression(reason, cid, ptr, tuple(rs), path) for reason, cid, ptr, rs, path in spec["suppressions"]]
    profile_rules = {name: [ActiveRule(by_id[rid], severity, options) for rid, severity, options in rows] for name, rows in spec["profile_rules"].items()}
    return Plan(rules, spec["roles"], spec["per_file_ignores"], sups, spec["input_format"], spec["profiles"], profile_rules, spec["profile_roles"], spec["select"], tuning=spec["tuning"])


def _init_worker(spec: dict[str, Any] | None) -> None:
    plan = _inherited_plan if spec is None else _plan_from_spec(spec)
    _worker["plan"] = plan


def chunk_records(chunk: list) -> Iterator[Any]:
    """The :class:`RawRecord` objects of a chunk the main process sent (bytes decoded again)."""
    from .reader.jsondecode import loads_exact
    from .reader.jsonstream import RawRecord

    for index, pointer, source, origin, at, line_document, kind, profile in chunk:
        yield RawRecord(index, pointer, loads_exact(source), source, Cursor(*origin), line_document, kind, profile=profile, at=at)


def _check(display: str, rule_indices: tuple, want_facts: bool, keep_fixes: bool, profile: str | None, place_known: bool = True) -> Any:
    """The :class:`RecordCheck` a task asks for, from this worker's plan."""
    from .checker import RecordCheck

    plan = _worker["plan"]
    active = plan.rules_for(profile)
    return RecordCheck(plan, [active[i] for i in rule_indices], display, keep_fixes, plan.facts_for(profile) if want_facts else (), place_known, packed=True)


def _packed(check: Any, raws: Iterator[Any], out: list, totals: Any) -> None:
    """Check ``raws``: per record (packed findings, (content_id, facts, start) or None) to ``out``, the rest merged into ``totals``."""
    from .checker import check_records

    for effects in check_records(check, raws):
        row = effects.facts[0][2:] if effects.facts else None
        out.append((effects.findings, row))  # packed by check_record (check.packed)
        totals.merge(effects, payload=False)


def check_chunk(task: tuple) -> tuple[list, Any]:
    """Worker: check a chunk of raw records; returns per-record (findings, facts) and the chunk's other effects."""
    from .effects import Effects

    *common, items = task
    out: list = []
    totals = Effects()
    _packed(_check(*common), chunk_records(items), out, totals)
    return out, totals


def _quiet_pool_class() -> type:
    """``multiprocessing.Pool`` whose worker-watching thread sleeps while results wait to be read.

    The standard pool's thread also waits on the results pipe, so it wakes and
    loops (selector set-up, pool upkeep) for as long as a result sits unread:
    a fifth of the main process's CPU in a 10,000-record run.  It only has to
    wake when a worker exits or the pool changes state (the change notifier),
    which is what the standard ``ThreadPool`` waits on.
    """
    from multiprocessing.pool import Pool

    class QuietPool(Pool):
        # Private API (the one left): Pool has no public way to choose what its worker-handler thread waits on
        # (concurrent.futures has no terminate before 3.14, which close() needs).  Doing without, measured
        # (benchmarks/modes.py, 10k exports, record rules, 2 workers, load 4-5, median of 3): main process
        # CPU 1.31 -> 1.41 s (pages) and 0.98 -> 1.34 s (JSON Lines); docs/performance.md, "Cores".
        def _get_sentinels(self) -> list:
            return [self._change_notifier._reader]

    return QuietPool


class WorkerPool:
    """A lazily started process pool shared by the files of one run."""

    def __init__(self, plan: Any, jobs: int) -> None:
        self.plan = plan
        self.jobs = jobs
        self._pool = None
        self._submitted: deque = deque()  # AsyncResults not known to be ready, oldest first (see close)

    def submit(self, task: Any, arg: Any) -> Any:
        """``task(arg)`` in a worker; its ``AsyncResult``."""
        submitted = self._submitted
        while submitted and submitted[0].ready():
            submitted.popleft()
        result = self.get().apply_async(task, (arg,))
        submitted.append(result)
        return result

    def get(self):
        if self._pool is None:
            global _inherited_plan
            import multiprocessing

            method = self.plan.tuning.method()
            ctx = multiprocessing.get_context(method)
            spec = None
            if method == "fork":
                _inherited_plan = self.plan
                import gc

                gc.freeze()  # what the workers inherit is never scanned again: no copy-on-write by the collector
            else:
                spec = _plan_spec(self.plan)
            self._pool = _quiet_pool_class()(self.jobs, _init_worker, (spec,), context=ctx)
        return self._pool

    def close(self) -> None:
        """Stop the workers once they have finished what they were given.

        Killing a worker while it sends a result (say, of a range dropped
        after a wrong guess) leaves the results queue locked, and the pool's
        shutdown then waits forever (CPython gh-96995).  So the pool is closed
        and its tasks in flight (a few chunks) are waited for; only tasks still
        running after ``Tuning.shutdown_grace`` seconds (a rule stuck on a record,
        an interrupted run) get the workers terminated.
        """
        pool = self._pool
        if pool is None:
            return
        self._pool = None
        pool.close()
        deadline = time.monotonic() + self.plan.tuning.shutdown_grace
        submitted, self._submitted = self._submitted, deque()
        for result in submitted:
            result.wait(max(0.0, deadline - time.monotonic()))
        if not all(result.ready() for result in submitted):
            pool.terminate()
        pool.join()
        import gc

        gc.unfreeze()
