"""Turn mozilla/readability's clean test pages into one JSON Feed, so feedlint can read them as records.

    python benchmarks/readability_feed.py DIR > feed.json

DIR holds one folder per page with ``expected.html`` (the article as
Readability extracted it: clean HTML) and ``expected-metadata.json`` (title,
excerpt, lang, publishedTime).  Each page becomes a JSON Feed item:
``content_html`` is the page, ``content_text`` its text rendered here with
the standard library's HTML parser (not feedlint's own, so FL401 compares two
independent renderings), ``title`` and ``summary`` the metadata's title and
excerpt.  These are clean records: every finding on them is a false positive
unless the page itself carries the defect.  Lives in ``benchmarks/``, not in
the product: it is a test-data converter.
"""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

# elements that start and end a block of text (a line break in the rendering)
BLOCKS = frozenset(
    "address article aside blockquote body caption dd details div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
SKIP = frozenset({"script", "style", "noscript", "template", "head", "title"})
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


class _Text(HTMLParser):
    """Text of an HTML fragment: one paragraph per block element, whitespace collapsed outside ``<pre>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.pre = 0

    def _flush(self) -> None:
        text = "".join(self.current)
        text = text.strip("\n") if self.pre else re.sub(r"\s+", " ", text).strip()
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIP:
            self.skipping += 1
        elif tag in BLOCKS:
            self._flush()
            self.pre += tag == "pre"
        elif tag == "br":
            self.current.append("\n" if self.pre else " ")
        elif tag == "img":
            pass  # an image has no text (its alt is not shown)

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in BLOCKS:
            self._flush()
        elif tag == "br":
            self.current.append("\n" if self.pre else " ")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self._flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)

    def text(self) -> str:
        self.close()
        self._flush()
        return "\n\n".join(self.blocks)


def html_text(html: str) -> str:
    """The text a reader sees in ``html``, paragraphs separated by blank lines."""
    parser = _Text()
    parser.feed(html)
    return parser.text()


def item(page: Path) -> dict:
    """One JSON Feed item from a test page folder."""
    html = (page / "expected.html").read_text(encoding="utf-8")
    meta = json.loads((page / "expected-metadata.json").read_text(encoding="utf-8"))
    entry: dict = {"id": page.name, "url": f"http://fakehost/{page.name}/", "content_html": html, "content_text": html_text(html)}
    if meta.get("title"):
        entry["title"] = meta["title"]
    if meta.get("excerpt"):
        entry["summary"] = meta["excerpt"]
    if isinstance(meta.get("publishedTime"), str) and RFC3339.match(meta["publishedTime"]):
        entry["date_published"] = meta["publishedTime"]  # other spellings are left out: the converter's choice, not the page's defect
    if meta.get("lang"):
        entry["language"] = meta["lang"]
    return entry


def pages(root: Path) -> list[Path]:
    """The page folders under ``root`` (those with both files), sorted by name."""
    return sorted(p for p in root.iterdir() if (p / "expected.html").is_file() and (p / "expected-metadata.json").is_file())


def feed(root: Path) -> dict:
    """A JSON Feed 1.1 document with one item per page under ``root``."""
    return {"version": "https://jsonfeed.org/version/1.1", "title": "readability test pages", "items": [item(p) for p in pages(root)]}


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    json.dump(feed(Path(sys.argv[1])), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
