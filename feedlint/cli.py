"""Command line: ``feedlint check``, ``feedlint rules``, ``feedlint explain``.

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings; 2 usage, config
or input error (or a rule crashed).  Heavy libraries are imported only by the
rules that need them, so ``feedlint check`` on one record starts fast.
"""

# No ``from __future__ import annotations`` here: typer reads the commands' signatures
# at every start, and string annotations it would have to eval() one by one (13 million
# instructions, 2% of a one-record check).
import contextlib
import gc
import os
import sys
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .cli_params import install as install_plain_conversion
from .severity import RANK as SEVERITY_RANK


class _PlainParams:
    """Typer's group or command, converting plain parameter values without pydantic (see cli_params)
    and writing plain help pages (see cli_help)."""

    def get_params(self, ctx):
        return install_plain_conversion(super().get_params(ctx))

    def format_options(self, ctx, formatter) -> None:
        from .cli_help import format_params

        format_params(self, ctx, formatter)
        if hasattr(self, "format_commands"):
            self.format_commands(ctx, formatter)

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:  # click's NoSuchOption: worded as every other unknown name (feedlint.suggest)
            if hasattr(exc, "possibilities") and getattr(exc, "option_name", None) and hasattr(exc, "message"):
                from .cli_help import unknown_option

                exc.message = unknown_option(exc.option_name, self, ctx)
                exc.possibilities = None  # named in the message already
            raise


class _Group(_PlainParams, typer.core.TyperGroup):
    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:  # click's "No such command": the same wording as an unknown option
            if args and args[0] not in self.commands and not args[0].startswith("-") and hasattr(exc, "message"):
                from .suggest import unknown

                exc.message = unknown("command", args[0], self.commands, sort=False)
            raise


class _Command(_PlainParams, typer.core.TyperCommand):
    def collect_usage_pieces(self, ctx) -> list:
        from .cli_help import usage_pieces

        return usage_pieces(self, ctx)


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    help="feedlint: a data-quality linter for news-CMS feed exports.",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_RANK = {**SEVERITY_RANK, "never": 99}


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    note = "note"
    never = "never"


class InputFormat(str, Enum):
    auto = "auto"
    json = "json"
    text = "text"


def _die(message: str) -> "typer.Exit":
    sys.stderr.write(f"feedlint: error: {message}\n")
    return typer.Exit(EXIT_ERROR)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"feedlint {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """feedlint: a data-quality linter for news-CMS feed exports."""


def _split(values: Optional[List[str]]) -> Optional[List[str]]:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _load(config_path: Optional[str]):
    from .config import ConfigError, load_config
    from .registry import load_catalogue

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise _die(str(exc))
    catalogue = load_catalogue()
    for warning in catalogue.warnings:
        sys.stderr.write(f"feedlint: warning: {warning}\n")
    return config, catalogue


def _tuning(cfg, tune: Optional[List[str]] = None):
    """The run's tuning (``feedlint.tuning.resolve``: --tune > config [tuning] > FEEDLINT_* > defaults); a bad env value is a warning."""
    from .tuning import TuningError, resolve

    try:
        resolved = resolve(tune or (), cfg.get("tuning"), os.environ, str(cfg.path) if cfg.path else "config")
    except TuningError as exc:
        raise _die(str(exc))
    for warning in resolved.warnings:
        sys.stderr.write(f"feedlint: warning: {warning}\n")
    return resolved


def _plan(cfg, catalogue, select, ignore, schema, input_format, media_root=None, expectations=None, data_docs=None, profile=None, tuning=None):
    """The run's plan from config and command line; shared by ``check`` and ``baseline``."""
    from .config import ConfigError
    from .planning import Choices, build_plan

    if schema is not None and not Path(schema).is_file():
        raise _die(f"{schema}: schema file not found")
    if media_root is not None and not Path(media_root).is_dir():
        raise _die(f"{media_root}: media root is not a directory")
    try:
        return build_plan(
            catalogue,
            cfg,
            Choices(
                select=_split(select),
                ignore=_split(ignore),
                shared={"schema": os.path.abspath(schema) if schema else None, "media-root": os.path.abspath(media_root) if media_root else None,
                        "expectations": [os.path.abspath(p) for p in expectations] if expectations else None,
                        "data-docs": os.path.abspath(data_docs) if data_docs else None},
                input_format=input_format.value if input_format else None,
                profile=profile,
                tuning=(tuning or _tuning(cfg)).tuning,
            ),
        )
    except ConfigError as exc:
        raise _die(str(exc))


