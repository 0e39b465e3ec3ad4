"""One file's records repaired one by one, each with the check of its final state (``check --fix``, ``--diff``)."""

from __future__ import annotations

from typing import Any

from ..checker import RecordCheck, check_record, collect_facts, file_order
from ..effects import Effects
from .located import LocatedFix
from .loop import FixPolicy, fix_record


class RecordFixer:
    """One file's records repaired one by one: a first look with the rules that propose fixes, the repair, the check of the final state.

    Most of a check is rules that never fix: they run once on a repaired
    record, on its final state (its report), and on the record as read only
    when they report something there (to tell a finding it had from one a
    repair added).  A record with nothing to fix gets the other rules next,
    so it is checked exactly once.  Which rules propose fixes is learnt as
    the file is read: a record whose fix comes from a rule not yet known is
    repaired all the same, with every finding known.
    """

    def __init__(self, check: RecordCheck, policy: FixPolicy, guard_rules: list) -> None:
        plan, rules, display = check.plan, check.rules, check.display
        self.check, self.policy = check, policy
        self.full = RecordCheck(plan, rules, display, True, check.facts)
        ids = {a.rule.id for a in rules}
        guard_check = RecordCheck(plan, [a for a in guard_rules if a.rule.id not in ids], display, True)
        self.guard = (lambda raw: check_record(guard_check, raw).findings) if guard_check.rules else None  # noqa: E731
        self.fixers: set[str] = set()  # rules seen proposing a fix the policy allows
        self._look: RecordCheck | None = None
        self._rest: RecordCheck | None = None
        self._seen: dict[int, Effects] = {}

    def _allowed(self, found: list) -> set:
        policy = self.policy
        return {f.rule_id for f in found if isinstance(f.fix, LocatedFix) and policy.allows(f.rule_id, f.fix)}

    def _findings(self, raw: Any) -> list:
        effects = check_record(self.full, raw)
        self._seen[id(raw)] = effects
        return effects.findings

    def _learn(self, rule_ids: set) -> None:
        if rule_ids - self.fixers:
            self.fixers |= rule_ids
            self._look = None

    def fix(self, raw: Any, repair: Any) -> tuple[Effects, Any]:
        """``(effects, repair)``: the check of the record's final state (as :func:`check_record` gives it, facts included) and its :class:`RecordRepair` when it changed (else None)."""
        check, plan, display = self.check, self.check.plan, self.check.display
        if self._look is None:
            self._look = RecordCheck(plan, [a for a in check.rules if a.rule.id in self.fixers], display, True)
            self._rest = RecordCheck(plan, [a for a in check.rules if a.rule.id not in self.fixers], display, True)
        look, rest = self._look, self._rest
        assert rest is not None
        self._seen.clear()
        effects = check_record(look, raw)
        first = effects.findings
        baseline: Any = lambda ids: check_record(RecordCheck(plan, [a for a in rest.rules if a.rule.id in ids], display, True), raw).findings  # noqa: E731
        looked: set | None = self.fixers
        if not self._allowed(first):  # nothing to fix so far: the other rules too (a whole check, once)
            _merge(effects, check_record(rest, raw))
            first, baseline, looked = effects.findings, None, None
            self._learn(self._allowed(first))  # a rule not known to fix proposes one
        fixed = fix_record(self._findings, raw, self.policy, self.guard, first, baseline, looked) if self._allowed(first) else None
        if fixed is not None:
            self._learn({a.rule_id for a in fixed.applied})  # a later pass fixed what only the re-check showed
            repair.refused += len(fixed.refused)
            if not fixed.converged:
                repair.unconverged.append(raw.index)
        if fixed is not None and fixed.changed:
            effects = self._seen[id(fixed.final)]
        else:
            fixed = None
            if looked is not None:  # every fix refused: the rest of the check of the record as it stays
                _merge(effects, check_record(rest, raw))
            collect_facts(check, raw, effects)
        policy = self.policy
        repair.held_back += sum(1 for f in effects.findings if isinstance(f.fix, LocatedFix) and not policy.allows(f.rule_id, f.fix))
        return effects, fixed


def _merge(effects: Effects, more: Effects) -> None:
    """``more`` (other rules on the same record) into ``effects``: one record, findings in file order."""
    effects.merge(more)
    effects.records = 1
    effects.findings.sort(key=file_order)
