"""Render a rule's documentation for ``feedlint explain`` (and the generated rules catalogue)."""

from __future__ import annotations

import json
from pathlib import Path

from .api import Example, Rule

# Bundled files (the example expectation suite) are shown relative to where the packages
# are installed, so the generated catalogue does not depend on the checkout's location.
_INSTALL_ROOT = str(Path(__file__).resolve().parents[1]) + "/"


def _portable(value: object) -> object:
    """An option value with absolute paths into the installed packages made relative."""
    if isinstance(value, str) and value.startswith(_INSTALL_ROOT):
        return value[len(_INSTALL_ROOT):]
    if isinstance(value, list):
        return [_portable(v) for v in value]
    return value


def _example_text(record: object) -> str:
    if isinstance(record, str):
        return record
    return json.dumps(record, ensure_ascii=False, indent=2)


def describe_example(ex: Example) -> tuple[str, str | None]:
    """What an example is, in words, and the data to show under them (None when the words say it all).

    A cms example is a partial record merged over a complete, valid one (minus
    ``remove``), so ``{}`` alone would say nothing: the words name what changes.
    """
    if isinstance(ex.record, str):  # an article's text, shown as it is
        return "", ex.record
    options = ", ".join(f"{name} = {json.dumps(_portable(value), ensure_ascii=False)}" for name, value in ex.options.items())
    lead = f"With the option{'s' if len(ex.options) > 1 else ''} {options}: " if options else ""
    many = isinstance(ex.record, list)
    changed = any(ex.record) if many else bool(ex.record)
    what = f"{len(ex.record)} complete records" if many else "a complete record"
    if ex.remove:
        what += " without " + ", ".join(f'"{k}"' for k in ex.remove)
    if not changed:
        return f"{lead}{what}{'' if ex.remove else ', every field present and valid'}.", None
    return f"{lead}{what}{',' if ex.remove else ''} with {'these fields (one object per record)' if many else 'these fields'}:", _example_text(ex.record)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def fixed_example(rule: Rule, record: object) -> tuple[object, list[str]] | None:
    """A bad example's record after the rule's own fixes (applied until none is left), and what each did; None without a fix.

    The example is checked as it stands (the partial record shown), with the
    rule's default options; this is what ``check --fix`` does to those values.
    """
    if rule.scope != "record" or not isinstance(record, dict):
        return None
    import copy

    from .model import Record
    from .reader.locate import split_pointer

    fixed, said = copy.deepcopy(record), []
    for _ in range(10):
        done: set[str] = set()
        try:
            hits = list(rule.check(Record(fixed), rule.defaults))
        except Exception:  # noqa: BLE001 - an example the rule cannot take alone: shown without its fix
            return None
        for hit in hits:
            if hit.fix is None or hit.pointer in done or not hit.pointer:
                continue
            *parents, last = split_pointer(hit.pointer)
            target = fixed
            for token in parents:
                target = target[int(token)] if isinstance(target, list) else target[token]
            target[int(last) if isinstance(target, list) else last] = hit.fix.replacement
            done.add(hit.pointer)
            applicability = getattr(hit.fix, "applicability", "safe")
            said.append(hit.fix.description + (" (unsafe: applied with --unsafe-fixes)" if applicability == "unsafe" else ""))
        if not done:
            break
    return (fixed, said) if said else None


def render_explanation(rule: Rule, markdown: bool = False) -> str:
    h = "## " if markdown else ""
    lines = [f"{h}{rule.id} {rule.name}", "", f"Default severity: {rule.severity}. Applies to: {', '.join(rule.kinds)} records ({rule.scope} scope).", "", rule.doc, ""]
    if rule.options:
        lines.append("Options:")
        for o in rule.options:
            at_least = f", at least {o.minimum:g}" if o.minimum is not None else ""
            lines.append(f"  - {o.name} (default {o.default!r}{at_least}): {o.help}")
        lines.append("")
    for kind in ("bad", "good"):
        ex = next((e for e in rule.examples if e.kind == kind), None)
        if ex is None:
            continue
        label = "Bad (reported)" if kind == "bad" else "Good (not reported)"
        lines.append(f"{label}{': ' + ex.title if ex.title else ''}")
        words, body = describe_example(ex)
        if markdown:
            if words:
                lines += ["", _capitalised(words)]
            if body is not None:
                lines += ["", "```", *body.splitlines(), "```"]
        else:
            if words:
                lines.append("    " + _capitalised(words))
            if body is not None:
                lines += ["", *("    " + ln for ln in body.splitlines())]
        fixed = fixed_example(rule, ex.record) if kind == "bad" else None
        if fixed is not None:
            lines.append("Fixed by `feedlint check --fix`: " + "; ".join(dict.fromkeys(fixed[1])))
            lines.append("```" if markdown else "")
            lines.extend(("    " if not markdown else "") + ln for ln in _example_text(fixed[0]).splitlines())
            lines.append("```" if markdown else "")
        if lines[-1]:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