def _check_expectations(plan) -> None:
    """Unreadable or malformed --expectations files, or --data-docs without GX: one clear error before any work."""
    dataset = [a for a in plan.rules if a.rule.scope == "dataset"]
    if any(a.options.get("data-docs") for a in dataset):
        import importlib.util

        if importlib.util.find_spec("great_expectations") is None:
            raise _die("--data-docs needs Great Expectations: pip install 'feedlint[dataset]'")
    files = sorted({str(p) for a in dataset for p in a.options.get("expectations", ())})
    if not files:
        return
    from .rules._suite import SuiteFileError, load_suite_file

    for path in files:
        try:
            load_suite_file(path)
        except SuiteFileError as exc:
            raise _die(str(exc))


def _jobs(given: Optional[int], cfg) -> int:
    """Worker processes: --jobs, else config ``jobs``; 0 (the default) means every core."""
    from .workers import resolve_jobs

    value = given if given is not None else cfg.get("jobs", 0)
    if value < 0:
        raise _die(f"--jobs must be 0 (all cores) or more, got {value}")
    return resolve_jobs(value)


def _progress(quiet: bool, output: Optional[str]):
    if quiet or not sys.stderr.isatty():
        return None
    from .progress import ProgressBar, progress_wanted

    return ProgressBar() if progress_wanted(quiet, output) else None


def _input_files(paths: List[str]) -> List[str]:
    """The files to read; directories that hold no export are a usage error, never a silent pass."""
    from .reader.sources import EXPORT_SUFFIXES, expand_paths

    files = expand_paths(paths)
    if not files:
        patterns = ", ".join("*" + s for s in EXPORT_SUFFIXES)
        raise _die(f"no export files found in {', '.join(paths)} (directories are searched for {patterns}; name other files, such as .txt articles, explicitly)")
    return files


def _report_problems(engine, quiet: bool, notices=()) -> bool:
    """Input errors, rule setup errors and crashes on stderr; True when there were any (exit 2)."""
    for err in engine.errors:
        sys.stderr.write(f"{err.stderr_line()}\n")
    for msg in engine.setup_errors:
        sys.stderr.write(f"feedlint: error: {msg}\n")
    for msg in engine.internal_errors:
        sys.stderr.write(f"feedlint: internal error: {msg}\n")
    if not quiet:
        for note in notices:
            sys.stderr.write(f"feedlint: note: {note}\n")
    return engine.incomplete


CONFIG_DEFAULT = "nearest feedlint.toml, .feedlint.toml or pyproject.toml with [tool.feedlint]"


