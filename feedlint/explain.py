"""Render a rule's documentation for ``feedlint explain`` (and the generated rules catalogue)."""

from __future__ import annotations

import json

from .api import Rule


def _example_text(record: object) -> str:
    if isinstance(record, str):
        return record
    return json.dumps(record, ensure_ascii=False, indent=2)


def render_explanation(rule: Rule, markdown: bool = False) -> str:
    h = "## " if markdown else ""
    lines = [f"{h}{rule.id} {rule.name}", "", f"Default severity: {rule.severity}. Applies to: {', '.join(rule.kinds)} records ({rule.scope} scope).", "", rule.doc, ""]
    if rule.options:
        lines.append("Options:")
        for o in rule.options:
            lines.append(f"  - {o.name} (default {o.default!r}): {o.help}")
        lines.append("")
    for kind in ("bad", "good"):
        ex = next((e for e in rule.examples if e.kind == kind), None)
        if ex is None:
            continue
        label = "Bad (reported)" if kind == "bad" else "Good (not reported)"
        lines.append(f"{label}{': ' + ex.title if ex.title else ''}")
        body = _example_text(ex.record)
        lines.append("```" if markdown else "")
        lines.extend(("    " if not markdown else "") + ln for ln in body.splitlines())
        lines.append("```" if markdown else "")
    return "\n".join(lines).rstrip() + "\n"
