"""FL5xx attachment rules through the real engine: exact positions inside escaped paths, look-alikes, media root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SEED_EXPORT, base_record, line_col, needs_seeds, run_cli, run_engine, write_export_file
from feedlint.registry import load_catalogue

CATALOGUE = load_catalogue(plugins=False)
P = "./cache/3/attach/202605/880001_2718281828_"
ORIGINAL = "./file/3/attach/202605/880001_2718281828.jpg"


def run(path: Path, select: str = "FL5", config: dict | None = None, shared: dict | None = None):
    return run_engine(path, select, config, shared)


write = write_export_file


def record(sizes: dict | None = None, ext: str | None = None, token: int | None = None, file_media: int | None = None, **original) -> dict:
    rec = base_record()
    att = rec["attaches"][0]
    att["sizes"].update(sizes or {})
    att["files"]["original"].update(original)
    if ext is not None:
        att["ext"] = ext
    if token is not None:
        att["token"] = token
    if file_media is not None:
        att["file_media"] = file_media
    return rec


def escaped(path: str) -> str:
    """How the CMS (and export_text) writes a path: every '/' as '\\/'."""
    return path.replace("/", "\\/")




def located(text: str, f) -> str:
    return text[f.region.offset : f.region.offset + f.region.length]


def assert_inside(text: str, f, path: str, part: str) -> None:
    """The finding covers exactly ``part`` inside the escaped ``path`` as it sits in the file."""
    raw = escaped(path)
    start = text.index(raw) + raw.index(escaped(part))
    assert located(text, f) == escaped(part)
    assert (f.region.offset, f.region.length) == (start, len(escaped(part)))
    assert (f.region.start_line, f.region.start_column) == line_col(text, start)


# -- clean inputs ---------------------------------------------------------------

def test_clean_record_has_no_attachment_findings(tmp_path):
    p, _ = write(tmp_path, [base_record()])
    assert run(p)[0] == []


@needs_seeds()
def test_seed_has_no_attachment_findings_without_a_media_root():
    """The seed's original has size 0: without the file nobody can act on that, so FL512 stays silent (issue 16)."""
    r = run_cli("check", "--select", "FL5", "--format", "json", str(SEED_EXPORT))
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr
    assert '"size":0' in SEED_EXPORT.read_text(encoding="utf-8")


def test_size_zero_reported_with_the_real_size_only_under_a_media_root(tmp_path):
    media = tmp_path / "media"
    (media / "file/3/attach/202605").mkdir(parents=True)
    (media / ORIGINAL).write_bytes(b"x" * 48213)
    p, text = write_export_file(tmp_path, [record(size=0), record(size=48213)], pretty=True)
    r = run_cli("check", "--select", "FL512", "--format", "json", "--media-root", str(media), str(p))
    got = [(f["rule"], f["severity"], f["record"], f["record_pointer"], f["line"], f["column"], f["message"], f["evidence"]) for f in __import__("json").loads(r.stdout)]
    start = text.index('"size": 0') + len('"size": ')
    assert got == [("FL512", "note", 0, "/attaches/0/files/original/size", *line_col(text, start), "original file size is 0 in the export; the file under the media root has 48,213 bytes", "size=0")]
    assert r.returncode == 0  # a note does not fail the run
    silent = run_cli("check", "--select", "FL512", "--format", "json", str(p))  # no media root: size 0 alone is not reported
    assert silent.returncode == 0 and silent.stdout.strip() == "[]"
    (media / ORIGINAL).unlink()  # no file: FL513 reports it, FL512 cannot say more
    gone = run_cli("check", "--select", "FL512", "--format", "json", "--media-root", str(media), str(p))
    assert gone.stdout.strip() == "[]"


# -- token, ids, folder, portal ---------------------------------------------------

def test_token_mismatch_points_at_the_token_digits(tmp_path):
    bad = P.replace("2718281828", "2718281829") + "600_336.webp"
    p, text = write(tmp_path, [record({"600": bad})])
    [f] = run(p)[0]
    assert (f.rule_id, f.record_pointer, f.pointer) == ("FL502", "/attaches/0/sizes/600", "/0/0/attaches/0/sizes/600")
    assert "2718281829" in f.message and "2718281828" in f.message
    assert_inside(text, f, bad, "2718281829")


