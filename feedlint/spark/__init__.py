"""The Spark engine (``feedlint check --engine spark``): record rules in Spark executors, FL6xx as Spark aggregations.

:mod:`.splits` cuts the inputs into tasks on the driver, :mod:`.tasks` checks
a task in an executor (no pyspark import: it runs, and is tested, without
Spark), :mod:`.executor` (the third :class:`feedlint.executor.Executor`) puts the results back in file order.
The tasks' fact rows stay in Spark: :mod:`.factrows` types them (no pyspark
either), :mod:`.facts` makes the fact table a DataFrame, :mod:`.rowsets` its
row sets, and :mod:`.evaluator` answers the dataset expectations on them.
:mod:`.session` starts Spark; the modules that use pyspark import it lazily.
See docs/spark.md.
"""
