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

    small = {"shared-image": 3, "one-content-id": 3, "one-article": 3, "findings-in-one-record": 50, "big-record": 1, "entities-in-one-field": 40, "tiny-records": 30, "deep-nesting": 30}
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
