"""Evaluate a rule's expectations on the fact table and turn failures into hits on records.

Who evaluates (docs/dataset.md "When GX runs"):

* the run's evaluator (:class:`._pyeval.PlainEvaluator`, or the one the
  dataset stage was given) every entry it supports: every entry of the
  default suite, so the built-in rules have one implementation;
* Great Expectations (GX, :class:`GxEvaluator`) the other entries of your own
  suites (other kinds, row conditions); with ``--data-docs`` GX also
  validates every entry to draw its pages (findings still come from above).

Failed expectations map to rows:

* column-map kinds (unique, in set, not null, ...): the rows GX lists in
  ``unexpected_index_list`` (positions, thanks to the RangeIndex);
* ``expect_column_min/max_to_be_between`` (aggregates, no row list): the rows
  whose value lies outside the bounds, else the rows holding the observed
  extreme;
* any other aggregate: the first row of its domain (a whole-run finding, or a
  whole-export one for ``per: file`` entries, on that first record).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from contextlib import contextmanager
from dataclasses import replace
from itertools import islice
from typing import Any, Callable, Iterator, Mapping, Sequence

from feedlint.api import DatasetHit, SetupError
from feedlint.dataset import Evaluator, Outcome, current_evaluator
from feedlint.facts import FactTable
from feedlint.fields import id_name

from . import _pyeval
from ._facts_rows import Rows, available_columns, comparable, data_value, frame, frames, has_records, is_null, row_sets
from ._suite import Entry, expand

COLUMN_POINTERS = {
    "content_id": "/content_id",
    "portal_id": "/portal_id",
    "lang_id": "/lang_id",
    "date_start": "/content_date_start",
    "date_register": "/content_date_register",
    "date_last_edit": "/content_date_last_edit",
    "article_key": "/content_title",
    "attach_tokens": "/attaches",
    "token": "/attaches/{attach_index}/token",
}
UNIQUE_TYPES = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
BETWEEN_TYPES = ("expect_column_min_to_be_between", "expect_column_max_to_be_between")
COLUMN_KINDS = ("expect_column_", "expect_compound_columns_", "expect_multicolumn_", "expect_select_column_")  # they see only the columns they name
MAX_OTHERS = 3
RAW_FIELDS = ("attach_index", "token", "id_pointer")  # columns a template gets as they are, not quoted: pointer templates /attaches/{attach_index}/token, {id_pointer}
RELATED_MAX = 100  # default cap of a grouped finding's related places (FL606's option related-max)
INSTALL_HINT = "install the optional Great Expectations extra: pip install 'feedlint[dataset]'"


# --------------------------------------------------------------------------- evaluation
def _columns_of(kwargs: dict[str, Any]) -> list[str]:
    cols = [kwargs["column"]] if isinstance(kwargs.get("column"), str) else []
    for key in ("column_list", "column_A", "column_B"):
        val = kwargs.get(key)
        if isinstance(val, list):
            cols.extend(c for c in val if isinstance(c, str))
        elif isinstance(val, str):
            cols.append(val)
    return cols


def _check_columns(entries: Sequence[Entry], table: FactTable) -> None:
    available = available_columns(table)
    for entry in entries:
        have = available[entry.table]
        missing = [c for c in _columns_of(entry.kwargs) if c not in have]
        if missing:
            shown = ", ".join(sorted(c for c in have if not c.startswith("_")))
            raise SetupError(f"{entry.where}: column {missing[0]!r} is not in the {entry.table} fact table (columns: {shown})")


class GxEvaluator:
    """:class:`feedlint.dataset.Evaluator` by Great Expectations: any kind, and Data Docs pages (``docs_dir``)."""

    name = "gx"

    def supports(self, entry: Entry) -> bool:
        return True

    def evaluate(self, table: FactTable, entries: Sequence[Entry], params: Mapping[str, Any], docs_dir: str = "", suite_name: str = "feedlint") -> list[Outcome]:
        """Outcomes in entry order (GX answers out of order), a per-file entry's by file index."""
        order = {id(e): n for n, e in enumerate(entries)}
        outcomes = _evaluate_gx(table, entries, dict(params), docs_dir, suite_name)
        return sorted(outcomes, key=lambda o: (order[id(o.entry)], -1 if o.file_index is None else o.file_index))


