"""Check a file's records on every core, with the same findings in the same order.

The main process reads and splits the export (cheap: one decode per record)
and sends chunks of raw records -- their bytes, pointer and start position --
to worker processes.  Each worker decodes its records again, runs
:meth:`Engine.check_record` and collects the dataset facts, and sends back the
located findings.  Chunks are submitted with a bounded number in flight and
their results consumed in submission order, so the output is identical to a
serial run whatever the number of workers, and memory stays flat (the pool's
own ``imap`` would read the whole file ahead).  Dataset rules still run once,
at the end, in the main process, over the facts gathered here.

Workers get the run's plan by ``fork`` on Linux (nothing to rebuild: plugins
already loaded); elsewhere they rebuild it from a picklable description, looking
rules up by id in their own catalogue (built-ins and entry-point plugins).

Small files are checked in the main process: a pool costs tens of
milliseconds to start, more than checking :data:`MIN_PARALLEL_RECORDS`
records, so a file switches to the pool only when it has more records than that
(see ``docs/performance.md``).
"""

from __future__ import annotations

import os
import sys
from collections import deque
from itertools import chain, islice
from typing import Any, Iterable, Iterator, Sequence

from .reader.errors import InputError
from .reader.positions import Cursor

MIN_PARALLEL_RECORDS = int(os.environ.get("FEEDLINT_PARALLEL_MIN_RECORDS", "200"))  # fewer records: checked in the main process
CHUNK_BYTES = 512 * 1024  # records per task: about this much source
CHUNK_RECORDS = 256  # ... and at most this many
IN_FLIGHT_PER_WORKER = 4  # tasks submitted ahead per worker (bounded memory)


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(value: int | None) -> int:
    """``None`` or 0: all cores; a negative number is refused by the caller."""
    return default_jobs() if not value else value


# -- worker side ----------------------------------------------------------------

_worker: dict[str, Any] = {}
_inherited_plan: Any = None  # set just before a fork-based pool starts


def _start_method() -> str:
    forced = os.environ.get("FEEDLINT_START_METHOD")
    if forced:
        return forced
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _plan_spec(plan: Any) -> dict[str, Any]:
    """What a spawned worker needs to rebuild ``plan`` (rules by id, everything else as data)."""
    return {
        "rules": [(a.rule.id, a.severity, dict(a.options)) for a in plan.rules],
        "roles": plan.roles,
        "per_file_ignores": dict(plan.per_file_ignores),
        "suppressions": [(s.reason, s.content_id, s.pointer, s.rules, s.path) for s in plan.suppressions],
        "input_format": plan.input_format,
    }


def _plan_from_spec(spec: dict[str, Any]) -> Any:
    from .engine import ActiveRule, Plan, Suppression
    from .registry import load_catalogue

    by_id = load_catalogue().by_id()
    rules = [ActiveRule(by_id[rid], severity, options) for rid, severity, options in spec["rules"]]
    sups = [Suppression(reason, cid, ptr, tuple(rs), path) for reason, cid, ptr, rs, path in spec["suppressions"]]
    return Plan(rules, spec["roles"], spec["per_file_ignores"], sups, spec["input_format"])


def _init_worker(spec: dict[str, Any] | None) -> None:
    from .engine import Engine

    plan = _inherited_plan if spec is None else _plan_from_spec(spec)
    _worker["engine"] = Engine(plan)


def _check_chunk(task: tuple) -> tuple[list, tuple]:
    """Worker: check a chunk of raw records; returns per-record (findings, facts) and side effects."""
    from .reader.jsondecode import loads_exact
    from .reader.jsonstream import RawRecord

    display, rule_indices, want_facts, keep_fixes, items = task
    engine = _worker["engine"]
    engine.keep_fixes = keep_fixes
    plan = engine.plan
    rules = [plan.rules[i] for i in rule_indices]
    out = []
    for index, pointer, source, origin, line_document, kind in items:
        raw = RawRecord(index, pointer, loads_exact(source), source, Cursor(*origin), line_document, kind)
        findings = engine.check_record(raw, rules, display)
        out.append((pack_findings(findings), engine.record_facts(raw) if want_facts else None))
    effects = (engine.internal_errors[:], {p: ids[:] for p, ids in engine.setup_problems.items()}, [s.used for s in plan.suppressions], engine.stats.suppressed)
    engine.internal_errors.clear()
    for s in plan.suppressions:
        s.used = 0
    engine.stats.suppressed = 0
    return out, effects


def pack_findings(findings: list) -> tuple:
    """A record's findings as plain tuples: a third of the pickling cost of the objects, both ways.

    What every finding of the record shares (file, record, pointer prefix,
    rule name and severity) is not sent; :func:`unpack_findings` puts it back.
    """
    if not findings:
        return ()
    return findings[0].content_id, [
        (f.rule_id, f.message, f.record_pointer, _region_fields(f.region), f.evidence, f.fingerprint, f.fix) for f in findings
    ]


