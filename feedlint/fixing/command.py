"""``feedlint check --fix`` / ``--diff``: read, repair, then write files, a diff or JSON Patches.

Each file is read once, repaired in memory and written back atomically
(same permissions, a symlink's target); a file that cannot be read is left
untouched.  Standard input's repaired document goes to standard output.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Sequence, TextIO

from ..output import replace_file
from ..reader.errors import InputError
from .files import FileRepair, repair_file
from .loop import FixPolicy
from .patch import file_patches


@dataclass
class FixRun:
    repairs: list[FileRepair] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    stdin_fixed: bytes | None = None  # the repaired standard input (for the check that follows)

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


def repair_all(engine: Any, paths: Sequence[str], displays: Sequence[str], policy: FixPolicy, guard_rules: list) -> FixRun:
    """Repair every file in memory (nothing written yet); input errors are collected, their files left alone."""
    run = FixRun()
    for path, display in zip(paths, displays):
        try:
            data = _read(path)
            repair = repair_file(engine, path, display, data, policy, guard_rules)
        except InputError as exc:
            run.errors.append(exc)
            continue
        except (OSError, EOFError) as exc:  # a truncated gzip
            run.errors.append(InputError(display, f"cannot read: {exc}"))
            continue
        repair.path = path  # type: ignore[attr-defined]
        run.repairs.append(repair)
    return run


def write_fixes(run: FixRun, stdout: TextIO) -> None:
    """Write each changed file in place (standard input's document to ``stdout``)."""
    for repair in run.repairs:
        path = repair.path  # type: ignore[attr-defined]
        if path == "-":
            run.stdin_fixed = repair.stored()
            stdout.flush()
            stdout.buffer.write(run.stdin_fixed)  # type: ignore[attr-defined]
            stdout.buffer.flush()  # type: ignore[attr-defined]
        elif repair.changed:
            replace_file(path, repair.stored())


def write_diff(run: FixRun, stream: TextIO) -> None:
    """A unified diff of every changed file (gzip files: of their decompressed content)."""
    for repair in run.changed:
        name = repair.display + (" (decompressed)" if repair.gzip else "")
        old, new = _lines(repair.original), _lines(repair.fixed)
        for line in difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"):
            stream.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")


def _lines(data: bytes) -> list[str]:
    """The lines of ``data``, ends kept, split at LF only (a raw U+2028 inside a value is no line end)."""
    return _LINE.findall(data.decode("utf-8"))


_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def write_patches(run: FixRun, stream: TextIO) -> None:
    """The repairs as JSON: ``{"patches": [{file, record, pointer, content_id, patch, fixes}, ...]}``."""
    patches = [p for repair in run.repairs for p in file_patches(repair)]
    stream.write(json.dumps({"version": 1, "patches": patches}, ensure_ascii=False, indent=2) + "\n")


def describe_fixes(run: FixRun, stream: TextIO, show: bool, unsafe: bool) -> None:
    """What was done, on ``stream``: each fix with ``show``, then one summary line."""
    if show:
        for repair in run.repairs:
            for rec in repair.records:
                who = f"content_id {rec.content_id}" if rec.content_id is not None else f"record {rec.index}"
                for a in rec.applied:
                    stream.write(f"{repair.display}: {a.rule_id} [{who}] {rec.pointer}{a.pointer}: {a.description}" + (" (unsafe fix)" if a.applicability == "unsafe" else "") + "\n")
    files = len(run.changed)
    records = sum(len(f.records) for f in run.repairs)
    line = f"feedlint: applied {run.applied} fix{'es' if run.applied != 1 else ''} to {records} record{'s' if records != 1 else ''} in {files} file{'s' if files != 1 else ''}"
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
    run = repair_all(engine, files, displays, policy, [a for a in guard_plan.rules if a.rule.scope == "record"])
    for err in run.errors:
        sys.stderr.write(f"{err.stderr_line()}\n")
    if diff:
        if fmt == "json-patch":
            write_patches(run, sys.stdout)
        else:
            write_diff(run, sys.stdout)
        if not quiet or show:
            describe_fixes(run, sys.stderr, show, unsafe)
        return (2 if run.errors else 1 if run.changed else 0), files, []
    write_fixes(run, sys.stdout)
    if not quiet or show:
        describe_fixes(run, sys.stderr, show, unsafe)
    temps: list[str] = []
    if run.stdin_fixed is not None:
        import tempfile

        with tempfile.NamedTemporaryFile(prefix="feedlint-stdin-", delete=False) as tmp:
            tmp.write(run.stdin_fixed)
        temps.append(tmp.name)
        files = [tmp.name if p == "-" else p for p in files]
    return None, files, temps
