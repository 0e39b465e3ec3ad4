"""Load and compile the export schema once per process (keyed by path and remote-ref policy).

A compiled fast validator (jsonschema-rs) decides validity when it is installed
and the schema has only local ``$ref``s; python-jsonschema explains the records
that fail.  Remote ``$ref``s are never fetched unless the user opts in.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator


from feedlint.api import SetupError
from feedlint.jsonfile import read_json_file


class SchemaSetupError(SetupError):
    """The schema file cannot be used; reported once, as an input error."""


@dataclass(frozen=True)
class CompiledSchema:
    explain: Callable[[Any], Iterator[Any]]
    is_valid: Callable[[Any], bool]
    record_schema: dict
    fast: Any = None  # the jsonschema-rs validator of record_schema (only local $refs, jsonschema-rs installed), else None


def remote_refs(node: Any) -> bool:
    """Whether a schema (or part of one) has a ``$ref`` beyond itself (jsonschema-rs would fetch it)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return True
        return any(remote_refs(v) for v in node.values())
    if isinstance(node, list):
        return any(remote_refs(v) for v in node)
    return False


@functools.lru_cache(maxsize=8)
def compiled(path: str, allow_remote: bool) -> CompiledSchema:
    """The schema at ``path`` (the bundled one when empty), ready to check records.

    python-jsonschema (about 0.15 s to import and to check a schema against its
    metaschema) is loaded only when needed: to vet a user's schema, when
    jsonschema-rs is missing or cannot take the schema, and to explain the
    records that fail.  The bundled schema is vetted by the test suite, so a
    clean run with it never imports python-jsonschema at all.
    """
    bundled_schema = not path
    if not path:
        from feedlint.schemas import bundled

        path = bundled()
    schema = read_json_file(path, "schema", SchemaSetupError)
    if not isinstance(schema, dict):
        raise SchemaSetupError(f"{path}: a schema must be a JSON object")

    # Records are checked against $defs/record when the schema has one (the bundled
    # schema's root describes a whole file for check-jsonschema); else the root.
    if "record" in schema.get("$defs", {}):
        record_schema = dict(schema)
        record_schema.pop("items", None)
        record_schema.pop("type", None)
        record_schema.pop("if", None)
        record_schema["$ref"] = "#/$defs/record"
    else:
        record_schema = schema

    fast = None
    if not remote_refs(schema):
        try:
            import jsonschema_rs

            fast = jsonschema_rs.validator_for(record_schema)
        except Exception:  # noqa: BLE001 - not installed, or the schema is beyond it: the reference implementation decides
            pass

    reference = functools.lru_cache(maxsize=1)(lambda: _reference_validator(schema, record_schema, path, allow_remote, vet=not bundled_schema))
    if fast is None or not bundled_schema:
        reference()  # vet the user's schema now: one clear setup error, not one per record
    is_valid = fast.is_valid if fast is not None else reference().is_valid

    def explain(instance: Any) -> Iterator[Any]:
        validator = reference()
        try:
            yield from validator.iter_errors(instance)
        except Exception as exc:  # unresolvable remote $ref and the like
            raise SchemaSetupError(f"{path}: cannot apply schema: {exc}") from None

    return CompiledSchema(explain, is_valid, record_schema, fast)


def _reference_validator(schema: dict, record_schema: dict, path: str, allow_remote: bool, vet: bool = True) -> Any:
    """A python-jsonschema validator for ``record_schema``, after checking ``schema`` itself (``vet``).

    The bundled schema is not checked again here: the test suite checks it
    against its metaschema, and checking it cost every process that explains
    a failing record (each worker) about 10 million instructions.
    """
    import jsonschema
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    if vet:
        try:
            cls.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise SchemaSetupError(f"{path}: invalid JSON Schema: {exc.message}") from None

    def retrieve(uri: str):
        if not allow_remote:
            raise NoSuchResource(ref=uri)
        import urllib.request

        with urllib.request.urlopen(uri, timeout=10) as resp:  # noqa: S310 - opt-in only
            return Resource.from_contents(json.load(resp))

    registry = Registry(retrieve=retrieve).with_resource("urn:feedlint:root", Resource.from_contents(schema, default_specification=_spec(cls)))
    return cls(record_schema, registry=registry)


def _spec(cls: Any):
    from referencing.jsonschema import specification_with

    return specification_with(cls.META_SCHEMA.get("$schema", "https://json-schema.org/draft/2020-12/schema"))
