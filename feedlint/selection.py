"""Which rules run: a pure function of the catalogue and the user's selectors.

A selector is a rule id (``FL201``), an id prefix (``FL2``, ``FL``), a rule
name (``undecoded-entity``) or ``ALL``.  As in ruff, the most specific
selector wins: ``select=["FL2"], ignore=["FL201"]`` runs FL2xx but FL201, and
``select=["FL201"], ignore=["FL2"]`` still runs FL201.  Case does not matter
anywhere a selector is read (command line, config, per-file ignores,
suppressions, profiles, ``explain``): :func:`normalize_selector` is the one
place that says so.

A profile's ``ignore`` is a default beneath the user's own selection
(:func:`profile_turns_off`): an explicit selector naming a rule at least as
precisely as the profile's runs it.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from .api import Rule


class SelectorError(ValueError):
    pass


def normalize_selector(selector: str) -> str:
    """The comparable form of a selector, rule id or rule name: ``fl201``, `` FL201`` and ``FL201`` are one."""
    return selector.strip().upper()


def specificity(selector: str, rule: Rule) -> int | None:
    """How precisely ``selector`` names ``rule`` (higher is more specific), or None."""
    sel = normalize_selector(selector)
    if sel == "ALL":
        return 0
    rule_id = normalize_selector(rule.id)
    if sel == rule_id or sel == normalize_selector(rule.name):
        return 100
    if sel and rule_id.startswith(sel):
        return len(sel)
    return None


def check_selectors(selectors: Iterable[str], rules: Sequence[Rule], where: str) -> None:
    """Refuse a selector that matches no known rule (a typo must not silently select nothing)."""
    for sel in selectors:
        if not any(specificity(sel, r) is not None for r in rules):
            raise SelectorError(f"{where}: unknown rule selector {sel!r} (no rule id, prefix or name matches)")


def best_match(rule: Rule, selectors: Sequence[str]) -> int | None:
    """The specificity of the selector naming ``rule`` most precisely, or None when none does."""
    return max((s for s in (specificity(x, rule) for x in selectors) if s is not None), default=None)


def is_selected(rule: Rule, select: Sequence[str], ignore: Sequence[str]) -> bool:
    best_sel = best_match(rule, select)
    if best_sel is None:
        return False
    best_ign = best_match(rule, ignore)
    return best_ign is None or best_sel > best_ign


def profile_turns_off(rule: Rule, profile_ignore: Sequence[str], user_select: Sequence[str] | None) -> bool:
    """Whether a profile's ``ignore`` keeps ``rule`` off, given the user's explicit ``select`` (None: not given).

    The profile's ignore is a default; the user's selection (config
    ``select`` or ``--select``) is above it.  A user selector that names the
    rule at least as precisely as the profile's ignore does wins:
    ``--select FL302`` runs FL302 on a WordPress file although the
    ``wordpress`` profile ignores it; ``--select FL3`` (the family) does not
    (the profile judged FL302 unfit for its records, and a prefix is no
    request for that one rule).  Neither does the implicit "every rule".
    """
    off = best_match(rule, profile_ignore)
    if off is None:
        return False
    on = best_match(rule, user_select or ())
    return on is None or on < off


def select_rules(rules: Sequence[Rule], select: Sequence[str] | None = None, ignore: Sequence[str] = ()) -> list[Rule]:
    """The rules that run, in catalogue order.  ``select=None`` means every rule."""
    chosen = ["ALL"] if select is None else list(select)
    return [r for r in rules if is_selected(r, chosen, list(ignore))]


def matches_any(rule: Rule, selectors: Sequence[str]) -> bool:
    return any(specificity(s, rule) is not None for s in selectors)
