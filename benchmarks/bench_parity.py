#!/usr/bin/env python3
"""Cost per record of the FL4xx parity rules, and of the HTML text extractors they could use.

Usage::

    python benchmarks/bench_parity.py                      # 1,000 built-in seed-shaped records
    python benchmarks/bench_parity.py --export big.json    # the records of an export (pages layout)
    python benchmarks/bench_parity.py --fallbacks          # FL401's embed fallback texts at n and 2n (growth)

The built-in records follow the seed export's shape (invented text): about 24
paragraphs, the body entity-encoded (``&#39;``, ``&quot;``) with
``\\r\\n\\r\\n&nbsp;\\r\\n\\r\\n`` between paragraphs, the HTML as
``<p><span style="font-size:16px;">…</span></p>`` separated by ``<p>&nbsp;</p>``.
Numbers are microseconds of CPU time per record (best of ``--repeat`` runs; CPU time so that other load on the machine does not inflate them).
"""

from __future__ import annotations

import argparse
import html as _html
import json
import re
import time
from html.parser import HTMLParser

from feedlint.model import Record
from feedlint.rules import parity
from feedlint.rules._htmltext import body_key, quick_scan, scan_html

WORDS = "council tram budget mayor hospital college extension review costs spring months department timetable river north".split()


def seed_shaped(n: int) -> list[dict]:
    records = []
    for i in range(n):
        paragraphs = []
        for p in range(24):
            words = [WORDS[(i * 7 + p * 3 + k) % len(WORDS)] for k in range(30 + (i + p) % 12)]
            words[3] = "the city's"
            words[9] = '"' + words[9] + '"'
            paragraphs.append("The " + " ".join(words) + ".")
        body = "\r\n\r\n&nbsp;\r\n\r\n".join(_html.escape(p) for p in paragraphs)
        html = "\r\n\r\n<p>&nbsp;</p>\r\n\r\n".join(f'<p><span style="font-size:16px;">{_html.escape(p)}</span></p>' for p in paragraphs)
        records.append({"content_id": i, "content_body": body, "content_html": html})
    return records


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_parser_text(h: str) -> str:
    p = _TextParser()
    p.feed(h)
    p.close()
    return " ".join("".join(p.parts).split())


_TAG = re.compile(r"<[^>]*>")


def extractors() -> dict:
    from bs4 import BeautifulSoup
    import lxml.html

    return {
        "bs4 + html.parser, get_text": lambda h: BeautifulSoup(h, "html.parser").get_text(" "),
        "bs4 + lxml, get_text": lambda h: BeautifulSoup(h, "lxml").get_text(" "),
        "lxml.html fragment, text_content": lambda h: lxml.html.fragment_fromstring(h, create_parent="div").text_content(),
        "html.parser subclass (data only)": _html_parser_text,
        "regex tag-stripper + unescape": lambda h: " ".join(_html.unescape(_TAG.sub(" ", h)).split()),
        "feedlint scan_html (text + repairs)": lambda h: scan_html(h).key(),
        "feedlint quick_scan (text + nesting check)": lambda h: quick_scan(h).key(),
    }


def per_record(fn, items, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for item in items:
            fn(item)
        best = min(best, time.process_time() - t0)
    return best / len(items) * 1e6


def run_rules(records: list[dict], rules) -> None:
    for data in records:
        record = Record(data)
        for r in rules:
            list(r.check(record, r.defaults))


def fallbacks(repeat: int) -> None:
    """FL401's ``fallback-text`` on one Ghost-like field of n embeds (half of them left unclosed, n comments too) at n and 2n."""
    from feedlint.rules._htmltext import _fallback_edits, fallback_keys

    def one(n: int) -> float:
        html = "<iframe src=x>" * n + "<!--" * n + "".join(f'<p>Paragraph {i}.</p><iframe src="x"><a href="y">Album {i} by Band</a></iframe>' for i in range(n))
        body = "\n\n".join(f"Paragraph {i}.\n\nAlbum {i} by Band" for i in range(n))
        best = float("inf")
        for _ in range(repeat):
            t = time.process_time()
            _fallback_edits(body, fallback_keys(html, ("iframe",)))
            best = min(best, time.process_time() - t)
        return best

    print("fallback-text: embeds in one field, CPU seconds")
    for n in (10_000, 20_000, 40_000):
        a, b = one(n), one(2 * n)
        print(f"  n = {n:>6,}: {a:6.3f} s, 2n: {b:6.3f} s, growth {b / a:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--export", help="an export in pages layout; default: 1,000 built-in records")
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fallbacks", action="store_true", help="only the growth of FL401's fallback-text on n embeds")
    args = ap.parse_args()
    if args.fallbacks:
        fallbacks(args.repeat)
        return
    if args.export:
        with open(args.export, encoding="utf-8") as fh:
            records = [r for page in json.load(fh) for r in page][: args.records]
    else:
        records = seed_shaped(args.records)
    htmls = [r["content_html"] for r in records]
    print(f"{len(records)} records, mean content_html {sum(map(len, htmls)) / len(htmls):.0f} chars, "
          f"content_body {sum(len(r['content_body']) for r in records) / len(records):.0f} chars")
    print("\nHTML text extraction, us/record")
    for name, fn in extractors().items():
        print(f"  {name:40s} {per_record(fn, htmls, args.repeat):8.1f}")
    print(f"  {'body side: decode + normalise':40s} {per_record(body_key, [r['content_body'] for r in records], args.repeat):8.1f}")

    print("\nrules, us/record (fresh Record each time, as in the engine)")
    same = records
    changed = [dict(r, content_body=r["content_body"].replace("council", "councils", 1)) for r in records]
    for label, rules in (("FL401", [parity.body_html_mismatch]), ("FL402", [parity.body_or_html_empty]),
                         ("FL403", [parity.html_needs_repair]), ("FL401+FL402+FL403", parity.RULES)):
        t = per_record(lambda batch: run_rules(batch, rules), [same], args.repeat) / len(same)
        print(f"  {label:20s} texts equal   {t:8.1f}")
    t = per_record(lambda batch: run_rules(batch, [parity.body_html_mismatch]), [changed], args.repeat) / len(changed)
    print(f"  {'FL401':20s} one word off  {t:8.1f}  (paragraph alignment + word diff)")


if __name__ == "__main__":
    main()