def test_token_mismatch_on_a_pretty_crlf_export(tmp_path):
    bad = P.replace("2718281828", "1718281828") + "900_504.webp"
    p, text = write(tmp_path, [base_record(), record({"900": bad})], crlf=True, layout="flat", pretty=True)
    [f] = run(p)[0]
    assert f.pointer == "/1/attaches/0/sizes/900" and f.region.start_line > 1
    start = text.index(bad) + bad.index("1718281828")  # pretty output has no \/ escapes
    assert (f.region.start_line, f.region.start_column) == line_col(text, start) and located(text, f) == "1718281828"


def test_attach_id_and_folder_mismatch_reference_is_the_original(tmp_path):
    other_id = "./cache/3/attach/202605/880002_2718281828_900_504.webp"
    other_month = "./cache/3/attach/202604/880001_2718281828_300_168.webp"
    p, text = write(tmp_path, [record({"900": other_id, "300": other_month})])
    found = {(f.rule_id, f.record_pointer): f for f in run(p)[0]}
    assert set(found) == {("FL503", "/attaches/0/sizes/900"), ("FL504", "/attaches/0/sizes/300")}
    assert_inside(text, found["FL503", "/attaches/0/sizes/900"], other_id, "880002")
    assert_inside(text, found["FL504", "/attaches/0/sizes/300"], other_month, "202604")


def test_original_disagreeing_with_every_rendition_is_the_one_reported(tmp_path):
    # the original is the reference, so all renditions are reported, never the original
    p, _ = write(tmp_path, [record(url="./file/3/attach/202605/990001_2718281828.jpg")])
    pointers = {f.record_pointer for f in run(p, "FL503")[0]}
    assert len(pointers) == 6 and "/attaches/0/files/original/url" not in pointers


def test_folder_that_is_not_a_month(tmp_path):
    bad = "./cache/3/attach/202613/880001_2718281828_150_84.webp"
    p, text = write(tmp_path, [record({"150": bad})])
    [f] = run(p, "FL504")[0]
    assert "not a year and month" in f.message
    assert_inside(text, f, bad, "202613")


def test_portal_mismatch_on_every_path(tmp_path):
    rec = base_record(portal_id=2)
    p, text = write(tmp_path, [rec])
    findings = run(p)[0]
    assert {f.rule_id for f in findings} == {"FL505"} and len(findings) == 7
    raw = escaped(P + "150_84.webp")
    start = text.index(raw) + len(".\\/cache\\/")
    assert (findings[0].region.offset, located(text, findings[0])) == (start, "3")


# -- sizes ------------------------------------------------------------------------

def test_key_above_original_width_capped_is_correct_and_upscale_is_reported(tmp_path):
    p, _ = write(tmp_path, [base_record()])  # 1200 -> _1000_560.jpg
    assert run(p, "FL506,FL507")[0] == []
    up = P + "1200_672.jpg"
    p, text = write(tmp_path, [record({"1200": up})])
    [f] = run(p)[0]
    assert f.rule_id == "FL506" and "upscaled" in f.message and "1000" in f.message
    raw = escaped(up)
    assert f.region.offset == text.index(raw) + raw.index("_1200_") + 1 and located(text, f) == "1200"


def test_rendition_narrower_than_its_key(tmp_path):
    bad = P + "400_224.webp"
    p, text = write(tmp_path, [record({"600": bad})])
    [f] = run(p)[0]
    assert f.rule_id == "FL506" and f.record_pointer == "/attaches/0/sizes/600" and "expected the key 600" in f.message
    raw = escaped(bad)
    at = text.index(raw, text.index('"600":'))  # the 400 key holds the same path earlier in the file
    assert f.region.offset == at + raw.index("_400_") + 1 and located(text, f) == "400"


@pytest.mark.parametrize("height", [83, 84, 85])
def test_height_rounding_within_one_pixel_is_fine(tmp_path, height):
    p, _ = write(tmp_path, [record({"150": P + f"150_{height}.webp"})])
    assert run(p)[0] == []


@pytest.mark.parametrize("height", [82, 86, 150])
def test_height_off_by_more_than_one_pixel(tmp_path, height):
    bad = P + f"150_{height}.webp"
    p, text = write(tmp_path, [record({"150": bad})])
    [f] = run(p)[0]
    assert f.rule_id == "FL507" and "expected height 84" in f.message
    raw = escaped(bad)
    assert f.region.offset == text.index(raw) + raw.index(f"_150_{height}") + 5 and located(text, f) == str(height)


