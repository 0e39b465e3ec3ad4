"""Turn catalogue + config + command-line choices into an immutable :class:`Plan`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .api import OptionError, Rule
from .config import Config, ConfigError
from .engine import ActiveRule, Plan, Suppression
from .fields import FieldRoles
from .registry import Catalogue
from .selection import SelectorError, check_selectors, select_rules

# Run-wide settings that flow into every rule declaring an option of that name.
SHARED_OPTIONS = ("schema", "allow-remote-refs", "media-root", "rendition-template", "original-template", "expectations", "data-docs")


@dataclass(frozen=True)
class Choices:
    """What the command line said (None: not given, fall back to config)."""

    select: Sequence[str] | None = None
    ignore: Sequence[str] | None = None
    shared: Mapping[str, Any] | None = None
    input_format: str | None = None


def _rule_settings(config: Config, catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    where = str(config.path)
    out: dict[str, dict[str, Any]] = {}
    for key, settings in config.get("rules", {}).items():
        rule = catalogue.find(key)
        if rule is None:
            raise ConfigError(f"{where}: rules.{key}: no rule has this id or name")
        out.setdefault(rule.id, {}).update(settings)
    return out


def build_plan(catalogue: Catalogue, config: Config, choices: Choices = Choices()) -> Plan:
    where = str(config.path) if config.path else "command line"
    select = list(choices.select) if choices.select else config.get("select")
    ignore = list(config.get("ignore", [])) + list(choices.ignore or [])
    try:
        check_selectors(select or [], catalogue.rules, where if not choices.select else "--select")
        check_selectors(ignore, catalogue.rules, where)
        for globs in config.get("per-file-ignores", {}).values():
            check_selectors(globs, catalogue.rules, where)
        for entry in config.get("suppress", []):
            check_selectors(entry.get("rules", []), catalogue.rules, where)
    except SelectorError as exc:
        raise ConfigError(str(exc)) from None
    settings = _rule_settings(config, catalogue)
    shared: dict[str, Any] = {}
    for key in SHARED_OPTIONS:
        if key in config.values:
            value = config.values[key]
            if key == "expectations":
                value = [config.resolve_path(p) for p in value]
            shared[key] = config.resolve_path(value) if key in ("schema", "media-root", "data-docs") else value
    given_shared = dict(choices.shared or {})
    if given_shared.get("expectations"):  # --expectations adds to the config's files
        given_shared["expectations"] = list(shared.get("expectations", [])) + list(given_shared["expectations"])
    shared.update({k: v for k, v in given_shared.items() if v is not None})

    active: list[ActiveRule] = []
    for rule in select_rules(catalogue.rules, select, ignore):
        given = dict(settings.get(rule.id, {}))
        severity = given.pop("severity", rule.severity)
        if severity == "off":
            continue
        for key, value in shared.items():
            if any(o.name == key for o in rule.options):
                given.setdefault(key, value)
        try:
            options = rule.resolve_options(given)
        except OptionError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        active.append(ActiveRule(rule, severity, options))

    suppressions = [
        Suppression(
            reason=e["reason"],
            content_id=e.get("content-id"),
            pointer=e.get("pointer"),
            rules=tuple(e.get("rules", ())),
            path=e.get("path"),
        )
        for e in config.get("suppress", [])
    ]
    return Plan(
        rules=active,
        roles=FieldRoles.from_config(config.get("fields")),
        per_file_ignores=config.get("per-file-ignores", {}),
        suppressions=suppressions,
        input_format=choices.input_format or config.get("input-format", "auto"),
    )


def rule_options_table(rule: Rule) -> list[tuple[str, str, str]]:
    return [(o.name, repr(o.default), o.help) for o in rule.options]
