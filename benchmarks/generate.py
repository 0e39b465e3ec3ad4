#!/usr/bin/env python3
"""Generate synthetic news-CMS JSON exports in the shape of the real seed export.

The output mirrors the real export's structure exactly -- the same 35 fields in
the same order and with the same types, ``[[record, ...], ...]`` pages, compact
one-line JSON with ``/`` escaped as ``\\/`` -- but every word of text is invented
here from a small built-in vocabulary, so no third-party prose is reproduced.

What each record looks like (see ``make_record``):

* ``content_body``: plain-text paragraphs joined by ``\\r\\n\\r\\n&nbsp;\\r\\n\\r\\n``,
  with HTML entities as the CMS writes them (``&#39;`` for apostrophes, ``&quot;``
  around quotations, now and then ``&rsquo;``/``&ldquo;``/``&rdquo;``).
* ``content_html``: the same paragraphs, each wrapped as
  ``<p><span style="font-size:16px;">...</span></p>`` and separated by
  ``\\r\\n\\r\\n<p>&nbsp;</p>\\r\\n\\r\\n``; stripping the tags gives the body back.
* ``content_title``/``attach_title`` and ``content_summary``: raw apostrophes.
* dates ``YYYY-MM-DD HH:MM:SS``, going back in time as ``content_id`` goes down
  (newest first, like the CMS); ids are unique.
* ``attaches``: usually one image with renditions 150/300/400/600/900 (``.webp``)
  and a ``1200`` key capped at the original width (kept in the original
  extension), heights proportional to the original, all under
  ``./cache/<portal>/attach/<YYYYMM>/<id>_<token>_<w>_<h>.<ext>``.
* With ``--non-ascii P`` (default 0.01) a paragraph, title or summary contains a
  raw curly quote or an accented name with probability P, so byte and character
  offsets differ; ``--non-ascii 0`` gives pure-ASCII output like the seed.

Records average about 14 KB (10,000 records ~ 140 MB).  Output is written as it
is generated, so memory stays flat whatever the size.  The same arguments always
give the same bytes (gzip output included: its header timestamp is fixed).

Usage::

    python benchmarks/generate.py --records 10000 --out benchmarks/data/10k.json
    python benchmarks/generate.py --target-mb 1000 --out big.json.gz --gzip
    python benchmarks/generate.py --records 50 --layout jsonl --out - | head -c 300
    python benchmarks/generate.py --records 300 --defects 0.2 --out broken.json

Only the Python standard library is used.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import json
import random
import sys
from typing import Any, BinaryIO, Iterator

# --------------------------------------------------------------------------
# Vocabulary (invented; generic news-register English plus made-up names)
# --------------------------------------------------------------------------

_FUNCTION = (
    "the the the the the of of of to to to and and and in in a a on for with "
    "that that by as at from its their this which was were has have had would "
    "will could should not also over after before between during into against "
    "under about than more most such any all both each other"
).split()

_NOUNS = (
    "council ministry government committee delegation agreement proposal policy "
    "budget report statement official officials minister ministers spokesman "
    "region province capital border coast river harbour port railway network "
    "market markets trade exports imports tariffs prices wages workers farmers "
    "industry factory energy grid pipeline reserves supply demand shortage "
    "talks negotiations summit meeting session vote election campaign parliament "
    "assembly court ruling appeal inquiry investigation audit review framework "
    "security defence stability cooperation dialogue relations partnership "
    "sovereignty independence reform reforms program programme project plan "
    "strategy initiative measures sanctions restrictions guarantees commitments "
    "infrastructure housing schools hospitals clinics transport roads bridges "
    "residents citizens voters families communities villages districts cities "
    "analysts observers experts economists diplomats envoys negotiators leaders "
    "president premier chancellor governor mayor ambassador commissioner "
    "weather harvest drought flooding storms season forecast climate emissions "
    "technology research universities students teachers scientists engineers "
    "fleet aircraft vessels convoy shipment cargo routes corridor terminal "
    "currency inflation growth deficit surplus debt loans investment investors "
    "media newspaper broadcaster interview remarks comments concerns questions "
    "week month year decade period deadline schedule timeline phase stage"
).split()

_VERBS = (
    "said says stated announced confirmed denied rejected accepted approved "
    "signed proposed urged warned argued insisted noted added stressed "
    "emphasised acknowledged suggested reported revealed disclosed claimed "
    "pledged promised vowed agreed refused declined demanded called welcomed "
    "criticised defended supported opposed backed endorsed questioned reviewed "
    "expanded reduced raised lowered extended suspended resumed launched "
    "completed delayed postponed cancelled finalised negotiated discussed "
    "prepared presented published released described outlined highlighted "
    "secured protected strengthened improved restored maintained ensured"
).split()

_ADJECTIVES = (
    "new recent previous current national regional local international "
    "economic political diplomatic military civilian public private official "
    "major minor key central northern southern eastern western coastal rural "
    "urban annual quarterly final initial formal informal joint bilateral "
    "several many few broad narrow long short strong weak stable uncertain "
    "significant modest rapid gradual direct indirect temporary permanent "
    "senior junior independent neighbouring remote crucial essential"
).split()

_ADVERBS = (
    "firmly clearly repeatedly publicly formally strongly briefly largely "
    "currently recently earlier later again still already only nearly"
).split()

_PLACES = (
    "Valdoria Ostrane Kessmark Orlenna Brevik Tarsova Meridel Calloway Dunmere "
    "Westhaven Norrland Sallow Pemberton Rookfield Ashgrove Ilvania Corvane "
    "Tessaly Marrowgate Quillon Easterby Halvard Lindqvist Ferrow Aldmoor"
).split()

_PEOPLE = (
    "Arlen Voss|Mira Castell|Tomas Hale|Ines Varga|Oskar Brandt|Lena Morrow|"
    "Daniel Ferro|Hanna Lisk|Viktor Osei|Clara Dunning|Rafael Quint|Sofia Marek|"
    "Jonas Albright|Petra Lindahl|Marcus Reyne|Elena Pruitt|Samir Kader|"
    "Nadia Orlov|Felix Garnet|Ruth Calder"
).split("|")

_TITLES = (
    "President|Prime Minister|Foreign Minister|Finance Minister|Defence Minister|"
    "Governor|Mayor|spokeswoman|spokesman|Ambassador|Commissioner|Deputy Minister"
).split("|")

# Non-ASCII material, used only with probability --non-ascii.
_ACCENTED_PEOPLE = ("José Ibáñez", "Zoë Kovač", "Søren Ærø", "Łukasz Wójcik", "Amélie Brûlé", "Ngô Thị Hà")
_CURLY_APOS = "\u2019"
_CURLY_OPEN, _CURLY_CLOSE = "\u201c", "\u201d"

_WORDS = _FUNCTION * 3 + _NOUNS * 2 + _VERBS + _ADJECTIVES * 2 + _ADVERBS

PARA_SEP = "\r\n\r\n&nbsp;\r\n\r\n"
HTML_OPEN = '<p><span style="font-size:16px;">'
HTML_CLOSE = "</span></p>"
HTML_SEP = "\r\n\r\n<p>&nbsp;</p>\r\n\r\n"

RENDITION_WIDTHS = (150, 300, 400, 600, 900)
LARGEST_KEY = 1200
ORIGINAL_WIDTHS = (960, 1000, 1000, 1000, 1200, 1280, 1600, 1920, 2048)
ASPECTS = ((56, 100), (9, 16), (3, 4), (2, 3), (1, 1))  # height/width
EXTS = ("jpg",) * 17 + ("png", "png", "jpeg")
UIDS = (43, 43, 43, 12, 12, 7, 58, 61, 19, 88, 3, 27)

START = _dt.datetime(2026, 6, 24, 11, 53, 1)
FIRST_CONTENT_ID = 418667
FIRST_ATTACH_ID = 571369


# --------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------


class TextMaker:
    def __init__(self, rng: random.Random, non_ascii: float) -> None:
        self.rng = rng
        self.non_ascii = non_ascii

    def _person(self, allow_unicode: bool) -> str:
        if allow_unicode:
            return self.rng.choice(_ACCENTED_PEOPLE)
        return self.rng.choice(_PEOPLE)

    def _clause(self, n: int, apos: str) -> list[str]:
        rng = self.rng
        words = rng.choices(_WORDS, k=n)
        # Sprinkle proper nouns and possessives.
        for _ in range(1 + n // 12):
            i = rng.randrange(n)
            r = rng.random()
            if r < 0.45:
                words[i] = rng.choice(_PLACES)
            elif r < 0.75:
                words[i] = rng.choice(_PLACES) + apos + "s"
            else:
                noun = rng.choice(_NOUNS)
                words[i] = noun + apos if noun.endswith("s") else noun + apos + "s"
        return words

    def sentence(self, lo: int = 7, hi: int = 22, apos: str = "&#39;", cap: bool = True) -> str:
        rng = self.rng
        words = self._clause(rng.randint(lo, hi), apos)
        if len(words) > 8 and rng.random() < 0.7:
            words[rng.randrange(3, len(words) - 3)] += ","
        if cap:
            words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + "."

    def _quote_body(self, apos: str) -> str:
        rng = self.rng
        parts = [self.sentence(6, 22, apos) for _ in range(rng.randint(1, 2))]
        q = " ".join(parts)
        return q[:-1] + "," if rng.random() < 0.6 else q

    def paragraph(self) -> str:
        """One plain-text paragraph with the CMS's entities."""
        rng = self.rng
        uni = rng.random() < self.non_ascii
        r = rng.random()
        if r < 0.04:  # short subheading-like line
            words = rng.choices(_NOUNS + _ADJECTIVES, k=rng.randint(3, 6))
            return " ".join(words).capitalize()
        if r < 0.34:  # quotation paragraph
            apos = "&rsquo;" if rng.random() < 0.3 else "&#39;"
            if uni:
                oq, cq = (_CURLY_OPEN, _CURLY_CLOSE)
                apos = _CURLY_APOS
            elif rng.random() < 0.1:
                oq, cq = "&ldquo;", "&rdquo;"
            else:
                oq, cq = "&quot;", "&quot;"
            speaker = self._person(uni and rng.random() < 0.5)
            q1 = self._quote_body(apos)
            if q1.endswith(","):
                out = f"{oq}{q1}{cq} {speaker.split()[-1]} said."
            else:
                out = f"{oq}{q1}{cq} said {speaker}."
            if rng.random() < 0.5:
                out = out[:-1] + f". {oq}{self.sentence(8, 26, apos)}{cq}"
            return out
        # narrative paragraph, 1-3 sentences, sometimes naming a person
        n = rng.choice((1, 2, 2))
        if rng.random() < 0.4:
            who = f"{rng.choice(_TITLES)} {self._person(uni)}"
            sents = [f"{who} {rng.choice(_VERBS)} {self.sentence(cap=False)}"]
            sents += [self.sentence() for _ in range(n - 1)]
        else:
            sents = [self.sentence() for _ in range(n)]
        if uni and not sents[0].startswith(tuple(_TITLES)):
            sents[-1] = sents[-1][:-1] + f", {self._person(True)}{_CURLY_APOS}s office said."
        return " ".join(sents)

    def headline(self) -> str:
        rng = self.rng
        uni = rng.random() < self.non_ascii
        apos = _CURLY_APOS if uni else "'"
        words = self._clause(rng.randint(8, 15), apos)
        words[0] = words[0][:1].upper() + words[0][1:]
        if rng.random() < 0.4:
            words.insert(rng.randrange(3, len(words)), "says")
            words[rng.randrange(3, len(words) - 1)] += ","
        return " ".join(words)

    def summary(self) -> str:
        rng = self.rng
        uni = rng.random() < self.non_ascii
        apos = _CURLY_APOS if uni else "'"
        s = " ".join(self.sentence(14, 34, apos) for _ in range(rng.randint(1, 2)))
        if len(s) > 320:
            s = s[:320].rsplit(" ", 1)[0].rstrip(",") + "."
        return s


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


