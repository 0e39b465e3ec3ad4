"""Resolve attachment paths under a media root without ever reading outside it.

Only ``os.path.realpath`` (lstat/readlink on the path's components),
``os.lstat`` and ``os.stat`` are used: no file is opened.  A path is first normalised lexically,
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


def resolve(root: str, value: str, folders: dict[str, str] | None = None) -> Resolution:
    """Where ``value`` (``./cache/…``, or root-relative ``/cache/…``) lands under the real ``root``.

    ``folders`` caches folder realpaths for one record (its renditions share a folder).
    """
    if "\x00" in value or _SCHEME.match(value):
        return Resolution("skipped")  # remote URLs cannot be checked; NUL is FL510's
    lexical = os.path.normpath(os.path.join(root, value.lstrip("/")))
    if not _inside(root, lexical):
        return Resolution("escapes", lexical)
    folder, name = os.path.split(lexical)
    folders = {} if folders is None else folders
    if folder not in folders:
        folders[folder] = os.path.realpath(folder)
    real_folder = folders[folder]
    if not _inside(root, real_folder):
        return Resolution("symlink-escape", real_folder)
    real = os.path.join(real_folder, name)
    try:
        st = os.lstat(real)
        if stat.S_ISLNK(st.st_mode):
            real = os.path.realpath(real)
            if not _inside(root, real):
                return Resolution("symlink-escape", real)
            st = os.stat(real)
    except OSError:  # missing, a dangling link, a path through a file
        return Resolution("missing", real)
    if not stat.S_ISREG(st.st_mode):
        return Resolution("not-a-file", real)
    return Resolution("ok", real)