@app.command(cls=_Command, short_help="Check exports and report findings (and fix them: --fix, --diff).")
def check(
    ctx: typer.Context,
    paths: Optional[List[str]] = typer.Argument(None, metavar="PATH", help="Export files or directories (recursing into *.json, *.jsonl, *.ndjson, *.gz); '-' reads stdin. Name other files, such as .txt articles, explicitly. Required, except with --show-settings."),
    format: Optional[str] = typer.Option(None, "--format", "--output-format", "-f", metavar="FORMAT", show_default="config `format`, else text", help="Output format: text, json, json-report (findings and summary), sarif, github, junit, gitlab (or a plugin's)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE", show_default="stdout", help="Write the report to FILE (atomically) instead of stdout."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="SEL", show_default="config `select`, else ALL", help="Rules to run: ids (FL201), prefixes (FL2), names or ALL, in any case; comma-separated or repeated."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="SEL", help="Rules not to run (added to the config's ignore); selectors as for --select."),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", metavar="[error|warning|note|never]", show_default="config `fail-on`, else warning", help="Lowest severity that makes the exit code 1."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when there are findings (still 2 on input, config or usage errors)."),
    config: Optional[str] = typer.Option(None, "--config", metavar="FILE", show_default=CONFIG_DEFAULT, help="Config file."),
    schema: Optional[str] = typer.Option(None, "--schema", metavar="FILE", show_default="the bundled CMS export schema", help="JSON Schema file replacing the bundled one."),
    input_format: Optional[InputFormat] = typer.Option(None, "--input-format", metavar="[auto|json|text]", show_default="auto", help="Force the input layout instead of sniffing it."),
    statistics: bool = typer.Option(False, "--statistics", help="Show a count per rule (on stderr for the machine formats)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only findings and errors; no summary or notices."),
    no_color: bool = typer.Option(False, "--no-color", help="Never colour text output (as does a non-empty NO_COLOR; a non-empty FORCE_COLOR colours it even when not a terminal)."),
    baseline: Optional[str] = typer.Option(None, "--baseline", metavar="FILE", show_default="config `baseline`", help="Report only findings not recorded in this baseline file (see `feedlint baseline`)."),
    media_root: Optional[str] = typer.Option(None, "--media-root", metavar="DIR", help="Directory the attachment paths are resolved against: referenced files must exist under it (FL512, FL513, FL514)."),
    expectations: Optional[List[str]] = typer.Option(None, "--expectations", metavar="FILE", help="Extra Great Expectations suite file (JSON) for the dataset checks (FL6xx)."),
    data_docs: Optional[str] = typer.Option(None, "--data-docs", metavar="DIR", help="Write Great Expectations HTML Data Docs of the dataset checks to DIR."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="N", show_default="config `jobs`, else all cores", help="Worker processes for the record checks; 1 = none."),
    fix: bool = typer.Option(False, "--fix", help="Apply the safe fixes to the files in place (atomically), then report what is left; stdin: the repaired document goes to stdout."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply the fixes marked unsafe (a guess at the intent)."),
    diff: bool = typer.Option(False, "--diff", help="Show what --fix would change and write nothing (unified diff; --format json-patch: one JSON Patch per record); exit 1 when there is something to fix."),
    show_fixes: bool = typer.Option(False, "--show-fixes", help="List each fix applied (on stderr)."),
    allow_no_records: bool = typer.Option(False, "--allow-no-records", help="Pass a run that checked no record at all (every input skipped or empty); otherwise it exits 2."),
    profile: Optional[str] = typer.Option(None, "--profile", metavar="NAME", show_default="detected per file", help="Read every file with this profile (cms, wordpress, ghost, jsonfeed or one of the config's) instead of detecting it."),
    show_settings: bool = typer.Option(False, "--show-settings", help="Print the resolved settings (config file, rules and their options, profile, tuning) and exit 0 without checking."),
    engine_name: Optional[str] = typer.Option(None, "--engine", metavar="NAME", show_default="config `engine`, else local", help="Where the record checks run: local (this machine's cores) or spark (Spark executors; pip install 'feedlint[spark]')."),
    spark_master: Optional[str] = typer.Option(None, "--spark-master", metavar="URL", show_default="config `spark-master`, else spark-submit's, else local[*]", help="Spark master URL for --engine spark."),
    tune: Optional[List[str]] = typer.Option(None, "--tune", metavar="NAME=VALUE", show_default="config [tuning], else FEEDLINT_* variables, else defaults", help="Set a tuning knob (how checks are spread over workers, never what they find), e.g. range-bytes=1048576; repeatable. Knobs: docs/performance.md, --show-settings."),
) -> None:
    """Check exports and report findings (and fix them: --fix, --diff)."""
    from .output import atomic_text_writer
    from .reader.sources import display_path
    from .reporters import UnknownFormat, reporter_class
    from .reporters.base import RunInfo, Summary
    from .packed import count_findings

    cfg, catalogue = _load(config)
    tuning = _tuning(cfg, tune)
    plan = _plan(cfg, catalogue, select, ignore, schema, input_format, media_root, expectations, data_docs, profile, tuning)
    _check_expectations(plan)
    baseline_path = baseline or (cfg.resolve_path(cfg.get("baseline")) if cfg.get("baseline") else None)
    fmt = format or cfg.get("format", "text")
    try:
        reporter_cls = reporter_class("text" if diff and fmt == "json-patch" else fmt)
    except UnknownFormat as exc:
        raise _die(str(exc))
    if fmt == "json-patch" and not diff:
        raise _die("--format json-patch needs --diff (the JSON Patches of what --fix would change)")
    fail = (fail_on.value if fail_on else None) or cfg.get("fail-on", "warning")
    if show_settings:
        from .settings_view import render_settings

        run = {"format": fmt, "fail-on": fail, "exit-zero": exit_zero, "jobs": _jobs(jobs, cfg), "baseline": baseline_path,
               "allow-no-records": allow_no_records or cfg.get("allow-no-records", False),
               "select": _split(select) or cfg.get("select"), "ignore": list(cfg.get("ignore", [])) + (_split(ignore) or []),
               "tuning-origins": tuning.origins}
        typer.echo(render_settings(cfg, plan, run, catalogue))
        raise typer.Exit(EXIT_OK)
    if not paths:
        ctx.fail("Missing argument 'PATH...' (files or directories to check).")
    try:
        base = None
        if baseline_path:
            from .baseline import BaselineError, describe, load_baseline  # not imported by runs without one

            base = load_baseline(baseline_path)
    except BaselineError as exc:
        raise _die(str(exc))
    if not plan.rules:
        sys.stderr.write("feedlint: warning: no rule selected (the --select/--ignore options and the config leave none): nothing will be checked\n")

    files = _input_files(paths)
    _collect_from_here()  # the fix stage and the checks read records
    displays = [display_path(p) for p in files]
    temps: List[str] = []
    report_to_stderr = False
    inline = None  # --fix on files: repaired and reported in one pass
    if (fix or unsafe_fixes) and not diff and "-" not in files and (engine_name or cfg.get("engine", "local")) == "local":
        from .fixing.command import inline_fixer
        from .selection import SelectorError

        try:
            inline = inline_fixer(cfg, catalogue, _plan(cfg, catalogue, ["FL1"], None, schema, input_format), unsafe=unsafe_fixes, keep_fixes=reporter_cls.uses_fixes)
        except SelectorError as exc:
            raise _die(str(exc))
    elif fix or diff or unsafe_fixes:
        from .fixing.command import fix_stage
        from .selection import SelectorError

        try:
            done, files, temps = fix_stage(cfg, catalogue, plan, _plan(cfg, catalogue, ["FL1"], None, schema, input_format), files, displays,
                                           fix=fix or unsafe_fixes, diff=diff, fmt=fmt, show=show_fixes, unsafe=unsafe_fixes, quiet=quiet)
        except SelectorError as exc:
            raise _die(str(exc))
        if done is not None:
            raise typer.Exit(EXIT_OK if exit_zero and done == EXIT_FINDINGS else done)
        report_to_stderr = bool(temps) and output is None  # stdout carries the repaired document
    if inline is not None:
        from .engine import Engine

        engine = Engine(plan, keep_fixes=True, in_position_order=fmt == "text", executor=inline)
    else:
        engine = _engine(engine_name, spark_master, cfg, plan, jobs, keep_fixes=reporter_cls.uses_fixes, in_position_order=fmt == "text")  # dataset findings in place (docs/dataset.md)
    engine.progress = _progress(quiet, output)
    color = fmt == "text" and output is None and not no_color and use_color(sys.stdout, os.environ)
    info = RunInfo(__version__, plan.rules, displays, os.getcwd(), color, statistics, quiet, fail, profile_of=engine.profile_of, id_name_of=engine.id_name_of)
    by_rule: Counter = Counter()
    by_sev: Counter = Counter()
    try:
        with (contextlib.nullcontext(sys.stderr) if report_to_stderr else atomic_text_writer(output)) as stream:
            reporter = reporter_cls(stream)
            reporter.start(info)
            if hasattr(engine.executor, "expect"):  # the Spark executor plans and starts every input's tasks first
                engine.executor.expect(files, displays, reporter_cls.uses_fixes)
            for findings in engine.run_batches(files, displays):  # a list at a time: per finding, only the reporter's work
                if base:
                    findings = list(base.filter(findings))
                count_findings(findings, by_rule, by_sev)
                reporter.handle_many(findings)
            failing = any(SEVERITY_RANK[severity] >= FAIL_RANK[fail] for severity in by_sev)
            errors = engine.errors
            no_records = None if allow_no_records or cfg.get("allow-no-records", False) else _no_records_reason(engine)
            code = EXIT_ERROR if engine.incomplete or no_records else (EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)
            unused = [f"unused suppression ({s.describe()}): {s.reason}" for s in engine.unused_suppressions()]
            stale = base.stale(displays, [a.rule.id for a in plan.rules]) if base else []
            stale_notes = [f"stale baseline entry (no longer found): {describe(e)}" for e in stale]
            notices = list(engine.notices) + unused + stale_notes
            extra = {"names": {a.rule.id: a.rule.name for a in plan.rules}, "suppressed": engine.stats.suppressed,
                     "setup_errors": list(engine.setup_errors), "unused_suppressions": unused}
            if base:
                extra.update(baseline={"path": base.path, "matched": base.matched, "stale": len(stale)}, stale_entries=stale, stale_notes=stale_notes)
            summary = Summary(
                engine.stats.files,
                engine.stats.records,
                by_rule,
                by_sev,
                errors,
                notices,
                engine.internal_errors,
                code,
                extra,
                skipped=list(engine.skipped),
                unreadable=engine.stats.unreadable_files,
                no_records=no_records,
                no_rules=not plan.rules,
                profiles=engine.profiles(),
            )
            reporter.finish(summary)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except OSError as exc:
        raise _die(f"{output}: cannot write report: {exc.strerror or exc}")
    finally:
        if engine.progress is not None:
            engine.progress.close()
        if hasattr(engine.executor, "shutdown"):  # the Spark session, kept for the dataset stage
            engine.executor.shutdown()
        for name in temps:
            os.unlink(name)
    if inline is not None and (not quiet or show_fixes):
        from .fixing.command import FixRun, describe_fixes

        describe_fixes(FixRun(repairs=inline.repairs), sys.stderr, show_fixes, unsafe_fixes)
    _report_problems(engine, quiet, notices)
    _report_skips(engine, said=fmt == "text" and output is None and not quiet)
    if statistics and not quiet and not getattr(reporter_cls, "shows_statistics", False):
        _statistics_to_stderr(summary, fmt)
    if no_records:
        sys.stderr.write(f"feedlint: error: {no_records}\n")
    raise typer.Exit(code)


