"""Where records are checked: the small interface an execution engine implements.

The engine (:mod:`feedlint.engine`) reads each input, decides whether it is
checked, and hands its records to an :class:`Executor` as a :class:`FileJob`.
The executor returns the records' :class:`Effects` in file order -- one value
per record or per batch of consecutive records -- and the engine merges them
(findings to the reporters, fact rows to the dataset stage, counters to the
run's totals).  Implementations:

* :class:`SerialExecutor` -- every record in this process;
* :class:`feedlint.parallel.ProcessExecutor` -- worker processes on this machine;
* a cluster engine (Spark) is a third: see ``docs/architecture.md``.

An executor must give the effects :func:`feedlint.checker.check_record` gives
for each record, in order.  A reading error (:class:`InputError`) is raised
after the effects of every record read before it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Protocol

from .checker import RecordCheck, check_record, check_records
from .effects import Effects
from .packed import PackedFindings


@dataclass
class FileJob:
    """One input's records to check, and what an executor may use besides them."""

    check: RecordCheck  # plan, the file's rules, its display name, whether facts are wanted
    records: Iterator[Any]  # the file's RawRecords in order (the reader's own; may raise InputError)
    source: Any = None  # the :class:`feedlint.reader.sources.Source` they come from (an executor may read the file itself)
    progress: Callable[..., None] | None = None  # progress(display, offset, size, records) when the executor reads the file itself
    prepare: Callable[[int], None] | None = None  # prepare(expected_records): call once records go elsewhere (dataset set-up in a thread)


class Executor(Protocol):
    """Checks a file's records somewhere; :meth:`run` per file, :meth:`close` once the run ends."""

    def run(self, job: FileJob) -> Iterator[Effects]:
        """The effects of ``job``'s records in file order."""
        ...

    def close(self) -> None:
        """Release what the run used (worker processes, a session); the executor may be run again after."""
        ...


class SerialExecutor:
    """Every record in this process, one after the other.

    ``packed``: the findings come as :func:`packed_records` gives them, for a
    run whose reporter writes them from their rows (see :attr:`Engine.executor`).
    """

    def __init__(self, packed: bool = False) -> None:
        self.packed = packed

    def run(self, job: FileJob) -> Iterator[Effects]:
        return (packed_records if self.packed else check_records)(job.check, job.records)

    def close(self) -> None:
        pass


def packed_records(check: RecordCheck, raws: Iterator[Any]) -> Iterator[Effects]:
    """:func:`check_records`, a JSON record's findings given as a worker's are (:class:`PackedFindings`, from ``check.packed`` rows).

    The JSON reporter then writes them from their rows and no :class:`Finding`
    or :class:`Region` is made for them; any other reporter gets the same
    findings, made when first asked for.  An article's findings (a ``kind``
    the rows do not keep) are made as before.
    """
    packed = replace(check, packed=True)
    rules_by_id = {a.rule.id: (a.rule.name, a.severity) for a in check.rules}
    for raw in raws:
        if raw.kind != "cms":
            yield check_record(check, raw)
            continue
        effects = check_record(packed, raw)
        found = PackedFindings(rules_by_id, check.display)
        if effects.findings:
            found.add(effects.findings, raw.index, raw.pointer)
        effects.findings = found
        yield effects
