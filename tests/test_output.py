"""``--output`` and every other file feedlint writes: regular files atomically, anything else written through.

End to end through the installed CLI, on a real FIFO, a symlink and (as root)
a character device made with mknod in a temporary folder.
"""

from __future__ import annotations

import json
import os
import stat
import threading

import pytest

from conftest import base_record, run_cli


@pytest.fixture
def export(write_export, tmp_path):
    write_export([base_record(portal_id=0)])  # one FL101 finding
    return tmp_path


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".feedlint-")]


def test_new_and_existing_regular_file_replaced_keeping_mode(export):
    report = export / "report.json"
    r = run_cli("check", "--format", "json", "-o", "report.json", "export.json", cwd=export)
    assert r.returncode == 1 and r.stdout == ""
    assert json.loads(report.read_text())[0]["rule"] == "FL101"
    report.write_text("old")
    os.chmod(report, 0o640)
    inode = report.stat().st_ino
    r = run_cli("check", "--format", "json", "-o", "report.json", "export.json", cwd=export)
    assert r.returncode == 1
    assert json.loads(report.read_text())[0]["rule"] == "FL101"
    assert report.stat().st_ino != inode  # renamed over: a reader never sees half a report
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert not _leftovers(export)


def test_fifo_is_written_through_not_replaced(export):
    fifo = export / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = run_cli("check", "--format", "json", "-o", str(fifo), "export.json", cwd=export)
    reader.join(timeout=60)
    assert r.returncode == 1, r.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO
    assert json.loads(got[0].decode())[0]["rule"] == "FL101"  # the reader got the whole report
    assert not _leftovers(export)


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout")
def test_dev_stdout_on_a_pipe_is_written_through(export):
    """``-o /dev/stdout`` with stdout a pipe (``| jq``): its realpath, ``/proc/<pid>/fd/pipe:[...]``, names nothing; the path itself opens the pipe."""
    r = run_cli("check", "--format", "json", "-o", "/dev/stdout", "export.json", cwd=export)  # run_cli's stdout is a pipe
    assert r.returncode == 1, r.stderr
    assert json.loads(r.stdout)[0]["rule"] == "FL101"
    assert not _leftovers(export)


def test_symlink_target_is_replaced_and_link_kept(export):
    (export / "reports").mkdir()
    target = export / "reports" / "latest.sarif"
    target.write_text("old report")
    link = export / "report.sarif"
    link.symlink_to(os.path.join("reports", "latest.sarif"))
    r = run_cli("check", "--format", "sarif", "-o", "report.sarif", "export.json", cwd=export)
    assert r.returncode == 1, r.stderr
    assert link.is_symlink() and os.readlink(link) == os.path.join("reports", "latest.sarif")
    assert json.loads(target.read_text())["runs"][0]["results"][0]["ruleId"] == "FL101"
    assert not _leftovers(export) and not _leftovers(export / "reports")


def test_dangling_symlink_creates_its_target(export):
    link = export / "report.json"
    link.symlink_to("made-by-feedlint.json")
    r = run_cli("check", "--format", "json", "-o", "report.json", "export.json", cwd=export)
    assert r.returncode == 1, r.stderr
    assert link.is_symlink()
    assert json.loads((export / "made-by-feedlint.json").read_text())[0]["rule"] == "FL101"


NULL_DEVICE = os.makedev(1, 3) if hasattr(os, "makedev") else None  # Linux's null device (what /dev/null is); /dev/null itself is never used


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or NULL_DEVICE is None, reason="mknod of a character device needs root")
def test_device_node_is_written_through_not_replaced(export):
    dev = export / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, NULL_DEVICE)
    null = os.stat(dev)
    r = run_cli("check", "--format", "json", "-o", str(dev), "export.json", cwd=export)
    assert r.returncode == 1, r.stderr
    st = os.lstat(dev)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == null.st_rdev  # still the device node
    assert not _leftovers(export)
    # the baseline writer shares the same writer
    r = run_cli("baseline", "-o", str(dev), "export.json", cwd=export)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_baseline_through_fifo_and_symlink(export):
    fifo = export / "base.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = run_cli("baseline", "-o", str(fifo), "export.json", cwd=export)
    reader.join(timeout=60)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(got[0].decode())["format"] == "feedlint-baseline"
    (export / "real-base.json").write_text("{}")
    (export / "base.json").symlink_to("real-base.json")
    r = run_cli("baseline", "-o", "base.json", "export.json", cwd=export)
    assert r.returncode == 0, r.stderr
    assert (export / "base.json").is_symlink()
    assert json.loads((export / "real-base.json").read_text())["findings"][0]["rule"] == "FL101"


def test_directory_as_output_is_one_line_error(export):
    (export / "out").mkdir()
    r = run_cli("check", "-o", "out", "export.json", cwd=export)
    assert r.returncode == 2
    assert "feedlint: error: out: cannot write report" in r.stderr and "Traceback" not in r.stderr
    assert (export / "out").is_dir()
