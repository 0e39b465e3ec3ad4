"""Every rule's bad/good examples (declared as data on the rule) run through the real engine.

A bad example must be reported, at one of its declared pointers; a good one must
stay silent.  The same examples are what ``feedlint explain`` shows, so the
documentation cannot drift from the behaviour.
"""

from __future__ import annotations

import pytest

from conftest import BASE_RECORD, export_text, merge
from feedlint.config import Config
from feedlint.engine import Engine
from feedlint.planning import Choices, build_plan
from feedlint.registry import load_catalogue

CATALOGUE = load_catalogue(plugins=False)
CASES = [(r, i, ex) for r in CATALOGUE.rules for i, ex in enumerate(r.examples)]


def test_every_builtin_rule_has_a_bad_and_a_good_example():
    for r in CATALOGUE.rules:
        kinds = {e.kind for e in r.examples}
        assert kinds == {"bad", "good"}, f"{r.id} needs both a bad and a good example"


def test_catalogue_loaded_without_warnings():
    assert CATALOGUE.warnings == []


def _materialise(rule, example, tmp_path):
    if "cms" in rule.kinds and not isinstance(example.record, str):
        records = example.record if isinstance(example.record, list) else [example.record]
        built = []
        for partial in records:
            rec = merge(BASE_RECORD, partial)
            for key in example.remove:
                rec.pop(key, None)
            built.append(rec)
        path = tmp_path / "example.json"
        path.write_text(export_text(built), encoding="utf-8", newline="")
    else:
        path = tmp_path / "example.txt"
        path.write_text(example.record, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("rule,i,example", CASES, ids=[f"{r.id}-{ex.kind}{i}" for r, i, ex in CASES])
def test_rule_example(rule, i, example, tmp_path):
    path = _materialise(rule, example, tmp_path)
    config = Config(values={"rules": {rule.id: dict(example.options)}} if example.options else {})
    plan = build_plan(CATALOGUE, config, Choices(select=[rule.id]))
    engine = Engine(plan)
    findings = list(engine.run([str(path)]))
    assert not engine.errors and not engine.internal_errors and not engine.setup_errors
    mine = [f for f in findings if f.rule_id == rule.id]
    if example.kind == "bad":
        assert mine, f"{rule.id} bad example {example.title!r} was not reported"
        if example.pointers:
            assert {f.record_pointer for f in mine} <= set(example.pointers), [f.record_pointer for f in mine]
        for f in mine:
            assert f.region.start_line >= 1 and f.region.start_column >= 1
    else:
        assert not mine, f"{rule.id} good example {example.title!r} was reported: {[f.message for f in mine]}"
