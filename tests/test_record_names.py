"""A record is named in messages as its export names its identity: ``[id 5700]`` in a WordPress
or Ghost export, ``[content_id 418667]`` in the CMS export. The JSON and SARIF keys stay
``content_id``/``contentId`` for every profile (a contract); only the words people read change.
Run through the installed CLI, as a user would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import base_record, export_text, feedlint_cmd
from feedlint.fields import FieldRoles, id_name

def feedlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*feedlint_cmd(), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "pattern, name",
    [("/content_id", "content_id"), ("/id", "id"), ("/guid", "guid"), ("/ids/*", "ids"), ("/ids/0", "ids"), ("/a~1b", "a/b"), ("", "content_id")],
)
def test_the_name_is_the_last_named_step_of_the_id_pointer(pattern, name):
    assert id_name(pattern) == name
    assert FieldRoles(id=pattern).id_name == name


def wp_post(pid: int, title: str) -> dict:
    return {
        "id": pid, "date": "2021-02-03T10:00:00", "date_gmt": "2021-02-03T10:00:00", "modified": "2021-02-03T10:00:00",
        "modified_gmt": "2021-02-03T10:00:00", "slug": title.lower().replace(" ", "-"), "status": "publish", "type": "post",
        "link": f"https://example.org/?p={pid}", "guid": {"rendered": f"https://example.org/?p={pid}"},
        "title": {"rendered": title}, "content": {"rendered": f"<p>{title}.</p>", "protected": False},
        "excerpt": {"rendered": f"<p>{title}.</p>", "protected": False},
    }


def test_a_wordpress_duplicate_is_named_by_its_id_in_text_and_sarif_but_json_keeps_content_id(tmp_path):
    (tmp_path / "posts.json").write_text(json.dumps([wp_post(103, "Harbour works"), wp_post(104, "Tide tables"), wp_post(103, "Harbour works")]))
    text = feedlint("check", "posts.json", "--select", "FL601", cwd=tmp_path)
    assert text.returncode == 1, text.stderr
    lines = [line for line in text.stdout.splitlines() if ": FL601 [" in line]
    assert len(lines) == 2
    assert lines[0].startswith("posts.json:") and " FL601 [id 103] /0/id: " in lines[0] and lines[0].endswith("also at posts.json record 2 (id 103)")
    assert "content_id" not in text.stdout

    sarif = json.loads(feedlint("check", "posts.json", "--select", "FL601", "--format", "sarif", cwd=tmp_path).stdout)
    result = sarif["runs"][0]["results"][0]
    assert result["message"]["text"].endswith("(id 103) [id 103 at /0/id]")
    assert result["properties"]["contentId"] == 103

    report = json.loads(feedlint("check", "posts.json", "--select", "FL601", "--format", "json", cwd=tmp_path).stdout)
    assert [f["content_id"] for f in report] == [103, 103]


def test_a_fix_names_a_ghost_post_by_its_id(tmp_path):
    post = {"id": "p1", "uuid": "u1", "title": "Harbour", "slug": "harbour", "html": "<p>The harbour&#39;s day.</p>",
            "plaintext": "The harbour&#39;s day.", "status": "published", "created_at": "2021-02-03T10:00:00.000Z",
            "updated_at": "2021-02-03T10:00:00.000Z", "published_at": "2021-02-03T10:00:00.000Z"}
    doc = {"db": [{"meta": {"exported_on": 1612345678000, "version": "4.2.0"}, "data": {"posts": [post], "tags": []}}]}
    (tmp_path / "ghost.json").write_text(json.dumps(doc))
    fixed = feedlint("check", "ghost.json", "--fix", "--show-fixes", cwd=tmp_path)
    assert "ghost.json: FL201 [id p1] /db/0/data/posts/0/plaintext: decoded 1 HTML entity" in fixed.stderr + fixed.stdout  # was "[record 0]": the fix read no profile


def test_the_cms_export_keeps_content_id(tmp_path):
    rec = base_record(content_id=777)
    rec["content_title"] = "Port&#39;s day"
    (tmp_path / "export.json").write_text(export_text([rec, dict(rec)]))
    out = feedlint("check", "export.json", "--select", "FL201,FL601", cwd=tmp_path).stdout
    assert "FL201 [content_id 777] /0/0/content_title: " in out
    assert "(content_id 777)" in out  # FL601's other member
