"""Command-line values of plain types (str, list of str, int, Enum) converted without pydantic.

Typer 0.29 converts every non-flag parameter through a pydantic ``TypeAdapter``
built on first use: importing pydantic and building the adapters costs
60-90 ms, a third of a one-record ``feedlint check`` that pre-commit runs on
every commit.  For the values our commands take (a path, a list of paths, a
digit string, an exact choice) the result is obvious, so it is computed here;
anything else (``--jobs abc``, ``--fail-on ERROR``) goes to typer's own
converter, so the result and every error message stay typer's.
tests/test_startup.py holds both to the same answers for every parameter.

Only public names are used: a parameter's ``type_descriptor`` and its
``get_runtime_param()`` method, which :func:`install` shadows on the instance;
typer's own conversion (the fallback) is the original method's answer.  Typer
has no public hook for this (no converter argument that bypasses its pydantic
``RuntimeParam``; ``parser=`` still builds a ``TypeAdapter``).  If a typer
release renames these, :func:`install` leaves the parameters alone and typer
converts everything as before, only slower.
"""

from __future__ import annotations

import typing
from enum import Enum
from typing import Any

_UNHANDLED = object()


def _kind(annotation: Any) -> str | None:
    """The plain kind of a parameter annotation, or None when typer must convert it."""
    if annotation is str:
        return "str"
    if annotation is int:
        return "int"
    if annotation is bool:
        return "bool"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "enum"
    if typing.get_origin(annotation) is list and typing.get_args(annotation) == (str,):
        return "list-str"
    return None


class PlainConversion:
    """Stands in for typer's ``RuntimeParam`` of one parameter (only ``coerce`` is used)."""

    def __init__(self, descriptor: Any, kind: str, typers: Any = None) -> None:
        self.descriptor = descriptor
        self.kind = kind
        self.typers = typers  # the parameter's own get_runtime_param: typer's conversion, built on first use
        self._typer: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:  # typer's RuntimeParam.coerce answers None before converting
            return () if (param.multiple or param.nargs == -1) else None
        result = self._plain(value, ctx)
        if result is _UNHANDLED:
            return self._typer_conversion().coerce(value, param=param, ctx=ctx)
        return result

    def _plain(self, value: Any, ctx: Any) -> Any:
        kind = self.kind
        if kind == "str":
            return value if type(value) is str else _UNHANDLED
        if kind == "list-str":
            if type(value) in (list, tuple) and all(type(v) is str for v in value):
                return list(value)
            return _UNHANDLED
        if kind == "bool":
            return value if type(value) is bool else _UNHANDLED
        if kind == "int":
            if type(value) is int:
                return value
            if type(value) is str and value.isascii() and value.isdigit() and len(value) < 19:
                return int(value)
            return _UNHANDLED
        # enum: an exact, case-sensitive choice; typer normalises anything else
        enum = self.descriptor.annotation
        if type(value) is enum:
            return value
        if type(value) is str and getattr(ctx, "token_normalize_func", None) is None:
            for member in enum:
                if str(member.value) == value:
                    return member
        return _UNHANDLED

    def _typer_conversion(self) -> Any:
        if self._typer is None:
            self._typer = self.typers()
        return self._typer


def plain_conversion(param: Any) -> PlainConversion | None:
    """The plain conversion for a typer parameter, or None when typer's own must be used."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not callable(getattr(param, "get_runtime_param", None)):
        return None
    info = getattr(descriptor, "parameter_info", None)
    if info is None or getattr(descriptor, "file_annotation", None) is not None:
        return None
    if getattr(info, "parser", None) is not None or getattr(info, "min", None) is not None or getattr(info, "max", None) is not None:
        return None
    if not getattr(info, "case_sensitive", True):
        return None
    kind = _kind(descriptor.annotation)
    return PlainConversion(descriptor, kind, param.get_runtime_param) if kind else None


def installed(param: Any) -> PlainConversion | None:
    """The plain conversion :func:`install` gave ``param``, or None."""
    own = vars(param).get("get_runtime_param")
    return own() if own is not None else None


def install(params: list) -> list:
    """Give each plain typer parameter in ``params`` the plain conversion (once); returns ``params``."""
    for param in params:
        if "get_runtime_param" not in vars(param):
            conversion = plain_conversion(param)
            if conversion is not None:
                param.get_runtime_param = lambda conversion=conversion: conversion
    return params
