"""Start-up of a one-record ``feedlint check`` (what pre-commit runs on every commit).

Not timed tests: they pin what makes start-up fast — modules a one-record check
must not import, and the plain parameter conversion (feedlint.cli_params) that
must answer exactly what typer's pydantic conversion answers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from enum import Enum
from pathlib import Path

import pytest
import typer.main

from feedlint import cli
from feedlint.cli_params import PlainConversion, install, installed

from conftest import base_record, export_text

ROOT = Path(__file__).resolve().parent.parent

# Imported by none of the built-in rules on a one-record check with the default config.
HEAVY = ("pydantic", "typer._adapters", "rich", "bs4", "lxml", "ftfy", "great_expectations", "pandas", "jsonschema", "importlib.metadata")


def _modules_after_check(*args: str) -> tuple[int, list[str]]:
    script = (
        "import json, sys\n"
        "from feedlint.cli import main\n"
        f"sys.argv = ['feedlint', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "sys.__stderr__.write('\\nMODULES ' + json.dumps([code, sorted(sys.modules)]) + '\\n')\n"
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    line = [ln for ln in r.stderr.splitlines() if ln.startswith("MODULES ")][-1]
    code, modules = json.loads(line[len("MODULES "):])
    return code, modules


def test_one_record_check_imports_no_heavy_module(tmp_path):
    record = base_record()
    record["content_body"] = "It&#39;s here."  # one finding, so the reporter runs too
    export = tmp_path / "one.json"
    export.write_text(export_text([record]), encoding="utf-8")
    code, modules = _modules_after_check("check", "--quiet", "--fail-on", "error", "--jobs", "1", str(export))
    assert code == 0
    assert "feedlint.rules.encoding" in modules  # the check really ran the rules
    loaded = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert loaded == []


def _all_params(command, ctx):
    params = command.get_params(ctx)
    yield command, ctx, params
    for name, sub in getattr(command, "commands", {}).items():
        yield from _all_params(sub, typer.Context(sub, parent=ctx, info_name=name))


SAMPLES = [None, (), [], ("a.json",), ("a.json", "b b.json"), "x", "", "3", "007", "-1", "+2", "1e3", " 4", "abc", "٣", "9" * 30,
           "error", "ERROR", "warning", "never", "json", "text", "auto", True, False, 5, 0, b"bytes", ("a", 1)]


def _outcome(conversion, value, param, ctx):
    try:
        out = conversion.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - the error itself is the answer compared
        return ("error", type(exc).__name__, exc.format_message() if hasattr(exc, "format_message") else str(exc))
    return ("value", type(out).__name__, out.value if isinstance(out, Enum) else out)


def test_plain_conversion_answers_what_typer_answers():
    group = typer.main.get_command(cli.app)
    root_ctx = typer.Context(group, info_name="feedlint", help_option_names=["-h", "--help"])
    checked = set()
    for command, ctx, params in _all_params(group, root_ctx):
        for param in params:
            conversion = installed(param)
            assert isinstance(conversion, PlainConversion), f"{command.name} {param.name}: converted by pydantic"
            typers = type(param).get_runtime_param(param)  # typer's own conversion (the class's method, not the installed one)
            for value in SAMPLES:
                assert _outcome(conversion, value, param, ctx) == _outcome(typers, value, param, ctx), (command.name, param.name, value)
            checked.add(conversion.kind)
    assert checked == {"str", "list-str", "int", "enum", "bool"}


def test_every_command_uses_the_plain_conversion():
    group = typer.main.get_command(cli.app)
    assert isinstance(group, cli._PlainParams)
    for name, command in group.commands.items():
        assert isinstance(command, cli._PlainParams), f"@app.command({name!r}) needs cls=_Command"


class Point:
    pass


def test_install_leaves_unknown_types_to_typer():
    def f(where: Point = typer.Option(None, parser=lambda s: Point()), ratio: float = typer.Option(1.0)):
        pass

    app = typer.Typer()
    app.command()(f)
    command = typer.main.get_command(app)
    install(command.params)
    assert {p.name: installed(p) for p in command.params if p.name in ('where', 'ratio')} == {'where': None, 'ratio': None}


def test_cli_errors_unchanged():
    r = subprocess.run([sys.executable, "-m", "feedlint", "check", "--jobs", "abc", "x.json"], capture_output=True, text=True, cwd=ROOT, env={"NO_COLOR": "1", "PATH": "", "COLUMNS": "200"})
    assert r.returncode == 2
    assert "Invalid value for '--jobs' / '-j': Input should be a valid integer" in r.stderr
    r = subprocess.run([sys.executable, "-m", "feedlint", "check", "--fail-on", "ERROR", "x.json"], capture_output=True, text=True, cwd=ROOT, env={"NO_COLOR": "1", "PATH": "", "COLUMNS": "200"})
    assert r.returncode == 2
    assert "'ERROR' is not one of 'error', 'warning', 'note', 'never'" in r.stderr


@pytest.mark.parametrize("group", ["feedlint.rules", "feedlint.reporters", "console_scripts", "pytest11", "no.such.group"])
def test_entry_points_match_importlib_metadata(group):
    from importlib.metadata import entry_points as scan

    from feedlint.entry_points import entry_points

    assert sorted((e.name, e.value) for e in entry_points(group)) == sorted((e.name, e.value) for e in scan(group=group))


def test_entry_point_search_sees_a_distribution_on_sys_path(tmp_path, monkeypatch):
    from feedlint.entry_points import entry_points, might_declare

    assert not might_declare("feedlint.rules.test-only")
    info = tmp_path / "demo_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[feedlint.rules.test-only]\ndemo = demo_plugin:RULES\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert might_declare("feedlint.rules.test-only")
    assert [(e.name, e.value) for e in entry_points("feedlint.rules.test-only")] == [("demo", "demo_plugin:RULES")]


@pytest.mark.parametrize("extra", [[], ["--diff"]])
def test_records_are_read_with_the_cycle_collector_on(tmp_path, monkeypatch, extra):
    """main() turns the collector off for start-up only: the fix stage and the checks read records with it on."""
    import gc

    from feedlint import engine
    from feedlint.fixing import command

    export = tmp_path / "one.json"
    export.write_text(export_text([base_record()]), encoding="utf-8")
    seen = []

    def noting(read):
        def reading(*args, **kwargs):
            seen.append(gc.isenabled())
            return read(*args, **kwargs)
        return reading

    monkeypatch.setattr(engine.Engine, "run_batches", noting(engine.Engine.run_batches))  # what the check command reads findings with
    monkeypatch.setattr(command, "repair_all", noting(command.repair_all))
    monkeypatch.setattr(sys, "argv", ["feedlint", "check", "--quiet", "--jobs", "1", *extra, str(export)])
    was_enabled = gc.isenabled()
    try:
        with pytest.raises(SystemExit):
            cli.main()
    finally:
        gc.unfreeze()
        (gc.enable if was_enabled else gc.disable)()
    assert seen and all(seen)


def test_console_script_imports_feedlint_with_the_collector_off():
    """The installed ``feedlint`` script's entry point turns the collector off before typer and feedlint.cli are imported."""
    script = (
        "import gc, sys\n"
        "from importlib.metadata import entry_points\n"
        "seen = {}\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name in ('typer', 'feedlint.cli') and name not in seen:\n"
        "            seen[name] = gc.isenabled()\n"
        "        return None\n"
        "sys.meta_path.insert(0, Watch())\n"
        "(ep,) = [e for e in entry_points(group='console_scripts') if e.name == 'feedlint']\n"
        "run = ep.load()\n"
        "sys.argv = ['feedlint', '--version']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "print(sorted(seen.items()))\n"
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.stdout.splitlines()[-1] == "[('feedlint.cli', False), ('typer', False)]", r.stdout + r.stderr


def test_what_is_alive_at_exit_is_frozen(monkeypatch):
    """main() freezes what is left when it returns: the interpreter's final collections would scan all of it (44 M instructions, 3.5% of a parallel run's main process)."""
    import gc

    monkeypatch.setattr(sys, "argv", ["feedlint", "--version"])
    was_enabled = gc.isenabled()
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit):
            cli.main()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        (gc.enable if was_enabled else gc.disable)()
