"""Tuning (feedlint/tuning.py): one value, resolved --tune > config [tuning] > FEEDLINT_* > defaults, carried by the plan.

The environment is the fallback it was before [tuning] existed: a bad value
there is one warning line, never a crash; on the command line or in the
config it is an error (exit 2) naming the knob.
"""

from __future__ import annotations

import json
import pickle

import pytest

from conftest import base_record, export_text, run_cli
from feedlint.tuning import DEFAULTS, KNOBS, Tuning, TuningError, resolve

ENV_KNOBS = ["FEEDLINT_PARALLEL_MIN_RECORDS", "FEEDLINT_RANGE_BYTES", "FEEDLINT_START_METHOD"]


@pytest.fixture
def export(tmp_path):
    recs = [base_record(content_id=510001 + i, content_title=f"Title {i}", content_body=f"Body {i}.") for i in range(4)]
    recs[3]["content_id"] = 510001  # one FL601 pair, so the dataset stage reports something
    (tmp_path / "a.json").write_text(export_text(recs), encoding="utf-8")
    return tmp_path


def _findings(res) -> list:
    return sorted((f["rule"], f["record"], f["record_pointer"]) for f in json.loads(res.stdout))


# -- the resolution function -------------------------------------------------------------------


def test_defaults_and_every_knob_names_a_field():
    got = resolve()
    assert got.tuning == Tuning() == DEFAULTS and got.origins == {} and got.warnings == ()
    assert {k.field for k in KNOBS.values()} == set(Tuning.__dataclass_fields__)
    assert DEFAULTS.parallel_min_records == 200 and DEFAULTS.range_bytes == 524288 and DEFAULTS.ranges is True
    assert Tuning(start_method="spawn").method() == "spawn"


def test_precedence_cli_over_config_over_env_over_default():
    env = {"FEEDLINT_RANGE_BYTES": "100", "FEEDLINT_PARALLEL_MIN_RECORDS": "7", "FEEDLINT_START_METHOD": "spawn"}
    config = {"range-bytes": 200, "parallel-min-records": 8}
    got = resolve(["range-bytes=300"], config, env)
    assert got.tuning == Tuning(range_bytes=300, parallel_min_records=8, start_method="spawn")
    assert got.origins == {"range-bytes": "--tune", "parallel-min-records": "[tuning]", "start-method": "FEEDLINT_START_METHOD"}
    assert resolve((), config, env).tuning.range_bytes == 200
    assert resolve((), None, env).tuning.range_bytes == 100
    assert resolve(["range-bytes=1", "range-bytes=2"]).tuning.range_bytes == 2  # the last one wins


def test_values_of_each_kind_from_strings_and_from_toml():
    got = resolve(["ranges=off", "shutdown-grace=0.5", "split-bytes=0", "tasks-in-flight= 2 "], {"task-records": 9, "ranges": True}).tuning
    assert (got.ranges, got.shutdown_grace, got.split_bytes, got.tasks_in_flight, got.task_records) == (False, 0.5, 0, 2, 9)
    assert resolve((), {"shutdown-grace": 3}).tuning.shutdown_grace == 3.0


@pytest.mark.parametrize("item,message", [
    ("range-bytes=0", "--tune: range-bytes = '0' is not a whole number >= 1"),
    ("range-bytes=1e3", "is not a whole number >= 1"),
    ("ranges=maybe", "--tune: ranges = 'maybe' is not true or false"),
    ("start-method=spork", "is not a start method of this platform"),
    ("shutdown-grace=-1", "is not a number of seconds >= 0"),
    ("range-byte=3", "--tune: unknown tuning knob 'range-byte' — did you mean 'range-bytes'?"),
    ("range-bytes", "--tune takes NAME=VALUE, got 'range-bytes'"),
    ("=3", "--tune takes NAME=VALUE"),
])
def test_a_bad_cli_value_is_an_error_naming_it(item, message):
    with pytest.raises(TuningError) as exc:
        resolve([item])
    assert message in str(exc.value)


