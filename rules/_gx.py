"""Run expectation suites on the fact table with Great Expectations (GX) and map results to rows.

GX is imported here, lazily, only when a dataset rule actually has something to
validate: importing it costs about 2 s.  A run of a single record skips GX when
every expectation is one of a few simple kinds (see :func:`_evaluate_tiny`):
with one row no uniqueness can fail, and the other kinds reduce to comparing
one value.  ``--data-docs`` always goes through GX.

Both paths produce the same :class:`Outcome` values, and one mapper turns a
failed outcome into hits on the offending fact-table rows:

* column-map expectations (unique, in set, not null, ...): the rows of GX's
  ``unexpected_index_list`` (the frames have a RangeIndex, so labels are
  positions);
* ``expect_column_min/max_to_be_between``: the rows whose value lies outside
  the bounds, else the rows holding the observed extreme;
* any other aggregate: the first row of the expectation's domain (a whole-run
  or whole-export finding on its first record).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import string
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from feedlint.api import DatasetHit, SetupError
from feedlint.facts import FactTable

from ._suite import Entry

DATE_COLUMNS = ("date_start", "date_register", "date_last_edit")
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
ATTACHMENT_COLUMNS = ("_row", "_file_index", "portal_id", "content_id", "attach_index", "token")
UNIQUE_TYPES = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique", "expect_select_column_values_to_be_unique_within_record")
BETWEEN_TYPES = ("expect_column_min_to_be_between", "expect_column_max_to_be_between")
TINY_TYPES = {*UNIQUE_TYPES[:2], "expect_column_values_to_be_in_set", "expect_column_values_to_not_be_null", *BETWEEN_TYPES}
MAX_OTHERS = 3
SITE = "feedlint"


@dataclass
class Outcome:
    """One evaluated expectation (per export when the entry says ``per: file``)."""

    entry: Entry
    kwargs: dict[str, Any]  # parameters substituted
    file_index: int | None
    success: bool
    rows: list[int] | None = None  # frame positions of unexpected rows (column-map expectations)
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    frame: Any = None  # the DataFrame GX validated (None on the no-GX path: positions are table rows)


# --------------------------------------------------------------------------- frames
def _series(values: list[Any]):
    import pandas as pd

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.array(values, dtype="Int64")
    return pd.Series(values, dtype=object)


def object_rows(table: FactTable) -> list[int]:
    """Fact-table rows of real records (JSON objects); a stray string or number in an export is FL101's."""
    return table.memo("fl6:object-rows", lambda: [i for i, v in enumerate(table.column("is_object")) if v])


def frames(table: FactTable) -> dict[str, Any]:
    """``records`` (one row per record) and ``attachments`` (one row per distinct token per record).

    Both have a RangeIndex (GX's unexpected_index_list then holds positions) and
    a ``_row`` column mapping a position back to the fact-table row.
    """

    def build() -> dict[str, Any]:
        import pandas as pd

        rows = object_rows(table)
        data = {name: _series([values[i] for i in rows]) for name, values in table.columns.items()}
        data["_row"] = rows
        data["_file_index"] = [table.refs[i].file_index for i in rows]
        data["_record"] = [table.refs[i].record_index for i in rows]
        records = pd.DataFrame(data)
        for col in DATE_COLUMNS:
            if col in records:
                records[col] = pd.to_datetime(records[col], format="%Y-%m-%d %H:%M:%S", errors="coerce")
        if {"article_key", "content_id", "portal_id"} <= set(records.columns):
            # the same article twice under the SAME id is a duplicate id (FL601), not a duplicate article
            repeat = records.duplicated(["portal_id", "content_id", "article_key"]) & records["article_key"].notna()
            records.loc[repeat, "article_key"] = None
        return {"records": records, "attachments": pd.DataFrame(_attachment_rows(table), columns=list(ATTACHMENT_COLUMNS))}

    return table.memo("fl6:frames", build)


def _attachment_rows(table: FactTable) -> list[tuple[Any, ...]]:
    tokens = table.column("attach_tokens")
    portals = table.column("portal_id")
    ids = table.column("content_id")
    rows = []
    for row, joined in enumerate(tokens):
        if not joined:
            continue
        seen = set()
        for part in joined.split("|"):
            index, _, token = part.partition(":")
            if token in seen:
                continue  # the same token twice inside one record is not a reuse across records
            seen.add(token)
            rows.append((row, table.refs[row].file_index, portals[row], ids[row], int(index), token))
    return rows


