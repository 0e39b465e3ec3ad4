"""Checking one record: a pure function of the plan and the record, returning :class:`Effects`.

Rules yield bare hits; here they become :class:`Finding` values with an id, a
severity, a file, the record's identity and an exact region (positions are
computed only for hits, never for clean values), suppressions are applied and
the dataset rules' facts are collected.  Every executor -- this process, the
worker processes, a cluster -- checks records with :func:`check_records`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence

from .api import Hit, SetupError
from .effects import Effects
from .model import Finding, Record, finding_fingerprint
from .packed import pack_findings, pack_rows
from .reader.positions import Region
from .plan import ActiveRule, Plan


@dataclass(frozen=True)
class RecordCheck:
    """What checking one file's records needs besides the records themselves (picklable)."""

    plan: Plan
    rules: Sequence[ActiveRule]  # the file's record rules (per-file ignores and profile options applied)
    display: str  # the file as findings name it
    keep_fixes: bool = True  # False: findings drop the rules' proposed fixes (no reporter shows them)
    facts: Sequence[ActiveRule] = ()  # the dataset rules whose facts to collect (none: no fact rows)
    place_known: bool = True  # False: the records' index and pointer are counted from a byte range's start, not the file's (rules may not read them)
    packed: bool = False  # True: each record's findings come packed (Effects.findings is feedlint.packed.pack_findings's tuple), for a worker to send
    _collectors: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # see collectors

    def collectors(self, kind: str) -> Sequence[ActiveRule] | None:
        """The dataset rules that collect facts from a record of ``kind``; None when no dataset rule looks at that kind (no fact row).

        Worked out once per kind, not for every record.
        """
        if kind not in self._collectors:
            looks = any(kind in a.rule.kinds for a in self.facts)
            self._collectors[kind] = _distinct_collectors([a for a in self.facts if a.rule.collect is not None and kind in a.rule.kinds]) if looks else None
        return self._collectors[kind]


def _distinct_collectors(actives: Sequence[ActiveRule]) -> list[tuple[ActiveRule, tuple[ActiveRule, ...]]]:
    """``(collector, the rules it collects for)``: a rule whose row is the rule's before it (the same ``collect``, an equal ``collect_key``) joins that one.

    Its row, equal to the one before it, would leave the merged row as it is
    (:func:`_collect` merges the rows in order), so ``collect`` is called once
    for the run of such rules (FL601..FL606 share one row: five calls a record
    fewer).  A crash is still reported for each of them, as each call would
    have crashed alike.
    """
    out: list[tuple[ActiveRule, list[ActiveRule]]] = []
    for active in actives:
        key = getattr(active.rule, "collect_key", None)
        if out and key is not None:
            first, members = out[-1]
            if first.rule.collect is active.rule.collect and getattr(first.rule, "collect_key", None) is key and key(first.options) == key(active.options):
                members.append(active)
                continue
        out.append((active, [active]))
    return [(first, tuple(members)) for first, members in out]


def check_records(check: RecordCheck, raws: Iterable[Any]) -> Iterator[Effects]:
    """Each record's effects, in order: the one loop over records every executor uses."""
    for raw in raws:
        yield check_record(check, raw)


def check_record(check: RecordCheck, raw: Any) -> Effects:
    """One record's findings (in file order), its fact row and what checking it counted.

    The loop over rules is written out (no helper call, the crash message
    built only on a crash): it runs some forty times per record.  A rule's
    hits are gathered whole before any is stamped (a rule that crashes
    reports none), as ``list()`` of its generator would, by a loop into one
    list kept for the record: most rules find nothing, and ``list()`` cost
    2,500 instructions a rule against 1,300.

    With ``check.packed`` the findings come as :func:`pack_findings` packs
    them; when nothing can be suppressed, each hit goes straight to its row
    (:func:`stamp_row`), without a :class:`Finding` and a :class:`Region`
    made only to be taken apart again.
    """
    plan = check.plan
    data = raw.data
    roles = plan.roles_for(getattr(raw, "profile", None))
    record = Record(data, raw.kind, raw.index, raw.pointer, roles) if check.place_known else Record(data, raw.kind, None, None, roles)
    is_object = isinstance(data, dict)
    content_id = record.content_id
    suppressions = plan.suppressions
    display, keep_fixes = check.display, check.keep_fixes
    effects = Effects(1)
    out = effects.findings
    rows = check.packed and not suppressions  # stamp_row's rows, not findings
    hits: list = []  # the hits of the rule at hand
    gather = hits.append
    for active in check.rules:
        rule = active.rule
        if not is_object and "schema" not in rule.tags:
            continue
        try:
            for hit in rule.check(record, active.options):
                gather(hit)
        except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the run
            hits.clear()
            rule_failed(active, exc, f"{display} record {raw.index}", effects)
        if hits:
            if rows:
                for hit in hits:
                    out.append(stamp_row(active, hit, raw, display, content_id, keep_fixes))
            else:
                for hit in hits:
                    finding = stamp(active, hit, raw, display, content_id, keep_fixes)
                    if not suppressions or not suppressed(plan, finding, rule, effects):
                        out.append(finding)
            hits.clear()
    if len(out) > 1:
        out.sort(key=_row_order if rows else _file_order)
    if check.packed:
        effects.findings = pack_rows(content_id, out) if rows else pack_findings(out)
    del record  # the rules' shared work on it (a parsed HTML body, say) is let go before the fact row is made
    if check.facts:
        _collect(check, raw, roles, effects, content_id)
    return effects


