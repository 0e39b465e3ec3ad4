"""The fact rows' and the dataset stage's fast paths give what the cell-by-cell code they replaced gave.

Each is compared with a plain reference on random tables holding what breaks a
shortcut: nulls, NaN, 1 / 1.0 / True (equal, shown differently), unparsable
dates, rows missing a fact, per-export domains.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from types import SimpleNamespace

import pytest

from feedlint.checker import RecordCheck, _collect
from feedlint.effects import Effects
from feedlint.facts import FactTable, RowRef, TextColumn
from feedlint.rules import _expect, _facts_rows, _pyeval
from feedlint.rules._facts_rows import Rows, comparable, data_value
from feedlint.rules._suite import Entry

_CELLS = [None, None, 1, 1.0, True, 2, "1", "a", "a", "b", float("nan"), "2026-05-12 09:14:05", "1999-01-01 00:00:00", "2026-02-30 00:00:00", "12/05/2026"]


def _reference(entry, kwargs, rows, domain):
    """The plain evaluator as it was: every cell read and converted one at a time."""
    mostly = float(kwargs.get("mostly", 1.0))
    if entry.type in (_pyeval.UNIQUE, _pyeval.COMPOUND_UNIQUE):
        cols = [kwargs["column"]] if entry.type == _pyeval.UNIQUE else list(kwargs["column_list"])
        ignore = "any_value_is_missing" if entry.type == _pyeval.UNIQUE else kwargs.get("ignore_row_if", "never")
        keys = {}
        for p in domain:
            values = tuple(data_value(c, rows.get(p, c)) for c in cols)
            missing = [v is None for v in values]
            if (ignore == "any_value_is_missing" and any(missing)) or (ignore == "all_values_are_missing" and all(missing)):
                continue
            keys[p] = values
        counts = Counter(keys.values())
        bad = [p for p, k in keys.items() if counts[k] > 1]
        considered = len(keys)
    elif entry.type in (_pyeval.IN_SET, _pyeval.NOT_NULL):
        column = kwargs["column"]
        values = {p: data_value(column, rows.get(p, column)) for p in domain}
        if entry.type == _pyeval.NOT_NULL:
            bad = [p for p, v in values.items() if v is None]
            considered = len(values)
        else:
            allowed = list(kwargs.get("value_set") or [])
            present = {p: v for p, v in values.items() if v is not None}
            bad = [p for p, v in present.items() if v not in allowed]
            considered = len(present)
    else:
        column = kwargs["column"]
        values = [comparable(column, data_value(column, rows.get(p, column))) for p in domain]
        values = [v for v in values if v is not None]
        if not values:
            return False, None, {"observed_value": None}
        observed = min(values) if entry.type == _pyeval.MIN_BETWEEN else max(values)
        return _pyeval.between_ok(column, observed, kwargs), None, {"observed_value": observed}
    return _pyeval.mostly_ok(considered, len(bad), mostly), bad, _pyeval.unexpected_result(len(domain), len(bad))


def _rows(rng: random.Random, n: int) -> Rows:
    pick = lambda: rng.choice(_CELLS[: rng.randint(3, len(_CELLS))])  # noqa: E731 - some columns with few distinct values
    columns = {name: [pick() for _ in range(n)] for name in ("a", "b", "c", "date_start")}
    columns["date_start"] = [rng.choice([None, "2026-05-12 09:14:05", "1999-01-01 00:00:00", "2026-02-30 00:00:00", "x", dt.datetime(2020, 1, 1)]) for _ in range(n)]
    columns.update(_row=range(n), _file_index=[rng.randint(0, 2) for _ in range(n)])
    return Rows(columns)


_KWARGS = [
    (_pyeval.UNIQUE, {"column": "a"}),
    (_pyeval.UNIQUE, {"column": "missing"}),
    (_pyeval.COMPOUND_UNIQUE, {"column_list": ["a", "b"], "ignore_row_if": "any_value_is_missing"}),
    (_pyeval.COMPOUND_UNIQUE, {"column_list": ["a", "b", "c"], "ignore_row_if": "all_values_are_missing"}),
    (_pyeval.COMPOUND_UNIQUE, {"column_list": ["b", "date_start"], "ignore_row_if": "never"}),
    (_pyeval.IN_SET, {"column": "a", "value_set": ["a", 1]}),
    (_pyeval.NOT_NULL, {"column": "b", "mostly": 0.5}),
    (_pyeval.NOT_NULL, {"column": "date_start"}),
    (_pyeval.MIN_BETWEEN, {"column": "date_start", "min_value": "2000-01-01", "max_value": "2030-01-01 00:00:00"}),
    (_pyeval.MAX_BETWEEN, {"column": "date_start", "min_value": "2000-01-01"}),
    (_pyeval.MAX_BETWEEN, {"column": "c", "max_value": 1.5}),
]


@pytest.mark.parametrize("kind, kwargs", _KWARGS)
def test_plain_evaluator_reads_columns_whole_as_it_read_cells(kind, kwargs):
    rng = random.Random(f"{kind} {sorted(kwargs.items())}")
    entry = Entry(type=kind, kwargs=kwargs, meta={}, source="test", index=0)
    for _ in range(60):
        rows = _rows(rng, rng.randint(0, 40))
        for file_index in (None, 0, 1, 2):
            domain = list(rows.positions(file_index))
            assert _pyeval.evaluate(entry, kwargs, rows, domain) == _reference(entry, kwargs, rows, domain), (kwargs, file_index)


def test_group_keys_and_file_order_are_the_cell_by_cell_ones():
    rng = random.Random(5)
    table = FactTable(files=["a.json", "b.json"])
    for i in range(60):
        table.add(RowRef(rng.randint(0, 1), rng.randint(0, 9), f"/{i}", i), {"content_id": i})
    for _ in range(30):
        n = rng.randint(0, 60)
        rows = Rows({"_row": [rng.randrange(60) for _ in range(n)], "_file_index": [0] * n, "token": [rng.choice(_CELLS) for _ in range(n)], "attach_index": [rng.choice([None, 0, 3]) for _ in range(n)]})
        positions = sorted(rng.sample(range(n), rng.randint(0, n)))
        for column in ("token", "attach_index", "absent"):
            assert _expect._shown(rows, column, positions) == [_expect._show(rows.get(p, column)) for p in positions]
        order = _expect._file_order(table, rows)
        for p in positions:
            ref = table.refs[rows.table_row(p)]
            assert order(p) == (ref.file_index, ref.record_index, int(rows.get(p, "attach_index") or 0))


def test_fact_table_rows_with_missing_or_new_facts_fill_every_column():
    rng = random.Random(9)
    table = FactTable(files=["a.json"])
    expected: dict[str, list] = {}
    for i in range(300):
        names = rng.sample(["content_id", "lang_id", "x", "y", f"late{i // 100}"], rng.randint(0, 5))
        facts = {name: rng.choice([None, "s", 3, "t\u00e9"]) for name in names}
        for name in facts:
            expected.setdefault(name, [None] * i)
        for name, col in expected.items():
            col.append(facts.get(name))
        table.add(RowRef(0, i, f"/{i}", None), facts)
    assert {name: list(col) for name, col in table.columns.items()} == expected


def test_a_fact_row_shared_by_several_rules_is_merged_as_often_as_the_rules_merged_it():
    shared, other = {"a": 1, "b": 2}, {"b": 3, "c": 4}

    def rule(row):
        return SimpleNamespace(rule=SimpleNamespace(kinds=("article",), collect=lambda record, options: row, id="T"), options={})

    for order in ([shared, shared, shared], [shared, other, shared], [other, shared, shared, other], [shared, shared, other, shared]):
        effects = Effects()
        _collect(RecordCheck(None, (), "a.txt", facts=[rule(r) for r in order]), SimpleNamespace(kind="article", data={}, index=0, pointer="/0", start=None), None, effects, None)
        merged: dict = {}
        for row in order:
            merged.update(row)
        assert effects.facts[0][3] == merged, order


def test_a_record_gets_a_fact_row_when_a_dataset_rule_looks_at_its_kind():
    """``RecordCheck.collectors`` (worked out once per kind) gives a row exactly when some dataset rule looks at the kind, merged from those that collect."""

    def rule(kinds, row):
        collect = None if row is None else (lambda record, options: row)
        return SimpleNamespace(rule=SimpleNamespace(kinds=kinds, collect=collect, id="T"), options={})

    rules = [rule(("cms",), {"a": 1}), rule(("article", "cms"), None), rule(("cms",), {"b": 2}), rule(("page",), {"c": 3})]
    check = RecordCheck(None, (), "a.json", facts=rules)
    for _ in range(2):  # the second time from what was worked out
        for kind, want in (("cms", {"a": 1, "b": 2}), ("article", {}), ("page", {"c": 3}), ("other", None)):
            effects = Effects()
            _collect(check, SimpleNamespace(kind=kind, data={}, index=0, pointer="/0", start=None), None, effects, 7)
            assert [row[2:4] for row in effects.facts] == ([] if want is None else [(7, want)]), kind


def test_text_column_values_are_the_cells_as_appended():
    """TextColumn.values (ASCII text sliced from one decode; other text row by row) gives back every cell as appended."""
    rng = random.Random(31)
    pieces = [None, "", "a", "en", "2026-05-12 09:14:05", "fa\u200c\u0631\u0627", "\ud800 lone", "\U0001f600", 7, 2.5, True]
    for _ in range(500):
        values = [rng.choice(pieces) for _ in range(rng.randint(0, 12))]
        if rng.random() < 0.5:  # the usual, all-ASCII buffer
            values = [v for v in values if not isinstance(v, str) or v.isascii()]
        column = TextColumn(values)
        assert column.values() == list(column) == [column[i] for i in range(len(values))] == values, values
        rows = Rows({"_row": list(range(len(values))), "text": column})
        assert [rows.get(p, "text") for p in range(len(values))] == values


def test_text_column_cells_of_one_width_are_the_cells_as_appended():
    """Columns whose cells mostly share a width (dates, digests): cut by one scan when all do, else by slices; the cells as appended."""
    rng = random.Random(35)
    for _ in range(2000):
        width = rng.choice([0, 1, 2, 19])
        values = ["".join(rng.choice("0123456789-:\n ") for _ in range(width)) for _ in range(rng.randint(0, 9))]
        if values and rng.random() < 0.4:  # one cell of another width, a null, a number, a non-ASCII one
            values[rng.randrange(len(values))] = rng.choice(["x" * (width + 1), "x" * max(0, width - 1), None, 7, "\u00e9" * width])
        column = TextColumn(values)
        assert column.values() == [column[i] for i in range(len(values))] == values, values


@pytest.mark.parametrize("column", ["date_register", "lang_id"])
def test_data_values_of_a_column_are_data_value_of_each_cell(column):
    """Rows.data converts a column whole (dates parsed, NaN and None null, plain cells as they are): as data_value cell by cell."""
    rng = random.Random(37)
    cells_pool = [*_CELLS, dt.datetime(2026, 1, 2, 3, 4, 5), 10**20, -0.0]
    for _ in range(300):
        cells = [rng.choice(cells_pool) for _ in range(rng.randint(0, 10))]
        if rng.random() < 0.5:
            cells = [c for c in cells if c is None or type(c) in (str, int, bool)]  # no call per cell for these
        expected = [data_value(column, v) for v in cells]
        for stored in (cells, TextColumn(cells)):
            got = Rows({"_row": list(range(len(cells))), column: stored}).data(column)
            assert [type(v) for v in got] == [type(v) for v in expected] and got == expected, cells


@pytest.mark.parametrize("first", ["data", "cells"])
def test_a_text_column_read_as_data_and_as_cells_is_decoded_once(monkeypatch, first):
    """FL606 groups ``token`` by its data and shows its cells, FL603 reads ``lang_id``'s values and data: one decode each, the same answers."""
    calls = []
    original = TextColumn.values
    monkeypatch.setattr(TextColumn, "values", lambda self: calls.append(1) or original(self))
    rng = random.Random(43)
    for _ in range(200):
        cells = [rng.choice([None, "", "en", "fa", "t\u00e9", 3, float("nan")]) for _ in range(rng.randint(0, 10))]
        calls.clear()
        rows = Rows({"_row": list(range(len(cells))), "lang_id": TextColumn(cells)})
        if first == "data":
            data, shown = rows.data("lang_id"), rows.cells("lang_id")
        else:
            shown, data = rows.cells("lang_id"), rows.data("lang_id")
        expected = [data_value("lang_id", v) for v in cells]
        assert [type(v) for v in data] == [type(v) for v in expected] and data == expected
        assert len(shown) == len(cells) and all(a is b or a == b for a, b in zip(shown, cells))  # NaN: the cell itself
        assert len(calls) == 1


