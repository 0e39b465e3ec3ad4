"""Configuration: ``[tool.feedlint]`` in pyproject.toml, or feedlint.toml / .feedlint.toml.

The nearest file walking up from the working directory wins (in one directory
``feedlint.toml`` beats ``.feedlint.toml`` beats ``pyproject.toml``, and a
pyproject without ``[tool.feedlint]`` is passed over).  Every key is declared
in :data:`KEYS`; an unknown key is an error naming the key and the file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .fields import ROLES
from .suggest import unknown

FAIL_ON = ("error", "warning", "note", "never")
CONFIG_NAMES = ("feedlint.toml", ".feedlint.toml", "pyproject.toml")


class ConfigError(ValueError):
    pass


# key -> (expected python type(s), help); documented in the README from here.
KEYS: dict[str, tuple[Any, str]] = {
    "select": (list, "rule selectors to run (ids, prefixes, names, ALL); default ALL"),
    "ignore": (list, "rule selectors not to run"),
    "fail-on": (str, "lowest severity that fails the run: error, warning (default), note, never"),
    "format": (str, "default output format"),
    "schema": (str, "path to a JSON Schema replacing the bundled CMS export schema"),
    "allow-remote-refs": (bool, "let the schema fetch remote $refs (off by default)"),
    "input-format": (str, "auto (default), json or text"),
    "fields": (dict, "field roles per record kind: [fields.cms] plain-text/html/entity-encoded/dates = [pointers]"),
    "rules": (dict, "per-rule settings: [rules.FL201] severity = 'error', plus the rule's options"),
    "per-file-ignores": (dict, "glob -> list of selectors ignored in matching files"),
    "suppress": (list, "[[suppress]] content-id / pointer / rules / path / reason: silence findings on one record"),
    "fixable": (list, "rule selectors whose fixes `check --fix` may apply (default ALL)"),
    "unfixable": (list, "rule selectors whose fixes are never applied"),
    "baseline": (str, "baseline file: report only findings not recorded in it"),
    "jobs": (int, "worker processes (0 = all cores)"),
    "engine": (str, "where the record checks run: local (default) or spark (see docs/spark.md)"),
    "spark-master": (str, "Spark master URL for engine = 'spark' (default: spark-submit's, else local[*])"),
    "allow-no-records": (bool, "pass a run that checked no record at all (every input skipped or empty); default false: exit 2"),
    "expectations": (list, "extra Great Expectations suite files (JSON) for the dataset checks (FL6xx)"),
    "data-docs": (str, "directory to write Great Expectations HTML Data Docs of each run to"),
    "media-root": (str, "directory the attachment paths are resolved against"),
    "rendition-template": (str, "attachment rendition path template for every FL5xx rule and FL307"),
    "original-template": (str, "attachment original path template for every FL5xx rule and FL307"),
    "profiles": (list, "your own profile files (TOML or JSON, see docs/profiles.md), tried before the built-in ones"),
    "profile": (str, "read every file with this profile instead of detecting it (cms, wordpress, ghost, jsonfeed or one of yours)"),
    "tuning": (dict, "[tuning] how record checks are spread over workers: parallel-min-records, range-bytes, start-method, ... (docs/performance.md \"Tuning\")"),
}
SUPPRESS_KEYS = {"content-id", "pointer", "rules", "path", "reason"}


@dataclass
class Config:
    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve_path(self, value: str) -> str:
        """Paths in a config file are relative to that file."""
        p = Path(value)
        return str(p if p.is_absolute() else self.root / p)


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        for name in CONFIG_NAMES:
            p = d / name
            if p.is_file():
                if name == "pyproject.toml" and "feedlint" not in _read_toml(p).get("tool", {}):
                    continue
                return p
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def load_config(explicit: str | None = None, start: Path | None = None) -> Config:
    path = Path(explicit) if explicit else find_config(start)
    if path is None:
        return Config()
    if explicit and not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("feedlint", {})
    elif "tool" in data and "feedlint" in data.get("tool", {}):
        data = data["tool"]["feedlint"]
    validate(data, str(path))
    return Config(path, data)


def validate(data: Mapping[str, Any], where: str) -> None:
    """Structural checks; rule ids and option names are checked against the catalogue later."""
    for key, value in data.items():
        if key not in KEYS:
            raise ConfigError(f"{where}: {unknown('config key', key, KEYS)}")
        expected, _ = KEYS[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: config key {key!r} must be a {expected.__name__}, got {type(value).__name__}")
    if "fail-on" in data and data["fail-on"] not in FAIL_ON:
        raise ConfigError(f"{where}: fail-on must be one of {', '.join(FAIL_ON)}")
    for kind, roles in data.get("fields", {}).items():
        if kind not in ("cms", "article") or not isinstance(roles, dict):
            raise ConfigError(f"{where}: fields.{kind}: unknown record kind (cms or article)")
        for role, pats in roles.items():
            if role not in ROLES:
                raise ConfigError(f"{where}: fields.{kind}: {unknown('role', role, ROLES, sort=False)}")
            if not isinstance(pats, list) or not all(isinstance(p, str) and (p == "" or p.startswith("/")) for p in pats):
                raise ConfigError(f"{where}: fields.{kind}.{role} must be a list of JSON Pointers like '/content_body'")
    if "tuning" in data:
        from .tuning import TuningError, parse_config

        try:
            parse_config(data["tuning"], where)
        except TuningError as exc:
            raise ConfigError(str(exc)) from None
    if not all(isinstance(p, str) and p for p in data.get("profiles", [])):
        raise ConfigError(f"{where}: profiles must be a list of profile file paths (strings)")
    if not all(isinstance(p, str) and p for p in data.get("expectations", [])):
        raise ConfigError(f"{where}: expectations must be a list of suite file paths (strings)")
    for glob, sels in data.get("per-file-ignores", {}).items():
        if not isinstance(sels, list) or not all(isinstance(s, str) for s in sels):
            raise ConfigError(f"{where}: per-file-ignores.{glob!r} must be a list of rule selectors")
    for i, entry in enumerate(data.get("suppress", [])):
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: suppress[{i}] must be a table")
        extra = set(entry) - SUPPRESS_KEYS
        if extra:
            raise ConfigError(f"{where}: suppress[{i}]: {unknown('key', sorted(extra)[0], SUPPRESS_KEYS)}")
        if "content-id" not in entry and "path" not in entry:
            raise ConfigError(f"{where}: suppress[{i}] needs a content-id or a path")
        if not isinstance(entry.get("reason", ""), str) or not entry.get("reason"):
            raise ConfigError(f"{where}: suppress[{i}] needs a reason (say why this is silenced)")
        pointer = entry.get("pointer")
        if pointer is not None and not (isinstance(pointer, str) and (pointer == "" or pointer.startswith("/"))):
            raise ConfigError(f"{where}: suppress[{i}].pointer must be a JSON Pointer inside the record, like '/content_body'")
        if "rules" in entry and not (isinstance(entry["rules"], list) and all(isinstance(r, str) for r in entry["rules"])):
            raise ConfigError(f"{where}: suppress[{i}].rules must be a list of rule selectors")
    for key, settings in data.get("rules", {}).items():
        if not isinstance(settings, dict):
            raise ConfigError(f"{where}: rules.{key} must be a table")
        sev = settings.get("severity")
        if sev is not None and sev not in ("error", "warning", "note", "off"):
            raise ConfigError(f"{where}: rules.{key}.severity must be error, warning, note or off")
