"""``feedlint check --fix`` / ``--diff``: read, repair, then write files, a diff or JSON Patches.

Each file is read once and repaired record by record; each repaired record
goes straight to the output (:mod:`.outputs`): a temporary file renamed over
the target at the end (same permissions, a symlink's target), a diff, or
JSON Patches.  A file that cannot be read is left untouched.  Standard
input's repaired document goes to standard output.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence, TextIO

from ..model import record_words
from ..reader.errors import InputError
from .files import FileRepair, repair_file
from .loop import FixPolicy
from .outputs import DiffSink, FileSink, PatchSink


@dataclass
class FixRun:
    repairs: list[FileRepair] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    stdin_temp: str | None = None  # the repaired standard input, in a temporary file (for stdout and the check that follows)
    long_values: int = 0  # --diff: changes shown as values on long lines

    @property
    def applied(self) -> int:
        return sum(len(r.applied) for f in self.repairs for r in f.records)

    @property
    def changed(self) -> list[FileRepair]:
        return [f for f in self.repairs if f.changed]


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise InputError(path, f"cannot open: {exc.strerror or exc}") from None


def repair_all(engine: Any, paths: Sequence[str], displays: Sequence[str], policy: FixPolicy, guard_rules: list, make_sink: Callable[[str, str], Any]) -> FixRun:
    """Repair every file, each through its output (``make_sink(path, display)``); input errors are collected, their files left alone."""
    run = FixRun()
    for path, display in zip(paths, displays):
        sink = make_sink(path, display)
        try:
            data = _read(path)
            repair = repair_file(engine, path, display, data, policy, guard_rules, sink)
            del data
        except InputError as exc:
            run.errors.append(exc)
            continue
        except (OSError, EOFError) as exc:  # a truncated gzip
            run.errors.append(InputError(display, f"cannot read: {exc}"))
            continue
        run.repairs.append(repair)
        if path == "-":
            run.stdin_temp = getattr(sink, "temp", None)
        run.long_values += getattr(sink, "long_values", 0)
    return run


def describe_fixes(run: FixRun, stream: TextIO, show: bool, unsafe: bool, dry_run: bool = False) -> None:
    """What was done (``dry_run``: what ``--diff`` shows would be done, nothing written), on ``stream``: each fix with ``show``, then one summary line."""
    if show:
        for repair in run.repairs:
            for rec in repair.records:
                who = record_words(rec.id_name, rec.content_id, rec.index)
                for a in rec.applied:
                    stream.write(f"{repair.display}: {a.rule_id} [{who}] {rec.pointer}{a.pointer}: {a.description}" + (" (unsafe fix)" if a.applicability == "unsafe" else "") + "\n")
    files = len(run.changed)
    records = sum(len(f.records) for f in run.repairs)
    line = f"feedlint: {'would apply' if dry_run else 'applied'} {run.applied} fix{'es' if run.applied != 1 else ''} to {records} record{'s' if records != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    held = sum(f.held_back for f in run.repairs)
    if held and not unsafe:
        line += f"; {held} more with --unsafe-fixes (or not fixable by configuration)"
    stream.write(line + "\n")
    for repair in run.repairs:
        if repair.note:
            stream.write(f"feedlint: note: {repair.display}: {repair.note}\n")
        for index in repair.unconverged:
            stream.write(f"feedlint: warning: {repair.display}: record {index}: fixes did not converge after 10 passes; what was applied is kept, the rest is reported\n")



def fix_stage(cfg: Any, catalogue: Any, plan: Any, guard_plan: Any, files: list[str], displays: list[str], *, fix: bool, diff: bool, fmt: str, show: bool, unsafe: bool, quiet: bool) -> tuple[int | None, list[str], list[str]]:
    """Run the repairs for ``check --fix`` / ``--diff``.

    Returns ``(exit code, files, temporary files)``: an exit code when the
    command is done (``--diff``), else the files the check that follows
    reads (standard input replaced by a temporary copy of its repaired
    document) and the temporary files to remove afterwards.
    """
    from ..engine import Engine
    from ..selection import check_selectors

    fixable, unfixable = cfg.get("fixable"), cfg.get("unfixable", [])
    check_selectors(list(fixable or []) + list(unfixable), catalogue.rules, str(cfg.path or "config"))
    policy = FixPolicy(catalogue.rules, fixable, unfixable, unsafe)
    engine = Engine(plan, 1, keep_fixes=True)
    guard = [a for a in guard_plan.rules if a.rule.scope == "record"]
    if diff and fmt == "json-patch":
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as spool:
            patches = PatchSink(spool)
            run = repair_all(engine, files, displays, policy, guard, lambda path, display: patches)
            _report_errors(run)
            sys.stdout.write('{\n  "version": 1,\n  "patches": [')
            spool.seek(0)
            while chunk := spool.read(1 << 20):
                sys.stdout.write(chunk)
            sys.stdout.write("\n  ]\n}\n" if patches.count else "]\n}\n")
    elif diff:
        run = repair_all(engine, files, displays, policy, guard, lambda path, display: DiffSink(display, sys.stdout))
        _report_errors(run)
        if run.long_values:
            sys.stderr.write(f"feedlint: note: {run.long_values} changed value{'s' if run.long_values != 1 else ''} on long lines shown as excerpts (file:line:column and JSON Pointer); patch applies only the unified hunks; use --fix, or --format json-patch for the records\n")
    if diff:
        if not quiet or show:
            describe_fixes(run, sys.stderr, show, unsafe, dry_run=True)
        return (2 if run.errors else 1 if run.changed else 0), files, []
    run = repair_all(engine, files, displays, policy, guard, lambda path, display: FileSink(path))
    _report_errors(run)
    temps: list[str] = []
    if run.stdin_temp is not None:
        with open(run.stdin_temp, "rb") as f:
            sys.stdout.flush()
            while chunk := f.read(1 << 20):
                sys.stdout.buffer.write(chunk)  # type: ignore[attr-defined]
            sys.stdout.buffer.flush()  # type: ignore[attr-defined]
        temps.append(run.stdin_temp)
        files = [run.stdin_temp if p == "-" else p for p in files]
    if not quiet or show:
        describe_fixes(run, sys.stderr, show, unsafe)
    return None, files, temps


def inline_fixer(cfg: Any, catalogue: Any, guard_plan: Any, *, unsafe: bool, keep_fixes: bool) -> Any:
    """The executor of ``check --fix`` on files: repairs each record and reports its final state in one pass (:mod:`.inline`)."""
    from ..selection import check_selectors
    from .inline import InlineFixExecutor

    fixable, unfixable = cfg.get("fixable"), cfg.get("unfixable", [])
    check_selectors(list(fixable or []) + list(unfixable), catalogue.rules, str(cfg.path or "config"))
    policy = FixPolicy(catalogue.rules, fixable, unfixable, unsafe)
    return InlineFixExecutor(policy, [a for a in guard_plan.rules if a.rule.scope == "record"], keep_fixes)


def _report_errors(run: FixRun) -> None:
    for err in run.errors:
        sys.stderr.write(f"{err.stderr_line()}\n")