def test_record_values_share_the_decoded_cells_with_the_data():
    """``record_values`` (FL603's tags) and ``Rows.data`` of the same column decode it once."""
    table = FactTable()
    for i, tag in enumerate(["en", None, "fa", "en"]):
        facts = {"is_object": True, "lang_id": tag, "attach_tokens": None}
        table.add(RowRef(0, i, f"/{i}", None), facts)
    assert list(_facts_rows.record_values(table, "lang_id")) == ["en", None, "fa", "en"]
    assert _facts_rows.record_values(table, "nothing") == ()
    rows = _facts_rows.row_sets(table)["records"]
    assert rows.data("lang_id") == ["en", None, "fa", "en"] and rows.data("lang_id")[0] is _facts_rows.record_values(table, "lang_id")[0]


def test_text_column_packs_in_batches_between_reads(monkeypatch):
    """Values wait in a batch until it is full or the column is read: reads at any point give every value appended so far."""
    import feedlint.facts as facts_module

    rng = random.Random(41)
    pieces = [None, "", "a", "en", "t\u00e9", "\ud800", 3, 0.5, "2026-05-12 09:14:05"]
    for batch in (1, 2, 3, 7):
        monkeypatch.setattr(facts_module, "_TEXT_BATCH", batch)
        column, expected = TextColumn(), []
        for _ in range(200):
            value = rng.choice(pieces)
            column.append(value)
            expected.append(value)
            if rng.random() < 0.1:
                i = rng.randrange(len(expected))
                assert len(column) == len(expected) and column[i] == expected[i] and column[-1] == expected[-1]
            if rng.random() < 0.05:
                assert list(column) == expected
        assert column.values() == expected and len(column) == len(expected)