def unpack_findings(packed: tuple, rules_by_id: dict, display: str, index: int, pointer: str) -> list:
    """The :class:`Finding` objects :func:`pack_findings` packed, equal to the worker's (a shared region built once)."""
    if not packed:
        return []
    from .model import Finding
    from .reader.positions import Region

    content_id, rows = packed
    regions: dict = {}
    out = []
    for rule_id, message, record_pointer, fields, evidence, fingerprint, fix in rows:
        region = regions.get(fields)
        if region is None:
            region = regions[fields] = Region(*fields)
        name, severity = rules_by_id[rule_id]
        out.append(Finding(rule_id, name, severity, message, display, index, content_id, pointer + record_pointer, record_pointer, region, evidence, fix, fingerprint))
    return out


def _region_fields(r: Any) -> tuple:
    return (r.start_line, r.start_column, r.end_line, r.end_column, r.start_column16, r.end_column16, r.offset, r.length, r.offset16, r.length16)


# -- main side --------------------------------------------------------------------


def _check_here(engine: Any, chunk: list, rules: Sequence[Any], display: str, file_index: int) -> Iterator[Any]:
    """Check a chunk in this process (when a worker could not return its results)."""
    from .reader.jsondecode import loads_exact
    from .reader.jsonstream import RawRecord

    for index, pointer, source, origin, line_document, kind in chunk:
        raw = RawRecord(index, pointer, loads_exact(source), source, Cursor(*origin), line_document, kind)
        engine.stats.records += 1
        yield from engine.check_record(raw, rules, display)
        engine.collect(raw, file_index)


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
        def _get_sentinels(self) -> list:
            return [self._change_notifier._reader]

    return QuietPool


class WorkerPool:
    """A lazily started process pool shared by the files of one run."""

    def __init__(self, plan: Any, jobs: int) -> None:
        self.plan = plan
        self.jobs = jobs
        self._pool = None

    def get(self):
        if self._pool is None:
            global _inherited_plan
            import multiprocessing

            method = _start_method()
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
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
            import gc

            gc.unfreeze()


def _merge_effects(engine: Any, effects: tuple) -> None:
    internal, setup, used, suppressed = effects
    engine.internal_errors.extend(internal)
    for problem, ids in setup.items():
        for rule_id in ids:
            engine.add_setup_error(rule_id, problem)
    for s, n in zip(engine.plan.suppressions, used):
        s.used += n
    engine.stats.suppressed += suppressed


def _chunks(raws: Iterator[Any]) -> Iterator[list]:
    chunk: list = []
    size = 0
    for raw in raws:
        o = raw.origin
        chunk.append((raw.index, raw.pointer, raw.source, (o.line, o.column, o.column16, o.offset, o.offset16), raw.line_document, raw.kind))
        size += len(raw.source)
        if size >= CHUNK_BYTES or len(chunk) >= CHUNK_RECORDS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def check_records(engine: Any, raws: Iterable[Any], rules: Sequence[Any], display: str, file_index: int, pool: WorkerPool | None) -> Iterator[Any]:
    """Findings of ``raws`` in record order; facts go to ``engine.table``.

    An :class:`InputError` from the reader is raised after every record read
    before it has been reported, as in a serial run.
    """
    raws = iter(raws)
    head: list = []
    failure: InputError | None = None
    if pool is not None:
        try:
            head.extend(islice(raws, max(1, MIN_PARALLEL_RECORDS)))
        except InputError as exc:  # report the records before it first
            failure = exc
    if pool is None or failure is not None or len(head) < MIN_PARALLEL_RECORDS or not isinstance(head[0].source, bytes):
        for raw in chain(head, () if failure is not None else raws):
            engine.stats.records += 1
            yield from engine.check_record(raw, rules, display)
            engine.collect(raw, file_index)
        if failure is not None:
            raise failure
        return
    # The first record is checked here, before the fork: the libraries rules import
    # lazily and the validators they build once are then inherited by every worker.
    raw = head.pop(0)
    engine.stats.records += 1
    yield from engine.check_record(raw, rules, display)
    engine.collect(raw, file_index)
    want_facts = engine.wants_facts
    rules_by_id = {a.rule.id: (a.rule.name, a.severity) for a in rules}
    index_of = {id(a): i for i, a in enumerate(engine.plan.rules)}
    rule_indices = tuple(index_of[id(a)] for a in rules)
    workers = pool.get()
    pending: deque = deque()  # (result, chunk) in submission order
    limit = pool.jobs * IN_FLIGHT_PER_WORKER

    def drain_one() -> Iterator[Any]:
        result, chunk = pending.popleft()
        try:
            out, effects = result.get()
        except Exception:  # noqa: BLE001 - e.g. a plugin's hit that cannot be pickled: check here instead
            yield from _check_here(engine, chunk, rules, display, file_index)
            return
        _merge_effects(engine, effects)
        for (packed, facts), item in zip(out, chunk):
            engine.stats.records += 1
            yield from unpack_findings(packed, rules_by_id, display, item[0], item[1])
            if facts is not None:
                engine.add_facts((item[0], item[1]), file_index, facts)  # (content_id, facts) from the worker

    source = _chunks(chain(head, raws))
    while True:
        try:
            chunk = next(source, None)
        except InputError as exc:
            failure, chunk = exc, None
        if chunk is None:
            break
        pending.append((workers.apply_async(_check_chunk, ((display, rule_indices, want_facts, engine.keep_fixes, chunk),)), chunk))
        while len(pending) >= limit or (pending and pending[0][0].ready()):
            yield from drain_one()
    while pending:
        yield from drain_one()
    if failure is not None:
        raise failure
