"""Open an input (path, ``-`` for stdin, gzip or not) and pick a reader from its content.

Layout is sniffed from the content: ``[`` or ``{`` starts a JSON export, anything
else is a plain-text article (when that reader exists).  The one use of the name: a
file named as JSON (:data:`EXPORT_SUFFIXES`) is read as JSON whatever it starts with,
so an HTML page or a JSONC file saved as ``feed.json`` is an input error, never an article.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from .errors import CommentInJson, InputError
from .jsonstream import JsonRecordReader
from .textstream import TextStream

EXPORT_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
SKIP_DIRS = {"node_modules", "__pycache__"}
INPUT_FORMATS = ("auto", "json", "text")


@dataclass
class FileInfo:
    """Facts about one input file, for file-scope rules and reporters."""

    display: str
    layout: str = "unknown"
    kind: str = "cms"
    profile: str = ""  # the profile the file was read with ("" until detected, or when skipped)
    bom: bool = False
    gzip: bool = False
    records: int = 0
    notes: list[str] = field(default_factory=list)


def expand_paths(paths: list[str]) -> list[str]:
    """Files named directly are always checked; directories are searched for exports."""
    out: list[str] = []
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
                for name in files:
                    if name.endswith(EXPORT_SUFFIXES):
                        found.append(os.path.join(root, name))
            out.extend(sorted(found))
        else:
            out.append(p)
    return out


def _open_binary(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except IsADirectoryError:
        raise InputError(path, "is a directory") from None
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, f"cannot open: {exc.strerror or exc}") from None


def _maybe_gunzip(raw: BinaryIO, info: FileInfo) -> BinaryIO:
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        info.gzip = True
        return gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[return-value]
    return buffered


PROGRESS_EVERY = 1 << 20  # report progress after about this many more bytes of the file


_JSON_START = re.compile(r'(?:\[\s*(?:[\[{"\]\-0-9]|true\b|false\b|null\b)|\{\s*["}])')


def looks_like_json(head: str) -> bool:
    """Whether a file's first characters open a JSON document.

    ``[`` or ``{`` alone is not enough: an article may start with "[Opinion]" or
    "{Updated}", so the next token must be one a JSON value can start with.  A
    truncated head (fewer characters than the sniff window) still counts as JSON
    when it is just ``[`` or ``{`` and whitespace.
    """
    if not head:
        return True
    if head[0] not in "[{":
        return False
    return bool(_JSON_START.match(head)) or not head[1:].strip()


def named_as_json(path: str) -> bool:
    """Whether ``path`` is named as a JSON export (``.json``, ``.jsonl``, ``.ndjson``, gzipped or not; never stdin).

    Such a file is never read as a plain-text article: a directory walk
    finds it by that name, and a site generator's HTML page saved as
    ``feed.json`` would otherwise draw article findings instead of the
    error its content deserves.
    """
    return path != "-" and path.lower().endswith(EXPORT_SUFFIXES)


class Source:
    """One input file: ``records()`` yields raw records and raises :class:`InputError`."""

    def __init__(self, path: str, input_format: str = "auto", display: str | None = None, data: bytes | None = None, profiles: Any = None) -> None:
        """``data``: the file's bytes when already read (``--fix`` reads each file once and edits those bytes)."""
        self.path = path
        self.data = data
        self.input_format = input_format
        self.profiles = profiles  # the run's ProfileSet: where records may be, and how to tell which CMS wrote the file
        self.info = FileInfo(display or ("<stdin>" if path == "-" else path))
        self.reader: Any = None  # the record reader, once records() has opened the file

    def records(self, progress: Callable[[str, int, int | None, int], None] | None = None) -> Iterator:
        """Raw records in file order.

        ``progress(display, bytes_done, bytes_total, records)`` is called every
        megabyte or so; bytes are the file's (compressed ones for gzip) and the
        total is None when unknown (a pipe).
        """
        raw = _open_binary(self.path) if self.data is None else io.BytesIO(self.data)
        try:
            stream = TextStream(_maybe_gunzip(raw, self.info), self.info.display)
            try:
                head = stream.peek_all(64).lstrip(" \t\r\n")
            except (OSError, EOFError) as exc:
                raise InputError(self.info.display, f"cannot read: {exc}") from None
            self.info.bom = stream.bom
            fmt = self.input_format
            if fmt == "auto":
                fmt = "json" if looks_like_json(head) or named_as_json(self.path) else "text"
            if fmt == "json":
                reader = JsonRecordReader(stream, pointers=self.profiles.pointers if self.profiles is not None else ())
            else:
                reader = _article_reader(stream, self.info)
            self.reader = reader
            self.info.kind = "article" if fmt == "text" else "cms"
            total, position = _size_and_position(raw)
            next_report = PROGRESS_EVERY if progress is not None and position is not None else None
            try:
                for rec in reader.records():
                    self.info.layout = reader.layout
                    self.info.records += 1
                    if next_report is not None:
                        done = position()
                        if done >= next_report:
                            next_report = done + PROGRESS_EVERY
                            progress(self.info.display, done, total, self.info.records)  # type: ignore[misc]
                    yield rec
                self.info.layout = reader.layout
            except (OSError, EOFError) as exc:  # truncated gzip, I/O error mid-file
                raise InputError(self.info.display, f"cannot read: {exc}") from None
        finally:
            if raw is not sys.stdin.buffer:
                raw.close()


    def detect(self, first: Any) -> Any:
        """The profile of this JSON file from how its records were found and its first record (None: no profile fits).

        The reader then stamps the profile's name on every record.
        """
        reader = self.reader
        found = self.profiles.detect(reader.layout, reader.matched, reader.seen, first.data)
        if found is not None:
            self.info.profile = reader.profile = first.profile = found.name
        return found

    def no_export_reason(self, exc: InputError) -> str | None:
        """Why the error ``exc`` says this file is no export at all, or None when it is the error it says.

        JSON with a comment before its first record is JSONC (tsconfig.json,
        editor settings): skipped as no export, as a ``package.json`` is.  A
        comment after records were read is a broken export.
        """
        return exc.skip_reason() if isinstance(exc, CommentInJson) and not self.info.records else None

    def skip_reason(self) -> str:
        """Why :meth:`detect` found no profile, for the note on stderr."""
        reader, profiles = self.reader, self.profiles
        where = f"the records under {reader.matched}" if reader.matched else f"its top-level {reader.layout} records"
        if profiles.forced:
            return f"not a {profiles.forced} export (profile {profiles.forced} does not fit {where})"
        return f"not a CMS export (none of the profiles {', '.join(profiles.names)} fits {where})"


def _size_and_position(raw: BinaryIO) -> tuple[int | None, Callable[[], int] | None]:
    """The file's size (None for a pipe) and a function giving how far it has been read."""
    try:
        st = os.fstat(raw.fileno())
    except (OSError, AttributeError, ValueError):
        return None, None
    if not stat.S_ISREG(st.st_mode):
        return None, None
    return st.st_size, raw.tell


def _article_reader(stream: TextStream, info: FileInfo):
    try:
        from .article import ArticleReader
    except ImportError:
        raise InputError(info.display, "not a JSON export (first character is not '[' or '{')", 1, 1) from None
    return ArticleReader(stream)


def display_path(path: str, root: Path | None = None) -> str:
    """Path as shown to users: relative to the working directory when inside it, POSIX separators."""
    if path == "-":
        return "<stdin>"
    p = Path(path)
    try:
        rel = p.resolve().relative_to((root or Path.cwd()).resolve())
        return rel.as_posix()
    except ValueError:
        return p.as_posix()
