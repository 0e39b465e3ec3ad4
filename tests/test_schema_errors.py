"""FL101-FL103 from jsonschema-rs's errors (rules/_schema_errors.py) against python-jsonschema's, on random broken records."""

from __future__ import annotations

import copy
import random

from conftest import BASE_RECORD

from feedlint.model import Record
from feedlint.rules import _schema_errors, schema as schema_rules
from feedlint.rules._schema_loader import compiled

OPTIONS = {"schema": "", "allow-remote-refs": False}
MEMO_KEY = "schema-errors::False"
VALUES = [None, True, False, 0, 1, -1, 2, 1.0, 0.5, -0.0, 1.5, float("nan"), float("inf"), 10**30, "", "2", "x", "en", "EN", "2026-06-24 11:53:00", "24/06/2026", [], [1], {}, {"a": 1}]


def _mutate(rng: random.Random, rec: dict) -> None:
    what = rng.randrange(6)
    if what == 0:
        rec[rng.choice(sorted(rec))] = rng.choice(VALUES)
    elif what == 1:
        rec.pop(rng.choice(sorted(rec)), None)
    elif what == 2:
        rec[rng.choice(["surprise", "extra", "0"])] = rng.choice(VALUES)
    elif what == 3 and isinstance(rec.get("attaches"), list) and rec["attaches"] and isinstance(rec["attaches"][0], dict):
        attach = rec["attaches"][0]
        if rng.random() < 0.3:
            attach.pop(rng.choice(sorted(attach)), None)
        else:
            attach[rng.choice(sorted(attach) + ["other"])] = rng.choice(VALUES)
    elif what == 4 and isinstance(rec.get("attaches"), list) and rec["attaches"] and isinstance(rec["attaches"][0], dict) and isinstance(rec["attaches"][0].get("sizes"), dict):
        rec["attaches"][0]["sizes"][rng.choice(["150", "x", "0"])] = rng.choice(VALUES)
    else:
        rec[rng.choice(sorted(rec))] = copy.deepcopy(rng.choice(VALUES))


def _hits(data: dict, errors: list) -> list:
    record = Record(data)
    record.memo(MEMO_KEY, lambda: sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]))
    return [(r.id, h.pointer, h.message, h.evidence, h.on_key) for r in schema_rules.RULES for h in r.check(record, OPTIONS)]


def test_fast_errors_give_python_jsonschemas_findings():
    schema = compiled("", False)
    fast = schema.fast
    assert fast is not None and _schema_errors.translatable(schema.record_schema)
    rng = random.Random(1201)
    translated = fallbacks = 0
    for _ in range(3000):
        rec = copy.deepcopy(BASE_RECORD)
        for _ in range(rng.randint(1, 4)):
            _mutate(rng, rec)
        if schema.is_valid(rec):
            continue
        errors = _schema_errors.errors(fast, schema.record_schema, rec)
        if errors is None:
            fallbacks += 1
            continue
        translated += 1
        reference = list(schema.explain(rec))
        assert _hits(rec, errors) == _hits(rec, reference), rec
        assert sorted(map(_key, errors)) == sorted(map(_key, reference)), rec
    assert translated > 1000 and fallbacks > 100  # both paths taken


def _key(err) -> tuple:
    return (err.validator, [str(p) for p in err.absolute_path], repr(err.validator_value), repr(err.instance), repr(err.schema))


def test_other_keywords_and_doubled_errors_are_left_to_python_jsonschema():
    schema = compiled("", False)
    fast = schema.fast
    assert fast is not None and _schema_errors.translatable(schema.record_schema)
    sizes = copy.deepcopy(BASE_RECORD)
    sizes["attaches"][0]["sizes"]["x"] = "a.webp"  # propertyNames
    twice = copy.deepcopy(BASE_RECORD)
    twice["content_id"] = 0.5  # type and minimum on one value
    for rec in (sizes, twice):
        assert _schema_errors.errors(fast, schema.record_schema, rec) is None


def test_a_nan_is_a_number_to_python_jsonschema():
    schema = compiled("", False)
    fast = schema.fast
    assert fast is not None and _schema_errors.translatable(schema.record_schema)
    rec = copy.deepcopy(BASE_RECORD)
    rec["content_score"] = float("nan")
    rec["surprise"] = 1
    assert _schema_errors.errors(fast, schema.record_schema, rec) is None  # jsonschema-rs's type error is not python-jsonschema's


def test_schemas_it_cannot_walk_are_not_translated():
    assert not _schema_errors.translatable({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"})
    assert not _schema_errors.translatable({"type": "object", "$defs": {"a": {"$id": "urn:x", "type": "string"}}})
    assert _schema_errors.translatable({"type": "object"})