ENGINES = ("local", "spark")


def _engine(name: Optional[str], master: Optional[str], cfg, plan, jobs: Optional[int], keep_fixes: bool, in_position_order: bool):
    """The local engine, or the Spark engine with its session started (a Spark that cannot start is exit 2 before any output)."""
    name = name or cfg.get("engine", "local")
    if name not in ENGINES:
        raise _die(f"unknown engine {name!r} (known: {', '.join(ENGINES)})")
    if name != "spark":
        if master:
            raise _die("--spark-master needs --engine spark")
        from .engine import Engine

        return Engine(plan, _jobs(jobs, cfg), keep_fixes=keep_fixes, in_position_order=in_position_order)
    from .engine import Engine
    from .spark.executor import SparkExecutor
    from .spark.session import SparkUnavailable

    executor = SparkExecutor(plan, master or cfg.get("spark-master"))
    try:
        executor.open()
    except SparkUnavailable as exc:
        raise _die(str(exc))
    from .spark.evaluator import SparkEvaluator

    table = executor.fact_table()  # the fact rows stay in Spark; the dataset rules aggregate them there (docs/spark.md)
    engine = Engine(plan, keep_fixes=keep_fixes, in_position_order=in_position_order, executor=executor, table=table, dataset_evaluator=SparkEvaluator(table))
    executor.notices = engine.notices
    executor.keep_session = True  # the dataset stage runs in the session too; check() ends it
    return engine


