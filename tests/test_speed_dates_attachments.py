"""The FL3xx/FL5xx shortcuts agree with the exact checks they skip.

The date and attachment rules take one-comparison exits for the common, clean
record (the oldest date clears the floor, one folder on every path, no
suspect character anywhere…).  Each exit must never hide a finding: these
tests run the rule and its exact path-by-path (or date-by-date) check on
seeded random records full of near-misses and require the same hits.
"""

from __future__ import annotations

import copy
import random
import re
from datetime import datetime, timedelta, timezone
from itertools import product

import pytest

from conftest import base_record
from feedlint.model import Record
from feedlint.planning import Choices, build_plan
from feedlint.config import load_config
from feedlint.registry import load_catalogue
from feedlint.rules import attachments as fl5
from feedlint.rules import dates as fl3
from feedlint.rules._datetimes import DEFAULT_FORMAT, date_table, now_from, parse, parsed_field
from feedlint.rules._paths import RENDITION_TEMPLATE, AttachPath, attach_index, compile_template, path_values

CATALOGUE = {r.id: r for r in load_catalogue(plugins=False).rules}
ROLES = build_plan(load_catalogue(plugins=False), load_config(None), Choices(select=None, ignore=None)).roles
DATE_FIELDS = ["content_date_start", "content_date_event", "content_date_event_start", "content_date_event_end", "content_date_last_edit", "content_date_register", "score_date_last"]


def _date(rng: random.Random) -> object:
    """A date value near the edges: valid, impossible, zero, epoch, far future, wrong shape, null."""
    if rng.random() < 0.5:
        return f"2026-{rng.choice([1, 5, 6, 12]):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
    if rng.random() < 0.15:
        return rng.choice([None, 7, "", "24/06/2026", "2026-06-24T10:00:00", "0000-00-00 00:00:00", "0000-00-00 10:00:00"])
    y = rng.choice([0, 1, 1899, 1900, 1969, 1970, 1989, 1990, 2026, 2027, 2036, 2099, 9999])
    mo, d = rng.choice([0, 1, 2, 6, 12, 13]), rng.choice([0, 1, 28, 29, 30, 31, 32])
    return f"{y:04d}-{mo:02d}-{d:02d} {rng.choice([0, 23, 24]):02d}:{rng.choice([0, 59, 60]):02d}:{rng.choice([0, 59, 60]):02d}"


def _path(rng: random.Random, path: str) -> str:
    """``path`` unchanged, or with one component or marker changed."""
    edits = [
        lambda p: p,
        lambda p: re.sub(r"attach/\d{6}", "attach/" + rng.choice(["202604", "202606", "202613", "000001", "202600", "209901"]), p),
        lambda p: re.sub(r"/(\d+)_", lambda m: f"/{int(m.group(1)) + rng.choice([0, 1])}_", p, count=1),
        lambda p: re.sub(r"_(\d{6,})", lambda m: f"_{int(m.group(1)) + rng.choice([0, 1])}", p, count=1),
        lambda p: re.sub(r"_\d+_\d+\.", f"_{rng.choice([150, 300, 999, 1000, 1200])}_{rng.choice([84, 168, 560, 561, 600])}.", p),
        lambda p: re.sub(r"(cache|file)/\d+", lambda m: f"{m.group(1)}/{rng.choice([2, 3])}", p),
        lambda p: p[: p.rindex(".") + 1] + rng.choice(["webp", "WEBP", "jpg", "JPG", "bmp", "png"]),
        lambda p: p.replace("_", "-", 1),
        lambda p: p.replace("/attach/", rng.choice(["/attach/../", "\\attach/", "/%2e%2e/", "/\x01/", "/a:b/"])),
        lambda p: rng.choice(["/", "//", "C:", "https://cdn/", "file:", "."]) + p.lstrip("./"),
        lambda p: p + rng.choice([".", "..", " /x", ""]),
    ]
    return rng.choice(edits)(path)