def test_height_tolerance_option(tmp_path):
    p, _ = write(tmp_path, [record({"150": P + "150_86.webp"})])
    assert run(p, "FL507", {"rules": {"FL507": {"height-tolerance": 2}}})[0] == []


CROPS = {"rules": {"FL507": {"cropped-sizes": {"150": [150, 150], "square": [300, 300]}}}}


def test_hard_cropped_thumbnail_is_fine_when_configured(tmp_path):
    """A 150×150 crop of the 1000×560 original: reported by default, silent when the site declares the size a crop."""
    sizes = {"150": P + "150_150.webp", "square": P + "300_300.webp"}
    p, text = write(tmp_path, [record(sizes)])
    assert [(f.rule_id, f.record_pointer) for f in run(p, "FL507")[0]] == [("FL507", "/attaches/0/sizes/150"), ("FL507", "/attaches/0/sizes/square")]
    assert run(p, "FL507", CROPS)[0] == []


def test_crop_box_does_not_hide_a_wrong_height_outside_it(tmp_path):
    """The 600 rendition is no crop (not a listed size): its square height is still found, at its digits; so is a listed size larger than its box."""
    bad = P + "600_600.webp"
    p, text = write(tmp_path, [record({"150": P + "150_150.webp", "600": bad, "square": P + "400_400.webp"})])
    found = run(p, "FL507", CROPS)[0]
    assert [g.record_pointer for g in found] == ["/attaches/0/sizes/600", "/attaches/0/sizes/square"]
    f = found[0]
    assert f.record_pointer == "/attaches/0/sizes/600" and "expected height 336" in f.message
    raw = escaped(bad)
    start = text.index(raw) + raw.index("_600.webp") + 1
    assert (f.region.offset, located(text, f)) == (start, "600")
    assert (f.region.start_line, f.region.start_column) == line_col(text, start)


def test_a_crop_larger_than_the_original_is_still_reported(tmp_path):
    p, _ = write(tmp_path, [record({"square": P + "300_300.webp"}, width=280, height=157)])
    assert [f.record_pointer for f in run(p, "FL507", CROPS)[0]] == ["/attaches/0/sizes/square"]


def test_cropped_sizes_entries_must_be_strings(tmp_path):
    p, _ = write(tmp_path, [record({"150": P + "150_150.webp"})])
    r = run_cli("check", "--select", "FL507", "--config", str(_toml(tmp_path, "[rules.FL507]\ncropped-sizes = { thumbnail = 150 }\n")), str(p))
    assert r.returncode == 2 and "cropped-sizes" in r.stderr and "Traceback" not in r.stderr


def _toml(tmp_path: Path, text: str) -> Path:
    cfg = tmp_path / "feedlint.toml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


def test_portrait_original_and_small_original(tmp_path):
    sizes = {"150": P + "150_268.webp", "300": P + "300_536.webp", "400": P + "400_714.webp", "600": P + "560_1000.webp", "900": P + "560_1000.webp", "1200": P + "560_1000.jpg"}
    p, _ = write(tmp_path, [record(sizes, width=560, height=1000)])
    assert run(p)[0] == []


def test_non_image_attachments_are_not_size_checked(tmp_path):
    p, _ = write(tmp_path, [record({"600": P + "400_400.webp"}, file_media=2, width=0)])
    assert run(p, "FL506,FL507,FL511")[0] == []


def test_original_dimensions_and_size(tmp_path):
    p, text = write(tmp_path, [record(width=0, size=0)])
    found = {(f.rule_id, f.record_pointer): f for f in run(p, "FL511,FL512,FL506,FL507")[0]}
    assert set(found) == {("FL511", "/attaches/0/files/original/width")}  # size 0: FL512 needs the media root
    assert located(text, found["FL511", "/attaches/0/files/original/width"]) == "0"


# -- extensions ------------------------------------------------------------------------

def test_original_extension_must_equal_ext(tmp_path):
    bad = ORIGINAL.replace(".jpg", ".JPG")
    p, text = write(tmp_path, [record(url=bad)])
    [f] = run(p)[0]
    assert f.rule_id == "FL508" and "differs only in case" in f.message
    assert_inside(text, f, bad, "JPG")
    p, _ = write(tmp_path, [record(url=ORIGINAL.replace(".jpg", ".jpeg"), ext="jpeg")])
    assert run(p)[0] == []


