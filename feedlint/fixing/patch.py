"""The repairs as RFC 6902 JSON Patches, one per record, keyed by the record's identity.

A CMS team applies them where the export came from (the database), not only
to the file: each changed value gets a ``test`` of its old value (the patch
fails instead of overwriting an edit made since the export) and a
``replace`` with the repaired one.  Pointers are relative to the record.
"""

from __future__ import annotations

from typing import Any

from .loop import RecordRepair, value_at


def record_patch(repair: RecordRepair) -> list[dict[str, Any]]:
    """The operations that turn the record as read into the repaired one."""
    ops: list[dict[str, Any]] = []
    for pointer in dict.fromkeys(a.pointer for a in repair.applied):
        old, new = value_at(repair.raw.data, pointer), value_at(repair.data, pointer)
        if old != new:
            ops.append({"op": "test", "path": pointer, "value": old})
            ops.append({"op": "replace", "path": pointer, "value": new})
    return ops
