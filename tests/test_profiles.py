"""Profiles: WordPress, Ghost and JSON Feed exports read as they are, detected from the content,
forced with --profile, a user's own profile from the config, and the profile commands.

Fixtures in tests/fixtures/profiles/ are invented, in the real exports' shapes.  Every finding
is checked at its absolute pointer and at the line and column where the value starts in the
file (found here by searching the file's text, independently of the reader).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from feedlint.profile import ProfileError, ProfileSet, read_profile
from feedlint.reader.jsonstream import JsonRecordReader
from feedlint.ranges.cut import FileRange

FIX = ROOT / "tests" / "fixtures" / "profiles"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feedlint", *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=120)


def check_json(path: Path, *extra: str, cwd: Path | None = None) -> tuple[int, list[dict], str]:
    proc = run("check", "--format", "json", "-j", "1", str(path), *extra, cwd=cwd)
    return proc.returncode, json.loads(proc.stdout or "[]"), proc.stderr


def line_col(path: Path, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and code-point column where ``needle`` starts (its ``nth`` occurrence)."""
    text = path.read_text(encoding="utf-8")
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    before = text[:at]
    return before.count("\n") + 1, at - (before.rfind("\n") + 1) + 1


def by_rule(findings: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in findings:
        out.setdefault(f["rule"], []).append(f)
    return out


# -- WordPress ------------------------------------------------------------------------


def _wordpress_running_fl302(folder: Path) -> None:
    """A user's own "wordpress" profile in ``folder``: the built-in one with FL302 run (it replaces the built-in)."""
    builtin = (ROOT / "feedlint" / "profiles" / "wordpress.toml").read_text()
    schema = (ROOT / "schemas" / "wordpress.schema.json").as_posix()
    text = builtin.replace('ignore = ["FL302", ', 'ignore = [').replace('schema = "wordpress.schema.json"', f'schema = "{schema}"')
    assert text != builtin
    (folder / "wp.toml").write_text(text)
    (folder / "feedlint.toml").write_text('profiles = ["wp.toml"]\n')


def test_wordpress_posts_saved_before_their_publication_date_are_scheduled_posts_not_fl302(tmp_path):
    """WordPress has no creation date: `date` is when a post goes out, set ahead for a scheduled post, and
    publishing does not touch `modified`.  Post 102 (last saved, then published on the hour) is fine."""
    path = FIX / "wp-posts.json"
    code, findings, err = check_json(path)
    assert (code, findings) == (0, []), err  # the clean post (101), the scheduled one (102) and the HTML fields raise nothing
    _wordpress_running_fl302(tmp_path)  # who wants it back writes a profile of their own
    code, findings, err = check_json(path, cwd=tmp_path)
    assert code == 1, err
    assert [(f["rule"], f["content_id"], f["pointer"], f["record_pointer"]) for f in findings] == [("FL302", 102, "/1/modified_gmt", "/modified_gmt")]
    assert (findings[0]["line"], findings[0]["column"]) == line_col(path, '"2021-04-09T15:45:00"')


def test_selecting_a_rule_by_id_runs_it_on_a_profile_that_ignores_it():
    """The wordpress profile's ignore of FL302 is a default: --select FL302 (or config select) runs it; the family does not."""
    path = FIX / "wp-posts.json"
    code, findings, err = check_json(path, "--select", "FL302")
    assert code == 1, err
    assert [(f["rule"], f["content_id"], f["pointer"]) for f in findings] == [("FL302", 102, "/1/modified_gmt")]
    assert check_json(path, "--select", "FL3")[1] == []
    code, findings, err = check_json(path, "--select", "FL604")  # compares the CMS export's content_title: cannot apply
    assert (code, findings) == (0, []), err


def test_wordpress_html_fields_keep_their_entities_and_plain_alt_text_does_not():
    path = FIX / "wp-media.json"
    code, findings, _ = check_json(path, "--select", "FL2")
    assert code == 1
    assert [(f["rule"], f["content_id"], f["pointer"]) for f in findings] == [("FL201", 202, "/1/alt_text")]
    assert (findings[0]["line"], findings[0]["column"]) == line_col(path, "&amp; dusk")  # at the entity itself


def test_wordpress_media_follow_the_schema_with_numeric_string_sizes(tmp_path):
    media = json.loads((FIX / "wp-media.json").read_text())
    media[0]["media_details"]["sizes"]["medium"]["width"] = "300"  # what WordPress keeps for imported media
    del media[0]["media_details"]["sizes"]["medium"]["source_url"]  # WordPress leaves it out for some sizes
    media[1]["id"] = "202"
    path = tmp_path / "media.json"
    path.write_text(json.dumps(media, indent=2))
    _, findings, _ = check_json(path, "--select", "FL1")
    assert [(f["rule"], f["pointer"]) for f in findings] == [("FL101", "/1/id")]
    assert (findings[0]["line"], findings[0]["column"]) == line_col(path, '"202"')


# -- Ghost ----------------------------------------------------------------------------


def test_ghost_export_records_under_db_data_posts_with_absolute_pointers():
    path = FIX / "ghost-export.json"
    code, findings, err = check_json(path)
    assert code == 1, err
    found = by_rule(findings)
    assert sorted(found) == ["FL201", "FL306"]
    entity = found["FL201"][0]
    assert (entity["content_id"], entity["pointer"], entity["record_pointer"]) == ("5f0000000000000000000003", "/db/0/data/posts/2/title", "/title")
    assert (entity["line"], entity["column"]) == line_col(path, "&#39;")  # at the entity itself
    early = found["FL306"][0]  # published four months before it was created
    assert (early["content_id"], early["pointer"]) == ("5f0000000000000000000002", "/db/0/data/posts/1/published_at")
    assert (early["line"], early["column"]) == line_col(path, '"2020-02-01T08:00:00.000Z"')


def test_a_ghost_feature_image_at_a_site_root_path_is_no_unsafe_path_but_traversal_still_is(tmp_path):
    """Ghost 1.x-3.x stores its own uploads as site-root paths ("/content/images/2018/03/x.jpg"): web addresses, not files."""
    export = json.loads((FIX / "ghost-export.json").read_text())
    posts = export["db"][0]["data"]["posts"]
    posts[0]["feature_image"] = "/content/images/2018/03/harbour-office.jpg"
    posts[1]["feature_image"] = "/content/images/../../../etc/passwd"
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps(export, indent=1))
    _, findings, err = check_json(path, "--select", "FL510")
    assert [(f["pointer"], f["line"], f["column"]) for f in findings] == [("/db/0/data/posts/1/feature_image", *line_col(path, "../../../etc/passwd"))], err


