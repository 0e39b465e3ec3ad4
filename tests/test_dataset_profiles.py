"""FL601 on the exports of other systems (profiles): a record's identity exported twice within one site.

A profile record has no ``portal_id``: its identity (the profile's ``[records] id``) is unique
per site (WordPress: the host of the record's own address, across posts, pages and media) or
per file (a Ghost export, a JSON Feed).  Every fixture here is invented, in each profile's
shape.  Findings are checked at the identity member's exact line and column; look-alikes that
are legitimate (another site, another feed, a fragment, a media id beside a post id) stay
silent; the CMS export keeps its per-portal entry.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import base_record, export_text
from feedlint.config import Config
from feedlint.engine import Engine
from feedlint.fields import FieldRoles
from feedlint.planning import Choices, build_plan
from feedlint.profile import ProfileError, profile_from_data
from feedlint.registry import load_catalogue
from test_featured import media, post

CATALOGUE = load_catalogue(plugins=False)


def run(paths: list[Path], select: str = "FL601", evaluator=None) -> list:
    engine = Engine(build_plan(CATALOGUE, Config(values={}), Choices(select=[select])), dataset_evaluator=evaluator)
    found = list(engine.run([str(p) for p in paths]))
    assert not engine.errors and not engine.internal_errors and not engine.setup_errors, (engine.errors, engine.internal_errors, engine.setup_errors)
    return found


def dump(path: Path, document) -> Path:
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def id_pos(text: str, value: str, occurrence: int) -> tuple[int, int]:
    """1-based (line, column) of the n-th ``"id": value`` member's value."""
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(f'"id": {value}', at + 1)
    at += len('"id": ')
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def where(f) -> tuple:
    return (Path(f.path).name, f.record_index, f.record_pointer, f.region.start_line, f.region.start_column)


def site_post(pid: int, host: str = "example.org") -> dict:
    rec = post(pid, "2021-10-01T09:43:00", 0)
    rec["link"], rec["guid"] = f"https://{host}/story-{pid}/", {"rendered": f"https://{host}/?p={pid}"}
    return rec


def ghost_post(pid, title: str) -> dict:
    return {"id": pid, "uuid": f"uuid-{pid}-{title[:4]}", "title": title, "slug": title.lower().replace(" ", "-"),
            "html": f"<p>{title}.</p>", "plaintext": f"{title}.", "status": "published",
            "created_at": "2021-02-03T10:00:00.000Z", "updated_at": "2021-02-03T10:00:00.000Z", "published_at": "2021-02-03T10:00:00.000Z"}


def ghost_current(posts: list) -> dict:
    return {"db": [{"meta": {"exported_on": 1612345678000, "version": "4.2.0"}, "data": {"posts": posts, "tags": []}}]}


def ghost_0x(posts: list) -> dict:
    return {"meta": {"exported_on": 1400000000000, "version": "003"}, "data": {"posts": posts, "tags": []}}


def feed(items: list) -> dict:
    return {"version": "https://jsonfeed.org/version/1.1", "title": "Harbour notes", "home_page_url": "https://example.org/", "items": items}


def item(iid: str, title: str) -> dict:
    return {"id": iid, "title": title, "content_html": f"<p>{title}.</p>", "content_text": f"{title}.", "date_published": "2022-03-01T09:00:00Z"}


# ----------------------------------------------------------------------------- found
def test_wordpress_post_exported_twice_across_pages_of_a_dump_at_its_id(tmp_path):
    """Two API pages saved as two files of one site (an item shifted between pages while dumping): both copies, at /id."""
    a = dump(tmp_path / "posts-1.json", [site_post(101), site_post(102), site_post(103)])
    b = dump(tmp_path / "posts-2.json", [site_post(103), site_post(104)])
    found = run([a, b])
    ta, tb = a.read_text(), b.read_text()
    assert sorted(where(f) for f in found) == [("posts-1.json", 2, "/id", *id_pos(ta, "103", 0)), ("posts-2.json", 0, "/id", *id_pos(tb, "103", 0))]
    first = next(f for f in found if f.path.endswith("posts-1.json"))
    assert first.rule_id == "FL601" and first.severity == "error" and first.content_id == 103
    assert first.message == f'id 103 is exported 2 times in this run within "example.org"; also at {b} record 0 (id 103)'
    assert "portal" not in first.message


