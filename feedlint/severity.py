"""The severities, in order, defined once: what ``--fail-on``, the reporters and the rule API rank by."""

from __future__ import annotations

ORDER = ("error", "warning", "note")  # most severe first (summaries list them in this order)
RANK = {name: len(ORDER) - i for i, name in enumerate(ORDER)}  # error 3, warning 2, note 1: higher is worse
