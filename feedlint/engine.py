"""The engine: reads inputs, hands their records to an executor, runs file and dataset rules.

The data flow, and where an execution engine plugs in: ``docs/architecture.md``.
Checking a record is :func:`feedlint.checker.check_record` (pure); where it
runs is an :class:`feedlint.executor.Executor`; what it returns
(:class:`Effects`) is merged here, once per value, into the run's totals.
"""

from __future__ import annotations

import heapq
import os
from collections import deque
from dataclasses import replace
from itertools import chain, islice
from typing import Any, Generator, Iterator, Mapping, Sequence

from .api import DatasetHit, Hit
from .checker import RecordCheck, check_record as _check_record, run_rule, stamp, suppressed
from .dataset import Evaluator, Facts, run_stage
from .effects import Effects, RunStats, SkippedInput
from .executor import Executor, FileJob, SerialExecutor
from .facts import FactTable, RowRef
from .model import Finding, Related
from .plan import ActiveRule, Plan, Suppression, path_matches
from .reader.errors import InputError
from .reader.positions import Region
from .reader.sources import FileInfo, Source

# A serial run's fact rows come one a record: FactTable.add_rows takes them this many at a time, a
# column at a time (a row alone costs 35 k instructions, in a batch about 15 k). Every row of the
# file goes through the batch, in order; the table is read only after the file's records (the
# dataset stage, the next file's rows), when every batch is in. Parallel executors send rows by
# the range already (and read the table's length while running: Engine._prepare_for).
_FACT_BATCH = 256

__all__ = ["ActiveRule", "Engine", "Plan", "RunStats", "SkippedInput", "Suppression", "non_object_in_pages", "path_matches"]  # Plan and its parts live in feedlint.plan; named here too for callers of old