def fuzzed(seed: int, n: int) -> list[dict]:
    """``n`` base records with random dates and attachment paths (same seed, same records)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        rec = base_record()
        for name in DATE_FIELDS:
            if rng.random() < 0.5:
                rec[name] = _date(rng)
        att = rec["attaches"][0]
        if rng.random() < 0.3:
            rec["attaches"].append(copy.deepcopy(att))
        for a in rec["attaches"]:
            a["sizes"] = {k: _path(rng, v) if rng.random() < 0.3 else v for k, v in a["sizes"].items()}
            if rng.random() < 0.1:  # every path in one folder, maybe not a month
                folder = "attach/" + rng.choice(["202604", "202613", "000001", "202600"])
                a["sizes"] = {k: re.sub(r"attach/\d{6}", folder, v) for k, v in a["sizes"].items()}
                a["files"]["original"]["url"] = re.sub(r"attach/\d{6}", folder, a["files"]["original"]["url"])
            if rng.random() < 0.1:
                a["sizes"][rng.choice(["0300", "x", "a/b~c", "2000"])] = _path(rng, a["sizes"]["300"])
            orig = a["files"]["original"]
            if rng.random() < 0.3:
                orig["url"] = _path(rng, orig["url"])
            for key in ("width", "height"):
                if rng.random() < 0.1:
                    orig[key] = rng.choice([0, -1, None, 560, 900, 1000, 1200])
            if rng.random() < 0.1:
                a["ext"] = rng.choice(["JPG", "png", None])
        out.append(rec)
    return out


def record(data: dict) -> Record:
    return Record(data, "cms", 0, "", ROLES)


def found(hits) -> list[tuple]:
    return [(h.pointer, h.message, h.evidence, h.span) for h in hits]


def check(rule_id: str, rec: Record, given: dict | None = None) -> list[tuple]:
    rule = CATALOGUE[rule_id]
    return found(rule.check(rec, rule.resolve_options(given)))


RECORDS = fuzzed(20260624, 1500)


def test_the_fuzzed_records_reach_the_slow_paths():
    """Without findings in the sample the agreement tests below would prove nothing."""
    counts = {rid: sum(bool(check(rid, record(r), {"now": "2026-06-24T12:00:00"} if rid == "FL305" else None)) for r in RECORDS) for rid in ("FL301", "FL304", "FL305", "FL307", "FL503", "FL504", "FL506", "FL509", "FL510")}
    assert all(n >= 20 for n in counts.values()), counts


def test_date_table_gives_what_parse_gives_for_every_field():
    """Equal strings share one parse: each field still gets exactly ``parse(value)``."""
    for data in RECORDS:
        rec = record(data)
        table = date_table(rec, DEFAULT_FORMAT)
        assert [p for p, _ in table.fields] == [p for p, v in rec.fields_with_role("dates")]
        for (pointer, got), (_, value) in zip(table.fields, rec.fields_with_role("dates")):
            want = parse(value, DEFAULT_FORMAT)
            assert (got.value, got.when, got.shape_ok, got.problem, got.span) == (want.value, want.when, want.shape_ok, want.problem, want.span)
        for name in DATE_FIELDS:
            p, value = parsed_field(rec, name, DEFAULT_FORMAT), data.get(name)
            assert (p is None) == (not isinstance(value, str))
            if p is not None:
                assert p.when == parse(value, DEFAULT_FORMAT).when
        assert table.problems == [(ptr, p) for ptr, p in table.fields if p.problem is not None]
        assert table.valid == [(ptr, p) for ptr, p in table.fields if p.when is not None]
        whens = [p.when for _, p in table.fields if p.when is not None]
        assert (table.earliest, table.latest) == ((min(whens), max(whens)) if whens else (None, None))


def test_one_record_keeps_a_date_table_per_format_and_an_index_per_templates():
    """The record's tables of date tables and attachment indexes (one memo key each) keep every format and template pair apart, each built once."""
    formats = [DEFAULT_FORMAT, "%Y-%m-%d", "rfc3339"]
    templates = [CATALOGUE["FL501"].resolve_options(given) for given in (None, {"original-template": "./file/{portal_id}/{attach_id}_{token}.{ext}"})]
    for data in RECORDS[:200]:
        rec = record(data)
        tables = [date_table(rec, fmt) for fmt in formats]
        indexes = [attach_index(rec, options) for options in templates]
        assert [date_table(rec, fmt) for fmt in formats] == tables and [attach_index(rec, o) for o in templates] == indexes  # the same objects
        for fmt, table in zip(formats, tables):
            want = [(ptr, parse(v, fmt).when, parse(v, fmt).problem) for ptr, v in rec.fields_with_role("dates")]
            assert table.fmt == fmt and [(ptr, p.when, p.problem) for ptr, p in table.fields] == want
        for options, index in zip(templates, indexes):
            fresh = attach_index(record(data), options)
            assert [[(ap.pointer, ap.value, ap.parts) for ap in g.paths] for g in index.groups] == [[(ap.pointer, ap.value, ap.parts) for ap in g.paths] for g in fresh.groups]


