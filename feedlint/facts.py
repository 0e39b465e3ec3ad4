"""The compact per-record table dataset rules work on: scalar facts, never whole bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass
class RowRef:
    """Where a table row came from, so a dataset finding can be located later."""

    file_index: int
    record_index: int
    pointer: str
    content_id: Any


@dataclass
class FactTable:
    """Column-oriented facts, one row per record across every file of the run."""

    refs: list[RowRef] = field(default_factory=list)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.refs)

    def add(self, ref: RowRef, facts: Mapping[str, Any]) -> int:
        row = len(self.refs)
        self.refs.append(ref)
        for name, value in facts.items():
            col = self.columns.get(name)
            if col is None:
                col = self.columns[name] = [None] * row
            col.append(value)
        for name, col in self.columns.items():
            if len(col) < row + 1:
                col.append(None)
        return row

    def memo(self, key: str, compute: Any) -> Any:
        """Share a derived value (a DataFrame, a GX context) between the dataset rules of one run."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def column(self, name: str) -> list[Any]:
        return self.columns.get(name, [None] * len(self.refs))

    def to_pandas(self):
        """A DataFrame with the facts plus ``_file``, ``_record`` and ``_row`` columns."""
        import pandas as pd

        data = dict(self.columns)
        data["_file"] = [self.files[r.file_index] for r in self.refs]
        data["_record"] = [r.record_index for r in self.refs]
        data["_row"] = list(range(len(self.refs)))
        return pd.DataFrame(data)
