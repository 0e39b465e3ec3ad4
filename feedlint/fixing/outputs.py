"""Where repaired records go as they are found: the file itself, a diff, JSON Patches.

Each output gets the file's bytes once (``start``), then every repaired
record in file order (``change``), so nothing but the file and one record is
held: ``--fix`` streams into a temporary file next to the target and renames
it over the target at the end; ``--diff`` writes hunks as it goes; JSON
Patches are spooled to a temporary file.  ``abort`` drops what a file that
could not be read had produced.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import tempfile
from typing import IO, Any

from ..model import record_words
from .patch import record_patch

LONG_LINE = 1000  # a changed line longer than this (bytes) is shown per changed value, not whole


class FileSink:
    """``--fix``: the repaired file written to a temporary file beside it, renamed over it when complete.

    Standard input's document goes to a temporary file kept for the check
    that follows (``temp``); nothing is written for a file without changes.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.temp: str | None = None  # standard input's repaired document
        self._out: Any = None
        self._raw: Any = None
        self._tmp: str | None = None
        self._last = 0

    def start(self, plain: bytes, repair: Any) -> None:
        self.plain, self.repair, self._last = plain, repair, 0
        if self.path == "-":
            self._open(None)

    def _open(self, directory: str | None) -> None:
        fd, self._tmp = tempfile.mkstemp(prefix=".feedlint-" if directory else "feedlint-stdin-", suffix=".tmp", dir=directory)
        self._raw = os.fdopen(fd, "wb")
        self._out = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0) if self.repair.gzip else self._raw

    def change(self, start: int, end: int, raw: Any, fixed: Any, rec: Any) -> None:
        if self._out is None:
            self._open(os.path.dirname(os.path.realpath(self.path)))
        view = memoryview(self.plain)
        self._out.write(view[self._last : start])
        self._out.write(fixed.text.encode("utf-8"))
        self._last = end

    def finish(self) -> None:
        if self._out is None:
            return
        self._out.write(memoryview(self.plain)[self._last :])
        if self._out is not self._raw:
            self._out.close()
        self._raw.flush()
        if self.path == "-":
            self._raw.close()
            self.temp = self._tmp
            return
        try:
            os.fsync(self._raw.fileno())
            self._raw.close()
            target = os.path.realpath(self.path)
            st = os.stat(target)
            os.chmod(self._tmp, st.st_mode & 0o7777)  # type: ignore[arg-type]
            with contextlib.suppress(OSError):  # only root may give a file away; the owner stays ours otherwise
                os.chown(self._tmp, st.st_uid, st.st_gid)  # type: ignore[arg-type]
            os.replace(self._tmp, target)  # type: ignore[arg-type]
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        if self._raw is not None:
            with contextlib.suppress(OSError):
                self._raw.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
        self._out = self._raw = self._tmp = None


class DiffSink:
    """``--diff``: a zero-context unified diff of the changed lines, written file by file.

    A changed line longer than :data:`LONG_LINE` (a one-line export is one
    line of megabytes; a JSON Lines record is kilobytes) is not printed
    whole: each changed JSON string on it gets an entry headed
    ``file:line:column: pointer [identity] rules`` with the old and new
    value cut to the words around the change.  Those entries come after the
    file's unified hunks, in a section ``patch`` skips (it is no diff); the
    unified hunks apply with ``patch -p1``.
    """

    def __init__(self, display: str, stream: IO[str]) -> None:
        self.display = display
        self.stream = stream
        self.long_values = 0  # entries shown as values (patch cannot apply them)

    def start(self, plain: bytes, repair: Any) -> None:
        self.plain, self.repair = plain, repair
        self.name = self.display + (" (decompressed)" if repair.gzip else "")
        self._hunks = tempfile.SpooledTemporaryFile(max_size=1 << 23, mode="w+", encoding="utf-8", newline="")
        self._values = tempfile.SpooledTemporaryFile(max_size=1 << 23, mode="w+", encoding="utf-8", newline="")
        self._line = 1  # the line number at ``_counted``
        self._counted = 0
        self._prev_end = 0  # where the last repaired record ended ...
        self._prev_ls = 0  # ... and where its last line starts
        self._pending: list | None = None  # [window start, window end, new bytes of the window, value entries, cut left, cut right]

    def _line_at(self, offset: int) -> int:
        self._line += self.plain.count(b"\n", self._counted, offset)
        self._counted = offset
        return self._line

    def change(self, start: int, end: int, raw: Any, fixed: Any, rec: Any) -> None:
        """Line bounds are searched only since the last record and at most a long line ahead: a one-line file stays linear."""
        plain = self.plain
        i = plain.rfind(b"\n", self._prev_end, start)
        same_line = i < 0 and self._pending is not None
        ls = i + 1 if i >= 0 else self._prev_ls
        j = plain.find(b"\n", end, end + LONG_LINE + 1)
        le = j if j >= 0 else min(len(plain), end + LONG_LINE + 1)
        cut_right = j < 0 and le < len(plain)
        cut_left = start - ls > LONG_LINE
        ws = start - LONG_LINE - 1 if cut_left else ls
        k = plain.rfind(b"\n", start, end)
        self._prev_end, self._prev_ls = end, (k + 1 if k >= 0 else ls)
        values = _value_entries(self.display, raw, fixed, rec)
        new = fixed.text.encode("utf-8")
        pending = self._pending
        if same_line and pending is not None and not pending[5] and not cut_left:  # one short line holds both records: one group
            kept = pending[2][: len(pending[2]) - (pending[1] - start)]
            pending[1], pending[2], pending[5] = le, kept + new + plain[end:le], cut_right
            pending[3].extend(values)
            return
        self._flush()
        self._pending = [ws, le, plain[ws:start] + new + plain[end:le], values, cut_left or same_line, cut_right]

    def _flush(self) -> None:
        if self._pending is None:
            return
        ws, le, new, values, cut_left, cut_right = self._pending
        self._pending = None
        first = self._line_at(ws)
        old_lines = self.plain[ws:le].split(b"\n")
        new_lines = new.split(b"\n")
        last = len(old_lines) - 1
        at_end = le == len(self.plain) and not self.plain.endswith(b"\n")
        run: list[tuple[int, bytes, bytes]] = []
        for k, (old, new_line) in enumerate(zip(old_lines, new_lines)):
            if old == new_line:
                self._write_run(run, False)
                run = []
                continue
            line = first + k
            if len(old) > LONG_LINE or len(new_line) > LONG_LINE or (k == 0 and cut_left) or (k == last and cut_right):
                self._write_run(run, False)
                run = []
                for entry in values:
                    if entry[0] == line:
                        self._values.write(entry[1])
                        self.long_values += 1
                continue
            run.append((line, old, new_line))
        self._write_run(run, at_end)

    def _write_run(self, run: list[tuple[int, bytes, bytes]], no_newline_at_end: bool) -> None:
        if not run:
            return
        line, n = run[0][0], len(run)
        where = f"{line}" if n == 1 else f"{line},{n}"
        out = [f"@@ -{where} +{where} @@\n"]
        for sign, index in (("-", 1), ("+", 2)):
            for k, item in enumerate(run):
                out.append(sign + item[index].decode("utf-8") + "\n")
                if no_newline_at_end and k == n - 1:
                    out.append("\\ No newline at end of file\n")
        self._hunks.write("".join(out))

    def finish(self) -> None:
        self._flush()
        for buf in (self._hunks, self._values):
            buf.seek(0)
        if self._hunks.read(1):
            self._hunks.seek(0)
            self.stream.write(f"--- a/{self.name}\n+++ b/{self.name}\n")
            _copy(self._hunks, self.stream)
        if self._values.read(1):
            self._values.seek(0)
            self.stream.write(f"# {self.name}: changed values on long lines (for reading: patch does not apply this part; --fix or --format json-patch does)\n")
            _copy(self._values, self.stream)
        self.abort()

    def abort(self) -> None:
        for buf in (getattr(self, "_hunks", None), getattr(self, "_values", None)):
            if buf is not None:
                buf.close()


