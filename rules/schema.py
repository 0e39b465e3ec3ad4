"""FL1xx: the record against the CMS export JSON Schema (bundled, or ``--schema FILE``).

One validation per record is shared by the three rules through ``record.memo``.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from feedlint import pointer as _jp
from feedlint.api import Hit, Option, bad, good, rule

from . import _schema_errors
from ._excerpt import quoted
from ._schema_loader import compiled

SCHEMA_OPTIONS = (
    Option("schema", "", "JSON Schema file; empty means the bundled schemas/cms-export.schema.json", type=str),
    Option("allow-remote-refs", False, "fetch remote $refs of the schema over the network", type=bool),
)
_BY_RULE = {"required": "FL102", "additionalProperties": "FL103"}


def _pointer(path: Any) -> str:
    return _jp.join("", *path)


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _errors(record, options) -> list[Any]:
    """The record's schema errors, sorted by path: one validation per record for FL101, FL102 and FL103."""
    where = (options["schema"], options["allow-remote-refs"])
    key = _MEMO_KEYS.get(where)
    if key is None:
        key = _MEMO_KEYS[where] = f"schema-errors:{where[0]}:{where[1]}"
    return record.memo(key, lambda: _validate(compiled(*where), where, record.data))


_MEMO_KEYS: dict[tuple[str, bool], str] = {}  # the memo key of each schema and remote-ref policy, built once


def _validate(schema, where: tuple[str, bool], data: Any) -> list[Any]:
    """The errors, explained by jsonschema-rs when it can say what python-jsonschema would (see _schema_errors)."""
    if schema.is_valid(data):
        return []
    fast = _fast_validator(schema, where)
    errors = None if fast is None else _schema_errors.errors(fast, schema.record_schema, data)
    if errors is None:
        errors = schema.explain(data)
    return sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])


def _fast_validator(schema, where: tuple[str, bool]) -> Any:
    """The schema's jsonschema-rs validator when _schema_errors can translate its errors, else None (decided once per schema)."""
    if where not in _FAST:
        _FAST[where] = schema.fast if schema.fast is not None and _schema_errors.translatable(schema.record_schema) else None
    return _FAST[where]


_FAST: dict[tuple[str, bool], Any] = {}


def _missing_choice(err: Any) -> list[str] | None:
    """The fields of an ``anyOf``/``oneOf`` of ``required`` lists none of which the object has, or None.

    ``"anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}]`` (JSON Feed: one of
    the two bodies) is a missing field, reported by FL102 by name -- not FL101 quoting the whole record.
    """
    if err.validator not in ("anyOf", "oneOf") or not isinstance(err.instance, dict) or not isinstance(err.validator_value, list):
        return None
    alternatives = err.validator_value
    if not alternatives or not all(isinstance(a, dict) and set(a) == {"required"} and isinstance(a["required"], list) for a in alternatives):
        return None
    if any(all(key in err.instance for key in a["required"]) for a in alternatives):
        return None  # one alternative is complete: a oneOf matched twice is not a missing field
    return [key for a in alternatives for key in a["required"] if key not in err.instance]


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null", float: "number", int: "integer"}.get(type(value), type(value).__name__)


def _message(err: Any) -> str:
    v, inst = err.validator, err.instance
    if v == "type":
        want = err.validator_value if isinstance(err.validator_value, str) else " or ".join(err.validator_value)
        got = _json_type(inst)
        return f"expected {want}, got {got}" if got == "null" else f"expected {want}, got {got} {_short(inst)}"
    if v == "pattern":
        return f"{_short(inst)} does not match the expected format {err.validator_value}"
    if v == "enum":
        return f"{_short(inst)} is not one of {_short(err.validator_value)}"
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"{_short(inst)} violates {v} {err.validator_value}"
    if v == "minLength":
        return f"string shorter than {err.validator_value} character(s)"
    if v == "propertyNames":
        return f"key {_short(inst)} is not allowed here"
    msg = err.message
    return msg if len(msg) <= 200 else msg[:199] + "…"