def _sqlite_dated_export() -> dict:
    """The Ghost fixture as a site on SQLite exports it (Ghost 1.x): every date in UTC as SQLite stores it, without T or offset."""
    export = json.loads((FIX / "ghost-export.json").read_text())
    for post in export["db"][0]["data"]["posts"]:
        for key in ("created_at", "updated_at", "published_at"):
            if post.get(key):
                post[key] = post[key].replace("T", " ")[:19]
    return export


def test_a_ghost_export_from_sqlite_has_its_dates_read_not_reported(tmp_path):
    export = _sqlite_dated_export()
    posts = export["db"][0]["data"]["posts"]
    posts[0]["updated_at"] = "2020-02-30 09:00:00"  # an impossible day, in the SQLite form
    posts[2]["published_at"] = "2021-01-01T08:00:00.000Z"  # one post in the ISO form: an export may mix them
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps(export, indent=1))
    _, findings, err = check_json(path, "--select", "FL1,FL3")
    got = sorted((f["rule"], f["pointer"], f["line"], f["column"]) for f in findings)
    day_line, day_column = line_col(path, '"2020-02-30 09:00:00"')
    assert got == [
        ("FL301", "/db/0/data/posts/0/updated_at", day_line, day_column + len('"2020-02-')),  # at the day that does not exist
        ("FL306", "/db/0/data/posts/1/published_at", *line_col(path, '"2020-02-01 08:00:00"')),  # published four months before its creation
    ], err  # no FL101: the SQLite form is the export's own
    posts[0]["created_at"] = "2020-01-10 8:00:00"  # neither form: the schema says so
    path.write_text(json.dumps(export, indent=1))
    _, findings, _ = check_json(path, "--select", "FL101")
    assert [(f["pointer"], f["line"], f["column"]) for f in findings] == [("/db/0/data/posts/0/created_at", *line_col(path, '"2020-01-10 8:00:00"'))]


def test_a_ghost_drafts_feature_image_filed_when_it_was_written_is_no_fl308(tmp_path):
    """A draft written in May with its image uploaded then, published in October: the folder is the creation month."""
    export = _sqlite_dated_export()
    posts = export["db"][0]["data"]["posts"]
    posts[0].update(created_at="2020-05-04 09:00:00", updated_at="2020-10-20 09:00:00", published_at="2020-10-20 09:00:00", feature_image="/content/images/2020/05/tide.jpg")
    posts[2].update(created_at="2020-09-01 09:00:00", updated_at="2021-01-01 08:00:00", feature_image="/content/images/2020/01/old.jpg")  # a year-old upload: still a note
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps(export, indent=1))
    _, findings, err = check_json(path, "--select", "FL308")
    assert [(f["pointer"], f["line"], f["column"], f["message"]) for f in findings] == [
        ("/db/0/data/posts/2/feature_image", *line_col(path, "2020/01/old.jpg"), "attachment folder 202001 is more than 3 months before the creation 2020-09-01 09:00:00 (published 2021-01-01 08:00:00)")
    ], err


def test_ghost_0x_export_records_under_data_posts():
    path = FIX / "ghost-0x.json"
    code, findings, _ = check_json(path)
    assert code == 1
    assert [(f["rule"], f["content_id"], f["pointer"]) for f in findings] == [("FL302", 7, "/data/posts/0/updated_at")]
    assert (findings[0]["line"], findings[0]["column"]) == line_col(path, '"2014-02-01T10:00:00.000Z"')


def test_a_ghost_0x_posts_image_is_its_feature_image(tmp_path):
    """Ghost 0.x named the feature image ``image`` (``feature_image`` from 1.0): the attachment rules read either."""
    export = json.loads((FIX / "ghost-0x.json").read_text())
    export["data"]["posts"][0]["image"] = "/content/images/2014/02/../../../../etc/passwd"
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps(export, indent=1))
    _, findings, err = check_json(path, "--select", "FL510")
    assert [(f["pointer"], f["line"], f["column"]) for f in findings] == [("/data/posts/0/image", *line_col(path, "../../../../etc/passwd"))], err


def test_a_ghost_fingerprint_is_the_same_when_the_export_is_reformatted(tmp_path):
    compact = FIX / "ghost-export.json"
    pretty = tmp_path / "ghost-export.json"
    pretty.write_text(json.dumps(json.loads(compact.read_text()), indent=4))
    _, a, _ = check_json(compact)
    _, b, _ = check_json(pretty)
    assert [f["fingerprint"] for f in a] == [f["fingerprint"] for f in b]
    assert [f["line"] for f in a] != [f["line"] for f in b]  # the positions moved, the identity did not


