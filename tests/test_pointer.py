"""JSON Pointer escaping lives in one module (feedlint/pointer.py), and follows RFC 6901."""

from __future__ import annotations

import re
from pathlib import Path

from feedlint import pointer

ROOT = Path(__file__).resolve().parents[1]


def test_escape_and_unescape_follow_rfc_6901():
    assert pointer.escape("a/b") == "a~1b" and pointer.escape("m~n") == "m~0n" and pointer.escape(3) == "3"
    assert pointer.unescape("a~1b") == "a/b" and pointer.unescape("m~0n") == "m~n"
    assert pointer.unescape("~01") == "~1"  # ~1 is replaced first: "~01" is the key "~1", not "/"
    for key in ("", "~", "/", "~1", "~0", "a/~b", "~~//"):
        assert pointer.unescape(pointer.escape(key)) == key


def test_join_tokens_last():
    assert pointer.join("/a", "b/c", 0) == "/a/b~1c/0" and pointer.join("") == ""
    assert pointer.tokens("/a/b~1c/0") == ("a", "b/c", "0") and pointer.tokens("") == () and pointer.tokens("/") == ("",)
    assert pointer.last("/attaches/0/sizes/a~1b") == "a/b" and pointer.last("") == ""


def test_no_other_module_escapes_pointer_tokens_itself():
    """A second copy of the escaping drifts (it did: seven copies); every module uses feedlint.pointer."""
    copies = []
    for path in sorted([*ROOT.joinpath("feedlint").rglob("*.py"), *ROOT.joinpath("rules").rglob("*.py")]):
        if path.name == "pointer.py" and path.parent.name == "feedlint":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"""["']~[01]["']""", text):
            copies.append(str(path.relative_to(ROOT)))
    assert copies == []


def test_severity_order_is_defined_once():
    from feedlint import api, cli, model, severity

    assert severity.ORDER == ("error", "warning", "note")
    assert severity.RANK == {"error": 3, "warning": 2, "note": 1}
    assert api.SEVERITIES is severity.ORDER and model.SEVERITY_RANK is severity.RANK
    assert {k: v for k, v in cli.FAIL_RANK.items() if k != "never"} == severity.RANK and cli.FAIL_RANK["never"] > 3
