"""Shared helpers: build exports on disk and run feedlint in-process or as a real subprocess."""

from __future__ import annotations

import copy
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


def needs_seeds() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not SEED_EXPORT.exists(), reason="../shared/seeds not present")
