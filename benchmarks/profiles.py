"""Reading records under a pointer stays streaming and linear: a Ghost-shaped export against the same records as a flat array.

    python benchmarks/profiles.py [--records N] [--dir DIR]

Writes two files of N invented posts (default 20,000, about 40 MB each) -- a
Ghost export ``{"db":[{"meta":…,"data":{"tags":[…],"posts":[…],"users":[…]}}]}``
and a flat array of the same posts -- and times the reader over each in a
fresh process, with its peak memory.  The document layout should cost about
what the array does per record, and memory should stay near the reader's
window plus one record, not the file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

POST = {
    "id": "",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "title": "Harbour ferry returns after a long winter",
    "slug": "harbour-ferry-returns",
    "html": "<p>" + "The harbour ferry sails again from Monday, with three crossings a day. " * 20 + "</p>",
    "plaintext": "The harbour ferry sails again from Monday, with three crossings a day. " * 20,
    "feature_image": "__GHOST_URL__/content/images/2020/01/ferry.jpg",
    "status": "published",
    "created_at": "2020-01-10T08:00:00.000Z",
    "updated_at": "2020-01-11T09:00:00.000Z",
    "published_at": "2020-01-10T12:00:00.000Z",
}

READ = """
import os, resource, sys, time
from feedlint.reader.jsonstream import JsonRecordReader
from feedlint.ranges.cut import FileRange
fd = os.open(sys.argv[1], os.O_RDONLY)
t = time.perf_counter()
reader = JsonRecordReader(FileRange(fd, 0, "bench", 1 << 20), pointers=("/db/*/data/posts/*", "/data/posts/*"))
n = sum(1 for _ in reader.records())
print(n, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def write(directory: str, records: int) -> tuple[str, str]:
    posts = []
    for i in range(records):
        post = dict(POST)
        post["id"] = f"{i:024x}"
        posts.append(post)
    doc = os.path.join(directory, "ghost.json")
    flat = os.path.join(directory, "flat.json")
    with open(doc, "w") as f:
        json.dump({"db": [{"meta": {"version": "5.0"}, "data": {"tags": [{"id": str(i)} for i in range(1000)], "posts": posts, "users": [{"id": "1"}]}}]}, f, separators=(",", ":"))
    with open(flat, "w") as f:
        json.dump(posts, f, separators=(",", ":"))
    return doc, flat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--dir")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        doc, flat = write(tmp, args.records)
        print("| file | MB | records | read (best of 3) | records/s | peak RSS |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, path in (("flat array", flat), ("Ghost document", doc)):
            runs = [subprocess.run([sys.executable, "-c", READ, path], capture_output=True, text=True, check=True).stdout.split() for _ in range(3)]
            n, best, rss = int(runs[0][0]), min(float(r[1]) for r in runs), max(int(r[2]) for r in runs)
            size = os.path.getsize(path) / 1e6
            print(f"| {name} | {size:.0f} | {n:,} | {best:.2f} s | {n / best:,.0f} | {rss} MB |")


if __name__ == "__main__":
    main()
