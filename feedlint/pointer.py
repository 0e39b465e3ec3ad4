"""JSON Pointer (RFC 6901) tokens, written once: ``~`` is ``~0`` and ``/`` is ``~1`` inside a token.

Every place that builds a pointer from keys, or reads keys back from one
(the reader, field roles, rules, the SARIF reporter), uses these.
"""

from __future__ import annotations

from functools import lru_cache


def escape(token: object) -> str:
    """One pointer token for the key or index ``token`` (``a/b`` -> ``a~1b``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """The key a pointer token names (``a~1b`` -> ``a/b``; ``~01`` -> ``~1``: ``~1`` first, as RFC 6901 says)."""
    return token.replace("~1", "/").replace("~0", "~")


def join(base: str, *tokens: object) -> str:
    """``base`` extended by one escaped token per key or index (``join("/a", "b/c", 0)`` -> ``/a/b~1c/0``)."""
    return base + "".join("/" + escape(t) for t in tokens)


@lru_cache(maxsize=4096)
def tokens(pointer: str) -> tuple[str, ...]:
    """The keys a pointer names, unescaped (``""`` -> ``()``; anything not starting with ``/`` is read as if it did)."""
    if not pointer:
        return ()
    return tuple(unescape(t) for t in pointer.split("/")[1:])


def last(pointer: str) -> str:
    """The key a pointer ends in, unescaped (``/attaches/0/sizes/a~1b`` -> ``a/b``; ``""`` -> ``""``)."""
    return unescape(pointer.rsplit("/", 1)[-1])
