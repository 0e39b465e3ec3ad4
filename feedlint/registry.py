"""Discover rules: the built-in modules plus the ``feedlint.rules`` entry-point group.

Each module or entry point is loaded on its own: a broken plugin becomes a
warning and the run goes on.  Duplicate ids are refused (the first wins and the
clash is reported).
"""

from __future__ import annotations

import importlib
import types
from dataclasses import dataclass, field
from typing import Any, Iterable

from .api import Rule
from .entry_points import entry_points
from .selection import normalize_selector

BUILTIN_MODULES = (
    "feedlint.rules.schema",
    "feedlint.rules.encoding",
    "feedlint.rules.dates",
    "feedlint.rules.parity",
    "feedlint.rules.attachments",
    "feedlint.rules.dataset",
    "feedlint.rules.featured",  # FL607: a join across records in plain Python, beside the expectation suites
    "feedlint.rules.article",
)
ENTRY_POINT_GROUP = "feedlint.rules"


@dataclass
class Catalogue:
    rules: list[Rule] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def find(self, key: str) -> Rule | None:
        """The rule with this id or name, in any case."""
        wanted = normalize_selector(key)
        for r in self.rules:
            if wanted in (normalize_selector(r.id), normalize_selector(r.name)):
                return r
        return None


def rules_in(obj: Any) -> list[Rule]:
    """Rules exported by a module (its ``RULES`` or every Rule attribute), a list, or one Rule."""
    if isinstance(obj, Rule):
        return [obj]
    if isinstance(obj, types.ModuleType):
        declared = getattr(obj, "RULES", None)
        if declared is not None:
            return list(declared)
        return [v for v in vars(obj).values() if isinstance(v, Rule)]
    if isinstance(obj, (list, tuple)):
        return [r for r in obj if isinstance(r, Rule)]
    if callable(obj):
        return rules_in(obj())
    raise TypeError(f"expected a Rule, a list of rules or a module, got {type(obj).__name__}")


def undeclared(mod: types.ModuleType, found: list[Rule]) -> list[Rule]:
    """Rules defined in ``mod`` (``@rule`` on its own functions) that its ``RULES`` leaves out."""
    listed = {id(r) for r in found}
    return [v for v in vars(mod).values() if isinstance(v, Rule) and v.origin == mod.__name__ and id(v) not in listed]


def _add(cat: Catalogue, found: Iterable[Rule], origin: str) -> None:
    seen = cat.by_id()
    names = {r.name for r in cat.rules}
    for r in found:
        if r.id in seen:
            cat.warnings.append(f"plugin {origin}: rule id {r.id} already defined by {seen[r.id].origin}; ignored")
            continue
        if r.name in names:
            cat.warnings.append(f"plugin {origin}: rule name {r.name!r} already used; {r.id} ignored")
            continue
        cat.rules.append(r)
        seen[r.id] = r
        names.add(r.name)


def load_catalogue(builtin_modules: Iterable[str] = BUILTIN_MODULES, plugins: bool = True) -> Catalogue:
    cat = Catalogue()
    for mod_name in builtin_modules:
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:  # a misspelt name too: said, never dropped silently
            cat.warnings.append(f"built-in rules {mod_name} failed to load: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - isolation is the point
            cat.warnings.append(f"built-in rules {mod_name} failed to load: {type(exc).__name__}: {exc}")
            continue
        found = rules_in(mod)
        cat.warnings.extend(f"built-in rules {mod_name}: rule {r.id} is defined but not in RULES" for r in undeclared(mod, found))
        _add(cat, found, mod_name)
    if plugins:
        for ep in entry_points(ENTRY_POINT_GROUP):
            origin = f"{ep.name} ({ep.value})"
            try:
                found = rules_in(ep.load())
            except Exception as exc:  # noqa: BLE001
                cat.warnings.append(f"plugin {origin} failed to load: {type(exc).__name__}: {exc}")
                continue
            _add(cat, [_with_origin(r, ep) for r in found], origin)
    cat.rules.sort(key=lambda r: (not r.id.startswith("FL"), r.id))
    return cat


def _with_origin(r: Rule, ep: Any) -> Rule:
    import dataclasses

    dist = getattr(getattr(ep, "dist", None), "name", None) or ep.name
    return dataclasses.replace(r, origin=f"plugin:{dist}")