def _copy(src: IO[str], dst: IO[str]) -> None:
    while chunk := src.read(1 << 20):
        dst.write(chunk)


CONTEXT = 40  # characters shown on each side of a change in a value entry


def _value_entries(display: str, raw: Any, fixed: Any, rec: Any) -> list[tuple[int, str]]:
    """``(line, text)`` per changed JSON value of a record: where it is, what changed, cut around the change."""
    out = []
    final = fixed.final
    who = f" [{record_words(rec.id_name, rec.content_id, rec.index)}]"
    for pointer in dict.fromkeys(a.pointer for a in rec.applied):
        rules = ",".join(dict.fromkeys(a.rule_id for a in rec.applied if a.pointer == pointer))
        try:
            region = raw.region(pointer)
            start = region.offset - raw.origin.offset
            old = raw.text[start : start + region.length]
            new_region = final.region(pointer)
            new_start = new_region.offset - final.origin.offset
            new = final.text[new_start : new_start + new_region.length]
        except Exception:  # noqa: BLE001 - a value that cannot be placed is shown without excerpt
            continue
        if old == new:
            continue
        n = min(len(old), len(new))
        p = 0
        while p < n and old[p] == new[p]:
            p += 1
        q = 0
        while q < n - p and old[-1 - q] == new[-1 - q]:
            q += 1
        column = region.start_column + p
        text = f"{display}:{region.start_line}:{column}: {rec.pointer}{pointer}{who} {rules}\n-{_cut(old, p, len(old) - q)}\n+{_cut(new, p, len(new) - q)}\n"
        out.append((region.offset, region.start_line, text))
    return [(line, text) for _, line, text in sorted(out)]  # in file order, whichever pass changed them


def _cut(literal: str, a: int, b: int) -> str:
    """``literal[a:b]`` (the change) with :data:`CONTEXT` characters either side, ``…`` where cut (a long change: its ends)."""
    if b - a > 4 * CONTEXT:
        middle = literal[a : a + 2 * CONTEXT] + "…" + literal[b - 2 * CONTEXT : b]
    else:
        middle = literal[a:b]
    left = literal[max(0, a - CONTEXT) : a]
    right = literal[b : b + CONTEXT]
    return ("…" if a > CONTEXT else "") + left + middle + right + ("…" if b + CONTEXT < len(literal) else "")


class PatchSink:
    """``--diff --format json-patch``: one entry per repaired record, spooled to a temporary file across files."""

    def __init__(self, spool: IO[str]) -> None:
        self.spool = spool
        self.count = 0

    def start(self, plain: bytes, repair: Any) -> None:
        self.repair = repair
        self._mark = self.spool.tell()
        self._count = self.count

    def change(self, start: int, end: int, raw: Any, fixed: Any, rec: Any) -> None:
        patch = record_patch(fixed)
        if not patch:
            return
        entry = {
            "file": self.repair.display,
            "record": rec.index,
            "pointer": rec.pointer,
            "content_id": rec.content_id,
            "patch": patch,
            "fixes": [{"rule": a.rule_id, "pointer": a.pointer, "description": a.description, "applicability": a.applicability} for a in rec.applied],
        }
        text = json.dumps(entry, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        self.spool.write((",\n    " if self.count else "\n    ") + text)
        self.count += 1

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        self.spool.seek(self._mark)
        self.spool.truncate()
        self.count = self._count