def _state(table):
    """What a fact table holds, as the dataset stage reads it: each column's kind and values, every row's reference."""
    return {name: (type(col).__name__, list(col)) for name, col in table.columns.items()}, list(table.refs)


def test_fact_rows_added_a_batch_at_a_time_give_the_table_added_row_by_row():
    rng = random.Random(13)
    for _ in range(200):
        by_row, by_batch = FactTable(files=["a", "b"]), FactTable(files=["a", "b"])
        names = rng.sample(["content_id", "lang_id", "x", "y", "z"], rng.randint(0, 5))
        for _ in range(rng.randint(1, 6)):
            file_index = rng.randint(0, 1)
            rows = []
            for i in range(rng.choice([0, 1, 3, 40, 300])):
                if rng.random() < 0.05:  # a record with other facts, or the same in another order
                    names = rng.sample(["content_id", "lang_id", "x", "y", "z"], rng.randint(0, 5))
                late = rng.random() < 0.02  # a column of None so far gets a value
                facts = {name: rng.choice(["s", 3, 3.0, True, "t\u00e9", None] if late or name != "z" else [None]) for name in names}
                content_id = rng.choice([facts.get("content_id"), 3, "3", None, 7])
                start = rng.choice([None, (5, 2, 3, 3, 4, 4)])
                rows.append((rng.randint(0, 9), f"/{i}", content_id, facts, start))
            for index, pointer, content_id, facts, start in rows:
                by_row.add(RowRef(file_index, index, pointer, content_id, start), facts)
            by_batch.add_rows(file_index, rows)
            assert _state(by_batch) == _state(by_row)
        assert [type(i) for i in by_batch.refs._ids] == [type(i) for i in by_row.refs._ids]


