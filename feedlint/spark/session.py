"""The one module that imports pyspark: the session, and Spark failures in words.

``pyspark`` is imported only when a run uses the Spark engine (starting the
JVM takes seconds; ``feedlint check`` alone must start fast).  A session
already running in this process (``spark-submit``, a notebook, the tests) is
used as it is; otherwise one is made for the master given (``local[*]`` by
default) with its JVM's console output (log lines, progress bars) sent to a
log file, so that stderr keeps feedlint's one-line messages.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass
from typing import Any


class SparkUnavailable(Exception):
    """pyspark is not installed, or no JVM could be started: a usage error (exit 2)."""


@dataclass
class Session:
    spark: Any  # the SparkSession
    owned: bool  # made here: stopped at the end of the run
    log: str | None = None  # where the JVM's console output went
    home: str | None = None  # the JVM's working directory (made here, removed with the session)

    @property
    def context(self) -> Any:
        return self.spark.sparkContext

    def close(self, keep_log: bool = False) -> None:
        if self.owned:
            try:
                self.spark.stop()
            except Exception:  # noqa: BLE001, S110 - a JVM already gone has nothing left to stop
                pass
        if self.log and not keep_log:
            try:
                os.unlink(self.log)
            except OSError:
                pass
        if self.home:
            import shutil

            shutil.rmtree(self.home, ignore_errors=True)


def open_session(master: str | None, conf: dict[str, str] | None = None) -> Session:
    """The running session, or a new one for ``master`` (None: spark-submit's, else ``local[*]``).

    A new session's JVM runs in a directory of its own: a local executor's
    Python worker starts in the JVM's directory, and there a source checkout's
    ``feedlint/`` would shadow the installed package (tasks carry absolute
    paths); Spark's own files (``spark-warehouse``) do not land in the user's
    directory either.
    """
    import warnings

    try:
        with warnings.catch_warnings():  # pyspark's "pandas >= 3 not fully supported" on import: nothing feedlint uses
            warnings.simplefilter("ignore", FutureWarning)
            from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("the Spark engine needs pyspark: pip install 'feedlint[spark]'") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return Session(active, owned=False)
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # launched by spark-submit: its --master unless one is given
    master = master or (None if submitted else "local[*]")
    builder = SparkSession.builder.appName("feedlint").config("spark.ui.showConsoleProgress", "false")
    if master:
        builder = builder.master(master)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    if master and master.startswith("local"):
        # Executors are this process's children: the same Python (the one feedlint is installed in), no web UI.
        # pyspark takes the executors' Python from PYSPARK_PYTHON when the context is made (default: python3 on PATH).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.ui.enabled", "false")
        cores = re.match(r"local\[(\d+)", master)
        # the dataset stage's shuffles: a few partitions per core, not Spark's 200 (each a task on this machine)
        builder = builder.config("spark.sql.shuffle.partitions", str(2 * (int(cores.group(1)) if cores else os.cpu_count() or 2)))
    home = None if submitted else tempfile.mkdtemp(prefix="feedlint-spark-")
    log = None if submitted else tempfile.NamedTemporaryFile(prefix="feedlint-spark-", suffix=".log", delete=False)
    saved = None
    here = os.getcwd()
    if log is not None:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(log.fileno(), 2)  # the JVM inherits this stderr for good
    try:
        if home is not None:
            os.chdir(home)  # the JVM inherits this directory
        spark = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - no Java, a bad master URL: one line, not a JVM trace
        raise SparkUnavailable(f"cannot start Spark (master {master or 'from spark-submit'}): {first_line(exc)}" + (f"; Spark's log: {log.name}" if log else "")) from None
    finally:
        os.chdir(here)
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)
        if log is not None:
            log.close()
    return Session(spark, owned=True, log=log.name if log else None, home=home)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


_PY_ERROR = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)): (.*)$", re.M)


def failure_reason(exc: BaseException) -> str:
    """A Spark job failure in a few words: the Python error of the task, a lost worker or executor."""
    text = str(exc)
    if "Python worker exited unexpectedly" in text or "crashed" in text and "Python worker" in text:
        return "the executor's Python worker exited unexpectedly (crashed)"
    if "ExecutorLostFailure" in text:
        return "executor lost"
    trace = text.split("Traceback (most recent call last):", 1)
    if len(trace) == 2:
        found = _PY_ERROR.findall(trace[1])
        if found:
            name, message = found[-1]
            return f"{name.rsplit('.', 1)[-1]}: {message.strip()[:200]}"
    m = re.search(r"most recent failure: (.*)", text)
    return (m.group(1) if m else first_line(exc))[:300]


def is_spark_failure(exc: BaseException) -> bool:
    """A failure reported by Spark (a task or job failed), as opposed to a bug on the driver."""
    try:
        from py4j.protocol import Py4JError
    except ImportError:  # pragma: no cover - pyspark depends on py4j
        return False
    if isinstance(exc, Py4JError):
        return True
    return type(exc).__module__.startswith("pyspark.errors")
