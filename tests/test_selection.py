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
