"""A record's schema errors from jsonschema-rs, as python-jsonschema would give them, when that is certain.

python-jsonschema explains a failing record, but importing it costs a worker
more than checking a hundred records (about 300 million instructions, once per
process that meets one).  The usual failures -- a value of the wrong type, a
missing or an unknown field, a value out of range -- say nothing that
jsonschema-rs's errors do not say too: the keyword, where it is in the schema
and in the record.  :func:`errors` turns those into python-jsonschema's
``validator``, ``validator_value``, ``instance``, ``absolute_path`` and
``schema``, after checking each one the way python-jsonschema would (a NaN
is a number to it, not to jsonschema-rs).  Whenever it cannot be sure of the
same errors in the same order -- another keyword (its message would be
python-jsonschema's own words), two errors on one value, a schema it cannot
walk -- it answers None and python-jsonschema explains the record.
"""

from __future__ import annotations

import re
from typing import Any, Callable, NamedTuple

# The drafts whose "integer" takes 1.0 (python-jsonschema's default, for a schema naming none, is 2020-12).
_DRAFTS = frozenset(
    [
        None,
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "http://json-schema.org/draft-07/schema#",
        "http://json-schema.org/draft-07/schema",
        "http://json-schema.org/draft-06/schema#",
        "http://json-schema.org/draft-06/schema",
    ]
)


class SchemaError(NamedTuple):
    """The attributes of python-jsonschema's ``ValidationError`` that the FL1xx rules read for these keywords."""

    validator: str
    validator_value: Any
    instance: Any
    absolute_path: tuple
    schema: dict


def translatable(record_schema: dict) -> bool:
    """Whether :func:`errors` can translate the errors of this schema's jsonschema-rs validator.

    The schema's ``$schema`` must name a draft of :data:`_DRAFTS`, and it
    must have no ``$id`` but at its root, so that an error's schema path walks
    from the root to its keyword (the validator exists only for schemas whose
    references are all local: jsonschema-rs would fetch the others).
    """
    return record_schema.get("$schema") in _DRAFTS and not _nested_id(record_schema, top=True)


def _nested_id(node: Any, top: bool = False) -> bool:
    if isinstance(node, dict):
        return (not top and "$id" in node) or any(_nested_id(v) for v in node.values())
    return isinstance(node, list) and any(_nested_id(v) for v in node)


def errors(validator: Any, record_schema: dict, data: Any) -> list[SchemaError] | None:
    """``data``'s errors in python-jsonschema's terms, in an order that sorts by path as its own do; None when not certain."""
    found: list[SchemaError] = []
    reported_at: set[tuple] = set()  # paths with a value error (FL101): two on one value would need python-jsonschema's order
    lists_at: dict[tuple, int] = {}  # paths with required errors: the id of their keyword's list
    unknown_at: set[tuple] = set()  # paths with an additionalProperties error
    try:
        raw = list(validator.iter_errors(data))
    except Exception:  # noqa: BLE001
        return None
    for err in raw:
        translated = _translate(err, record_schema, data)
        if translated is None:
            return None
        path, keyword = translated.absolute_path, translated.validator
        if keyword == "required":
            if lists_at.setdefault(path, id(translated.validator_value)) != id(translated.validator_value):
                return None
        elif keyword == "additionalProperties":
            if path in unknown_at:
                return None
            unknown_at.add(path)
        elif path in reported_at:
            return None
        else:
            reported_at.add(path)
        found.append(translated)
    return found


def _translate(err: Any, record_schema: dict, data: Any) -> SchemaError | None:
    keyword = getattr(getattr(err, "kind", None), "name", None)
    holds = _HOLDS.get(keyword)  # type: ignore[arg-type]
    where = getattr(err, "schema_path", None)
    if holds is None or not where or where[-1] != keyword:
        return None
    schema = _walk(record_schema, where[:-1])
    path = tuple(err.instance_path)
    instance = _walk(data, path)
    if not isinstance(schema, dict) or keyword not in schema or instance is _NOWHERE:
        return None
    value = schema[keyword]
    if holds(instance, value, schema) is not True:
        return None
    return SchemaError(keyword, value, instance, path, schema)


_NOWHERE: Any = object()


def _walk(node: Any, tokens: Any) -> Any:
    """The value at ``tokens`` (keys and list indexes) under ``node``, or :data:`_NOWHERE`."""
    for token in tokens:
        if isinstance(node, dict) and isinstance(token, str) and token in node:
            node = node[token]
        elif isinstance(node, list) and type(token) is int and 0 <= token < len(node):
            node = node[token]
        else:
            return _NOWHERE
    return node


# -- python-jsonschema's judgement of each keyword (True: it reports an error; False or None: not, or not sure) --


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": _is_number,
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _type_fails(instance: Any, value: Any, schema: dict) -> bool | None:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(n in _TYPES for n in names):
        return None
    return not any(_TYPES[n](instance) for n in names)


def _required_fails(instance: Any, value: Any, schema: dict) -> bool:
    return isinstance(instance, dict) and isinstance(value, list) and any(key not in instance for key in value)


def _unknown_fails(instance: Any, value: Any, schema: dict) -> bool:
    if value is not False or "patternProperties" in schema or not isinstance(instance, dict):
        return False
    known = schema.get("properties", {})
    return any(key not in known for key in instance)


def _enum_fails(instance: Any, value: Any, schema: dict) -> bool | None:
    if not isinstance(value, list) or isinstance(instance, (list, dict)) or any(isinstance(v, (list, dict)) for v in value):
        return None
    return not any(_same_scalar(v, instance) for v in value)


def _same_scalar(a: Any, b: Any) -> bool:
    """python-jsonschema's ``equal`` for two scalars: ``True`` is not ``1``, ``1.0`` is."""
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return False  # two equal booleans are the same object
    return a == b


def _pattern_fails(instance: Any, value: Any, schema: dict) -> bool | None:
    if not isinstance(instance, str):
        return False
    try:
        return re.search(value, instance) is None
    except (re.error, TypeError):
        return None


def _min_length_fails(instance: Any, value: Any, schema: dict) -> bool:
    return isinstance(instance, str) and _is_number(value) and len(instance) < value


def _bound(fails: Callable[[Any, Any], bool]) -> Callable[[Any, Any, dict], bool]:
    def check(instance: Any, value: Any, schema: dict) -> bool:
        return _is_number(instance) and _is_number(value) and fails(instance, value)  # a NaN fails no comparison

    return check


_HOLDS: dict[str, Callable[[Any, Any, dict], bool | None]] = {
    "type": _type_fails,
    "required": _required_fails,
    "additionalProperties": _unknown_fails,
    "enum": _enum_fails,
    "pattern": _pattern_fails,
    "minLength": _min_length_fails,
    "minimum": _bound(lambda i, v: i < v),
    "maximum": _bound(lambda i, v: i > v),
    "exclusiveMinimum": _bound(lambda i, v: i <= v),
    "exclusiveMaximum": _bound(lambda i, v: i >= v),
}