def test_suppression_and_baseline_use_the_profiles_identity(tmp_path):
    config = tmp_path / "feedlint.toml"
    config.write_text('[[suppress]]\ncontent-id = "5f0000000000000000000003"\nrules = ["FL201"]\nreason = "title imported from the old blog"\n')
    _, findings, err = check_json(FIX / "ghost-export.json", "--config", str(config))
    assert [f["rule"] for f in findings] == ["FL306"]
    assert "unused suppression" not in err
    base = tmp_path / "base.json"
    assert run("baseline", str(FIX / "ghost-export.json"), "-o", str(base)).returncode == 0
    code, findings, _ = check_json(FIX / "ghost-export.json", "--baseline", str(base))
    assert (code, findings) == (0, [])


def test_the_ghost_profile_knows_its_plaintext_conventions(tmp_path):
    """Ghost's plaintext (html-to-text): `text [url]`, ` * ` items (nested on the parent's line), `> 1.`, a wrap
    before a link where the HTML has no space: silent with the profile alone; a glued word is still FL401."""
    doc = json.loads((FIX / "ghost-export.json").read_text())
    post = doc["db"][0]["data"]["posts"][0]
    post["html"] = (
        '<p>Read &quot;<a href="https://example.org/tides">Why tides turn</a>&quot; first, then the '
        '<a href="https://example.org/tides">same essay</a>:</p><ul><li><strong>Spring tides</strong><ul><li>Twice a month</li></ul></li></ul>'
        "<blockquote><strong>1. The moon pulls</strong></blockquote><hr><p>Keepers log each tide.</p>"
    )
    post["plaintext"] = (
        'Read "\nWhy tides turn [https://example.org/tides]" first, then the same essay\n[https://example.org/tides]\n:\n\n'
        " * Spring tides * Twice a month\n\n> 1. The moon pulls\n\n" + "-" * 80 + "\n\nKeepers log each tide."
    )
    path = tmp_path / "ghost-export.json"
    path.write_text(json.dumps(doc))
    _, findings, err = check_json(path, "--select", "FL401")
    assert findings == [], err
    post["plaintext"] = post["plaintext"].replace("log each", "logeach")
    path.write_text(json.dumps(doc))
    _, findings, _ = check_json(path, "--select", "FL401")
    assert [(f["pointer"], f["line"], f["column"]) for f in findings] == [("/db/0/data/posts/0/plaintext", *line_col(path, "logeach"))]


# -- JSON Feed ------------------------------------------------------------------------


def test_json_feed_items_with_rfc3339_dates():
    path = FIX / "feed.json"
    code, findings, _ = check_json(path)
    assert code == 1
    found = by_rule(findings)
    assert sorted(found) == ["FL204", "FL301", "FL510"]  # item 0's dates with a +01:00 offset and its https image are fine
    assert (found["FL510"][0]["pointer"], found["FL510"][0]["line"], found["FL510"][0]["column"]) == ("/items/1/image", *line_col(path, 'file:'))
    assert (found["FL301"][0]["pointer"], found["FL301"][0]["content_id"]) == ("/items/1/date_published", "https://example.org/notes/2")
    assert (found["FL301"][0]["line"], found["FL301"][0]["column"]) == line_col(path, '31T10:00:00Z"')  # at the impossible day
    assert found["FL204"][0]["pointer"] == "/items/1/title"
    assert (found["FL204"][0]["line"], found["FL204"][0]["column"]) == line_col(path, "\u00c3\u00a9")  # at the mojibake itself


def test_a_json_feed_authors_members_are_strings_when_present(tmp_path):
    """JSON Feed 1.0's author and 1.1's authors: name, url and avatar optional, strings when there (null is not one)."""
    feed = json.loads((FIX / "feed.json").read_text())
    feed["items"][0]["author"] = {"name": "Ana Ruiz", "url": "https://example.org/ana", "_extension": {"x": 1}}  # fine
    feed["items"][1]["authors"] = [{"name": "Bo", "avatar": None}]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed, indent=1))
    _, findings, err = check_json(path, "--select", "FL101")
    assert [(f["pointer"], f["message"], f["line"], f["column"]) for f in findings] == [
        ("/items/1/authors/0/avatar", "expected string, got null", *line_col(path, "null"))
    ], err


def test_a_json_feed_whose_items_have_no_body_is_still_a_json_feed(tmp_path):
    """Real feeds list items with only a title and summary; the version names the format, and FL102 says what is missing."""
    doc = {"version": "https://jsonfeed.org/version/1", "title": "Harbour notes", "items": [
        {"id": "n-1", "title": "Tide tables for June", "summary": "When the tide turns in June.", "url": "https://example.org/n-1"},
        {"id": "n-2", "title": "Ferry times", "content_text": "The ferry leaves at nine.", "url": "https://example.org/n-2"},
    ]}
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(doc, indent=2))
    code, findings, err = check_json(path)
    assert "skipped" not in err
    assert [(f["rule"], f["content_id"], f["pointer"], f["message"]) for f in findings] == [
        ("FL102", "n-1", "/items/0", 'missing required field: one of "content_html", "content_text"'),
    ]  # the item with a content_text is fine
    assert (findings[0]["line"], findings[0]["column"]) == line_col(path, '{\n      "id": "n-1"')
    # without the version, items without a body look like no JSON Feed: the file is skipped, not misread
    del doc["version"]
    path.write_text(json.dumps({"items": doc["items"][:1]}, indent=2))
    proc = run("check", "--allow-no-records", str(path))
    assert "not a CMS export" in proc.stdout + proc.stderr


def test_a_required_choice_is_fl102_not_fl101_and_only_when_every_alternative_is_missing(tmp_path):
    schema = tmp_path / "item.schema.json"
    schema.write_text(json.dumps({"type": "object", "anyOf": [{"required": ["body"]}, {"required": ["text"]}], "properties": {"body": {"type": "string"}}}))
    path = tmp_path / "items.json"
    path.write_text(json.dumps([{"content_id": 1, "title": "a"}, {"content_id": 2, "text": "b"}, {"content_id": 3, "body": 4}]))
    _, findings, _ = check_json(path, "--schema", str(schema), "--select", "FL101,FL102")
    assert [(f["rule"], f["content_id"], f["message"]) for f in findings] == [
        ("FL102", 1, 'missing required field: one of "body", "text"'),
        ("FL101", 3, "expected string, got integer 4"),  # its alternative is there: a wrong type, not a missing field
    ]


