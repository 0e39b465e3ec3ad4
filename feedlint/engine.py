"""The engine: reads inputs, runs the selected rules, stamps and locates their hits.

Rules yield bare hits; only here do they become :class:`Finding` values with an
id, a severity, a file, the record's identity and an exact region.  Positions
are computed only for hits, never for clean values.
"""

from __future__ import annotations

import fnmatch
import heapq
import os
from itertools import chain
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

from . import tuning
from .api import DatasetHit, Hit, Rule, SetupError
from .facts import FactTable, RowRef
from .fields import FieldRoles
from .model import Finding, Record
from .reader.errors import InputError
from .reader.positions import Region
from .reader.sources import FileInfo, Source
from .selection import matches_any

@dataclass(frozen=True)
class ActiveRule:
    """A selected rule with its resolved severity and options (never mutated)."""

    rule: Rule
    severity: str
    options: Mapping[str, Any]


@dataclass
class Suppression:
    """One ``[[suppress]]`` config entry, counting how often it was used."""

    reason: str
    content_id: Any = None
    pointer: str | None = None
    rules: tuple[str, ...] = ()
    path: str | None = None
    used: int = 0

    def matches(self, finding: Finding, rule: Rule) -> bool:
        if self.content_id is not None and str(finding.content_id) != str(self.content_id):
            return False
        if self.path is not None and not path_matches(finding.path, self.path):
            return False
        if self.pointer is not None:
            rp = finding.record_pointer
            if not (rp == self.pointer or rp.startswith(self.pointer.rstrip("/") + "/")):
                return False
        return not self.rules or matches_any(rule, self.rules)

    def describe(self) -> str:
        parts = []
        if self.content_id is not None:
            parts.append(f"content-id {self.content_id}")
        if self.path:
            parts.append(f"path {self.path}")
        if self.pointer:
            parts.append(f"pointer {self.pointer}")
        if self.rules:
            parts.append("rules " + ",".join(self.rules))
        return " ".join(parts)


def path_matches(path: str, pattern: str) -> bool:
    return fnmatch.fnmatch(path, pattern) or ("/" not in pattern and fnmatch.fnmatch(path.rsplit("/", 1)[-1], pattern))


@dataclass
class Plan:
    """Everything a run needs to know, resolved once from catalogue, config and CLI."""

    rules: list[ActiveRule]
    roles: FieldRoles = field(default_factory=FieldRoles)
    per_file_ignores: Mapping[str, Sequence[str]] = field(default_factory=dict)
    suppressions: list[Suppression] = field(default_factory=list)
    input_format: str = "auto"
    profiles: Any = None  # the run's ProfileSet (see feedlint.profile); None: the built-in ones, loaded when first needed
    profile_rules: dict[str, list[ActiveRule]] = field(default_factory=dict)  # per profile: ``rules`` with its options (same order)
    profile_roles: dict[str, FieldRoles] = field(default_factory=dict)  # per profile: the roles its records are read with

    def by_scope(self, scope: str) -> list[ActiveRule]:
        return [a for a in self.rules if a.rule.scope == scope]

    def profile_set(self) -> Any:
        if self.profiles is None:
            from .profile import ProfileSet

            self.profiles = ProfileSet.load()
        return self.profiles

    def rules_for(self, profile: str | None) -> list[ActiveRule]:
        """The active rules with the options of ``profile`` (same order as :attr:`rules`)."""
        return self.profile_rules.get(profile, self.rules) if profile else self.rules

    def roles_for(self, profile: str | None) -> FieldRoles:
        """The field roles (and record identity) of ``profile``'s records."""
        if not profile or profile == "cms":
            return self.profile_roles.get("cms", self.roles)
        roles = self.profile_roles.get(profile)
        if roles is None:
            found = self.profile_set().get(profile)
            roles = self.profile_roles[profile] = found.field_roles() if found is not None else self.roles
        return roles

    def for_file(self, display: str, scope: str, kind: str, profile: str | None = None) -> list[ActiveRule]:
        ignored: list[str] = []
        for pattern, selectors in self.per_file_ignores.items():
            if path_matches(display, pattern):
                ignored.extend(selectors)
        if profile:
            found = self.profile_set().get(profile)
            ignored.extend(found.ignore if found is not None else ())
        return [a for a in self.rules_for(profile) if a.rule.scope == scope and kind in a.rule.kinds and not (ignored and matches_any(a.rule, ignored))]


