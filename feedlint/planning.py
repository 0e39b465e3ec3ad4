"""Turn catalogue + config + command-line choices into an immutable :class:`Plan`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .api import OptionError, Rule
from .config import Config, ConfigError
from .plan import ActiveRule, Plan, Suppression
from .fields import FieldRoles
from .registry import Catalogue
from .selection import SelectorError, check_selectors, select_rules
from .tuning import Tuning, TuningError, resolve as resolve_tuning

# Run-wide settings that flow into every rule declaring an option of that name.
SHARED_OPTIONS = ("schema", "allow-remote-refs", "media-root", "rendition-template", "original-template", "expectations", "data-docs")


@dataclass(frozen=True)
class Choices:
    """What the command line said (None: not given, fall back to config)."""

    select: Sequence[str] | None = None
    ignore: Sequence[str] | None = None
    shared: Mapping[str, Any] | None = None
    input_format: str | None = None
    profile: str | None = None
    tuning: Tuning | None = None  # resolved by the caller (the CLI: --tune, config, environment); None: the config's [tuning] over the defaults


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
    profiles = _profiles(config, choices, catalogue)
    roles = FieldRoles.from_config(config.get("fields"))
    tuning = choices.tuning
    if tuning is None:
        try:
            tuning = resolve_tuning(config=config.get("tuning"), where=where).tuning
        except TuningError as exc:
            raise ConfigError(str(exc)) from None
    return Plan(
        rules=active,
        roles=roles,
        per_file_ignores=config.get("per-file-ignores", {}),
        suppressions=suppressions,
        input_format=choices.input_format or config.get("input-format", "auto"),
        profiles=profiles,
        profile_rules={p.name: _with_profile(active, p, settings, shared, catalogue) for p in profiles.profiles},
        profile_roles={p.name: (p.field_roles(config.get("fields")) if p.name == "cms" else p.field_roles()) for p in profiles.profiles},
        select=tuple(select) if select is not None else None,
        tuning=tuning,
    )


def _profiles(config: Config, choices: Choices, catalogue: Catalogue) -> Any:
    """The run's profiles (the config's own first), each checked against the catalogue."""
    from .profile import ProfileError, ProfileSet

    try:
        profiles = ProfileSet.load([config.resolve_path(p) for p in config.get("profiles", [])], choices.profile or config.get("profile"))
    except ProfileError as exc:
        raise ConfigError(str(exc)) from None
    declared = {o.name for r in catalogue.rules for o in r.options}
    for p in profiles.profiles:
        unknown = sorted(set(p.options) - declared)
        if unknown:
            raise ConfigError(f"{p.origin}: options.{unknown[0]}: no rule has this option")
        for key in p.rule_options:
            if catalogue.find(key) is None:
                raise ConfigError(f"{p.origin}: rules.{key}: no rule has this id or name")
        try:
            check_selectors(list(p.ignore), catalogue.rules, p.origin)
        except SelectorError as exc:
            raise ConfigError(str(exc)) from None
    return profiles


def _with_profile(active: list[ActiveRule], profile: Any, settings: Mapping[str, Mapping[str, Any]], shared: Mapping[str, Any], catalogue: Catalogue) -> list[ActiveRule]:
    """``active`` with the profile's options under the config's and the command line's (same order; unchanged rules shared).

    Precedence, lowest first: the rule's default, the profile's ``[options]``
    (and ``schema``), its ``[rules.X]``, the config and the command line.
    """
    by_rule: dict[str, dict[str, Any]] = {}
    for key, opts in profile.rule_options.items():
        by_rule.setdefault(catalogue.find(key).id, {}).update(opts)  # type: ignore[union-attr]
    general = dict(profile.options)
    if profile.schema:
        general.setdefault("schema", profile.schema)
    if not by_rule and not general:
        return active
    out = []
    for a in active:
        rule = a.rule
        declared = {o.name for o in rule.options}
        given = {k: v for k, v in settings.get(rule.id, {}).items() if k != "severity"}
        for key, value in shared.items():
            if key in declared:
                given.setdefault(key, value)
        for key, value in by_rule.get(rule.id, {}).items():
            given.setdefault(key, value)
        for key, value in general.items():
            if key in declared:
                given.setdefault(key, value)
        try:
            options = rule.resolve_options(given)
        except OptionError as exc:
            raise ConfigError(f"{profile.origin}: {exc}") from None
        out.append(a if options == a.options else ActiveRule(rule, a.severity, options))
    return out


def rule_options_table(rule: Rule) -> list[tuple[str, str, str]]:
    return [(o.name, repr(o.default), o.help) for o in rule.options]