def test_date_columns_parsed_at_once_give_the_cell_by_cell_dates():
    rng = random.Random(21)
    cells = ["2026-05-12 09:14:05", "1999-01-01 00:00:00", "2026-02-30 00:00:00", "2026-5-12 09:14:05", "2026-05-12T09:14:05", "12/05/2026",
             "\uff12026-05-12 09:14:05", "2026-05-12 09:14:05\n", "2026-05-12 09:14:05\n2026-05-12 09:14:05", "", None, 3, dt.datetime(2026, 1, 2)]
    for _ in range(3000):
        n = rng.choice([0, 1, 2, 5, 30])
        pool = cells if rng.random() < 0.3 else cells[:2] + [None]  # mostly columns that take the fast path
        column = [rng.choice(pool) for _ in range(n)]
        got = _facts_rows.parse_dates(column)
        assert got == [_facts_rows.parse_date(c) for c in column], column
        assert [type(v) for v in got] == [type(_facts_rows.parse_date(c)) for c in column]


# --------------------------------------------------------------------------- the record's fact row (branch h-facts2)
def _facts_by_loops(data):
    """rules/dataset.py ``_facts`` as it was: the date and ``has_`` columns by loops over their constants, a call per scalar."""
    from feedlint.rules import dataset

    d = data if isinstance(data, dict) else {}
    get = d.get
    facts = {
        "is_object": True if isinstance(data, dict) else None,
        "content_id": dataset._scalar(get("content_id")),
        "portal_id": dataset._scalar(get("portal_id")),
        "lang_id": dataset._scalar(get("lang_id")),
        "id_scope": None,
        "id_pointer": None,
    }
    for column, key in dataset.DATE_FIELDS.items():
        value = get(key)
        facts[column] = value if isinstance(value, str) else None
    for column, key in dataset._HAS_COLUMNS:
        value = get(key)
        facts[column] = True if isinstance(value, str) and value.strip() else None
    facts["article_key"] = dataset.article_key(get("content_title"), get("content_body"))
    facts["attach_tokens"] = dataset._tokens(get("attaches"))
    return facts