# -- detection, forcing, skipping ------------------------------------------------------


def test_the_cms_export_is_still_read_as_before():
    code, findings, _ = check_json(ROOT / "examples" / "newsroom-export.json", "--select", "FL2")
    assert code == 1 and findings
    assert all(isinstance(f["content_id"], int) and f["pointer"].count("/") >= 3 for f in findings)


def test_forcing_a_profile_that_does_not_fit_skips_the_file_with_a_reason():
    code, findings, err = check_json(FIX / "wp-posts.json", "--profile", "ghost")
    assert findings == []
    assert "wp-posts.json" in err and "not a ghost export" in err
    assert code != 1


def test_forcing_the_cms_profile_on_a_wordpress_file_reads_it_as_a_cms_export():
    _, findings, _ = check_json(FIX / "wp-posts.json", "--profile", "cms", "--select", "FL102")
    assert {f["pointer"] for f in findings} == {"/0", "/1"}
    assert any("content_id" in f["message"] for f in findings)
    assert all(f["content_id"] is None for f in findings)  # the cms identity: there is no content_id


def test_an_unknown_profile_is_a_usage_error():
    proc = run("check", "--profile", "drupal", str(FIX / "feed.json"))
    assert proc.returncode == 2
    assert "unknown profile 'drupal'" in proc.stderr and "Traceback" not in proc.stderr


def test_a_json_document_no_profile_fits_is_skipped(tmp_path):
    other = tmp_path / "settings.json"
    other.write_text('{"data": {"posts": "not a list"}, "theme": "dark"}')
    proc = run("check", "--allow-no-records", str(other))
    said = proc.stdout + proc.stderr
    assert "settings.json" in said and "not a CMS export" in said
    assert "none of the profiles cms, wordpress, ghost, jsonfeed fits" in said


def test_malformed_json_beside_the_records_is_an_input_error_at_its_place(tmp_path):
    bad = tmp_path / "ghost.json"
    bad.write_text('{"db":[{"meta":{"version":"5.0"},"data":{"tags":[1,2,],"posts":[]}}]}')
    proc = run("check", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"{bad}:1:") and "invalid JSON" in proc.stderr and "Traceback" not in proc.stderr


def test_the_reader_streams_records_under_a_pointer_in_a_tiny_window(tmp_path):
    """Window of 16 bytes: keys, skipped members and records cross window ends; records and pointers stay exact."""
    source = FIX / "ghost-export.json"
    fd = os.open(source, os.O_RDONLY)
    try:
        reader = JsonRecordReader(FileRange(fd, 0, "g", 16), pointers=("/db/*/data/posts/*", "/data/posts/*"))  # type: ignore[arg-type]
        records = list(reader.records())
    finally:
        os.close(fd)
    doc = json.loads(source.read_text())
    assert [r.data for r in records] == doc["db"][0]["data"]["posts"]
    assert [r.pointer for r in records] == [f"/db/0/data/posts/{i}" for i in range(3)]
    assert (reader.layout, reader.matched) == ("document", "/db/*/data/posts/*")
    text = source.read_text()
    assert [r.origin.offset for r in records] == [text.index('{"id":"5f00000000000000000000%02d"' % i) for i in (1, 2, 3)]


def test_json_lines_objects_are_still_records_when_profiles_follow_pointers(tmp_path):
    lines = tmp_path / "export.jsonl"
    lines.write_text('{"content_id": 1, "content_title": "A &amp; B"}\n{"content_id": 2, "content_title": "C"}\n')
    _, findings, _ = check_json(lines, "--select", "FL201")
    assert [(f["content_id"], f["pointer"], f["line"], f["column"]) for f in findings] == [(1, "/content_title", *line_col(lines, "&amp;"))]


# -- a user's own profile ---------------------------------------------------------------


USER_PROFILE = """
name = "harbourcms"
description = "the harbour office's CMS"
ignore = ["FL1", "FL602", "FL603", "FL604", "FL605", "FL606"]

[records]
pointers = ["/export/*/stories/*"]
id = "/uuid"

[detect]
all = ["/uuid", "/headline"]
document = { "/format" = "harbour-*" }

[fields]
plain-text = ["/headline"]
html = ["/body"]
dates = ["/written"]

[options]
format = "%d.%m.%Y"
"""


def test_a_users_profile_from_the_config_reads_their_export(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "harbour.toml").write_text(USER_PROFILE)
    (tmp_path / "feedlint.toml").write_text('profiles = ["profiles/harbour.toml"]\n')
    export = tmp_path / "stories.json"
    export.write_text(json.dumps({"format": "harbour-2", "export": [{"stories": [
        {"uuid": "a-1", "headline": "Quay &amp; pier repaired", "body": "<p>Done &amp; dusted</p>", "written": "31.04.2023"},
        {"uuid": "a-2", "headline": "New buoys", "body": "<p>Six buoys.</p>", "written": "30.04.2023"}]}]}, indent=2))
    code, findings, err = check_json(export, cwd=tmp_path)
    assert code == 1, err
    assert [(f["rule"], f["content_id"], f["pointer"]) for f in findings] == [
        ("FL201", "a-1", "/export/0/stories/0/headline"),
        ("FL301", "a-1", "/export/0/stories/0/written"),
    ]
    assert (findings[1]["line"], findings[1]["column"]) == line_col(export, '31.04.2023"')  # at the impossible day
    listed = run("profiles", cwd=tmp_path).stdout.splitlines()
    assert [row.split()[0] for row in listed] == ["NAME", "harbourcms", "cms", "wordpress", "ghost", "jsonfeed"]
    shown = run("explain-profile", "harbourcms", cwd=tmp_path).stdout
    assert "identity: /uuid (records named \"uuid ...\"; the content_id of JSON reports, contentId in SARIF)" in shown and "/format matches 'harbour-*'" in shown and "rules not run: FL1, FL602" in shown