def test_wordpress_post_and_media_share_one_id_space(tmp_path):
    """A post and a media item with the same id in one site's dump: one of them is not what the site holds."""
    posts = dump(tmp_path / "posts.json", [site_post(5), site_post(6)])
    items = dump(tmp_path / "media.json", [media(6, "2021/10", 5, "2021-10-01T09:00:00")])
    found = run([posts, items])
    assert sorted(where(f)[:3] for f in found) == [("media.json", 0, "/id"), ("posts.json", 1, "/id")]
    assert run([posts, dump(tmp_path / "media.json", [media(7, "2021/10", 5, "2021-10-01T09:00:00")])]) == []


@pytest.mark.parametrize("shape", [ghost_current, ghost_0x], ids=["current", "0.x"])
def test_ghost_post_exported_twice_in_one_export(tmp_path, shape):
    pid, other = ("60a1b2c3d4e5f60718293a4b", "60a1b2c3d4e5f60718293a4c") if shape is ghost_current else (7, 8)
    path = dump(tmp_path / "ghost.json", shape([ghost_post(pid, "Harbour opens"), ghost_post(other, "Ferry"), ghost_post(pid, "Harbour opens again")]))
    found = run([path])
    text, shown = path.read_text(), json.dumps(pid)
    base = "/db/0/data/posts" if shape is ghost_current else "/data/posts"
    assert sorted(where(f) for f in found) == [("ghost.json", 0, "/id", *id_pos(text, shown, 0)), ("ghost.json", 2, "/id", *id_pos(text, shown, 1))]
    assert [f.pointer for f in sorted(found, key=lambda f: f.record_index)] == [f"{base}/0/id", f"{base}/2/id"]
    assert found[0].message.startswith(f"id {shown} is exported 2 times in this run within ") and "portal" not in found[0].message


def test_json_feed_item_listed_twice(tmp_path):
    path = dump(tmp_path / "feed.json", feed([item("https://example.org/notes/1", "Boat show"), item("https://example.org/notes/2", "Tide"), item("https://example.org/notes/1", "Boat show")]))
    text = path.read_text()
    assert sorted(where(f) for f in run([path])) == [
        ("feed.json", 0, "/id", *id_pos(text, '"https://example.org/notes/1"', 0)),
        ("feed.json", 2, "/id", *id_pos(text, '"https://example.org/notes/1"', 1)),
    ]


def test_a_large_group_names_three_others_and_the_fingerprint_ignores_the_order(tmp_path):
    """Capped as on the CMS export (three others, then "and N more"), and each copy's fingerprint is the same
    whatever order the records come in (rule + id + pointer + evidence, never the group's members)."""
    records = [site_post(9) for _ in range(6)] + [site_post(10)]
    a = dump(tmp_path / "a.json", records)
    found = run([a])
    assert len(found) == 6 and all(f.message.endswith(" and 2 more") and f.message.count("(id 9)") == 3 for f in found)
    b = dump(tmp_path / "a.json", list(reversed(records)))
    assert {f.fingerprint for f in run([b])} == {f.fingerprint for f in found} and len({f.fingerprint for f in found}) == 1
    assert found[0].evidence == "unique-record-id:9"


# ----------------------------------------------------------------------------- not found
def test_the_same_id_in_two_sites_is_not_a_duplicate(tmp_path):
    """Two WordPress sites in one run (each numbers its posts from 1), even in one folder with look-alike names."""
    a = dump(tmp_path / "harbour-posts.json", [site_post(1, "harbour.example"), site_post(2, "harbour.example")])
    b = dump(tmp_path / "ferry-posts.json", [site_post(1, "ferry.example"), site_post(2, "Ferry.Example:8080")])
    assert run([a, b]) == []


def test_the_host_names_the_site_not_the_scheme_or_case(tmp_path):
    a = dump(tmp_path / "posts.json", [site_post(1, "Example.ORG")])
    items = [media(1, "2021/10", 0, "2021-10-01T09:00:00")]
    items[0]["link"] = ""  # an attachment without its page: the guid (the upload's address) names the site
    items[0]["guid"]["rendered"] = items[0]["guid"]["rendered"].replace("https://", "http://")
    assert len(run([a, dump(tmp_path / "media.json", items)])) == 2


def test_ghost_exports_and_json_feeds_are_one_site_each(tmp_path):
    """The same post in two Ghost exports (a backup beside today's) and the same item in two feeds of a site."""
    g1 = dump(tmp_path / "ghost-2024.json", ghost_current([ghost_post("abc", "Harbour")]))
    g2 = dump(tmp_path / "ghost-2025.json", ghost_current([ghost_post("abc", "Harbour")]))
    f1 = dump(tmp_path / "feed.json", feed([item("https://example.org/notes/1", "Boat show")]))
    f2 = dump(tmp_path / "boats.json", feed([item("https://example.org/notes/1", "Boat show")]))
    assert run([g1, g2, f1, f2]) == []


