"""The worker side of a parallel run, and the pool that runs it.

Workers get the run's plan by ``fork`` on Linux (nothing to rebuild: plugins
already loaded); elsewhere they rebuild it from a picklable description,
looking rules up by id in their own catalogue (built-ins and entry-point
plugins).  A task is a chunk of records (:func:`check_chunk`) or a byte range
of the file (:func:`feedlint.ranges.pool.check_range`); either way the worker
sends back each record's findings packed as plain tuples (:func:`pack_findings`,
put back by :func:`unpack_findings` in the main process), its dataset
facts, and the task's other :class:`Effects` (records counted, internal
errors, suppressions used).  :mod:`feedlint.parallel` schedules the tasks and
puts the results back in order.  Records are checked with
:func:`feedlint.checker.check_records`, as everywhere.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Sequence
from typing import Any, Iterator

from .model import Finding, finding_entry
from .reader.positions import Cursor, Region, region_fields

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
    return RecordCheck(plan, [active[i] for i in rule_indices], display, keep_fixes, plan.facts_for(profile) if want_facts else (), place_known)


def _packed(check: Any, raws: Iterator[Any], out: list, totals: Any) -> None:
    """Check ``raws``: per record (packed findings, (content_id, facts, start) or None) to ``out``, the rest merged into ``totals``."""
    from .checker import check_records

    for effects in check_records(check, raws):
        row = effects.facts[0][2:] if effects.facts else None
        out.append((pack_findings(effects.findings), row))
        totals.merge(effects, payload=False)


def check_chunk(task: tuple) -> tuple[list, Any]:
    """Worker: check a chunk of raw records; returns per-record (findings, facts) and the chunk's other effects."""
    from .effects import Effects

    *common, items = task
    out: list = []
    totals = Effects()
    _packed(_check(*common), chunk_records(items), out, totals)
    return out, totals


def pack_findings(findings: list) -> tuple:
    """A record's findings as plain tuples: a third of the pickling cost of the objects, both ways.

    What every finding of the record shares (file, record, pointer prefix,
    rule name and severity) is not sent; :func:`unpack_findings` puts it back.
    """
    if not findings:
        return ()
    return findings[0].content_id, [
        (f.rule_id, f.message, f.record_pointer, region_fields(f.region), f.evidence, f.fingerprint, f.fix) for f in findings
    ]


def unpack_findings(packed: tuple, rules_by_id: dict, display: str, index: int, pointer: str, base: Cursor | None = None) -> list:
    """The :class:`Finding` objects :func:`pack_findings` packed, equal to the worker's.

    ``base``: where the worker's positions are counted from (a range's start), if not the file's start.
    A region is rebuilt per finding: looking up a shared one (hashing ten
    numbers) cost more than it saved, as findings rarely share a place.
    """
    if not packed:
        return []
    content_id, rows = packed
    out = []
    for rule_id, message, record_pointer, fields, evidence, fingerprint, fix in rows:
        name, severity = rules_by_id[rule_id]
        region = Region.from_fields(fields if base is None else base.shift(fields))
        out.append(Finding(rule_id, name, severity, message, display, index, content_id, pointer + record_pointer, record_pointer, region, evidence, fix, fingerprint))
    return out


class PackedFindings(Sequence):
    """A task's findings as a worker packed them (:func:`pack_findings`), record by record, in order.

    As a sequence it is :class:`Finding` objects, made by :func:`unpack_findings`
    when first asked for: what every reporter gets.  The JSON reporter asks for
    :meth:`entries` instead, each finding's entry made from its row, and the CLI
    counts findings by :meth:`rule_ids_and_severities`: no :class:`Region` or
    :class:`Finding` in between, about 13 k of the 48 k instructions a finding
    cost the main process (10k export, JSON: 4,933 -> 4,197 M instructions).
    """

    def __init__(self, rules_by_id: dict, display: str, base: Cursor | None = None) -> None:
        """``rules_by_id``: rule id -> (name, severity); ``base``: where the worker's positions are counted from (:func:`unpack_findings`)."""
        self.display = display  # the file every finding is in
        self._rules = rules_by_id
        self._base = base
        self._records: list[tuple[tuple, int, str]] = []  # (packed, record index, record pointer)
        self._count = 0
        self._findings: list[Finding] | None = None

    def add(self, packed: tuple, index: int, pointer: str) -> None:
        """The (non-empty) packed findings of the record ``index`` at ``pointer``, after those added before."""
        self._records.append((packed, index, pointer))
        self._count += len(packed[1])

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i: Any) -> Any:
        return self.findings()[i]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings())

    def findings(self) -> list[Finding]:
        """The :class:`Finding` objects, made once."""
        if self._findings is None:
            made: list[Finding] = []
            for packed, index, pointer in self._records:
                made.extend(unpack_findings(packed, self._rules, self.display, index, pointer, self._base))
            self._findings = made
        return self._findings

    def rule_ids_and_severities(self) -> tuple[list[str], list[str]]:
        """Each finding's rule id, and its severity, in order (no :class:`Finding` made)."""
        ids = [row[0] for packed, _, _ in self._records for row in packed[1]]
        rules = self._rules
        return ids, [rules[rule_id][1] for rule_id in ids]

    def entries(self, size: int) -> Iterator[list[dict]]:
        """Each finding's ``as_dict()`` (:func:`finding_entry`), made from its row, in lists of up to ``size`` (a record may have 50,000 findings)."""
        rules, display, base = self._rules, self.display, self._base
        out: list[dict] = []
        for (content_id, rows), index, pointer in self._records:
            for rule_id, message, record_pointer, fields, evidence, fingerprint, _ in rows:
                name, severity = rules[rule_id]
                line, column, end_line, end_column, column16, end_column16, offset, length, _, _ = fields if base is None else base.shift(fields)
                out.append(finding_entry(rule_id, name, severity, message, display, index, content_id, pointer + record_pointer, record_pointer,
                                         line, column, end_line, end_column, column16, end_column16, offset, length, evidence, fingerprint))
                if len(out) >= size:
                    yield out
                    out = []
        if out:
            yield out


def rule_ids_and_severities(findings: Sequence[Finding]) -> tuple[list[str], list[str]]:
    """Each finding's rule id, and its severity, in order (:class:`PackedFindings` makes no :class:`Finding` for it)."""
    if isinstance(findings, PackedFindings):
        return findings.rule_ids_and_severities()
    return [f.rule_id for f in findings], [f.severity for f in findings]


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