@dataclass
class RunStats:
    """What the run got through: ``files`` counts inputs read and checked, not those skipped or unreadable."""

    files: int = 0
    records: int = 0
    skipped_files: int = 0
    unreadable_files: int = 0
    suppressed: int = 0


@dataclass(frozen=True)
class SkippedInput:
    """An input the run did not check, and why: every reporter and the exit code use these."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: skipped: {self.reason}"


def _file_order(finding: Finding) -> tuple[int, str]:
    return finding.region.offset, finding.rule_id


class Engine:
    """Runs a :class:`Plan` over inputs, yielding findings in file and record order."""

    def __init__(self, plan: Plan, jobs: int = 1, keep_fixes: bool = True, in_position_order: bool = False) -> None:
        self.plan = plan
        self.in_position_order = in_position_order  # dataset findings among the others by position (see run)
        self.jobs = jobs  # worker processes for record checks (1: all in this process)
        self.keep_fixes = keep_fixes  # False: findings drop the rules' proposed fixes (no reporter shows them)
        self.progress: Any = None  # called as progress(display, reader) while a file is read
        self.errors: list[InputError] = []
        self.notices: list[str] = []
        self.internal_errors: list[str] = []
        self.skipped: list[SkippedInput] = []  # inputs not checked and why (see skip())
        self.setup_problems: dict[str, list[str]] = {}  # problem text -> ids of the rules it stops
        self.stats = RunStats()
        self.files: list[FileInfo] = []
        self.table = FactTable()
        self._dataset = plan.by_scope("dataset")
        self._pool: Any = None
        self._preparing: Any = None  # the thread running the dataset rules' prepare (see prepare_in_background)
        tuning.warn_bad_values()  # said when the run starts, whether or not it reaches the code that reads them

    # -- stamping -------------------------------------------------------------
    def _finding(self, active: ActiveRule, hit: Hit, raw: Any, display: str, content_id: Any) -> Finding:
        try:
            region = raw.region(hit.pointer, hit.span, hit.on_key)
        except Exception:  # noqa: BLE001 - a bad pointer from a plugin still gets reported
            region = raw.region("")
        rule = active.rule
        fix = hit.fix
        if fix is not None:
            fix = _locate_fix(fix, raw, hit.pointer, region) if self.keep_fixes else None
        return Finding(  # positionally (rule_id, rule_name, severity, message, path, record_index, content_id, pointer, record_pointer, region, evidence, fix, fingerprint: made from the rest, kind): one per hit
            rule.id,
            rule.name,
            active.severity,
            hit.message,
            display,
            raw.index,
            content_id,
            raw.pointer + hit.pointer,
            hit.pointer,
            region,
            hit.evidence,
            fix,
            "",
            raw.kind,
        )

    def _suppressed(self, finding: Finding, rule: Rule) -> bool:
        for s in self.plan.suppressions:
            if s.matches(finding, rule):
                s.used += 1
                self.stats.suppressed += 1
                return True
        return False

    def add_setup_error(self, rule_id: str, problem: str) -> None:
        """Record that ``problem`` stops ``rule_id``; rules sharing one cause (a bad schema) share one line."""
        ids = self.setup_problems.setdefault(problem, [])
        if rule_id not in ids:
            ids.append(rule_id)

    def skip(self, info: FileInfo, reason: str) -> None:
        """Record that the input ``info`` is not checked, and why (the one place a skip is decided to be said)."""
        info.notes.append(f"skipped: {reason}")
        self.skipped.append(SkippedInput(info.display, reason))

    @property
    def incomplete(self) -> bool:
        """An input could not be read or a rule could not run: the run has not checked everything (exit 2)."""
        return bool(self.errors or self.internal_errors or self.setup_problems)

    @property
    def setup_errors(self) -> list[str]:
        return [f"rule{'s' if len(ids) > 1 else ''} {', '.join(ids)}: {problem}" for problem, ids in self.setup_problems.items()]

    def _run_rule(self, active: ActiveRule, target: Any, where: str) -> list[Any]:
        """The rule's hits; a crash or a setup problem is recorded, not raised."""
        try:
            return list(active.rule.check(target, active.options))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the run
            return self._rule_failed(active, exc, where)

    def _rule_failed(self, active: ActiveRule, exc: Exception, where: str) -> list[Any]:
        """Record why a rule gave no hits: a setup problem (said once per cause) or a crash (per input)."""
        if isinstance(exc, SetupError):
            self.add_setup_error(active.rule.id, str(exc))
        else:
            self.internal_errors.append(f"{where}: rule {active.rule.id} ({active.rule.origin}) crashed: {type(exc).__name__}: {exc}")
        return []

    # -- per record -----------------------------------------------------------
    def check_record(self, raw: Any, rules: Sequence[ActiveRule], display: str) -> list[Finding]:
        """The record's findings in file order.

        The loop over rules is written out (no helper call, the crash message
        built only on a crash): it runs some forty times per record.
        """
        data = raw.data
        record = Record(data, raw.kind, raw.index, raw.pointer, self.plan.roles_for(getattr(raw, "profile", None)))
        is_object = isinstance(data, dict)
        content_id = record.content_id
        suppressions = self.plan.suppressions
        out: list[Finding] = []
        for active in rules:
            rule = active.rule
            if not is_object and "schema" not in rule.tags:
                continue
            try:
                hits = list(rule.check(record, active.options))
            except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the run
                hits = self._rule_failed(active, exc, f"{display} record {raw.index}")
            for hit in hits:
                finding = self._finding(active, hit, raw, display, content_id)
                if not suppressions or not self._suppressed(finding, rule):
                    out.append(finding)
        if len(out) > 1:
            out.sort(key=_file_order)
        return out

    @property
    def wants_facts(self) -> bool:
        return bool(self._dataset)

    def record_facts(self, raw: Any) -> tuple[Any, dict[str, Any]] | None:
        """``(content_id, facts)`` of one record for the dataset rules; None when none looks at it."""
        if not any(raw.kind in a.rule.kinds for a in self._dataset):
            return None  # no dataset rule looks at this kind of record (a text article): no row for it
        record = Record(raw.data, raw.kind, raw.index, raw.pointer, self.plan.roles_for(getattr(raw, "profile", None)))
        facts: dict[str, Any] = {}
        for active in self._dataset:
            if active.rule.collect is not None and raw.kind in active.rule.kinds:
                try:
                    facts.update(active.rule.collect(record, active.options))
                except Exception as exc:  # noqa: BLE001
                    self.internal_errors.append(f"record {raw.index}: rule {active.rule.id} collect crashed: {exc}")
        return record.content_id, facts

    def add_facts(self, ref: tuple[int, str], file_index: int, row: tuple[Any, dict[str, Any]]) -> None:
        """Add a record's facts (from :meth:`record_facts`, maybe computed in a worker) to the table."""
        content_id, facts = row
        self.table.add(RowRef(file_index, ref[0], ref[1], content_id), facts)

    def collect(self, raw: Any, file_index: int) -> None:
        if self._dataset:
            row = self.record_facts(raw)
            if row is not None:
                self.add_facts((raw.index, raw.pointer), file_index, row)

    # -- per file -------------------------------------------------------------
    def check_file(self, path: str, display: str) -> Iterator[Finding]:
        source = Source(path, self.plan.input_format, display, profiles=self.plan.profile_set())
        info = source.info
        file_index = len(self.files)
        self.files.append(info)
        self.table.files.append(display)
        from .parallel import check_records  # records on every core (in order), or in this process

        try:
            records = source.records(self.progress)
            first = next(records, None)
            if first is not None:
                if info.kind == "cms" and not non_object_in_pages(info, first.data) and source.detect(first) is None:
                    self.skip(info, source.skip_reason())
                    self.stats.skipped_files += 1
                    return
                record_rules = self.plan.for_file(display, "record", info.kind, info.profile or None)
                yield from check_records(self, chain([first], records), record_rules, display, file_index, self._workers(), source)
        except InputError as exc:
            self.errors.append(exc)
            self.stats.unreadable_files += 1
        else:
            self.stats.files += 1
        yield from self._file_rules(info, display)

    def _file_rules(self, info: FileInfo, display: str) -> Iterator[Finding]:
        for active in self.plan.for_file(display, "file", info.kind, info.profile or None):
            for hit in self._run_rule(active, info, display):
                finding = Finding(active.rule.id, active.rule.name, active.severity, hit.message, display, None, None, "", "", Region.file_start(), hit.evidence, kind=info.kind)
                if not self._suppressed(finding, active.rule):
                    yield finding

    # -- dataset --------------------------------------------------------------
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
        """Run dataset rules over the fact table, then locate their hits by re-reading records."""
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
        pending: list[tuple[ActiveRule, DatasetHit]] = []
        for active in self._dataset:
            pending.extend((active, h) for h in self._run_rule(active, self.table, "dataset"))
        by_file: dict[int, list[tuple[ActiveRule, DatasetHit]]] = {}
        for active, hit in pending:
            by_file.setdefault(self.table.refs[hit.row].file_index, []).append((active, hit))
        for file_index in sorted(by_file):
            wanted: dict[int, list[tuple[ActiveRule, DatasetHit]]] = {}
            for active, hit in by_file[file_index]:
                wanted.setdefault(self.table.refs[hit.row].record_index, []).append((active, hit))
            info = self.files[file_index]
            allowed = {a.rule.id for a in self.plan.for_file(info.display, "dataset", info.kind, info.profile or None)}  # per-file-ignores
            source = Source(paths[file_index], self.plan.input_format, info.display, profiles=self.plan.profile_set())
            try:
                for raw in source.records():
                    for active, hit in wanted.get(raw.index, ()):
                        if active.rule.id not in allowed:
                            continue
                        ref = self.table.refs[hit.row]
                        as_hit = Hit(hit.pointer, hit.message, hit.evidence)
                        finding = self._finding(active, as_hit, raw, info.display, ref.content_id)
                        if not self._suppressed(finding, active.rule):
                            yield file_index, finding
            except InputError:
                continue  # already reported on the first pass

    def _workers(self) -> Any:
        if self.jobs <= 1:
            return None
        if self._pool is None:
            from .workers import WorkerPool

            self._pool = WorkerPool(self.plan, self.jobs)
        return self._pool

    def run(self, paths: Sequence[str], displays: Sequence[str] | None = None) -> Iterator[Finding]:
        """Every finding, file by file in record order; the dataset rules' findings come after them all.

        With ``in_position_order`` (text output) and dataset rules selected, the
        dataset findings take their places among the others instead (file,
        record, position): the others wait in a temporary file until the
        dataset stage is done (see :class:`_Spool`), so memory does not grow
        with them.
        """
        displays = list(displays or paths)
        paths, spooled = self._spool_stdin(list(paths))
        held = _Spool() if self.in_position_order and self._dataset else None
        try:
            try:
                for path, display in zip(paths, displays):
                    file_index = len(self.files)
                    for finding in self.check_file(path, display):
                        if held is None:
                            yield finding
                        else:
                            held.add(file_index, finding)
            finally:
                if self._pool is not None:
                    self._pool.close()
                    self._pool = None
            if held is None:
                yield from self.dataset_findings(paths)
            else:
                dataset = sorted(self._dataset_findings(paths), key=_position)  # the file order is kept: sorted() is stable
                yield from (f for _, f in heapq.merge(held.replay(), dataset, key=_position))
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

    def unused_suppressions(self) -> list[Suppression]:
        return [s for s in self.plan.suppressions if s.used == 0]


def _locate_fix(fix: Any, raw: Any, pointer: str, region: Region) -> Any:
    """The fix tied to its value's place (imported on the first fix: most runs keep none)."""
    from .fixing.located import locate_fix

    return locate_fix(fix, raw, pointer, region)


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
        unpickler = pickle.Unpickler(self._file)
        while True:
            try:
                yield unpickler.load()
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
