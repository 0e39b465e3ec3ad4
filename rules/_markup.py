"""Recognise HTML tags in text that should be plain, without mistaking prose for markup.

A tag counts only when its name is a real HTML element and it is closed with
``>``; attributes, when present, must include a ``name=value`` pair (bare
boolean attributes such as ``allowfullscreen`` may sit beside it).  So
``5 < 6``, ``x<y``, ``<3``, ``a <b and c``, ``<jane@example.com>`` and
``<https://example.com>`` are prose, while ``<p>``, ``</p>``, ``<br/>`` and
``<span style="font-size:16px;">`` are markup.  HTML comments count too.
"""

from __future__ import annotations

import re

ELEMENTS = frozenset(
    """a abbr address article aside audio b bdi bdo blockquote body br button caption center cite code col
    colgroup dd del details dfn div dl dt em embed fieldset figcaption figure font footer form h1 h2 h3 h4 h5
    h6 head header hr html i iframe img input ins kbd label legend li link main mark meta nav noscript object
    ol optgroup option p param picture pre q s samp script section select small source span strike strong
    style sub summary sup table tbody td template textarea tfoot th thead time title tr track tt u ul var
    video wbr""".split()
)

_ATTR = r"""\s+[A-Za-z_:][-A-Za-z0-9_:.]*(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`]+))?"""
TAG = re.compile(rf"<!--.*?-->|<(/?)([A-Za-z][A-Za-z0-9]*)((?:{_ATTR})*)\s*/?>", re.S)


def tags(text: str, allowed: frozenset[str] = frozenset()):
    """``(match, name)`` for each tag in ``text``; ``name`` is lower-case (``!--`` for a comment)."""
    if "<" not in text:
        return
    for m in TAG.finditer(text):
        if m.group(2) is None:
            if "!--" not in allowed:
                yield m, "!--"
            continue
        name = m.group(2).lower()
        if name in ELEMENTS and name not in allowed:
            attrs = m.group(3)
            if attrs and (m.group(1) or "=" not in attrs):
                continue  # "</p class=x>" is not a closing tag; "<b and c>" is prose (no name=value)
            yield m, name
