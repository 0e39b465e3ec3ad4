"""Resolve attachment paths under a media root without ever reading outside it.

Only ``os.path.realpath`` (lstat/readlink on the path's components) and
``os.stat`` are used: no file is opened.  A path is first normalised lexically,
so ``../`` never makes us touch anything outside the root; symlinks are then
resolved and the real target must still lie inside the root.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

from feedlint.api import SetupError

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:")


@dataclass(frozen=True)
class Resolution:
    """``status``: ok, missing, not-a-file, escapes (via ``..``), symlink-escape, or skipped (remote/unusable)."""

    status: str
    real: str = ""


def media_root(option: str) -> str:
    root = os.path.realpath(option)
    if not os.path.isdir(root):
        raise SetupError(f"media-root {option!r} is not a directory")
    return root


def _inside(root: str, path: str) -> bool:
    return os.path.commonpath([root, path]) == root


def resolve(root: str, value: str) -> Resolution:
    """Where ``value`` (``./cache/…``, or root-relative ``/cache/…``) lands under the real ``root``."""
    if "\x00" in value or _SCHEME.match(value):
        return Resolution("skipped")  # remote URLs cannot be checked; NUL is FL510's
    lexical = os.path.normpath(os.path.join(root, value.lstrip("/")))
    if not _inside(root, lexical):
        return Resolution("escapes", lexical)
    real = os.path.realpath(lexical)
    if not _inside(root, real):
        return Resolution("symlink-escape", real)
    try:
        st = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):
        return Resolution("missing", real)
    except OSError:
        return Resolution("missing", real)
    if not stat.S_ISREG(st.st_mode):
        return Resolution("not-a-file", real)
    return Resolution("ok", real)
