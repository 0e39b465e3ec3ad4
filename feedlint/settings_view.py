"""``feedlint check --show-settings``: the settings a run would use, as TOML-like text.

What ruff's ``--show-settings`` is for: when a config does not seem to apply,
show which file was read and what came out of it (and of the command line)
after every default and override — without checking anything.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from . import tuning


def toml_value(value: Any) -> str:
    """A TOML literal for the simple values settings hold (strings, numbers, booleans, lists, tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return "[" + ", ".join(toml_value(v) for v in items) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() and key.isascii() else json.dumps(key)


def _line(key: str, value: Any, note: str = "") -> str:
    if value is None:
        return f"# {key}: not set{' (' + note + ')' if note else ''}"
    return f"{_key(key)} = {toml_value(value)}{'  # ' + note if note else ''}"


def render_settings(cfg: Any, plan: Any, run: Mapping[str, Any], catalogue: Any) -> str:
    """The resolved settings; ``run`` holds the command-line level values (format, fail-on, jobs, ...)."""
    profiles = plan.profile_set()
    forced = profiles.forced
    active = plan.rules_for(forced) if forced else plan.rules
    lines = [
        "# feedlint check --show-settings: what a check with these options would use",
        _line("config-file", str(cfg.path) if cfg.path else None, "no feedlint.toml, .feedlint.toml or [tool.feedlint] found: defaults"),
        _line("format", run["format"]),
        _line("fail-on", run["fail-on"]),
        _line("exit-zero", run["exit-zero"]),
        _line("input-format", plan.input_format),
        _line("profile", forced, "detected per file"),
        _line("profiles", profiles.names, "detection order"),
        _line("jobs", run["jobs"], "worker processes"),
        _line("baseline", run["baseline"]),
        _line("allow-no-records", run["allow-no-records"]),
        _line("select", run["select"] or ["ALL"]),
        _line("ignore", run["ignore"]),
        _line("per-file-ignores", dict(plan.per_file_ignores)),
        _line("suppress", [s.reason for s in plan.suppressions], "one reason per [[suppress]] entry"),
        "",
        f"[rules]  # the {len(active)} of {len(catalogue.rules)} rules that run: severity and options, as in the config's [rules.ID]",
    ]
    for a in active:
        settings = {"severity": a.severity, **{k: v for k, v in a.options.items() if v is not None}}
        lines.append(f"{a.rule.id} = {toml_value(settings)}  # {a.rule.name}")
    if not forced:
        lines += ["# a detected profile may set other rule options: feedlint explain-profile NAME"]
    lines += ["", "[tuning]  # how checks are spread over workers: --tune NAME=VALUE > config [tuning] > FEEDLINT_* > default (docs/performance.md)"]
    origins = run.get("tuning-origins", {})
    for name, value in tuning.as_settings(plan.tuning):
        knob = tuning.KNOBS[name]
        origin = origins.get(name)
        note = f"from {origin}" if origin else f"default{'' if value is not None else ': ' + tuning.default_text(knob)}"
        lines.append(_line(name, value, note))
    return "\n".join(lines)