GX = GxEvaluator()


def _evaluate_gx(table: FactTable, entries: Sequence[Entry], params: dict[str, Any], docs_dir: str, suite_name: str) -> list[Outcome]:
    from . import _gx

    spark = _spark_for(table, entries)

    def new_context() -> Any:
        release_memory()  # what the record checks left behind, before GX and pandas move in
        return _gx.Context(docs_dir, spark)

    context = table.memo(f"fl6:gx:{docs_dir}:{'spark' if spark is not None else 'pandas'}", new_context)
    file_indexes = sorted(set(row_sets(table)["records"].columns["_file_index"]))
    outcomes: list[Outcome] = []
    for table_name in ("records", "attachments"):
        mine = [e for e in entries if e.table == table_name]
        if not mine:
            continue
        expanded = expand(mine, file_indexes, _gx.file_condition)
        columns = _frame_columns(mine)
        if spark is not None:
            data = _spark_frame(spark, table, table_name, columns)
        else:
            data = frames(table)[table_name] if columns is None else frame(table, table_name, columns)
        results = context.validate(suite_name, table_name, data, expanded, params)
        del data  # a rule's own frame goes now; the next rule makes its own
        for n, er in results:
            entry, _, file_index = expanded[n]
            result = dict(er.result or {})
            rows = result.get("unexpected_index_list")
            if rows is not None:  # positions (pandas' RangeIndex), or {"_pos": p, ...} (Spark), in order
                rows = sorted(int(r["_pos"]) if isinstance(r, dict) else int(r) for r in rows)
            kwargs = dict(er.expectation_config.kwargs)
            outcomes.append(Outcome(entry, kwargs, file_index, bool(er.success), rows, result, _gx.exception_message(er)))
    context.write_docs()
    return outcomes


def _spark_for(table: FactTable, entries: Sequence[Entry]) -> Any:
    """The Spark session GX validates on (a Spark run whose GX has Spark support), else None: pandas.

    Row conditions written as strings are pandas syntax (feedlint adds
    ``and _file_index == k`` for ``per: file``): such suites stay on pandas.
    """
    spark = getattr(table, "spark", None)
    if spark is None or any(isinstance(e.kwargs.get("row_condition"), str) for e in entries):
        return None
    from . import _gx

    return spark if _gx.spark_support() else None


def _spark_frame(spark: Any, table: FactTable, table_name: str, columns: set[str] | None) -> Any:
    from feedlint.spark.frames import spark_frame

    rows = row_sets(table)[table_name]
    names = [c for c in rows.columns if columns is None or c in columns]
    return spark_frame(spark, {name: rows.data(name) for name in names}, len(rows))


def _frame_columns(entries: Sequence[Entry]) -> set[str] | None:
    """The columns GX needs for ``entries``: the ones they name (None: every column).

    Only for column expectations without a row condition; a table-level
    expectation (column count, column names) or a condition string may look at
    any column, and gets the whole table as before.
    """
    names = {"_file_index"}  # per-file entries are conditioned on it
    for entry in entries:
        if not entry.type.startswith(COLUMN_KINDS) or "row_condition" in entry.kwargs:
            return None
        names.update(_columns_of(entry.kwargs))
    return names


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc), so the peak stays low."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc (or no C library to load): nothing to trim
        pass


