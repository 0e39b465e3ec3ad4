"""Odd but legal attribute syntax is read as the WHATWG tokenizer reads it (FL401/402/403).

A quote opens an attribute value only right after "=": in ``<div "="">`` the ``"`` is an
attribute *name*, and in ``width="500" " class="wide"`` the lone ``"`` is one too.  Reading
such a quote as the start of a value swallowed the rest of the field (false FL401, FL402 and
FL403).  html5lib, a conforming parser, is the reference (a test dependency only).
"""

from __future__ import annotations

import random

import html5lib
import pytest

from conftest import base_record, export_text, line_col
from feedlint.config import Config
from feedlint.engine import Engine
from feedlint.planning import Choices, build_plan
from feedlint.registry import load_catalogue
from feedlint.rules._htmltext import quick_scan, scan_html, self_closing_slash

CATALOGUE = load_catalogue(plugins=False)

P1 = "The ferry timetable changes on Monday."
P2 = "Two crossings are added in the evening."
P3 = "Tickets bought before the change stay valid."


def run(record: dict, tmp_path):
    text = export_text([record])
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8", newline="")
    engine = Engine(build_plan(CATALOGUE, Config(values={}), Choices(select=["FL4"])))
    findings = list(engine.run([str(path)]))
    assert not engine.errors and not engine.internal_errors and not engine.setup_errors
    return findings, text


BODY = f"{P1}\r\n\r\n{P2}\r\n\r\n{P3}"
ODD = [
    f'<p>{P1}</p><div "="">{P2}</div><p>{P3}</p>',  # an attribute named '"' with an empty value
    f'<p>{P1}</p><p><img width="500" " class="wide" src="a.png"></p><p>{P2}</p><p>{P3}</p>',  # a lone '"' between attributes
    f'<p>{P1}</p><p title=">">{P2}</p><p>{P3}</p>',  # ">" inside a quoted value does not end the tag
    f'<p>{P1}</p><p class=note/>{P2}</p><p data-x=\'a"b\'id="x">{P3}</p>',  # "/" in an unquoted value; no space after a quoted one
]


@pytest.mark.parametrize("html", ODD, ids=["quote-named-attribute", "lone-quote", "gt-in-value", "slash-in-unquoted-value"])
def test_odd_attributes_are_not_reported(tmp_path, html):
    findings, _ = run(base_record(content_body=BODY, content_html=html), tmp_path)
    assert findings == []


def test_real_defects_after_odd_attributes_are_still_found(tmp_path):
    """A changed word and a misnested tag after the odd attributes: both found at their characters."""
    html = f'<p>{P1}</p><div "="">{P2}</div><p><b>{P3}</p></b>'
    body = BODY.replace("evening", "morning")
    findings, text = run(base_record(content_body=body, content_html=html), tmp_path)
    assert [f.rule_id for f in findings] == ["FL401", "FL403"]
    word = text.index("morning")
    assert (findings[0].region.start_line, findings[0].region.start_column) == line_col(text, word)
    assert findings[0].record_pointer == "/content_body" and "morning" in findings[0].message
    end = text.index("<\\/p><\\/b>")
    assert findings[1].record_pointer == "/content_html" and "`</p>`" in findings[1].message
    assert (findings[1].region.start_line, findings[1].region.start_column) == line_col(text, end)


@pytest.mark.parametrize(
    ("attributes", "closes"),
    [("/", True), (' a="1"/', True), (" a /", True), (" a=b/", False), (" a=/", False), (" a='x/'", False), ("", False)],
)
def test_self_closing_slash_is_only_a_slash_of_its_own(attributes, closes):
    assert self_closing_slash(attributes) is closes


# -- differential test against html5lib ------------------------------------------------

def _html5lib_text(html: str) -> str:
    def text(e) -> str:
        inner = "" if not isinstance(e.tag, str) or e.tag in ("script", "style") else (e.text or "") + "".join(text(c) for c in e)
        return inner + (e.tail or "")

    root = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    return "".join(((root.text or "") + "".join(text(c) for c in root)).split())


# Odd but legal (or error-tolerant, which a browser reads the same way) attribute syntax.
ATTRIBUTE_CORPUS = [
    '<div "="">one</div><p>two</p>',
    '<img width="500" " class="x" src="a.png"><p>after</p>',
    '<p a=">">x</p>',
    '<p a = "b>c" >y</p>',
    "<a href=x/>link</a> more",
    '<p =">">z</p>',
    '<p ==">">z</p>',
    '<p"a">q</p>',
    "<p a='x'b='y'>ok</p>",
    "<p/a=b>ok</p>",
    "<p\x0bclass=x>vertical tab is no HTML space</p>",
    '<p a="unclosed>swallowed to the end</p>',
    "<!-->c<p>d</p>",
    "<!--->e",
    "a</ b>c",
    "a</>b",
    "a</",
]
_SOUP = ["a", "b=", '"', "'", "=", " ", "/", ">", "x", "<", "\t", '"="', 'c="1"', "d='>'", "\n", "`", "e=f/"]


def _soup_corpus(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [f"<p>one <span{''.join(rng.choice(_SOUP) for _ in range(rng.randint(1, 9)))}>two</span> three</p><p>four</p>" for _ in range(n)]


def test_visible_text_agrees_with_html5lib_on_odd_attributes():
    """Where each tag ends, and so which words are shown, is what html5lib says, on both passes."""
    mismatches = []
    for html in ATTRIBUTE_CORPUS + _soup_corpus(20261205, 3000):
        full = scan_html(html).key(fold=False).replace(" ", "")
        quick = quick_scan(html)
        fast = quick.key(fold=False).replace(" ", "") if quick is not None else full
        theirs = _html5lib_text(html)
        if not full == fast == theirs:
            mismatches.append((html, full, fast, theirs))
    assert mismatches == []


def test_soup_corpus_is_not_vacuous():
    """The random corpus holds the cases that used to go wrong: a quote after a name, a ">" kept inside a value."""
    corpus = _soup_corpus(20261205, 3000)
    assert sum('"="' in h for h in corpus) > 100
    assert sum(_html5lib_text(h) == "one" for h in corpus) > 50  # a value left open: the rest of the field is inside the tag
