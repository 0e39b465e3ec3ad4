"""JSON reports written as the bytes orjson gives, beneath the text stream: the same output as text, byte for byte.

:func:`feedlint.output.utf8_bytes_under` says when bytes may go beneath a
text stream; the JSON-based reporters then skip decoding and encoding again.
Each format is written both ways (a file from ``atomic_text_writer``: bytes;
a ``StringIO``: text) and compared, on findings with non-ASCII, astral and
escaped characters, and what only the standard library encodes.
"""

from __future__ import annotations

import io
import json
import sys

import pytest

from feedlint.effects import SkippedInput
from feedlint.model import Finding
from feedlint.output import atomic_text_writer, utf8_bytes_under
from feedlint.reader.positions import Region
from feedlint.reporters.base import RunInfo, Summary
from feedlint.reporters.gitlab import GitlabReporter
from feedlint.reporters.jsonfmt import BATCH, JsonReporter
from feedlint.reporters.jsonreport import JsonReportReporter

MESSAGES = [
    "plain ASCII",
    "curly “quotes” and é, ß, 中文",
    "astral 😀 and 𝔘",
    'escapes " \\ \n \t \x01 </script> AT&T &nbsp;',
    "line\r\nbreak",
]


def _findings(n: int, content_id=7) -> list[Finding]:
    region = Region(1, 3, 1, 9, 3, 9, 2, 6, 2, 6)
    return [
        Finding("FL201", "undecoded-entity", "warning", MESSAGES[i % len(MESSAGES)], "export.json", i, content_id, f"/0/{i}/content_title", "/content_title", region, MESSAGES[(i + 1) % len(MESSAGES)])
        for i in range(n)
    ]


def _run_info() -> RunInfo:
    return RunInfo("0", [], ["export.json"], "/", profile_of={"export.json": "cms"}.get)


def _write(reporter_cls, stream, findings: list[Finding], skipped=()) -> None:
    reporter = reporter_cls(stream)
    reporter.start(_run_info())
    for finding in findings:
        reporter.handle(finding)
    reporter.finish(Summary(1, len(findings), skipped=list(skipped)))


def _as_text(reporter_cls, findings: list[Finding], skipped=()) -> str:
    stream = io.StringIO()
    _write(reporter_cls, stream, findings, skipped)
    return stream.getvalue()


def _as_bytes(reporter_cls, findings: list[Finding], path, skipped=()) -> bytes:
    with atomic_text_writer(str(path)) as stream:
        assert utf8_bytes_under(stream) is not None
        _write(reporter_cls, stream, findings, skipped)
    return path.read_bytes()


def test_bytes_beneath_only_where_they_are_what_text_would_give(tmp_path):
    with atomic_text_writer(str(tmp_path / "report.json")) as stream:
        assert utf8_bytes_under(stream) is stream.buffer
    assert utf8_bytes_under(io.StringIO()) is None
    with open(tmp_path / "other.json", "w", encoding="utf-8", newline="\r\n") as elsewhere:  # may translate newlines
        assert utf8_bytes_under(elsewhere) is None
    with open(tmp_path / "latin.json", "w", encoding="latin-1") as latin:
        assert utf8_bytes_under(latin) is None
    wrapped = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    assert utf8_bytes_under(wrapped) is None


def test_standard_output_takes_bytes_when_utf8(monkeypatch):
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n")
    monkeypatch.setattr(sys, "__stdout__", stdout)
    monkeypatch.setattr(sys, "stdout", stdout)
    assert utf8_bytes_under(stdout) is stdout.buffer
    ascii_stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "__stdout__", ascii_stdout)
    monkeypatch.setattr(sys, "stdout", ascii_stdout)
    assert utf8_bytes_under(sys.stdout) is None


def test_a_replaced_standard_output_gets_text(monkeypatch):
    """Whoever embeds feedlint may put a stream of its own in sys.stdout; it may translate newlines."""
    crlf = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\r\n")
    monkeypatch.setattr(sys, "stdout", crlf)
    assert utf8_bytes_under(crlf) is None


def test_a_replaced_standard_output_translating_newlines_keeps_one_line_ending(tmp_path):
    """``sys.stdout`` replaced by a CRLF-translating wrapper: every line of the report ends in CRLF (bytes beneath it mixed in LF)."""
    import subprocess

    export = tmp_path / "export.json"
    export.write_text(json.dumps([[{"content_id": 1, "content_title": "AT&amp;T"}, {"content_id": 1, "content_title": "B&amp;C"}]]), encoding="utf-8")
    script = ("import io, sys\n"
              "sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding='utf-8', newline='\\r\\n')\n"
              "from feedlint.cli import main\n"
              f"sys.argv = ['feedlint', 'check', '--format', 'json', '--exit-zero', {str(export)!r}]\n"
              "try:\n    main()\nfinally:\n    sys.stdout.flush()\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120, cwd=tmp_path).stdout
    assert out.count(b"\n") > 3 and out.count(b"\n") == out.count(b"\r\n")
    assert json.loads(out) and out.replace(b"\r\n", b"\n") == subprocess.run(
        [sys.executable, "-m", "feedlint", "check", "--format", "json", "--exit-zero", str(export)], capture_output=True, timeout=120, cwd=tmp_path).stdout


@pytest.mark.parametrize("reporter_cls", [JsonReporter, JsonReportReporter, GitlabReporter])
@pytest.mark.parametrize("n", [0, 1, BATCH - 1, BATCH, BATCH + 1, 2 * BATCH + 3])
def test_bytes_and_text_give_the_same_report(tmp_path, reporter_cls, n):
    findings = _findings(n)
    skipped = [SkippedInput("package.json", "no record has the export's fields")]
    text = _as_text(reporter_cls, findings, skipped)
    assert _as_bytes(reporter_cls, findings, tmp_path / "report.json", skipped) == text.encode("utf-8")


def test_what_only_the_standard_library_writes_stays_as_it_was(tmp_path):
    findings = _findings(3, content_id=2**70)  # beyond 64 bits: orjson refuses, json writes it
    text = _as_text(JsonReporter, findings)
    assert '"content_id":1180591620717411303424' in text
    assert _as_bytes(JsonReporter, findings, tmp_path / "report.json") == text.encode("utf-8")


def test_a_lone_surrogate_fails_the_write_as_the_text_stream_did(tmp_path):
    findings = _findings(2)
    findings[1].message = "half a pair \ud800"
    assert "\ud800" in _as_text(JsonReporter, findings)  # a text stream that takes it gets it
    with pytest.raises(UnicodeEncodeError):  # a UTF-8 file does not, either way
        _as_bytes(JsonReporter, findings, tmp_path / "report.json")
    with pytest.raises(UnicodeEncodeError):
        with open(tmp_path / "text.json", "w", encoding="utf-8", newline="\n") as stream:  # text, as before
            _write(JsonReporter, stream, findings)