MINIMAL_PROFILE = """
name = "gazette"
[records]
pointers = ["/stories/*"]
id = "/uuid"
[detect]
all = ["/uuid", "/headline"]
[fields]
plain-text = ["/headline"]
html = ["/body_html"]
dates = ["/created", "/updated"]
[options]
format = "rfc3339"
[rules.FL302]
register-field = "created"
last-edit-field = "updated"
"""


def test_a_minimal_users_profile_is_not_checked_against_the_cms_exports_schema_and_fields(tmp_path):
    """A first profile with only records, detect and fields: no FL1xx against the CMS export's schema,
    no FL602-FL606 on the CMS export's field names -- only what the profile's roles say."""
    (tmp_path / "gazette.toml").write_text(MINIMAL_PROFILE)
    (tmp_path / "feedlint.toml").write_text('profiles = ["gazette.toml"]\n')
    export = tmp_path / "dump.json"
    export.write_text(json.dumps({"stories": [
        {"uuid": "s-1", "headline": "Quay &amp; pier", "body_html": "<p>Open.</p>", "created": "2026-01-01T10:00:00Z", "updated": "2025-12-31T09:00:00Z"},
        {"uuid": "s-2", "headline": "Ferries", "body_html": "<p>Daily <b>now</p>", "created": "2026-01-01T10:00:00Z", "updated": "2026-01-01T11:00:00Z"}]}, indent=2))
    code, findings, err = check_json(export, cwd=tmp_path)
    assert code == 1, err
    assert [(f["rule"], f["content_id"], f["pointer"]) for f in findings] == [
        ("FL201", "s-1", "/stories/0/headline"),
        ("FL302", "s-1", "/stories/0/updated"),
        ("FL403", "s-2", "/stories/1/body_html"),
    ]
    shown = run("explain-profile", "gazette", cwd=tmp_path).stdout
    assert "rules not run: FL602, FL603, FL604, FL605, FL606, FL101, FL102, FL103" in shown
    # with a schema of its own, FL1xx check the records against it
    (tmp_path / "story.schema.json").write_text(json.dumps({"type": "object", "required": ["uuid", "byline"]}))
    (tmp_path / "gazette.toml").write_text('schema = "story.schema.json"\n' + MINIMAL_PROFILE)
    _, findings, _ = check_json(export, "--select", "FL1", cwd=tmp_path)
    assert [(f["rule"], f["content_id"], f["message"]) for f in findings] == [
        ("FL102", "s-1", 'missing required field "byline"'), ("FL102", "s-2", 'missing required field "byline"')]


def test_a_users_profile_is_not_chosen_when_the_document_says_otherwise(tmp_path):
    (tmp_path / "harbour.toml").write_text(USER_PROFILE)
    (tmp_path / "feedlint.toml").write_text('profiles = ["harbour.toml"]\n')
    export = tmp_path / "stories.json"
    export.write_text(json.dumps({"format": "other", "export": [{"stories": [{"uuid": "a-1", "headline": "x"}]}]}))
    proc = run("check", "--allow-no-records", str(export), cwd=tmp_path)
    assert "not a CMS export" in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n', "records needs layouts or pointers"),
        ('name = "x"\n[records]\nlayouts = ["tree"]\n', "records.layouts must be within"),
        ('name = "x"\nshape = 1\n[records]\nlayouts = ["array"]\n', "unknown profile key 'shape'"),
        ('name = "x"\n[records]\nlayouts = ["array"]\n[fields]\nbody = ["/b"]\n', "fields: unknown role 'body' (known: plain-text"),
        ('name = "x"\n[records]\nlayouts = ["array"]\n[options]\ncolour = "red"\n', "options.colour: no rule has this option"),
        ('name = "x"\n[records]\nlayouts = ["array"]\n[rules.FL302]\nregister-field = 3\n', "register-field"),
        ('name = "x"\n[records]\nlayouts = ["array"]\n[detect]\nal = ["/id"]\n', "detect: unknown key 'al' — did you mean 'all'?"),
        ('name = "x"\ndetect = [1]\n[records]\nlayouts = ["array"]\n', "detect must be a table or a list of tables"),
        ('name = "x"\n[records]\nlayouts = ["array"]\n[attachments]\nrendition-url = ["/a", "/b"]\n', "attachments.rendition-url: unknown key or not a JSON Pointer"),
        ('name = "x"\n[records]\nlayouts = ["array"]\n[attachments]\noriginal-url = ["/a", "b"]\n', "attachments.original-url: unknown key or not a JSON Pointer"),
    ],
)
def test_a_broken_profile_is_a_config_error_naming_the_file(tmp_path, text, message):
    (tmp_path / "p.toml").write_text(text)
    (tmp_path / "feedlint.toml").write_text('profiles = ["p.toml"]\n')
    proc = run("profiles", cwd=tmp_path)
    assert proc.returncode == 2
    assert "p.toml" in proc.stderr and message in proc.stderr and "Traceback" not in proc.stderr


def test_builtin_profiles_list_and_explain():
    listed = run("profiles").stdout
    for name in ("cms", "wordpress", "ghost", "jsonfeed"):
        assert f"\n{name} " in listed
    shown = run("explain-profile", "ghost").stdout
    assert "records: under /db/*/data/posts/*" in shown and "records: under /data/posts/*" in shown
    assert "FL306 start-field = \"published_at\"" in shown
    proc = run("explain-profile", "nope")
    assert proc.returncode == 2 and "known: cms, wordpress, ghost, jsonfeed" in proc.stderr