@pytest.mark.parametrize("table,message", [
    ({"range-bytes": "lots"}, "cfg.toml: tuning: range-bytes = 'lots' is not a whole number >= 1"),
    ({"range-bytes": 1.5}, "is not a whole number >= 1"),
    ({"ranges": 1}, "cfg.toml: tuning: ranges = 1 is not true or false"),  # a TOML number is not a flag
    ({"parallel-min-records": True}, "is not a whole number >= 1"),
    ({"rangebytes": 1}, "cfg.toml: tuning: unknown tuning knob 'rangebytes' — did you mean 'range-bytes'?"),
])
def test_a_bad_config_value_is_an_error_naming_it(table, message):
    assert resolve((), {"range-bytes": "512", "ranges": "no"}).tuning == Tuning(range_bytes=512, ranges=False)  # a string is read as on the command line
    with pytest.raises(TuningError) as exc:
        resolve((), table, where="cfg.toml")
    assert message in str(exc.value)


def test_a_bad_env_value_warns_only_when_it_would_be_used():
    env = {"FEEDLINT_RANGE_BYTES": "lots", "FEEDLINT_START_METHOD": "", "FEEDLINT_PARALLEL_MIN_RECORDS": "-3"}
    got = resolve((), None, env)
    assert got.tuning == DEFAULTS and got.origins == {}  # empty is unset; bad values are not used
    assert got.warnings == (
        "FEEDLINT_PARALLEL_MIN_RECORDS='-3' is not a whole number >= 1; using the default (200)",
        "FEEDLINT_RANGE_BYTES='lots' is not a whole number >= 1; using the default (524288)",
    )
    overridden = resolve(["range-bytes=5"], {"parallel-min-records": 6}, env)
    assert overridden.warnings == () and overridden.tuning == Tuning(range_bytes=5, parallel_min_records=6)


def test_the_value_pickles_and_is_frozen():
    t = Tuning(range_bytes=7, start_method="spawn")
    assert pickle.loads(pickle.dumps(t)) == t
    with pytest.raises(Exception):
        t.range_bytes = 8  # type: ignore[misc]


def test_the_plan_carries_it_to_spawned_workers():
    from feedlint.config import Config
    from feedlint.planning import Choices, build_plan
    from feedlint.registry import load_catalogue
    from feedlint.workers import _plan_from_spec, _plan_spec

    catalogue = load_catalogue(plugins=False)
    assert build_plan(catalogue, Config(values={"tuning": {"range-bytes": 9}})).tuning == Tuning(range_bytes=9)  # the config's, without a caller's value
    plan = build_plan(catalogue, Config(values={"tuning": {"range-bytes": 9}}), Choices(tuning=Tuning(range_bytes=11)))
    assert plan.tuning == Tuning(range_bytes=11)
    assert _plan_from_spec(pickle.loads(pickle.dumps(_plan_spec(plan)))).tuning == Tuning(range_bytes=11)


# -- through the installed CLI ------------------------------------------------------------------


@pytest.mark.parametrize("knob", ENV_KNOBS)
@pytest.mark.parametrize("value", ["lots", "-3", "0", "1e3", "spork"])
def test_a_bad_env_value_is_one_warning_and_the_default(export, knob, value):
    good = run_cli("check", "a.json", "--format", "json", "--jobs", "2", cwd=export)
    res = run_cli("check", "a.json", "--format", "json", "--jobs", "2", cwd=export, env={knob: value})
    assert res.returncode == good.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert _findings(res) == _findings(good)
    warnings = [line for line in res.stderr.splitlines() if knob in line]
    assert len(warnings) == 1, res.stderr  # once, from the main process only (not from each worker)
    assert warnings[0].startswith(f"feedlint: warning: {knob}={value!r} is not ") and "using the default" in warnings[0]


