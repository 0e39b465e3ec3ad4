"""Defects the adversarial corpus (benchmarks/adversarial.py) found, held at a size a test can afford.

The corpus itself is measured by ``benchmarks/run.py --adversarial`` (growth factor when the
input doubles, peak memory); these tests keep the findings right where the fixes changed code.
"""

from __future__ import annotations

import json

from conftest import ROOT, base_record, run_engine


def test_each_missing_field_is_reported_once(tmp_path):
    """The validator gives one `required` error per missing field, each naming the whole list: k missing fields
    were k² findings (900 per tiny record), and the time grew with them."""
    rec = {k: v for k, v in base_record().items() if k not in ("content_title", "content_summary", "lang_id")}
    path = tmp_path / "a.json"
    path.write_text(json.dumps([[rec]], indent=1), encoding="utf-8")
    found, _ = run_engine(path, "FL102")
    assert sorted(f.evidence for f in found) == ["content_summary", "content_title", "lang_id"]
    assert {(f.record_pointer, f.region.start_line) for f in found} == {("", 3)}  # at the record object


def test_every_case_generates_valid_json_of_the_announced_size(tmp_path):
    """The corpus is generated, never committed: each case writes parseable JSON whose size follows n."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("adversarial_cases", ROOT / "benchmarks" / "adversarial.py")  # not via sys.path: benchmarks/rules.py
    adversarial = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(adversarial)
    CASES, write_case = adversarial.CASES, adversarial.write_case

    small = {"shared-image": 3, "one-content-id": 3, "one-article": 3, "findings-in-one-record": 50, "big-record": 1, "big-differing-record": 1, "entities-in-one-field": 40, "tiny-records": 30, "deep-nesting": 30}
    assert set(small) == set(CASES)
    for name, n in small.items():
        out = tmp_path / f"{name}.json"
        with open(out, "wb") as f:
            write_case(name, n, f)
        pages = json.loads(out.read_text(encoding="utf-8"))
        records = [r for page in pages for r in page]
        if name in ("shared-image", "one-content-id", "one-article", "tiny-records"):
            assert len(records) == n
        else:
            assert len(records) == 1
    shared = [r for page in json.loads((tmp_path / "shared-image.json").read_text()) for r in page]
    assert len({json.dumps(r["attaches"]) for r in shared}) == 1 and len({r["content_id"] for r in shared}) == 3
    one = json.loads((tmp_path / "one-article.json").read_text())[0]
    assert len({(r["content_title"], r["content_body"]) for r in one}) == 1 and len({r["content_id"] for r in one}) == 3
    assert 0.8e6 < (tmp_path / "big-record.json").stat().st_size < 1.2e6
    assert 0.8e6 < (tmp_path / "big-differing-record.json").stat().st_size < 1.2e6
    differing = json.loads((tmp_path / "big-differing-record.json").read_text())[0][0]
    body_paragraphs = differing["content_body"].split("\r\n\r\n&nbsp;\r\n\r\n")
    assert differing["content_html"].count("<p>") > 2 * len(body_paragraphs) > 20  # the second half is one body paragraph
    assert all(p.endswith(" also") for p in body_paragraphs[:-1])


def test_a_big_record_is_held_once_and_located_as_before(tmp_path, monkeypatch):
    """A record over BIG_RECORD bytes is decoded from a view of the reader's window (no copy of its bytes), the
    view is let go once its text is decoded (the window is freed), and a huge string's escape index is kept in
    arrays: the thresholds made tiny here, every finding (rule, pointer, line, columns, offsets, evidence) and
    every value is what the usual path gives, on non-ASCII text, escapes, astral characters and a 25-digit integer."""
    from feedlint.reader import jsonstream, locate
    from feedlint.reader.sources import Source

    late = ["&quot;", "&amp;", "&rsquo;", "&ndash;", "\x08", "\x0b", "&#8220;", "\x7f"]
    body = "".join(f"Line {i}: caf\u00e9 &#39;quoted&#39; \U0001f600 </tag> \\ \"q\" tab\there{late[i - 52] if i >= 52 else ''}\n" for i in range(60))
    big = base_record(content_id=2, content_body=body, content_html="<p>" + body.replace("\n", "</p><p>") + "</p>", legacy_id=1234567890123456789012345)
    records = [base_record(content_id=1), big, base_record(content_id=3, content_title="Caf\u00e9 &quot;three&quot;")]
    path = tmp_path / "big.json"
    path.write_text(json.dumps([records[:2], records[2:]], ensure_ascii=False), encoding="utf-8")
    size = len(json.dumps(big, ensure_ascii=False).encode("utf-8"))
    small = max(len(json.dumps(r, ensure_ascii=False).encode("utf-8")) for r in records[::2])
    assert size > 2 * small

    def where(found):
        return [(f.rule_id, f.record_index, f.pointer, f.region, f.evidence, f.message) for f in found]

    usual, _ = run_engine(path, "ALL")
    raws = list(Source(str(path)).records())
    assert all(isinstance(r.source, bytes) for r in raws)
    monkeypatch.setattr(jsonstream, "BIG_RECORD", (size + small) // 2)
    monkeypatch.setattr(locate, "_BIG_TEXT", 512)
    raws = list(Source(str(path)).records())
    assert [type(r.source) for r in raws] == [bytes, memoryview, bytes]
    original = bytes(raws[1].source)
    assert raws[1].size == len(original) == size
    text = raws[1].text
    assert raws[1].source == original and isinstance(raws[1].source, bytes)  # the view let go: encoded again from the text
    assert raws[1].data["legacy_id"] == 1234567890123456789012345 and raws[1].data["content_body"] == body
    assert text == original.decode("utf-8")
    index = locate.StringIndex(text, text.index('"Line 0'))
    assert type(index.decoded).__name__ == "array"
    big_path, _ = run_engine(path, "ALL")
    assert len(usual) > 12 and {f.record_index for f in usual} >= {1, 2}
    assert where(big_path) == where(usual)


def test_a_big_record_goes_to_workers_as_bytes(tmp_path, monkeypatch):
    """The records path (gzip) sends each record's bytes to the workers: a big record's view is sent as bytes,
    and the findings are those of a serial run."""
    import gzip

    import feedlint.parallel as parallel
    from feedlint.config import Config
    from feedlint.engine import Engine
    from feedlint.planning import Choices, build_plan
    from feedlint.reader import jsonstream
    from feedlint.tuning import Tuning

    from conftest import _builtin_catalogue

    body = "".join(f"Line {i}: caf\u00e9 &#39;quoted&#39; \U0001f600 tab\there\n" for i in range(80))
    records = [base_record(content_id=i, content_title=f"T&quot;{i}") for i in range(1, 7)] + [base_record(content_id=7, content_body=body)]
    path = tmp_path / "e.json.gz"
    path.write_bytes(gzip.compress(json.dumps([records], ensure_ascii=False).encode("utf-8")))
    monkeypatch.setattr(jsonstream, "BIG_RECORD", len(json.dumps(records[-1], ensure_ascii=False).encode("utf-8")) - 100)
    sent = []
    chunks = parallel._chunks

    def spy(raws, tuning):
        for chunk in chunks(raws, tuning):
            sent.extend((item[0], type(item[2])) for item in chunk)
            yield chunk

    monkeypatch.setattr(parallel, "_chunks", spy)

    def run(jobs):
        plan = build_plan(_builtin_catalogue(), Config(values={}), Choices(select=["ALL"], tuning=Tuning(parallel_min_records=3)))
        engine = Engine(plan, jobs)
        found = [(f.rule_id, f.record_index, f.pointer, f.region, f.message) for f in engine.run([str(path)])]
        assert not engine.errors and not engine.internal_errors
        return found

    serial = run(1)
    assert len(serial) > 6 and {f[1] for f in serial} >= {0, 6}
    assert run(2) == serial
    assert (6, bytes) in sent and {t for _, t in sent} == {bytes}
