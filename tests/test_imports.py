"""The package's import graph: every module imports alone, and no two modules import each other in a circle.

A circle (engine -> parallel -> workers -> engine, once) makes a module's
meaning depend on which one was imported first; the execution seam
(docs/architecture.md) keeps the arrows one way.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "feedlint"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """Modules of feedlint that ``name`` imports, at the top level or inside functions (both count for a circle)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]  # a submodule, else the module itself
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


def _cycle() -> list[str] | None:
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + "."):
                continue  # a package importing its own submodules is not a circle
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_no_import_cycle_between_feedlint_modules():
    assert _cycle() is None, " -> ".join(_cycle() or [])


def test_the_walk_sees_a_circle(tmp_path, monkeypatch):
    """The walker itself: a made-up circle is found (so the test above can fail)."""
    (tmp_path / "a.py").write_text("from . import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from .a import x\n")
    monkeypatch.setitem(MODULES, "feedlint.a", tmp_path / "a.py")
    monkeypatch.setitem(MODULES, "feedlint.b", tmp_path / "b.py")
    assert _imports("feedlint.b", tmp_path / "b.py") == {"feedlint.a"}
    cycle = _cycle()
    assert cycle is not None and {"feedlint.a", "feedlint.b"} <= set(cycle)


SEAM = ["feedlint.plan", "feedlint.effects", "feedlint.checker", "feedlint.executor", "feedlint.dataset", "feedlint.engine", "feedlint.parallel", "feedlint.workers",
        "feedlint.rules._pyeval", "feedlint.rules._expect"]


@pytest.mark.parametrize("module", SEAM)
def test_each_module_of_the_seam_imports_alone(module):
    """Imported first, in a fresh interpreter: a circle would show as a partly initialised module here."""
    r = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_tests_import_the_rules_as_feedlint_rules_only():
    """``rules/`` is installed as ``feedlint.rules``; importing it as ``rules`` too would make two module objects of one file."""
    tests = Path(__file__).resolve().parent
    found = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            found.extend(f"{path.name}:{node.lineno}" for n in names if n == "rules" or n.startswith("rules."))
    assert not found, found