@pytest.mark.parametrize("given", [{}, {"min-year": 2026, "event-min-year": 1990}, {"event-fields": []}, {"min-year": 1900, "event-min-year": 2000}])
def test_too_old_exit_agrees_with_date_by_date(given):
    options = CATALOGUE["FL304"].resolve_options(given)
    for data in RECORDS:
        rec = record(data)
        assert check("FL304", rec, given) == found(fl3._too_old(date_table(rec, DEFAULT_FORMAT), options))


@pytest.mark.parametrize(
    "given",
    [
        {"now": "2026-06-24T12:00:00"},
        {"now": "2026-01-01T00:00:00", "tolerance-hours": 0},
        {"now": "2026-06-24T12:00:00", "scheduled-tolerance-days": 0, "event-tolerance-days": 1, "scheduled-fields": ["content_date_register"]},
        {"now": "2026-06-24T12:00:00", "tolerance-hours": 10000, "event-fields": []},
    ],
)
def test_in_future_exit_agrees_with_date_by_date(given):
    options = CATALOGUE["FL305"].resolve_options(given)
    for data in RECORDS:
        rec = record(data)
        assert check("FL305", rec, given) == found(fl3._in_future(date_table(rec, DEFAULT_FORMAT), now_from(options["now"]), options))


def test_clock_now_is_the_utc_wall_clock():
    """``now_from("")`` reads the clock without a time-zone round trip: it still lies between two reads of the aware UTC clock.

    Within a microsecond: seconds since 1970 as a float resolve about a quarter
    of a microsecond, so the sum may round to the neighbouring microsecond.
    """
    slack = timedelta(microseconds=1)
    for _ in range(1000):
        before = datetime.now(timezone.utc).replace(tzinfo=None)
        now = now_from("")
        after = datetime.now(timezone.utc).replace(tzinfo=None)
        assert before - slack <= now <= after + slack and now.tzinfo is None


@pytest.mark.parametrize("hours", [24, 0, 2000])
def test_folder_after_edit_matches_a_path_by_path_reference(hours):
    """FL307 stops when no folder is later than the edit: a plain per-path computation must agree
    (one hit per attachment, at its first late path, counting its late paths)."""
    options = CATALOGUE["FL307"].resolve_options({"tolerance-hours": hours})
    for data in RECORDS:
        rec = record(data)
        edit = parse(data["content_date_last_edit"], DEFAULT_FORMAT).when if isinstance(data["content_date_last_edit"], str) else None
        late: dict[int, list[str]] = {}
        total: dict[int, int] = {}
        for ap in attach_index(rec, options).paths:
            total[ap.attach_index] = total.get(ap.attach_index, 0) + 1
            folder = ap.part("yyyymm")
            if edit is None or folder is None or not 1 <= int(folder[4:]) <= 12 or int(folder[:4]) < 1:
                continue
            if datetime(int(folder[:4]), int(folder[4:]), 1) > edit + timedelta(hours=hours):
                late.setdefault(ap.attach_index, []).append(ap.pointer)
        hits = check("FL307", rec, {"tolerance-hours": hours})
        assert [h[0] for h in hits] == [pointers[0] for pointers in late.values()]
        for h, (i, pointers) in zip(hits, late.items()):
            assert h[1].endswith(f"{len(pointers)} of its {total[i]} paths)") or (total[i] == 1 and h[1].endswith("(its only path)")), h[1]


def test_id_and_folder_exits_agree_with_path_by_path():
    options = CATALOGUE["FL503"].resolve_options(None)
    for data in RECORDS:
        rec = record(data)
        groups = attach_index(rec, options).groups
        assert check("FL503", rec) == found(h for g in groups for h in fl5._id_hits(g, options))
        assert check("FL504", rec) == found(h for g in groups for h in fl5._folder_hits(g, options))


def test_width_shortcut_never_skips_a_width_problem():
    """Exhaustive over keys, widths and original widths around the cap."""
    regex = compile_template(RENDITION_TEMPLATE)
    numbers = ["0", "1", "150", "0150", "999", "1000", "1001", "1200", "2000"]
    for key, width in product([*numbers, "x", "", "a/b"], numbers):
        ap = AttachPath(0, key, f"./cache/3/attach/202605/1_2_{width}_5.webp", regex)
        got = ap.part("width")
        for dims in [None, (1, 1), (150, 84), (1000, 560), (1200, 600), (5000, 100)]:
            if got == ap.key and (dims is None or int(got) <= dims[0]):
                assert fl5._width_problem(ap, got, dims) is None, (key, width, dims)


