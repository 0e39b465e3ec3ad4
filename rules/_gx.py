"""Great Expectations (GX) runner: one ephemeral context per lint run, one validation per rule and row set.

Imported only when a dataset rule has to run GX (``import great_expectations``
costs about 2 s).  The context keeps everything in memory (no ``gx/`` folder,
no temporary docs site) and has no progress bars; GX's logger is silenced
before the import so feedlint's stdout/stderr carry only feedlint's output.
With ``--data-docs DIR`` the context has one filesystem docs site at DIR.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import logging
import os
import sys
from typing import Any, Sequence

from feedlint.api import SetupError

from ._suite import Entry

SITE = "feedlint"


def available() -> bool:
    return importlib.util.find_spec("great_expectations") is not None


def _quiet() -> None:
    log = logging.getLogger("great_expectations")
    log.setLevel(logging.CRITICAL)
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())  # else logging.lastResort prints GX's tracebacks to stderr
    log.propagate = False
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


# Packages that ``import great_expectations`` loads for expectations feedlint's suites do not
# use (KL divergence: scipy.stats, altair charts): about 70 MB of a run's peak memory.
LAZY_PACKAGES = ("scipy", "altair")


class _LazyFinder:
    """While GX is imported, pure-Python modules of :data:`LAZY_PACKAGES` load on first attribute use.

    ``importlib.util.LazyLoader``: the module object exists at once (GX's
    ``import altair as alt`` succeeds), its code runs when something is looked
    up in it, so an expectation that needs scipy still gets the real thing.
    """

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name.partition(".")[0] not in LAZY_PACKAGES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None  # extension modules and anything unusual: the normal import
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


class _NoSpark:
    """While GX is imported, ``pyspark`` is not there (unless a Spark run already loaded it).

    GX imports pyspark when it is installed (``feedlint[spark]``) to offer its
    Spark data source, which feedlint's dataset stage does not use (it runs GX
    on pandas): that cost 0.1 s and a pandas-version warning on stderr, and
    under ``python -c`` pyspark's Spark Connect module ends the process when
    pyarrow is missing.  GX takes the ImportError as "pyspark not installed".
    """

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name.partition(".")[0] == "pyspark":
            raise ModuleNotFoundError(f"No module named {name!r} (not loaded for Great Expectations)", name=name)
        return None


def import_gx() -> Any:
    """``great_expectations``, imported quietly and without loading what feedlint does not use."""
    _quiet()
    if "great_expectations" in sys.modules:
        return sys.modules["great_expectations"]
    import warnings

    finder = _LazyFinder()
    sys.meta_path.insert(0, finder)
    no_spark = None if "pyspark" in sys.modules else _NoSpark()
    if no_spark is not None:
        sys.meta_path.insert(0, no_spark)
    try:
        with warnings.catch_warnings():  # GX imports pyspark when installed (feedlint[spark]): its pandas-version FutureWarning is not ours to show
            warnings.filterwarnings("ignore", category=FutureWarning, module=r"pyspark(\.|$)")
            import great_expectations
    finally:
        sys.meta_path.remove(finder)
        if no_spark is not None:
            sys.meta_path.remove(no_spark)
    return great_expectations


def spark_support() -> bool:
    """Whether the imported GX can validate Spark DataFrames (it was imported after pyspark; see :class:`_NoSpark`)."""
    import_gx()
    from great_expectations.compatibility import pyspark as compat
    from great_expectations.compatibility.not_imported import NotImported

    return not isinstance(compat.SparkSession, NotImported)


def file_condition(file_index: int) -> Any:
    import_gx()
    from great_expectations.expectations.row_conditions import Column

    return Column("_file_index") == file_index


class Context:
    """An ephemeral context: in-memory stores, no progress bars, only our docs site (if any)."""

    def __init__(self, docs_dir: str, spark: Any = None) -> None:
        """``spark``: a SparkSession: frames are Spark DataFrames (GX's Spark data source), their rows named by ``_pos``."""
        gx = import_gx()
        from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig

        sites = {}
        if docs_dir:
            sites[SITE] = {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": os.path.abspath(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),  # no temporary docs site under /tmp
            data_docs_sites=sites,
            progress_bars=ProgressBarsConfig(globally=False),  # TQDM_DISABLE is ignored by GX
            analytics_enabled=False,
        )
        self.gx = gx
        self.docs_dir = docs_dir
        self.ctx = gx.get_context(mode="ephemeral", project_config=config)
        self.names: set[str] = set()
        self.fresh: list[Any] = []  # identifiers of pages not rendered yet
        self.spark = spark
        source = self.ctx.data_sources.add_spark(name="feedlint") if spark is not None else self.ctx.data_sources.add_pandas(name="feedlint")
        self.batches = {name: source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(name="whole") for name in ("records", "attachments")}

    def _expectations(self, expanded: Sequence[tuple[Entry, dict[str, Any], int | None]]) -> list[Any]:
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        built, errors = [], []
        for n, (entry, kwargs, file_index) in enumerate(expanded):
            meta = {**entry.meta, "feedlint_run": {"n": n, "file": file_index}}  # results come back out of order
            try:
                built.append(ExpectationConfiguration(**{**entry.gx_dict(), "kwargs": kwargs, "meta": meta}).to_domain_obj())
            except Exception as exc:  # noqa: BLE001 - ExpectationNotFoundError, pydantic errors: all the user's to fix
                errors.append(f"{entry.where}: {type(exc).__name__}: {' '.join(str(exc).split())}")
        if errors:
            raise SetupError("invalid expectation(s): " + "; ".join(errors))
        return built

    def validate(self, suite_name: str, table_name: str, frame: Any, expanded: Sequence[tuple[Entry, dict[str, Any], int | None]], params: dict[str, Any]) -> list[Any]:
        """Validate ``frame``; the GX results as ``(n, ExpectationValidationResult)`` (n: index in ``expanded``)."""
        gx = self.gx
        name = f"{suite_name}-{table_name}"
        while name in self.names:
            name += "-again"
        self.names.add(name)
        suite = self.ctx.suites.add(gx.ExpectationSuite(name=name, expectations=self._expectations(expanded)))
        vd = self.ctx.validation_definitions.add(gx.ValidationDefinition(name=name, data=self.batches[table_name], suite=suite))
        res = vd.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=params,
            result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False, **({"unexpected_index_column_names": ["_pos"]} if self.spark is not None else {})},
        )
        if self.docs_dir:
            from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

            run_id = res.meta["run_id"]
            self.fresh.extend(k for k in self.ctx.validation_results_store.list_keys() if k.run_id == run_id)
            self.fresh.append(ExpectationSuiteIdentifier(name=name))
        return [(er.expectation_config.meta["feedlint_run"]["n"], er) for er in res.results]

    def write_docs(self) -> None:
        """Render this rule's new pages; the index lists every page already in the site directory."""
        if self.docs_dir and self.fresh:
            self.ctx.build_data_docs(site_names=[SITE], resource_identifiers=list(self.fresh))
            self.fresh = []


def exception_message(er: Any) -> str | None:
    """GX nests the message one level deeper when a metric (e.g. a missing column) failed."""
    info = er.exception_info or {}
    if info.get("raised_exception"):
        return info.get("exception_message") or "failed"
    msgs = [v.get("exception_message") for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    return "; ".join(m for m in msgs if m) or None
