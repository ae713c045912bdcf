"""The table both tiers check, its contract, and answers worked out with plain PySpark.

Nothing here calls sparksig's Spark API: the expected values come from Spark's own
``filter(... isNull()).count()`` on the same rows.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import functions as F

from sparksig import Array, ColSpec, Object, Property, Schema

ROWS = 20_000
PARTITIONS = 8

# The table's contract: amount and addr.city are required (and hold planted nulls).
SCHEMA = Schema(
    [
        ColSpec("long", "id"),
        ColSpec("double", "amount"),
        ColSpec("string", "note", required=False),
        ColSpec(
            Object([Property("city", "string"), Property("zip", "string", required=False)]), "addr"
        ),
        ColSpec(Array("double"), "tags"),
    ]
)
REQUIRED_WITH_NULLS = ("amount", "addr.city")
SCORING_INPUTS = Schema([ColSpec("long", "id"), ColSpec(Array("double"), "tags")])


def make_table(spark):
    """20,000 rows in 8 partitions with nulls planted by id (plain Spark, cheap to recompute)."""
    id_ = F.col("id")
    return spark.range(0, ROWS, numPartitions=PARTITIONS).select(
        id_,
        F.when(id_ % 97 == 5, None).otherwise(id_ * 1.5).alias("amount"),
        F.when(id_ % 3 == 0, None)
        .otherwise(F.concat(F.lit("n"), id_.cast("string")))
        .alias("note"),
        F.struct(
            F.when(id_ % 101 == 7, None).otherwise(F.lit("Oslo")).alias("city"),
            F.when(id_ % 2 == 1, None).otherwise(F.lit("0150")).alias("zip"),
        ).alias("addr"),
        F.array(id_ * 0.5, id_ * 0.25).alias("tags"),
    )


def nulls(df, path: str) -> int:
    """Rows where ``path`` (a column or ``struct.field``) is null."""
    return df.filter(F.col(path).isNull()).count()


def expected_schema(df) -> Schema:
    """The schema full inference must find: SCHEMA's types, required where no null occurs."""
    return Schema(
        [
            ColSpec("long", "id", required=nulls(df, "id") == 0),
            ColSpec("double", "amount", required=nulls(df, "amount") == 0),
            ColSpec("string", "note", required=nulls(df, "note") == 0),
            ColSpec(
                Object(
                    [
                        Property("city", "string", required=nulls(df, "addr.city") == 0),
                        Property("zip", "string", required=nulls(df, "addr.zip") == 0),
                    ]
                ),
                "addr",
            ),
            ColSpec(Array("double"), "tags", required=nulls(df, "tags") == 0),
        ]
    )


def expected_rejected_ids(df) -> list[int]:
    """Ids of the rows a strict check of SCHEMA must reject."""
    bad = df.filter(F.col("amount").isNull() | F.col("addr.city").isNull())
    return sorted(r.id for r in bad.select("id").collect())


def expected_nested_rejected_ids(df) -> list[int]:
    """Ids of the rows scoring must reject: a null in a required nested field (addr.city).

    Scoring follows MLflow for top-level nulls (a null amount still reaches the model).
    """
    bad = df.filter(F.col("addr.city").isNull())
    return sorted(r.id for r in bad.select("id").collect())


def expected_predictions(df) -> list[tuple[int, float]]:
    """What :func:`twice_id_plus_first_tag` predicts, computed by Spark."""
    rows = df.select("id", (F.col("id") * 2.0 + F.col("tags")[0]).alias("p")).collect()
    return sorted((r.id, r.p) for r in rows)


def twice_id_plus_first_tag(model_input: pd.DataFrame) -> pd.Series:
    """The scoring tiers' model (imported by the executors, so defined in a module)."""
    return model_input["id"] * 2.0 + model_input["tags"].map(lambda tags: tags[0])
