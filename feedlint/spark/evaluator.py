"""The dataset stage's evaluator on Spark: the default suite's expectation kinds as DataFrame aggregations.

The same kinds as the plain evaluator (:mod:`feedlint.rules._pyeval`: unique,
compound unique, in set, not null, min/max between; no row condition), with
its semantics -- nulls ignored by unique/in-set, ``mostly`` over the rows
considered, min/max over non-null values, success decided by the same
functions (``mostly_ok``, ``between_ok``) -- on :class:`.facts.SparkFacts`:

* the row sets are DataFrames: ``records`` (JSON-object rows; the article key
  kept only on the first row of a (portal, id, key) triple, by a window) and
  ``attachments`` (one row per distinct token of a record, by ``posexplode``);
* an evaluate call is one aggregation grouped by export for its not-null,
  in-set and min/max entries, plus one ``groupBy`` of the key columns per
  unique entry (a group's size, never its members); runs' outcomes combine
  the exports';
* only failing outcomes' rows come to the driver, in one job per call: the
  members of duplicate groups (joined back to the groups with more than one
  row), the empty or unexpected values, the dates outside the bounds (else
  the ones holding the extreme).  Each outcome gets them as a driver-side
  extract (``Outcome.table``), which :func:`feedlint.rules._expect.outcome_hits`
  turns into hits exactly as on the local engine.

Linear in the rows: every step is a scan, a shuffle by key or a join of rows
to their (unique) group; nothing is quadratic in a group and no group's
members are gathered into one value.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping, Sequence

from ..dataset import Outcome
from .facts import SparkFacts
from .rowsets import ATTACHMENT_COLUMNS, pyspark_sql, domain_counts, row_set

UNSUPPORTED = "unsupported"
DIRECT = object()  # an entry with mostly 1 decided by its failing rows alone (one job fewer: no counts first)


# --------------------------------------------------------------------------- columns
def column(facts: SparkFacts, table: str, name: str) -> tuple[str | None, str | None]:
    """``(the row set's column, its kind)`` for a fact column of an entry; kind ``UNSUPPORTED``: not answered here."""
    if name == "_row":
        return None, UNSUPPORTED  # a local table's row number; here rows have ids
    if name in ("_file_index", "_record", "attach_index"):
        return name, "long"
    if table == "attachments":
        if name == "token":
            return name, "string"
        if name in ATTACHMENT_COLUMNS:
            return name, facts.kind(name)
        return None, UNSUPPORTED
    return facts.name(name), facts.kind(name)


def _columns(entry: Any) -> list[str]:
    kw = entry.kwargs
    return [kw["column"]] if "column" in kw else list(kw.get("column_list") or [])


# --------------------------------------------------------------------------- the evaluator
class SparkEvaluator:
    """:class:`feedlint.dataset.Evaluator` on a :class:`.facts.SparkFacts` (see the module's doc)."""

    name = "spark"

    def __init__(self, facts: SparkFacts) -> None:
        self.facts = facts

    def supports(self, entry: Any) -> bool:
        from feedlint.rules import _pyeval

        if not _pyeval.supports([entry]):
            return False
        kinds = [column(self.facts, entry.table, c)[1] for c in _columns(entry)]
        if UNSUPPORTED in kinds:
            return False
        if entry.type == _pyeval.IN_SET:
            return kinds[0] in ("string", "tagged", None)
        if entry.type in (_pyeval.MIN_BETWEEN, _pyeval.MAX_BETWEEN):
            return kinds[0] in ("timestamp", "long", "double", "bool", "string", None) or (kinds[0] == "tagged" and entry.table == "records")
        return True

    def evaluate(self, table: Any, entries: Sequence[Any], params: Mapping[str, Any]) -> list[Outcome]:
        from feedlint.rules import _pyeval
        from feedlint.rules._suite import expand, resolve

        facts = self.facts
        file_indexes = sorted(domain_counts(facts, "records"))
        resolved = [{k: resolve(v, params) for k, v in e.kwargs.items()} for e in entries]
        decided: dict[tuple[int, int | None], tuple[bool, dict[str, Any]]] = {}
        wanted: list[tuple[int, Any]] = []  # (entry number, the DataFrame of its failing rows)
        for name in ("records", "attachments"):
            mine = [n for n, e in enumerate(entries) if e.table == name]
            if mine:
                self._row_set(name, [(n, entries[n], resolved[n]) for n in mine], file_indexes, decided, wanted)
        rows = _collect([(n, per_file, frame) for n, per_file, frame in wanted])
        for (n, key), counts in list(decided.items()):
            if counts is DIRECT:  # decided by its rows: success is none
                found = len(rows.get((n, key), ()))
                decided[(n, key)] = (found == 0, _pyeval.unexpected_result(_domain_size(domain_counts(facts, entries[n].table), key), found))
        outcomes = []
        order = {id(e): n for n, e in enumerate(entries)}
        for entry, _, file_index in expand(entries, file_indexes):
            number = order[id(entry)]
            success, result = decided[(number, file_index)]
            extract, positions = None, None
            if not success:
                extract, positions = self._extract(entry, rows.get((number, file_index), []))
            outcomes.append(Outcome(entry, resolved[number], file_index, success, positions, result, None, self.name, extract))
        return outcomes

    # -- one row set's entries ---------------------------------------------------------
    def _row_set(self, name: str, entries: list[tuple[int, Any, dict]], file_indexes: list[int], decided: dict, wanted: list) -> None:
        from feedlint.rules import _pyeval

        facts = self.facts
        counts = domain_counts(facts, name)
        simple = [t for t in entries if t[1].type not in (_pyeval.UNIQUE, _pyeval.COMPOUND_UNIQUE)]
        if simple:
            self._simple(name, simple, counts, file_indexes, decided, wanted)
        for t in entries:
            if t[1].type in (_pyeval.UNIQUE, _pyeval.COMPOUND_UNIQUE):
                self._unique(name, t, counts, file_indexes, decided, wanted)

    def _simple(self, name: str, entries: list[tuple[int, Any, dict]], counts: dict[int, int], file_indexes: list[int], decided: dict, wanted: list) -> None:
        """Not-null, in-set and min/max entries: one aggregation by export, then each entry's failing rows."""
        from feedlint.rules import _pyeval

        F, _ = pyspark_sql()
        facts = self.facts
        used = sorted({c for _, e, _ in entries for c in _columns(e)})
        frame = row_set(facts, name, used)
        aggs = [F.count(F.lit(1)).alias("_n")]
        plans = {}
        for n, entry, kw in entries:
            col, kind = column(facts, name, _columns(entry)[0])
            value = F.col(col) if col is not None else F.lit(None)
            if entry.type == _pyeval.NOT_NULL:
                bad = value.isNull()
                aggs += [F.count(F.lit(1)).alias(f"n{n}"), F.sum(F.when(bad, 1).otherwise(0)).alias(f"b{n}")]
            elif entry.type == _pyeval.IN_SET:
                allowed = _allowed(kind, kw.get("value_set") or [])
                bad = value.isNotNull() & ~value.isin(allowed) if allowed else value.isNotNull()
                if _strict(kw):
                    plans[n] = (entry, kw, value, bad, None)
                    continue
                aggs += [F.count(value).alias(f"n{n}"), F.sum(F.when(bad, 1).otherwise(0)).alias(f"b{n}")]
            else:
                numeric = facts.numeric(_columns(entry)[0]) if name == "records" else None
                value = value if kind == "timestamp" else value.cast("double") if kind in ("long", "double") else F.col(numeric) if numeric else None
                bad = None
                if value is not None:
                    aggs += [F.min(value).alias(f"lo{n}"), F.max(value).alias(f"hi{n}")]
            plans[n] = (entry, kw, value, bad, _columns(entry)[0])
        per_file = {int(r["_file_index"]): r.asDict() for r in frame.groupBy("_file_index").agg(*aggs).collect()} if len(aggs) > 1 else {}
        for n, entry, kw in entries:
            entry, kw, value, bad, col_name = plans[n]
            if col_name is None:  # decided by its rows
                for key in _domains(entry, file_indexes):
                    decided[(n, key)] = DIRECT
                wanted.append((n, entry.feedlint.get("per") == "file", frame.filter(bad)))
                continue
            failing: dict[int | None, Any] = {}
            for key in _domains(entry, file_indexes):
                stats = _stats(per_file, key)
                if entry.type in (_pyeval.NOT_NULL, _pyeval.IN_SET):
                    considered, unexpected = int(stats.get(f"n{n}") or 0), int(stats.get(f"b{n}") or 0)
                    element_count = _domain_size(counts, key)
                    if entry.type == _pyeval.NOT_NULL:
                        considered = element_count
                    success = _pyeval.mostly_ok(considered, unexpected, float(kw.get("mostly", 1.0)))
                    decided[(n, key)] = (success, _pyeval.unexpected_result(element_count, unexpected))
                    if not success:
                        failing[key] = bad
                    continue
                lo_seen, hi_seen = stats.get(f"lo{n}"), stats.get(f"hi{n}")
                observed = lo_seen if entry.type == _pyeval.MIN_BETWEEN else hi_seen
                if observed is None:
                    decided[(n, key)] = (False, {"observed_value": None})
                    continue
                success = _pyeval.between_ok(col_name, observed, kw)
                decided[(n, key)] = (success, {"observed_value": observed})
                if not success:
                    lo, hi = _pyeval.bounds(col_name, kw)
                    outside = (lo is not None and lo_seen < lo) or (hi is not None and hi_seen > hi)
                    if outside:
                        cond = F.lit(False)
                        if lo is not None:
                            cond = cond | (value < _literal(lo))
                        if hi is not None:
                            cond = cond | (value > _literal(hi))
                    else:
                        cond = value == _literal(observed)
                    failing[key] = cond
            for key, cond in failing.items():
                rows = frame.filter(cond) if key is None else frame.filter((F.col("_file_index") == key) & cond)
                wanted.append((n, key is not None, rows))

    def _unique(self, name: str, item: tuple[int, Any, dict], counts: dict[int, int], file_indexes: list[int], decided: dict, wanted: list) -> None:
        """A (compound) unique entry: group sizes by key (and export), then the rows of the groups of more than one."""
        from feedlint.rules import _pyeval

        F, _ = pyspark_sql()
        n, entry, kw = item
        facts = self.facts
        names = _columns(entry)
        frame = row_set(facts, name, names)
        cols = []
        for i, c in enumerate(names):
            col = column(facts, name, c)[0]
            frame = frame.withColumn(f"_u{i}", F.col(col) if col is not None else F.lit(None))
            cols.append(f"_u{i}")
        ignore = "any_value_is_missing" if entry.type == _pyeval.UNIQUE else kw.get("ignore_row_if", "never")
        missing = [F.col(c).isNull() for c in cols]
        if ignore == "any_value_is_missing":
            frame = frame.filter(~functools.reduce(lambda a, b: a | b, missing))
        elif ignore == "all_values_are_missing":
            frame = frame.filter(~functools.reduce(lambda a, b: a & b, missing))
        per_file = entry.feedlint.get("per") == "file"
        by = ["_file_index"] if per_file else []
        groups = frame.groupBy(*by, *cols).agg(F.count(F.lit(1)).alias("_n"))
        if _strict(kw):
            failing = list(_domains(entry, file_indexes))
            for key in failing:
                decided[(n, key)] = DIRECT
        else:
            failing = self._unique_counts(n, entry, kw, groups, per_file, counts, file_indexes, decided)
        if not failing:
            return
        dups = groups.filter(F.col("_n") > 1)
        if per_file and not _strict(kw):
            dups = dups.filter(F.col("_file_index").isin(failing))
        keys = [*by, *cols]
        dups = dups.select(*[F.col(k).alias(f"_k{i}") for i, k in enumerate(keys)])
        joined = frame.join(dups, functools.reduce(lambda a, b: a & b, [frame[k].eqNullSafe(dups[f"_k{i}"]) for i, k in enumerate(keys)]))
        wanted.append((n, per_file, joined))

    def _unique_counts(self, n: int, entry: Any, kw: dict, groups: Any, per_file: bool, counts: dict[int, int], file_indexes: list[int], decided: dict) -> list[int | None]:
        """A unique entry with ``mostly`` below 1: the rows considered and duplicated, per domain; the failing domains."""
        from feedlint.rules import _pyeval

        F, _ = pyspark_sql()
        sums = groups.groupBy("_file_index" if per_file else F.lit(0).alias("_file_index")).agg(
            F.sum("_n").alias("considered"), F.sum(F.when(F.col("_n") > 1, F.col("_n")).otherwise(0)).alias("bad"))
        stats = {int(r["_file_index"]): r.asDict() for r in sums.collect()}
        failing = []
        for key in _domains(entry, file_indexes):
            row = stats.get(0 if key is None else key, {})
            considered, unexpected = int(row.get("considered") or 0), int(row.get("bad") or 0)
            success = _pyeval.mostly_ok(considered, unexpected, float(kw.get("mostly", 1.0)))
            decided[(n, key)] = (success, _pyeval.unexpected_result(_domain_size(counts, key), unexpected))
            if not success:
                failing.append(key)
        return failing

    # -- rows on the driver --------------------------------------------------------------
    def _extract(self, entry: Any, rows: list[Any]) -> tuple[Any, list[int] | None]:
        """The failing rows as a driver-side table, and their positions in its row set (None for min/max: found from the bounds)."""
        from feedlint.rules import _pyeval
        from feedlint.rules._facts_rows import row_sets

        by_id = {}
        for r in rows:
            by_id.setdefault(r[1], r[1:5])
        extract = self.facts.extract(by_id.values())
        if entry.type in (_pyeval.MIN_BETWEEN, _pyeval.MAX_BETWEEN):
            return extract, None
        if entry.table == "records":
            return extract, list(range(len(extract)))
        place = {row_id: p for p, row_id in enumerate(extract.ids)}
        wanted = {(place[r[1]], int(r[5])) for r in rows}
        sets = row_sets(extract)["attachments"]
        return extract, [p for p in range(len(sets)) if (sets.table_row(p), sets.get(p, "attach_index")) in wanted]


def _allowed(kind: str | None, values: Sequence[Any]) -> list[Any]:
    """An in-set entry's values as its column holds them: a string column's strings (no other value equals one), a mixed column's tags."""
    if kind == "tagged":
        from .factrows import tag

        return [t for t in (tag(v) for v in values) if t is not None]
    return [v for v in values if isinstance(v, str)]


def _strict(kw: dict) -> bool:
    return float(kw.get("mostly", 1.0)) >= 1.0


def _domains(entry: Any, file_indexes: list[int]) -> list[int | None]:
    return list(file_indexes) if entry.feedlint.get("per") == "file" else [None]


def _domain_size(counts: dict[int, int], key: int | None) -> int:
    return sum(counts.values()) if key is None else counts.get(key, 0)


def _stats(per_file: dict[int, dict], key: int | None) -> dict[str, Any]:
    """An export's aggregates, or the run's: counts added, extremes of the exports' extremes."""
    if key is not None:
        return per_file.get(key, {})
    out: dict[str, Any] = {}
    for stats in per_file.values():
        for name, value in stats.items():
            if value is None or name == "_file_index":
                continue
            if name.startswith("lo"):
                out[name] = value if out.get(name) is None else min(out[name], value)
            elif name.startswith("hi"):
                out[name] = value if out.get(name) is None else max(out[name], value)
            else:
                out[name] = out.get(name, 0) + value
    return out


def _literal(value: Any) -> Any:
    """A bound or extreme as a Spark literal of its column's type (a date without a time zone, or a double)."""
    import datetime as dt

    F, _ = pyspark_sql()
    if isinstance(value, dt.datetime):
        return F.lit(value.isoformat(sep=" ")).cast("timestamp_ntz")
    return F.lit(float(value))


def _collect(wanted: list[tuple[int, bool, Any]]) -> dict[tuple[int, int | None], list[Any]]:
    """Every failing outcome's rows in one Spark job: ``(entry, export or None) -> [(entry, _row, _file_index, _record, _blob, attach_index)]``.

    ``wanted``: ``(entry number, per export, DataFrame of its failing rows)``.
    """
    if not wanted:
        return {}
    F, _ = pyspark_sql()
    parts = []
    for n, per_file, frame in wanted:
        index = F.col("attach_index") if "attach_index" in frame.columns else F.lit(None).cast("long")
        domain = F.col("_file_index") if per_file else F.lit(-1).cast("long")
        parts.append(frame.select(F.lit(n).alias("_e"), "_row", "_file_index", "_record", "_blob", index.alias("attach_index"), domain.alias("_d")))
    out: dict[tuple[int, int | None], list[Any]] = {}
    for row in functools.reduce(lambda a, b: a.unionByName(b), parts).collect():
        key = None if row[6] == -1 else int(row[6])
        out.setdefault((int(row[0]), key), []).append(tuple(row[:6]))
    return out
