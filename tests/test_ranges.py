"""Ranges mode of parallel runs (``--jobs N``): every way we could think of to make it differ from a serial run.

In ranges mode the main process only guesses where byte ranges of a plain JSON
file begin; workers read, split and check their own range and the main process
chains the ranges and shifts positions, record numbers and pointers into place
(see ``feedlint/ranges/`` and ``feedlint/parallel.py``).  The oracle is
always the serial run (``--jobs 1``): stdout, stderr and exit code must be
byte-identical.  Ranges are made tiny (a few hundred bytes, a handful of
records before the pool starts) so that one small file has many of them, and
the in-process runs spy on the main process to prove the ranges path (and its
recut / give-up branches) really ran.  Positions are also checked against the
file text itself, never only against another run.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path

import pytest

from conftest import base_record, line_col, run_cli

EMOJI = "\U0001F600"  # astral: two UTF-16 code units
PAPER = "\U0001F4F0"
MOJI = "Caf\u00c3\u00a9"  # "Café" decoded as Windows-1252: a mojibake finding at an exact span

TINY = {"FEEDLINT_RANGE_BYTES": "700", "FEEDLINT_PARALLEL_MIN_RECORDS": "3"}


# -- inputs ------------------------------------------------------------------------------


def make_record(i: int, nested: int = 0, entity: bool = False) -> dict:
    """A small record with defects that depend on ``i`` (entities, mojibake, dates), non-ASCII and astral text.

    ``nested``: a ``related`` list of that many objects that begin exactly like
    a record (``{"content_id":``), so guessed range starts land inside records.
    ``entity``: every record (not every third) has an undecoded entity.
    """
    r = base_record(content_id=900000 - i)
    para = f"Riverside tram item {i} was approved\u2019s way on Tuesday"
    if entity or i % 3 == 0:
        para = para.replace("\u2019", "&#39;")  # undecoded entity in a plain-text field
    r["content_body"] = f"{para}.\r\n\r\nSecond paragraph {i}, \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 {EMOJI}."
    r["content_html"] = (
        f'<p><span style="font-size:16px;">{para}.</span></p>\r\n\r\n<p>&nbsp;</p>\r\n\r\n'
        f'<p><span style="font-size:16px;">Second paragraph {i}, \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 {EMOJI}.</span></p>'
    )
    if i % 4 == 1:
        r["content_title"] = f"{PAPER}{EMOJI} {MOJI} #{i}: tram reopens"
    else:
        r["content_title"] = f"Tram {i} reopens \u201cafter\u201d repairs {EMOJI}"
    if i % 5 == 2:
        r["content_date_last_edit"] = "2026-05-12 08:00:00"  # before creation
    if nested:
        r["related"] = [{"content_id": 800000 + i * 1000 + j, "title": f"rel {j} {EMOJI}"} for j in range(nested)]
    return r


def compact(value) -> str:
    """The CMS's own style: compact, non-ASCII raw, ``/`` escaped."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


PAGE_SIZES = [3, 0, 1, 4, 1, 0, 0, 2, 1, 5, 1, 1]  # empty pages, single-record pages


def paged(records: list, sizes=PAGE_SIZES) -> list[list]:
    pages, i, k = [], 0, 0
    while i < len(records):
        n = sizes[k % len(sizes)] if k else max(sizes[0], 1)
        pages.append(records[i : i + n])
        i += n
        k += 1
    return pages


def layout_text(records: list, layout: str) -> str:
    if layout == "pages":
        return compact(paged(records))
    if layout == "array":
        return compact(records)
    if layout == "jsonl":
        return "".join(compact(r) + "\n" for r in records)
    if layout == "jsonl-crlf":
        return "".join(compact(r) + "\r\n" for r in records)
    if layout == "pages-spaced":  # newlines and blanks between records and pages, records compact
        return "[\n" + ",\n\n".join("  [" + "".join(f"\n    {compact(r)}" + ("," if j < len(p) - 1 else "") for j, r in enumerate(p)) + "\n  ]" for p in paged(records)) + "\n]\n"
    if layout == "array-crlf-spaced":
        return "[\r\n" + ",\r\n \t".join(compact(r) for r in records) + "\r\n]\r\n"
    if layout == "multiline-records":  # a newline after every comma, even inside a record: lines shift inside records
        return json.dumps(paged(records), ensure_ascii=False, separators=(",\n", ":"))
    if layout == "jsonl-glued":  # records back to back, no separator at all
        return "".join(compact(r) for r in records)
    if layout == "pretty":
        return json.dumps(paged(records), ensure_ascii=False, indent=2) + "\n"
    raise AssertionError(layout)


RANGED_LAYOUTS = ["pages", "array", "jsonl", "jsonl-crlf", "pages-spaced", "array-crlf-spaced", "multiline-records", "jsonl-glued"]
N_RECORDS = 60


def write(path: Path, text: str, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("ranges")
    records = [make_record(i) for i in range(N_RECORDS)]
    out = {name: write(d / f"{name}.json", layout_text(records, name)) for name in [*RANGED_LAYOUTS, "pretty"]}
    out["pages-bom"] = write(d / "pages-bom.json", layout_text(records, "pages"), bom=True)
    out["jsonl-bom"] = write(d / "jsonl-bom.jsonl", layout_text(records, "jsonl-crlf"), bom=True)
    return out


# -- running --------------------------------------------------------------------------------


def cli_same(path: Path, *extra: str, jobs=("2",), env=None, code: int = 1):
    """The CLI's stdout, stderr and exit code with ``--jobs 1`` and each of ``jobs``: all byte-identical; the serial result."""
    env = dict(TINY if env is None else env)
    args = ("check", "--format", "json", *extra, path.name)
    serial = run_cli(*args, "--jobs", "1", cwd=path.parent, env=env)
    assert serial.returncode == code, serial.stderr
    assert "Traceback" not in serial.stderr
    for j in jobs:
        par = run_cli(*args, "--jobs", j, cwd=path.parent, env=env)
        assert par.stderr == serial.stderr, f"--jobs {j}"
        assert par.returncode == serial.returncode, f"--jobs {j}"
        assert par.stdout == serial.stdout, f"--jobs {j}: stdout differs"
    return serial


# (name counted, module, class or None, attribute): the main process's side of both paths
SPIED = [("_drain_range", "feedlint.ranges.pool", None, "drain"), ("_drain_records", "feedlint.parallel", None, "_drain_records")] + [
    (name, "feedlint.ranges.pool", "Ranges", name) for name in ("recut", "missed", "give_up", "records_from_known")
]


def engine_run(path: Path, jobs: int, monkeypatch, range_bytes: int = 700, min_records: int = 3, ignore=("FL6",), rules=None):
    """Run the real engine in this process; returns (comparable result, calls of the main-process functions spied on).

    The knobs are the plan's tuning (workers are forked, so the spies run in
    this process).  ``rules``: a plan of just these rules (severity warning)
    instead of the built-ins.
    """
    import importlib

    from feedlint.config import Config
    from feedlint.engine import ActiveRule, Engine, Plan
    from feedlint.planning import Choices, build_plan
    from feedlint.reader.positions import region_fields
    from feedlint.registry import load_catalogue
    from feedlint.tuning import Tuning

    tuning = Tuning(parallel_min_records=min_records, range_bytes=range_bytes, start_method="fork")
    calls: Counter = Counter()
    for name, module, owner, attr in SPIED:
        target = importlib.import_module(module)
        target = getattr(target, owner) if owner else target
        real = getattr(target, attr)

        def spy(*a, _real=real, _name=name, **k):
            calls[_name] += 1
            return _real(*a, **k)

        monkeypatch.setattr(target, attr, spy)
    if rules is None:
        plan = build_plan(load_catalogue(plugins=False), Config(), Choices(ignore=list(ignore), tuning=tuning))
    else:
        plan = Plan([ActiveRule(r, "warning", {}) for r in rules], tuning=tuning)
    engine = Engine(plan, jobs)
    findings = [(f.as_dict(), region_fields(f.region)) for f in engine.run([str(path)])]
    result = {
        "findings": findings,
        "errors": [str(e) for e in engine.errors],
        "internal": list(engine.internal_errors),
        "records": engine.stats.records,
        "file_records": [f.records for f in engine.files],
    }
    monkeypatch.undo()
    return result, calls


def same_in_process(path: Path, monkeypatch, jobs: int = 2, **kw):
    serial, _ = engine_run(path, 1, monkeypatch, **kw)
    par, calls = engine_run(path, jobs, monkeypatch, **kw)
    assert par["errors"] == serial["errors"]
    assert par["internal"] == serial["internal"]
    assert par["findings"] == serial["findings"]
    assert par["records"] == serial["records"] and par["file_records"] == serial["file_records"]
    return serial, calls


def late_findings(result_or_stdout, at_least: int) -> list:
    """Findings of records numbered ``at_least`` or more (so a test fails if later ranges lose or misplace them)."""
    if isinstance(result_or_stdout, str):
        found = json.loads(result_or_stdout)
    else:
        found = [d for d, _ in result_or_stdout["findings"]]
    late = [f for f in found if f["record"] is not None and f["record"] >= at_least]
    assert late, f"no finding in records >= {at_least}"
    return late


# -- 1. layouts -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*RANGED_LAYOUTS, "pages-bom", "jsonl-bom"])
def test_layout_cli_output_identical_to_serial(files, name):
    out = cli_same(files[name], "--ignore", "FL6", jobs=("2", "3") if name == "pages" else ("2",))
    late = late_findings(out.stdout, N_RECORDS - 10)
    assert {f["rule"][:3] for f in late} >= {"FL2", "FL3"}


@pytest.mark.parametrize("name", [*RANGED_LAYOUTS, "pages-bom"])
def test_layout_really_read_by_ranges_in_process(files, name, monkeypatch):
    serial, calls = same_in_process(files[name], monkeypatch)
    assert calls["_drain_range"] >= 5, calls  # many ranges, all drained in the main process
    assert calls["give_up"] == 0 and calls["_drain_records"] <= 1, calls  # no fallback to records on a clean file
    late_findings(serial, N_RECORDS - 5)


def test_pretty_printed_file_is_not_ranged_and_still_identical(files, monkeypatch):
    cli_same(files["pretty"], "--ignore", "FL6", jobs=("2", "3"))
    serial, calls = same_in_process(files["pretty"], monkeypatch)
    assert calls["_drain_range"] == 0 and calls["recut"] == 0 and calls["_drain_records"] >= 1, calls
    late_findings(serial, N_RECORDS - 5)


def test_page_boundaries_at_cuts(tmp_path, monkeypatch):
    """Cuts are placed on the first record of a page (after ``],[``) and of a page after empty ones; every range size from 1 byte up."""
    from feedlint.ranges.cut import cuts

    records = [make_record(i) for i in range(40)]
    sizes = [1, 0, 1, 0, 0, 1, 2, 1]
    text = compact(paged(records, sizes))
    p = write(tmp_path / "single.json", text)
    data = text.encode("utf-8")
    first = data.index(b'{"content_id":', 1)
    page_firsts = {m for m in range(len(data)) if data.startswith(b'{"content_id":', m) and data[:m].rstrip(b" ").endswith(b"[")}
    steps_hitting_pages = []
    with open(p, "rb") as fh:
        for step in (1, 300, 1500, 2400):
            stops = [b for _, b in cuts(fh.fileno(), 0, first, b'{"content_id":', len(data), step) if b is not None]
            if page_firsts & set(stops):
                steps_hitting_pages.append(step)
    assert steps_hitting_pages, "no cut fell on a page start: the test would not test that"
    for step in (300, 1500):
        serial, calls = same_in_process(p, monkeypatch, range_bytes=step)
        assert calls["_drain_range"] >= 3
        late_findings(serial, 35)
    cli_same(p, "--ignore", "FL6", env={"FEEDLINT_RANGE_BYTES": "1", "FEEDLINT_PARALLEL_MIN_RECORDS": "1"}, jobs=("2", "3"))


@pytest.mark.parametrize("size", ["0", "-100"])
def test_range_size_zero_or_negative_does_not_hang(files, size):
    """FEEDLINT_RANGE_BYTES=0 (or below): a range must still move forward; the run ends with the serial output."""
    import subprocess

    from conftest import feedlint_cmd

    path = files["array"]
    args = [*feedlint_cmd(), "check", "--format", "json", "--ignore", "FL6", path.name]
    env = dict(os.environ, NO_COLOR="1", FEEDLINT_RANGE_BYTES=size, FEEDLINT_PARALLEL_MIN_RECORDS="3")
    serial = subprocess.run([*args, "--jobs", "1"], cwd=path.parent, env=env, capture_output=True, text=True, timeout=60)
    try:
        par = subprocess.run([*args, "--jobs", "2"], cwd=path.parent, env=env, capture_output=True, text=True, timeout=8)
    except subprocess.TimeoutExpired:
        pytest.fail(f"--jobs 2 with FEEDLINT_RANGE_BYTES={size} still running after 8 s (the serial run takes well under 1 s)")
    assert (par.returncode, par.stdout, par.stderr) == (serial.returncode, serial.stdout, serial.stderr)


def test_few_records_after_the_head(tmp_path, monkeypatch):
    """Exactly one record after the ones read first (the range is the last record alone), and none (no ranges)."""
    records = [make_record(i) for i in range(6)]
    p = write(tmp_path / "six.json", compact([records]))
    for min_records in (5, 6, 7):
        serial, calls = same_in_process(p, monkeypatch, min_records=min_records)
        assert any(d["record"] == 5 for d, _ in serial["findings"])  # the last record's mojibake
        assert calls["_drain_range"] == (1 if min_records == 5 else 0), (min_records, calls)
    env = {"FEEDLINT_RANGE_BYTES": "300", "FEEDLINT_PARALLEL_MIN_RECORDS": "5"}
    out = cli_same(p, "--ignore", "FL6", env=env)
    assert any(f["record"] == 5 for f in json.loads(out.stdout))


# -- 2. positions --------------------------------------------------------------------------------


def expected_mojibake(text: str, i: int) -> tuple:
    """(line, column, column16, offset, offset16) of record ``i``'s mojibake, computed from the file text alone."""
    at = text.index(f"{MOJI} #{i}:") + 3  # the "Ã" of "CafÃ©"
    line, column = line_col(text, at)
    line_start = text.rfind("\n", 0, at) + 1
    astral_in_line = sum(1 for ch in text[line_start:at] if ord(ch) > 0xFFFF)
    astral_before = sum(1 for ch in text[:at] if ord(ch) > 0xFFFF)
    return line, column, column + astral_in_line, at, at + astral_before


@pytest.mark.parametrize("name", ["pages", "jsonl-crlf", "pages-spaced", "array-crlf-spaced", "multiline-records", "pages-bom"])
def test_positions_after_shifting_match_the_file_text(files, name, monkeypatch):
    """Astral characters, non-ASCII and newlines before each cut: the mojibake of late records is located exactly."""
    path = files[name]
    text = path.read_bytes().decode("utf-8-sig")
    serial, calls = same_in_process(path, monkeypatch, range_bytes=500)
    assert calls["_drain_range"] >= 5
    checked = 0
    for d, fields in serial["findings"]:
        if d["rule"] != "FL204" or d["record"] < 20:
            continue
        i = d["record"]
        line, column, column16, offset, offset16 = expected_mojibake(text, i)
        assert (d["line"], d["column"], d["column_utf16"], d["offset"]) == (line, column, column16, offset), d
        assert (fields[0], fields[1], fields[4], fields[6], fields[8]) == (line, column, column16, offset, offset16)
        assert text[d["offset"] : d["offset"] + d["length"]] == "\u00c3\u00a9"
        checked += 1
    assert checked >= 8
    if name in ("jsonl-crlf", "multiline-records", "pages-spaced"):
        assert max(d["line"] for d, _ in serial["findings"]) > 20  # multi-line file: lines were shifted


# -- 3. wrong guesses ------------------------------------------------------------------------------


def nested_records(n: int, every: int, nested: int) -> list:
    return [make_record(i, nested=nested if i % every == 2 else 0) for i in range(n)]


@pytest.mark.parametrize("layout", ["pages", "array", "jsonl"])
def test_guesses_inside_records_are_recut(tmp_path, layout, monkeypatch):
    """A few records hold long lists of objects that begin like records: cuts land inside them, the chain recuts."""
    records = nested_records(50, 12, 40)  # 4 records with ~1.7 KB of look-alike objects each
    p = write(tmp_path / f"nested-{layout}.json", layout_text(records, layout))
    serial, calls = same_in_process(p, monkeypatch, range_bytes=400)
    assert calls["missed"] >= 1, calls  # a guess fell inside a record ...
    assert calls["recut"] >= 2 and calls["give_up"] == 0, calls  # ... and was cut again, ranges kept going
    late_findings(serial, 45)
    cli_same(p, "--ignore", "FL6", env={"FEEDLINT_RANGE_BYTES": "400", "FEEDLINT_PARALLEL_MIN_RECORDS": "3"}, jobs=("2", "3"))


def test_guesses_that_keep_missing_give_up_and_stay_identical(tmp_path, monkeypatch):
    """Every record full of look-alikes: after repeated misses the rest is read in the main process, same output."""
    records = nested_records(40, 1, 30)
    for r in records:
        r["related"] = [{"content_id": 1, "t": "x"}] * 30
    p = write(tmp_path / "all-nested.json", layout_text(records, "pages"))
    serial, calls = same_in_process(p, monkeypatch, range_bytes=300)
    assert calls["missed"] >= 1, calls
    late_findings(serial, 35)
    cli_same(p, "--ignore", "FL6", env={"FEEDLINT_RANGE_BYTES": "300", "FEEDLINT_PARALLEL_MIN_RECORDS": "3"})


def test_nested_look_alike_is_the_last_thing_in_the_file(tmp_path, monkeypatch):
    """The last record's look-alikes: a guess inside the last record, the range before reads to the end of the file."""
    records = [make_record(i) for i in range(12)] + [make_record(12, nested=50)]
    for layout in ("pages", "jsonl"):
        p = write(tmp_path / f"last-{layout}.json", layout_text(records, layout))
        serial, calls = same_in_process(p, monkeypatch, range_bytes=500)
        assert calls["_drain_range"] >= 2
        assert any(d["record"] == 12 for d, _ in serial["findings"])


def test_records_that_are_not_objects_and_look_alikes_inside_them(tmp_path, monkeypatch):
    """Later elements that are null, text, numbers or arrays (one holding a record look-alike): read, numbered and placed like serially."""
    records: list = [make_record(i) for i in range(30)]
    for at, odd in ((12, None), (15, "text"), (18, 5), (21, []), (24, [make_record(99)]), (27, {"no_id": True})):
        records.insert(at, odd)
    for layout in ("array", "pages", "jsonl"):
        p = write(tmp_path / f"odd-{layout}.json", layout_text(records, layout))
        serial, calls = same_in_process(p, monkeypatch, range_bytes=600)
        assert calls["_drain_range"] >= 3, calls
        late_findings(serial, 30)
        assert {d["record"] for d, _ in serial["findings"]} >= {12, 15, 18, 21, 24}  # the schema says what each is not
    cli_same(p, "--ignore", "FL6", env={"FEEDLINT_RANGE_BYTES": "600", "FEEDLINT_PARALLEL_MIN_RECORDS": "3"})


def test_a_record_larger_than_the_workers_window(tmp_path, monkeypatch):
    """One late record of ~300 KB (more than a range's window of its size + 64 KB), look-alikes inside it: located exactly."""
    records = [make_record(i) for i in range(20)]
    big = make_record(13)  # 13 % 4 == 1: a mojibake title, after the big body in the file
    big["content_body"] = ("Long paragraph \u00e9 " + EMOJI + "\r\n") * 12000
    big["related"] = [{"content_id": j, "t": "y" * 200} for j in range(300)]
    big = {k: big[k] for k in ["content_id", "content_body", "related", *[k for k in big if k not in ("content_id", "content_body", "related")]]}
    records[13] = big
    for layout in ("pages", "jsonl-crlf"):
        p = write(tmp_path / f"big-{layout}.json", layout_text(records, layout))
        text = p.read_bytes().decode("utf-8")  # not read_text: CRLF must stay two characters
        serial, calls = same_in_process(p, monkeypatch, range_bytes=2000)
        assert calls["_drain_range"] >= 2, calls
        ((d, fields),) = [(d, f) for d, f in serial["findings"] if d["rule"] == "FL204" and d["record"] == 13]
        line, column, column16, offset, offset16 = expected_mojibake(text, 13)
        assert (fields[0], fields[1], fields[4], fields[6], fields[8]) == (line, column, column16, offset, offset16)
        late_findings(serial, 17)


# -- 4. malformed input in a later range ---------------------------------------------------------------


def _late(text: str) -> int:
    """Offset of the start of the third record from the end."""
    at = len(text)
    for _ in range(3):
        at = text.rindex('{"content_id":', 0, at)
    return at


BREAKAGES = {
    "truncated": lambda t: t[: _late(t) + 500],
    "bad-token": lambda t: t[: _late(t)] + '{"content_id": tru}' + t[_late(t) :],
    "trailing-comma": lambda t: t.rstrip()[:-2] + ",]]",
    "extra-data": lambda t: t + ' {"content_id": 1}',
    "page-not-array": lambda t: t.rstrip()[:-1] + ',{"content_id": 5}]',
    "missing-comma": lambda t: t[: _late(t) - 1] + t[_late(t) :],
    "unclosed-page": lambda t: t.rstrip()[:-1],
}


@pytest.fixture(scope="module")
def clean_pages_text() -> str:
    """Every record has a finding: one lost just before the error shows."""
    return layout_text([make_record(i, entity=True) for i in range(N_RECORDS)], "pages")


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_malformed_later_range_same_error_and_findings_before_it(tmp_path, clean_pages_text, name, monkeypatch):
    p = write(tmp_path / "broken.json", BREAKAGES[name](clean_pages_text))
    out = cli_same(p, "--ignore", "FL6", code=2)
    (message,) = [ln for ln in out.stderr.splitlines() if ln.startswith("broken.json:")]
    assert message.startswith("broken.json:1:") and "invalid" in message, message
    late_findings(out.stdout, 40)
    serial, calls = same_in_process(p, monkeypatch)
    assert calls["_drain_range"] >= 3 and calls["give_up"] + calls["_drain_range"] >= 4, calls


def test_invalid_utf8_in_a_later_range(tmp_path, clean_pages_text, monkeypatch):
    data = clean_pages_text.encode("utf-8")
    at = data.index(b"Second paragraph 55")
    p = tmp_path / "badutf8.json"
    p.write_bytes(data[:at] + b"\xff" + data[at:])
    out = cli_same(p, "--ignore", "FL6", jobs=("2", "3"), code=2)
    assert f"invalid UTF-8 (byte 0xff at byte offset {at})" in out.stderr
    line, column = line_col(clean_pages_text, len(data[:at].decode("utf-8")))
    assert f"badutf8.json:{line}:{column}:" in out.stderr
    late_findings(out.stdout, 50)
    serial, calls = same_in_process(p, monkeypatch)
    assert calls["give_up"] >= 1, calls  # the worker of that range hit the bad byte
    assert serial["errors"] and "0xff" in serial["errors"][0]


def test_error_after_the_last_record_keeps_that_records_findings(tmp_path):
    """A trailing comma after the last record: that record was read whole, its findings are reported (as serially)."""
    records = [make_record(i, entity=True) for i in range(12)]
    p = write(tmp_path / "trail.json", compact([records])[:-2] + ",]]")
    env = {"FEEDLINT_RANGE_BYTES": "3000", "FEEDLINT_PARALLEL_MIN_RECORDS": "3"}
    out = cli_same(p, "--ignore", "FL6", env=env, code=2)
    assert "invalid JSON: trailing comma" in out.stderr
    assert {f["record"] for f in json.loads(out.stdout)} == set(range(12))


def test_record_chunks_keep_the_records_read_before_an_error(tmp_path):
    """The record path (here: gzip) the ranges fall back to: an error mid-chunk must not lose the chunk's earlier records."""
    import gzip

    records = [make_record(i, entity=True) for i in range(12)]
    (tmp_path / "trail.json.gz").write_bytes(gzip.compress((compact([records])[:-2] + ",]]").encode("utf-8")))
    out = cli_same(tmp_path / "trail.json.gz", "--ignore", "FL6", code=2)
    assert {f["record"] for f in json.loads(out.stdout)} == set(range(12))


def test_malformed_json_lines_and_bom_located_exactly(tmp_path, monkeypatch):
    """JSON Lines with CRLF and a BOM, bad line near the end: the error's line is the file's, not the range's."""
    records = [make_record(i) for i in range(40)]
    lines = [compact(r) for r in records]
    lines[36] = '{"content_id": 1, "x": }'
    p = write(tmp_path / "bad.jsonl", "\r\n".join(lines) + "\r\n", bom=True)
    out = cli_same(p, "--ignore", "FL6", code=2)
    assert f"bad.jsonl:37:{lines[36].index('}') + 1}: invalid JSON: expected a value (string, number, object, array, true, false or null), found '}}'" in out.stderr  # the BOM is not a column
    late_findings(out.stdout, 30)
    serial, calls = same_in_process(p, monkeypatch)
    assert calls["give_up"] >= 1 or calls["_drain_range"] >= 3


# -- 5. dataset rules and SARIF ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset_file(tmp_path_factory) -> Path:
    """Duplicates across ranges (the same content id and title far apart) so FL6xx findings need facts from workers."""
    records = [make_record(i) for i in range(N_RECORDS)]
    for k in (7, 41, 58):
        records[k]["content_id"] = records[3]["content_id"]
        records[k]["content_title"] = records[3]["content_title"]
    d = tmp_path_factory.mktemp("dataset")
    return write(d / "dups.json", layout_text(records, "pages-spaced"))


def test_dataset_rules_identical_with_facts_from_ranges(dataset_file, monkeypatch):
    out = cli_same(dataset_file, jobs=("2", "3"))
    fl6 = [f for f in json.loads(out.stdout) if f["rule"].startswith("FL6")]
    dup = [f for f in fl6 if f["content_id"] == 899997]
    assert sorted({f["record"] for f in dup} - {3}) == [7, 41, 58], dup
    serial, calls = same_in_process(dataset_file, monkeypatch, ignore=())
    assert calls["_drain_range"] >= 5
    only = cli_same(dataset_file, "--select", "FL601")  # no record rule at all: the workers only gather facts
    assert {f["record"] for f in json.loads(only.stdout)} >= {3, 7, 41, 58}


def test_stdin_spooled_for_dataset_rules_identical(dataset_file):
    """With dataset rules stdin is copied to a temporary file first (a plain file: ranges may read it)."""
    text = dataset_file.read_text(encoding="utf-8")
    outs = [run_cli("check", "--format", "json", "--jobs", j, "-", cwd=dataset_file.parent, input=text, env=dict(TINY)) for j in ("1", "2")]
    assert outs[0].returncode == outs[1].returncode == 1
    assert (outs[1].stdout, outs[1].stderr) == (outs[0].stdout, outs[0].stderr)
    found = json.loads(outs[0].stdout)
    assert any(f["rule"].startswith("FL6") and f["record"] == 58 for f in found)
    reached = [f["record"] or 0 for f in found] + [r["record"] for f in found for r in f.get("related", ())]  # FL606's shared token: one finding, the others related
    assert max(reached) == N_RECORDS - 1


def test_sarif_identical(dataset_file):
    env = dict(TINY)
    args = ("check", "--format", "sarif", dataset_file.name)
    serial = run_cli(*args, "--jobs", "1", cwd=dataset_file.parent, env=env)
    par = run_cli(*args, "--jobs", "2", cwd=dataset_file.parent, env=env)
    assert serial.returncode == par.returncode == 1
    assert (par.stdout, par.stderr) == (serial.stdout, serial.stderr)
    results = json.loads(serial.stdout)["runs"][0]["results"]
    assert len(results) > 30


def test_text_format_and_summary_identical(files):
    env = dict(TINY)
    for name in ("pages-spaced", "jsonl-crlf"):
        args = ("check", "--format", "text", files[name].name)
        serial = run_cli(*args, "--jobs", "1", cwd=files[name].parent, env=env)
        par = run_cli(*args, "--jobs", "2", cwd=files[name].parent, env=env)
        assert serial.returncode == par.returncode == 1
        assert (par.stdout, par.stderr) == (serial.stdout, serial.stderr)


def test_suppressions_and_their_use_counts_identical(files, tmp_path):
    """Suppressions by content id (a late record), by pointer and rule, and one never used: same findings, same notices."""
    text = files["jsonl-crlf"].read_bytes()
    p = tmp_path / "s.jsonl"
    p.write_bytes(text)
    (tmp_path / "feedlint.toml").write_text(
        '[[suppress]]\ncontent-id = 899950\nreason = "late record"\n\n'
        '[[suppress]]\npath = "s.jsonl"\npointer = "/content_date_last_edit"\nreason = "dates"\n\n'
        '[[suppress]]\ncontent-id = 1\nreason = "never used"\n'
    )
    out = cli_same(p, "--ignore", "FL6", jobs=("2", "3"))
    found = json.loads(out.stdout)
    assert 899950 not in {f["content_id"] for f in found}
    assert not any(f["pointer"].endswith("/content_date_last_edit") for f in found)
    assert "never used" in out.stderr or "content-id 1" in out.stderr
    late_findings(out.stdout, 50)


def test_several_files_in_one_run_share_the_pool(files):
    """Ranges of several files through one pool (each worker keeps one file open), dataset rules across files."""
    d = files["pages"].parent
    env = dict(TINY)
    args = ("check", "--format", "json", files["pages"].name, files["jsonl-bom"].name, files["multiline-records"].name, files["pretty"].name)
    serial = run_cli(*args, "--jobs", "1", cwd=d, env=env)
    par = run_cli(*args, "--jobs", "2", cwd=d, env=env)
    assert serial.returncode == par.returncode == 1
    assert (par.stdout, par.stderr) == (serial.stdout, serial.stderr)
    found = json.loads(serial.stdout)
    assert {f["file"] for f in found if (f["record"] or 0) > 50} >= {files["pages"].name, files["jsonl-bom"].name, files["multiline-records"].name}


def test_spawned_workers_read_ranges_too(files):
    env = dict(TINY, FEEDLINT_START_METHOD="spawn")
    cli_same(files["array-crlf-spaced"], "--ignore", "FL6", env=env)


# -- 6. in-process: crashing rules, plugin rules ----------------------------------------------------------

from feedlint.api import Hit, rule  # noqa: E402


@rule("XR001", "crashes-on-some-records")
def crashes_on_some_records(record, options):
    """Raises on every seventh content id (a crash inside a worker's range)."""
    if record.content_id % 7 == 3:
        raise RuntimeError(f"boom {record.content_id}")
    title = record.get("content_title") or ""
    if EMOJI in title:
        yield Hit("/content_title", "emoji in title", evidence=EMOJI, span=(title.index(EMOJI), title.index(EMOJI) + 1))


@rule("XR002", "title-seen")
def title_seen(record, options):
    """Reports every title (a rule from outside feedlint)."""
    yield Hit("/content_title", "title", evidence=str(record.content_id))


def test_rule_crash_in_a_range_names_the_same_records(files, monkeypatch):
    for name in ("pages", "jsonl-crlf"):
        serial, _ = engine_run(files[name], 1, monkeypatch, rules=[crashes_on_some_records])
        par, calls = engine_run(files[name], 2, monkeypatch, rules=[crashes_on_some_records])
        assert calls["_drain_range"] >= 1 and calls["give_up"] >= 1, calls
        assert par == serial
        assert len(serial["internal"]) >= 5
        crash_records = [int(m.split(" record ")[1].split(":")[0]) for m in serial["internal"]]
        assert max(crash_records) > 50
        assert all((900000 - r) % 7 == 3 for r in crash_records)  # the records named are the ones that crashed
        late_findings(serial, 50)


@rule("XR003", "index-in-message", reads_place=True)
def index_in_message(record, options):
    """Names the record's number and pointer (declares it reads them)."""
    yield Hit("/content_title", f"record {record.index} at {record.pointer}")


@rule("XR004", "index-read-undeclared")
def index_read_undeclared(record, options):
    """Reads the record's number without declaring it, and hides errors (what a careless plugin does)."""
    try:
        n = record.index
    except Exception:  # noqa: BLE001 - PlaceUnknown is not an Exception: it is not swallowed here
        n = -1
    yield Hit("/content_title", f"record {n}")


def test_rule_from_outside_feedlint_reads_ranges(files, monkeypatch):
    """Where a rule comes from does not matter: one that does not read a record's place gets ranges."""
    serial, _ = engine_run(files["pages"], 1, monkeypatch, rules=[title_seen])
    par, calls = engine_run(files["pages"], 2, monkeypatch, rules=[title_seen])
    assert par == serial and len(serial["findings"]) == N_RECORDS
    assert calls["_drain_range"] >= 1 and calls["give_up"] == 0, calls


def test_a_rule_declaring_reads_place_gets_records(files, monkeypatch):
    from feedlint.registry import load_catalogue

    builtin = [r for r in load_catalogue(plugins=False).rules if r.scope == "record" and r.id in ("FL201", "FL204")]
    serial, _ = engine_run(files["jsonl"], 1, monkeypatch, rules=[*builtin, index_in_message])
    par, calls = engine_run(files["jsonl"], 2, monkeypatch, rules=[*builtin, index_in_message])
    assert par == serial
    assert calls["_drain_range"] == 0 and calls["_drain_records"] >= 1
    messages = [f["message"] for f, _ in serial["findings"] if f["rule"] == "XR003"]
    assert messages == [f"record {i} at " for i in range(N_RECORDS)]  # JSON Lines: each line is its own document (pointer "")


def test_a_rule_reading_place_undeclared_gets_exact_numbers_all_the_same(files, monkeypatch):
    """The guarantee is the seam's, not the rule's: in a range the place is unknown, the worker gives the range back."""
    for name in ("pages", "jsonl"):
        serial, _ = engine_run(files[name], 1, monkeypatch, rules=[index_read_undeclared])
        par, calls = engine_run(files[name], 2, monkeypatch, rules=[index_read_undeclared])
        assert par == serial, name
        assert [f["message"] for f, _ in par["findings"]] == [f"record {i}" for i in range(N_RECORDS)]
        assert calls["give_up"] >= 1 and calls["_drain_records"] >= 1, calls


def test_a_record_in_a_range_does_not_know_its_place():
    from feedlint.api import PlaceUnknown
    from feedlint.model import Record

    known = Record({"content_id": 1}, "cms", 4, "/0/4")
    assert (known.index, known.pointer) == (4, "/0/4")
    unknown = Record({"content_id": 1}, "cms", None, None)
    assert unknown.content_id == 1
    for name in ("index", "pointer"):
        with pytest.raises(PlaceUnknown):
            getattr(unknown, name)
    assert not issubclass(PlaceUnknown, Exception)


# -- 7. units: cursors and cuts ---------------------------------------------------------------------------

ALPHABET = ["a", "b", " ", "\n", "\r", "\u00e9", "\u0645", "\u200c", EMOJI, PAPER, "\u2019"]


def random_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def test_cursor_then_equals_advance_over_concatenated_text():
    from feedlint.reader.positions import Cursor

    rng = random.Random(1234)
    for _ in range(3000):
        x, y = random_text(rng, rng.randint(0, 12)), random_text(rng, rng.randint(0, 12))
        base = Cursor().advance(x)
        assert base.then(Cursor().advance(y)) == Cursor().advance(x + y), (x, y)
        assert base.then(Cursor().advance_bytes(y.encode())) == Cursor().advance(x + y), (x, y)
        start = Cursor(rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 9), rng.randint(0, 99), rng.randint(0, 99))
        assert start.advance(x).then(Cursor().advance(y)) == start.advance(x + y), (start, x, y)


def test_cursor_shift_equals_region_located_in_the_whole_text():
    from feedlint.reader.positions import Cursor, Region, TextIndex, region_fields

    rng = random.Random(99)
    for _ in range(3000):
        x, y = random_text(rng, rng.randint(0, 10)), random_text(rng, rng.randint(1, 14))
        s = rng.randint(0, len(y))
        e = rng.randint(s, len(y))
        rel = Region.indexed(Cursor(), TextIndex(y), s, e)
        whole = Region.indexed(Cursor(), TextIndex(x + y), len(x) + s, len(x) + e)
        assert Cursor().advance(x).shift(region_fields(rel)) == region_fields(whole), (x, y, s, e)
        start = Cursor(3, 5, 6, 40, 41)
        assert start.advance(x).shift(region_fields(rel)) == region_fields(Region.indexed(start, TextIndex(x + y), len(x) + s, len(x) + e))


def test_record_start_then_composes():
    from feedlint.reader.jsonstream import RecordStart
    from feedlint.reader.positions import Cursor

    rng = random.Random(7)
    for _ in range(500):
        x, y = random_text(rng, 8), random_text(rng, 8)
        a = RecordStart(100, Cursor().advance(x), 10, 4, 3)
        same_page = RecordStart(250, Cursor().advance(y), 5, 0, 2)
        got = a.then(same_page)
        assert got == RecordStart(250, Cursor().advance(x + y), 15, 4, 5)
        assert got.pointer("pages") == "/4/5"
        later_page = RecordStart(300, Cursor().advance(y), 7, 2, 1)
        got = a.then(later_page)
        assert got == RecordStart(300, Cursor().advance(x + y), 17, 6, 1)
        assert got.pointer("pages") == "/6/1" and RecordStart(0, Cursor(), 0, 9).pointer("array") == "/9"
        # chaining two relative starts is the same as one
        b = RecordStart(400, Cursor().advance(x + y), 3, 1, 0)
        assert a.then(same_page).then(b) == a.then(RecordStart(400, same_page.cursor.then(b.cursor), 8, 1, 0))


HEAD = b'{"content_id":'


def _cuts(data: bytes, start: int, step: int, bom: int = 0):
    import tempfile

    from feedlint.ranges.cut import cuts

    with tempfile.TemporaryFile() as fh:
        fh.write(data)
        fh.flush()
        return list(cuts(fh.fileno(), bom, start, HEAD, len(data), step))


def check_cuts(data: bytes, start: int, step: int, bom: int = 0) -> list:
    body = data[bom:]
    heads = [m for m in range(len(body)) if body.startswith(HEAD, m)]
    got = _cuts(data, start, step, bom)
    assert got[0][0] == start and got[-1][1] is None
    for (a, b), (c, _) in zip(got, got[1:]):
        assert b == c  # the chain: each range ends where the next begins
    for a, b in got:
        wanted = [h for h in heads if h >= a + step]
        assert b == (wanted[0] if wanted else None), (a, b, step)  # the first head at least step bytes on
    return got


def test_cuts_every_stop_is_the_first_head_at_least_a_step_on():
    rng = random.Random(5)
    for _ in range(200):
        parts = [rng.choice([HEAD + b"1}", b",", b"xx", b"\n", HEAD[:5], b"\xc3\xa9", b"]"]) for _ in range(rng.randint(1, 40))]
        data = b"[" + b"".join(parts)
        bom = rng.choice([0, 3])
        if bom:
            data = b"\xef\xbb\xbf" + data
        step = rng.randint(1, 30)
        check_cuts(data, 0, step, bom)


def test_cuts_find_heads_across_the_read_window_and_far_away():
    from feedlint.ranges.cut import _LOOK

    filler = b"x" * (_LOOK - 5)
    data = b"[" + HEAD + b"1}," + filler + HEAD + b"2}," + b"y" * (3 * _LOOK) + HEAD + b"3}]"
    got = check_cuts(data, 1, 10)
    assert len(got) == 3  # the head straddling a window boundary and the one far beyond are both found
    assert _cuts(data, 1, len(data)) == [(1, None)]  # a step past the end: one range to the end


def test_cuts_no_head_after_the_start_is_one_range():
    data = b"[" + HEAD + b'1,"t":"' + b"z" * 5000 + b'"}]'
    assert _cuts(data, 1, 10) == [(1, None)]
    assert _cuts(data, 1, 1) == [(1, None)]


@pytest.mark.parametrize("function", ["feedlint.ranges.pool:drain", "feedlint.ranges.pool:Ranges.pointer", "feedlint.packed:unpack_findings", "feedlint.parallel:_drain_records"])
def test_main_side_per_record_code_imports_nothing_when_called(function):
    """What the main process runs per record or finding of a range imports at module level: a relative import in a function costs a few microseconds a call (10,000 records: tens of milliseconds)."""
    import dis
    import importlib

    module, _, name = function.partition(":")
    target: object = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    assert not [i for i in dis.get_instructions(target) if i.opname == "IMPORT_NAME"]


def test_cursor_shift_first_line_shortcut_equals_placing_each_end():
    """``Cursor.shift`` places both ends of a region on the range's first line at once: the same as placing each end, on every mix of lines."""
    from feedlint.reader.positions import Cursor

    rng = random.Random(5)
    for _ in range(3000):
        base = Cursor(rng.randint(1, 4), rng.randint(1, 300), rng.randint(1, 300), rng.randint(0, 10**6), rng.randint(0, 10**6))
        start_line, end_line = rng.choice([(1, 1), (1, 2), (2, 2), (1, 5), (3, 7), (2, 1)])
        fields = (start_line, rng.randint(1, 50), end_line, rng.randint(1, 50), rng.randint(1, 60), rng.randint(1, 60), rng.randint(0, 999), rng.randint(0, 99), rng.randint(0, 999), rng.randint(0, 99))
        start = base.shift_cursor((fields[0], fields[1], fields[4], fields[6], fields[8]))
        end = base.shift_cursor((fields[2], fields[3], fields[5], 0, 0))
        assert base.shift(fields) == (start[0], start[1], end[0], end[1], start[2], end[2], start[3], fields[7], start[4], fields[9]), (base, fields)