def test_explain_profile_shows_the_options_of_a_rule_not_run_apart():
    shown = run("explain-profile", "wordpress").stdout
    in_force, _, apart = shown.partition("options of rules not run")
    assert "FL302" in apart and "FL302 register-field" not in in_force  # FL302 is in ignore: its fields are not settings in force
    assert "FL607 featured-field = \"/featured_media\"" in in_force
    assert "FL306 " not in shown  # not run, and no mapping of date_gmt against itself among the options


PAIRED_FIELDS = {"FL302": ("register-field", "last-edit-field"), "FL303": ("event-start-field", "event-end-field"), "FL306": ("start-field", "register-field")}


@pytest.mark.parametrize("name", ["cms", "wordpress", "ghost", "jsonfeed"])
def test_no_builtin_profile_runs_a_rule_comparing_a_field_with_itself(name):
    """A rule comparing two dates given one field twice never reports: a profile without the second date ignores the rule."""
    from feedlint.config import Config
    from feedlint.planning import Choices, build_plan
    from feedlint.registry import load_catalogue

    catalogue = load_catalogue(plugins=False)
    plan = build_plan(catalogue, Config(values={}), Choices())
    profile = plan.profiles.get(name)
    running = plan.for_file("x.json", "record", "cms", name)
    for active in running:
        pair = PAIRED_FIELDS.get(active.rule.id)
        if pair:
            assert active.options[pair[0]] != active.options[pair[1]], (name, active.rule.id, profile.ignore)


def test_detect_alternatives_one_of_which_must_fit(tmp_path):
    (tmp_path / "p.toml").write_text('name = "alt"\n[records]\nlayouts = ["array"]\nid = "/key"\n'
                                     '[[detect]]\nall = ["/key", "/headline"]\n[[detect]]\nall = ["/key"]\nany = ["/lede", "/body"]\n')
    profile = read_profile(tmp_path / "p.toml")
    fits = [profile.fits({}, rec) for rec in ({"key": 1, "headline": "h"}, {"key": 1, "body": "b"}, {"key": 1}, {"headline": "h", "body": "b"})]
    assert fits == [True, True, False, False]
    assert "has all of /key, /headline\n             or: has all of /key; has one of /lede, /body" in profile.describe()


def test_profile_files_read_as_json_too(tmp_path):
    (tmp_path / "p.json").write_text(json.dumps({"name": "j", "records": {"layouts": ["array"], "id": "/key"}, "detect": {"all": ["/key"]}}))
    profile = read_profile(tmp_path / "p.json")
    assert (profile.id, profile.fits_record({"key": 1}), profile.fits_record({"id": 1})) == ("/key", True, False)
    with pytest.raises(ProfileError, match="two profiles are named 'j'"):
        ProfileSet.load([str(tmp_path / "p.json"), str(tmp_path / "p.json")])


# -- the real exports (opt-in) ------------------------------------------------------------

REALDATA = os.environ.get("FEEDLINT_REALDATA")


@pytest.mark.skipif(not REALDATA, reason="set FEEDLINT_REALDATA to the folder of the real exports")
@pytest.mark.parametrize(("name", "profile"), [("wordpress/posts.json", "wordpress"), ("wordpress/media.json", "wordpress"), ("ghost/ghost-export.json", "ghost")])
def test_real_exports_are_read_as_they_are(name, profile):
    path = Path(REALDATA) / name  # type: ignore[arg-type]
    proc = run("check", "--format", "sarif", "-j", "1", str(path))
    assert proc.returncode != 2, proc.stderr
    assert "skipped" not in proc.stderr
    sarif = json.loads(proc.stdout)
    run_ = sarif["runs"][0]
    assert run_["results"] is not None
    forced = run("check", "--profile", profile, "--statistics", "-j", "1", str(path))
    assert forced.returncode != 2 and " records" in forced.stdout and " 0 records" not in forced.stdout


# -- attachments laid out by a profile ---------------------------------------------------


def test_wordpress_media_renditions_are_checked_against_the_yyyy_mm_templates():
    path = FIX / "wp-media.json"
    _, findings, _ = check_json(path, "--select", "FL501,FL504,FL307,FL510")
    got = sorted((f["rule"], f["content_id"], f["pointer"], f["line"], f["column"]) for f in findings)
    line, column = line_col(path, "2016/05/market-1-1024x768.jpg")  # at the month folder inside the URL
    assert got == [
        ("FL307", 201, "/0/media_details/sizes/large/source_url", line, column),
        ("FL504", 201, "/0/media_details/sizes/large/source_url", line, column),
    ]  # http(s) URLs, "full" and the -300x225 renditions of the right month are fine


def _portrait_media() -> list:
    """An invented portrait upload (530×730) with core sizes and a theme's own hard crops, as WordPress writes them."""
    media = json.loads((FIX / "wp-media.json").read_text())
    base = "https://example.org/wp-content/uploads/2016/04/"
    sizes = {  # medium: fitted into 300×300 by its height, the width floored (217.8 -> 217, so 217 × 730/530 = 298.9)
        "medium": (217, 300), "thumbnail": (150, 150), "small-thumbnail": (100, 100), "theme-square": (92, 92), "large": (530, 730)
    }
    media[0]["media_details"].update(width=530, height=730, file="2016/04/heron.jpg")
    media[0]["media_details"]["sizes"] = {
        key: {"file": f"heron-{w}x{h}.jpg", "width": w, "height": h, "mime_type": "image/jpeg", "source_url": f"{base}heron-{w}x{h}.jpg"} for key, (w, h) in sizes.items()
    }
    media[0]["source_url"] = media[0]["guid"]["rendered"] = base + "heron.jpg"
    return media