@contextmanager
def collector_paused(plain: bool) -> Iterator[None]:
    """The cycle collector off while the plain evaluator alone answers a rule (``plain``) and its hits are made.

    They make columns of the table's length (a tuple a row, lists of 10,000
    cells) and next to no cycles: the collector's fifty-odd young passes over
    them found nothing and cost 4-8 ms of a 70 ms dataset stage (10,000
    records).  Great Expectations makes garbage in cycles, and another
    evaluator's (Spark's) is not ours to judge: with them (not ``plain``) the
    collector stays as it is.  It is left as it was found.
    """
    if not plain or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def needs_gx(entries: Sequence[Entry], docs_dir: str = "") -> bool:
    """Whether GX will run: Data Docs, or an entry of a kind the plain evaluator does not know."""
    return bool(docs_dir) or not _pyeval.supports(entries)


def evaluate(table: FactTable, entries: Sequence[Entry], params: Mapping[str, Any], docs_dir: str = "", suite_name: str = "feedlint", evaluator: Evaluator | None = None) -> list[Outcome]:
    """Outcomes of ``entries`` on ``table``, in entry order.

    ``evaluator`` (default: the dataset stage's, else the plain one) answers
    every entry it supports; GX the others.  With ``docs_dir`` GX validates
    every entry to draw its Data Docs pages; the findings of the supported
    entries still come from ``evaluator``, so a run's findings do not depend
    on whether pages are drawn.
    """
    if not entries or not has_records(table):
        return []
    _check_columns(entries, table)
    evaluator = evaluator or current_evaluator() or _pyeval.PLAIN
    mine = [e for e in entries if evaluator.supports(e)]
    others = [e for e in entries if not evaluator.supports(e)]
    outcomes = evaluator.evaluate(table, mine, params) if mine else []
    if others or docs_dir:
        from . import _gx

        if not _gx.available():
            raise SetupError(f"{'--data-docs' if docs_dir else others[0].where} needs Great Expectations: {INSTALL_HINT}")
        local = table.local()  # GX validates rows the driver has (on Spark too: feedlint.spark.frames)
        drawn = GX.evaluate(local, entries if docs_dir else others, params, docs_dir, suite_name)
        if local is not table:
            for outcome in drawn:
                outcome.table = local
        if others:
            theirs = {id(e) for e in others}
            order = {id(e): n for n, e in enumerate(entries)}
            outcomes = sorted([*outcomes, *(o for o in drawn if id(o.entry) in theirs)], key=lambda o: (order[id(o.entry)], -1 if o.file_index is None else o.file_index))
    return outcomes


# --------------------------------------------------------------------------- outcomes -> hits
class _Fields(dict):
    """Template fields of one row: the named ones set, any fact-table column looked up only when a template uses it."""

    def __init__(self, rows: Rows, p: int) -> None:
        super().__init__()
        self._rows, self._p = rows, p

    def __missing__(self, key: str) -> str:
        if key in self._rows.columns:
            return _show(self._rows.get(self._p, key))
        return "{" + key + "}"


def _row_fields(rows: Rows, p: int, same: dict[str, str]) -> _Fields:
    """Row ``p``'s template fields: the group's ``same`` ones, and :data:`RAW_FIELDS` as they are (for pointer templates)."""
    fields = _Fields(rows, p)
    fields.update(same)
    for name in RAW_FIELDS:
        if name in rows.columns:
            fields[name] = str(rows.get(p, name))
    return fields


def _plain(value: Any) -> Any:
    """numpy/pandas scalars as plain Python values (GX results keep numpy types)."""
    if value is None or is_null(value):
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value


