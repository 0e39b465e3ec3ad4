"""The Spark engine (``feedlint check --engine spark``): record rules in Spark executors.

:mod:`.splits` cuts the inputs into tasks on the driver, :mod:`.tasks` checks
a task in an executor (no pyspark import: it runs, and is tested, without
Spark), :mod:`.executor` (the third :class:`feedlint.executor.Executor`) puts the results back in file order, and
:mod:`.session` is the only module that imports pyspark.  See docs/spark.md.
"""