def test_rendition_extension_allowed_set(tmp_path):
    bad = P + "300_168.bmp"
    p, text = write(tmp_path, [record({"300": bad, "150": P + "150_84.avif", "400": P + "400_224.PNG"})])
    [f] = run(p)[0]
    assert f.rule_id == "FL509" and f.record_pointer == "/attaches/0/sizes/300"
    assert_inside(text, f, bad, "bmp")
    p2, _ = write(tmp_path, [record({"300": bad})])
    assert run(p2, "FL509", {"rules": {"FL509": {"allowed-extensions": ["webp", "jpg", "bmp"]}}})[0] == []


# -- format and safety ---------------------------------------------------------------------

def test_path_not_following_the_template(tmp_path):
    bad = "./cache/3/attach/202605/880001-2718281828-600-336.webp"
    p, text = write(tmp_path, [record({"600": bad})])
    [f] = run(p)[0]
    assert f.rule_id == "FL501" and "template" in f.message
    assert f.region.offset == text.index(escaped(bad)) - 1  # the whole string value


@pytest.mark.parametrize(
    "path,marker",
    [
        ("./cache/3/attach/../../../../etc/passwd", ".."),
        ("./cache\\3\\attach\\x.webp", "\\\\"),
        ("./cache/3/attach/%2e%2e/%2e%2e/etc/passwd", "%2e"),
        ("file:///etc/passwd", "file:"),
        ("/etc/passwd", "/"),
        ("//evil.example/x.webp", "//"),
        ("C:/inetpub/x.webp", "C:"),
    ],
)
def test_unsafe_paths_reported_once_at_the_marker(tmp_path, path, marker):
    p, text = write(tmp_path, [record({"150": path})])
    findings = run(p)[0]
    unsafe = [f for f in findings if f.rule_id == "FL510"]
    assert len(unsafe) == 1 and unsafe[0].record_pointer == "/attaches/0/sizes/150"
    f = unsafe[0]
    assert f.severity == "error"
    raw = path.replace("\\", "\\\\").replace("/", "\\/")
    start = text.index(raw) + raw.index(escaped(marker) if marker != "\\\\" else marker)
    assert f.region.offset == start and (f.region.start_line, f.region.start_column) == line_col(text, start)
    if ".." in path or "\\" in path or "%2e" in path:
        assert "FL501" not in {x.rule_id for x in findings}  # traversal is reported by FL510 alone


def test_unsafe_rule_declares_security(tmp_path):
    r = CATALOGUE.find("FL510")
    assert r.security_severity == 5.0 and "security" in r.tags


@pytest.mark.parametrize("path", ["./cache/3/attach/202605/880001_2718281828_150_84.webp", "./cache/3/attach/202605/a..b_150_84.webp", "cache/3/attach/202605/x.webp"])
def test_safe_path_look_alikes(tmp_path, path):
    p, _ = write(tmp_path, [record({"150": path})])
    assert [f for f in run(p)[0] if f.rule_id == "FL510"] == []


def test_allowed_scheme_and_custom_templates_via_top_level_config(tmp_path):
    cdn = "https://cdn.example.org/3/202605/880001_2718281828_"
    sizes = {k: cdn + v.rsplit("_", 2)[-2] + "_" + v.rsplit("_", 1)[-1] for k, v in base_record()["attaches"][0]["sizes"].items()}
    rec = record(sizes, url="https://cdn.example.org/3/202605/880001_2718281828.jpg")
    p, _ = write(tmp_path, [rec])
    config = {
        "rendition-template": "https://cdn.example.org/{portal_id}/{yyyymm}/{attach_id}_{token}_{width}_{height}.{ext}",
        "original-template": "https://cdn.example.org/{portal_id}/{yyyymm}/{attach_id}_{token}.{ext}",
        "rules": {"FL510": {"allow-schemes": ["https"]}},
    }
    assert run(p, "FL5,FL307", config)[0] == []
    bad = dict(rec, portal_id=4)
    p, _ = write(tmp_path, [bad])
    assert {f.rule_id for f in run(p, "FL5", config)[0]} == {"FL505"}


def test_bad_template_is_a_setup_error(tmp_path):
    p, _ = write(tmp_path, [base_record()])
    findings, engine = run(p, "FL501", {"rendition-template": "./cache/{portal}/x.{ext}"})
    assert findings == [] and any("{portal}" in e for e in engine.setup_errors)


# -- media root ---------------------------------------------------------------------------

def materialise(root: Path, rec: dict) -> list[Path]:
    made = []
    att = rec["attaches"][0]
    for rel in [*att["sizes"].values(), att["files"]["original"]["url"]]:
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"x")
        made.append(f)
    return made