class Engine:
    """Runs a :class:`Plan` over inputs, yielding findings in file and record order.

    ``executor``: where records are checked (default: this process, or
    ``jobs`` worker processes when ``jobs`` > 1).  ``dataset_evaluator``: who
    answers the dataset rules' expectations (default: the plain evaluator;
    see :mod:`feedlint.dataset`).  ``table``: the fact table to fill (default:
    a driver-side :class:`FactTable`; the Spark engine's is a DataFrame).
    """

    def __init__(self, plan: Plan, jobs: int = 1, keep_fixes: bool = True, in_position_order: bool = False, executor: Executor | None = None,
                 dataset_evaluator: Evaluator | None = None, table: Facts | None = None) -> None:
        self.plan = plan
        self.in_position_order = in_position_order  # dataset findings among the others by position (see run)
        self.jobs = jobs  # worker processes for record checks (1: all in this process)
        self.keep_fixes = keep_fixes  # False: findings drop the rules' proposed fixes (no reporter shows them)
        self.progress: Any = None  # called as progress(display, reader) while a file is read
        self.errors: list[InputError] = []
        self.notices: list[str] = []
        self.skipped: list[SkippedInput] = []  # inputs not checked and why (see skip())
        self.totals = Effects()  # what every check counted (findings and facts are not kept here)
        self._counts = RunStats()  # files read, skipped, unreadable (records and suppressions: in totals)
        self.files: list[FileInfo] = []
        self._profile_by_display: dict[str, str] = {}  # see profile_of
        self.table: Facts = table if table is not None else FactTable()  # a distributed engine's own (docs/architecture.md)
        self._dataset = plan.by_scope("dataset")
        self._executor = executor
        self.dataset_evaluator = dataset_evaluator
        self._preparing: Any = None  # the thread running the dataset rules' prepare (see prepare_in_background)

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            if self.jobs > 1:
                from .parallel import ProcessExecutor

                self._executor = ProcessExecutor(self.plan, self.jobs)
            else:  # findings packed from their hits where the JSON reporters write them from the rows; SARIF makes every Finding and locates its fix (+105 M on 1,000 records if packed first), text orders them with the dataset's (+15 M)
                self._executor = SerialExecutor(packed=not self.keep_fixes and not self.in_position_order)
        return self._executor

    # -- the run's totals -------------------------------------------------------
    @property
    def stats(self) -> RunStats:
        return replace(self._counts, records=self.totals.records, suppressed=self.totals.suppressed)

    @property
    def internal_errors(self) -> list[str]:
        return self.totals.internal_errors

    @property
    def setup_problems(self) -> dict[str, list[str]]:
        """Problem text -> ids of the rules it stops."""
        return self.totals.setup_problems

    def _absorb(self, effects: Effects, file_index: int) -> list[Finding]:
        """Merge one value from an executor into the run: fact rows to the table, counters to the totals; its findings."""
        if effects.facts:
            table = self.table
            if isinstance(table, FactTable):
                table.add_rows(file_index, effects.facts)
            else:
                for index, pointer, content_id, facts, start in effects.facts:
                    table.add(RowRef(file_index, index, pointer, content_id, start), facts)
        self.totals.merge(effects, payload=False)
        return effects.findings

    def add_setup_error(self, rule_id: str, problem: str) -> None:
        """Record that ``problem`` stops ``rule_id``; rules sharing one cause (a bad schema) share one line."""
        self.totals.add_setup_problem(rule_id, problem)

    def skip(self, info: FileInfo, reason: str) -> None:
        """Record that the input ``info`` is not checked, and why (the one place a skip is decided to be said)."""
        info.notes.append(f"skipped: {reason}")
        self.skipped.append(SkippedInput(info.display, reason))

    def profile_of(self, display: str) -> str | None:
        """The profile the file ``display`` was read with (None: not read yet, skipped, or an article)."""
        known = self._profile_by_display.get(display)
        if known is None and len(self._profile_by_display) != len(self.files):
            self._profile_by_display = {i.display: i.profile for i in self.files}
            known = self._profile_by_display.get(display)
        return known or None

    def id_name_of(self, display: str) -> str:
        """What the records of the file ``display`` call their identity (``content_id``, a WordPress post's ``id``): see :func:`feedlint.fields.id_name`."""
        return self.plan.roles_for(self.profile_of(display)).id_name

    def profiles(self) -> dict[str, str]:
        """Each file checked -> the profile it was read with."""
        return {i.display: i.profile for i in self.files if i.profile and not any(n.startswith("skipped:") for n in i.notes)}

    @property
    def incomplete(self) -> bool:
        """An input could not be read or a rule could not run: the run has not checked everything (exit 2)."""
        return bool(self.errors or self.internal_errors or self.setup_problems)

    @property
    def setup_errors(self) -> list[str]:
        return [f"rule{'s' if len(ids) > 1 else ''} {', '.join(ids)}: {problem}" for problem, ids in self.setup_problems.items()]

    # -- per record -----------------------------------------------------------
    def check_record(self, raw: Any, rules: Sequence[ActiveRule], display: str) -> list[Finding]:
        """One record's findings in file order (for callers checking records one by one: ``--fix``); not counted as a record checked."""
        effects = _check_record(RecordCheck(self.plan, rules, display, self.keep_fixes), raw)
        effects.records = 0
        return self._absorb(effects, -1)

    @property
    def wants_facts(self) -> bool:
        return bool(self._dataset)

    # -- per file -------------------------------------------------------------
    def file_batches(self, path: str, display: str) -> Iterator[list[Finding]]:
        """The findings of one input in record order, as the executor hands them over: a list per value.

        A list passes through to the reporter in one step: handing findings
        on one at a time (a generator step and several calls each) was a
        good part of the main process's work in a parallel run.  A worker's
        list is a :class:`feedlint.packed.PackedFindings` (a sequence of
        findings that the JSON reporter writes from the rows workers sent).
        """
        source = Source(path, self.plan.input_format, display, profiles=self.plan.profile_set())
        info = source.info
        file_index = len(self.files)
        self.files.append(info)
        self.table.files.append(display)
        try:
            records = source.records(self.progress)
            first = next(records, None)
            if first is not None:
                if info.kind == "cms" and not non_object_in_pages(info, first.data) and source.detect(first) is None:
                    self.skip(info, source.skip_reason())
                    self._counts.skipped_files += 1
                    return
                record_rules = self.plan.for_file(display, "record", info.kind, info.profile or None)
                facts = self.plan.facts_for(info.profile or None) if self._dataset else ()
                check = RecordCheck(self.plan, record_rules, display, self.keep_fixes, facts)
                job = FileJob(check, chain([first], records), source, self.progress, self._prepare_for)
                executor = self.executor
                rows: list | None = [] if isinstance(self.table, FactTable) and type(executor) is SerialExecutor else None  # a record's fact row at a time, added a batch at a time
                try:
                    for effects in executor.run(job):
                        if rows is not None and effects.facts:
                            rows += effects.facts
                            effects.facts = []
                            if len(rows) >= _FACT_BATCH:
                                self.table.add_rows(file_index, rows)
                                rows = []
                        findings = self._absorb(effects, file_index)
                        if findings:
                            yield findings
                finally:
                    if rows:
                        self.table.add_rows(file_index, rows)
        except InputError as exc:
            reason = source.no_export_reason(exc)
            if reason is not None:  # JSONC (tsconfig.json): no export at all
                self.skip(info, reason)
                self._counts.skipped_files += 1
                return
            self.errors.append(exc)
            self._counts.unreadable_files += 1
        else:
            self._counts.files += 1
        findings = self._file_rules(info, display)
        if findings:
            yield findings

    def _file_rules(self, info: FileInfo, display: str) -> list[Finding]:
        effects = Effects()
        for active in self.plan.for_file(display, "file", info.kind, info.profile or None):
            for hit in run_rule(active, info, display, effects):
                finding = Finding(active.rule.id, active.rule.name, active.severity, hit.message, display, None, None, "", "", Region.file_start(), hit.evidence, kind=info.kind)
                if not suppressed(self.plan, finding, active.rule, effects):
                    effects.findings.append(finding)
        return self._absorb(effects, -1)

    # -- dataset --------------------------------------------------------------
    def _prepare_for(self, expected_records: int) -> None:
        known = len(self.table) if isinstance(self.table, FactTable) else 0  # another engine's table is counted once, after the records
        self.prepare_in_background(known + expected_records)

    def prepare_in_background(self, expected_rows: int) -> None:
        """Run the dataset rules' ``prepare`` (a heavy import) in a thread while workers check the records.

        The main process mostly waits on the workers then; what ``prepare``
        does would otherwise run after them, alone.  A failure is ignored:
        the rule's check meets it again and reports it.
        """
        if self._preparing is not None and self._preparing.is_alive():
            return
        calls: dict[Any, Mapping[str, Any]] = {}
        for active in self._dataset:
            if active.rule.prepare is not None:
                calls.setdefault(active.rule.prepare, active.options)
        if not calls:
            return
        import threading

        def run() -> None:
            for prepare, options in calls.items():
                try:
                    prepare(options, expected_rows)
                except Exception:  # noqa: BLE001, S110 - reported by the check itself
                    pass

        self._preparing = threading.Thread(target=run, name="feedlint-prepare", daemon=True)
        self._preparing.start()

    def dataset_findings(self, paths: Sequence[str]) -> Iterator[Finding]:
        """The dataset stage (:func:`feedlint.dataset.run_stage`) over the fact table, its hits located by re-reading their records."""
        for _, finding in self._dataset_findings(paths):
            yield finding

    def _dataset_findings(self, paths: Sequence[str]) -> Iterator[tuple[int, Finding]]:
        """``(file index, finding)`` of each dataset finding, file by file, each file's in record order."""
        if self._preparing is not None:
            self._preparing.join()  # a half-imported module must not be used
        if not self._dataset or not len(self.table):
            return
        if os.environ.get("PRE_COMMIT") == "1":  # pre-commit may split the file list into several invocations
            self.notices.append(
                f"dataset checks (FL6xx) compared the {len(self.table.files)} file(s) of this pre-commit invocation only; "
                "duplicates against files outside it are not seen (run `feedlint check` on the whole export set in CI)"
            )
        stage = run_stage(self._dataset, self.table, self.dataset_evaluator)
        self._absorb(stage.effects, -1)
        by_file: dict[int, list[tuple[ActiveRule, DatasetHit]]] = {}
        places: dict[int, dict[int, dict[str, Any]]] = {}  # related places to locate: file -> record -> pointer -> content_id
        needed: dict[int, dict[int, RowRef]] = {}  # the records to read again: file -> record -> a row of it
        allowed: dict[int, set[str]] = {}  # file -> the dataset rules its per-file-ignores and profile leave on
        for active, hit in stage.hits:
            ref = self.table.ref(hit.row)
            if ref.file_index not in allowed:
                allowed[ref.file_index] = self._dataset_rule_ids(ref.file_index)
            if active.rule.id not in allowed[ref.file_index]:
                continue  # not reported in this file: neither its record nor its related places are read again
            by_file.setdefault(ref.file_index, []).append((active, hit))
            needed.setdefault(ref.file_index, {}).setdefault(ref.record_index, ref)
            for row, pointer in hit.related:
                ref = self.table.ref(row)
                places.setdefault(ref.file_index, {}).setdefault(ref.record_index, {})[pointer] = ref.content_id
                needed.setdefault(ref.file_index, {}).setdefault(ref.record_index, ref)
        located: dict[tuple[int, int, str], Related] = {}
        pending: deque[tuple[int, Finding, tuple[tuple[int, str], ...], int]] = deque()  # waiting for related places in later files
        for file_index in sorted(needed):
            wanted: dict[int, list[tuple[ActiveRule, DatasetHit]]] = {}
            for active, hit in by_file.get(file_index, ()):
                wanted.setdefault(self.table.ref(hit.row).record_index, []).append((active, hit))
            here = places.get(file_index, {})
            info = self.files[file_index]
            records = self._records_again(paths[file_index], info, needed[file_index])
            try:
                for raw in records:
                    for pointer, content_id in here.get(raw.index, {}).items():
                        located[file_index, raw.index, pointer] = _related_place(raw, pointer, info.display, content_id)
                    for active, hit in wanted.get(raw.index, ()):
                        ref = self.table.ref(hit.row)
                        as_hit = Hit(hit.pointer, hit.message, hit.evidence)
                        finding = stamp(active, as_hit, raw, info.display, ref.content_id, self.keep_fixes)
                        used = Effects()
                        if not suppressed(self.plan, finding, active.rule, used):
                            ready = max((self.table.ref(r).file_index for r, _ in hit.related), default=file_index)
                            pending.append((file_index, finding, hit.related, ready))
                        else:
                            self._absorb(used, file_index)
            except InputError:
                pass  # already reported on the first pass
            finally:
                records.close()  # the file, at once
            while pending and pending[0][3] <= file_index:  # in order; a finding waits for the files of its related places
                yield self._with_related(pending.popleft(), located)
        for item in pending:
            yield self._with_related(item, located)

    def _dataset_rule_ids(self, file_index: int) -> set[str]:
        """The dataset rules whose findings the file ``file_index`` may have (its per-file-ignores and profile applied)."""
        info = self.files[file_index]
        return {a.rule.id for a in self.plan.for_file(info.display, "dataset", info.kind, info.profile or None)}

    def _records_again(self, path: str, info: FileInfo, needed: dict[int, RowRef]) -> Generator[Any, None, None]:
        """The records ``needed`` (record index -> a row of it) of a checked file, read again in file order to locate dataset findings.

        Each is read alone from where the first pass found it when every
        start is known and the file can seek (:mod:`feedlint.ranges.reread`);
        otherwise, or from a record that is not at its start (the file
        changed), the file is read in order up to the last one.  Either way
        the records are the first pass's, places and all.
        """
        from .ranges import reread

        order = sorted(needed)
        refs = [needed[i] for i in order]
        done = 0
        if all(ref.start is not None for ref in refs) and reread.seekable(path, info):
            records = reread.records_at(path, info, [(ref.record_index, ref.pointer, ref.start) for ref in refs])
            try:
                for raw in records:
                    yield raw
                    done += 1
                return
            except InputError:
                pass
            finally:
                records.close()
        yield from self._records_in_order(path, info, set(order[done:]), order[-1])

    def _records_in_order(self, path: str, info: FileInfo, needed: set[int], last: int) -> Generator[Any, None, None]:
        """The records ``needed`` of a checked file, reading it from its start up to record ``last`` (not further)."""
        records = Source(path, self.plan.input_format, info.display, profiles=self.plan.profile_set()).records()
        try:
            for raw in records:
                if raw.index > last:
                    break  # no dataset finding or related place further on: the rest of the file is not read again
                if raw.index in needed:
                    yield raw
        finally:
            records.close()  # the file, at once

    def _with_related(self, item: tuple[int, Finding, tuple[tuple[int, str], ...], int], located: dict[tuple[int, int, str], Related]) -> tuple[int, Finding]:
        """A pending dataset finding with its related places filled in (those that could be located)."""
        file_index, finding, related, _ = item
        if related:
            keys = [(self.table.ref(row).file_index, self.table.ref(row).record_index, pointer) for row, pointer in related]
            finding.related = tuple(located[k] for k in keys if k in located)
        return file_index, finding

    def run(self, paths: Sequence[str], displays: Sequence[str] | None = None) -> Iterator[Finding]:
        """Every finding, file by file in record order; the dataset rules' findings come after them all.

        With ``in_position_order`` (text output) and dataset rules selected, the
        dataset findings take their places among the others instead (file,
        record, position): the others wait in a temporary file until the
        dataset stage is done (see :class:`_Spool`), so memory does not grow
        with them.  The same findings in lists: :meth:`run_batches`.
        """
        batches = self.run_batches(paths, displays)
        try:
            for findings in batches:
                yield from findings
        finally:
            batches.close()

    def run_batches(self, paths: Sequence[str], displays: Sequence[str] | None = None) -> Generator[list[Finding], None, None]:
        """:meth:`run`'s findings, in the same order, a list at a time (see :meth:`file_batches`); no list is empty."""
        displays = list(displays or paths)
        paths, spooled = self._spool_stdin(list(paths))
        held = _Spool() if self.in_position_order and self._dataset else None
        try:
            try:
                for path, display in zip(paths, displays):
                    file_index = len(self.files)
                    for findings in self.file_batches(path, display):
                        if held is None:
                            yield findings
                        else:
                            for finding in findings:
                                held.add(file_index, finding)
            finally:
                if self._executor is not None:
                    self._executor.close()
            if held is None:
                yield from _in_lists(self.dataset_findings(paths))
            else:
                dataset = sorted(self._dataset_findings(paths), key=_position)  # the file order is kept: sorted() is stable
                yield from _in_lists(f for _, f in heapq.merge(held.replay(), dataset, key=_position))
        finally:
            if held is not None:
                held.close()
            for name in spooled:
                os.unlink(name)

    def _spool_stdin(self, paths: list[str]) -> tuple[list[str], list[str]]:
        """Dataset findings are located by re-reading their file: stdin cannot be read twice, so copy it first."""
        if not self._dataset or "-" not in paths:
            return paths, []
        import shutil
        import sys
        import tempfile

        with tempfile.NamedTemporaryFile(prefix="feedlint-stdin-", delete=False) as tmp:
            shutil.copyfileobj(sys.stdin.buffer, tmp)
        return [tmp.name if p == "-" else p for p in paths], [tmp.name]

    def suppression_uses(self) -> list[int]:
        """How many findings each ``[[suppress]]`` entry suppressed, in the plan's order."""
        uses = self.totals.uses
        return [uses.get(i, 0) for i in range(len(self.plan.suppressions))]

    def unused_suppressions(self) -> list[Suppression]:
        return [s for s, n in zip(self.plan.suppressions, self.suppression_uses()) if n == 0]


