"""Shared bench data: a generated table written once to Parquet under the temp dir."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from pyspark.sql import functions as F

import sparksig as ss

BENCH_DIR = Path(
    os.environ.get("SPARKSIG_BENCH_DIR", Path(tempfile.gettempdir()) / "sparksig-bench")
)

SIGNATURE_INPUTS = ss.Schema(
    [
        ss.ColSpec("long", "a"),
        ss.ColSpec("double", "b"),
        ss.ColSpec("integer", "c"),
        ss.ColSpec("float", "d"),
        ss.ColSpec("string", "s"),
        ss.ColSpec(ss.Array("double"), "arr"),
        ss.ColSpec(
            ss.Object(
                [ss.Property("x", "double"), ss.Property("y", "long"), ss.Property("z", "string")]
            ),
            "obj",
        ),
    ]
)
COLUMNS = [c.name for c in SIGNATURE_INPUTS.inputs]


def table(spark, rows: int, array_len: int = 16):
    """4 numeric, 1 string, array<double>(array_len), 3-property struct; cached on disk."""
    path = BENCH_DIR / f"table_{rows}_{array_len}.parquet"
    if not path.exists():
        started = time.perf_counter()
        df = spark.range(rows).select(
            F.col("id").alias("a"),
            (F.rand(1) * 100).alias("b"),
            (F.col("id") % 1000).cast("int").alias("c"),
            F.rand(2).cast("float").alias("d"),
            F.concat(F.lit("k"), (F.col("id") % 97).cast("string")).alias("s"),
            F.transform(F.sequence(F.lit(1), F.lit(array_len)), lambda i: i * F.rand(3)).alias(
                "arr"
            ),
            F.struct(
                F.rand(4).alias("x"), (F.col("id") * 3).alias("y"), F.lit("zz").alias("z")
            ).alias("obj"),
        )
        df.write.mode("overwrite").parquet(str(path))
        print(f"# wrote {rows:,} rows to {path} in {time.perf_counter() - started:.1f}s")
    return spark.read.parquet(str(path))


def timed(label: str, action, repeat: int = 3) -> float:
    """Best of ``repeat`` wall-clock runs of ``action()``, after one untimed warm-up run."""
    action()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    print(f"{label:<52} {best:8.2f} s")
    return best


def timed_together(actions: dict, repeat: int = 3) -> dict[str, float]:
    """Median wall-clock seconds of each action, the actions run in turn (rotating the order
    every round, after one untimed warm-up round) so that a slow spell of the machine hits
    every one of them alike; prints the best and the median of each."""
    import statistics

    for action in actions.values():
        action()
    times: dict[str, list[float]] = {label: [] for label in actions}
    labels = list(actions)
    for round_ in range(repeat):
        shift = round_ % len(labels)
        for label in labels[shift:] + labels[:shift]:
            started = time.perf_counter()
            actions[label]()
            times[label].append(time.perf_counter() - started)
    medians = {}
    for label, taken in times.items():
        medians[label] = statistics.median(taken)
        print(f"{label:<52} {medians[label]:8.2f} s median  {min(taken):8.2f} s best")
    return medians


def noop_write(df) -> None:
    df.write.format("noop").mode("overwrite").save()