def test_width_rule_agrees_with_the_full_check():
    options = CATALOGUE["FL506"].resolve_options(None)
    for data in RECORDS:
        rec = record(data)
        want = [
            (ap.pointer, msg)
            for g in fl5._images(rec, options)
            for ap in g.renditions
            if (msg := fl5._width_problem(ap, ap.part("width"), g.dimensions)) is not None
        ]
        assert [h[:2] for h in check("FL506", rec)] == want


@pytest.mark.parametrize("listed", [fl5.ALLOWED_EXT, ["WEBP", "jpg"], ["Png"], []])
def test_extension_shortcut_agrees_with_case_insensitive_compare(listed):
    for data in RECORDS:
        rec = record(data)
        allowed = {e.lower() for e in listed}
        want = [ap.pointer for ap in attach_index(rec, CATALOGUE["FL509"].resolve_options(None)).paths if ap.role == "rendition" and ap.part("ext") is not None and ap.part("ext").lower() not in allowed]
        assert [h[0] for h in check("FL509", rec, {"allowed-extensions": listed})] == want


@pytest.mark.parametrize("given", [{}, {"allow-schemes": ["https"], "allow-absolute": True}])
def test_unsafe_path_search_over_the_joined_paths_agrees_with_path_by_path(given):
    options = CATALOGUE["FL510"].resolve_options(given)
    for data in RECORDS:
        rec = record(data)
        assert check("FL510", rec, given) == found(fl5._unsafe_hits(path_values(rec), options))


def test_plain_paths_have_no_suspect_character():
    """Exhaustive over short paths of the characters that matter, two at a time, and every character alone."""
    alphabet = ["", ".", "/", "a", " ", "\\", "%", ":", "\x00", "\x01", "\x1f", "\x7f", "\x85", "é", "\u200c"]
    pieces = ["".join(p) for p in product(alphabet, repeat=2)]
    for a, b in product(pieces, repeat=2):
        if fl5._SUSPECT.search(a) or fl5._SUSPECT.search(b):
            assert not fl5._plain(f"{a} {b}"), (a, b)
    for c in map(chr, range(0x3000)):
        if fl5._SUSPECT.search(f"./a{c}b"):
            assert not fl5._plain(f"./a{c}b"), c
    assert fl5._plain("./cache/3/attach/202605/1_2_3_4.webp ./file/3/attach/202605/1_2.jpg")


def test_attachment_columns_are_the_parts_of_each_path():
    """A group's columns and original parts (what the usual case reads) are exactly the parsed paths' components."""
    options = CATALOGUE["FL501"].resolve_options(None)
    irregular = 0
    for data in RECORDS + [_with_odd_sizes(d, i) for i, d in enumerate(RECORDS[:300])]:
        groups = attach_index(record(data), options).groups
        # rebuilt from scratch per path, as the index did before it kept columns
        want = path_values(record(data))
        assert [(ap.pointer, ap.value) for g in groups for ap in g.paths] == want
        for g in groups:
            renditions = [ap for ap in g.paths if ap.key is not None]
            assert g.renditions == renditions and g.original is (g.paths[-1] if g.url is not None else None)
            assert g.regular == all(ap.match is not None for ap in g.paths)
            irregular += not g.regular
            assert g.original_parts == (g.original.parts if g.original is not None else {})
            if g.regular:
                for name in ("portal_id", "yyyymm", "attach_id", "token", "width", "height", "ext"):
                    assert g.columns.get(name, ()) == tuple(ap.parts[name] for ap in renditions) or not renditions, (name, g.columns)
            for name in ("portal_id", "yyyymm", "attach_id", "token", "width", "ext", "nothing"):
                assert g.distinct(name) == {ap.parts[name] for ap in g.paths if name in ap.parts}
                for value in {"3", "2718281828", *(ap.parts[name] for ap in g.paths[:1] if name in ap.parts), *(ap.parts[name] for ap in g.paths[-1:] if name in ap.parts)}:
                    assert g.only(name, value) == (g.distinct(name) <= {value}), (name, value)
    assert irregular >= 100