def _related_place(raw: Any, pointer: str, display: str, content_id: Any) -> Related:
    """Where ``pointer`` of the re-read record ``raw`` is: a related place of a dataset finding."""
    try:
        region = raw.region(pointer)
    except Exception:  # noqa: BLE001 - a bad pointer from a plugin still gets its record
        region = raw.region("")
    return Related(display, raw.index, content_id, raw.pointer + pointer, pointer, region)


def _in_lists(findings: Iterator[Finding], size: int = 512) -> Iterator[list[Finding]]:
    """``findings`` in lists of up to ``size``, in order (for :meth:`Engine.run_batches`)."""
    findings = iter(findings)
    while batch := list(islice(findings, size)):
        yield batch


def _position(item: tuple[int, Finding]) -> tuple[int, float, int, str]:
    """Where a finding sits: file, record (a whole-file finding after the records), offset, rule."""
    file_index, f = item
    return file_index, f.record_index if f.record_index is not None else float("inf"), f.region.offset, f.rule_id


class _Spool:
    """Findings held back in order, pickled into a temporary file (memory stays flat), replayed once."""

    def __init__(self) -> None:
        import tempfile

        self._file = tempfile.TemporaryFile(prefix="feedlint-findings-")
        self._kept: list[tuple[int, Finding]] = []  # findings that do not pickle (a plugin's fix): kept in memory, in order

    def add(self, file_index: int, finding: Finding) -> None:
        import pickle

        if self._kept:
            self._kept.append((file_index, finding))
            return
        try:
            data = pickle.dumps((file_index, finding), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - unpicklable: from here on held in memory, order kept
            self._kept.append((file_index, finding))
            return
        self._file.write(data)

    def replay(self) -> Iterator[tuple[int, Finding]]:
        import pickle

        self._file.flush()
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)  # a fresh unpickler per finding: protocol 4+ numbers memo entries by count, so one shared across dumps mixes them up
            except EOFError:
                break
        yield from self._kept

    def close(self) -> None:
        self._file.close()




def non_object_in_pages(info: FileInfo, data: Any) -> bool:
    """A record that is not an object inside the export's page layout (``[[1, "x"]]``): checked, never a skip.

    The pages of records say the file is meant as an export; the schema rule
    (FL101 "expected object") then reports each such record at its position.
    """
    return info.layout == "pages" and not isinstance(data, dict)
