"""What a run is asked to do, resolved once: :class:`Plan` and its parts.

Built by :mod:`feedlint.planning` from catalogue, config and command line;
read by every executor (in this process, in worker processes, on a cluster)
and by the reporters.  Nothing here changes while records are checked: what a
check finds or uses is returned as :class:`feedlint.effects.Effects`.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .api import Rule
from .fields import FieldRoles
from .model import Finding
from .selection import matches_any, profile_turns_off
from .tuning import Tuning


@dataclass(frozen=True)
class ActiveRule:
    """A selected rule with its resolved severity and options (never mutated)."""

    rule: Rule
    severity: str
    options: Mapping[str, Any]


@dataclass(frozen=True)
class Suppression:
    """One ``[[suppress]]`` config entry (how often it was used is counted in the run's effects)."""

    reason: str
    content_id: Any = None
    pointer: str | None = None
    rules: tuple[str, ...] = ()
    path: str | None = None

    def matches(self, finding: Finding, rule: Rule) -> bool:
        if self.content_id is not None and str(finding.content_id) != str(self.content_id):
            return False
        if self.path is not None and not path_matches(finding.path, self.path):
            return False
        if self.pointer is not None:
            rp = finding.record_pointer
            if not (rp == self.pointer or rp.startswith(self.pointer.rstrip("/") + "/")):
                return False
        return not self.rules or matches_any(rule, self.rules)

    def describe(self) -> str:
        parts = []
        if self.content_id is not None:
            parts.append(f"content-id {self.content_id}")
        if self.path:
            parts.append(f"path {self.path}")
        if self.pointer:
            parts.append(f"pointer {self.pointer}")
        if self.rules:
            parts.append("rules " + ",".join(self.rules))
        return " ".join(parts)


def path_matches(path: str, pattern: str) -> bool:
    return fnmatch.fnmatch(path, pattern) or ("/" not in pattern and fnmatch.fnmatch(path.rsplit("/", 1)[-1], pattern))


@dataclass
class Plan:
    """Everything a run needs to know, resolved once from catalogue, config and CLI.

    Only two lazily filled caches change after it is built (the profile set
    and a profile's field roles, both derived from what is already here).
    """

    rules: list[ActiveRule]
    roles: FieldRoles = field(default_factory=FieldRoles)
    per_file_ignores: Mapping[str, Sequence[str]] = field(default_factory=dict)
    suppressions: list[Suppression] = field(default_factory=list)
    input_format: str = "auto"
    profiles: Any = None  # the run's ProfileSet (see feedlint.profile); None: the built-in ones, loaded when first needed
    profile_rules: dict[str, list[ActiveRule]] = field(default_factory=dict)  # per profile: ``rules`` with its options (same order)
    profile_roles: dict[str, FieldRoles] = field(default_factory=dict)  # per profile: the roles its records are read with
    select: tuple[str, ...] | None = None  # the user's explicit selectors (command line, else config); None: every rule, implicitly
    tuning: Tuning = field(default_factory=Tuning)  # how the record checks are spread (feedlint.tuning); never what they find

    def by_scope(self, scope: str) -> list[ActiveRule]:
        return [a for a in self.rules if a.rule.scope == scope]

    def profile_set(self) -> Any:
        if self.profiles is None:
            from .profile import ProfileSet

            self.profiles = ProfileSet.load()
        return self.profiles

    def rules_for(self, profile: str | None) -> list[ActiveRule]:
        """The active rules with the options of ``profile`` (same order as :attr:`rules`)."""
        return self.profile_rules.get(profile, self.rules) if profile else self.rules

    def facts_for(self, profile: str | None) -> list[ActiveRule]:
        """The dataset rules whose facts a record of ``profile`` contributes, with that profile's options.

        A rule's ``collect`` reads the record with the options of the file it
        comes from (which field holds a featured image's id is a WordPress
        matter), while its check runs once over the whole table with the
        run's.  Rules the profile ignores still collect: the other files' rows
        are joined against theirs, as with per-file ignores.
        """
        return [a for a in self.rules_for(profile) if a.rule.scope == "dataset"]

    def roles_for(self, profile: str | None) -> FieldRoles:
        """The field roles (and record identity) of ``profile``'s records."""
        if not profile or profile == "cms":
            return self.profile_roles.get("cms", self.roles)
        roles = self.profile_roles.get(profile)
        if roles is None:
            found = self.profile_set().get(profile)
            roles = self.profile_roles[profile] = found.field_roles() if found is not None else self.roles
        return roles

    def for_file(self, display: str, scope: str, kind: str, profile: str | None = None) -> list[ActiveRule]:
        ignored: list[str] = []
        for pattern, selectors in self.per_file_ignores.items():
            if path_matches(display, pattern):
                ignored.extend(selectors)
        found = self.profile_set().get(profile) if profile else None
        defaults: tuple[str, ...] = ()
        if found is not None:
            ignored.extend(found.inapplicable)  # checks of the CMS export's own fields: off whatever is selected
            defaults = found.ignore  # the profile's judgement: an explicit selection of the user's may override it
        return [
            a for a in self.rules_for(profile)
            if a.rule.scope == scope and kind in a.rule.kinds
            and not (ignored and matches_any(a.rule, ignored))
            and not (defaults and profile_turns_off(a.rule, defaults, self.select))
        ]