def test_wordpress_height_fitted_renditions_and_theme_crops_are_not_fl507(tmp_path):
    path = tmp_path / "media.json"
    path.write_text(json.dumps(_portrait_media(), indent=2))
    _, findings, err = check_json(path, "--select", "FL507")
    assert findings == [], err
    # a core size that keeps the aspect, distorted, is still found; so is a theme size larger than the original
    media = _portrait_media()
    sizes = media[0]["media_details"]["sizes"]
    sizes["medium"].update(width=217, height=260, source_url=sizes["medium"]["source_url"].replace("217x300", "217x260"))
    sizes["theme-square"].update(width=800, height=800, source_url=sizes["theme-square"]["source_url"].replace("92x92", "800x800"))
    path.write_text(json.dumps(media, indent=2))
    _, findings, _ = check_json(path, "--select", "FL507")
    assert sorted((f["pointer"], f["line"], f["column"]) for f in findings) == sorted([
        ("/0/media_details/sizes/medium/source_url", *line_col(path, "260.jpg")),
        ("/0/media_details/sizes/theme-square/source_url", *line_col(path, "800.jpg")),
    ])


def test_wordpress_media_path_off_the_template_and_a_zero_width_original(tmp_path):
    media = json.loads((FIX / "wp-media.json").read_text())
    media[1]["media_details"]["sizes"]["medium"]["source_url"] = "https://example.org/wp-content/uploads/2016/05/pier_300_225.png"
    media[1]["media_details"]["width"] = 0
    media[1]["media_details"]["sizes"]["full"] = {"file": "pier.png", "width": 800, "height": 600, "source_url": media[1]["source_url"]}
    path = tmp_path / "media.json"
    path.write_text(json.dumps(media, indent=2))
    _, findings, _ = check_json(path, "--select", "FL501,FL511")
    got = sorted((f["rule"], f["pointer"], f["line"], f["column"]) for f in findings)
    width_line, width_column = line_col(path, '"width": 0,')
    assert got == [
        ("FL501", "/1/media_details/sizes/medium/source_url", *line_col(path, '"https://example.org/wp-content/uploads/2016/05/pier_300_225.png"')),
        ("FL511", "/1/media_details/width", width_line, width_column + len('"width": ')),
    ]  # sizes.full (the original itself) is not read as a rendition


def test_wordpress_media_in_the_uploads_folder_itself_or_a_multisite_folder_follow_the_layouts_wordpress_writes(tmp_path):
    """Month folders off (or a plugin's placeholder), and a network's sites/<n>/ folders: not FL501; a bad name in a month folder still is."""
    media = json.loads((FIX / "wp-media.json").read_text())
    root = "https://example.org/wp-content/uploads/"
    media[0]["media_details"]["file"] = "shop-placeholder.png"
    media[0]["source_url"] = media[0]["guid"]["rendered"] = root + "shop-placeholder.png"
    for key, size in media[0]["media_details"]["sizes"].items():
        size["source_url"] = root + size["file"].rsplit("/", 1)[-1].replace("market", "shop-placeholder")
    site = "https://example.org/wp-content/uploads/sites/3/2016/05/"
    for size in media[1]["media_details"]["sizes"].values():
        size["source_url"] = site + size["source_url"].rsplit("/", 1)[-1]
    media[1]["source_url"] = media[1]["guid"]["rendered"] = site + media[1]["source_url"].rsplit("/", 1)[-1]
    media[1]["media_details"]["sizes"]["medium"]["source_url"] = "https://example.org/wp-content/uploads/2016/05/pier_300_225.png"
    path = tmp_path / "media.json"
    path.write_text(json.dumps(media, indent=2))
    _, findings, err = check_json(path, "--select", "FL501")
    assert [(f["pointer"], f["line"], f["column"]) for f in findings] == [
        ("/1/media_details/sizes/medium/source_url", *line_col(path, '"https://example.org/wp-content/uploads/2016/05/pier_300_225.png"'))
    ], err


def test_wordpress_media_at_site_root_paths_are_no_unsafe_path_but_traversal_still_is(tmp_path):
    """Static mirrors and "relative URLs" plugins write /wp-content/uploads/... (real data, third round: 195 false FL510 errors)."""
    media = json.loads((FIX / "wp-media.json").read_text())
    for record in media:
        for size in record["media_details"]["sizes"].values():
            size["source_url"] = size["source_url"].replace("https://example.org", "")
        record["source_url"] = record["source_url"].replace("https://example.org", "")
    media[1]["media_details"]["sizes"]["medium"]["source_url"] = "/wp-content/uploads/2016/05/../../../../wp-config.php"
    media[1]["source_url"] = "//cdn.example.org/wp-content/uploads/2016/05/pier.png"  # protocol-relative: a web address too
    path = tmp_path / "media.json"
    path.write_text(json.dumps(media, indent=2))
    _, findings, err = check_json(path, "--select", "FL510,FL501")
    assert [(f["rule"], f["pointer"], f["line"], f["column"]) for f in findings] == [
        ("FL510", "/1/media_details/sizes/medium/source_url", *line_col(path, "../../../../wp-config.php")),
    ], err  # the root paths follow FL501's templates ({base} is empty), so nothing else is said


