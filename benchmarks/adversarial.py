#!/usr/bin/env python3
"""Adversarial exports: the shapes that make a linter quadratic, each generated at any size.

Every case is a function of one size ``n``; ``benchmarks/run.py --adversarial``
runs each at ``n`` and ``2n`` and reports the growth factor (linear: about 2).
The text is invented (``generate.py``'s vocabulary); nothing is committed as
data, the files go to ``benchmarks/data/adversarial/`` (git-ignored).

    python benchmarks/adversarial.py --list
    python benchmarks/adversarial.py shared-image 10000 --out shared.json

Cases (what ``n`` counts):

* ``shared-image``: n seed-shaped records that all carry one placeholder image (one token), ~3%
  with a defect: every record is in one FL606 group of n;
* ``one-content-id``: n seed-shaped records with one ``content_id``: one FL601 group of n;
* ``one-article``: one article (title and body) under n ids: one FL602 group of n;
* ``findings-in-one-record``: one record with n unknown fields: n findings in one record (FL103);
* ``big-record``: one record whose body and HTML together hold n MB;
* ``entities-in-one-field``: one record whose body holds n HTML entities (FL201/FL4xx);
* ``tiny-records``: n records with the export's fields and the smallest values (~700 bytes each);
* ``deep-nesting``: one record with an extra field nested n levels deep (legal JSON; the
  reader's limit is far above; n ≤ 400 stays inside every JSON parser's default).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

def _sibling(name: str) -> Any:
    """A module of this folder, loaded by path: the folder is never put on sys.path (its rules.py would hide the rules package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"feedlint_benchmarks_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


_gen = _sibling("generate")
HTML_CLOSE, HTML_OPEN, HTML_SEP, PARA_SEP = _gen.HTML_CLOSE, _gen.HTML_OPEN, _gen.HTML_SEP, _gen.PARA_SEP
RecordMaker, TextMaker, write_export = _gen.RecordMaker, _gen.TextMaker, _gen.write_export


def _seed_records(shared_image: bool = False, defects: float = 0.0) -> Iterator[dict[str, Any]]:
    return iter(RecordMaker(1, 0.01, defects, shared_image))


def _one_record(rec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return iter([rec])


def _base() -> dict[str, Any]:
    return next(_seed_records())


def shared_image(n: int) -> tuple[Iterator[dict[str, Any]], int]:
    return _seed_records(shared_image=True, defects=0.03), n


def one_content_id(n: int) -> tuple[Iterator[dict[str, Any]], int]:
    def records() -> Iterator[dict[str, Any]]:
        for rec in _seed_records():
            rec["content_id"] = 500000
            yield rec

    return records(), n


def one_article(n: int) -> tuple[Iterator[dict[str, Any]], int]:
    def records() -> Iterator[dict[str, Any]]:
        first = None
        for rec in _seed_records():
            if first is None:
                first = rec
            rec.update(content_title=first["content_title"], content_body=first["content_body"], content_html=first["content_html"], attach_title=first["content_title"])
            yield rec

    return records(), n


def findings_in_one_record(n: int) -> tuple[Iterator[dict[str, Any]], int]:
    rec = _base()
    rec.update({f"legacy_field_{i}": i for i in range(n)})
    return _one_record(rec), 1


def big_record(n: int) -> tuple[Iterator[dict[str, Any]], int]:
    """A record of about n MB: its body and HTML (the body's paragraphs, wrapped), ASCII like the seed's."""
    rec = _base()
    text = TextMaker(random.Random(7), 0.0)
    paras: list[str] = []
    size = 0
    while size < n * 1_000_000 / 2.3:  # the HTML is about 1.3 times the body
        p = text.paragraph()
        paras.append(p)
        size += len(p) + len(PARA_SEP)
    rec["content_body"] = PARA_SEP.join(paras)
    rec["content_html"] = HTML_SEP.join(HTML_OPEN + p + HTML_CLOSE for p in paras)
    return _one_record(rec), 1


def big_differing_record(n: int) -> tuple[Iterator[dict[str, Any]], int]:
    """A record of about n MB whose body and HTML differ in every paragraph (FL401's word diff on all of it), and a body of one huge paragraph beside it."""
    rec = _base()
    text = TextMaker(random.Random(11), 0.0)
    paras: list[str] = []
    size = 0
    while size < n * 1_000_000 / 2.3:
        p = text.paragraph()
        paras.append(p)
        size += len(p) + len(PARA_SEP)
    rec["content_body"] = PARA_SEP.join(p + " also" for p in paras[: len(paras) // 2]) + PARA_SEP + " ".join(paras[len(paras) // 2 :])
    rec["content_html"] = HTML_SEP.join(HTML_OPEN + p + HTML_CLOSE for p in paras)
    return _one_record(rec), 1


_ENTITIES = ("&#39;", "&quot;", "&amp;", "&rsquo;", "&ldquo;", "&rdquo;", "&nbsp;")


def entities_in_one_field(n: int) -> tuple[Iterator[dict[str, Any]], int]:
    rec = _base()
    rng = random.Random(3)
    words = rec["content_body"].replace("&", " ").split()
    parts = []
    for i in range(n):
        parts.append(rng.choice(words))
        parts.append(_ENTITIES[i % len(_ENTITIES)])
    body = " ".join(parts)
    rec["content_body"] = body
    rec["content_html"] = HTML_OPEN + body + HTML_CLOSE
    return _one_record(rec), 1


def tiny_records(n: int) -> tuple[Iterator[dict[str, Any]], int]:
    """n records of the export's fields with the smallest values they take (about 700 bytes each)."""
    shape = _base()

    def records() -> Iterator[dict[str, Any]]:
        for i in range(n):
            rec = dict(shape, content_id=900000 + i, content_title=f"Item {i}", attach_title=f"Item {i}", content_summary="", content_body=f"Item {i}.",
                       content_html=f"<p>Item {i}.</p>", attaches=[], content_show_img=0)
            yield rec

    return records(), n


def deep_nesting(n: int) -> tuple[Iterator[dict[str, Any]], int]:
    rec = _base()
    value: Any = "bottom"
    for i in range(n):
        value = {"level": i, "inner": [value]} if i % 2 else [value]
    rec["content_extra"] = value
    return _one_record(rec), 1


CASES: dict[str, tuple[Callable[[int], tuple[Iterator[dict[str, Any]], int]], int, str]] = {
    # name: (maker, n of the smaller run, what n counts)
    "shared-image": (shared_image, 5000, "records"),
    "one-content-id": (one_content_id, 2500, "records"),
    "one-article": (one_article, 2500, "records"),
    "findings-in-one-record": (findings_in_one_record, 25000, "findings"),
    "big-record": (big_record, 25, "MB"),
    "big-differing-record": (big_differing_record, 25, "MB"),
    "entities-in-one-field": (entities_in_one_field, 50000, "entities"),
    "tiny-records": (tiny_records, 50000, "records"),
    "deep-nesting": (deep_nesting, 200, "levels"),
}


def write_case(name: str, n: int, out: BinaryIO) -> int:
    """Write case ``name`` at size ``n`` (pages layout, compact, like the CMS); returns the records written."""
    records, count = CASES[name][0](n)
    written, _ = write_export(out, records, count, None, "pages", 100, False)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("case", nargs="?", choices=sorted(CASES))
    p.add_argument("n", nargs="?", type=int, help="size (default: the case's smaller benchmark size)")
    p.add_argument("--out", help="output path")
    p.add_argument("--list", action="store_true", help="list the cases")
    a = p.parse_args(argv)
    if a.list or not a.case:
        for name, (_, n, unit) in CASES.items():
            print(f"{name:<24} n = {n:,} {unit} (benchmarked at n and 2n)")
        return 0
    if not a.out:
        p.error("--out is required")
    with open(a.out, "wb", buffering=1 << 20) as f:
        written = write_case(a.case, a.n or CASES[a.case][1], f)
    print(f"wrote {a.case} ({written} records) -> {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
