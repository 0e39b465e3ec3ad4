"""Scale: the byte reader's edge cases, JSON Lines / gzip / stdin, parallel runs, the no-orjson path.

Positions are always checked against the file text itself (``str.index`` of the
value's literal), never against another run of the reader.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, base_record, export_text, run_cli, line_col
from feedlint.reader.errors import InputError
from feedlint.reader.jsonstream import JsonRecordReader
from feedlint.reader.positions import Cursor
from feedlint.reader.sources import Source
from feedlint.reader.textstream import TextStream

GENERATE = ROOT / "benchmarks" / "generate.py"


def read(data: bytes, chunk: int = 1 << 20) -> list:
    return list(JsonRecordReader(TextStream(io.BytesIO(data), "mem.json", chunk=chunk)).records())




TRICKY = [
    {"content_id": 1, "content_body": '},{"content_id":1}]', "x": "}]]", "y": "{{{", "z": '\\"}', "w": "back\\", "target": "t1"},
    {"content_id": 2, "s": "<style>p{color:red}}</style>", "n": {"a": {"b": [1, {"c": "}"}]}}, "target": "t2"},
    {"content_id": 3, "e": "caf\u00e9 \U0001F600 \u200c", "target": "t3"},
    {"content_id": 4, "empty": {}, "ea": [], "deep": {"a": {"b": {"c": {}}}}, "target": "t4"},
]


def layouts(records: list) -> dict[str, str]:
    return {
        "pages-compact": json.dumps([records[:2], records[2:]], ensure_ascii=False, separators=(",", ":")),
        "pages-pretty": json.dumps([records[:2], records[2:]], ensure_ascii=False, indent=2),
        "array-pretty-crlf": json.dumps(records, ensure_ascii=False, indent=2).replace("\n", "\r\n"),
        "array-ascii": json.dumps(records),
        "jsonl": "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
        "jsonl-crlf": "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in records),
    }


@pytest.mark.parametrize("name", list(layouts(TRICKY)))
@pytest.mark.parametrize("chunk", [5, 64, 333, 1 << 20])
def test_tricky_records_any_window_exact_data_and_positions(name, chunk):
    """Braces and quotes inside strings, records straddling windows, pretty, CRLF, JSON Lines."""
    text = layouts(TRICKY)[name]
    recs = read(text.encode("utf-8"), chunk)
    assert [r.data for r in recs] == TRICKY
    for i, r in enumerate(recs):
        reg = r.region("/target")
        idx = text.index(f'"t{i + 1}"')
        assert (reg.start_line, reg.start_column) == line_col(text, idx)
        assert text[reg.offset : reg.offset + reg.length] == f'"t{i + 1}"'
        # the record's source is exactly its slice of the file
        assert text[r.origin.offset : r.origin.offset + len(r.text)] == r.text
        assert json.loads(r.text) == TRICKY[i]


def test_utf16_columns_after_astral_characters_across_windows():
    recs = [{"content_id": i, "t": "\U0001F600" * i, "target": "x"} for i in range(1, 30)]
    text = json.dumps([recs], ensure_ascii=False, separators=(",", ":"))
    for chunk in (7, 1 << 20):
        got = read(text.encode("utf-8"), chunk)
        reg = got[-1].region("/target")
        idx = text.rindex('"x"')
        assert reg.start_column == idx + 1
        assert reg.start_column16 == idx + 1 + text[:idx].count("\U0001F600")


def test_values_orjson_would_change_are_decoded_like_json():
    """Integers beyond 64 bits stay ints, NaN and lone surrogate escapes are accepted as ``json`` does."""
    text = '[{"content_id": 123456789012345678901234567890, "n": -98765432109876543210, "f": NaN, "s": "\\ud800x", "big": 1e400, "ok": 18446744073709551615}]'
    (r,) = read(text.encode())
    assert r.data["content_id"] == 123456789012345678901234567890 and isinstance(r.data["content_id"], int)
    assert r.data["n"] == -98765432109876543210
    assert r.data["f"] != r.data["f"]  # NaN
    assert r.data["s"] == "\ud800x"
    assert r.data["big"] == float("inf")
    assert r.data["ok"] == 18446744073709551615


def test_an_integer_beyond_64_bits_alone_is_exact_when_the_record_is_used():
    """orjson reads it (as a float) and the reader keeps that unverified until the value is used."""
    (r,) = read(b'[{"content_id": 123456789012345678901234567890, "x": 1}]')
    assert r.data == {"content_id": 123456789012345678901234567890, "x": 1} and isinstance(r.data["content_id"], int)


def _same(a, b) -> bool:
    """Equal with the same types all the way down (``1 == 1.0``, ``0 == -0.0``: not the same value here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return repr(a) == repr(b)


EDGE_NUMBERS = [
    "9007199254740993", "-9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "18446744073709551616", "-18446744073709551617",
    "123456789012345678901234567890", "-0", "0", "-0.0", "1e19", "-1E19", "9.3e18", "9.2e18", "1.5e300", "1e5",
    "2E-3", "-1e-5", "0.1", "1e22", "12345678901234567890e0",
]


@pytest.mark.parametrize("number", EDGE_NUMBERS)
@pytest.mark.parametrize("where", ["top", "nested", "list"])
@pytest.mark.parametrize("pad", [0, 5000])
def test_a_decoded_record_is_exactly_what_json_loads_gives(number, where, pad):
    """orjson's value made exact (a walk of the values for a record of long strings; a scan for a short or number-dense one) equals ``json.loads``."""
    from feedlint.reader.jsondecode import loads_unverified, verified

    value = {"top": number, "nested": '{"a": {"b": [1, {"c": %s}]}}' % number, "list": "[%s, 1, 2.5, null]" % number}[where]
    source = ('{"content_id": 1, "body": "%s", "v": %s, "after": "\\u00e9\\ud83d\\ude00"}' % ("x" * pad, value)).encode()
    got, exact = loads_unverified(source)
    if not exact:
        got = verified(source, got)
    assert _same(got, json.loads(source))


def test_values_walk_stops_at_its_budget_and_the_scan_decides():
    """A record dense with values is not walked to the end: the digit scan decides for it, exactly."""
    from feedlint.reader import jsondecode

    if not jsondecode.HAVE_ORJSON:
        pytest.skip("the walk is orjson's")
    dense = b"[" + b",".join([b"1"] * 2000 + [b"123456789012345678901234567890"]) + b"]"
    assert jsondecode._huge_float(json.loads(dense), len(dense) // jsondecode._BYTES_PER_VALUE) is None
    value, exact = jsondecode.loads_unverified(dense)
    assert not exact and _same(jsondecode.verified(dense, value), json.loads(dense))
    sparse = b'{"v": [1, {"w": 1e19}], "s": "%s"}' % (b"x" * 1000)
    assert jsondecode._huge_float(json.loads(sparse), len(sparse) // jsondecode._BYTES_PER_VALUE) is True
    assert jsondecode._huge_float({"v": [1, {"w": 9.2e18}]}, 100) is False


def test_values_walk_finds_a_huge_float_wherever_it_is():
    """The walk (containers on a stack, members looked at in place) answers what a plain recursive search answers, given the budget for every value."""
    from feedlint.reader import jsondecode

    if not jsondecode.HAVE_ORJSON:
        pytest.skip("the walk is orjson's")

    def huge(v) -> bool:
        if isinstance(v, dict):
            return any(map(huge, v.values()))
        if isinstance(v, list):
            return any(map(huge, v))
        return type(v) is float and abs(v) >= 2.0**63

    def count(v) -> int:
        return len(v) + sum(map(count, v.values() if isinstance(v, dict) else v)) if isinstance(v, (dict, list)) else 0

    rng = random.Random(3)
    leaves = [None, True, 0, -(2**62), "s", 1.5, 9.2e18, -9.3e18, 1e19, float("-inf"), 9223372036854775808.0]

    def value(depth: int):
        if depth > 3 or rng.random() < 0.4:
            return rng.choice(leaves)
        if rng.random() < 0.5:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return {f"k{i}": value(depth + 1) for i in range(rng.randint(0, 4))}

    for _ in range(3000):
        v = value(0)
        assert jsondecode._huge_float(v, count(v)) is huge(v), v
        assert jsondecode._huge_float(v, count(v) - 1) in ((None, True) if huge(v) else (None,)) if count(v) else True


def test_long_digit_run_inside_a_string_is_not_a_number():
    (r,) = read(b'[{"content_id": 1, "url": "./file/12345678901234567890123.jpg"}]')
    assert r.data == {"content_id": 1, "url": "./file/12345678901234567890123.jpg"}


@pytest.mark.parametrize("chunk", [4, 1 << 20])
def test_invalid_utf8_in_a_later_record_after_a_window(chunk):
    good = [{"content_id": i, "v": "caf\u00e9" * 50} for i in range(5)]
    head = json.dumps([good], ensure_ascii=False)[:-2].encode("utf-8")
    data = head + b',\n{"content_id": 9, "v": "bad \xe9 here"}]]'
    reader = JsonRecordReader(TextStream(io.BytesIO(data), "m.json", chunk=chunk))
    seen = []
    with pytest.raises(InputError) as exc:
        for r in reader.records():
            seen.append(r.data["content_id"])
    assert seen == [0, 1, 2, 3, 4]  # every record before the bad byte was read
    assert "invalid UTF-8 (byte 0xe9 at byte offset" in exc.value.message
    assert f"offset {data.index(b'bad ') + 4})" in exc.value.message
    assert (exc.value.line, exc.value.column) == (2, len('{"content_id": 9, "v": "bad ') + 1)


@pytest.mark.parametrize(
    "text,line,col,fragment",
    [
        ('[{"a": 1}, {"a": "unterminated', 1, 18, "unterminated string: no closing quote before the end of the file (file truncated?)"),
        ('[{"a": 1}}]', 1, 10, "expected ',' or ']', found '}'"),
        ('[{"a": [1}]', 1, 10, "expected ',' or a closing bracket after the value, found '}'"),
        ('{"a": 1}\n{"b": }\n', 2, 7, "expected a value (string, number, object, array, true, false or null), found '}'"),
        ('{"a": 1} x', 1, 10, "expected a value (string, number, object, array, true, false or null), found 'x'"),
        ('[[{"a": 1}], {"b": 2}]', 1, 14, "page 1 is not an array"),
        ("[\u00e9]", 1, 2, "expected a value (string, number, object, array, true, false or null), found 'é'"),
        ('[{"a": 1}, \u00e9]', 1, 12, "expected a value (string, number, object, array, true, false or null), found 'é'"),
    ],
)
def test_malformed_input_located(text, line, col, fragment):
    for chunk in (3, 1 << 20):
        with pytest.raises(InputError) as exc:
            read(text.encode("utf-8"), chunk)
        assert fragment in exc.value.message
        assert (exc.value.line, exc.value.column) == (line, col)


def test_cursor_advance_bytes_matches_text_advance():
    for t in ["", "abc", "a\nb", "\u00e9\U0001F600\nx\u00e9\U0001F600", "\r\n\r\n", "\u0641\u200c\u0627", "x" * 100 + "\n"]:
        c = Cursor(3, 4, 5, 6, 7)
        assert c.advance_bytes(t.encode()) == c.advance(t)


# -- sources: gzip, JSON Lines, stdin, BOM ---------------------------------------


def test_gzip_jsonl_and_bom_sources(tmp_path):
    recs = [base_record(content_id=i) for i in range(1, 4)]
    text = export_text(recs, layout="jsonl")
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(text.encode("utf-8")))
    (tmp_path / "b.ndjson").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    a = Source(str(tmp_path / "a.jsonl.gz"))
    got = list(a.records())
    assert a.info.gzip and a.info.layout == "json-lines" and [r.data for r in got] == recs
    b = Source(str(tmp_path / "b.ndjson"))
    got_b = list(b.records())
    assert b.info.bom and [r.data for r in got_b] == recs
    reg = got_b[2].region("/content_id")
    assert (reg.start_line, reg.start_column) == (3, len('{"content_id": ') + 1)  # the BOM is not a column


def test_cli_gzip_jsonl_and_stdin_same_findings(tmp_path):
    recs = [base_record(content_id=i) for i in (1, 3)]
    recs.insert(1, base_record(content_id=2, portal_id=0))
    text = export_text(recs, layout="jsonl")
    (tmp_path / "e.jsonl").write_text(text, encoding="utf-8")
    (tmp_path / "e.jsonl.gz").write_bytes(gzip.compress(text.encode("utf-8")))
    plain = run_cli("check", "--format", "json", "--ignore", "FL6", "e.jsonl", cwd=tmp_path)
    gz = run_cli("check", "--format", "json", "--ignore", "FL6", "e.jsonl.gz", cwd=tmp_path)
    stdin = run_cli("check", "--format", "json", "--ignore", "FL6", "-", cwd=tmp_path, input=text)
    strip = lambda out: [{k: v for k, v in f.items() if k not in ("file", "fingerprint")} for f in json.loads(out)]
    assert plain.returncode == gz.returncode == stdin.returncode == 1
    assert strip(plain.stdout) == strip(gz.stdout) == strip(stdin.stdout)
    (f,) = json.loads(plain.stdout)
    assert (f["rule"], f["record"], f["line"], f["pointer"]) == ("FL101", 1, 2, "/portal_id")


def test_truncated_gzip_is_one_line_error(tmp_path):
    data = gzip.compress(export_text([base_record()] * 20).encode("utf-8"))
    (tmp_path / "t.json.gz").write_bytes(data[: len(data) // 2])
    r = run_cli("check", "t.json.gz", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if "t.json.gz" in ln]  # no position: the tool's prefix (issue 16)
    assert len(lines) == 1 and lines[0].startswith("feedlint: error: t.json.gz: cannot read: ")


# -- parallel ------------------------------------------------------------------------


def generate(path: Path, *args: str) -> Path:
    subprocess.run([sys.executable, str(GENERATE), "--out", str(path), *args], check=True, capture_output=True, timeout=300)
    return path


@pytest.fixture(scope="module")
def defective_export(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("gen")
    return generate(d / "defects.json", "--records", "260", "--defects", "0.3", "--non-ascii", "0.05", "--page-size", "37")


def test_jobs_give_identical_findings_in_the_same_order(defective_export):
    """A generated export with defects of every family: --jobs 1, 2 and 3 produce byte-identical JSON."""
    cwd = defective_export.parent
    outs = {}
    for jobs in ("1", "2", "3"):
        r = run_cli("check", "--format", "json", "--jobs", jobs, defective_export.name, cwd=cwd)
        assert r.returncode == 1, r.stderr
        outs[jobs] = r.stdout
    assert outs["1"] == outs["2"] == outs["3"]
    found = {f["rule"][:3] for f in json.loads(outs["1"])}
    assert {"FL1", "FL2", "FL3", "FL4", "FL5"} <= found


def test_findings_packed_for_the_pipe_come_back_equal(defective_export):
    """What a worker sends (plain tuples) rebuilds findings equal to its own, fixes and shared regions included."""
    import pickle
    from dataclasses import replace

    from feedlint.config import load_config
    from feedlint.packed import unpack_findings
    from feedlint.packed import pack_findings
    from feedlint.planning import Choices, build_plan
    from feedlint.reader.sources import Source
    from feedlint.registry import load_catalogue

    plan = build_plan(load_catalogue(), load_config(None), Choices())
    rules = plan.for_file(str(defective_export), "record", "cms")
    rules_by_id = {a.rule.id: (a.rule.name, a.severity) for a in rules}
    engine = Engine(plan)
    families, fixes = set(), 0
    for raw in Source(str(defective_export)).records():
        findings = engine.check_record(raw, rules, "d.json")
        back = unpack_findings(pickle.loads(pickle.dumps(pack_findings(findings), -1)), rules_by_id, "d.json", raw.index, raw.pointer)
        assert [replace(f, fix=None) for f in back] == [replace(f, fix=None) for f in findings]
        assert [getattr(f.fix, "replacement", f.fix) for f in back] == [getattr(f.fix, "replacement", f.fix) for f in findings]  # a fix has no equality: what it proposes
        families |= {f.rule_id[:3] for f in findings}
        fixes += sum(f.fix is not None for f in back)
    assert {"FL1", "FL2", "FL3", "FL4", "FL5"} <= families and fixes > 0


def test_parallel_error_mid_file_reports_records_before_it(tmp_path, defective_export):
    data = defective_export.read_bytes()
    cut = data.index(b'{"content_id"', len(data) * 3 // 4)
    (tmp_path / "cut.json").write_bytes(data[:cut] + b'{"content_id": }]]')
    outs = {}
    for jobs in ("1", "2"):
        r = run_cli("check", "--format", "json", "--jobs", jobs, "--ignore", "FL6", "cut.json", cwd=tmp_path)
        assert r.returncode == 2
        assert "cut.json:1:" in r.stderr and "invalid JSON: expected a value (string, number, object, array, true, false or null), found '}'" in r.stderr
        outs[jobs] = r.stdout
    assert outs["1"] == outs["2"]
    assert max(f["record"] for f in json.loads(outs["1"])) > 150


def test_spawned_workers_rebuild_the_plan_and_config(tmp_path, defective_export):
    """Where fork is unavailable workers rebuild the plan: config severities and suppressions survive."""
    (tmp_path / "e.json").write_bytes(defective_export.read_bytes())
    (tmp_path / "feedlint.toml").write_text(
        '[rules.FL103]\nseverity = "error"\n\n[[suppress]]\ncontent-id = 418667\nreason = "first record"\n'
    )
    args = ("check", "--format", "json", "--ignore", "FL6", "e.json")
    serial = run_cli(*args, "--jobs", "1", cwd=tmp_path)
    spawned = run_cli(*args, "--jobs", "2", cwd=tmp_path, env={"FEEDLINT_START_METHOD": "spawn", "FEEDLINT_PARALLEL_MIN_RECORDS": "50"})
    assert serial.stdout == spawned.stdout and serial.returncode == spawned.returncode == 1
    findings = json.loads(serial.stdout)
    raised = [f["severity"] for f in findings if f["rule"] == "FL103"]  # a note, raised by the config (FL512 needs a media root now)
    assert raised and set(raised) == {"error"}
    assert 418667 not in {f["content_id"] for f in findings}
    assert "unused suppression" not in spawned.stderr


def test_jobs_option_validated(tmp_path):
    (tmp_path / "e.json").write_text(export_text([base_record()]))
    r = run_cli("check", "--jobs", "-1", "e.json", cwd=tmp_path)
    assert r.returncode == 2 and "--jobs" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "feedlint.toml").write_text("jobs = 2\n")
    assert run_cli("check", "e.json", cwd=tmp_path).returncode == 0


# -- without orjson -------------------------------------------------------------------

NO_ORJSON = "import sys; sys.modules['orjson'] = None\n"
NO_FAST = "import sys; sys.modules['orjson'] = None; sys.modules['jsonschema_rs'] = None\n"


def test_without_orjson_reader_and_cli_give_the_same_answers(tmp_path, defective_export):
    """The stdlib path (orjson and jsonschema-rs missing) reads the same records and yields the same findings."""
    script = NO_ORJSON + (
        "import json, io\n"
        "from feedlint.reader import jsondecode\n"
        "assert not jsondecode.HAVE_ORJSON\n"
        "from feedlint.reader.jsonstream import JsonRecordReader\n"
        "from feedlint.reader.textstream import TextStream\n"
        "text = sys.stdin.read()\n"
        "recs = list(JsonRecordReader(TextStream(io.BytesIO(text.encode()), 'm', chunk=16)).records())\n"
        "print(json.dumps([[r.data, r.origin.offset, r.region('/target').offset] for r in recs]))\n"
    )
    text = layouts(TRICKY)["pages-pretty"]
    r = subprocess.run([sys.executable, "-c", script], input=text, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert [g[0] for g in got] == TRICKY
    assert [g[2] for g in got] == [text.index(f'"t{i}"') for i in range(1, 5)]

    cli = NO_FAST + "from feedlint.cli import main\nsys.argv = ['feedlint'] + sys.argv[1:]\nmain()\n"
    args = ["check", "--format", "json", "--ignore", "FL6", "--jobs", "2", defective_export.name]
    without = subprocess.run([sys.executable, "-c", cli, *args], cwd=defective_export.parent, capture_output=True, text=True, timeout=300)
    with_ = run_cli(*args, cwd=defective_export.parent)
    assert without.returncode == with_.returncode == 1, without.stderr
    assert without.stdout == with_.stdout


def test_without_orjson_errors_are_located_the_same():
    script = NO_ORJSON + (
        "import io\n"
        "from feedlint.reader.errors import InputError\n"
        "from feedlint.reader.jsonstream import JsonRecordReader\n"
        "from feedlint.reader.textstream import TextStream\n"
        "for data in [b'[{\"a\": 1}, {\"a\": }]', b'[{\"a\": \"bad \\xff\"}]', b'[{\"a\": 123456789012345678901234567890}]']:\n"
        "    try:\n"
        "        print([r.data for r in JsonRecordReader(TextStream(io.BytesIO(data), 'm')).records()])\n"
        "    except InputError as exc:\n"
        "        print(exc)\n"
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert r.stdout.splitlines() == [
        "m:1:18: invalid JSON: expected a value (string, number, object, array, true, false or null), found '}'",
        "m:1:13: invalid UTF-8 (byte 0xff at byte offset 12)",
        "[{'a': 123456789012345678901234567890}]",
    ], r.stderr


# -- progress bar ---------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_for_a_watching_human():
    from feedlint.progress import progress_wanted

    tty, pipe = _Tty(), io.StringIO()
    assert progress_wanted(False, None, stderr=tty, stdout=pipe, environ={})
    assert progress_wanted(False, "report.json", stderr=tty, stdout=tty, environ={})
    assert not progress_wanted(False, None, stderr=tty, stdout=tty, environ={})  # findings stream to that terminal
    assert not progress_wanted(True, "r.json", stderr=tty, stdout=pipe, environ={})  # --quiet
    assert not progress_wanted(False, "r.json", stderr=tty, stdout=pipe, environ={"CI": "true"})
    assert not progress_wanted(False, "r.json", stderr=pipe, stdout=pipe, environ={})  # stderr piped


def test_progress_bar_appears_after_the_delay_and_is_fed_by_the_source(tmp_path, monkeypatch, defective_export):
    from feedlint.progress import ProgressBar

    err = _Tty()
    monkeypatch.setattr(sys, "stderr", err)
    calls = []
    bar = ProgressBar(delay=0.0)
    src = Source(str(defective_export))
    for _ in src.records(lambda *a: (calls.append(a), bar(*a))):
        pass
    bar.close()
    size = defective_export.stat().st_size
    assert calls and all(c[0] == str(defective_export) and c[2] == size for c in calls)
    assert [c[1] for c in calls] == sorted(c[1] for c in calls) and calls[-1][1] <= size
    assert "records" in err.getvalue()


# -- parallel, in-process: crashes, unpicklable hits, suppressions ----------------------

from feedlint.api import Hit, rule  # noqa: E402
from feedlint.engine import ActiveRule, Engine, Plan, Suppression  # noqa: E402
from feedlint.tuning import Tuning  # noqa: E402

SMALL = Tuning(parallel_min_records=3, task_records=4)  # a pool for a few records, several tasks


@rule("XS001", "title-with-callable-fix")
def title_with_callable_fix(record, options):
    """Reports every title with a fix that cannot cross a process boundary."""
    yield Hit("/content_title", "title seen", evidence=record.get("content_title"), fix=lambda: None)


@rule("XS002", "crashes-on-odd-ids")
def crashes_on_odd_ids(record, options):
    """Raises on odd content ids (crash isolation inside workers)."""
    if record.content_id % 2:
        raise RuntimeError(f"odd {record.content_id}")
    yield Hit("/content_id", "even id")


def _run(path, jobs, monkeypatch, rules, suppressions=()):
    plan = Plan([ActiveRule(r, "warning", {}) for r in rules], suppressions=[Suppression(**s) for s in suppressions], tuning=SMALL)
    engine = Engine(plan, jobs)
    findings = [(f.rule_id, f.record_index, f.pointer, f.region.offset, f.message) for f in engine.run([str(path)])]
    return findings, engine


def test_workers_isolate_crashes_merge_suppressions_and_recover_unpicklable_hits(tmp_path, monkeypatch):
    p = tmp_path / "e.json"
    p.write_text(export_text([base_record(content_id=i, content_title=f"t{i}") for i in range(1, 24)]))
    sup = [{"reason": "r", "content_id": 4}, {"reason": "never used", "content_id": 999}]
    serial, e1 = _run(p, 1, monkeypatch, [title_with_callable_fix, crashes_on_odd_ids], sup)
    parallel_, e2 = _run(p, 2, monkeypatch, [title_with_callable_fix, crashes_on_odd_ids], sup)
    assert parallel_ == serial and len(serial) == 23 + 11 - 2  # suppressed: record 4's two findings
    assert e2.internal_errors == e1.internal_errors and len(e1.internal_errors) == 12
    assert e1.internal_errors[0] == f"{p} record 0: rule XS002 ({crashes_on_odd_ids.origin}) crashed: RuntimeError: odd 1"
    assert e2.suppression_uses() == e1.suppression_uses() == [2, 0]
    assert e2.stats.suppressed == e1.stats.suppressed == 2 and e2.stats.records == 23
    # without the unpicklable fix the workers' own results (and side effects) are used
    serial, e1 = _run(p, 1, monkeypatch, [crashes_on_odd_ids], sup)
    parallel_, e2 = _run(p, 2, monkeypatch, [crashes_on_odd_ids], sup)
    assert parallel_ == serial and len(serial) == 11 - 1
    assert e2.internal_errors == e1.internal_errors and len(e1.internal_errors) == 12
    assert e2.suppression_uses() == [1, 0] and e2.stats.suppressed == 1


def test_without_keep_fixes_findings_carry_no_fix_whatever_the_jobs(tmp_path, monkeypatch):
    """No reporter shows fixes: the CLI's engine drops them, in workers too (nothing to pickle, no fallback)."""
    import feedlint.parallel as parallel

    p = tmp_path / "e.json"
    p.write_text(export_text([base_record(content_id=i, content_title=f"t{i}") for i in range(1, 24)]))
    fell_back = []
    real = parallel._check_here
    monkeypatch.setattr(parallel, "_check_here", lambda *a: fell_back.append(1) or real(*a))
    plan = Plan([ActiveRule(title_with_callable_fix, "warning", {})], tuning=SMALL)
    runs = {}
    for jobs, keep in ((1, True), (1, False), (2, False)):
        runs[jobs, keep] = list(Engine(plan, jobs, keep_fixes=keep).run([str(p)]))
    assert all(f.fix is not None for f in runs[1, True]) and len(runs[1, True]) == 23
    assert [f.fix for f in runs[1, False] + runs[2, False]] == [None] * 46
    assert [f.as_dict() for f in runs[2, False]] == [f.as_dict() for f in runs[1, False]] == [f.as_dict() for f in runs[1, True]]
    assert not fell_back  # the unpicklable fix never reached the pipe


def test_pool_watcher_does_not_wait_on_the_results_pipe(tmp_path, monkeypatch):
    """The pool's worker-watching thread must not wake for every unread result (it spun on the results pipe)."""
    wakeups = []
    from multiprocessing.pool import Pool

    real = Pool._wait_for_updates
    monkeypatch.setattr(Pool, "_wait_for_updates", staticmethod(lambda sentinels, notifier, timeout=None: wakeups.append(len(sentinels)) or real(sentinels, notifier, timeout)))
    p = tmp_path / "e.json"
    p.write_text(export_text([base_record(content_id=i, content_title=f"t{i}") for i in range(1, 41)]))
    serial, _ = _run(p, 1, monkeypatch, [crashes_on_odd_ids])
    parallel_, engine = _run(p, 2, monkeypatch, [crashes_on_odd_ids])
    assert parallel_ == serial and len(serial) == 20
    assert wakeups and set(wakeups) == {2 + 1}  # two workers' sentinels and the change notifier, no results pipe


@rule("XS003", "slow-on-one-record")
def slow_on_one_record(record, options):
    """Takes seconds on content id 30 (a task still running when the pool is closed)."""
    if record.content_id == 30:
        import time

        time.sleep(5)
    yield Hit("/content_id", "seen")


def test_pool_closes_without_killing_workers_that_finish_their_tasks(tmp_path, monkeypatch):
    """Ranges dropped after wrong guesses are still running when a file ends: the pool waits for them, never terminates.

    Terminating a worker that is sending a result leaves the results queue
    locked and the shutdown hangs (CPython gh-96995); it hung about once in
    fifty runs of this kind before the pool waited for its tasks.
    """
    from multiprocessing.pool import Pool

    terminated = []
    real = Pool.terminate
    monkeypatch.setattr(Pool, "terminate", lambda self: terminated.append(1) or real(self))
    related = [{"content_id": k, "title": "look-alike"} for k in range(20)]
    records = [base_record(content_id=i, content_title=f"It&#39;s {i}", related=related if i % 7 == 3 else []) for i in range(30)]
    p = tmp_path / "e.json"
    p.write_text(export_text(records)[:-2] + ",]]")  # malformed at the end: the last ranges are dropped too
    from feedlint.config import Config
    from feedlint.planning import Choices, build_plan
    from feedlint.registry import load_catalogue

    from feedlint.tuning import Tuning

    tuning = Tuning(parallel_min_records=4, range_bytes=1)  # every record its own range
    plan = build_plan(load_catalogue(), Config(values={}), Choices(select=["FL201"], tuning=tuning))
    runs = []
    for jobs in (1, 2, 2, 2, 2, 2):
        engine = Engine(plan, jobs)
        runs.append(([f.as_dict() for f in engine.run([str(p)])], [str(e) for e in engine.errors]))
    serial = runs[0]
    assert len(serial[0]) == 30 and len(serial[1]) == 1 and "trailing comma" in serial[1][0]
    assert all(run == serial for run in runs[1:])
    assert not terminated


def test_pool_terminates_workers_still_busy_after_the_grace_period(tmp_path, monkeypatch):
    """A run abandoned while a task is stuck (here: a rule sleeping on one record) does not wait for it beyond the grace period."""
    import time
    from dataclasses import replace

    p = tmp_path / "e.json"
    p.write_text(export_text([base_record(content_id=i) for i in range(1, 41)]))
    engine = Engine(Plan([ActiveRule(slow_on_one_record, "warning", {})], tuning=replace(SMALL, shutdown_grace=0.3)), 2)
    findings = engine.run([str(p)])
    first = next(findings)
    started = time.monotonic()
    findings.close()  # the consumer stops early: the pool closes with record 30's task asleep
    assert first.content_id == 1 and time.monotonic() - started < 3


def test_guessed_record_ends_equal_counted_ones(monkeypatch):
    """Finding the next record's start (the fast split) cuts exactly where counting braces does."""
    import random

    from feedlint.reader import jsonstream

    rng = random.Random(14)
    decoys = ['},{"content_id":', "}", "{", '"', "\\", "],[", "caf\u00e9"]

    def record(i: int) -> dict:
        rec = {"content_id": i, "body": "".join(rng.choice(decoys) for _ in range(rng.randint(1, 6))) if rng.random() < 0.3 else "plain"}
        if rng.random() < 0.2:  # objects inside that begin like a record
            rec["related"] = [{"content_id": i * 10 + k} for k in range(rng.randint(1, 3))]
        if rng.random() < 0.1:
            rec = {"lang_id": "en", **rec}  # a record that begins differently
        return rec

    records = [record(i) for i in range(300)]
    pages = [records[k : k + 40] for k in range(0, 300, 40)]
    data = json.dumps(pages, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def cuts(chunk: int) -> list:
        return [(r.pointer, r.source, r.origin, r.data) for r in read(data, chunk)]

    guesses = []
    real = jsonstream.JsonRecordReader._guess_end
    monkeypatch.setattr(jsonstream.JsonRecordReader, "_guess_end", lambda self, buf, rel: guesses.append(real(self, buf, rel)) or guesses[-1])
    guessed = {chunk: cuts(chunk) for chunk in (97, 4096, 1 << 20)}
    assert sum(g > 0 for g in guesses) > 30  # decoys, odd first keys: misses (then pauses), yet ends found
    guesses.clear()
    plain = [{"content_id": i, "body": "plain text"} for i in range(300)]
    got = read(json.dumps([plain[:150], plain[150:]], separators=(",", ":")).encode("utf-8"))
    assert [r.data for r in got] == plain and sum(g > 0 for g in guesses) == 299  # every end but the last found by the guess
    monkeypatch.setattr(jsonstream.JsonRecordReader, "guess_ends", False)  # counting braces only
    guesses.clear()
    for chunk, got in guessed.items():
        assert got == cuts(chunk), chunk
    assert guesses == []
    assert [d for *_, d in guessed[97]] == [r for page in pages for r in page]


# -- dataset rules' prepare: slow set-up while the workers check records ----------------

_prepared: list = []


def _slow_prepare(options, expected_rows):
    import threading
    import time

    time.sleep(0.3)  # the check must still wait for this to finish
    _prepared.append((threading.current_thread().name, expected_rows, time.monotonic()))


def _failing_prepare(options, expected_rows):
    raise RuntimeError("prepare failed")


def _ids(record, options):
    return {"cid": record.content_id}


def _dataset_rule(rule_id, prepare):
    @rule(rule_id, f"prepared-{rule_id.lower()}", scope="dataset", collect=_ids, prepare=prepare)
    def check(table, options):
        """Reports the first row, noting whether prepare had finished when the check ran."""
        import time

        from feedlint.api import DatasetHit

        done = bool(_prepared) and _prepared[-1][2] <= time.monotonic()
        yield DatasetHit(0, "/content_id", f"prepared before the check: {done}")

    return check


def test_dataset_rules_prepare_in_a_thread_while_workers_check_and_before_their_check(tmp_path, monkeypatch):
    p = tmp_path / "e.json"
    p.write_text(export_text([base_record(content_id=i) for i in range(1, 61)]))
    slow, failing = _dataset_rule("XS010", _slow_prepare), _dataset_rule("XS011", _failing_prepare)
    plan = Plan([ActiveRule(slow, "warning", {}), ActiveRule(failing, "warning", {})], tuning=SMALL)
    _prepared.clear()
    serial = [f.message for f in Engine(plan, 1).run([str(p)])]
    assert serial == ["prepared before the check: False"] * 2 and _prepared == []  # one process: nothing to overlap
    engine = Engine(plan, 2)
    parallel_ = [f.message for f in engine.run([str(p)])]
    [(thread, expected, _)] = _prepared
    assert thread == "feedlint-prepare" and 40 <= expected <= 90  # estimated from the file's size: 60 records
    assert parallel_ == ["prepared before the check: True"] * 2  # joined before the dataset rules ran
    assert not engine.internal_errors and not engine.setup_errors  # a failing prepare is left to the check


def test_great_expectations_is_imported_ahead_only_when_the_run_will_use_it(tmp_path):
    """The default suite runs in plain Python at any size: GX is imported ahead only for Data Docs,
    or a user expectation only GX knows."""
    (tmp_path / "kinds.json").write_text(json.dumps([{"type": "expect_column_values_to_be_between", "kwargs": {"column": "uid", "min_value": 0}}]), encoding="utf-8")
    (tmp_path / "plain.json").write_text(json.dumps([{"type": "expect_column_values_to_be_unique", "kwargs": {"column": "uid"}}]), encoding="utf-8")
    probe = (
        "import sys\n"
        "from feedlint.rules.dataset import import_gx_ahead\n"
        "import_gx_ahead(eval(sys.argv[1]), int(sys.argv[2])); print('great_expectations' in sys.modules)\n"
    )

    def imported(options: str, rows: int, **env: str) -> bool:
        r = subprocess.run([sys.executable, "-c", probe, options, str(rows)], capture_output=True, text=True, timeout=120, cwd=tmp_path, env={**os.environ, **env})
        assert r.returncode == 0 and r.stderr == "", r.stderr
        return r.stdout.split() == ["True"]

    assert not imported("{}", 10**6)  # the default suite, however large: plain Python
    assert not imported("{'expectations': ['plain.json']}", 10**6)  # a user kind the plain evaluator knows
    assert imported("{'expectations': ['kinds.json']}", 10)
    assert imported("{'data-docs': 'site'}", 10)