@rule(
    "FL101",
    "schema-violation",
    "error",
    options=SCHEMA_OPTIONS,
    tags=("schema",),
    examples=[
        bad({"content_id": "418667"}, "an id exported as a string", pointers=["/content_id"]),
        bad({"content_date_start": "24/06/2026 11:53"}, "a date in the wrong format", pointers=["/content_date_start"]),
        good({"content_short_title": None}, "nullable fields may be null"),
    ],
)
def schema_violation(record, options) -> Iterator[Hit]:
    """A value has the wrong type, format or range for the CMS export schema.

    Each violation is reported at the offending value (its JSON Pointer and exact
    line and column).  The schema is `schemas/cms-export.schema.json` unless
    `--schema FILE` or the `schema` option names another; a schema with
    `$defs/record` is applied to each record through it, otherwise its root is.
    Remote `$ref`s are not fetched unless `allow-remote-refs` is set.  A record
    that is not an object inside the export's pages (`[[1, "x", null]]`) is one
    violation at that record ("expected object"), never a skipped file.
    """
    errors = _errors(record, options)
    if not errors:
        return
    for err in errors:
        if err.validator in _BY_RULE:
            continue
        if err.validator == "propertyNames":
            continue  # reported once, on the key itself, below
        if _missing_choice(err):
            continue  # FL102
        yield Hit(_pointer(err.absolute_path), _message(err), evidence=f"{err.validator}:{_short(err.validator_value, 80)}")
    for err in errors:
        if err.validator == "propertyNames":
            for key in (err.instance if isinstance(err.instance, dict) else {}):
                if err.validator_value.get("pattern"):
                    import re

                    if not re.search(err.validator_value["pattern"], key):
                        yield Hit(_pointer([*err.absolute_path, key]), f"key {_short(key)} does not match {err.validator_value['pattern']}", evidence=f"propertyNames:{key}", on_key=True)


@rule(
    "FL102",
    "missing-field",
    "error",
    options=SCHEMA_OPTIONS,
    tags=("schema",),
    examples=[
        bad({}, "a record without its headline", pointers=[""], remove=["content_title"]),
        good({}, "every field present"),
    ],
)
def missing_field(record, options) -> Iterator[Hit]:
    """A field the schema requires is absent; reported at the object that should hold it.

    A choice of required fields (an `anyOf` or `oneOf` of `required` lists, as JSON Feed
    requires `content_html` or `content_text`) of which the object has none is one finding
    naming them all.
    """
    # The validator gives one error per missing field, each naming the whole list: each list is read once
    # per object (was once per error: every missing field reported once per missing field).
    lists: set[tuple[str, int]] = set()
    reported: set[tuple[str, str]] = set()
    for err in _errors(record, options):
        if err.validator == "required" and isinstance(err.instance, dict):
            pointer = _pointer(err.absolute_path)
            if (pointer, id(err.validator_value)) in lists:
                continue
            lists.add((pointer, id(err.validator_value)))
            for key in err.validator_value:
                if key not in err.instance and (pointer, key) not in reported:
                    reported.add((pointer, key))
                    yield Hit(pointer, f"missing required field {quoted(key)}", evidence=key)
        choice = _missing_choice(err)
        if choice:
            pointer = _pointer(err.absolute_path)
            if (pointer, "|".join(choice)) not in reported:
                reported.add((pointer, "|".join(choice)))
                yield Hit(pointer, "missing required field: one of " + ", ".join(quoted(k) for k in dict.fromkeys(choice)), evidence="|".join(choice))


@rule(
    "FL103",
    "unknown-field",
    "note",
    options=SCHEMA_OPTIONS,
    tags=("schema",),
    examples=[
        bad({"content_subtitle": "An extra field"}, "a field the schema does not know", pointers=["/content_subtitle"]),
        good({}, "only known fields"),
    ],
)
def unknown_field(record, options) -> Iterator[Hit]:
    """A field the schema does not describe (a typo, or an exporter change nobody documented).

    Reported at the field's key.  Low severity by default: raise it with
    `[tool.feedlint.rules.FL103] severity = "error"` to freeze the export's shape.
    """
    for err in _errors(record, options):
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            known = set(err.schema.get("properties", {}))
            for key in err.instance:
                if key not in known:
                    yield Hit(_pointer([*err.absolute_path, key]), f"unknown field {quoted(key)}", evidence=key, on_key=True)


RULES = [schema_violation, missing_field, unknown_field]