def test_media_root_all_files_present(tmp_path):
    root = tmp_path / "media"
    rec = base_record()
    materialise(root, rec)
    p, _ = write(tmp_path, [rec])
    assert run(p, "FL5", shared={"media-root": str(root)})[0] == []


def test_media_root_missing_file_directory_and_symlink_escape(tmp_path):
    root = tmp_path / "media"
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "passwd").write_text("do not read", encoding="utf-8")
    rec = base_record()
    files = materialise(root, rec)
    files[0].unlink()  # 150: missing
    files[1].unlink()
    files[1].mkdir()  # 300: a directory
    files[2].unlink()
    os.symlink(outside / "passwd", files[2])  # 400: a symlink leading outside the root
    files[3].unlink()
    os.symlink(files[4], files[3])  # 600: a symlink to a file inside the root: fine
    (root / "cache" / "3" / "attach" / "202605" / "escape").symlink_to(outside)
    rec["attaches"][0]["sizes"]["900"] = "./cache/3/attach/202605/escape/passwd"  # a directory symlink leading out
    rec["attaches"][0]["sizes"]["1200"] = "./cache/../../secret/passwd"  # `..` climbing out
    p, text = write(tmp_path, [rec])
    findings = run(p, "FL513,FL514", shared={"media-root": str(root)})[0]
    got = sorted((f.rule_id, f.record_pointer) for f in findings)
    assert got == [
        ("FL513", "/attaches/0/sizes/150"),
        ("FL513", "/attaches/0/sizes/300"),
        ("FL514", "/attaches/0/sizes/1200"),
        ("FL514", "/attaches/0/sizes/400"),
        ("FL514", "/attaches/0/sizes/900"),
    ]
    by = {f.record_pointer: f for f in findings}
    assert "symbolic link" in by["/attaches/0/sizes/400"].message and "not a regular file" in by["/attaches/0/sizes/300"].message
    assert by["/attaches/0/sizes/150"].region.offset == text.index(escaped(P + "150_84.webp")) - 1
    assert "resolves outside" in by["/attaches/0/sizes/1200"].message


def test_media_root_never_touches_files_outside(tmp_path):
    """A `..` path is judged lexically: a file outside that does not even exist is not probed."""
    root = tmp_path / "media"
    root.mkdir()
    rec = record({"150": "./../../../../../../nonexistent-outside/x.webp"})
    p, _ = write(tmp_path, [rec])
    findings = run(p, "FL513,FL514", shared={"media-root": str(root)})[0]
    assert [(f.rule_id, f.record_pointer) for f in findings if f.record_pointer.endswith("/150")] == [("FL514", "/attaches/0/sizes/150")]


def test_media_root_from_the_cli_and_config(tmp_path):
    root = tmp_path / "media"
    rec = base_record()
    materialise(root, rec)
    p, _ = write(tmp_path, [rec])
    r = run_cli("check", "--media-root", str(root), str(p))
    assert r.returncode == 0, r.stdout + r.stderr
    (root / ORIGINAL).unlink()
    r = run_cli("check", "--media-root", str(root), str(p))
    assert r.returncode == 1 and "FL513" in r.stdout and "/attaches/0/files/original/url" in r.stdout
    (tmp_path / "feedlint.toml").write_text('media-root = "media"\n', encoding="utf-8")
    r = run_cli("check", "export.json", cwd=tmp_path)
    assert r.returncode == 1 and "FL513" in r.stdout
    r = run_cli("check", "--media-root", str(tmp_path / "nope"), str(p))
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "media root is not a directory" in r.stderr


def test_span_after_emoji_and_persian_zwnj_in_earlier_fields(tmp_path):
    rec = record({"600": P.replace("2718281828", "2718281829") + "600_336.webp"})
    rec["content_title"] = "Rain \U0001F327 in Tehran: \u0628\u0627\u0631\u0627\u0646\u200c\u0647\u0627 AT&T R&D Q&A"
    rec["attach_title"] = rec["content_title"]
    p, text = write(tmp_path, [rec])
    [f] = run(p)[0]
    bad = P.replace("2718281828", "2718281829") + "600_336.webp"
    assert_inside(text, f, bad, "2718281829")
    astral_before = sum(1 for ch in text[: f.region.offset] if ord(ch) > 0xFFFF)
    assert astral_before == 2 and f.region.start_column16 == f.region.start_column + astral_before