def test_json_feed_ids_differing_only_in_fragment_are_two_items(tmp_path):
    """An id is an opaque string to the spec: a live blog's anchors (post#update-1, post#update-2) are two items."""
    path = dump(tmp_path / "feed.json", feed([item("https://example.org/live#update-1", "Update one"), item("https://example.org/live#update-2", "Update two"), item("https://example.org/live", "Live")]))
    assert run([path]) == []


def test_a_profile_id_never_collides_with_the_cms_export(tmp_path):
    """A CMS export's content_id 5 and a WordPress post 5 in one run: the CMS keeps its per-portal entry, alone."""
    cms = tmp_path / "cms.json"
    cms.write_text(export_text([base_record(content_id=5)]), encoding="utf-8")
    assert run([cms, dump(tmp_path / "posts.json", [site_post(5)])]) == []


# ----------------------------------------------------------------------------- evaluators agree
def _profile_runs(tmp_path: Path) -> list[list[str]]:
    dump(tmp_path / "p1.json", [site_post(i % 4) for i in range(9)])
    dump(tmp_path / "p2.json", [site_post(3), site_post(3, "other.example"), media(2, "2021/10", 0, "2021-10-01T09:00:00")])
    dump(tmp_path / "g.json", ghost_current([ghost_post("a", "A"), ghost_post("b", "B"), ghost_post("a", "A")]))
    dump(tmp_path / "g0.json", ghost_0x([ghost_post(1, "One"), ghost_post(1, "One")]))
    dump(tmp_path / "f.json", feed([item("x", "X"), item("x#y", "Y"), item("x", "X")]))
    from conftest import ROOT

    shutil.copy(ROOT / "examples" / "newsroom-export.json", tmp_path)
    return [["p1.json", "p2.json", "g.json", "g0.json", "f.json", "newsroom-export.json"]]


def test_great_expectations_gives_the_same_fl601_findings_on_profile_records(tmp_path):
    """The plain evaluator's findings (messages, positions, fingerprints) are GX's, on every profile's shape."""
    from feedlint.rules._expect import GX

    for files in _profile_runs(tmp_path):
        paths = [tmp_path / f for f in files]
        plain = run(paths, "FL6")
        assert plain == run(paths, "FL6", GX)
        assert {Path(f.path).name for f in plain if f.rule_id == "FL601"} == {"p1.json", "p2.json", "g.json", "g0.json", "f.json"}


# ----------------------------------------------------------------------------- the profile's declaration
def test_scope_of_a_record():
    roles = FieldRoles(id="/id", profile="wordpress", id_scope="site", site_urls=("/link", "/guid/rendered"))
    assert roles.scope({"link": "https://Example.org:8443/a/"}, "f.json") == "example.org:8443"
    assert roles.scope({"link": "", "guid": {"rendered": "http://example.org/?p=1"}}, "f.json") == "example.org"
    assert roles.scope({"link": "/relative/", "guid": {"rendered": "http://[bad"}}, "f.json") == "f.json"  # no address: its file
    assert roles.scope(["not an object"], "f.json") == "f.json"
    assert FieldRoles(id="/id", id_scope="file").scope({"id": 1}, "f.json") == "f.json"
    assert FieldRoles().scope({"content_id": 1}, "f.json") is None  # the CMS export: per portal_id


@pytest.mark.parametrize("link,other", [
    ("https://example.org:443/a/", "https://example.org/b/"),  # the scheme's default port, written out
    ("http://example.org:80/a/", "https://example.org/b/"),
    ("https://example.org./a/", "https://example.org/b/"),  # a fully qualified name's trailing dot
    ("https://bücher.example/a/", "https://xn--bcher-kva.example/b/"),  # an internationalised name and its ASCII form
    ("https://BÜCHER.example/a/", "https://bücher.example/b/"),
    ("https://editor:secret@example.org/a/", "https://example.org/b/"),  # userinfo is not the host
])
def test_one_site_spelt_two_ways_is_one_site(link, other):
    roles = FieldRoles(id="/id", profile="wordpress", id_scope="site", site_urls=("/link",))
    assert roles.scope({"link": link}, "a.json") == roles.scope({"link": other}, "b.json") != "a.json"


def test_an_ipv6_host_keeps_its_brackets():
    """``[::1]:8080`` (a port) and ``[::1:8080]`` (another address) are two sites; unbracketed, both read ``::1:8080``."""
    roles = FieldRoles(id="/id", profile="wordpress", id_scope="site", site_urls=("/link",))
    assert roles.scope({"link": "http://[::1]:8080/a/"}, "f.json") == "[::1]:8080"
    assert roles.scope({"link": "http://[::1:8080]/a/"}, "f.json") == "[::1:8080]"
    assert roles.scope({"link": "https://example.org:8443/"}, "f.json") == "example.org:8443"  # another port stays


