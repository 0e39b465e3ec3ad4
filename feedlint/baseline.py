"""Baselines: accept today's findings, fail only on new ones.

``feedlint baseline`` records every current finding by its stable fingerprint
(rule + content_id + pointer in the record + evidence, never a line number), so
re-exporting, reordering or reformatting the exports does not turn known
findings into new ones.  ``feedlint check --baseline FILE`` hides findings
recorded there and lists entries that no longer occur (stale), so the file can
only shrink.

The file is JSON, sorted and without timestamps: regenerating it over the same
exports gives the same bytes, and a diff shows exactly what changed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from .jsonfile import read_json_file
from .model import Finding
from .output import atomic_text_writer
from .reporters.locations import repo_relative, source_root

FORMAT = "feedlint-baseline"
VERSION = 1


class BaselineError(ValueError):
    """The baseline file is missing, not JSON, or not a feedlint baseline."""


def _entry_key(e: dict) -> tuple:
    return (e["file"], e["rule"], str(e["content_id"]), e["pointer"], e["fingerprint"])


def _file_key(display: str, cwd: str) -> str:
    """Paths are stored relative to the checkout root, so running from a subdirectory changes nothing."""
    return repo_relative(display, cwd) or display


def entries_from(findings: Iterable[Finding], cwd: str | None = None) -> list[dict]:
    """One entry per fingerprint (with a count for repeats), sorted for stable diffs."""
    cwd = cwd or os.getcwd()
    by_fp: dict[str, dict] = {}
    for f in findings:
        entry = by_fp.get(f.fingerprint)
        if entry is None:
            by_fp[f.fingerprint] = {
                "fingerprint": f.fingerprint,
                "rule": f.rule_id,
                "content_id": f.content_id,
                "pointer": f.record_pointer,
                "file": _file_key(f.path, cwd),
                "message": f.message,
                "count": 1,
            }
        else:
            entry["count"] += 1
    return sorted(by_fp.values(), key=_entry_key)


def render(entries: list[dict]) -> str:
    doc = {"format": FORMAT, "version": VERSION, "findings": entries}
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"


def write_baseline(path: str, entries: list[dict]) -> None:
    """Write the baseline atomically (temp file + rename): never half a file."""
    with atomic_text_writer(path) as stream:
        stream.write(render(entries))


def load_baseline(path: str) -> "Baseline":
    """Read and validate a baseline; every problem is one :class:`BaselineError` line."""
    doc = read_json_file(path, "baseline", BaselineError, not_found=f"baseline file not found (create it with `feedlint baseline PATH... -o {path}`)")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BaselineError(f"{path}: not a feedlint baseline (expected an object with \"format\": \"{FORMAT}\")")
    if doc.get("version") != VERSION:
        raise BaselineError(f"{path}: unsupported baseline version {doc.get('version')!r} (this feedlint reads version {VERSION})")
    items = doc.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"{path}: baseline \"findings\" must be a list")
    entries = []
    for i, e in enumerate(items):
        if not isinstance(e, dict) or not isinstance(e.get("fingerprint"), str) or not e["fingerprint"]:
            raise BaselineError(f"{path}: findings[{i}] needs a \"fingerprint\" string")
        count = e.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise BaselineError(f"{path}: findings[{i}].count must be a positive integer")
        entries.append(e)
    return Baseline(path, entries)


@dataclass
class Baseline:
    """Loaded entries plus what a run matched against them."""

    path: str
    entries: list[dict]
    matched: int = 0
    _left: dict[str, int] = field(default_factory=dict, repr=False)
    _total: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for e in self.entries:
            self._total[e["fingerprint"]] = self._total.get(e["fingerprint"], 0) + e.get("count", 1)
        self._left = dict(self._total)

    def filter(self, findings: Iterable[Finding]) -> Iterator[Finding]:
        """Yield only findings not in the baseline (a repeated fingerprint beyond its count is new)."""
        for f in findings:
            left = self._left.get(f.fingerprint, 0)
            if left > 0:
                self._left[f.fingerprint] = left - 1
                self.matched += 1
            else:
                yield f

    def stale(self, checked_files: Iterable[str], rule_ids: Iterable[str], cwd: str | None = None) -> list[dict]:
        """Entries that no longer occur.

        Only entries this run could have seen count: their rule was selected and
        their file was checked (or no longer exists).  Checking one file, as
        pre-commit does, does not make the rest of the baseline stale.
        """
        cwd = cwd or os.getcwd()
        root = source_root(cwd)
        files = {_file_key(d, cwd) for d in checked_files}
        rules = set(rule_ids)
        seen: set[str] = set()
        out = []
        for e in self.entries:
            fp = e["fingerprint"]
            if fp in seen or self._left[fp] < self._total[fp]:
                continue  # a duplicate entry, or it still occurs (at least once)
            seen.add(fp)
            if e.get("rule") not in rules:
                continue
            where = e.get("file")
            if isinstance(where, str) and where not in files and os.path.exists(os.path.join(root, where)):
                continue
            out.append(e)
        return out


def describe(entry: dict[str, Any]) -> str:
    who = f"content_id {entry.get('content_id')}" if entry.get("content_id") is not None else "no content_id"
    return f"{entry.get('rule')} [{who}] {entry.get('pointer') or '/'} in {entry.get('file')}: {entry.get('message')}"
