"""Shared helpers: build exports on disk and run feedlint in-process or as a real subprocess."""

from __future__ import annotations

import copy
import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED_EXPORT = SHARED / "seeds" / "000_74ab782d07dbc4c7.txt"
SEED_ARTICLE = SHARED / "seeds" / "002_16b040eb0d0fa7b6.txt"
BASE_RECORD = json.loads((ROOT / "tests" / "fixtures" / "base_record.json").read_text(encoding="utf-8"))


def base_record(**changes: Any) -> dict:
    rec = copy.deepcopy(BASE_RECORD)
    rec.update(changes)
    return rec


def merge(base: Any, partial: Any) -> Any:
    """Deep-merge ``partial`` over ``base``: dicts merge, anything else replaces."""
    if isinstance(base, dict) and isinstance(partial, dict):
        out = copy.deepcopy(base)
        for k, v in partial.items():
            out[k] = merge(out.get(k), v) if k in out else copy.deepcopy(v)
        return out
    return copy.deepcopy(partial)


def export_text(records: list, layout: str = "pages", pretty: bool = False) -> str:
    if layout == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    doc = [records] if layout == "pages" else records
    if pretty:
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def feedlint_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("feedlint")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "feedlint"]


def run_cli(*args: str, cwd: Path | str | None = None, input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, NO_COLOR="1", **(env or {}))
    return subprocess.run([*feedlint_cmd(), *args], cwd=cwd, input=input, capture_output=True, text=True, env=full_env, timeout=300)


@pytest.fixture
def write_export(tmp_path):
    def _write(records: list, name: str = "export.json", layout: str = "pages", pretty: bool = False) -> Path:
        p = tmp_path / name
        p.write_text(export_text(records, layout, pretty), encoding="utf-8", newline="")
        return p

    return _write


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, code-point column) of ``offset`` in ``text``: the expected position, computed from the file."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def write_export_file(tmp_path: Path, records: list, crlf: bool = False, **kw) -> tuple[Path, str]:
    """``tmp_path/export.json`` holding ``records`` (CRLF line ends on request) and its text."""
    text = export_text(records, **kw)
    if crlf:
        text = text.replace("\n", "\r\n")
    p = tmp_path / "export.json"
    p.write_text(text, encoding="utf-8", newline="")
    return p, text


@functools.lru_cache(maxsize=1)
def _builtin_catalogue():
    from feedlint.registry import load_catalogue

    return load_catalogue(plugins=False)


def run_engine(path: Path, select: str, config: dict | None = None, shared: dict | None = None):
    """Findings of the selected rules on ``path`` through the real engine; the run must be complete."""
    from feedlint.config import Config
    from feedlint.engine import Engine
    from feedlint.planning import Choices, build_plan

    plan = build_plan(_builtin_catalogue(), Config(values=config or {}), Choices(select=select.split(","), shared=shared))
    engine = Engine(plan)
    findings = list(engine.run([str(path)]))
    assert not engine.errors and not engine.internal_errors, (engine.errors, engine.internal_errors)
    return findings, engine


def needs_seeds() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not SEED_EXPORT.exists(), reason="../shared/seeds not present")


def pytest_collection_modifyitems(session, config, items):
    """With Spark tests selected, import pyspark (the module, no JVM) before any test imports Great Expectations.

    GX decides at its import whether it can validate Spark DataFrames, and
    feedlint imports GX without pyspark unless pyspark is already loaded
    (rules/_gx.py): a GX that an earlier test imported could not run on Spark.
    A real Spark run loads pyspark first (it starts the session before GX).
    """
    import importlib.util
    import warnings

    if any(item.path.name == "test_spark.py" for item in items) and importlib.util.find_spec("pyspark") is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            import pyspark.sql  # noqa: F401