def _show(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _show_bound(column: str, value: Any) -> str:
    """A bound shown the same way on both engines (GX hands back parsed datetimes and floats)."""
    parsed = comparable(column, _plain(value))
    if isinstance(parsed, dt.datetime):
        return parsed.isoformat(sep=" ")
    return _show(value)


def _location(table: FactTable, row: int) -> str:
    """``file record 3 (content_id 418667)``; a profile's record names its identity as its export does (``id 5700``)."""
    ref = table.refs[row]
    where = f"{table.files[ref.file_index]} record {ref.record_index}"
    if ref.content_id is None:
        return where
    pointers = table.columns.get("id_pointer")  # a profile record's id member (null on the CMS export)
    at = pointers[row] if pointers is not None else None
    return where + f" ({id_name(at or '')} {_show(ref.content_id)})"


def _domain(table: FactTable, outcome: Outcome, rows: Rows) -> list[int]:
    positions = list(rows.positions(outcome.file_index))
    cond = outcome.entry.kwargs.get("row_condition")
    if cond and isinstance(cond, str) and outcome.engine == "gx":
        try:
            keep = set(frames(table)[outcome.entry.table].query(cond, engine="python").index)
            positions = [p for p in positions if p in keep]
        except Exception:  # noqa: BLE001 - GX accepted it; if pandas does not, keep the whole domain
            pass
    return positions


def _between_rows(table: FactTable, outcome: Outcome, rows: Rows, column: str) -> list[int]:
    """Rows of a failed min/max expectation: outside the bounds, else holding the observed extreme."""
    kw = outcome.kwargs
    lo, hi = comparable(column, _plain(kw.get("min_value"))), comparable(column, _plain(kw.get("max_value")))
    observed = comparable(column, _plain(outcome.result.get("observed_value")))
    domain = _domain(table, outcome, rows)
    outside, extreme = [], []
    cells = rows.data(column)
    for p in domain:
        v = comparable(column, cells[p])
        if v is None:
            continue
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            outside.append(p)
        elif observed is not None and v == observed:
            extreme.append(p)
    return outside or extreme or domain[:1]


def _default_pointer(column: str) -> str:
    """Where a column's finding goes: its field (``has_content_body`` -> ``/content_body``), else the record."""
    if column in COLUMN_POINTERS:
        return COLUMN_POINTERS[column]
    if column.startswith("has_"):
        return "/" + column[4:]
    if column and not column.startswith("_"):
        return "/" + column
    return ""


def _field_name(pointer: str, column: str) -> str:
    last = pointer.rsplit("/", 1)[-1]
    return last if last and "{" not in pointer else (column[4:] if column.startswith("has_") else column)


def _relation(entry: Entry, column: str, value: Any, kw: dict[str, Any]) -> str:
    if entry.type not in BETWEEN_TYPES:
        return ""
    v = comparable(column, data_value(column, value))
    lo, hi = comparable(column, _plain(kw.get("min_value"))), comparable(column, _plain(kw.get("max_value")))
    if v is not None and lo is not None and v < lo:
        return "earlier than " + _show_bound(column, kw.get("min_value"))
    if v is not None and hi is not None and v > hi:
        return "later than " + _show_bound(column, kw.get("max_value"))
    return "the " + ("earliest" if entry.type == "expect_column_min_to_be_between" else "latest") + " value, out of range"


def _default_message(entry: Entry, scope: str, per_row: bool) -> str:
    if entry.type in UNIQUE_TYPES:
        return "{column} {value} is shared by {count} records in this run; also at {others}"
    if entry.type == "expect_column_values_to_be_in_set":
        return "{column} {value} is not in the expected set {value_set}"
    if entry.type == "expect_column_values_to_not_be_null":
        return "{field} is empty or missing in {unexpected_count} of {element_count} records ({filled} filled; expected at least {mostly})"
    if entry.type in BETWEEN_TYPES:
        return "{field} {value} is {relation} (" + scope + " values must lie within {min_value} .. {max_value})"
    if per_row:
        return "{column} {value} fails {expectation}"
    return "{expectation} failed on {column} (observed {observed}; reported on the first record of " + ("this export" if scope == "this export's" else "the run") + ")"


def outcome_hits(table: Any, outcomes: Sequence[Outcome], related_max: int = RELATED_MAX) -> Iterator[DatasetHit]:
    """Failed outcomes as hits on the offending fact-table rows.

    An outcome's rows are those of ``outcome.table`` when it has one (an
    evaluator's driver-side extract of a table kept elsewhere), else of
    ``table``; each hit names its row of ``table`` (``FactTable.row_id``).  A
    record whose date fails both the min and the max expectation of one
    column (the only dated record of an export) is reported once.  A unique
    entry with ``meta.feedlint.report: "group"`` gives one hit per group, at
    its first member in file order, naming up to ``related_max`` others as
    related places.
    """
    seen: set[tuple[int, str]] = set()
    for outcome in outcomes:
        if outcome.error:
            raise SetupError(f"{outcome.entry.where}: could not be evaluated: {outcome.error}")
        if outcome.success:
            continue
        here = outcome.table if outcome.table is not None else table
        entry = outcome.entry
        rows = row_sets(here)[entry.table]
        cols = _columns_of(entry.kwargs)
        if entry.type in BETWEEN_TYPES:
            if _plain(outcome.result.get("observed_value")) is None:
                continue  # no dated record in the domain: missing dates are other rules' business
            positions = _between_rows(here, outcome, rows, cols[0])
        elif outcome.rows is not None:
            positions = outcome.rows
        else:
            positions = _domain(here, outcome, rows)[:1]
        for hit in _hits_for(here, outcome, rows, positions, cols, related_max):
            if here is not table:
                hit = replace(hit, row=here.row_id(hit.row), related=tuple((here.row_id(r), ptr) for r, ptr in hit.related))
            if entry.type in BETWEEN_TYPES:
                if (hit.row, hit.pointer) in seen:
                    continue
                seen.add((hit.row, hit.pointer))
            yield hit


def _others(table: FactTable, rows: Rows, members: list[int], p: int, heads: dict[int, list[tuple[int, str]]] | None = None) -> str:
    """The other members of ``p``'s group as the message names them: the first MAX_OTHERS, then "and N more".

    Only the group's first MAX_OTHERS + 1 members are ever named (p may be one
    of them), so they are located once per group (``heads``, keyed by the
    members list's id): a group of k records costs O(k) in all, not O(k²).
    """
    head = heads.get(id(members)) if heads is not None else None
    if head is None:
        head = [(q, _location(table, rows.table_row(q))) for q in members[: MAX_OTHERS + 1]]
        if heads is not None:
            heads[id(members)] = head
    shown = [where for q, where in head if q != p][:MAX_OTHERS]
    if len(shown) < MAX_OTHERS and len(members) > len(head):  # p listed twice: name the next ones too
        shown = [_location(table, rows.table_row(q)) for q in islice((q for q in members if q != p), MAX_OTHERS)]
    more = len(members) - 1 - MAX_OTHERS  # p is always one of its group's members
    return (", ".join(shown) + (f" and {more} more" if more > 0 else "")) or "-"


def _hits_for(table: FactTable, outcome: Outcome, rows: Rows, positions: list[int], cols: list[str], related_max: int = RELATED_MAX) -> Iterator[DatasetHit]:
    entry, kw, result = outcome.entry, outcome.kwargs, outcome.result
    column = cols[0] if cols else ""
    value_cols = [c for c in cols if c != "portal_id"] or cols
    fl = entry.feedlint
    template = fl.get("message") or _default_message(entry, "this export's" if outcome.file_index is not None else "the run's", outcome.rows is not None)
    pointer_t = fl.get("pointer") or _default_pointer(value_cols[0] if value_cols else "")
    groups: dict[tuple[Any, ...], list[int]] = {}
    group_of: dict[int, list[int]] = {}  # position -> its group's members (the key made once per position)
    heads: dict[int, list[tuple[int, str]]] = {}  # see _others
    if entry.type in UNIQUE_TYPES:
        for p, key in zip(positions, zip(*(_shown(rows, c, positions) for c in cols))):
            group_of[p] = groups.setdefault(key, [])
            group_of[p].append(p)
    grouped = bool(groups) and fl.get("report") == "group"  # one hit per group, at its first member; the others related
    if grouped:
        order = _file_order(table, rows)
        for members in groups.values():
            members.sort(key=order)
    element_count = int(result.get("element_count") or 0)
    unexpected_count = int(result.get("unexpected_count") or 0)
    filled = f"{(element_count - unexpected_count) / element_count:.0%}" if element_count else "n/a"
    same = {  # the fields every hit of this outcome shares, made once
        "column": column,
        "field": _field_name(pointer_t, column),
        "expectation": entry.type,
        "observed": _show(result.get("observed_value")),
        "element_count": str(element_count),
        "unexpected_count": str(unexpected_count),
        "filled": filled,
        "mostly": f"{float(kw.get('mostly', 1.0)):.0%}",
        "min_value": _show_bound(column, kw.get("min_value")),
        "max_value": _show_bound(column, kw.get("max_value")),
        "value_set": _show(list(kw.get("value_set") or [])),
    }
    file_indexes = table.refs.file_indexes()
    for p in positions:
        if grouped and group_of[p][0] != p:
            continue  # named by its group's finding (related), not reported on its own
        row = rows.table_row(p)
        value = rows.get(p, value_cols[0]) if value_cols else None
        fields = _row_fields(rows, p, same)
        fields.update(value=_show(value), relation=_relation(entry, column, value, kw), file=table.files[file_indexes[row]])
        if groups:
            members = group_of.get(p) or [p]
            fields.update(count=str(len(members)), others=_others(table, rows, members, p, heads))
        try:
            message = template.format_map(fields)
            pointer = pointer_t.format_map(fields)
        except (ValueError, IndexError, AttributeError, KeyError):
            message, pointer = template, pointer_t
        evidence = f"range-{column}:{_show(value)}" if entry.type in BETWEEN_TYPES else f"{entry.key or entry.type}:{_show(value)}"
        related = _related(rows, group_of[p], pointer_t, same, related_max) if grouped else ()
        yield DatasetHit(row, pointer, message, evidence, related)


def _file_order(table: FactTable, rows: Rows) -> Callable[[int], tuple[int, int, int]]:
    """The sort key of a position: where its record sits in the run (file, record, attachment).

    A group's members in file order whatever order the evaluator gave; read
    from the table's packed arrays (a group of 10,000 members makes no
    :class:`RowRef`).
    """
    files, records, at = table.refs.file_indexes(), table.refs.record_indexes(), rows.columns["_row"]
    attach = rows.columns.get("attach_index")

    def order(p: int) -> tuple[int, int, int]:
        row = at[p]
        return files[row], records[row], int((attach[p] if attach is not None else 0) or 0)

    return order


def _shown(rows: Rows, column: str, positions: Sequence[int]) -> list[str]:
    """:func:`_show` of ``column``'s cell at each position, each distinct str or number shown once (a group may be 10,000 rows of one token)."""
    cells = rows.cells(column)
    if cells is None:
        return [_show(None)] * len(positions)
    memo: dict[tuple[type, Any], str] = {}
    out = []
    for p in positions:
        value = cells[p]
        if type(value) not in (str, int, float):
            out.append(_show(value))
            continue
        key = (type(value), value)
        shown = memo.get(key)
        if shown is None:
            shown = memo[key] = _show(value)
        out.append(shown)
    return out


def _related(rows: Rows, members: list[int], pointer_t: str, same: dict[str, str], cap: int) -> tuple[tuple[int, str], ...]:
    """``(row, pointer)`` of a group's other members, the first ``cap`` in file order (only those are ever located)."""
    out = []
    for q in members[1 : 1 + max(0, cap)]:
        fields = _row_fields(rows, q, same)
        try:
            pointer = pointer_t.format_map(fields)
        except (ValueError, IndexError, AttributeError, KeyError):
            pointer = pointer_t
        out.append((rows.table_row(q), pointer))
    return tuple(out)