def _no_records_reason(engine) -> str | None:
    """Why a run that checked no record at all is not a pass (None: it checked some, or already failed)."""
    if engine.stats.records or engine.incomplete:
        return None  # an unreadable input or a broken rule already makes it exit 2, with its own message
    skipped, empty = len(engine.skipped), engine.stats.files
    why = ", ".join(
        part for part in (
            f"{skipped} input{'s' if skipped != 1 else ''} skipped" if skipped else "",
            f"{empty} file{'s' if empty != 1 else ''} without records" if empty else "",
        ) if part
    )
    return f"no record was checked ({why}); pass --allow-no-records (config allow-no-records = true) if that is expected"


def use_color(stream, environ) -> bool:
    """Colour for a text report on ``stream``, as no-color.org and force-color.org say.

    A non-empty ``NO_COLOR`` turns it off; else a non-empty ``FORCE_COLOR``
    turns it on even when the stream is not a terminal (CI logs, ``| less -R``);
    else colour only on a terminal.  An empty variable counts as unset.
    """
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _statistics_to_stderr(summary, fmt: str) -> None:
    """--statistics with a format that has no place for them: say so, and give the counts on stderr."""
    from .reporters.base import statistics_lines

    sys.stderr.write(f"feedlint: note: --statistics with --format {fmt}: the counts per rule are written to stderr (stdout holds only the {fmt} report)\n")
    lines = statistics_lines(summary)
    for line in lines or ["no findings"]:
        sys.stderr.write(line + "\n")


