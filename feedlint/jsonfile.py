"""Read a small JSON file the user points feedlint at (schema, baseline, expectations).

One place decides how such a file fails: missing, unreadable, not UTF-8, or not
JSON, each as a single ``path[:line:col]: message`` line in the caller's error
type — never a traceback or a per-record crash.
"""

from __future__ import annotations

import json
from typing import Any


def read_json_file(
    path: str,
    what: str,
    error: type[Exception],
    *,
    not_found: str | None = None,
    invalid: str | None = None,
) -> Any:
    """The decoded JSON value of ``path``; problems are raised as ``error``.

    ``what`` names the file in messages ("schema", "baseline"); ``not_found``
    replaces the message for a missing file (e.g. to say how to create it) and
    ``invalid`` the "<what> is not valid JSON" prefix.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise error(f"{path}: {not_found or f'{what} not found'}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: cannot read {what}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at byte offset {exc.start})") from None
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        from .reader.jsonerrors import describe_json_error

        detail = describe_json_error(exc.msg, text, exc.pos).removeprefix("invalid JSON: ")
        raise error(f"{path}:{exc.lineno}:{exc.colno}: {invalid or f'{what} is not valid JSON'}: {detail}") from None