# --------------------------------------------------------------------------- parameters
def _resolve(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, dict) and set(value) == {"$PARAMETER"}:
        name = value["$PARAMETER"]
        if name not in params:
            raise SetupError(f"unknown $PARAMETER {name!r} (known: {', '.join(sorted(params))})")
        return params[name]
    return value


def _resolved_kwargs(entry: Entry, params: dict[str, Any]) -> dict[str, Any]:
    return {k: _resolve(v, params) for k, v in entry.kwargs.items()}


def _columns_of(entry: Entry) -> list[str]:
    kw = entry.kwargs
    cols = [kw["column"]] if isinstance(kw.get("column"), str) else []
    for key in ("column_list", "column_A", "column_B"):
        val = kw.get(key)
        if isinstance(val, list):
            cols.extend(c for c in val if isinstance(c, str))
        elif isinstance(val, str):
            cols.append(val)
    return cols


def _check_columns(entries: Sequence[Entry], available: dict[str, set[str]]) -> None:
    for entry in entries:
        have = available[entry.table]
        missing = [c for c in _columns_of(entry) if c not in have]
        if missing:
            shown = ", ".join(sorted(c for c in have if not c.startswith("_")))
            raise SetupError(f"{entry.where}: column {missing[0]!r} is not in the {entry.table} fact table (columns: {shown})")


# --------------------------------------------------------------------------- tiny path (no GX)
def _parse_date(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


def _comparable(column: str, value: Any) -> Any:
    if column in DATE_COLUMNS:
        return _parse_date(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def can_skip_gx(table: FactTable, entries: Sequence[Entry], docs_dir: str) -> bool:
    return (
        len(object_rows(table)) < 2
        and not docs_dir
        and all(e.type in TINY_TYPES and "row_condition" not in e.kwargs and e.table in ("records", "attachments") for e in entries)
    )


def _evaluate_tiny(table: FactTable, entries: Sequence[Entry], params: dict[str, Any]) -> list[Outcome]:
    """The same outcomes GX gives for a one-row table, for the simple expectation kinds only."""
    out = []
    rows = object_rows(table)
    for entry in entries:
        kw = _resolved_kwargs(entry, params)
        if entry.type in UNIQUE_TYPES or not rows:
            out.append(Outcome(entry, kw, None, True))
            continue
        row = rows[0]
        column = kw["column"]
        value = table.column(column)[row] if entry.table == "records" else None
        if isinstance(value, float) and math.isnan(value):
            value = None
        mostly = float(kw.get("mostly", 1.0))
        if entry.type == "expect_column_values_to_not_be_null":
            bad = value is None
            out.append(Outcome(entry, kw, None, not bad or mostly <= 0, [row] if bad else [], {"element_count": 1, "unexpected_count": int(bad)}))
        elif entry.type == "expect_column_values_to_be_in_set":
            bad = value is not None and value not in list(kw.get("value_set") or [])
            out.append(Outcome(entry, kw, None, not bad or mostly <= 0, [row] if bad else [], {"element_count": 1, "unexpected_count": int(bad)}))
        else:  # min/max between: with one row, min == max == the value
            v = _comparable(column, value)
            if v is None:
                out.append(Outcome(entry, kw, None, True))
                continue
            lo, hi = _comparable(column, kw.get("min_value")), _comparable(column, kw.get("max_value"))
            ok = (lo is None or (v > lo if kw.get("strict_min") else v >= lo)) and (hi is None or (v < hi if kw.get("strict_max") else v <= hi))
            per_file = table.refs[row].file_index if entry.feedlint.get("per") == "file" else None
            out.append(Outcome(entry, kw, per_file, ok, None, {"observed_value": value}))
    return out


# --------------------------------------------------------------------------- GX path
def _quiet_gx() -> None:
    """GX logs a lot at import and prints tracebacks via logging.lastResort; keep feedlint's streams clean."""
    log = logging.getLogger("great_expectations")
    log.setLevel(logging.CRITICAL)
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())
    log.propagate = False
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


class _Context:
    """One ephemeral GX context per run: in-memory stores, no progress bars, only our docs site."""

    def __init__(self, docs_dir: str) -> None:
        _quiet_gx()
        import great_expectations as gx
        from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig

        sites = {}
        if docs_dir:
            sites[SITE] = {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": os.path.abspath(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),  # no temporary docs site under /tmp
            data_docs_sites=sites,
            progress_bars=ProgressBarsConfig(globally=False),
            analytics_enabled=False,
        )
        self.gx = gx
        self.docs_dir = docs_dir
        self.ctx = gx.get_context(mode="ephemeral", project_config=config)
        self.runs = 0
        source = self.ctx.data_sources.add_pandas(name="feedlint")
        self.batches = {name: source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(name="whole") for name in ("records", "attachments")}

    def build(self, entries: Sequence[tuple[Entry, dict[str, Any], int | None]]) -> list[Any]:
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        built, errors = [], []
        for n, (entry, kwargs, file_index) in enumerate(entries):
            meta = dict(entry.meta)
            meta["feedlint_run"] = {"n": n, "file": file_index}
            try:
                built.append(ExpectationConfiguration(**{**entry.gx_dict(), "kwargs": kwargs, "meta": meta}).to_domain_obj())
            except Exception as exc:  # noqa: BLE001 - ExpectationNotFoundError, pydantic errors: all user-facing
                errors.append(f"{entry.where}: {type(exc).__name__}: {' '.join(str(exc).split())}")
        if errors:
            raise SetupError("invalid expectation(s): " + "; ".join(errors))
        return built

    def run(self, suite_name: str, table_name: str, frame: Any, expectations: list[Any], params: dict[str, Any]) -> Any:
        gx = self.gx
        self.runs += 1
        name = f"{suite_name}-{table_name}" + (f"-{self.runs}" if self.ctx.suites.all() and any(s.name == f"{suite_name}-{table_name}" for s in self.ctx.suites.all()) else "")
        suite = self.ctx.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
        vd = self.ctx.validation_definitions.add(gx.ValidationDefinition(name=name, data=self.batches[table_name], suite=suite))
        return vd.run(batch_parameters={"dataframe": frame}, expectation_parameters=params, result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False})

    def write_docs(self) -> None:
        if self.docs_dir:
            self.ctx.build_data_docs(site_names=[SITE])


