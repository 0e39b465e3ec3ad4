"""feedlint on the real public exports: findings per rule per dataset, and wall time.

    python benchmarks/realdata.py [--root DIR] [--jobs N] [--feedlint PATH] [--findings]

Runs the installed ``feedlint check --format sarif`` once per dataset file
found under DIR (default: $FEEDLINT_REALDATA, else /work/realdata), as a user
would, and prints one Markdown table row per file: the profile detection
picked, records checked, wall time and the findings per rule.  Datasets
(see docs/real-data.md for where each comes from), each optional:

* ``wordpress/{posts,media,pages}.json``  WordPress REST API v2 dumps, each file alone and the folder in
  one run (``wordpress/``: the dataset rules join posts to their media, FL607); ``wordpress-shop/``
  the same for the second round's dump
* ``ghost/*.json``, ``ghost2/*.json``      Ghost JSON exports (the second round: ``ghost2``)
* ``jsonfeed/*.json``, ``jsonfeed2/*.json`` JSON Feed files
* ``wordpress3/<site>/``, ``ghost3/*.json``, ``jsonfeed3/*.json``  the third round (each WordPress site
  in one run: the 2016 site's media are one file per item)
* ``readability/<page>/expected.html``     mozilla/readability's clean test pages, converted on
  the fly into one JSON Feed (benchmarks/readability_feed.py) in a temporary folder

``--findings`` also lists every finding (rule, record, pointer, message), for
judging them one by one.  The data is third-party text: it stays outside the
repository.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GLOBS = (("wordpress", "wordpress/*.json"), ("ghost", "ghost/*.json"), ("jsonfeed", "jsonfeed/*.json"),
         ("wordpress-shop", "wordpress-shop/*.json"), ("ghost2", "ghost2/*.json"), ("jsonfeed2", "jsonfeed2/*.json"),
         ("wordpress3", "wordpress3/*/"), ("ghost3", "ghost3/*.json"), ("jsonfeed3", "jsonfeed3/*.json"))
FOLDERS = ("wordpress", "wordpress-shop")  # also checked in one run: posts joined to their media (FL607)


def _readability_feed():
    spec = importlib.util.spec_from_file_location("readability_feed", HERE / "readability_feed.py")  # not via sys.path: benchmarks/rules.py
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def datasets(root: Path, scratch: Path) -> list[tuple[str, Path]]:
    """(dataset, file) for every dataset file present under ``root``; the readability pages written as a feed in ``scratch``."""
    found = [(name, path) for name, pattern in GLOBS for path in sorted(root.glob(pattern))]
    for folder in FOLDERS:
        if len(list(root.glob(f"{folder}/*.json"))) > 1:
            last = max(i for i, f in enumerate(found) if f[0] == folder)
            found.insert(last + 1, (folder, root / folder))  # one run: posts joined to media
    pages = root / "readability"
    if pages.is_dir():
        feed = scratch / "readability-feed.json"
        feed.write_text(json.dumps(_readability_feed().feed(pages), ensure_ascii=False, indent=1), encoding="utf-8")
        found.append(("readability", feed))
    return found


def detected_profile(path: Path) -> str:
    """The profile feedlint's detection picks for ``path`` ("-" when none fits; a folder: its files' profiles)."""
    from feedlint.profile import ProfileSet
    from feedlint.reader.sources import Source

    if path.is_dir():
        found = {detected_profile(p) for p in path.rglob("*.json")}
        return ", ".join(sorted(found - {"-"} or found))  # an empty file beside the site's others names no profile

    source = Source(str(path), profiles=ProfileSet.load([]))
    first = next(source.records(), None)
    if first is None:
        return "-"
    found = source.detect(first)
    return found.name if found is not None else "-"


def run(feedlint: str, path: Path, jobs: int) -> tuple[float, int, list[dict], str]:
    """Wall seconds, records checked, SARIF results and stderr of one ``feedlint check``."""
    start = time.perf_counter()
    proc = subprocess.run([feedlint, "check", "--format", "sarif", "--exit-zero", "--allow-no-records", "-j", str(jobs), str(path)], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"feedlint failed on {path} (exit {proc.returncode}): {proc.stderr.strip()}")
    sarif = json.loads(proc.stdout)["runs"][0]
    return wall, sarif["properties"]["records"], sarif["results"], proc.stderr


def measure(root: Path, feedlint: str, jobs: int) -> list[dict]:
    """One row per dataset file: dataset, file, profile, records, wall, counts per rule, results."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for dataset, path in datasets(root, Path(tmp)):
            wall, records, results, stderr = run(feedlint, path, jobs)
            counts = collections.Counter(r["ruleId"] for r in results)
            if "skipped" in stderr:
                counts["skipped"] = 1  # no profile fits: the file was not checked
            name = path.name if dataset == "readability" else str(path.relative_to(root)) + ("/ (one run)" if path.is_dir() else "")
            rows.append({"dataset": dataset, "file": name, "profile": detected_profile(path), "records": records, "wall": wall, "counts": dict(sorted(counts.items())), "results": results})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=os.environ.get("FEEDLINT_REALDATA", "/work/realdata"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--feedlint", default=shutil.which("feedlint", path=str(Path(sys.executable).parent)) or shutil.which("feedlint") or "feedlint")
    ap.add_argument("--findings", action="store_true", help="list every finding too")
    args = ap.parse_args()
    root = Path(args.root)
    if not root.is_dir():
        raise SystemExit(f"no real data at {root} (set FEEDLINT_REALDATA or --root)")
    print(f"load: {os.getloadavg()[0]:.2f} (1-minute average), -j {args.jobs}, {args.feedlint}\n")
    print("| dataset | file | profile | records | wall | findings per rule |")
    print("|---|---|---|---:|---:|---|")
    rows = measure(root, args.feedlint, args.jobs)
    for row in rows:
        per_rule = ", ".join(f"{rule} {n}" for rule, n in row["counts"].items()) or "none"
        print(f"| {row['dataset']} | {row['file']} | {row['profile']} | {row['records']} | {row['wall']:.2f} s | {per_rule} |")
    if args.findings:
        for row in rows:
            for r in row["results"]:
                loc = r["locations"][0]["physicalLocation"]["region"]
                uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                where = row["file"] if not row["file"].endswith("(one run)") else uri.rsplit("/", 1)[-1]
                print(f"[{row['file']}] {where}:{loc.get('startLine')}:{loc.get('startColumn')}: {r['ruleId']} {r['message']['text']}")


if __name__ == "__main__":
    main()
