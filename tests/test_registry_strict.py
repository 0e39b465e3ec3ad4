"""The built-in catalogue refuses, loudly, what it would otherwise drop: a misspelt module, a rule left out of RULES."""

from __future__ import annotations

import sys
import types

from feedlint.api import Hit, rule
from feedlint.registry import BUILTIN_MODULES, load_catalogue


def test_the_shipped_catalogue_loads_without_a_warning():
    cat = load_catalogue(plugins=False)
    assert cat.warnings == []
    assert {r.origin for r in cat.rules} == set(BUILTIN_MODULES)  # every module contributes, each rule where it is defined


def test_a_misspelt_builtin_module_is_said(monkeypatch):
    cat = load_catalogue(("feedlint.rules.schema", "feedlint.rules.datse"), plugins=False)
    assert any("feedlint.rules.datse" in w for w in cat.warnings), cat.warnings
    assert cat.rules  # the others still load


def test_a_decorated_rule_missing_from_rules_is_said(monkeypatch):
    mod = types.ModuleType("fake_rules_pack")

    def listed(record, options):
        """Listed."""
        yield Hit("", "x")

    def forgotten(record, options):
        """Forgotten."""
        yield Hit("", "y")

    listed.__module__ = forgotten.__module__ = mod.__name__
    mod.listed, mod.forgotten = rule("XZ001", "listed-one")(listed), rule("XZ002", "forgotten-one")(forgotten)
    mod.RULES = [mod.listed]
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    cat = load_catalogue((mod.__name__,), plugins=False)
    assert [r.id for r in cat.rules] == ["XZ001"]
    assert cat.warnings == ["built-in rules fake_rules_pack: rule XZ002 is defined but not in RULES"]
