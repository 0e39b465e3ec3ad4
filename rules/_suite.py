"""Expectation suite files (JSON): load, check their shape, split them by feedlint rule.

Pure standard library on purpose: reading and checking a suite must not import
Great Expectations (GX).  GX itself validates each entry's type and kwargs
later, when the dataset rules actually run.

A suite file is GX's own suite JSON (``{"name", "meta", "expectations": [...]}``)
or a bare list of entries.  Each entry is ``{"type", "kwargs", "meta"?, ...}``;
``meta.feedlint`` says how feedlint reports it::

    "meta": {"feedlint": {"rule": "FL603", "key": "lang-id-in-set",
                          "pointer": "/lang_id", "message": "...", "per": "file",
                          "table": "records", "report": "each"}}

Every key is optional.  ``report`` (unique kinds): ``"each"`` (default) reports
every member of a duplicate group; ``"group"`` one finding per group, at its
first member in file order, the others as its related places.  Without ``rule`` a failed expectation is reported as
FL690 (expectation-failed).  An entry whose ``key`` equals a default entry's
key replaces that default (change a ``mostly`` or a value set without copying
the whole default suite).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

from feedlint.api import SetupError
from feedlint.jsonfile import read_json_file

DEFAULT_SUITE = Path(__file__).with_name("expectations.default.json")
GENERIC_RULE = "FL690"
DATASET_RULES = ("FL601", "FL602", "FL603", "FL604", "FL605", "FL606", GENERIC_RULE)
TABLES = ("records", "attachments")
ENTRY_KEYS = {"type", "kwargs", "meta", "severity", "notes", "description", "id", "expectation_type", "rendered_content"}
FEEDLINT_KEYS = {"rule", "key", "pointer", "message", "per", "table", "report"}


class SuiteFileError(ValueError):
    """A suite file is unreadable or malformed; the message starts with ``file:line:col:``."""


@dataclass(frozen=True)
class Entry:
    """One expectation as written in a suite file, plus where it came from."""

    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]
    source: str
    index: int
    extra: dict[str, Any] = field(default_factory=dict)  # notes, description, severity: passed to GX as is

    @property
    def feedlint(self) -> dict[str, Any]:
        return self.meta.get("feedlint") or {}

    @property
    def rule(self) -> str:
        return self.feedlint.get("rule") or GENERIC_RULE

    @property
    def key(self) -> str | None:
        return self.feedlint.get("key")

    @property
    def table(self) -> str:
        return self.feedlint.get("table") or "records"

    @property
    def where(self) -> str:
        return f"{self.source}: expectations[{self.index}] ({self.type})"

    def gx_dict(self) -> dict[str, Any]:
        """The entry as GX's ``ExpectationConfiguration(**entry)`` accepts it."""
        return {"type": self.type, "kwargs": dict(self.kwargs), "meta": dict(self.meta), **self.extra}