@pytest.mark.parametrize("knob,value", [("FEEDLINT_PARALLEL_MIN_RECORDS", "3"), ("FEEDLINT_RANGE_BYTES", "100"), ("FEEDLINT_START_METHOD", "spawn")])
def test_a_good_env_value_is_taken_silently(export, knob, value):
    good = run_cli("check", "a.json", "--format", "json", "--jobs", "2", cwd=export)
    res = run_cli("check", "a.json", "--format", "json", "--jobs", "2", cwd=export, env={knob: value})
    assert res.returncode == 1 and knob not in res.stderr and "Traceback" not in res.stderr
    assert _findings(res) == _findings(good)
    shown = run_cli("check", "--show-settings", cwd=export, env={knob: value})
    assert f"  # from {knob}" in shown.stdout


def test_an_empty_env_value_counts_as_unset(export):
    res = run_cli("check", "a.json", "--format", "json", cwd=export, env={k: "" for k in ENV_KNOBS})
    assert res.returncode == 1 and res.stderr == ""


def test_tune_on_the_cli_and_in_the_config(export):
    """The same findings whatever the tuning; --show-settings says what is in effect and where it came from."""
    good = run_cli("check", "a.json", "--format", "json", "--jobs", "1", cwd=export)
    (export / "feedlint.toml").write_text("[tuning]\nparallel-min-records = 2\nrange-bytes = 300\nstart-method = 'spawn'\n", encoding="utf-8")
    tuned = run_cli("check", "a.json", "--format", "json", "--jobs", "2", "--tune", "range-bytes=100", "--tune", "ranges=false",
                    cwd=export, env={"FEEDLINT_RANGE_BYTES": "lots"})  # overridden: no warning
    assert tuned.returncode == 1 and tuned.stderr == "" and tuned.stdout == good.stdout
    shown = run_cli("check", "--show-settings", "--tune", "range-bytes=100", cwd=export, env={"FEEDLINT_PARALLEL_MIN_RECORDS": "5"})
    out = shown.stdout
    assert "range-bytes = 100  # from --tune" in out and "parallel-min-records = 2  # from [tuning]" in out
    assert 'start-method = "spawn"  # from [tuning]' in out and "ranges = true  # default" in out


@pytest.mark.parametrize("args,message", [
    (["--tune", "range-byte=3"], "feedlint: error: --tune: unknown tuning knob 'range-byte' — did you mean 'range-bytes'?\n"),
    (["--tune", "range-bytes=lots"], "feedlint: error: --tune: range-bytes = 'lots' is not a whole number >= 1\n"),
    (["--tune", "ranges"], "feedlint: error: --tune takes NAME=VALUE, got 'ranges' (knobs: " + ", ".join(KNOBS) + ")\n"),
])
def test_a_bad_tune_is_a_one_line_usage_error(export, args, message):
    res = run_cli("check", "a.json", *args, cwd=export)
    assert res.returncode == 2 and res.stderr == message and res.stdout == ""


def test_a_bad_tuning_table_is_a_config_error(export):
    (export / "feedlint.toml").write_text("[tuning]\nrange-bytes = 'lots'\n", encoding="utf-8")
    res = run_cli("check", "a.json", cwd=export)
    assert res.returncode == 2 and res.stderr == f"feedlint: error: {export / 'feedlint.toml'}: tuning: range-bytes = 'lots' is not a whole number >= 1\n"


def test_the_spark_executor_takes_its_split_size_from_the_plan():
    pytest.importorskip("pyspark")
    from feedlint.plan import Plan
    from feedlint.spark.executor import SparkExecutor

    assert SparkExecutor(Plan([], tuning=Tuning(split_bytes=12345))).split_bytes == 12345
    assert SparkExecutor(Plan([], tuning=Tuning(split_bytes=12345)), split_bytes=99).split_bytes == 99  # the caller's, when given
    assert not SparkExecutor(Plan([])).split_bytes  # 0: about four tasks per core (default_split_bytes)


def test_no_module_reads_the_tuning_environment_variables_but_the_cli():
    """Workers and Spark tasks read Plan.tuning; the FEEDLINT_* fallback is resolved once, by the CLI, through feedlint.tuning."""
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "feedlint"
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for var in ENV_KNOBS:
            assert var not in text or path.name == "tuning.py", f"{path} names {var}"