def test_a_wildcard_id_is_reported_at_the_member_it_read(tmp_path):
    """A profile whose id is ``/ids/*``: FL601 points at ``/ids/0`` (a place in the file), not at ``/ids/*`` (none: its array was shown)."""
    profile = tmp_path / "mine.toml"
    profile.write_text('name = "mine"\n[records]\npointers = ["/entries/*"]\nid = "/ids/*"\n[detect]\nall = ["/ids"]\n[fields]\nplain-text = ["/title"]\n', encoding="utf-8")
    path = tmp_path / "a.json"
    path.write_text('{"entries": [\n {"ids": ["x1"], "title": "A"},\n {"ids": ["x1"], "title": "B"}\n]}\n', encoding="utf-8")
    engine = Engine(build_plan(CATALOGUE, Config(values={"profiles": [str(profile)]}), Choices(select=["FL601"])))
    found = list(engine.run([str(path)]))
    assert [(f.pointer, f.region.start_line, f.region.start_column) for f in found] == [("/entries/0/ids/0", 2, 11), ("/entries/1/ids/0", 3, 11)]


@pytest.mark.parametrize("records,message", [
    ({"id": "/id", "id-scope": "domain"}, "records.id-scope must be one of portal, file, site"),
    ({"id": "/id", "id-scope": "site"}, "records.site-urls is needed by id-scope"),
    ({"id": "/id", "site-urls": ["/link"]}, "records.site-urls is only read with id-scope"),
    ({"id": "/id", "id-scope": "site", "site-urls": ["link"]}, "must be JSON Pointers"),
    ({"id": "/id", "id_scope": "site"}, "records: unknown key 'id_scope' — did you mean 'id-scope'\\?"),
    ({"id": "/id", "identity": "/id"}, "records: unknown key 'identity'"),
])
def test_a_bad_scope_declaration_is_a_profile_error(records, message):
    with pytest.raises(ProfileError, match=message):
        profile_from_data({"name": "mine", "records": {"layouts": ["array"], **records}, "fields": {"html": ["/body"]}}, "mine.toml")


def test_the_default_scope_follows_the_fields():
    """Own [fields]: no portal, each file one site; the CMS export's fields: its portal."""
    own = profile_from_data({"name": "mine", "records": {"layouts": ["array"], "id": "/uuid"}, "fields": {"html": ["/body"]}}, "mine.toml")
    cms_like = profile_from_data({"name": "cms2", "records": {"layouts": ["array"], "id": "/uuid"}}, "cms2.toml")
    assert (own.id_scope, cms_like.id_scope) == ("file", "portal")
    assert "identity unique per: file" in own.describe() and "unique per" not in cms_like.describe()


@pytest.mark.parametrize("scopes", [
    [None, None, None, None],  # a CMS-only run: the column holds no value, the plain evaluator skips the loop
    [None, "a.json", None, "a.json"],  # some values: the loop
    [float("nan"), "a.json", float("nan"), "a.json"],  # NaN is missing too (as GX sees it), though not None
    ["a.json", "b.json", "a.json", "a.json"],
])
def test_a_key_column_without_values_gives_what_the_loop_and_gx_give(scopes):
    """_pyeval's shortcut for a key column of nothing but None answers as the row loop and Great Expectations do."""
    from feedlint.facts import FactTable, RowRef
    from feedlint.rules import _expect, _pyeval
    from feedlint.rules._suite import entries_for

    table = FactTable(files=["a.json"])
    for i, scope in enumerate(scopes):
        table.add(RowRef(0, i, f"/{i}", 7), {"is_object": True, "content_id": 7, "portal_id": None, "id_scope": scope, "id_pointer": "/id"})
    entry = next(e for e in entries_for("FL601") if e.key == "unique-record-id")
    plain = _expect.evaluate(table, [entry], {}, evaluator=_pyeval.PLAIN)
    gx = _expect.evaluate(table, [entry], {}, evaluator=_expect.GX)
    assert (plain[0].success, plain[0].rows, plain[0].result) == (gx[0].success, gx[0].rows, {k: gx[0].result[k] for k in plain[0].result})
    assert list(_expect.outcome_hits(table, plain)) == list(_expect.outcome_hits(table, gx))
    assert plain[0].success == (scopes.count("a.json") < 2)
