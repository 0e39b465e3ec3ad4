"""One grammar for HTML character references, shared by the FL2xx (rules/_entities.py) and FL4xx (rules/_htmltext.py) rules.

They disagreed: FL2xx read up to 8 digits, FL4xx up to 7 (hex: 8 and 6), so a
reference with leading zeros was an entity to one and a bare ampersand to the
other.  HTML's tokenizer reads every digit ("&#00000065;" is "A"; a number
past U+10FFFF is still a reference, shown as U+FFFD), and so do both now.
"""

from __future__ import annotations

import html

import pytest

from conftest import base_record
from feedlint.config import Config
from feedlint.engine import Engine
from feedlint.planning import Choices, build_plan
from feedlint.registry import load_catalogue
from feedlint.rules import _entities, _htmltext

# (text, is a complete reference per HTML): at and around the old bounds
CASES = [
    ("&#1114111;", True),  # 7 digits: U+10FFFF
    ("&#00000065;", True),  # 8 digits (leading zeros): "A" -- FL4xx said bare ampersand
    ("&#000000065;", True),  # 9 digits -- FL2xx missed it too
    ("&#1114112;", True),  # past U+10FFFF: a reference all the same (U+FFFD)
    ("&#x10FFFF;", True),  # 6 hex digits
    ("&#x0000041;", True),  # 7 hex digits, "A" -- FL4xx said bare ampersand
    ("&#x00000000041;", True),
    ("&#;", False),
    ("&#x;", False),
    ("&#65", False),  # no semicolon: not a complete reference
    ("AT&T;", False),  # "T" is no entity name: one letter never is
    ("&lt;", True),
    ("&CounterClockwiseContourIntegral;", True),  # the longest name
]


@pytest.mark.parametrize("text, complete", CASES)
def test_both_rule_families_read_references_alike(text, complete):
    found = [m.group() for m in _entities.references(text)]
    assert (found == [text]) is complete
    assert (not _htmltext.has_bare_ampersand(text)) is complete


def test_leading_zeros_decode_as_a_browser_shows_them():
    assert [_entities.decode(m.group()) for m in _entities.references("&#00000065;&#x0000041;&#1114112;")] == ["A", "A", "\ufffd"]
    assert html.unescape("&#00000065;") == "A"  # the oracle the decoders use


def test_fl201_finds_a_reference_with_leading_zeros_and_fl4xx_reads_it_as_its_character(tmp_path):
    from conftest import export_text

    zeros = "It&#00000039;s"
    record = base_record(content_id=7, content_title=zeros)
    path = tmp_path / "export.json"
    path.write_text(export_text([record]), encoding="utf-8")
    plan = build_plan(load_catalogue(plugins=False), Config(values={}), Choices(select=["FL201"]))
    findings = list(Engine(plan).run([str(path)]))
    text = path.read_text(encoding="utf-8")
    at = text.index("&#00000039;")
    assert [(f.rule_id, f.pointer, f.region.offset) for f in findings] == [("FL201", "/0/0/content_title", at)]
    assert _htmltext.has_bare_ampersand("a & b") and not _htmltext.has_bare_ampersand(zeros)


# (plain text, what FL201 reports as references without ";" and FL4xx decodes alike)
UNCLOSED = [
    ("Don&#8217s plan", ["&#8217"], "Don’s plan"),
    ("the 1990&#150s", ["&#150"], "the 1990–s"),  # Windows-1252's en dash, as html.unescape and browsers read it
    ("&#1587&#1604&#1575&#1605", ["&#1587", "&#1604", "&#1575", "&#1605"], "سلام"),
    ("?a=1&#42 and `x&#8217s`", [], "?a=1&#42 and `x&#8217s`"),  # a query string, a code sample
    ("Tom&#1 fan, x&#65", [], "Tom&#1 fan, x&#65"),  # a control, a plain letter: no one writes these as references
    ("1&#189 cups, x&#178, &#1632", ["&#189", "&#178"], "1½ cups, x², &#1632"),  # fractions and superscripts; not a digit of another script
]


@pytest.mark.parametrize("text, found, decoded", UNCLOSED)
def test_references_without_semicolon_read_alike_by_both_rule_families(text, found, decoded):
    assert [m.group() for m in _entities.unclosed_references(text)] == found
    assert _htmltext.decode_entities(text) == decoded
    assert _htmltext.decode_with_map(text)[0] == decoded