class _Str(str):
    pass


class _Int(int):
    pass


_FACT_VALUES = [
    None, "", " ", " \t\r\n", "a", "  Iran&#39;s  ", "caf\u00e9 \u2019", "\ud800", "2026-05-12 09:14:05", "12/05/2026", 0, 7, -3, 10**20, 1.5, float("nan"),
    True, False, [], [1], {}, {"token": 5}, _Str("x"), _Str(" "), _Int(4), [{"token": 1310458346}, {"token": " 77 "}, {"token": True}, "x", {"token": ""}],
]  # fmt: skip
_FACT_KEYS = ["content_id", "portal_id", "lang_id", "content_date_start", "content_date_register", "content_date_last_edit", "content_title", "content_summary", "content_body", "content_html", "attach_title", "attaches", "uid"]


def test_fact_row_in_one_display_is_the_row_by_loops():
    """``_facts`` (one dict display) gives the loops' row: the same facts in the same order, each value of the same type, on records missing fields, holding any JSON type (and str/int subclasses), and on non-records."""
    from feedlint.rules import dataset

    rng = random.Random(53)
    records = [None, "text", 5, [], [{"content_id": 1}], {}]
    for _ in range(3000):
        records.append({key: rng.choice(_FACT_VALUES) for key in rng.sample(_FACT_KEYS, rng.randint(0, len(_FACT_KEYS)))})
    for data in records:
        got, want = dataset._facts(data), _facts_by_loops(data)
        assert list(got) == list(want), data
        assert [(type(v), v if v == v else "nan") for v in got.values()] == [(type(v), v if v == v else "nan") for v in want.values()], data


