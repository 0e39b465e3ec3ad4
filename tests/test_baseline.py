"""Baselines (``feedlint baseline`` / ``check --baseline``) and ``[[suppress]]`` entries, through the real CLI."""

from __future__ import annotations

import json
import re

from conftest import base_record, export_text, run_cli


FINDING = re.compile(r"^[^:]+:\d+:\d+: FL")


def _finding_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if FINDING.match(line)]


def _write(path, records, **kw):
    path.write_text(export_text(records, **kw), encoding="utf-8", newline="")
    return path


def _records():
    return [
        base_record(content_id=510001, portal_id=0),  # FL101
        base_record(content_id=510002, surprise=1),  # FL103
        base_record(content_id=510003),
    ]


def test_baseline_file_is_sorted_stable_and_survives_reordering_and_reformatting(tmp_path):
    _write(tmp_path / "a.json", _records())
    r = run_cli("baseline", "--select", "FL1", "a.json", "-o", ".feedlint-baseline.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "wrote 2 baseline entries (2 findings) to .feedlint-baseline.json" in r.stderr
    first = (tmp_path / ".feedlint-baseline.json").read_bytes()
    doc = json.loads(first)
    assert doc["format"] == "feedlint-baseline" and doc["version"] == 1
    assert [(e["rule"], e["content_id"], e["pointer"], e["file"], e["count"]) for e in doc["findings"]] == [
        ("FL101", 510001, "/portal_id", "a.json", 1),
        ("FL103", 510002, "/surprise", "a.json", 1),
    ]
    assert all(e["message"] and len(e["fingerprint"]) == 32 for e in doc["findings"])
    assert not list(tmp_path.glob(".feedlint-*.tmp"))  # written atomically, no leftovers
    # same findings after re-export in another order and pretty-printed: the same bytes
    _write(tmp_path / "a.json", list(reversed(_records())), layout="array", pretty=True)
    run_cli("baseline", "--select", "FL1", "a.json", "-o", ".feedlint-baseline.json", cwd=tmp_path)
    assert (tmp_path / ".feedlint-baseline.json").read_bytes() == first


def test_check_with_baseline_reports_only_new_findings(tmp_path):
    _write(tmp_path / "a.json", _records())
    run_cli("baseline", "--select", "FL1", "a.json", "-o", "base.json", cwd=tmp_path)
    r = run_cli("check", "--select", "FL1", "--baseline", "base.json", "a.json", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed (1 file, 3 records)." in r.stdout
    assert "Baseline base.json: 2 known findings not reported, no stale entries." in r.stdout
    # a new defect in another record (and the export reordered and pretty-printed): only it is reported
    recs = _records()
    recs[2]["content_summary_fill"] = "yes"
    text = export_text(list(reversed(recs)), layout="array", pretty=True)
    (tmp_path / "a.json").write_text(text, encoding="utf-8")
    r = run_cli("check", "--select", "FL1", "--baseline", "base.json", "a.json", cwd=tmp_path)
    assert r.returncode == 1
    findings = _finding_lines(r.stdout)
    assert len(findings) == 1 and "[content_id 510003] /0/content_summary_fill:" in findings[0]
    line = text[: text.index('"yes"')].count("\n") + 1
    assert findings[0].startswith(f"a.json:{line}:")
    assert "Baseline base.json: 2 known findings not reported" in r.stdout


def test_stale_entries_are_listed_and_counted_but_do_not_fail(tmp_path):
    _write(tmp_path / "a.json", _records())
    run_cli("baseline", "--select", "FL1", "a.json", "-o", "base.json", cwd=tmp_path)
    fixed = _records()
    fixed[0]["portal_id"] = 3
    _write(tmp_path / "a.json", fixed)
    r = run_cli("check", "--select", "FL1", "--baseline", "base.json", "a.json", cwd=tmp_path)
    assert r.returncode == 0
    assert "1 known finding not reported, 1 stale entry" in r.stdout
    (stale,) = [line for line in r.stderr.splitlines() if "stale baseline entry" in line]
    assert "FL101 [content_id 510001] /portal_id in a.json" in stale
    # SARIF: new results are marked new; the stale entry is a configuration notification
    r = run_cli("check", "--format", "sarif", "--select", "FL1", "--baseline", "base.json", "a.json", cwd=tmp_path)
    run = json.loads(r.stdout)["runs"][0]
    (note,) = run["invocations"][0]["toolConfigurationNotifications"]
    assert note["descriptor"]["id"] == "stale-baseline-entry" and "content_id 510001" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a.json"
    assert run["properties"]["baseline"] == {"path": "base.json", "matched": 1, "stale": 1}


def test_stale_only_for_files_checked_and_rules_selected(tmp_path):
    _write(tmp_path / "a.json", _records())
    _write(tmp_path / "b.json", [base_record(content_id=520001, portal_id=0)])
    run_cli("baseline", "--select", "FL1", "a.json", "b.json", "-o", "base.json", cwd=tmp_path)
    # pre-commit style: only a.json is passed; b.json's entry is not stale
    r = run_cli("check", "--select", "FL1", "--baseline", "base.json", "a.json", cwd=tmp_path)
    assert r.returncode == 0 and "no stale entries" in r.stdout and "stale baseline entry" not in r.stderr
    # FL103 not selected: its entry is not stale either
    r = run_cli("check", "--select", "FL101", "--baseline", "base.json", "a.json", "b.json", cwd=tmp_path)
    assert r.returncode == 0 and "no stale entries" in r.stdout
    # a baselined file that no longer exists: its entries are stale
    (tmp_path / "b.json").unlink()
    r = run_cli("check", "--select", "FL1", "--baseline", "base.json", "a.json", cwd=tmp_path)
    assert "1 stale entry" in r.stdout and "content_id 520001" in r.stderr


def test_repeated_fingerprint_counts_and_a_further_copy_is_new(tmp_path):
    dup = base_record(content_id=530001, portal_id=0)
    _write(tmp_path / "a.json", [dup])
    _write(tmp_path / "b.json", [dup])
    run_cli("baseline", "--select", "FL101", "a.json", "b.json", "-o", "base.json", cwd=tmp_path)
    (entry,) = json.loads((tmp_path / "base.json").read_text())["findings"]
    assert entry["count"] == 2
    _write(tmp_path / "c.json", [dup])
    r = run_cli("check", "--select", "FL101", "--baseline", "base.json", "a.json", "b.json", "c.json", cwd=tmp_path)
    assert r.returncode == 1
    assert [line.split(":")[0] for line in _finding_lines(r.stdout)] == ["c.json"]


def test_baseline_from_config_key_relative_to_the_config_file(tmp_path):
    (tmp_path / "ci").mkdir()
    (tmp_path / "feedlint.toml").write_text('baseline = "ci/known.json"\nselect = ["FL1"]\n', encoding="utf-8")
    _write(tmp_path / "a.json", _records())
    r = run_cli("baseline", "a.json", cwd=tmp_path)  # -o defaults to the config's baseline
    assert r.returncode == 0 and (tmp_path / "ci" / "known.json").exists()
    sub = tmp_path / "exports"
    sub.mkdir()
    (tmp_path / "a.json").rename(sub / "a.json")
    r = run_cli("check", "a.json", cwd=sub)
    assert "known findings not reported" in r.stdout
    # the records moved to another file: fingerprints carry no path, so still known
    assert r.returncode == 0, r.stdout + r.stderr


def test_bad_baseline_files_are_one_line_errors_exit_2(tmp_path):
    _write(tmp_path / "a.json", _records())
    (tmp_path / "broken.json").write_text('{"format": "feedlint-baseline",\n  "version": 1, "findings": [}', encoding="utf-8")
    (tmp_path / "other.json").write_text('{"name": "x"}', encoding="utf-8")
    (tmp_path / "nofp.json").write_text('{"format": "feedlint-baseline", "version": 1, "findings": [{"rule": "FL101"}]}', encoding="utf-8")
    cases = {
        "missing.json": "missing.json: baseline file not found",
        "broken.json": "broken.json:2:30: baseline is not valid JSON",
        "other.json": "other.json: not a feedlint baseline",
        "nofp.json": 'nofp.json: findings[0] needs a "fingerprint" string',
    }
    for name, expected in cases.items():
        r = run_cli("check", "--baseline", name, "a.json", cwd=tmp_path)
        assert r.returncode == 2, name
        assert r.stderr.startswith("feedlint: error: " + expected), r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_baseline_not_written_when_an_input_cannot_be_read(tmp_path):
    _write(tmp_path / "a.json", _records())
    (tmp_path / "bad.json").write_text("[[{\"content_id\": 1,}]]", encoding="utf-8")
    r = run_cli("baseline", "a.json", "bad.json", "-o", "base.json", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.splitlines()[0].startswith("bad.json:1:")
    assert "base.json: baseline not written" in r.stderr and not (tmp_path / "base.json").exists()


# -- [[suppress]] -------------------------------------------------------------------------------

def test_pointer_suppression_covers_the_subtree_only_at_segment_boundaries(tmp_path):
    rec = base_record(content_id=540001, portal_id=0)
    rec["attaches"][0]["files"]["original"]["width"] = "wide"
    _write(tmp_path / "a.json", [rec, base_record(content_id=540002, portal_id=0)])
    (tmp_path / "feedlint.toml").write_text(
        # first the near-miss: were "/attach" a plain string prefix it would win and the second entry go unused
        "[[suppress]]\ncontent-id = 540001\npointer = \"/attach\"\nreason = \"prefix of a key name must not match /attaches or /attach_title\"\n"
        "[[suppress]]\ncontent-id = 540001\npointer = \"/attaches\"\nrules = [\"FL101\"]\nreason = \"image sizes are re-computed by the 2026 migration\"\n",
        encoding="utf-8",
    )
    r = run_cli("check", "--select", "FL101", "--format", "json", "a.json", cwd=tmp_path)
    found = {(f["content_id"], f["record_pointer"]) for f in json.loads(r.stdout)}
    assert found == {(540001, "/portal_id"), (540002, "/portal_id")}  # width under /attaches silenced, nothing else
    (unused,) = [line for line in r.stderr.splitlines() if "unused suppression" in line]
    assert "pointer /attach)" in unused and "prefix of a key name" in unused


def test_suppression_by_path_glob_and_reason_required(tmp_path):
    (tmp_path / "legacy").mkdir()
    _write(tmp_path / "legacy" / "old.json", [base_record(portal_id=0)])
    _write(tmp_path / "new.json", [base_record(portal_id=0)])
    (tmp_path / "feedlint.toml").write_text('[[suppress]]\npath = "legacy/*.json"\nreason = "frozen archive"\n', encoding="utf-8")
    r = run_cli("check", "--select", "FL101", "legacy/old.json", "new.json", cwd=tmp_path)
    assert [line.split(":")[0] for line in _finding_lines(r.stdout)] == ["new.json"]
    (tmp_path / "feedlint.toml").write_text('[[suppress]]\npath = "legacy/*.json"\n', encoding="utf-8")
    r = run_cli("check", "new.json", cwd=tmp_path)
    assert r.returncode == 2 and "needs a reason" in r.stderr


def test_suppression_with_bad_pointer_or_unknown_rule_is_a_config_error(tmp_path):
    _write(tmp_path / "a.json", _records())
    cases = {
        'pointer = "content_body"': "suppress[0].pointer must be a JSON Pointer",
        'rules = ["FL2O1"]': "unknown rule selector 'FL2O1'",  # letter O, not zero: a typo must not silently never match
        'rules = "FL201"': "suppress[0].rules must be a list",
    }
    for line, expected in cases.items():
        (tmp_path / "feedlint.toml").write_text(f'[[suppress]]\ncontent-id = 510001\n{line}\nreason = "r"\n', encoding="utf-8")
        r = run_cli("check", "a.json", cwd=tmp_path)
        assert r.returncode == 2 and expected in r.stderr, (line, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1


def test_baseline_paths_are_relative_to_the_checkout_root_wherever_feedlint_runs(tmp_path):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "exports").mkdir()
    _write(tmp_path / "exports" / "a b.json", _records())
    run_cli("baseline", "--select", "FL1", "exports", "-o", ".feedlint-baseline.json", cwd=tmp_path)
    files = {e["file"] for e in json.loads((tmp_path / ".feedlint-baseline.json").read_text())["findings"]}
    assert files == {"exports/a b.json"}
    sub = tmp_path / "exports"
    r = run_cli("check", "--select", "FL1", "--baseline", "../.feedlint-baseline.json", "a b.json", cwd=sub)
    assert r.returncode == 0 and "2 known findings not reported, no stale entries" in r.stdout
    fixed = _records()
    fixed[1].pop("surprise")
    _write(sub / "a b.json", fixed)
    r = run_cli("check", "--format", "sarif", "--select", "FL1", "--baseline", "../.feedlint-baseline.json", "a b.json", cwd=sub)
    (note,) = json.loads(r.stdout)["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert "FL103 [content_id 510002] /surprise in exports/a b.json" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "exports/a%20b.json", "uriBaseId": "%SRCROOT%"}


def test_a_baseline_made_before_one_finding_per_group_still_matches_the_first_entries(tmp_path):
    """A baseline from before FL606 (one finding per member) and FL307 (one per rendition path) were grouped:
    the run does not crash, the first member's / first path's entries still match (same fingerprints), and
    the others are reported stale once; the run passes."""
    from feedlint.model import fingerprint

    last_edit = "2026-04-20 09:20:41"
    recs = [base_record(content_id=510001 + i, content_title=f"Title {i}", content_body=f"Body {i}.", content_date_last_edit=last_edit) for i in range(3)]
    _write(tmp_path / "a.json", recs)
    paths = [f"/attaches/0/sizes/{w}" for w in (150, 300, 400, 600, 900, 1200)] + ["/attaches/0/files/original/url"]
    old = [("FL606", 510001 + i, "/attaches/0/token", 'unique-attachment-token:"2718281828"') for i in range(3)]
    old += [("FL307", 510001 + i, p, f"202605 > {last_edit}") for i in range(3) for p in paths]
    entries = [{"fingerprint": fingerprint(*e), "rule": e[0], "content_id": e[1], "pointer": e[2], "file": "a.json", "message": "(old)", "count": 1} for e in old]
    (tmp_path / "old.json").write_text(json.dumps({"format": "feedlint-baseline", "version": 1, "findings": entries}), encoding="utf-8")
    r = run_cli("check", "--select", "FL606,FL307", "--baseline", "old.json", "a.json", cwd=tmp_path)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert _finding_lines(r.stdout) == []
    assert "4 known findings not reported, 20 stale entries" in r.stdout  # FL606: 1 kept, 2 stale; FL307: 3 kept, 3 × 6 stale
    stale = [line for line in r.stderr.splitlines() if "stale baseline entry" in line]
    assert len(stale) == 20 and not any("/attaches/0/sizes/150 " in line or "content_id 510001] /attaches/0/token" in line for line in stale)
    fresh = run_cli("baseline", "--select", "FL606,FL307", "a.json", "-o", "new.json", cwd=tmp_path)
    assert fresh.returncode == 0
    assert sorted(e["fingerprint"] for e in json.loads((tmp_path / "new.json").read_text())["findings"]) == sorted(entries[i]["fingerprint"] for i in (0, 3, 10, 17))
