"""The dataset stage reads its findings' records again at their offsets: the same output as reading the files in order.

After the records are checked, each dataset finding (FL6xx) and each of its
related places is located in its record, read again.  Each record needed is
read alone from where the first pass found it (``feedlint/ranges/reread.py``:
the byte offset and cursor kept with the record's fact row, from the main
process, a worker's chunk or a worker's byte range); a file that cannot seek
(gzip), or a record whose start is not known, is read in order up to the last
record needed.  The oracle is that second way, forced: the JSON and SARIF
output (related places and ``relatedLocations`` included) must be
byte-identical, serial and with workers reading ranges, on pretty-printed,
CRLF, JSON Lines, BOM, gzip, stdin, several files at once, a document
layout (a profile's pointer pattern) and WordPress's posts and media.  The spies also prove which way ran.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from conftest import base_record

EMOJI = "\U0001F600"  # astral: two UTF-16 code units
TINY = {"FEEDLINT_RANGE_BYTES": "900", "FEEDLINT_PARALLEL_MIN_RECORDS": "3"}  # many ranges, and a pool, for a small file
N = 40


# -- inputs -------------------------------------------------------------------------------------------


def record(i: int) -> dict:
    """A record with non-ASCII and astral text, ``<`` and AT&T in prose, CRLF and a &nbsp; spacer in its strings.

    FL601: records 3, 17 and 38 repeat record 1's content id.  FL602: record
    26 repeats record 5's article.  FL606: records 2, 9, 21, 33 and 39 share an
    attachment token (one finding, the others its related places, up to the
    file's end).
    """
    r = base_record(content_id=700000 + i, content_title=f"Tram {i} reopens \u201cafter\u201d repairs {EMOJI} caf\u00e9 #{i}")
    r["content_body"] = f"AT&T said the x < y plan {i} was approved\u2019s way.\r\n\r\nSecond {EMOJI} paragraph {i}, \u0645\u06cc\u200c."
    r["content_html"] = f"<p>AT&amp;T said {i}.</p>\r\n\r\n<p>&nbsp;</p>\r\n\r\n<p>Second {EMOJI} paragraph {i}.</p>"
    token = 424242 if i in (2, 9, 21, 33, 39) else 100000 + i
    r["attaches"] = [dict(r["attaches"][0], token=token)]
    if i in (3, 17, 38):
        r["content_id"] = 700001
    if i == 26:
        r["content_title"], r["content_body"] = "Council approves plan", "The same body, word for word."
    if i == 5:
        r["content_title"], r["content_body"] = "Council approves plan", "The same body, word for word."
    return r


def pretty(records: list, newline: str = "\n") -> bytes:
    return (json.dumps([records], ensure_ascii=False, indent=2) + "\n").replace("\n", newline).encode("utf-8")


def compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def lines(records: list, newline: str = "\n") -> bytes:
    return "".join(compact(r) + newline for r in records).encode("utf-8")


def wrapped(records: list, newline: str = "\n") -> bytes:
    """A document layout: the records under ``/export/items`` of a top-level object (the profile of :data:`WRAPPED`)."""
    doc = {"meta": {"exported": "2026-05-12", "note": f"caf\u00e9 {EMOJI}"}, "export": {"items": records}}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").replace("\n", newline).encode("utf-8")


WRAPPED = """name = "wrapped"
description = "the CMS's records inside a document"
[records]
pointers = ["/export/items/*"]
id = "/content_id"
[detect]
any = ["/content_id"]
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("reread")
    records = [record(i) for i in range(N)]
    other = [dict(record(i), content_id=800000 + i) for i in range(N)]  # another export sharing the tokens (FL606 across files)
    texts = {
        "pretty.json": pretty(records),
        "pretty-crlf.json": pretty(records, "\r\n"),
        "compact.json": compact([records[:15], records[15:16], [], records[16:]]).encode("utf-8"),
        "array-crlf.json": ("[\r\n" + ",\r\n \t".join(compact(r) for r in other) + "\r\n]\r\n").encode("utf-8"),
        "lines.jsonl": lines(records),
        "lines-crlf.jsonl": lines(other, "\r\n"),
        "bom.json": b"\xef\xbb\xbf" + pretty(other, "\r\n"),
        "wrapped.json": wrapped(records),
        "wrapped-crlf.json": wrapped(other, "\r\n"),
    }
    out = {name: d / name for name in texts}
    for name, data in texts.items():
        out[name].write_bytes(data)
    (d / "wrapped.toml").write_text(WRAPPED, encoding="utf-8")
    (d / "feedlint.toml").write_text('profiles = ["wrapped.toml"]\n', encoding="utf-8")
    out["config"] = d / "feedlint.toml"
    out["pretty.json.gz"] = d / "pretty.json.gz"
    out["pretty.json.gz"].write_bytes(gzip.compress(texts["pretty-crlf.json"], mtime=0))
    return out


# -- running the CLI in this process, both ways --------------------------------------------------------


def cli(args: list[str], monkeypatch, seekable: bool, env: dict, input: bytes | None = None) -> tuple[int, str, str, Counter]:
    """``feedlint ARGS`` in this process: exit code, stdout, stderr, and how the dataset stage read records again.

    ``seekable`` False forces the stage to read every file in order.  The
    counter has ``at`` and ``in order`` (files read each way); workers are
    forked, the dataset stage runs here, so the spies see it all.
    """
    from typer.testing import CliRunner

    from feedlint.cli import app
    from feedlint.engine import Engine
    from feedlint.ranges import reread

    ways: Counter = Counter()
    at, in_order = reread.records_at, Engine._records_in_order

    def spy_at(path, info, wanted):
        ways["at"] += 1
        return at(path, info, wanted)

    def spy_in_order(self, path, info, needed, last):
        ways["in order"] += 1
        return in_order(self, path, info, needed, last)

    with monkeypatch.context() as m:
        m.setattr(reread, "records_at", spy_at)
        m.setattr(Engine, "_records_in_order", spy_in_order)
        if not seekable:
            m.setattr(reread, "seekable", lambda path, info: False)
        res = CliRunner().invoke(app, args, catch_exceptions=False, env={"NO_COLOR": "1", **env}, input=input)
    return res.exit_code, res.stdout, res.stderr, ways


def both_ways(args: list[str], monkeypatch, jobs: str = "1", env: dict | None = None, input: bytes | None = None) -> tuple[str, Counter]:
    """JSON and SARIF output of ``check ARGS``: byte-identical at offsets and in order; the JSON, and how the fast run read."""
    out = {}
    for fmt in ("json", "sarif"):
        full = ["check", "--format", fmt, "--jobs", jobs, *args]
        fast = cli(full, monkeypatch, True, env or {}, input)
        slow = cli(full, monkeypatch, False, env or {}, input)
        assert slow[3]["at"] == 0
        assert fast[:3] == slow[:3], f"{fmt}: output differs at offsets and in order"
        assert fast[0] == 1 and "Traceback" not in fast[2], fast[2]
        out[fmt] = fast
    sarif = json.loads(out["sarif"][1])["runs"][0]["results"]
    found = json.loads(out["json"][1])
    assert len(sarif) == len(found)  # not capped: every finding is compared
    related = [r for f in found for r in f.get("related", ())]
    assert len(related) == sum(len(r.get("relatedLocations", ())) for r in sarif)
    return out["json"][1], out["json"][3]


def dataset(found_json: str) -> list[dict]:
    return [f for f in json.loads(found_json) if f["rule"].startswith("FL6")]


def text_at(path: Path, line: int, column: int, end_column: int) -> str:
    """The file's text at a one-line place (columns in code points), whatever its line endings or BOM."""
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    return data.split("\n")[line - 1][column - 1 : end_column - 1]


# -- one file, each layout ----------------------------------------------------------------------------


SINGLE = ["pretty.json", "pretty-crlf.json", "compact.json", "lines.jsonl", "bom.json", "array-crlf.json", "lines-crlf.jsonl"]
OTHER = {"bom.json", "array-crlf.json", "lines-crlf.jsonl"}  # the other export: its content ids are all distinct


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("name", SINGLE)
def test_one_file_same_findings_and_related_places_read_at_offsets(files, name, jobs, monkeypatch):
    path = files[name]
    out, ways = both_ways([str(path)], monkeypatch, jobs, TINY)
    assert ways == {"at": 1}, ways  # the fast path ran, and only it
    found = dataset(out)
    rules = Counter(f["rule"] for f in found)
    assert rules == ({} if name in OTHER else {"FL601": 4}) | {"FL602": 2, "FL606": 1}, rules
    shared = next(f for f in found if f["rule"] == "FL606")
    assert [r["record"] for r in shared["related"]] == [9, 21, 33, 39]  # up to the file's last record
    for place in [shared, *shared["related"]]:  # each place is the token's digits in the file's own text
        assert text_at(path, place["line"], place["column"], place["end_column"]) == "424242", place


def test_fl601_and_fl602_at_offsets_in_a_pretty_crlf_file(files, monkeypatch):
    out, ways = both_ways([str(files["pretty-crlf.json"])], monkeypatch)
    found = dataset(out)
    assert sorted((f["rule"], f["record"]) for f in found if f["rule"] in ("FL601", "FL602")) == [
        ("FL601", 1), ("FL601", 3), ("FL601", 17), ("FL601", 38), ("FL602", 5), ("FL602", 26)]
    for f in found:
        if f["rule"] == "FL601":
            assert text_at(files["pretty-crlf.json"], f["line"], f["column"], f["end_column"]) == "700001"


# -- what cannot seek, and several files ---------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_gzip_is_read_in_order_and_the_others_at_offsets_in_one_run(files, jobs, monkeypatch):
    names = ["pretty.json.gz", "pretty-crlf.json", "lines-crlf.jsonl", "compact.json", "bom.json"]
    out, ways = both_ways([str(files[n]) for n in names], monkeypatch, jobs, TINY)
    assert ways == {"at": 4, "in order": 1}, ways
    found = dataset(out)
    assert {f["rule"] for f in found} == {"FL601", "FL602", "FL606"}
    shared = [f for f in found if f["rule"] == "FL606" and "token 424242 " in f["message"]]  # every token is in several files: one finding each
    assert len(shared) == 1 and {Path(r["file"]).name for r in shared[0]["related"]} == set(names)


def test_several_layouts_in_one_run_with_findings_in_every_file(files, monkeypatch):
    names = ["lines.jsonl", "pretty.json", "array-crlf.json", "pretty-crlf.json", "wrapped-crlf.json"]
    out, ways = both_ways(["--config", str(files["config"]), *(str(files[n]) for n in names)], monkeypatch, "2", TINY)
    assert ways == {"at": 5}, ways
    assert {Path(f["file"]).name for f in dataset(out)} == set(names)


@pytest.mark.parametrize("name", ["wrapped.json", "wrapped-crlf.json"])
def test_a_document_layout_read_at_offsets(files, name, monkeypatch):
    """Records found under a pointer pattern of a profile (Ghost's, JSON Feed's layout), named by absolute pointers."""
    path = files[name]
    out, ways = both_ways(["--config", str(files["config"]), str(path)], monkeypatch, "2", TINY)
    assert ways == {"at": 1}
    found = dataset(out)
    assert found and {f["profile"] for f in found} == {"wrapped"}
    shared = next(f for f in found if f["rule"] == "FL606")
    assert [r["pointer"] for r in shared["related"]] == [f"/export/items/{i}/attaches/0/token" for i in (9, 21, 33, 39)]
    for place in [shared, *shared["related"]]:
        assert text_at(path, place["line"], place["column"], place["end_column"]) == "424242", place


def test_stdin_spooled_then_read_at_offsets(files, monkeypatch):
    data = files["pretty-crlf.json"].read_bytes()
    out, ways = both_ways(["-", str(files["lines.jsonl"])], monkeypatch, "2", TINY, input=data)
    assert ways == {"at": 2}
    assert {f["file"] for f in dataset(out)} >= {"<stdin>"}


def test_wordpress_posts_and_media_fl607(tmp_path, monkeypatch):
    from test_featured import dump, media, post

    posts = [post(100 + i, "2021-10-01T09:43:00", 200 + i) for i in range(6)]
    items = [media(200 + i, "2021/05" if i % 2 else "2021/10", 100 + i, "2021-05-20T10:05:00") for i in range(6)]
    dump(tmp_path, posts, items)
    out, ways = both_ways([str(tmp_path)], monkeypatch, "2", {"FEEDLINT_PARALLEL_MIN_RECORDS": "2"})
    assert ways == {"at": 1}  # posts.json: FL607 is reported on the post; media.json's hits (FL604) are rules its profile ignores: not read again
    assert [(f["rule"], f["content_id"]) for f in dataset(out)] == [("FL607", 101), ("FL607", 103), ("FL607", 105)]


# -- the seams ------------------------------------------------------------------------------------------


def test_a_record_not_at_its_start_any_more_reads_the_file_in_order(files, tmp_path, monkeypatch):
    """The file changed between the two readings (the first record's start now falls inside it): the stage reads
    the file in order from there, as before this path existed, rather than lose or misplace findings."""
    from feedlint.engine import Engine
    from feedlint.ranges import reread

    path = tmp_path / "a.json"
    path.write_bytes(files["pretty.json"].read_bytes())
    ways: Counter = Counter()
    at, in_order = reread.records_at, Engine._records_in_order

    def shifted(p, info, wanted):
        ways["at"] += 1
        index, pointer, (offset, *cursor) = wanted[0]
        return at(p, info, [(index, pointer, (offset + 7, *cursor)), *wanted[1:]])  # inside the record: no value begins there

    def counted(self, *a):
        ways["in order"] += 1
        return in_order(self, *a)

    monkeypatch.setattr(reread, "records_at", shifted)
    monkeypatch.setattr(Engine, "_records_in_order", counted)
    from test_dataset import run

    found = [f for f in run([path], select="FL601")]
    assert ways == {"at": 1, "in order": 1}
    assert [f.record_index for f in found] == [1, 3, 17, 38]


def test_record_start_travels_with_the_fact_row_and_the_table_packs_it():
    from feedlint.facts import FactTable, RowRef

    table = FactTable()
    table.add(RowRef(0, 0, "/0/0", 1, (5, 2, 3, 3, 4, 4)), {"content_id": 1})
    table.add(RowRef(0, 1, "/0/1", 2), {"content_id": 2})  # not known (a Spark run's row)
    table.add(RowRef(1, 0, "", 3, (0, 1, 1, 1, 0, 0)), {"content_id": 3})
    assert [table.ref(i).start for i in range(3)] == [(5, 2, 3, 3, 4, 4), None, (0, 1, 1, 1, 0, 0)]
    assert table.ref(-1).start == (0, 1, 1, 1, 0, 0)


def test_shift_start_equals_the_start_read_from_the_files_start():
    """A range worker's record start (cursor counted from the range) shifted by the range's start: the serial reader's."""
    from feedlint.reader.jsonstream import JsonRecordReader, RecordStart, shift_start
    from feedlint.reader.textstream import TextStream
    import io

    data = pretty([record(i) for i in range(6)], "\r\n")
    whole = list(JsonRecordReader(TextStream(io.BytesIO(data), "x")).records())
    k = 3
    cut = whole[k].at
    rest = JsonRecordReader(TextStream(io.BytesIO(data[cut:]), "x"))
    from feedlint.reader.positions import Cursor

    rel = list(rest.resume(RecordStart(cut, Cursor(), 0, 0, k), "pages", None))
    assert [shift_start(whole[k].origin, r.start) for r in rel] == [r.start for r in whole[k:]]
    assert [r.source for r in rel] == [r.source for r in whole[k:]]


def test_record_at_gives_the_records_of_the_first_pass(files):
    """Every record of every layout read alone at its start: source, values, pointer and the regions of its values equal."""
    from feedlint.reader.sources import Source

    for name in ("pretty-crlf.json", "compact.json", "lines-crlf.jsonl", "bom.json", "wrapped-crlf.json"):
        from feedlint.planning import Choices, build_plan
        from feedlint.config import Config
        from feedlint.registry import load_catalogue
        from feedlint.ranges import reread

        profiles = build_plan(load_catalogue(plugins=False), Config(values={"profiles": [str(files["config"].parent / "wrapped.toml")]}), Choices()).profile_set()
        source = Source(str(files[name]), profiles=profiles)
        first = list(source.records())
        assert reread.seekable(str(files[name]), source.info)
        again = list(reread.records_at(str(files[name]), source.info, [(r.index, r.pointer, r.start) for r in first]))
        assert len(again) == len(first) > 2
        for a, b in zip(first, again):
            assert (b.index, b.pointer, b.source, b.data, b.origin, b.line_document) == (a.index, a.pointer, a.source, a.data, a.origin, a.line_document)
            pointers = [""] + [f"/{k}" for k in a.data if not isinstance(a.data[k], (dict, list))][:6]
            assert [b.region(p) for p in pointers] == [a.region(p) for p in pointers]


def test_not_seekable_gzip_article_or_a_pipe(files, tmp_path):
    from feedlint.ranges import reread
    from feedlint.reader.sources import FileInfo

    plain = FileInfo("x", layout="pages")
    assert reread.seekable(str(files["pretty.json"]), plain)
    assert not reread.seekable(str(files["pretty.json.gz"]), FileInfo("x", layout="pages", gzip=True))
    assert not reread.seekable(str(files["pretty.json"]), FileInfo("x", layout="pages", kind="article"))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert not reread.seekable(str(fifo), plain)
