"""JSON: a list of findings, each with every field (documented in docs/json-format.md).

Findings are written as they arrive, a batch at a time (one write per finding
cost as much as encoding it), so memory does not grow with their number.
They are kept encoded, as orjson gives them: where the stream takes UTF-8
bytes as they are (:func:`feedlint.output.utf8_bytes_under`) a batch is
written without being decoded and encoded again.  The findings a worker
sent are written from its rows (:class:`feedlint.packed.PackedFindings`).
"""

from __future__ import annotations

import json
from typing import Iterator, Sequence

from ..model import Finding, FindingEntry
from ..output import utf8_bytes_under
from ..packed import PackedFindings
from .base import Reporter, RunInfo, Summary, profile_of


BATCH = 512  # findings encoded before one write


class JsonReporter(Reporter):
    name = "json"

    def start(self, run: RunInfo) -> None:
        super().start(run)
        self._written = 0
        self._batch: list[bytes] = []
        self._profiles: dict[str, str] = {}
        self._bytes = utf8_bytes_under(self.stream)
        self._errors = self.stream.errors if self._bytes is not None else "surrogatepass"  # the text layer's, for what orjson cannot write
        self.stream.write(self.head())

    def head(self) -> str:
        """What comes before the findings' array (formats that wrap it override this and :meth:`tail`)."""
        return "["

    def tail(self, summary: Summary) -> str:
        """What comes after the array's ``]``."""
        return "\n"

    def entry(self, finding: Finding) -> dict:
        """What one finding becomes in the array (every field, and the profile its file was read with; formats built on this one override it)."""
        entry = finding.as_dict()
        entry["profile"] = self.profile(finding.path)
        return entry

    def profile(self, path: str) -> str | None:
        """:func:`profile_of` the file ``path``, remembered once known (a file's profile does not change; asked per finding)."""
        known = self._profiles.get(path)
        if known is None:
            known = profile_of(self.run, path)
            if known is not None:
                self._profiles[path] = known
        return known

    def handle(self, finding: Finding) -> None:
        self.add(self.entry(finding))

    def handle_many(self, findings: Sequence[Finding]) -> None:
        """:meth:`handle` for each, without a call of it and of :meth:`add` per finding (a subclass overriding either gets its calls)."""
        cls = type(self)
        if cls.handle is not JsonReporter.handle or cls.add is not JsonReporter.add:
            return super().handle_many(findings)
        errors = self._errors
        for entries in self._entries(findings):  # at most a batch held: orjson's bytes keep a few KB each (RSS), and one record may have 50,000 findings
            self._batch.extend(encode_all(entries, errors))
            if len(self._batch) >= BATCH:
                self._flush()

    def _entries(self, findings: Sequence[Finding]) -> Iterator[list]:
        """:meth:`entry` of each finding, a batch at a time; a worker's (:class:`PackedFindings`) made from its rows when :meth:`entry` is this class's (objects :func:`encode` writes as that dict)."""
        if type(self).entry is JsonReporter.entry and isinstance(findings, PackedFindings):
            yield from findings.entries(BATCH, self.profile(findings.display))  # every finding's file
            return
        entry = self.entry
        for start in range(0, len(findings), BATCH):
            yield [entry(finding) for finding in findings[start : start + BATCH]]

    def add(self, entry: dict) -> None:
        """Put ``entry`` in the array, encoded (written with its batch)."""
        self._batch.append(encode(entry, self._errors))
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._write((b"\n  " if not self._written else b",\n  ") + b",\n  ".join(self._batch))
            self._written += len(self._batch)
            self._batch = []

    def _write(self, data: bytes) -> None:
        """Write encoded JSON: as it is beneath the text stream (what was written as text before it first), else decoded."""
        if self._bytes is not None:
            self.stream.flush()
            self._bytes.write(data)
        else:
            self.stream.write(data.decode("utf-8", self._errors))

    def finish(self, summary: Summary) -> None:
        self._flush()
        self.stream.write(("\n]" if self._written else "]") + self.tail(summary))


def dumps(value: dict) -> str:
    """:func:`encode` as text (a lone surrogate kept as it is), for the parts written as text."""
    return encode(value, "surrogatepass").decode("utf-8", "surrogatepass")


def encode(value: dict | FindingEntry, errors: str) -> bytes:
    """One finding (its dict, or a :class:`FindingEntry` as its ``vars``) as compact JSON in UTF-8: orjson when installed (5x faster), else the standard library.

    What only the standard library writes (an integer beyond 64 bits, a lone
    surrogate) is encoded with ``errors``, as the text stream would.
    """
    if _orjson is not None:
        try:
            return _orjson.dumps(value, default=str)
        except TypeError:  # an integer beyond 64 bits, a lone surrogate: json writes those
            pass
    return json.dumps(value if isinstance(value, dict) else vars(value), ensure_ascii=False, default=str, separators=(",", ":")).encode("utf-8", errors)


def encode_all(values: list, errors: str) -> list[bytes]:
    """:func:`encode` of each value: in one ``map`` of orjson's when none needs ``default`` or the standard library (no Python call a finding), else one by one.

    Exact: orjson calls ``default`` only for a value it cannot write, and
    fails on it without one; a batch with such a value is encoded again, one by one.
    """
    if _orjson is not None:
        try:
            return list(map(_orjson.dumps, values))
        except TypeError:  # a value for default=str, or for the standard library
            pass
    return [encode(value, errors) for value in values]


try:  # the optional speed-up also used to read exports
    import orjson as _orjson
except ImportError:  # pragma: no cover
    _orjson = None
