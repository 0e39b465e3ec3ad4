"""Rule selection is a pure function: id, prefix, name, ALL; the most specific selector wins."""

from __future__ import annotations

import pytest

from feedlint.api import rule
from feedlint.selection import SelectorError, check_selectors, select_rules


def _make(rid: str, name: str):
    @rule(rid, name)
    def check(record, options):
        """Doc."""
        yield from ()

    return check


RULES = [_make("FL101", "schema-violation"), _make("FL201", "undecoded-entity"), _make("FL202", "double-encoded"), _make("XM001", "plugin-rule")]


def ids(rules):
    return [r.id for r in rules]


def test_default_selects_everything():
    assert ids(select_rules(RULES)) == ["FL101", "FL201", "FL202", "XM001"]


@pytest.mark.parametrize(
    "select,ignore,expected",
    [
        (["FL2"], [], ["FL201", "FL202"]),
        (["FL"], ["FL201"], ["FL101", "FL202"]),
        (["FL201"], ["FL2"], ["FL201"]),
        (["undecoded-entity"], [], ["FL201"]),
        (["ALL"], ["FL"], ["XM001"]),
        (["FL2"], ["double-encoded"], ["FL201"]),
        ([], [], []),
    ],
)
def test_select_and_ignore(select, ignore, expected):
    assert ids(select_rules(RULES, select, ignore)) == expected


def test_unknown_selector_is_an_error():
    with pytest.raises(SelectorError, match="FL9"):
        check_selectors(["FL9"], RULES, "cfg.toml")


@pytest.mark.parametrize(
    ("user_select", "off"),
    [
        (None, True),  # nothing selected explicitly: the profile's default stands
        (["ALL"], True),  # "every rule" is no request for this one
        (["FL2"], True),  # the family: less precise than the profile's FL202
        (["FL202"], False),  # the rule itself: the user's explicit choice wins
        (["double-encoded"], False),  # by name, the same
        (["fl202", "FL1"], False),
        (["FL201"], True),  # another rule
    ],
)
def test_an_explicit_selection_at_least_as_precise_overrides_a_profiles_ignore(user_select, off):
    from feedlint.selection import profile_turns_off

    fl202 = RULES[2]
    assert profile_turns_off(fl202, ["FL202"], user_select) is off


def test_a_profile_ignoring_a_family_yields_to_the_family_or_a_rule_of_it():
    from feedlint.selection import profile_turns_off

    fl202 = RULES[2]
    assert profile_turns_off(fl202, ["FL2"], ["FL2"]) is False  # equally precise: the user's layer is above the profile's
    assert profile_turns_off(fl202, ["FL2"], ["FL"]) is True
    assert profile_turns_off(fl202, ["FL2"], ["FL202"]) is False
    assert profile_turns_off(RULES[0], ["FL2"], None) is False  # not ignored at all
