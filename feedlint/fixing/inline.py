"""``check --fix`` in one pass: each record is repaired and reported as it is checked.

The fix used to read and check every file once to repair it, then check the
repaired file again for the report: three checks of a repaired record.  This
executor (an :class:`feedlint.executor.Executor`) does both at once: each
record is checked with its place in the *repaired* file (earlier repairs
shift later records), repaired through the fix loop, and the check of its
final state -- which the loop makes anyway -- is what the report gets.  The
engine does the rest as for ``check`` (file and dataset rules, which re-read
the file once it is written; skips; errors; counts).

The report of a file waits in a spool until the file was read to its end:
a file with an input error is not fixed, so its records are then checked
again as they are and the error is raised where a plain check raises it.
"""

from __future__ import annotations

import gzip
import pickle
import tempfile
from typing import Any, Iterator

from ..checker import check_records
from ..effects import Effects
from ..reader.errors import InputError
from ..reader.positions import Cursor
from .files import _BOM, FileRepair, splice
from .fixer import RecordFixer
from .loop import FixPolicy
from .outputs import FileSink


class InlineFixExecutor:
    """Records repaired, written and reported in one pass (see the module's doc); ``repairs`` says what was done."""

    def __init__(self, policy: FixPolicy, guard_rules: list, keep_fixes: bool) -> None:
        self.policy = policy
        self.guard_rules = guard_rules  # the schema rules (FL1xx), run on repaired records whether selected or not
        self.keep_fixes = keep_fixes  # the reporter shows proposed fixes (SARIF)
        self.repairs: list[FileRepair] = []

    def close(self) -> None:
        pass

    def run(self, job: Any) -> Iterator[Effects]:
        source = job.source
        if source is None or source.info.kind != "cms" or source.path == "-":
            if source is not None and source.info.kind != "cms":
                self.repairs.append(FileRepair(job.check.display, note="not fixed: a plain-text article (fixes apply to JSON exports)"))
            yield from check_records(job.check, job.records)
            return
        spool = _Spool()
        try:
            try:
                repair = self._repair(job, spool)
            except InputError:
                # not fixed: report its records as they are, and the error where a plain check meets it
                spool.close()
                from ..reader.sources import Source

                again = Source(source.path, source.input_format, source.info.display, profiles=source.profiles)
                for effects in check_records(job.check, again.records()):
                    if not self.keep_fixes:
                        _drop_fixes(effects)
                    yield effects
                raise
            self.repairs.append(repair)
            yield from spool.replay()
        finally:
            spool.close()

    def _repair(self, job: Any, spool: "_Spool") -> FileRepair:
        source, check = job.source, job.check
        display = check.display
        try:
            with open(source.path, "rb") as f:
                data = f.read()
            plain = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        except (OSError, EOFError) as exc:
            raise InputError(display, f"cannot read: {exc}") from None
        del data
        repair = FileRepair(display, gzip=source.info.gzip)
        sink = FileSink(source.path)
        sink.start(plain, repair)
        try:
            self._records(job, plain, repair, sink, spool)
        except BaseException:
            sink.abort()
            raise
        sink.finish()
        return repair

    def _records(self, job: Any, plain: bytes, repair: FileRepair, sink: FileSink, spool: "_Spool") -> None:
        """Each record repaired at its place in the repaired file, the check of its final state to the spool."""
        source, check = job.source, job.check
        fixer = RecordFixer(check, self.policy, self.guard_rules)
        bom = len(_BOM) if plain.startswith(_BOM) else 0
        shift: tuple[Cursor, Cursor] | None = None  # (old, new) end of the last repaired record: later ones move by the difference
        for raw in job.records:
            start = bom + source.reader.record_start
            old_origin = raw.origin
            if shift is not None:
                raw.origin = _moved(old_origin, *shift)  # located in the repaired file (no position was computed yet)
                raw.at = None  # its byte offset there is not counted: the dataset stage finds it by reading the file in order
            effects, fixed = fixer.fix(raw, repair)
            if fixed is not None:
                final = fixed.final
                splice(plain, start, raw, fixed, repair, sink, check.plan.roles_for(raw.profile))
                shift = (old_origin.advance(raw.text), final.origin.advance(final.text))
            if not self.keep_fixes:
                _drop_fixes(effects)
            spool.add(effects)


def _drop_fixes(effects: Effects) -> None:
    """The reporter shows no fixes: findings do not carry them (the engine may spool findings; a fix is heavy)."""
    for f in effects.findings:
        f.fix = None


def _moved(origin: Cursor, old_end: Cursor, new_end: Cursor) -> Cursor:
    """Where ``origin`` (a place after ``old_end`` in the file as read) is once the text up to ``old_end`` ends at ``new_end``."""
    offset, offset16 = origin.offset + new_end.offset - old_end.offset, origin.offset16 + new_end.offset16 - old_end.offset16
    if origin.line == old_end.line:  # on the repaired line: columns move too
        return Cursor(new_end.line, new_end.column + origin.column - old_end.column, new_end.column16 + origin.column16 - old_end.column16, offset, offset16)
    return Cursor(origin.line + new_end.line - old_end.line, origin.column, origin.column16, offset, offset16)


class _Spool:
    """A file's effects, pickled into a temporary file until the file was read to its end (memory stays flat)."""

    def __init__(self) -> None:
        self._file: Any = None
        self._kept: list[Effects] = []  # effects that do not pickle (a plugin's fix): kept in memory, in order

    def add(self, effects: Effects) -> None:
        if not self._kept:
            try:
                data = pickle.dumps(effects, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - unpicklable: from here on held in memory, order kept
                self._kept.append(effects)
                return
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="feedlint-fix-")
            self._file.write(data)
            return
        self._kept.append(effects)

    def replay(self) -> Iterator[Effects]:
        if self._file is not None:
            self._file.flush()
            self._file.seek(0)
            while True:
                try:
                    yield pickle.load(self._file)  # a fresh unpickler each: every dump has its own memo
                except EOFError:
                    break
        yield from self._kept

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._kept = []
