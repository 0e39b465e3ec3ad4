"""The fact table's two row sets as Spark DataFrames, as the expectations see them (``rules/_facts_rows``).

``records``: the rows of real records (JSON objects), the article key kept only
on the first row of each (portal, content id, key) -- a repeat under the same
id is FL601's, not FL602's (a window per triple); ``attachments``: one row per
distinct attachment token of a record, at its first index (``posexplode`` of
the record's tokens, a window per record and token).  Each is made once per run
(``SparkFacts.memo``).
"""

from __future__ import annotations

from typing import Any, Sequence

ATTACHMENT_COLUMNS = ("_row", "_file_index", "portal_id", "content_id", "attach_index", "token")  # as rules/_facts_rows


def pyspark_sql() -> tuple[Any, Any]:
    from pyspark.sql import Window, functions as F

    return F, Window


def records_frame(facts: Any) -> Any:
    """Rows of real records (JSON objects), as ``_facts_rows.object_rows``."""
    def build() -> Any:
        F, _ = pyspark_sql()
        flag = facts.name("is_object")
        frame = facts.frame()
        return frame.limit(0) if flag is None else frame.filter(F.col(flag))

    return facts.memo("spark:records", build)


def article_records(facts: Any) -> Any:
    """``records`` with the article key only on the first row of each (portal, content id, key) (``_facts_rows``: a repeat under the same id is FL601's)."""
    def build() -> Any:
        from pyspark import StorageLevel

        F, Window = pyspark_sql()
        records = records_frame(facts)
        key = facts.name("article_key")
        if key is None:
            return records
        by = [F.col(c) for c in (facts.name("portal_id"), facts.name("content_id")) if c is not None] + [F.col(key)]
        first = F.row_number().over(Window.partitionBy(*by).orderBy("_row")) == 1
        kept = records.withColumn(key, F.when(F.col(key).isNull() | first, F.col(key)).otherwise(F.lit(None).cast("string")))
        return kept.persist(StorageLevel.MEMORY_AND_DISK)

    return facts.memo("spark:records-article", build)


def attachments_frame(facts: Any) -> Any:
    """One row per distinct attachment token of a record, at its first index (``_facts_rows._attachment_columns``)."""
    def build() -> Any:
        F, Window = pyspark_sql()
        records = records_frame(facts)
        tokens = facts.name("attach_tokens")
        named = [F.col(c) if c is not None else F.lit(None) for c in (facts.name("portal_id"), facts.name("content_id"))]
        if tokens is None:
            parts = records.limit(0).select("*", F.lit(0).alias("_pos"), F.lit("").alias("_part"))
        else:
            parts = records.filter(F.col(tokens).isNotNull() & (F.col(tokens) != "")).select("*", F.posexplode(F.split(F.col(tokens), r"\|", -1)).alias("_pos", "_part"))
        rows = parts.select(
            "_row", "_file_index", "_record", "_blob", named[0].alias("portal_id"), named[1].alias("content_id"), "_pos",
            F.substring_index("_part", ":", 1).cast("long").alias("attach_index"),
            F.expr("substring(_part, instr(_part, ':') + 1)").alias("token"),
        )
        first = F.row_number().over(Window.partitionBy("_row", "token").orderBy("_pos"))  # a token twice in a record: once
        return rows.withColumn("_first", first).filter(F.col("_first") == 1).drop("_pos", "_first")

    return facts.memo("spark:attachments", build)


def row_set(facts: Any, name: str, columns: Sequence[str] = ()) -> Any:
    if name == "attachments":
        return attachments_frame(facts)
    return article_records(facts) if "article_key" in columns else records_frame(facts)


def domain_counts(facts: Any, name: str) -> dict[int, int]:
    """Rows of a row set per export (the exports of ``records`` are the per-file entries' domains)."""
    def build() -> dict[int, int]:
        return {int(r[0]): int(r[1]) for r in row_set(facts, name).groupBy("_file_index").count().collect()}

    return facts.memo(f"spark:counts:{name}", build)
