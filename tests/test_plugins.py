"""A real third-party plugin package, installed with pip, is discovered through entry points."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, base_record, export_text, run_cli


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(ROOT / "tests" / "plugin_example")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


def test_plugin_rule_runs_and_broken_plugin_only_warns(plugin_site, tmp_path):
    (tmp_path / "e.json").write_text(export_text([base_record(content_title="MAYOR RESIGNS OVER TRAM PLAN")]))
    r = run_cli("check", "--format", "json", "e.json", cwd=tmp_path, env={"PYTHONPATH": str(plugin_site)})
    assert r.returncode == 1, r.stderr
    findings = json.loads(r.stdout)
    assert [(f["rule"], f["pointer"]) for f in findings] == [("XM001", "/0/0/content_title")]
    assert "plugin broken" in r.stderr and "deliberately broken" in r.stderr and "warning" in r.stderr
    rules = run_cli("rules", env={"PYTHONPATH": str(plugin_site)})
    assert "XM001" in rules.stdout and "shouting-title" in rules.stdout


def test_plugin_options_validated(plugin_site, tmp_path):
    (tmp_path / "e.json").write_text(export_text([base_record()]))
    (tmp_path / "feedlint.toml").write_text('[rules.shouting-title]\nmin-letters = "many"\n')
    r = run_cli("check", "e.json", cwd=tmp_path, env={"PYTHONPATH": str(plugin_site)})
    assert r.returncode == 2 and "XM001" in r.stderr and "min-letters" in r.stderr


def test_hit_keeps_the_frozen_dataclass_contract():
    """Hit's hand-written ``__init__`` makes exactly what the generated one of a frozen dataclass made."""
    import dataclasses
    import inspect
    import pickle

    from feedlint.api import Hit

    def spec(f: dataclasses.Field) -> tuple:
        return (f.name, f.type) if f.default is dataclasses.MISSING else (f.name, f.type, dataclasses.field(default=f.default))

    # what the dataclass machinery generates from Hit's own fields: the __init__ Hit had before it was written out
    Generated = dataclasses.make_dataclass("Generated", [spec(f) for f in dataclasses.fields(Hit)], frozen=True)

    assert inspect.signature(Hit).parameters == inspect.signature(Generated).parameters
    assert Hit.__match_args__ == Generated.__match_args__
    for args, kwargs in [(("/a", "m"), {}), (("/a", "m", "ev", (1, 2)), {"on_key": True}), (("", "m"), {"span": (0, 1), "evidence": "x"})]:
        hit, generated = Hit(*args, **kwargs), Generated(*args, **kwargs)
        assert vars(hit) == vars(generated) and list(vars(hit)) == list(vars(generated))
        assert repr(hit) == repr(generated).replace(Generated.__qualname__, "Hit", 1)
        assert hit == Hit(*args, **kwargs) and hash(hit) == hash(Hit(*args, **kwargs))
        assert pickle.loads(pickle.dumps(hit)) == hit
        assert vars(dataclasses.replace(hit, message="n")) == {**vars(hit), "message": "n"}
        with pytest.raises(dataclasses.FrozenInstanceError):
            hit.message = "changed"
    with pytest.raises(TypeError):
        Hit("/a")
    with pytest.raises(TypeError):
        Hit("/a", "m", bogus=1)