def test_woocommerce_downloadable_files_follow_the_folder_woocommerce_files_them_in(tmp_path):
    """WooCommerce files a downloadable product's file under uploads/woocommerce_uploads/, month folders or not, random letters added to its name."""
    media = json.loads((FIX / "wp-media.json").read_text())
    zip_media = {**media[1], "id": 303, "mime_type": "application/zip", "media_type": "file", "media_details": {"filesize": 90899, "sizes": {}}}
    zip_media["source_url"] = zip_media["guid"]["rendered"] = "https://example.org/wp-content/uploads/woocommerce_uploads/2016/05/user-guide-k3x9qa.zip"
    flat = {**zip_media, "id": 304, "source_url": "https://example.org/wp-content/uploads/woocommerce_uploads/price-list-a7b2c1.zip"}
    astray = {**zip_media, "id": 305, "source_url": "https://example.org/wp-content/uploads/woocommerce_uploads/2016/manual.zip"}  # a year folder alone
    path = tmp_path / "media.json"
    path.write_text(json.dumps([zip_media, flat, astray], indent=2))
    _, findings, err = check_json(path, "--select", "FL501")
    assert [(f["content_id"], f["pointer"]) for f in findings] == [(305, "/2/source_url")], err


def test_wp_api_beta_objects_without_status_and_with_string_captions_follow_the_schema(tmp_path):
    """The WP-API 2.0 betas (2015-2016) gave status in the edit context only and captions as strings (real data, third round: 326 false FL101/FL102)."""
    posts = json.loads((FIX / "wp-posts.json").read_text())
    for post in posts:
        del post["status"]
    media = json.loads((FIX / "wp-media.json").read_text())
    media[0]["caption"], media[0]["description"] = "", "A pier at dusk."
    (tmp_path / "posts.json").write_text(json.dumps(posts, indent=1))
    (tmp_path / "media.json").write_text(json.dumps(media, indent=1))
    rc, findings, err = check_json(tmp_path, "--select", "FL1", cwd=tmp_path)
    assert (rc, findings) == (0, []), err
    # what the schema still asks: a caption that is neither, a post without its title
    media[1]["caption"] = 7
    del posts[0]["title"]
    (tmp_path / "posts.json").write_text(json.dumps(posts, indent=1))
    (tmp_path / "media.json").write_text(json.dumps(media, indent=1))
    _, findings, err = check_json(tmp_path, "--select", "FL1", cwd=tmp_path)
    assert sorted((f["file"], f["rule"], f["pointer"]) for f in findings) == [("media.json", "FL101", "/1/caption"), ("posts.json", "FL102", "/0")], err


def test_the_dedupe_digits_of_wordpress_stay_in_the_file_name():
    from feedlint.rules._paths import AttachPath, compile_template

    rendition = compile_template("{base}/wp-content/uploads/{yyyy}/{mm}/{name}-{width}x{height}.{ext}")
    ap = AttachPath(0, "medium", "https://example.org/wp-content/uploads/2016/04/market-1-300x225.jpg", rendition)
    assert (ap.parts["name"], ap.parts["width"], ap.parts["height"], ap.parts["yyyymm"]) == ("market-1", "300", "225", "201604")
    assert ap.span("yyyymm") == (len("https://example.org/wp-content/uploads/"), len("https://example.org/wp-content/uploads/2016/04"))


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_processes_read_with_the_files_profile(tmp_path, method):
    """Records sent to workers keep their profile: its roles, identity and rule options (FL302's fields)."""
    posts = [json.loads(json.dumps(p)) for p in json.loads((FIX / "wp-posts.json").read_text()) * 3]
    for i, post in enumerate(posts):
        post["id"] = 300 + i
    path = tmp_path / "posts.json"
    path.write_text(json.dumps(posts, indent=1))
    _wordpress_running_fl302(tmp_path)  # the workers read the user's profile too
    serial = subprocess.run([sys.executable, "-m", "feedlint", "check", "--format", "json", "-j", "1", str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    env = {**os.environ, "FEEDLINT_PARALLEL_MIN_RECORDS": "2", "FEEDLINT_START_METHOD": method}
    parallel = subprocess.run([sys.executable, "-m", "feedlint", "check", "--format", "json", "-j", "2", str(path)], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert parallel.returncode == serial.returncode == 1, parallel.stderr
    found = json.loads(parallel.stdout)
    assert found == json.loads(serial.stdout)
    assert [(f["rule"], f["content_id"], f["pointer"]) for f in found] == [("FL302", 301, "/1/modified_gmt"), ("FL302", 303, "/3/modified_gmt"), ("FL302", 305, "/5/modified_gmt")]


def test_the_output_says_which_profile_read_each_file(tmp_path):
    """JSON: a "profile" key on every finding (the other keys as they were); SARIF: run properties.profiles; text: a "Read as:" line."""
    wp, ghost = FIX / "wp-posts.json", FIX / "ghost-export.json"
    findings = json.loads(run("check", "--format", "json", "--exit-zero", "--select", "FL302,FL306", str(wp), str(ghost)).stdout)
    assert {(Path(f["file"]).name, f["profile"]) for f in findings} == {("wp-posts.json", "wordpress"), ("ghost-export.json", "ghost")}
    assert list(findings[0])[-2:] == ["fingerprint", "profile"]  # appended: the documented keys keep their order
    sarif = json.loads(run("check", "--format", "sarif", "--exit-zero", str(wp), str(ghost)).stdout)["runs"][0]["properties"]
    assert {Path(k).name: v for k, v in sarif["profiles"].items()} == {"wp-posts.json": "wordpress", "ghost-export.json": "ghost"}
    text = run("check", "--exit-zero", "--select", "FL302", str(wp), str(ghost)).stdout
    assert text.splitlines()[-1] == "Read as: ghost (1 file), wordpress (1 file)."
    cms = run("check", "--exit-zero", str(ROOT / "examples" / "newsroom-export.json")).stdout
    assert "Read as" not in cms  # the CMS export's output is what it always was
    cms_json = json.loads(run("check", "--format", "json", "--exit-zero", str(ROOT / "examples" / "newsroom-export.json")).stdout)
    assert cms_json and {f["profile"] for f in cms_json} == {"cms"}