def load_suite_file(path: str | Path) -> list[Entry]:
    """Entries of one suite file; every problem found is reported in one :class:`SuiteFileError`."""
    path = Path(path)
    shown = str(path)
    data = read_json_file(shown, "expectations file", SuiteFileError, invalid="invalid JSON")
    if isinstance(data, dict) and isinstance(data.get("expectations"), list):
        raw_entries = data["expectations"]
    elif isinstance(data, list):
        raw_entries = data
    else:
        raise SuiteFileError(f"{shown}:1:1: expected a GX suite object with an \"expectations\" list, or a list of expectations")
    entries: list[Entry] = []
    errors: list[str] = []
    for i, raw in enumerate(raw_entries):
        where = f"{shown}: expectations[{i}]"
        if not isinstance(raw, dict):
            errors.append(f"{where}: must be an object")
            continue
        unknown = set(raw) - ENTRY_KEYS
        if unknown:
            errors.append(f"{where}: unknown key(s) {sorted(unknown)} (allowed: type, kwargs, meta, severity, notes, description)")
            continue
        etype = raw.get("type", raw.get("expectation_type"))
        kwargs = raw.get("kwargs", {})
        meta = raw.get("meta", {}) or {}
        if not isinstance(etype, str) or not etype.startswith("expect_"):
            errors.append(f"{where}: \"type\" must name a GX expectation, e.g. \"expect_column_values_to_be_unique\"")
            continue
        if not isinstance(kwargs, dict) or not isinstance(meta, dict):
            errors.append(f"{where}: \"kwargs\" and \"meta\" must be objects")
            continue
        fl = meta.get("feedlint", {})
        if not isinstance(fl, dict):
            errors.append(f"{where}: meta.feedlint must be an object")
            continue
        bad = set(fl) - FEEDLINT_KEYS
        if bad:
            errors.append(f"{where}: meta.feedlint: unknown key(s) {sorted(bad)} (allowed: {', '.join(sorted(FEEDLINT_KEYS))})")
        if "rule" in fl and fl["rule"] not in DATASET_RULES:
            errors.append(f"{where}: meta.feedlint.rule {fl['rule']!r} is not a dataset rule ({', '.join(DATASET_RULES)})")
        if fl.get("table", "records") not in TABLES:
            errors.append(f"{where}: meta.feedlint.table must be one of {', '.join(TABLES)}")
        if fl.get("per", "run") not in ("run", "file"):
            errors.append(f"{where}: meta.feedlint.per must be \"run\" or \"file\"")
        if fl.get("report", "each") not in ("each", "group"):
            errors.append(f"{where}: meta.feedlint.report must be \"each\" or \"group\"")
        for k in ("pointer", "message", "key"):
            if k in fl and not isinstance(fl[k], str):
                errors.append(f"{where}: meta.feedlint.{k} must be a string")
        extra = {k: raw[k] for k in ("severity", "notes", "description") if k in raw}
        entries.append(Entry(etype, dict(kwargs), dict(meta), shown, i, extra))
    if errors:
        raise SuiteFileError("\n".join(errors))
    return entries


@lru_cache(maxsize=None)
def default_entries() -> tuple[Entry, ...]:
    return tuple(load_suite_file(DEFAULT_SUITE))


def file_stamps(paths: list[str] | tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """Paths with their mtimes: cache keys that notice an edited suite file in a long-lived process."""
    stamps = []
    for p in paths:
        try:
            stamps.append((str(p), os.stat(p).st_mtime_ns))
        except OSError:
            stamps.append((str(p), -1))
    return tuple(stamps)


@lru_cache(maxsize=64)
def _user_entries(stamped: tuple[tuple[str, int], ...]) -> tuple[Entry, ...]:
    out: list[Entry] = []
    for p, _ in stamped:
        out.extend(load_suite_file(p))
    return tuple(out)


def user_entries(user_files: list[str] | tuple[str, ...]) -> tuple[Entry, ...]:
    """Every entry of the user's suite files (cached until a file changes)."""
    return _user_entries(file_stamps(user_files))


def entries_for(rule_id: str, user_files: list[str] | tuple[str, ...] = ()) -> list[Entry]:
    """The expectations rule ``rule_id`` runs: defaults (minus replaced keys) plus the user's."""
    user = _user_entries(file_stamps(user_files))
    replaced = {e.key for e in user if e.key}
    picked = [e for e in default_entries() if e.rule == rule_id and e.key not in replaced]
    picked.extend(e for e in user if e.rule == rule_id)
    return picked


# --------------------------------------------------------------------------- evaluating entries
Expanded = tuple  # (entry, kwargs, file index or None): one expectation to evaluate


def expand(entries: Sequence[Entry], file_indexes: Sequence[int], condition: Any = None) -> list[Expanded]:
    """Entries with ``per: file`` become one expectation per export (``condition(k)``: GX's row condition for export k)."""
    out: list[Expanded] = []
    for entry in entries:
        if entry.feedlint.get("per") != "file":
            out.append((entry, dict(entry.kwargs), None))
            continue
        for k in file_indexes:
            kw = dict(entry.kwargs)
            if condition is not None:
                if kw.get("row_condition"):  # the user's own (string) condition, narrowed to this export
                    kw.update(row_condition=f"({kw['row_condition']}) and _file_index == {k}", condition_parser=kw.get("condition_parser", "pandas"))
                else:
                    kw["row_condition"] = condition(k)
            out.append((entry, kw, k))
    return out


def resolve(value: Any, params: Mapping[str, Any]) -> Any:
    """A ``{"$PARAMETER": name}`` value replaced by the rule option it names."""
    if isinstance(value, dict) and set(value) == {"$PARAMETER"}:
        name = value["$PARAMETER"]
        if name not in params:
            raise SetupError(f"unknown $PARAMETER {name!r} (known: {', '.join(sorted(params))})")
        return params[name]
    return value