def _exception(er: Any) -> str | None:
    info = er.exception_info or {}
    if info.get("raised_exception"):
        return info.get("exception_message") or "failed"
    msgs = [v.get("exception_message") for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    return "; ".join(m for m in msgs if m) or None


def _expand(entries: Sequence[Entry], file_indexes: list[int]) -> list[tuple[Entry, dict[str, Any], int | None]]:
    """Entries with ``per: file`` become one expectation per export (a pandas row_condition)."""
    out: list[tuple[Entry, dict[str, Any], int | None]] = []
    for entry in entries:
        if entry.feedlint.get("per") != "file":
            out.append((entry, dict(entry.kwargs), None))
            continue
        from great_expectations.expectations.row_conditions import Column

        for k in file_indexes:
            kw = dict(entry.kwargs)
            if kw.get("row_condition"):  # the user's own (string) condition, narrowed to this export
                kw.update(row_condition=f"({kw['row_condition']}) and _file_index == {k}", condition_parser=kw.get("condition_parser", "pandas"))
            else:
                kw["row_condition"] = Column("_file_index") == k
            out.append((entry, kw, k))
    return out


def _evaluate_gx(table: FactTable, entries: Sequence[Entry], params: dict[str, Any], docs_dir: str, suite_name: str) -> list[Outcome]:
    context = table.memo(f"fl6:gx:{docs_dir}", lambda: _Context(docs_dir))
    tables = frames(table)
    file_indexes = sorted({r.file_index for r in table.refs})
    outcomes: list[Outcome] = []
    for table_name in ("records", "attachments"):
        mine = [e for e in entries if e.table == table_name]
        if not mine:
            continue
        expanded = _expand(mine, file_indexes)
        res = context.run(suite_name, table_name, tables[table_name], context.build(expanded), params)
        for er in res.results:
            cfg = er.expectation_config
            n = cfg.meta["feedlint_run"]["n"]
            entry, _, file_index = expanded[n]
            result = dict(er.result or {})
            rows = result.get("unexpected_index_list")
            outcomes.append(Outcome(entry, dict(cfg.kwargs), file_index, bool(er.success), list(rows) if rows is not None else None, result, _exception(er), tables[table_name]))
    context.write_docs()
    return outcomes


# --------------------------------------------------------------------------- public entry
def evaluate(table: FactTable, entries: Sequence[Entry], params: dict[str, Any], docs_dir: str = "", suite_name: str = "feedlint", force_gx: bool = False) -> list[Outcome]:
    if not entries or not object_rows(table):
        return []
    available = {
        "records": set(table.columns) | {"_row", "_file_index", "_record"},
        "attachments": set(ATTACHMENT_COLUMNS),
    }
    _check_columns(entries, available)
    if not force_gx and can_skip_gx(table, entries, docs_dir):
        return _evaluate_tiny(table, entries, params)
    return _evaluate_gx(table, entries, params, docs_dir, suite_name)


# --------------------------------------------------------------------------- outcomes -> hits
class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return str(value)
    return str(value)


def _is_null(value: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False
    except ImportError:  # pragma: no cover
        return value is None


def _location(table: FactTable, row: int) -> str:
    ref = table.refs[row]
    where = f"{table.files[ref.file_index]} record {ref.record_index}"
    return where + (f" (content_id {_show(ref.content_id)})" if ref.content_id is not None else "")


def _domain_rows(table: FactTable, outcome: Outcome, frame: Any) -> list[int]:
    positions = list(range(len(frame))) if frame is not None else object_rows(table)
    if outcome.file_index is not None and frame is not None:
        positions = [p for p, k in enumerate(frame["_file_index"]) if k == outcome.file_index]
    cond = outcome.entry.kwargs.get("row_condition")
    if cond and frame is not None:
        try:
            keep = set(frame.query(cond, engine="python").index)
            positions = [p for p in positions if p in keep]
        except Exception:  # noqa: BLE001 - GX accepted it; if pandas does not, fall back to the whole domain
            pass
    return positions


def _between_rows(table: FactTable, outcome: Outcome, frame: Any, column: str) -> list[int]:
    """Rows of a failed min/max expectation: outside the bounds, else holding the observed extreme."""
    kw = outcome.kwargs
    lo, hi = _comparable(column, _plain(kw.get("min_value"))), _comparable(column, _plain(kw.get("max_value")))
    observed = _comparable(column, _plain(outcome.result.get("observed_value")))
    domain = _domain_rows(table, outcome, frame)
    if outcome.entry.table == "records":
        values = table.column(column)
        value_at = (lambda p: values[p]) if frame is None else (lambda p: values[int(frame["_row"].iat[p])])
    else:
        value_at = lambda p: _plain(frame[column].iat[p])  # noqa: E731
    outside, extreme = [], []
    for p in domain:
        v = _comparable(column, value_at(p))
        if v is None:
            continue
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            outside.append(p)
        elif observed is not None and v == observed:
            extreme.append(p)
    return outside or extreme or domain[:1]


def _plain(value: Any) -> Any:
    """numpy/pandas scalars to plain Python values (GX results keep numpy types)."""
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value


def _default_pointer(column: str) -> str:
    """Where a column's finding goes: its field (``len_content_body`` -> ``/content_body``), else the record."""
    if column in COLUMN_POINTERS:
        return COLUMN_POINTERS[column]
    if column.startswith("len_"):
        return "/" + column[4:]
    if column and not column.startswith("_"):
        return "/" + column
    return ""


def _field_name(pointer: str, column: str) -> str:
    last = pointer.rsplit("/", 1)[-1]
    return last if last and "{" not in pointer else (column[4:] if column.startswith("len_") else column)


def _show_bound(column: str, value: Any) -> str:
    """A bound the same way on both paths (GX hands back parsed datetimes and floats)."""
    parsed = _comparable(column, _plain(value))
    if isinstance(parsed, dt.datetime):
        return parsed.isoformat(sep=" ")
    return _show(_plain(value))


def _relation(entry: Entry, column: str, value: Any, kw: dict[str, Any]) -> str:
    if entry.type not in BETWEEN_TYPES:
        return ""
    v = _comparable(column, value)
    lo, hi = _comparable(column, _plain(kw.get("min_value"))), _comparable(column, _plain(kw.get("max_value")))
    if v is not None and lo is not None and v < lo:
        return "earlier than " + _show_bound(column, kw.get("min_value"))
    if v is not None and hi is not None and v > hi:
        return "later than " + _show_bound(column, kw.get("max_value"))
    return "the " + ("earliest" if entry.type == "expect_column_min_to_be_between" else "latest") + " value, out of range"


def _default_message(entry: Entry, column: str, kinds: str) -> str:
    if entry.type in UNIQUE_TYPES:
        return "{column} {value} is shared by {count} records in this run; also at {others}"
    if entry.type == "expect_column_values_to_be_in_set":
        return "{column} {value} is not in the expected set {value_set}"
    if entry.type == "expect_column_values_to_not_be_null":
        return "{field} is empty or missing in {unexpected_count} of {element_count} records ({filled} filled; expected at least {mostly})"
    if entry.type in BETWEEN_TYPES:
        return "{field} {value} is {relation} (" + kinds + " values must lie within {min_value} .. {max_value})"
    return "{expectation} failed on {column} {value} (observed {observed})"


def outcome_hits(table: FactTable, outcomes: Sequence[Outcome]) -> Iterator[DatasetHit]:
    """Failed outcomes as hits on the offending fact-table rows.

    A record whose date fails both the min and the max expectation of one
    column (the only dated record of an export) is reported once.
    """
    seen: set[tuple[int, str]] = set()
    for outcome in outcomes:
        if outcome.error:
            raise SetupError(f"{outcome.entry.where}: could not be evaluated: {outcome.error}")
        if outcome.success:
            continue
        entry = outcome.entry
        frame = outcome.frame
        cols = _columns_of(entry)
        column = cols[0] if cols else ""
        if entry.type in BETWEEN_TYPES:
            if _is_null(outcome.result.get("observed_value")):
                continue  # no dated record in the domain: missing dates are other rules' business
            positions = _between_rows(table, outcome, frame, column)
        elif outcome.rows is not None:
            positions = outcome.rows
        else:
            positions = _domain_rows(table, outcome, frame)[:1]
        for hit in _hits_for(table, outcome, frame, positions, cols):
            if entry.type in BETWEEN_TYPES:
                if (hit.row, hit.pointer) in seen:
                    continue
                seen.add((hit.row, hit.pointer))
            yield hit


def _hits_for(table: FactTable, outcome: Outcome, frame: Any, positions: list[int], cols: list[str]) -> Iterator[DatasetHit]:
    entry, kw, result = outcome.entry, outcome.kwargs, outcome.result
    column = cols[0] if cols else ""
    value_cols = [c for c in cols if c != "portal_id"] or cols
    fl = entry.feedlint
    scope = "this export's" if outcome.file_index is not None else "the run's"
    template = fl.get("message") or _default_message(entry, column, scope)
    pointer_t = fl.get("pointer") or _default_pointer(value_cols[0] if value_cols else "")

    def row_of(p: int) -> int:
        return int(frame["_row"].iat[p]) if frame is not None and "_row" in frame else p

    def row_facts(p: int) -> dict[str, Any]:
        r = row_of(p)
        facts = {name: values[r] for name, values in table.columns.items()}
        if frame is not None and entry.table != "records":
            facts.update({c: _plain(frame[c].iat[p]) for c in frame.columns})
        return facts

    groups: dict[Any, list[int]] = {}
    if entry.type in UNIQUE_TYPES:
        for p in positions:
            key = tuple(_show(row_facts(p).get(c)) for c in cols)
            groups.setdefault(key, []).append(p)
    element_count = result.get("element_count") or 0
    unexpected_count = result.get("unexpected_count") or 0
    filled = f"{(element_count - unexpected_count) / element_count:.0%}" if element_count else "n/a"
    for p in positions:
        facts = row_facts(p)
        row = row_of(p)
        value = facts.get(value_cols[0]) if value_cols else None
        fields = _Fields({k: _show(v) for k, v in facts.items()})
        fields.update(
            field=_field_name(pointer_t, column),
            relation=_relation(entry, column, value, kw),
            column=column,
            value=_show(value),
            expectation=entry.type,
            file=table.files[table.refs[row].file_index],
            observed=_show(_plain(result.get("observed_value"))),
            element_count=str(element_count),
            unexpected_count=str(unexpected_count),
            filled=filled,
            mostly=f"{float(kw.get('mostly', 1.0)):.0%}",
            min_value=_show_bound(column, kw.get("min_value")),
            max_value=_show_bound(column, kw.get("max_value")),
            value_set=_show(list(kw.get("value_set") or [])),
        )
        if groups:
            key = tuple(_show(facts.get(c)) for c in cols)
            members = groups.get(key, [p])
            others = [_location(table, row_of(q)) for q in members if q != p]
            shown = ", ".join(others[:MAX_OTHERS]) + (f" and {len(others) - MAX_OTHERS} more" if len(others) > MAX_OTHERS else "")
            fields.update(count=str(len(members)), others=shown or "-")
        try:
            message = string.Formatter().vformat(template, (), fields)
            pointer = string.Formatter().vformat(pointer_t, (), fields)
        except (ValueError, IndexError, AttributeError):
            message, pointer = template, pointer_t
        evidence = f"range-{column}:{_show(value)}" if entry.type in BETWEEN_TYPES else f"{entry.key or entry.type}:{_show(value)}"
        yield DatasetHit(row, pointer, message, evidence)
