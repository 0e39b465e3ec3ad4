"""Where a finding's file is, as GitHub wants it: relative to the repository root, POSIX, percent-encoded.

Reporters get display paths (relative to the working directory).  Code scanning
and workflow annotations resolve paths against the checkout root, so when
feedlint runs in a subdirectory the path is re-based on the nearest directory
holding ``.git``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import quote

SRCROOT = "%SRCROOT%"
STDIN = "<stdin>"


@lru_cache(maxsize=8)
def source_root(cwd: str) -> str:
    """The nearest ancestor of ``cwd`` holding ``.git`` (a checkout), else ``cwd`` itself."""
    here = Path(cwd).resolve()
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return str(d)
    return str(here)


@lru_cache(maxsize=256)
def repo_relative(display: str, cwd: str) -> str | None:
    """``display`` relative to the source root as a POSIX path, or None when it lies outside (asked once per finding: cached)."""
    if display == STDIN:
        return None
    absolute = Path(os.path.normpath(os.path.join(cwd, display)))
    root = Path(source_root(cwd))
    try:
        return PurePosixPath(*absolute.relative_to(root).parts).as_posix()
    except ValueError:
        return None


def artifact_location(display: str, cwd: str) -> dict:
    """SARIF ``artifactLocation``: a percent-encoded relative uri with ``uriBaseId``, or an absolute file uri."""
    rel = repo_relative(display, cwd)
    if rel is not None:
        return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}
    if display == STDIN:
        return {"uri": "stdin", "description": {"text": "standard input"}}
    return {"uri": Path(os.path.abspath(os.path.join(cwd, display))).as_uri()}


def root_uri(cwd: str) -> str:
    """``file:///…/`` uri of the source root (trailing slash, as SARIF requires for a base)."""
    return Path(source_root(cwd)).as_uri().rstrip("/") + "/"


def annotation_path(display: str, cwd: str) -> str:
    """Path for a workflow-command annotation: repository-relative when possible."""
    rel = repo_relative(display, cwd)
    return rel if rel is not None else display