def test_collect_facts_identity_of_the_cms_export_is_the_member_facts_read():
    """On the CMS export's roles (id ``/content_id``) the row's ``content_id`` is what ``record.content_id`` gives, made a scalar: _identity does not read it again."""
    from feedlint.fields import FieldRoles
    from feedlint.model import Record
    from feedlint.rules import dataset

    roles = FieldRoles()
    assert roles.id == "/content_id"
    rng = random.Random(59)
    for _ in range(1000):
        data = {key: rng.choice(_FACT_VALUES) for key in rng.sample(_FACT_KEYS, rng.randint(0, len(_FACT_KEYS)))} if rng.random() < 0.9 else rng.choice([None, "x", 3, []])
        row = dataset.collect_facts(Record(data, roles=roles), {})
        assert row["content_id"] is dataset._scalar(Record(data, roles=roles).content_id), data  # the same object (NaN too)


def test_collectors_sharing_a_row_are_called_once_and_merge_as_each_did():
    """Rules next to each other with one ``collect`` and equal ``collect_key`` are collected once: the merged row (and the crash messages) are those of calling each."""
    calls = []

    def shared(record, options):
        calls.append(options["name"])
        if record.data.get("crash"):
            raise ValueError("boom")
        return {"a": 1, "extra": tuple(options.get("expectations", ()))} if options.get("expectations") else {"a": 1, "b": 2}

    def other(record, options):
        return {"b": 3, "c": 4}

    def key(options):
        return tuple(options.get("expectations", ()))

    def rule(rid, collect, expectations=None, with_key=True):
        options = {"name": rid, **({"expectations": expectations} if expectations else {})}
        return SimpleNamespace(rule=SimpleNamespace(kinds=("cms",), collect=collect, id=rid, collect_key=key if with_key else None), options=options)

    layouts = [
        ["FL1", "FL2", "FL3"],
        ["FL1", "other", "FL2", "FL3"],
        ["FL1", "FL2:x", "FL3:x", "FL4"],
        ["FL1", "FL2-nokey", "FL3"],
        ["other", "FL1", "FL2", "other", "FL3"],
    ]
    for layout in layouts:
        for crash in (False, True):
            actives = []
            for name in layout:
                if name == "other":
                    actives.append(rule("FL9", other))
                else:
                    rid, _, exp = name.partition(":")
                    actives.append(rule(rid.split("-")[0], shared, [exp] if exp else None, with_key=not rid.endswith("-nokey")))
            raw = SimpleNamespace(kind="cms", data={"crash": crash}, index=0, pointer="/0", start=None)
            effects = Effects()
            calls.clear()
            _collect(RecordCheck(None, (), "a.json", facts=actives), raw, None, effects, 1)
            # what calling each rule gives
            merged, last, errors, each_calls = {}, None, [], 0
            for active in actives:
                try:
                    row = active.rule.collect(SimpleNamespace(data=raw.data), active.options)
                    if row is not last:
                        merged.update(row)
                        last = row
                except ValueError as exc:
                    errors.append(f"record 0: rule {active.rule.id} collect crashed: {exc}")
            assert effects.facts[0][3] == merged and list(effects.facts[0][3]) == list(merged), layout
            assert effects.internal_errors == errors, layout
    # the run of FL1..FL3 with one key: one call
    calls.clear()
    _collect(RecordCheck(None, (), "a.json", facts=[rule(r, shared) for r in ("FL1", "FL2", "FL3")]), SimpleNamespace(kind="cms", data={}, index=0, pointer="/0", start=None), None, Effects(), 1)
    assert calls == ["FL1"]