def _fmt(t: _dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def make_attach(rng: random.Random, attach_id: int, folder: str, portal_id: int) -> dict[str, Any]:
    token = rng.randrange(10**9, 2**32)
    width = rng.choice(ORIGINAL_WIDTHS)
    ah, aw = rng.choice(ASPECTS)
    height = (width * ah + aw // 2) // aw
    ext = rng.choice(EXTS)
    stem = f"./cache/{portal_id}/attach/{folder}/{attach_id}_{token}"

    def h(w: int) -> int:
        return (w * height + width // 2) // width

    sizes = {str(w): f"{stem}_{w}_{h(w)}.webp" for w in RENDITION_WIDTHS}
    top = min(LARGEST_KEY, width)
    sizes[str(LARGEST_KEY)] = f"{stem}_{top}_{h(top)}.{ext}"
    return {
        "sizes": sizes,
        "ext": ext,
        "file_media": 1,
        "token": token,
        "files": {
            "original": {
                "url": f"./file/{portal_id}/attach/{folder}/{attach_id}_{token}.{ext}",
                "width": width,
                "height": height,
                "size": 0,
            }
        },
    }


# --defects: each mutation breaks one thing a rule family checks (the names say which).
DEFECTS = (
    "schema-portal-id-string",
    "schema-extra-field",
    "encoding-mojibake",
    "encoding-control-character",
    "dates-edit-before-register",
    "parity-paragraph-missing-from-html",
    "attachments-rendition-width",
)


def add_defect(rec: dict[str, Any], kind: str) -> None:
    """Break ``rec`` in one way (in place)."""
    if kind == "schema-portal-id-string":
        rec["portal_id"] = str(rec["portal_id"])
    elif kind == "schema-extra-field":
        rec["surprise"] = 1
    elif kind == "encoding-mojibake":
        rec["content_title"] = rec["content_title"] + " caf\u00c3\u00a9"
    elif kind == "encoding-control-character":
        rec["content_summary"] = rec["content_summary"] + "\u0001"
    elif kind == "dates-edit-before-register":
        rec["content_date_last_edit"] = rec["content_date_start"][:11] + "00:00:00"
    elif kind == "parity-paragraph-missing-from-html":
        rec["content_html"] = rec["content_html"].split(HTML_SEP, 1)[-1]
    elif kind == "attachments-rendition-width" and rec["attaches"]:
        sizes = rec["attaches"][0]["sizes"]
        sizes["300"] = sizes["300"].replace("_300_", "_301_")


class RecordMaker:
    def __init__(self, seed: int, non_ascii: float, defects: float = 0.0, shared_image: bool = False) -> None:
        self.rng = random.Random(seed)
        self.shared_image: dict[str, Any] | None = None  # set on the first record when every record reuses one image
        self.share = shared_image
        self.defect_rng = random.Random(seed + 1_000_003)  # separate stream: --defects 0 output is unchanged
        self.defects = defects
        self.text = TextMaker(self.rng, non_ascii)
        self.content_id = FIRST_CONTENT_ID
        self.attach_id = FIRST_ATTACH_ID
        self.when = START

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while True:
            yield self.make_record()

    def make_record(self) -> dict[str, Any]:
        rng = self.rng
        tm = self.text
        portal_id = 2

        start = self.when
        register = start + _dt.timedelta(seconds=rng.randint(20, 900))
        last_edit = register
        if rng.random() < 0.2:
            last_edit = register + _dt.timedelta(seconds=rng.randint(30, 3 * 86400))

        paras = [tm.paragraph() for _ in range(rng.randint(13, 33))]
        body = PARA_SEP.join(paras)
        html = HTML_SEP.join(HTML_OPEN + p + HTML_CLOSE for p in paras)
        title = tm.headline()

        n_att = rng.choices((1, 0, 2), weights=(90, 4, 6))[0]
        folder = register.strftime("%Y%m")
        attaches = []
        for _ in range(n_att):
            attaches.append(make_attach(rng, self.attach_id, folder, portal_id))
            self.attach_id -= rng.randint(1, 4)
        if self.share:  # a placeholder image reused by every article (common in real CMSs): one attachment, the first one made
            if self.shared_image is None:
                self.shared_image = attaches[0] if attaches else make_attach(rng, self.attach_id, folder, portal_id)
            attaches = [json.loads(json.dumps(self.shared_image))]

        rec = {
            "content_id": self.content_id,
            "content_number": 0,
            "portal_id": portal_id,
            "lang_id": "en",
            "content_title": title,
            "content_rtitr": "",
            "content_short_title": None,
            "content_summary": tm.summary(),
            "content_summary_fill": 1,
            "content_body": body,
            "content_html": html,
            "content_source": "",
            "content_url": "",
            "content_date_start": _fmt(start),
            "content_date_event": _fmt(start),
            "content_date_event_start": None,
            "content_date_event_end": None,
            "content_show_title_slider": 1 if rng.random() < 0.9 else 0,
            "content_date_last_edit": _fmt(last_edit),
            "content_date_register": _fmt(register),
            "content_columns": 0,
            "content_show_img": 1 if attaches else 0,
            "content_show_details": 0,
            "content_show_related_img": 0,
            "content_show_slider": 1 if rng.random() < 0.7 else 0,
            "content_comment": 1 if rng.random() < 0.85 else 0,
            "content_score": 0,
            "tag_id": 0,
            "score_average": None,
            "score_count": None,
            "score_date_last": None,
            "uid": rng.choice(UIDS),
            "eid": 0,
            "attach_title": title,
            "attaches": attaches,
        }
        if self.defects and self.defect_rng.random() < self.defects:
            add_defect(rec, self.defect_rng.choice(DEFECTS))
        # Older records further down: ids and times go back together.
        self.content_id -= rng.randint(1, 3)
        self.when -= _dt.timedelta(seconds=rng.randint(120, 2400))
        return rec


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def dump_compact(rec: dict[str, Any]) -> str:
    # ``/`` only ever occurs inside strings in JSON, so a blanket replace is safe.
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def dump_pretty(rec: dict[str, Any], indent: str) -> str:
    s = json.dumps(rec, ensure_ascii=False, indent=2).replace("/", "\\/")
    return s.replace("\n", "\n" + indent) if indent else s


class _Counter:
    """Counts the uncompressed bytes written, for --target-mb."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.n = 0

    def write(self, s: str) -> None:
        b = s.encode("utf-8")
        self.n += len(b)
        self.raw.write(b)


def write_export(
    out: BinaryIO,
    records: Iterator[dict[str, Any]],
    n_records: int | None,
    target_bytes: int | None,
    layout: str,
    page_size: int,
    pretty: bool,
) -> tuple[int, int]:
    """Stream records to ``out``; returns (records written, uncompressed bytes)."""
    w = _Counter(out)
    count = 0

    def more() -> bool:
        if n_records is not None and count >= n_records:
            return False
        if target_bytes is not None and w.n >= target_bytes:
            return False
        return True

    if layout == "jsonl":
        while more():
            w.write(dump_compact(next(records)) + "\n")
            count += 1
        return count, w.n

    if layout == "array":
        nl, ind = ("\n", "  ") if pretty else ("", "")
        w.write("[")
        while more():
            rec = next(records)
            w.write(("," if count else "") + nl + ind)
            w.write(dump_pretty(rec, ind) if pretty else dump_compact(rec))
            count += 1
        w.write((nl if count else "") + "]" + nl)
        return count, w.n

    # pages: [[rec, ...], [rec, ...]]
    nl, ind1, ind2 = ("\n", "  ", "    ") if pretty else ("", "", "")
    w.write("[")
    in_page = 0
    pages = 0
    while more():
        rec = next(records)
        if in_page == 0:
            w.write(("," if pages else "") + nl + ind1 + "[")
            pages += 1
        w.write(("," if in_page else "") + nl + ind2)
        w.write(dump_pretty(rec, ind2) if pretty else dump_compact(rec))
        count += 1
        in_page += 1
        if in_page == page_size:
            w.write(nl + ind1 + "]")
            in_page = 0
    if in_page:
        w.write(nl + ind1 + "]")
    w.write((nl if pages else "") + "]" + nl)
    return count, w.n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate a synthetic news-CMS JSON export (invented text).")
    p.add_argument("--records", type=int, help="number of records to write (with --target-mb: whichever limit comes first)")
    p.add_argument("--target-mb", type=float, help="write records until the uncompressed output reaches M MB (10^6 bytes)")
    p.add_argument("--out", required=True, help="output path, or - for stdout")
    p.add_argument("--layout", choices=("pages", "array", "jsonl"), default="pages", help="pages = [[record]] like the CMS (default)")
    p.add_argument("--page-size", type=int, default=100, help="records per page for --layout pages (default 100)")
    p.add_argument("--pretty", action="store_true", help="indented JSON instead of one compact line (not for jsonl)")
    p.add_argument("--gzip", action="store_true", help="gzip the output (deterministic header)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--non-ascii", type=float, default=0.01, metavar="P",
                   help="probability that a paragraph/title/summary carries a raw curly quote or accented name (default 0.01; 0 = ASCII only like the seed)")
    p.add_argument("--shared-image", action="store_true",
                   help="every record carries the same single attachment (one placeholder image, one token), as real CMSs often do")
    p.add_argument("--defects", type=float, default=0.0, metavar="P",
                   help="probability that a record gets one defect (schema, encoding, dates, parity, attachments; default 0)")
    a = p.parse_args(argv)

    if a.records is None and a.target_mb is None:
        p.error("give --records N and/or --target-mb M")
    if a.records is not None and a.records < 0:
        p.error("--records must be >= 0")
    if a.page_size < 1:
        p.error("--page-size must be >= 1")
    if a.pretty and a.layout == "jsonl":
        p.error("--pretty does not apply to --layout jsonl")
    target = int(a.target_mb * 1_000_000) if a.target_mb is not None else None

    raw: BinaryIO
    if a.out == "-":
        raw = sys.stdout.buffer
    else:
        raw = open(a.out, "wb", buffering=1 << 20)
    sink: BinaryIO = raw
    if a.gzip:
        sink = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)  # type: ignore[assignment]
    try:
        n, size = write_export(sink, iter(RecordMaker(a.seed, a.non_ascii, a.defects, a.shared_image)), a.records, target,
                               a.layout, a.page_size, a.pretty)
        if a.gzip:
            sink.close()
        raw.flush()
    except BrokenPipeError:  # e.g. `--out - | head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if a.out != "-":
            raw.close()
    print(f"wrote {n} records, {size / 1e6:.1f} MB uncompressed -> {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