def _report_skips(engine, said: bool) -> None:
    """Skipped inputs on stderr, unless the text report on the terminal already listed them."""
    if not said:
        for skipped in engine.skipped:
            sys.stderr.write(f"feedlint: warning: {skipped}\n")


@app.command("baseline", cls=_Command, short_help="Record the current findings so `check --baseline FILE` fails only on new ones.")
def make_baseline(
    paths: List[str] = typer.Argument(..., metavar="PATH", help="Export files or directories, as for `check`."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE", show_default="config `baseline`, else .feedlint-baseline.json", help="Baseline file to write."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="SEL", show_default="config `select`, else ALL", help="Rules to run, as for `check`."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="SEL", help="Rules not to run, as for `check`."),
    config: Optional[str] = typer.Option(None, "--config", metavar="FILE", show_default=CONFIG_DEFAULT, help="Config file."),
    schema: Optional[str] = typer.Option(None, "--schema", metavar="FILE", show_default="the bundled CMS export schema", help="JSON Schema file replacing the bundled one."),
    input_format: Optional[InputFormat] = typer.Option(None, "--input-format", metavar="[auto|json|text]", show_default="auto", help="Force the input layout instead of sniffing it."),
    profile: Optional[str] = typer.Option(None, "--profile", metavar="NAME", show_default="detected per file", help="Read every file with this profile instead of detecting it, as for `check`."),
) -> None:
    """Record the current findings so `check --baseline FILE` fails only on new ones."""
    from .baseline import entries_from, write_baseline
    from .engine import Engine
    from .reader.sources import display_path

    cfg, catalogue = _load(config)
    plan = _plan(cfg, catalogue, select, ignore, schema, input_format, profile=profile)
    target = output or (cfg.resolve_path(cfg.get("baseline")) if cfg.get("baseline") else ".feedlint-baseline.json")
    files = _input_files(paths)
    _collect_from_here()
    engine = Engine(plan, _jobs(None, cfg), keep_fixes=False)  # a baseline records no fixes
    entries = entries_from(engine.run(files, [display_path(p) for p in files]))
    if _report_problems(engine, quiet=True):
        raise _die(f"{target}: baseline not written: fix the errors above first (an unreadable export would be missing from it)")
    try:
        write_baseline(target, entries)
    except OSError as exc:
        raise _die(f"{target}: cannot write baseline: {exc.strerror or exc}")
    total = sum(e["count"] for e in entries)
    sys.stderr.write(f"feedlint: wrote {len(entries)} baseline entr{'y' if len(entries) == 1 else 'ies'} ({total} finding{'s' if total != 1 else ''}) to {target}\n")


@app.command("rules", cls=_Command, short_help="List the rules: id, name, default severity, summary.")
def list_rules(
    all_: bool = typer.Option(False, "--all", help="Include rules deselected by the config."),
    config: Optional[str] = typer.Option(None, "--config", metavar="FILE", show_default=CONFIG_DEFAULT, help="Config file."),
) -> None:
    """List the rules: id, name, default severity, summary."""
    from .planning import build_plan
    from .config import ConfigError

    cfg, catalogue = _load(config)
    try:
        active = {a.rule.id: a for a in build_plan(catalogue, cfg).rules}
    except ConfigError as exc:
        raise _die(str(exc))
    rows = [(r.id, r.name, active[r.id].severity if r.id in active else "off", r.summary) for r in catalogue.rules if all_ or r.id in active]
    w_id = max((len(r[0]) for r in rows), default=2)
    w_name = max((len(r[1]) for r in rows), default=4)
    typer.echo(f"{'ID':<{w_id}}  {'NAME':<{w_name}}  {'SEVERITY':<8}  SUMMARY")
    for rid, name, sev, summary in rows:
        typer.echo(f"{rid:<{w_id}}  {name:<{w_name}}  {sev:<8}  {summary}")


@app.command(cls=_Command, short_help="Show a rule's documentation, options and a bad and a good example.")
def explain(rule: str = typer.Argument(..., metavar="RULE", help="Rule id or name, e.g. FL201 (any case).")) -> None:
    """Show a rule's documentation, options and a bad and a good example."""
    from .explain import render_explanation
    from .registry import load_catalogue

    catalogue = load_catalogue()
    found = catalogue.find(rule)
    if found is None:
        from .suggest import closest

        near = closest(rule, [n for r in catalogue.rules for n in (r.id, r.name)])
        raise _die(f"unknown rule {rule!r}{f' — did you mean {near!r}?' if near else ''} (`feedlint rules --all` lists them)")
    typer.echo(render_explanation(found))


def _profile_set(config: Optional[str]):
    """The profiles of a run with this config (its own first, then the built-in ones), and the rule catalogue."""
    from .config import ConfigError
    from .planning import Choices, build_plan

    cfg, catalogue = _load(config)
    try:
        return build_plan(catalogue, cfg, Choices()).profiles, catalogue
    except ConfigError as exc:
        raise _die(str(exc))


@app.command("profiles", cls=_Command, short_help="List the profiles, in the order files are matched against them.")
def list_profiles(config: Optional[str] = typer.Option(None, "--config", metavar="FILE", show_default=CONFIG_DEFAULT, help="Config file (its `profiles` are listed first).")) -> None:
    """List the profiles, in the order files are matched against them."""
    profiles = _profile_set(config)[0].profiles
    rows = [(p.name, ", ".join([*p.layouts, *p.pointers]), p.description) for p in profiles]
    w_name, w_where = (max(len(r[i]) for r in rows) for i in (0, 1))
    typer.echo(f"{'NAME':<{w_name}}  {'RECORDS':<{w_where}}  DESCRIPTION")
    for name, where, description in rows:
        typer.echo(f"{name:<{w_name}}  {where:<{w_where}}  {description}")


@app.command("explain-profile", cls=_Command, short_help="Show how a profile finds, identifies and reads records.")
def explain_profile(
    name: str = typer.Argument(..., metavar="NAME", help="Profile name, e.g. wordpress."),
    config: Optional[str] = typer.Option(None, "--config", metavar="FILE", show_default=CONFIG_DEFAULT, help="Config file (for your own profiles)."),
) -> None:
    """Show how a profile finds, identifies and reads records: detection, roles, schema, options."""
    profiles, catalogue = _profile_set(config)
    found = profiles.get(name)
    if found is None:
        from .suggest import unknown

        raise _die(unknown("profile", name, profiles.names, sort=False))
    typer.echo(found.describe(catalogue.rules))


def _collect_from_here() -> None:
    """Turn the cycle collector back on for the records, if start-up (:func:`main`) turned it off.

    What start-up made (modules, classes, the plan: some 25,000 objects) lives
    as long as the process and is frozen out of the collector's scans: each
    collection of a long run skips it, and a forked worker leaves its pages
    shared.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _silence_stdout() -> None:
    """The reader of our stdout went away (``feedlint check … | head``): stop quietly, like ruff."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _quiet_broken_pipe() -> None:
    _silence_stdout()
    raise typer.Exit(EXIT_FINDINGS)


class _Terminated(BaseException):
    """SIGTERM (a CI job's timeout, ``kill``), raised in the main process so that what it is writing is cleaned up."""


_MAIN_PID = 0


def _on_sigterm(signum: int, frame: object) -> None:
    if os.getpid() != _MAIN_PID:  # a forked worker: die as by default
        import signal

        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise _Terminated


def main() -> None:
    """Console-script entry point; usage errors exit 2 (click's convention).

    SIGTERM unwinds like Ctrl-C -- a temporary file of ``--fix`` or of an
    ``--output`` is removed, the file stays as it was -- and the process then
    dies of the signal as it would have (same wait status for the caller).
    """
    import signal

    gc.disable()  # start-up allocates long-lived objects only: collections would scan them for nothing (_collect_from_here)
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        app(prog_name="feedlint")
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(EXIT_FINDINGS)
    except KeyboardInterrupt:
        sys.stderr.write("feedlint: interrupted\n")
        sys.exit(130)
    except _Terminated:
        sys.stderr.write("feedlint: terminated\n")
        sys.stderr.flush()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
    finally:
        # What is alive now lives until exit: frozen, the interpreter's final collections (full passes over
        # every object, start-up's too once the pool has unfrozen them) skip it: 44 M instructions, 3.5% of a
        # parallel run's main process (1,000 records, --jobs 2).
        gc.freeze()