def collect_facts(check: RecordCheck, raw: Any, effects: Effects) -> None:
    """Add ``raw``'s fact row to ``effects`` (for a caller that checked it without ``check.facts``: ``--fix``'s first look)."""
    if check.facts:
        roles = check.plan.roles_for(getattr(raw, "profile", None))
        _collect(check, raw, roles, effects, roles.identity(raw.data))


def _collect(check: RecordCheck, raw: Any, roles: Any, effects: Effects, content_id: Any) -> None:
    """The record's fact row for the dataset rules (none when no dataset rule looks at its kind); ``content_id``: the record's identity."""
    kind = raw.kind
    collectors = check.collectors(kind)
    if collectors is None:
        return  # a text article, say: no row for it
    record = Record(raw.data, kind, raw.index, raw.pointer, roles, check.display) if check.place_known else Record(raw.data, kind, None, None, roles, check.display)
    facts: dict[str, Any] = {}
    last = None  # the row merged last: FL601..FL690 share one (the record's memo), merged once, not seven times
    for active, members in collectors:
        try:
            row = active.rule.collect(record, active.options)
            if row is not last:
                facts.update(row)
                last = row
        except Exception as exc:  # noqa: BLE001
            effects.internal_errors.extend([f"record {raw.index}: rule {member.rule.id} collect crashed: {exc}" for member in members])
    effects.facts.append((raw.index, raw.pointer, content_id, facts, raw.start))


def stamp(active: ActiveRule, hit: Hit, raw: Any, display: str, content_id: Any, keep_fixes: bool = True) -> Finding:
    """The :class:`Finding` of a rule's hit in the record ``raw``, located exactly (made from :func:`stamp_row`)."""
    rule_id, message, record_pointer, fields, evidence, fingerprint, fix = stamp_row(active, hit, raw, display, content_id, keep_fixes)
    return Finding(  # positionally (rule_id, rule_name, severity, message, path, record_index, content_id, pointer, record_pointer, region, evidence, fix, fingerprint, kind): one per hit
        rule_id,
        active.rule.name,
        active.severity,
        message,
        display,
        raw.index,
        content_id,
        raw.pointer + record_pointer,
        record_pointer,
        Region.from_fields(fields),
        evidence,
        fix,
        fingerprint,
        raw.kind,
    )


def stamp_row(active: ActiveRule, hit: Hit, raw: Any, display: str, content_id: Any, keep_fixes: bool = True) -> tuple:
    """A rule's hit in the record ``raw`` as the row :func:`feedlint.packed.pack_findings` makes of its :class:`Finding` (what :func:`stamp` makes it from).

    ``(rule id, message, record pointer, region fields, evidence, fingerprint,
    fix)``: a worker that suppresses nothing sends it as it is, with no
    :class:`Finding` or :class:`Region` made only to be taken apart again.
    """
    try:
        fields = raw.region_fields(hit.pointer, hit.span, hit.on_key)
    except Exception:  # noqa: BLE001 - a bad pointer from a plugin still gets reported
        fields = raw.region_fields("")
    rule_id = active.rule.id
    record_pointer, evidence, fix = hit.pointer, hit.evidence, hit.fix
    if fix is not None:
        fix = _locate_fix(fix, raw, record_pointer, fields[8]) if keep_fixes else None  # fields[8]: the region's UTF-16 offset
    return rule_id, hit.message, record_pointer, fields, evidence, finding_fingerprint(rule_id, content_id, record_pointer, evidence, display), fix


def suppressed(plan: Plan, finding: Finding, rule: Any, effects: Effects) -> bool:
    """Whether a ``[[suppress]]`` entry covers ``finding`` (of ``rule``); its use is counted in ``effects``."""
    for i, s in enumerate(plan.suppressions):
        if s.matches(finding, rule):
            effects.uses[i] = effects.uses.get(i, 0) + 1
            effects.suppressed += 1
            return True
    return False


def run_rule(active: ActiveRule, target: Any, where: str, effects: Effects) -> list[Any]:
    """The rule's hits on a file or the fact table; a crash or a setup problem goes to ``effects``."""
    try:
        return list(active.rule.check(target, active.options))
    except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the run
        return rule_failed(active, exc, where, effects)


def rule_failed(active: ActiveRule, exc: Exception, where: str, effects: Effects) -> list[Any]:
    """Record why a rule gave no hits: a setup problem (said once per cause) or a crash (per input)."""
    if isinstance(exc, SetupError):
        effects.add_setup_problem(active.rule.id, str(exc))
    else:
        effects.internal_errors.append(f"{where}: rule {active.rule.id} ({active.rule.origin}) crashed: {type(exc).__name__}: {exc}")
    return []


def _file_order(finding: Finding) -> tuple[int, str]:
    return finding.region.offset, finding.rule_id


def _row_order(row: tuple) -> tuple[int, str]:
    """:func:`_file_order` of the finding a :func:`stamp_row` row stands for (its region's offset, its rule id)."""
    return row[3][6], row[0]


file_order = _file_order  # the order of a record's findings: for callers merging the findings of two checks of one record


def _locate_fix(fix: Any, raw: Any, pointer: str, anchor16: int) -> Any:
    """The fix tied to its value's place (``anchor16``: the finding's UTF-16 offset; imported on the first fix: most runs keep none)."""
    from .fixing.located import locate_fix

    return locate_fix(fix, raw, pointer, anchor16)
