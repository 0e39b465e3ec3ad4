"""``check --fix`` on the ``--jobs`` workers: each worker repairs and checks a chunk of records, the main process writes.

The main process reads the file and sends chunks of records (as for a plain
parallel check, :mod:`feedlint.parallel`), each placed at line 1, column 1:
a worker runs every record through the fix loop (:class:`.fixer.RecordFixer`)
and returns, per record, the findings of its final state counted from the
record's start, its dataset facts, and its repaired text with the fixes
applied (or None).  The main process takes the results in record order,
moves each record to its place in the repaired file (earlier repairs shift
it), splices the repaired ones into the one temporary file and spools the
report, exactly as the one-process path does (:mod:`.inline`); the file is
renamed over the original once, at the end.  Only with ``fork`` (the worker
inherits the fix policy and the schema guard), feedlint's own rules, and for
files of :data:`feedlint.parallel.MIN_PARALLEL_RECORDS` records or more.
"""

from __future__ import annotations

from collections import deque
from itertools import chain
from typing import Any, Iterator

from ..effects import Effects
from .files import moved

_context: dict[str, Any] = {}  # the fix policy and guard rules, inherited by forked workers


def usable(jobs: int, rules: Any) -> bool:
    """Whether the repair can run in ``jobs`` worker processes here.

    ``fork`` (the workers inherit the policy), and only feedlint's own rules:
    a plugin's fix may not survive the trip back (the fix loop has no
    fallback to this process for a chunk).
    """
    from ..parallel import _trusted
    from ..workers import _start_method

    return jobs > 1 and _start_method() == "fork" and all(_trusted(a) for a in rules)


def prepare(policy: Any, guard_rules: list) -> None:
    """What forked workers inherit: set before the pool starts."""
    _context["policy"], _context["guard"] = policy, guard_rules


# -- worker side ---------------------------------------------------------------------


class _Tally:
    """What a chunk's repairs add to the file's :class:`.files.FileRepair` (counters only: picklable, small)."""

    def __init__(self) -> None:
        self.refused = 0
        self.held_back = 0
        self.unconverged: list[int] = []


def fix_chunk(task: tuple) -> tuple[list, Effects, tuple]:
    """Worker: repair and check a chunk of records, each placed at line 1, column 1.

    Returns per record ``(packed findings, facts, repaired text or None,
    applied fixes)``, the chunk's other effects, and its repair counters.
    """
    from ..workers import _check, chunk_records, pack_findings
    from .fixer import RecordFixer

    *common, items = task
    check = _check(*common[:3], True, common[4])  # the fix loop needs the located fixes
    fixer = RecordFixer(check, _context["policy"], _context["guard"])
    tally = _Tally()
    out: list = []
    totals = Effects()
    keep_fixes = common[3]
    for raw in chunk_records(items):
        effects, fixed = fixer.fix(raw, tally)
        if not keep_fixes:  # the reporter shows no fixes: not sent back (a fix is heavy)
            for f in effects.findings:
                f.fix = None
        row = effects.facts[0][2:] if effects.facts else None
        out.append((pack_findings(effects.findings), row, None if fixed is None else fixed.text, None if fixed is None else fixed.applied))
        totals.merge(effects, payload=False)
    return out, totals, (tally.refused, tally.held_back, tally.unconverged)


# -- main side -----------------------------------------------------------------------


class _Repaired:
    """A worker's repair of one record, as :func:`.files.splice` reads it."""

    __slots__ = ("text", "applied")

    def __init__(self, text: str, applied: list) -> None:
        self.text, self.applied = text, applied


def repair_records(job: Any, pool: Any, pairs: Iterator[tuple[Any, int]], state: dict, splice_one: Any, spool: Any, repair: Any, keep_fixes: bool) -> None:
    """Send the ``(record, byte offset)`` pairs in chunks to ``pool``; take the results in order: place, splice and spool each record.

    ``state["shift"]`` is where the last repaired record ended, before and
    after its repair (shared with the records repaired in this process);
    ``splice_one(raw, start, fixed, old_origin, origin)`` writes a repaired
    record and returns the new shift.
    """
    from ..parallel import CHUNK_RECORDS, IN_FLIGHT_PER_WORKER, TASK_BYTES, unpack_findings

    check = job.check
    display = check.display
    rules_by_id = {a.rule.id: (a.rule.name, a.severity) for a in check.rules}
    pairs = iter(pairs)
    first = next(pairs, None)
    if first is None:
        return
    profile = getattr(first[0], "profile", None)
    index_of = {id(a): i for i, a in enumerate(check.plan.rules_for(profile))}
    common = (display, tuple(index_of[id(a)] for a in check.rules), bool(check.facts), keep_fixes, profile)
    pool.get()
    pending: deque = deque()
    limit = pool.jobs * IN_FLIGHT_PER_WORKER

    def chunks() -> Iterator[list]:
        chunk: list = []
        size = 0
        for pair in chain([first], pairs):
            chunk.append(pair)
            size += pair[0].size
            if size >= TASK_BYTES or len(chunk) >= CHUNK_RECORDS:
                yield chunk
                chunk, size = [], 0
        if chunk:
            yield chunk

    def drain_one() -> None:
        result, chunk = pending.popleft()
        out, totals, (refused, held_back, unconverged) = result.get()
        repair.refused += refused
        repair.held_back += held_back
        repair.unconverged.extend(unconverged)
        for (packed, facts, text, applied), (raw, start) in zip(out, chunk):
            old_origin = raw.origin
            shift = state["shift"]
            origin = moved(old_origin, *shift) if shift is not None else old_origin
            if packed:
                totals.findings.extend(unpack_findings(packed, rules_by_id, display, raw.index, raw.pointer, origin))
            if facts is not None:
                totals.facts.append((raw.index, raw.pointer, *facts))
            if text is not None:
                state["shift"] = splice_one(raw, start, _Repaired(text, applied), old_origin, origin)
        spool.add(totals)

    for chunk in chunks():
        items = [(raw.index, raw.pointer, bytes(raw.source), _ORIGIN, raw.line_document, raw.kind, raw.profile) for raw, _ in chunk]
        pending.append((pool.submit(fix_chunk, common + (items,)), chunk))
        while len(pending) >= limit or (pending and pending[0][0].ready()):
            drain_one()
    while pending:
        drain_one()


_ORIGIN = (1, 1, 1, 0, 0)  # each record is repaired and checked as if it began the file: the main process moves its findings




