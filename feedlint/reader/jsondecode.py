"""Decode one JSON value from bytes: orjson when installed, the standard library otherwise.

Both paths give exactly what ``json.loads`` gives.  orjson is about 2.5x faster
but differs at the edges, so its answer is not taken blindly:

* it rejects what ``json`` accepts (``NaN``/``Infinity``, lone surrogate escapes,
  numbers overflowing a double): on any orjson error the stdlib decides;
* it silently turns integers beyond 64 bits into floats: a value holding a float
  of magnitude 2**63 or more (what such an integer becomes), or, for a record
  dense with values, whose source holds a run of 19 or more digits, is decoded
  again by the stdlib.

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
_HUGE = 9223372036854775808.0  # 2**63: an integer orjson turns into a float is at least this far from 0
_BYTES_PER_VALUE = 64  # a walk of the values costs about what a scan of this many bytes does


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
        """``value`` as ``json.loads`` gives it (see :func:`loads_unverified`); ``span`` may be the text (a big ASCII record's).

        A record is a few dozen values in long strings: walking its values for
        a huge float costs a third of scanning every byte for a long run of
        digits.  A record dense with values (a long array of numbers) would walk
        slower than it scans: past a budget of one value per
        :data:`_BYTES_PER_VALUE` bytes the walk stops and the bytes are scanned.
        """
        huge = _huge_float(value, len(span) // _BYTES_PER_VALUE)
        if huge is None:
            huge = _long_digit_run(span)
        return loads_stdlib(span) if huge else value

    def _huge_float(value: Any, budget: int) -> bool | None:
        """Whether ``value`` holds a float of magnitude 2**63 or more; None once more than ``budget`` values are seen.

        orjson gives such a float for every integer it cannot hold in 64 bits
        (and json.loads an int), so without one its value is exact; with one
        (maybe a true float: ``1e19``) the stdlib decodes again.

        Only containers go on the stack: a member is looked at where it is
        found, not pushed and popped (a record of 70 values: a fifth less).
        """
        stack = [value]
        pop, push = stack.pop, stack.append
        while stack:
            item = pop()
            kind = type(item)
            if kind is dict:
                item = item.values()
            elif kind is not list:  # the value itself is no container
                return kind is float and not -_HUGE < item < _HUGE
            budget -= len(item)
            if budget < 0:
                return None
            for member in item:
                kind = type(member)
                if kind is dict or kind is list:
                    push(member)
                elif kind is float and not -_HUGE < member < _HUGE:
                    return True
        return False

    def _long_digit_run(span: bytes | memoryview | str) -> bool:
        """Whether ``span`` holds 19 or more digits in a row (in a number or a string: the caller decodes again either way)."""
        step = 1 << 20  # a megabyte at a time: a 50 MB record is not copied whole by translate
        text = isinstance(span, str)
        for i in range(0, len(span), step):
            piece = span[i : i + step + len(_LONG_DIGIT_RUN) - 1]
            piece = piece.encode("utf-8", "surrogatepass") if text else bytes(piece)  # bytes(): a no-op on bytes, a megabyte's copy of a view
            if piece.translate(_DIGITS_TO_ZERO).find(_LONG_DIGIT_RUN) >= 0:
                return True
        return False

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
