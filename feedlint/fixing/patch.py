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


def file_patches(repair: Any) -> list[dict[str, Any]]:
    """One entry per repaired record of a :class:`~feedlint.fixing.files.FileRepair`: where, who, its patch and what each fix did."""
    return [
        {
            "file": repair.display,
            "record": rec.index,
            "pointer": rec.pointer,
            "content_id": rec.content_id,
            "patch": rec.patch,
            "fixes": [{"rule": a.rule_id, "pointer": a.pointer, "description": a.description, "applicability": a.applicability} for a in rec.applied],
        }
        for rec in repair.records
        if rec.patch
    ]