def test_builtin_dataset_rules_share_one_collect_call():
    """FL601..FL606 collect one row through one call a record; FL607 (its own collect) and FL690 (after it) are called apart."""
    from feedlint.config import load_config
    from feedlint.planning import Choices, build_plan
    from feedlint.registry import load_catalogue

    plan = build_plan(load_catalogue(), load_config(None), Choices())
    groups = RecordCheck(plan, [], "a.json", facts=plan.facts_for(None)).collectors("cms")
    assert [[m.rule.id for m in members] for _, members in groups] == [["FL601", "FL602", "FL603", "FL604", "FL605", "FL606"], ["FL607"], ["FL690"]]


@pytest.mark.parametrize("jobs, batch", [(1, 1), (1, 2), (1, 3), (1, 7), (1, 256), (2, 3)])
def test_a_run_adds_fact_rows_in_batches_as_one_by_one(monkeypatch, tmp_path, jobs, batch):
    """A serial run's fact rows go into the table a batch at a time (per file, the rest at its end), a parallel run's as its executor sends them: the table is the one added row by row, in file order."""
    import json
    import math

    import feedlint.engine as engine_module
    from conftest import base_record
    from feedlint.config import Config
    from feedlint.engine import Engine
    from feedlint.planning import Choices, build_plan
    from feedlint.registry import load_catalogue
    from feedlint.tuning import Tuning

    rng = random.Random(61)
    paths = []
    for k in range(3):
        records = [base_record(content_id=100 * k + i, content_title=rng.choice(["A", "B&#39;s", ""]), content_body=rng.choice(["x", "Same body.", " ", "caf\u00e9 &rsquo;"]), lang_id=rng.choice(["en", None, 5])) for i in range(rng.randint(1, 40))]
        if k == 1:
            records.insert(3, "a stray string")  # a non-object row
        path = tmp_path / f"e{k}.json"
        path.write_text(json.dumps([records]), encoding="utf-8")
        paths.append(str(path))

    def table_of(engine_batch):
        monkeypatch.setattr(engine_module, "_FACT_BATCH", engine_batch)
        plan = build_plan(load_catalogue(plugins=False), Config(values={}), Choices(select=["FL6"], tuning=Tuning(parallel_min_records=3)))
        engine = Engine(plan, jobs)
        list(engine.run(paths))
        table = engine.table
        cells = {name: [("nan" if isinstance(v, float) and math.isnan(v) else (type(v), v)) for v in col] for name, col in table.columns.items()}
        return list(table.columns), cells, [vars(table.refs[i]) for i in range(len(table))], table.files

    with monkeypatch.context() as m:
        m.setattr(FactTable, "add_rows", lambda self, file_index, rows: [self._add_row(file_index, row) for row in rows] and None)
        reference = table_of(1)  # row by row, as add() takes them
    assert [ref["record_index"] for ref in reference[2]] == [i for path in paths for i in range(len(json.loads(open(path).read())[0]))]
    assert table_of(10**9) == reference  # never full: each file's rows added at its end
    assert table_of(batch) == reference


# --------------------------------------------------------------------------- the attachment row set (branch h-tail)
def _attachment_columns_by_parts(table, rows):
    """rules/_facts_rows.py ``_attachment_columns`` as it was: a loop over each record's parts, six appends a kept part."""
    tokens, portals, ids = (list(table.column(name)) for name in ("attach_tokens", "portal_id", "content_id"))
    files = table.refs.file_indexes()
    out = {name: [] for name in _facts_rows.ATTACHMENT_COLUMNS}
    for row in rows:
        joined = tokens[row]
        if not joined:
            continue
        seen = set()
        for part in joined.split("|"):
            index, _, token = part.partition(":")
            if token in seen:
                continue
            seen.add(token)
            for name, value in zip(_facts_rows.ATTACHMENT_COLUMNS, (row, files[row], portals[row], ids[row], int(index), token)):
                out[name].append(value)
    return out


