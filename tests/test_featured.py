"""FL607: a WordPress post's featured image (a media record in another file) filed long before the post's date.

Invented look-alikes of a WordPress REST dump (posts.json, media.json in one folder, run
together): the defect is reported at the post's ``/featured_media`` value, at the line and
column found by searching the file's text; reused library images, uploads while drafting,
later edits, unknown and ambiguous ids are not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from feedlint.config import Config
from feedlint.planning import Choices, build_plan
from feedlint.registry import load_catalogue


def post(pid: int, date: str, featured: int) -> dict:
    return {
        "id": pid, "date": date, "date_gmt": date, "guid": {"rendered": f"https://example.org/?p={pid}"},
        "modified": date, "modified_gmt": date, "slug": f"story-{pid}", "status": "publish", "type": "post",
        "link": f"https://example.org/story-{pid}/", "title": {"rendered": f"Story {pid}"},
        "content": {"rendered": "<p>The ferry sails again.</p>\n", "protected": False}, "excerpt": {"rendered": "<p>The ferry.</p>\n", "protected": False},
        "featured_media": featured, "categories": [3], "tags": [],
    }


def media(mid: int, folder: str, parent: int, uploaded: str) -> dict:
    url = f"https://example.org/wp-content/uploads/{folder}/pier-{mid}.jpg"
    return {
        "id": mid, "date": uploaded, "date_gmt": uploaded, "guid": {"rendered": url}, "modified": uploaded, "modified_gmt": uploaded,
        "slug": f"pier-{mid}", "status": "inherit", "type": "attachment", "link": f"https://example.org/pier-{mid}/",
        "title": {"rendered": "pier"}, "alt_text": "The pier at dawn", "caption": {"rendered": ""}, "description": {"rendered": ""},
        "media_type": "image", "mime_type": "image/jpeg", "post": parent,
        "media_details": {"width": 1200, "height": 900, "file": f"{folder}/pier-{mid}.jpg", "sizes": {}}, "source_url": url,
    }


def run(folder: Path, *extra: str) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "feedlint", "check", "--format", "json", "--exit-zero", "--select", "FL607", *extra, str(folder)],
                          capture_output=True, text=True, timeout=120, cwd=folder if folder.is_dir() else folder.parent)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def dump(folder: Path, posts: list, items: list) -> tuple[Path, Path]:
    (folder / "posts.json").write_text(json.dumps(posts, indent=1))
    (folder / "media.json").write_text(json.dumps(items, indent=1))
    return folder / "posts.json", folder / "media.json"


def line_col(path: Path, needle: str) -> tuple[int, int]:
    text = path.read_text()
    at = text.index(needle)
    return text[:at].count("\n") + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def test_an_image_uploaded_for_the_post_filed_months_before_its_date_is_reported_at_featured_media(tmp_path):
    posts, _ = dump(tmp_path, [post(101, "2021-03-04T10:00:00", 0), post(102, "2021-10-01T09:43:00", 202)],
                    [media(201, "2021/03", 101, "2021-03-04T09:00:00"), media(202, "2021/05", 102, "2021-05-20T10:05:00")])
    found = run(tmp_path)
    assert [(f["file"], f["content_id"], f["pointer"], f["severity"]) for f in found] == [("posts.json", 102, "/1/featured_media", "warning")]
    f = found[0]
    line, col = line_col(posts, '"featured_media": 202')
    assert (f["line"], f["column"], f["end_column"]) == (line, col + len('"featured_media": '), col + len('"featured_media": 202'))
    assert f["message"] == "featured image 202 is filed under 2021/05, uploaded 2021-05-20T10:05:00 for this record, 5 months before this record's date 2021-10-01T09:43:00"
    assert f["evidence"] == "2021/05 < 2021-10-01T09:43:00"


@pytest.mark.parametrize(
    ("parent", "folder", "date", "why"),
    [
        (103, "2021/05", "2021-10-01T09:43:00", "uploaded for another post: a series banner reused"),
        (0, "2021/05", "2021-10-01T09:43:00", "uploaded to the library for no post"),
        (102, "2021/09", "2021-10-01T00:10:00", "uploaded while drafting, published just after the month turned"),
        (102, "2021/12", "2021-10-01T09:43:00", "added by a later edit: a folder after the date"),
    ],
)
def test_legitimate_look_alikes_are_not_reported(tmp_path, parent, folder, date, why):
    dump(tmp_path, [post(102, date, 202)], [media(202, folder, parent, f"{folder.replace('/', '-')}-20T10:05:00")])
    assert run(tmp_path) == [], why


def test_report_reused_and_tolerance_are_options_of_the_config(tmp_path):
    dump(tmp_path, [post(102, "2021-10-01T09:43:00", 202), post(104, "2021-07-01T09:00:00", 204)],
         [media(202, "2021/05", 103, "2021-05-20T10:05:00"), media(204, "2021/05", 104, "2021-05-02T10:00:00")])
    assert [f["content_id"] for f in run(tmp_path)] == [104]  # two months before, attached to it
    (tmp_path / "feedlint.toml").write_text("[rules.FL607]\nreport-reused = true\ntolerance-months = 2\n")
    found = run(tmp_path)
    assert [f["content_id"] for f in found] == [102]  # 104 within two months; 102's banner reported as reused
    assert "uploaded 2021-05-20T10:05:00 for record 103, 5 months before" in found[0]["message"]


def test_an_id_no_record_has_or_two_records_have_is_not_joined(tmp_path):
    dump(tmp_path, [post(102, "2021-10-01T09:43:00", 202), post(105, "2021-10-01T09:43:00", 999)], [media(202, "2021/05", 102, "2021-05-20T10:05:00")])
    (tmp_path / "other-site-media.json").write_text(json.dumps([media(202, "2021/10", 7, "2021-10-01T09:00:00")]))
    assert run(tmp_path) == []  # 202 is two media records of the run (two sites): ambiguous; 999 is none


def test_the_join_needs_both_files_in_one_run(tmp_path):
    posts, _ = dump(tmp_path, [post(102, "2021-10-01T09:43:00", 202)], [media(202, "2021/05", 102, "2021-05-20T10:05:00")])
    assert run(posts) == []
    assert len(run(tmp_path)) == 1


def test_fingerprint_is_stable_when_the_dump_is_reordered_and_reformatted(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    posts = [post(101, "2021-03-04T10:00:00", 0), post(102, "2021-10-01T09:43:00", 202)]
    items = [media(201, "2021/03", 101, "2021-03-04T09:00:00"), media(202, "2021/05", 102, "2021-05-20T10:05:00")]
    dump(a, posts, items)
    (b / "media.json").write_text(json.dumps(items[::-1]))
    (b / "posts.json").write_text(json.dumps(posts[::-1]))
    one, two = run(a), run(b)
    assert len(one) == len(two) == 1 and one[0]["fingerprint"] == two[0]["fingerprint"] and one[0]["pointer"] != two[0]["pointer"]


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_processes_collect_with_the_files_profile(tmp_path, method):
    posts = [post(100 + i, "2021-10-01T09:43:00", 200 + i) for i in range(6)]
    items = [media(200 + i, "2021/05" if i % 2 else "2021/10", 100 + i, "2021-05-20T10:05:00") for i in range(6)]
    dump(tmp_path, posts, items)
    env = {**os.environ, "FEEDLINT_PARALLEL_MIN_RECORDS": "2", "FEEDLINT_START_METHOD": method}
    proc = subprocess.run([sys.executable, "-m", "feedlint", "check", "--format", "json", "--exit-zero", "--select", "FL607", "-j", "2", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert [f["content_id"] for f in json.loads(proc.stdout)] == [101, 103, 105], proc.stderr


def test_the_facts_a_rule_collects_depend_on_the_files_profile():
    plan = build_plan(load_catalogue(plugins=False), Config(values={}), Choices(select=["FL6"]))
    options = {p: {a.rule.id: a.options for a in plan.facts_for(p)} for p in ("cms", "wordpress", "ghost")}
    assert options["wordpress"]["FL607"]["featured-field"] == "/featured_media"
    assert options["cms"]["FL607"]["featured-field"] == options["ghost"]["FL607"]["featured-field"] == ""
    assert [a.rule.id for a in plan.facts_for(None)] == [a.rule.id for a in plan.by_scope("dataset")]


def test_the_cms_export_gets_no_fl607_columns(tmp_path):
    from feedlint.engine import Engine

    plan = build_plan(load_catalogue(plugins=False), Config(values={}), Choices(select=["FL6"]))
    engine = Engine(plan)
    list(engine.run([str(ROOT / "examples" / "newsroom-export.json")]))
    assert len(engine.table) and not [c for c in engine.table.columns if c.startswith("fl607")]


def test_a_ghost_feature_image_is_in_the_post_itself_so_fl308_compares_it(tmp_path):
    """No join for Ghost: the folder of the post's own feature_image against its published_at (FL308, a note)."""
    def ghost_post(n: int, image: str, published: str) -> dict:
        return {"id": f"5f00000000000000000000{n:02d}", "title": f"Tide tables {n}", "slug": f"tides-{n}", "html": "<p>High tide.</p>", "plaintext": "High tide.",
                "feature_image": image, "status": "published", "type": "post", "created_at": published, "updated_at": published, "published_at": published}

    export = {"db": [{"meta": {"version": "5.2.0"}, "data": {"posts": [
        ghost_post(1, "__GHOST_URL__/content/images/2020/01/tide.jpg", "2020-06-10T12:00:00.000Z"),
        ghost_post(2, "__GHOST_URL__/content/images/2020/05/gull.jpg", "2020-06-10T12:00:00.000Z"),
    ]}}]}
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps(export, indent=1))
    found = run(path, "--select", "FL308")
    assert [(f["rule"], f["pointer"], f["severity"]) for f in found] == [("FL308", "/db/0/data/posts/0/feature_image", "note")]
    line, col = line_col(path, "2020/01/tide.jpg")
    assert (found[0]["line"], found[0]["column"], found[0]["end_column"]) == (line, col, col + len("2020/01"))
