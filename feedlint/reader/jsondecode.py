"""Decode one JSON value from bytes: orjson when installed, the standard library otherwise.

Both paths give exactly what ``json.loads`` gives.  orjson is about 2.5x faster
but differs at the edges, so its answer is not taken blindly:

* it rejects what ``json`` accepts (``NaN``/``Infinity``, lone surrogate escapes,
  numbers overflowing a double): on any orjson error the stdlib decides;
* it silently turns integers beyond 64 bits into floats: a value whose source
  holds a run of 19 or more digits is decoded again by the stdlib.

``orjson`` is an optional speed-up (the ``fast`` extra); without it every record
goes through ``json.loads`` and feedlint is slower, not different.
"""

from __future__ import annotations

import json
from typing import Any, Callable

try:  # pragma: no cover - exercised by the no-orjson subprocess test
    import orjson as _orjson
except ImportError:  # pragma: no cover
    _orjson = None

HAVE_ORJSON = _orjson is not None

_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGIT_RUN = b"0" * 19  # -9223372036854775808 has 19 digits; shorter runs always fit in 64 bits


def loads_stdlib(span: bytes | memoryview | str) -> Any:
    """``json.loads`` of UTF-8 bytes (or a view of them, or their text); raises ``UnicodeDecodeError`` or ``json.JSONDecodeError``."""
    return json.loads(span if isinstance(span, str) else str(span, "utf-8"))


if _orjson is not None:
    _orjson_loads = _orjson.loads
    _OrjsonError = _orjson.JSONDecodeError

    def loads_unverified(span: bytes | memoryview | str) -> tuple[Any, bool]:
        """``(value, exact)``: orjson's value, not yet checked for integers beyond 64 bits (``exact`` False).

        Enough to confirm that a slice is a whole record; :func:`verified` makes
        the value exact when it is used.  A process that only splits the file
        (the parallel reader) never pays for the check.
        """
        try:
            return _orjson_loads(span), False
        except _OrjsonError:
            return loads_stdlib(span), True

    def verified(span: bytes | memoryview | str, value: Any) -> Any:
        """``value`` as ``json.loads`` gives it (see :func:`loads_unverified`); ``span`` may be the text (a big ASCII record's)."""
        step = 1 << 20  # a megabyte at a time: a 50 MB record is not copied whole by translate
        text = isinstance(span, str)
        for i in range(0, len(span), step):
            piece = span[i : i + step + len(_LONG_DIGIT_RUN) - 1]
            piece = piece.encode("utf-8", "surrogatepass") if text else bytes(piece)  # bytes(): a no-op on bytes, a megabyte's copy of a view
            if piece.translate(_DIGITS_TO_ZERO).find(_LONG_DIGIT_RUN) >= 0:
                return loads_stdlib(span)
        return value

else:

    def loads_unverified(span: bytes) -> tuple[Any, bool]:
        return loads_stdlib(span), True

    def verified(span: bytes, value: Any) -> Any:
        return value


def loads_exact(span: bytes) -> Any:
    """``json.loads(span.decode())``, fast."""
    value, exact = loads_unverified(span)
    return value if exact else verified(span, value)

DecodeFn = Callable[[bytes], Any]