@pytest.mark.parametrize(
    "given",
    [
        None,
        {"rendition-template": "./cache/{portal_id}/attach/{yyyy}{mm}/{attach_id}_{token}_{width}_{height}.{ext}"},  # the month in two parts
        {"original-template": "./file/{portal_id}/{attach_id}_{token}.{ext}"},  # an original without a folder
    ],
)
def test_a_part_column_and_one_path_equal_the_parsed_paths(given):
    """What FL307 reads (a group's column of one component, then the one path it reports) is what the parsed paths hold, regular group or not."""
    options = CATALOGUE["FL307"].resolve_options(given)
    for data in RECORDS[:600] + [_with_odd_sizes(d, i) for i, d in enumerate(RECORDS[:200])]:
        for g, built in zip(attach_index(record(data), options).groups, attach_index(record(data), options).groups):
            columns = {name: g.part_column(name) for name in ("yyyymm", "yyyy", "token", "nothing")}
            alone = [g.path(k) for k in range(len(columns["yyyymm"]))]  # before the paths are built: each path built alone
            assert columns == {name: [ap.parts.get(name) for ap in built.paths] for name in columns}
            assert [(ap.pointer, ap.value, ap.parts, ap.span("yyyymm")) for ap in alone] == [(ap.pointer, ap.value, ap.parts, ap.span("yyyymm")) for ap in built.paths]
            paths = g.paths
            assert [g.path(k) for k in range(len(paths))] == paths and g.part_column("yyyymm") == columns["yyyymm"]  # once built: the same objects, the same answers


def _with_odd_sizes(data: dict, i: int) -> dict:
    """``data`` with sizes that are not paths (null, a number, an object) among its renditions, and maybe an original URL that is not a string."""
    data = copy.deepcopy(data)
    att = data["attaches"][0]
    att["sizes"].update({"300": None, "400": 7, "500": {"x": 1}})
    if i % 3:
        att["files"]["original"]["url"] = [None, 5][i % 3 - 1]
    return data


def _per_path(rule_id: str, rec: Record) -> list[tuple]:
    """What FL501/502/505/507/508 report, path by path over the parsed paths (the checks as they were before the column shortcuts)."""
    options = CATALOGUE[rule_id].resolve_options(None)
    index = attach_index(rec, options)
    out = []
    if rule_id == "FL501":
        for ap in index.paths:
            if ap.match is None and fl5._traversal(ap.value) is None:
                out.append(ap.pointer)
    elif rule_id == "FL502":
        for g in index.groups:
            token = fl5.as_int(g.att.get("token"))
            out += [ap.pointer for ap in g.paths if token is not None and ap.part("token") is not None and ap.part("token") != str(token)]
    elif rule_id == "FL505":
        portal = fl5.as_int(rec.get("portal_id"))
        if portal is not None and portal >= 1:
            out += [ap.pointer for ap in index.paths if ap.part("portal_id") is not None and ap.part("portal_id") != str(portal)]
    elif rule_id == "FL507":
        for g in fl5._images(rec, options):
            if g.dimensions is None:
                continue
            for ap in g.renditions:
                w, h = ap.part("width"), ap.part("height")
                if w is not None and h is not None and abs(int(h) - int(w) * g.dimensions[1] / g.dimensions[0]) > options["height-tolerance"]:
                    out.append(ap.pointer)
    elif rule_id == "FL508":
        for g in index.groups:
            ext, ap = g.att.get("ext"), g.original
            if ap is not None and isinstance(ext, str) and ap.part("ext") is not None and ap.part("ext") != ext:
                out.append(ap.pointer)
    return out


@pytest.mark.parametrize("rule_id", ["FL501", "FL502", "FL505", "FL507", "FL508"])
def test_column_shortcuts_agree_with_path_by_path(rule_id):
    """Each rule decides the usual attachment from its columns; path by path must give the same pointers."""
    reported = 0
    for data in RECORDS:
        moved = copy.deepcopy(data)  # every path under another portal and token than the record's and attachment's
        moved["portal_id"] = 2
        for att in moved["attaches"]:
            att["token"] += 1
        for variant in (data, moved):
            rec = record(variant)
            got = [h[0] for h in check(rule_id, rec)]
            assert got == _per_path(rule_id, rec), (rule_id, data)
            reported += bool(got)
    assert reported >= 20, (rule_id, reported)


def test_plain_widths_have_no_width_problem():
    """Exhaustive over keys, widths and original widths around the cap: an attachment called plain has no rendition FL506 would report."""
    regex = compile_template(RENDITION_TEMPLATE)
    numbers = ["1", "150", "0150", "999", "1000", "1001", "1200"]
    keys = [*numbers, "x", "", "²"]
    plain = 0
    for ks in product(keys, repeat=2):
        for ws in product(numbers, repeat=2):
            paths = [AttachPath(0, k, f"./cache/3/attach/202605/1_2_{w}_5.webp", regex) for k, w in zip(ks, ws)]
            for dims in [None, (1, 1), (150, 84), (1000, 560), (1200, 600)]:
                if fl5._widths_plain(ws, ks, dims):
                    plain += 1
                    assert all(fl5._width_problem(ap, ap.part("width"), dims) is None for ap in paths), (ks, ws, dims)
    assert plain >= 200


