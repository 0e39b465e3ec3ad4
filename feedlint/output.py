"""Safe output: every file feedlint writes (a report, a baseline, docs) goes through here.

A CI gate must never upload half a SARIF file, and an interrupted run must not
clobber the previous report, so a regular file (or a new path) is written to a
temporary file beside it and renamed into place.  Renaming is only right for
regular files: a FIFO, a device node (``-o /dev/null``) or a socket is opened
and written through, never replaced by a regular file.  A symlink is followed:
its final target is what gets written or replaced, the link itself stays.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import stat
import sys
import tempfile
import weakref
from typing import BinaryIO, Iterator, TextIO

_AS_WRITTEN: weakref.WeakSet = weakref.WeakSet()  # the text files opened here: UTF-8, "\n" written as it is


def _existing_mode(path: str) -> int | None:
    """``st_mode`` of what ``path`` names now (symlinks followed), or None when nothing is there."""
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def atomic_text_writer(path: str | None) -> Iterator[TextIO]:
    """Yield a text stream to ``path`` (stdout for None or ``-``).

    A regular file or a new path gets the text only if the block succeeds
    (temp file + rename, keeping an existing file's permission bits); anything
    else that exists (FIFO, character or block device, socket) is written through.
    """
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    mode = _existing_mode(path)  # asked of the path itself: the kernel follows /dev/stdout to a pipe, realpath cannot
    if mode is not None and not stat.S_ISREG(mode):
        # not a regular file: write through (a directory fails here with EISDIR); opened by its own name,
        # as /dev/stdout's realpath on a pipe ("/proc/<pid>/fd/pipe:[...]") names nothing that exists
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            _AS_WRITTEN.add(f)
            yield f
        return
    target = os.path.realpath(path)  # a symlink's target is replaced, not the link
    fd, tmp = tempfile.mkstemp(prefix=".feedlint-", suffix=".tmp", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            _AS_WRITTEN.add(f)
            yield f
            f.flush()
            os.fsync(f.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        else:
            os.chmod(tmp, stat.S_IMODE(mode))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def utf8_bytes_under(stream: TextIO) -> BinaryIO | None:
    """The binary stream beneath ``stream`` when UTF-8 bytes written there are exactly what writing their text gives; else None.

    A reporter whose output orjson has already encoded then writes those bytes
    as they are: decoding them and having the text layer encode them again
    cost a tenth of a large run's main process (JSON of 56,000 findings, most
    with a non-ASCII character, so the text was not ASCII).  True of the files
    :func:`atomic_text_writer` opens and of the interpreter's own standard
    output (``sys.__stdout__``: Python writes its ``"\n"`` as it is where the
    line separator is ``"\n"``; on Windows it translates) when their encoding
    is UTF-8.  Any other stream gets text: a ``StringIO``, a file opened
    elsewhere, and a replacement put in ``sys.stdout`` by whoever embeds
    feedlint (``TextIOWrapper(sys.stdout.buffer, newline="\r\n")`` translates
    what is written as text only: bytes beneath it would mix line endings).
    Text streams do not say whether they translate newlines, so the one left
    unseen is the interpreter's stdout reconfigured in process
    (``sys.stdout.reconfigure(newline=...)``).
    """
    if not isinstance(stream, io.TextIOWrapper) or not (stream in _AS_WRITTEN or (stream is sys.__stdout__ and os.linesep == "\n")):
        return None
    try:
        return stream.buffer if codecs.lookup(stream.encoding).name == "utf-8" else None
    except LookupError:  # pragma: no cover - an encoding Python does not know could not have been opened
        return None


def replace_file(path: str, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` atomically, keeping its permissions.

    A temporary file in the same directory is written, flushed to disk and
    renamed over the target, so an interrupted run leaves the old file or the
    new one, never a mix.  A symlink is followed: its target is replaced and
    the link stays.
    """
    target = os.path.realpath(path)
    st = os.stat(target)
    fd, tmp = tempfile.mkstemp(prefix=".feedlint-", suffix=".tmp", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, st.st_mode & 0o7777)
        with contextlib.suppress(OSError):  # only root may give a file away; the owner stays ours otherwise
            os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
