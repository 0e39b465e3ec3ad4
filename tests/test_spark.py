"""The Spark engine (`check --engine spark`) against the local engine: the same output, byte for byte.

One SparkSession (`local[2]`) is shared by every test here; the CLI runs in this process and
joins it.  Splits are made small (a few KB) so that every file is cut into many ranges, some
starting at a guess inside a record.  Locally a test skips when pyspark or Java is missing;
CI sets FEEDLINT_REQUIRE_SPARK=1 (.ci/run), which turns that skip into a failure.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil

import pytest

from conftest import ROOT, base_record

SPLIT = 3000  # bytes per range: many ranges per test file


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(f"spark_test_{name}", ROOT / "benchmarks" / f"{name}.py")  # not via sys.path: benchmarks/rules.py
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def spark():
    missing = None
    if importlib.util.find_spec("pyspark") is None:
        missing = "pyspark is not installed (pip install -e '.[spark]')"
    elif shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing = "no Java runtime (Debian: openjdk-17-jre-headless)"
    if missing:
        if os.environ.get("FEEDLINT_REQUIRE_SPARK") == "1":
            pytest.fail(f"FEEDLINT_REQUIRE_SPARK=1 but {missing}")
        pytest.skip(missing)
    from feedlint.spark.session import open_session

    session = open_session("local[2]", {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"})
    yield session
    session.close()


@pytest.fixture
def small_splits(monkeypatch):
    from feedlint.spark import splits

    monkeypatch.setattr(splits, "default_split_bytes", lambda total, parallelism: SPLIT)
    from feedlint.spark import executor

    monkeypatch.setattr(executor, "WAVE_BYTES", 3 * SPLIT)  # several Spark jobs per run: results wait packed, job after job


def _cli(*args: str, cwd=None):
    """``feedlint ARGS`` in this process: (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from feedlint.cli import app

    here = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        res = CliRunner().invoke(app, list(args), catch_exceptions=False, env={"NO_COLOR": "1"})
    finally:
        os.chdir(here)
    return res.exit_code, res.stdout, res.stderr


def _both(*args: str, cwd=None):
    """The same check by the local engine (one process) and by Spark: both results."""
    local = _cli("check", "--jobs", "1", *args, cwd=cwd)
    spark = _cli("check", "--engine", "spark", *args, cwd=cwd)
    return local, spark


def _same(*args: str, cwd=None, code: int | None = None) -> tuple:
    local, spark = _both(*args, cwd=cwd)
    assert spark == local
    if code is not None:
        assert local[0] == code, local[2]
    return local


def _write(path, records, layout="pages", page_size=3, bom=False, gz=False, pretty=False):
    gen = _bench("generate")
    raw = open(path, "wb")
    out = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if gz else raw
    if bom:
        out.write(b"\xef\xbb\xbf")
    gen.write_export(out, iter(records), len(records), None, layout, page_size, pretty)
    out.close()
    if gz:
        raw.close()
    return path


def _records(n: int, seed: int = 7, defects: float = 0.4):
    gen = _bench("generate")
    return [r for r, _ in zip(gen.RecordMaker(seed, 0.3, defects), range(n))]


def test_examples_identical_in_every_format(spark, small_splits):
    for fmt in ("json", "text", "sarif"):
        code, out, err = _same("--format", fmt, "examples", cwd=ROOT, code=1)
        assert out.strip() and not err.strip() or fmt == "text"
    assert json.loads(_cli("check", "--engine", "spark", "--format", "json", "examples", cwd=ROOT)[1])  # findings, not an empty list


@pytest.mark.parametrize("layout,options", [
    ("pages", {}), ("array", {}), ("jsonl", {}), ("pages", {"gz": True}), ("jsonl", {"bom": True}), ("array", {"pretty": True}),
])
def test_every_layout_identical(spark, small_splits, tmp_path, layout, options):
    name = "export" + (".jsonl" if layout == "jsonl" else ".json") + (".gz" if options.get("gz") else "")
    _write(tmp_path / name, _records(24), layout, **options)
    code, out, _ = _same("--format", "json", name, cwd=tmp_path, code=1)
    found = json.loads(out)
    assert len({f["record"] for f in found}) > 5  # findings all over the file, not only in its first range


def test_ranges_that_start_inside_a_record_are_read_again(spark, small_splits, tmp_path, monkeypatch):
    """Records holding objects that begin like a record (``{"content_id":``): cuts land inside records,
    the chain check rejects those ranges and the driver reads them itself; findings stay exact."""
    from feedlint.spark import executor

    read_here, accept = [], []
    original_here, original_shifted = executor._Here.__init__, executor.shifted
    monkeypatch.setattr(executor._Here, "__init__", lambda self, *a: read_here.append(a[2]) or original_here(self, *a))
    monkeypatch.setattr(executor, "shifted", lambda *a: accept.append(a[1]) or original_shifted(*a))
    records = _records(20)
    for i, rec in enumerate(records):
        rec["related"] = [{"content_id": 900 + k, "content_title": "Caf\u00e9 &#39;x&#39;" * 40} for k in range(3)]
    _write(tmp_path / "nested.json", records, "pages", page_size=4)
    _write(tmp_path / "nested.jsonl", records, "jsonl")
    _same("--format", "json", "nested.json", "nested.jsonl", cwd=tmp_path, code=1)
    assert read_here and len(accept) > 4  # some ranges were read again on the driver, most were taken from the executors


def test_adversarial_shapes_identical(spark, small_splits, tmp_path):
    adversarial = _bench("adversarial")
    sizes = {"shared-image": 12, "one-content-id": 8, "one-article": 8, "findings-in-one-record": 300, "entities-in-one-field": 300, "tiny-records": 40, "deep-nesting": 40}
    for name, n in sizes.items():
        with open(tmp_path / f"{name}.json", "wb") as f:
            adversarial.write_case(name, n, f)
    local, spark_run = _both("--format", "json", ".", cwd=tmp_path)
    assert spark_run == local
    rules = {f["rule"] for f in json.loads(local[1])}
    assert {"FL601", "FL602", "FL606", "FL103"} <= rules


def test_multi_file_run_with_cross_file_duplicates(spark, small_splits, tmp_path):
    """Dataset rules over facts from every file's executors: a record repeated in another file is found there."""
    records = _records(15, seed=3, defects=0.2)
    _write(tmp_path / "a.json", records[:10], "pages")
    _write(tmp_path / "b.jsonl", records[8:] + [records[0]], "jsonl")  # records 8, 9 and 0 are in both files
    _write(tmp_path / "c.json.gz", records[4:6], "array", gz=True)
    (tmp_path / "tsconfig.json").write_text('{\n  // the site\'s settings (JSONC)\n  "compilerOptions": {}\n}\n')  # no export: skipped alike
    for fmt in ("json", "text"):
        code, out, _ = _same("--format", fmt, ".", cwd=tmp_path, code=1)
    assert "tsconfig.json: skipped: JSON with comments" in out  # the text run's summary
    dup = [f for f in json.loads(_cli("check", "--engine", "spark", "--format", "json", ".", cwd=tmp_path)[1]) if f["rule"] == "FL601"]
    assert {f["file"] for f in dup} >= {"b.jsonl", "c.json.gz"}


def test_suppressions_and_baseline_behave_as_locally(spark, small_splits, tmp_path):
    records = _records(12)
    _write(tmp_path / "a.json", records, "pages")
    first = json.loads(_cli("check", "--jobs", "1", "--format", "json", "a.json", cwd=tmp_path)[1])[0]
    (tmp_path / "feedlint.toml").write_text(
        f'[[suppress]]\ncontent-id = {json.dumps(first["content_id"])}\nreason = "known"\n'
        '[[suppress]]\ncontent-id = 1\nreason = "never used"\n', encoding="utf-8")
    assert _cli("baseline", "a.json", "-o", "base.json", cwd=tmp_path)[0] == 0
    _write(tmp_path / "a.json", _records(14), "pages")  # two new records
    code, out, err = _same("--format", "json", "--baseline", "base.json", "a.json", cwd=tmp_path)
    assert "unused suppression (content-id 1)" in err


def test_bad_input_in_one_split_is_an_input_error_at_its_position(spark, small_splits, tmp_path):
    lines = [json.dumps(r, ensure_ascii=False) for r in _records(16)]
    lines[11] = lines[11].replace('"content_title":', '"content_title"::', 1)  # malformed, far past the first split
    (tmp_path / "broken.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = _same("--format", "json", "broken.jsonl", cwd=tmp_path, code=2)
    column = lines[11].index("::") + 2
    assert err.startswith(f"broken.jsonl:12:{column}: invalid JSON")
    assert {f["record"] for f in json.loads(out)} <= set(range(11)) and json.loads(out)  # records before it are reported


def test_lost_executor_is_an_input_error_not_a_hang(spark, small_splits, tmp_path):
    """A split whose Python worker dies (twice: a failed job is retried task by task) stops its file
    with one located input error; the ranges before it and the other files are reported."""
    from feedlint.config import load_config
    from feedlint.engine import Engine
    from feedlint.planning import Choices, build_plan
    from feedlint.registry import load_catalogue
    from feedlint.spark.evaluator import SparkEvaluator
    from feedlint.spark.executor import SparkExecutor
    from feedlint.spark.splits import plan_file

    records = _records(16)
    path = _write(tmp_path / "a.jsonl", records, "jsonl")
    other = _write(tmp_path / "b.json", records[:3], "array")
    plan = build_plan(load_catalogue(), load_config(None, start=tmp_path), Choices())
    job = plan_file(plan, 0, str(path), "a.jsonl", SPLIT, False)
    assert len(job.tasks) > 3

    def run(faults):
        executor = SparkExecutor(plan, faults=faults)
        engine = Engine(plan, executor=executor)
        executor.expect([str(path), str(other)], ["a.jsonl", "b.json"], False)
        return engine, list(engine.run([str(path), str(other)], ["a.jsonl", "b.json"]))

    engine, found = run({(0, 2): "exit"})
    [error] = engine.errors
    text = path.read_text(encoding="utf-8")
    line = text.count("\n", 0, job.tasks[2].start) + 1
    assert str(error) == f"a.jsonl:{line}:1: Spark task failed: the executor's Python worker exited unexpectedly (crashed)"
    assert {f.path for f in found} == {"a.jsonl", "b.json"}
    assert max(f.record_index for f in found if f.path == "a.jsonl" and f.record_index is not None) < line - 1
    engine, _ = run({(1, 0): "raise"})  # b.json's one range starts at its first record, column 2
    assert [str(e) for e in engine.errors] == ["b.json:1:2: Spark task failed: RuntimeError: injected failure in split 0 of b.json"]

    # the fact table in Spark: made from the tasks that were not lost, run again (the lost one would fail again)
    executor = SparkExecutor(plan, faults={(0, 2): "exit"})
    table = executor.fact_table()
    engine = Engine(plan, executor=executor, table=table, dataset_evaluator=SparkEvaluator(table))
    executor.expect([str(path), str(other)], ["a.jsonl", "b.json"], False)
    found = list(engine.run([str(path), str(other)], ["a.jsonl", "b.json"]))
    assert [str(e) for e in engine.errors] == [str(error)]
    dup = {(f.path, f.record_index) for f in found if f.rule_id == "FL601"}
    assert {("a.jsonl", 0), ("b.json", 0)} <= dup  # b.json's records repeat a.jsonl's first ones, checked before the lost split
    assert executor.received < len(executor.tasks) and len(table) < len(records) + 3


def test_engine_choice_is_checked_before_spark_starts(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([[base_record()]]), encoding="utf-8")
    code, _, err = _cli("check", "--engine", "dask", "a.json", cwd=tmp_path)
    assert code == 2 and "unknown engine 'dask' (known: local, spark)" in err
    code, _, err = _cli("check", "--spark-master", "local[2]", "a.json", cwd=tmp_path)
    assert code == 2 and "--spark-master needs --engine spark" in err


def test_profiles_and_articles_identical(spark, small_splits):
    """WordPress arrays (ranges read with the profile the driver detected), Ghost and JSON Feed documents and
    plain-text articles (whole files read in an executor, detection there)."""
    code, out, _ = _same("--format", "json", "tests/fixtures/profiles", "examples/articles/defective-article.txt", "examples/articles/clean-article.txt", cwd=ROOT, code=1)
    files = {f["file"] for f in json.loads(out)}
    assert "examples/articles/defective-article.txt" in files and any("ghost" in f for f in files) and any("wp-" in f for f in files)


def test_wordpress_featured_images_joined_across_files_on_spark(spark, small_splits, tmp_path):
    """FL607's facts are collected in the executors with the wordpress profile's options (ranges of posts.json
    and media.json), and the driver's join finds what the local engine finds."""
    from test_featured import media, post

    posts = [post(100 + i, "2021-10-01T09:43:00", 200 + i) for i in range(9)]
    items = [media(200 + i, "2021/05" if i % 3 == 0 else "2021/10", 100 + i if i % 2 == 0 else 0, "2021-05-20T10:05:00") for i in range(9)]
    (tmp_path / "posts.json").write_text(json.dumps(posts, indent=1))
    (tmp_path / "media.json").write_text(json.dumps(items, indent=1))
    code, out, _ = _same("--format", "json", "--select", "FL607", str(tmp_path), code=1)
    assert [f["content_id"] for f in json.loads(out)] == [100, 106]  # 103's image was uploaded for no post: reused


USER_SUITE = {
    "name": "site",
    "expectations": [
        {"type": "expect_column_value_lengths_to_be_between", "kwargs": {"column": "lang_id", "min_value": 2, "max_value": 2},
         "meta": {"feedlint": {"pointer": "/lang_id", "message": "lang_id {value} is not two letters"}}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "token", "regex": "^[0-9]{6,}$"},
         "meta": {"feedlint": {"table": "attachments"}}},
        {"type": "expect_column_max_to_be_between", "kwargs": {"column": "date_register", "max_value": "2024-01-01 00:00:00"},
         "meta": {"feedlint": {"per": "file"}}},
        {"type": "expect_column_proportion_of_unique_values_to_be_between", "kwargs": {"column": "portal_id", "min_value": 0.5}},
    ],
}


def test_great_expectations_suite_runs_on_spark(spark, small_splits, tmp_path, monkeypatch):
    """A user's suite of kinds only GX evaluates, and (GX as the run's evaluator) the default suite too, validated on
    Spark DataFrames through GX's Spark data source: the findings the local engine gets from GX on pandas
    (the user's) and from the plain evaluator (the defaults)."""
    from feedlint.rules import _expect, _gx, _pyeval

    records = _records(18, seed=5, defects=0.5)
    records[3]["lang_id"], records[4]["lang_id"] = "eng", "xx"
    records[5]["attaches"] = [{"token": "ab12"}]
    records[7] = dict(records[6], content_id=records[6]["content_id"] + 1000)  # one article under two ids
    _write(tmp_path / "a.json", records[:12], "pages")
    _write(tmp_path / "b.jsonl", records[10:] + [records[1]], "jsonl")  # duplicates across files
    (tmp_path / "suite.json").write_text(json.dumps(USER_SUITE))
    used = []
    original = _gx.Context.__init__
    monkeypatch.setattr(_gx.Context, "__init__", lambda self, docs, spark=None: used.append(spark is not None) or original(self, docs, spark))
    local = _cli("check", "--jobs", "1", "--format", "json", "--expectations", "suite.json", ".", cwd=tmp_path)
    assert used and not any(used)  # locally: GX on pandas, for the user's entries (FL690)
    used.clear()
    from feedlint.spark.evaluator import SparkEvaluator

    monkeypatch.setattr(SparkEvaluator, "supports", lambda self, entry: False)  # every rule's entries to GX, on Spark
    on_spark = _cli("check", "--engine", "spark", "--format", "json", "--expectations", "suite.json", ".", cwd=tmp_path)
    assert used and all(used)
    assert on_spark == local
    assert local[0] == 1, local[2]
    found = json.loads(local[1])
    fl690 = {f["message"].split(" (")[0] for f in found if f["rule"] == "FL690"}
    assert "lang_id \"eng\" is not two letters" in fl690 and any("ab12" in m for m in fl690)
    assert {"FL601", "FL602", "FL603", "FL690"} <= {f["rule"] for f in found}


def test_jobs_are_bounded_by_input_bytes_not_only_by_cores(tmp_path):
    """What the driver holds (the packed results of about two jobs) does not grow with the cluster: a job
    takes at most WAVE_BYTES of input (at least one task), and at most four tasks per core."""
    from feedlint.spark.executor import waves
    from feedlint.spark.tasks import RANGE, WHOLE, SplitResult, SplitTask, pack, unpack

    big = tmp_path / "big.json.gz"
    big.write_bytes(b"x" * 5000)
    tasks = [SplitTask(0, k, "f.json", "f.json", RANGE, start=k * 100, stop=k * 100 + 100) for k in range(10)]
    tasks.append(SplitTask(1, 0, str(big), "big.json.gz", WHOLE))
    assert waves(tasks, most=4, budget=250) == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10]]  # a task over the budget still runs, alone
    assert waves(tasks, most=3, budget=10**9) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10]]
    result = SplitResult(0, 0)
    assert unpack(pack(result)) == result


