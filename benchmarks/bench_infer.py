"""Benchmark: schema inference from a 10M-row, 20-column Spark table, sampled vs full.

Generates the table once with ``spark.range`` + expressions and writes it to parquet under
``/tmp`` (reused on later runs), then times, on that parquet table:

* a plain ``count()`` (the baseline: the cheapest full action Spark has; parquet answers it
  without decoding any column),
* a scan of every column (a no-op write: the floor for anything that reads all the values),
* ``infer_schema_report(df, mode="sampled")`` (default ``max_rows``),
* ``infer_schema_report(df, mode="full")``,

and prints each time relative to ``count()`` plus the number of Spark jobs each ran.
Columns read back from parquet are all nullable, so every column and struct field is probed.

Run:  python benchmarks/bench_infer.py [--rows 10000000] [--repeats 2] [--path /tmp/...]
"""

from __future__ import annotations

import argparse
import time
import uuid
from pathlib import Path

from pyspark.sql import functions as F

from sparksig.spark import get_session
from sparksig.spark.infer import infer_schema_report


def build_table(spark, rows: int):
    """20 columns: 12 numeric (some with rare nulls), 4 strings, 2 structs, 2 arrays."""
    i = F.col("id")
    rare = lambda k: (i % 1_000_003) == k  # noqa: E731 - about 10 nulls per 10M rows
    cols = [
        i.alias("c00_id"),
        (i * 2).alias("c01_long"),
        F.when(rare(1), None).otherwise(i * 3).alias("c02_long_rare_null"),
        (i % 100).cast("int").alias("c03_int"),
        (i / 7).alias("c04_double"),
        F.when(rare(2), None).otherwise(i / 3).alias("c05_double_rare_null"),
        (i % 2 == 0).alias("c06_bool"),
        (i % 1000).cast("short").alias("c07_short"),
        (i * 0.5).cast("float").alias("c08_float"),
        F.when(i % 10 == 0, None).otherwise(i).alias("c09_long_10pct_null"),
        (i % 97).cast("decimal(10,2)").alias("c10_decimal"),
        F.timestamp_seconds(i % 100_000_000).alias("c11_ts"),
        F.concat(F.lit("user_"), (i % 5000).cast("string")).alias("c12_str"),
        F.when(rare(3), None).otherwise(F.lit("x")).alias("c13_str_rare_null"),
        F.sha2((i % 1000).cast("string"), 256).alias("c14_hash"),
        F.lit("constant").alias("c15_const"),
        F.struct((i % 10).alias("a"), F.when(rare(4), None).otherwise(F.lit("b")).alias("b")).alias(
            "c16_struct"
        ),
        F.struct((i / 2).alias("x"), F.struct((i % 3).alias("deep")).alias("inner")).alias(
            "c17_nested_struct"
        ),
        F.array(i % 5, i % 7, i % 11).alias("c18_array_long"),
        F.array(F.struct((i % 3).alias("k"), F.when(rare(5), None).otherwise(i).alias("v"))).alias(
            "c19_array_struct"
        ),
    ]
    return spark.range(rows, numPartitions=8).select(*cols)


def jobs_and_seconds(spark, fn):
    sc = spark.sparkContext
    group = f"bench-{uuid.uuid4().hex}"
    sc.setJobGroup(group, group)
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    jobs = len(sc.statusTracker().getJobIdsForGroup(group))
    sc.setLocalProperty("spark.jobGroup.id", None)
    return result, seconds, jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=2, help="best of N per measurement")
    parser.add_argument(
        "--path", default=None, help="parquet dir (default /tmp/sparksig_bench_<rows>)"
    )
    args = parser.parse_args()

    spark = get_session()
    path = Path(args.path or f"/tmp/sparksig_bench_infer_{args.rows}")
    if not (path / "_SUCCESS").exists():
        print(f"writing {args.rows:,} rows x 20 columns to {path} ...", flush=True)
        t = time.perf_counter()
        build_table(spark, args.rows).write.mode("overwrite").parquet(str(path))
        print(f"  written in {time.perf_counter() - t:.1f} s", flush=True)
    df = spark.read.parquet(str(path))
    assert len(df.columns) == 20

    df.count()  # warm up: JIT, file listing, OS cache
    infer_schema_report(df, mode="sampled", seed=0)

    measurements = {
        "count()": lambda: df.count(),
        "scan all cols": lambda: df.write.format("noop").mode("overwrite").save(),
        "infer sampled": lambda: infer_schema_report(df, mode="sampled", seed=1),
        "infer full": lambda: infer_schema_report(df, mode="full"),
    }
    results = {}
    for name, fn in measurements.items():
        runs = [jobs_and_seconds(spark, fn) for _ in range(args.repeats)]
        best = min(runs, key=lambda r: r[1])
        results[name] = best

    base = results["count()"][1]
    print()
    print(
        f"table: {args.rows:,} rows x 20 columns (parquet, all columns nullable), "
        f"master {spark.sparkContext.master}, best of {args.repeats}"
    )
    print(f"{'path':<15} {'seconds':>8} {'x count()':>10} {'jobs':>5}  rows read")
    for name, (result, seconds, jobs) in results.items():
        read = (
            f"{result.rows_checked:,} ({result.mode})"
            if hasattr(result, "rows_checked")
            else (f"{result:,}" if result is not None else f"{args.rows:,}")
        )
        print(f"{name:<15} {seconds:8.2f} {seconds / base:10.2f} {jobs:5d}  {read}")
    full = results["infer full"][0]
    print()
    print("nulls found (full):", ", ".join(full.null_paths))
    sampled = results["infer sampled"][0]
    print("nulls found (sampled):", ", ".join(sampled.null_paths) or "-")


if __name__ == "__main__":
    main()