@pytest.mark.parametrize("tol", [0, 0.5, 1, 1.5, 2])
def test_height_shortcut_agrees_with_path_by_path_around_the_tolerance(tol):
    """Heights a pixel or two off the exact aspect ratio, for originals whose ratio rounds either way."""
    regex = compile_template(RENDITION_TEMPLATE)
    reported = 0
    for width, height in [(1000, 560), (1200, 675), (1000, 667), (7, 3), (1, 1000)]:
        for shift in range(6):  # 5: heights of the inverted ratio (a portrait crop of a landscape image)
            data = base_record()
            att = data["attaches"][0]
            att["files"]["original"].update(width=width, height=height)
            sizes = {}
            for n, key in enumerate(att["sizes"]):
                exact = int(key) * height / width
                h = max(1, round(exact) + [-2, -1, 0, 1, 2][(n + shift) % 5]) if shift < 5 else round(int(key) * width / height)
                sizes[key] = f"./cache/3/attach/202605/880001_2718281828_{key}_{h}.webp"
            att["sizes"] = sizes
            rec = record(data)
            want = []
            for key, path in sizes.items():
                parts = regex.fullmatch(path).groupdict()
                w, h = int(parts["width"]), int(parts["height"])
                if abs(h - w * height / width) > tol and abs(w - h * width / height) > tol:  # nor fitted by its height
                    want.append(f"/attaches/0/sizes/{key}")
            got = [h[0] for h in check("FL507", rec, {"height-tolerance": tol})]
            assert got == want, (width, height, shift, tol)
            reported += len(got)
    assert reported > 0


@pytest.mark.parametrize("template", [RENDITION_TEMPLATE, "./file/{portal_id}/attach/{yyyymm}/{attach_id}_{token}.{ext}", "{width}", "{width}x{width}", "a\n{width}", "{ext}.{ext}", "{base}", "{base}x{width}", "{name}", "{name}x{width}", "{width}{name}"])
def test_rows_matched_by_line_equal_a_fullmatch_per_value(template):
    """One findall over the joined values gives each value's groups exactly when every value fully matches."""
    from feedlint.rules._paths import _matched_rows

    regex = compile_template(template)
    rng = random.Random(template)
    good = ["./cache/3/attach/202605/1_2_150_84.webp", "./file/3/attach/202605/1_2.jpg", "150", "150x150", "a\n150", "jpg.jpg", "x150", "a/b", ""]
    pieces = ["", "\n", "\r", " ", "x", "150", "150x15", "jpg", ".", "a\n", "\u2028", "\x0b", *good]
    fits = [g for g in good if regex.fullmatch(g)]
    seen = {True: 0, False: 0}
    for _ in range(3000):
        values = tuple(rng.choice(pieces) + (rng.choice(pieces) if rng.random() < 0.3 else "") for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.6:  # mostly values that fit, with a near miss now and then
            values = tuple(v if rng.random() < 0.05 else rng.choice(fits) for v in values)
        matches = [regex.fullmatch(v) for v in values]
        want = None if None in matches else [m.groups() for m in matches]
        assert _matched_rows(regex, values) == want, values
        seen[want is None] += 1
    assert min(seen.values()) > 100, seen
    from feedlint.rules._paths import _by_line

    assert (_by_line(regex) is None) == ("\n" in template or "{name}" in template)  # the one findall where no match can hold a newline


@pytest.mark.parametrize("edit, hours, later", [("2026-04-30 00:00:00", 24, False), ("2026-04-29 23:59:59", 24, True), ("2026-05-01 00:00:00", 0, False), ("2026-04-30 23:59:59", 0, True)])
def test_folder_after_edit_at_the_exact_boundary(edit, hours, later):
    """A folder's month starting exactly at last edit + tolerance is not later (strictly after only)."""
    rec = record({**base_record(), "content_date_last_edit": edit})  # the base record's paths are all in 202605
    hits = check("FL307", rec, {"tolerance-hours": hours})
    assert bool(hits) == later and all(h[3] == ((16, 22) if h[0].endswith("/url") else (17, 23)) for h in hits), hits