SPARK_SUITE = {  # kinds the Spark evaluator answers, beyond the default suite's use of them
    "name": "aggregations",
    "expectations": [
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "lang_id", "mostly": 0.2},
         "meta": {"feedlint": {"message": "lang_id {value} is shared by {count}: {others}"}}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["portal_id", "lang_id"], "ignore_row_if": "never"},
         "meta": {"feedlint": {"per": "file", "rule": "FL601"}}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "has_content_summary", "mostly": 0.95},
         "meta": {"feedlint": {"per": "file", "rule": "FL604", "pointer": "/content_summary"}}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "lang_id", "value_set": ["en", "fa", 7]}},
        {"type": "expect_column_max_to_be_between", "kwargs": {"column": "portal_id", "max_value": 9, "strict_max": True}},
        {"type": "expect_column_min_to_be_between", "kwargs": {"column": "date_start", "min_value": "2021-01-01"},
         "meta": {"feedlint": {"per": "file"}}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "token"}, "meta": {"feedlint": {"table": "attachments"}}},
    ],
}


def test_dataset_rules_are_spark_aggregations_and_the_driver_gets_only_their_rows(spark, tmp_path, monkeypatch):
    """The default suite and a user suite of the kinds the Spark evaluator answers, on facts that stay in Spark:
    the local engine's findings; no fact row reaches the driver while records are checked (every range accepted),
    only the rows of failing outcomes afterwards; Great Expectations is not asked."""
    from feedlint.rules import _expect
    from feedlint.spark import facts as spark_facts

    records = _records(30, seed=11, defects=0.4)
    for i, rec in enumerate(records):
        rec["content_id"] = 510000 + i
    records[4]["content_id"] = records[10]["content_id"] = "510004"  # a string id among numbers: another value (a mixed column on Spark)
    records[5]["content_id"] = 510006.0  # a float equal to an int id: the same value
    records[3]["portal_id"] = 9  # the largest portal, at a strict bound: reported as the extreme
    records[7]["content_date_start"] = "2020-02-29 10:00:00"  # before the user's earliest date, in a.json only
    records[2]["lang_id"] = "xx"  # FL603
    records[11]["content_date_register"] = "1999-12-31 23:59:59"  # FL605
    for rec in records[:4]:
        rec["content_summary"] = " "  # a fifth of a.json: under the user's 95% per export (FL604)
    records[9] = dict(records[8], content_id=records[8]["content_id"] + 1000)  # one article under two ids
    records[12]["attaches"] = records[13]["attaches"] = [{"token": "5550001"}, {"token": "5550001"}]
    _write(tmp_path / "a.json", records[:20], "pages")
    _write(tmp_path / "b.jsonl", records[18:] + [records[0]], "jsonl")  # duplicates across files
    (tmp_path / "suite.json").write_text(json.dumps(SPARK_SUITE))
    driver_rows, given_back = [], []
    original_add, original_extract = spark_facts.SparkFacts.add, spark_facts.SparkFacts.extract
    monkeypatch.setattr(spark_facts.SparkFacts, "add", lambda self, ref, facts: driver_rows.append(ref) or original_add(self, ref, facts))

    def extract(self, rows):
        table = original_extract(self, rows)
        given_back.append(len(table))
        return table

    monkeypatch.setattr(spark_facts.SparkFacts, "extract", extract)
    monkeypatch.setattr(_expect.GxEvaluator, "evaluate", lambda *a, **k: pytest.fail("GX was asked"))
    code, out, err = _same("--format", "json", "--expectations", "suite.json", ".", cwd=tmp_path, code=1)
    found = json.loads(out)
    dataset = [f for f in found if f["rule"].startswith("FL6")]
    assert {"FL601", "FL602", "FL603", "FL604", "FL605", "FL606", "FL690"} <= {f["rule"] for f in dataset}
    assert {f["record"] for f in dataset if f["message"].startswith('content_id "510004" of portal 2')} == {4, 10}  # the string id told apart
    assert {f["record"] for f in dataset if f["message"].startswith("content_id 510006 of portal 2")} == {5, 6}  # 510006.0 == 510006
    assert not driver_rows  # fact rows stayed in Spark
    assert 0 < sum(given_back) <= len(dataset) + sum(len(f.get("related", ())) for f in dataset)  # each row given back is a finding's or one of its related places (FL606: one finding per group)
    assert any(f.get("related") for f in dataset if f["rule"] == "FL606")  # a grouped finding's related places, the same on Spark (_same)


def test_profile_identities_are_unique_per_site_on_spark(spark, small_splits, tmp_path, monkeypatch):
    """FL601 on WordPress (per site, across files), Ghost (current and 0.x) and JSON Feed (per file) records beside a
    CMS export: the Spark evaluator's findings are the local engine's (messages, positions, fingerprints)."""
    from test_dataset_profiles import _profile_runs

    from feedlint.rules import _expect

    monkeypatch.setattr(_expect.GxEvaluator, "evaluate", lambda *a, **k: pytest.fail("GX was asked"))
    for files in _profile_runs(tmp_path):
        code, out, _ = _same("--format", "json", "--select", "FL601", *files, cwd=tmp_path, code=1)
        found = json.loads(out)
        assert {f["file"] for f in found} == {"p1.json", "p2.json", "g.json", "g0.json", "f.json"}
        assert all(f["pointer"].endswith("/id") and "portal" not in f["message"] for f in found)
