#!/usr/bin/env python3
"""Where the time goes per record: reading, each rule, locating findings (one process).

    python benchmarks/rules.py benchmarks/data/10k.json [--limit 2000] [--select ...] [--ignore ...]

Each rule's ``check`` is timed on every record (its hits listed, so lazy rules
pay in full), as are the dataset rules' per-record ``collect`` and the engine's
work to locate and stamp the hits.  Rules share derived values through
``record.memo`` (parsed dates, extracted HTML text): the first rule to ask pays,
so read the numbers of a family together.  CPU time, so a busy machine inflates
them less than wall time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("file")
    p.add_argument("--limit", type=int, default=2000, help="records to time (default 2000)")
    p.add_argument("--select", action="append")
    p.add_argument("--ignore", action="append")
    a = p.parse_args(argv)

    from feedlint.config import load_config
    from feedlint.model import Record
    from feedlint.planning import Choices, build_plan
    from feedlint.reader.sources import Source
    from feedlint.registry import load_catalogue

    plan = build_plan(load_catalogue(), load_config(None), Choices(select=a.select, ignore=a.ignore))
    rules = plan.for_file(a.file, "record", "cms")
    dataset = [x for x in plan.by_scope("dataset") if x.rule.collect is not None]
    clock = time.process_time
    cost: Counter = Counter()
    hits: Counter = Counter()
    read = locate = 0.0
    n = 0
    records = Source(a.file).records()
    while n < a.limit:
        t = clock()
        raw = next(records, None)
        read += clock() - t
        if raw is None:
            break
        n += 1
        rec = Record(raw.data, raw.kind, raw.index, raw.pointer, plan.roles)
        for act in rules:
            t = clock()
            found = list(act.rule.check(rec, act.options))
            t2 = clock()
            if found:  # no clock calls for the (usual) rule without hits: they cost more than nothing
                for h in found:
                    raw.region(h.pointer, h.span, h.on_key)
                locate += clock() - t2
            cost[act.rule.id] += t2 - t
            hits[act.rule.id] += len(found)
        for act in dataset:
            t = clock()
            act.rule.collect(rec, act.options)
            cost[f"{act.rule.id} (collect)"] += clock() - t
    if not n:
        print("no records", file=sys.stderr)
        return 1
    names = {x.rule.id: x.rule.name for x in rules + dataset}
    total = read + locate + sum(cost.values())
    print(f"{n} records, {total / n * 1e6:,.0f} µs/record in all ({n / total:,.0f} records/s on one core)\n")
    print("| what | µs/record | share | hits |")
    print("|---|---:|---:|---:|")
    print(f"| read + split + decode | {read / n * 1e6:,.1f} | {read / total:.1%} | |")
    print(f"| locate + stamp hits | {locate / n * 1e6:,.1f} | {locate / total:.1%} | |")
    for rid, s in cost.most_common():
        base = rid.split()[0]
        print(f"| {rid} {names.get(base, '')} | {s / n * 1e6:,.1f} | {s / total:.1%} | {hits.get(rid, '')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
