"""Plain ``--help`` pages: ``-f, --format FORMAT   Output format … [default: text]``.

Typer's own help records print type names (``<list[str]>``, ``<bool>``) and
``{paths}...``, and its Rich mode reads ``[default: …]`` in a help text as
markup and drops it.  So the app renders help without Rich, and these records
are built from the public attributes of click parameters only: ``opts``,
``secondary_opts``, ``metavar``, ``is_flag``, ``help``, ``show_default`` (a
string: what the default is, e.g. "config `jobs`, else all cores"),
``required``, ``nargs``, ``multiple``, ``hidden``.
"""

from __future__ import annotations

from typing import Any


def metavar(param: Any) -> str:
    """The value's placeholder: the declared metavar (``SEL``, ``FILE``), else the name in capitals."""
    name = param.metavar or (param.name or "value").upper()
    if param.param_type_name == "argument" and (param.nargs != 1) and not name.endswith("..."):
        name += "..."
    return name


def _extra(param: Any) -> str:
    parts = []
    if isinstance(param.show_default, str) and param.show_default:
        parts.append(f"default: {param.show_default}")
    if param.param_type_name == "option" and param.multiple:
        parts.append("repeatable")
    if param.required:
        parts.append("required")
    return f"[{'; '.join(parts)}]" if parts else ""


def help_record(param: Any) -> tuple[str, str] | None:
    """(names column, help column) of one parameter, or None when it is hidden."""
    if getattr(param, "hidden", False):
        return None
    if param.param_type_name == "argument":
        names = metavar(param)
    else:
        opts = sorted(param.opts, key=lambda o: (o.startswith("--"), 0)) + list(param.secondary_opts)
        names = ", ".join(opts)
        if not param.is_flag and not getattr(param, "count", False):
            names += f" {metavar(param)}"
    text = " ".join((getattr(param, "help", None) or "").split())
    extra = _extra(param)
    return names, f"{text}  {extra}" if text and extra else text or extra


def format_params(command: Any, ctx: Any, formatter: Any) -> None:
    """The Arguments and Options sections of ``command``'s help."""
    args, opts = [], []
    for param in command.get_params(ctx):
        record = help_record(param)
        if record is not None:
            (args if param.param_type_name == "argument" else opts).append(record)
    for title, rows in (("Arguments", args), ("Options", opts)):
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)


def usage_pieces(command: Any, ctx: Any) -> list[str]:
    """``[OPTIONS] PATH...``: optional arguments in brackets, as click writes them."""
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            pieces.append(metavar(param) if param.required else f"[{metavar(param)}]")
    return pieces


def unknown_option(given: str, command: Any, ctx: Any) -> str:
    """``unknown option '--exit-zer' — did you mean '--exit-zero'?`` among ``command``'s own options."""
    from .suggest import closest

    names = [o for p in command.get_params(ctx) if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts) if o.startswith("--")]
    near = closest(given, names) if given.startswith("--") else None
    return f"unknown option {given!r}" + (f" — did you mean {near!r}?" if near else f" (`{ctx.command_path} -h` lists them)")
