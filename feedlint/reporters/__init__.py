"""Output formats are plugins: built-ins by name, others from the ``feedlint.reporters`` entry points.

Built-ins are resolved without scanning entry points, which keeps start-up fast.
"""

from __future__ import annotations

import importlib
import importlib.util

from ..entry_points import entry_points

BUILTIN = {
    "text": "feedlint.reporters.text:TextReporter",
    "json": "feedlint.reporters.jsonfmt:JsonReporter",
    "json-report": "feedlint.reporters.jsonreport:JsonReportReporter",
    "sarif": "feedlint.reporters.sarif:SarifReporter",
    "github": "feedlint.reporters.github:GithubReporter",
    "junit": "feedlint.reporters.junit:JunitReporter",
    "gitlab": "feedlint.reporters.gitlab:GitlabReporter",
}
ENTRY_POINT_GROUP = "feedlint.reporters"


class UnknownFormat(ValueError):
    pass


def _load(spec: str):
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def available() -> list[str]:
    names = [n for n, spec in BUILTIN.items() if importlib.util.find_spec(spec.partition(":")[0]) is not None]
    names += [ep.name for ep in entry_points(ENTRY_POINT_GROUP) if ep.name not in BUILTIN]
    return names


def reporter_class(name: str):
    if name in BUILTIN:
        try:
            return _load(BUILTIN[name])
        except ModuleNotFoundError:
            pass
    for ep in entry_points(ENTRY_POINT_GROUP):
        if ep.name == name:
            return ep.load()
    from ..suggest import closest

    names = available()
    near = closest(name, names)
    raise UnknownFormat(f"unknown output format {name!r}{f' — did you mean {near!r}?' if near else ''} (available: {', '.join(names)})")