def test_attachment_columns_a_column_at_a_time_are_the_parts_loop():
    """Tokens repeated within and across records, odd parts (a ``:`` or ``|`` in a token, no index), other rows, other files."""
    rng = random.Random(606)
    pieces = ["0:t1", "1:t1", "2:t2", "3:a:b", "4:", "12:t2", "x", "5:t1|"]
    for _ in range(2000):
        table = FactTable()
        for i in range(rng.choice([0, 1, 3, 12])):
            joined = rng.choice([None, "", "0:t1", "|".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))])
            facts = {"is_object": rng.random() < 0.9 or None, "portal_id": rng.choice([3, 4, None, "3"]), "content_id": rng.choice([i, 7, None]), "attach_tokens": joined}
            table.add(RowRef(rng.randint(0, 2), i, f"/{i}", facts["content_id"]), facts)
        rows = _facts_rows.object_rows(table)
        try:
            want = _attachment_columns_by_parts(table, rows)
        except ValueError as exc:  # a part with no number before its colon: both raise the same error
            with pytest.raises(ValueError, match=re.escape(str(exc))):
                _facts_rows._attachment_columns(table, rows)
            continue
        got = _facts_rows._attachment_columns(table, rows)
        assert list(got) == list(_facts_rows.ATTACHMENT_COLUMNS)
        assert {name: list(values) for name, values in got.items()} == want
        assert [type(v) for v in got["portal_id"] + got["content_id"]] == [type(v) for v in want["portal_id"] + want["content_id"]]


def test_the_plain_evaluator_answers_with_the_collector_paused(monkeypatch):
    """The built-in suites' evaluation runs with the cycle collector off (no cycles to find), which is then on again as it was."""
    import gc

    from feedlint.rules import dataset as fl6

    seen = []
    original = _pyeval.evaluate
    monkeypatch.setattr(_pyeval, "evaluate", lambda *args: seen.append(gc.isenabled()) or original(*args))
    table = FactTable(files=["a.json"])
    for i, data in enumerate([{"content_id": 5, "portal_id": 3}, {"content_id": 5, "portal_id": 3, "content_title": "Other"}]):
        table.add(RowRef(0, i, f"/{i}", 5), fl6._facts(data))
    was = gc.isenabled()
    gc.enable()
    try:
        hits = list(fl6.run_expectations("FL601", "FL601-duplicate-content-id", table, {}))
        assert [h.row for h in hits] == [0, 1] and seen and not any(seen) and gc.isenabled()
        gc.disable()
        list(fl6.run_expectations("FL601", "FL601-duplicate-content-id", table, {}))
        assert not gc.isenabled()  # left as it was found
        gc.enable()
        with _expect.collector_paused(False):  # Great Expectations or another evaluator: untouched
            assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def _article_keys_by_hashes(records):
    """rules/_facts_rows.py ``_article_keys_for_comparison`` as it was: hashes of the keys seen twice found in a loop a row."""
    keys = records["article_key"]
    once, repeated = set(), set()
    for key in keys:
        if key is not None:
            h = hash(key)
            (repeated if h in once else once).add(h)
    if not repeated:
        return keys
    seen, out = set(), []
    for portal, cid, key in zip(records["portal_id"], records["content_id"], keys):
        if key is None or hash(key) not in repeated:
            out.append(key)
            continue
        out.append(None if (portal, cid, key) in seen else key)
        seen.add((portal, cid, key))
    return out


def test_article_keys_counted_at_once_drop_what_the_hash_loop_dropped():
    """Repeats under the same id and portal (dropped), under another id or portal (kept), None keys, text and list columns."""
    rng = random.Random(602)
    for _ in range(3000):
        n = rng.choice([0, 1, 2, 5, 20])
        keys = [rng.choice([None, "k1", "k2", "k3", "k4", "k5", "k6"][: rng.randint(2, 7)]) for _ in range(n)]
        records = {"article_key": TextColumn(keys) if rng.random() < 0.5 else keys,
                   "portal_id": [rng.choice([3, 4]) for _ in range(n)], "content_id": [rng.choice([1, 2, "1"]) for _ in range(n)]}
        want = _article_keys_by_hashes(records)
        got = _facts_rows._article_keys_for_comparison(records)
        assert list(got) == list(want), records
        assert (got is records["article_key"]) == (want is records["article_key"])
