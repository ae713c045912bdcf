"""The native engine against its baselines, side by side in one run (medians of --repeat).

Tables (3M rows by default, Parquet, cached under the temp dir): *flat* = 4 numeric + 1
string column; *nested* = flat + array<double>(16) + a 3-property struct; *files* = the
nested table in 120 files. Measured:

- validate(full) native and arrow vs a plain scan of the same columns (``noop`` write); the
  nested fields are declared nullable, so every nested null check runs;
- pandera's pyspark backend on the same tables (top-level types and nullability: it does not
  look inside arrays or structs), when ``pandera[pyspark]`` is installed;
- write_quarantine vs a plain Parquet copy of the table, clean (one pass: the footers show
  every row passed) and with 1% of its rows rejected (the rejected half is read for);
- validate(sampled, sampling="files", fraction=0.01) vs validate(full) on the 120-file table;
- score(on_error="quarantine") vs spark_udf on clean data (an identity model), the same
  with 1% of the rows rejected (against spark_udf on the clean table: it refuses the nulls),
  and score(on_error="raise") (the same checks, no exactly-once checkpoint) for comparison.

Each group of actions runs in turn, round after round (the order rotating), and the ratios
are of medians: this machine has slow spells, and they must not fall on one side only.

    python benchmarks/bench_native.py [--rows 3000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from _data import BENCH_DIR, COLUMNS, SIGNATURE_INPUTS, noop_write, table, timed_together
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss

FLAT = COLUMNS[:5]


def _pandera(flat: bool):
    try:
        import pandera.pyspark as pa
    except ImportError:
        return None
    from pyspark.sql import types as T

    types = {
        "a": T.LongType(),
        "b": T.DoubleType(),
        "c": T.IntegerType(),
        "d": T.FloatType(),
        "s": T.StringType(),
        "arr": T.ArrayType(T.DoubleType()),
        "obj": T.StructType(
            [
                T.StructField("x", T.DoubleType()),
                T.StructField("y", T.LongType()),
                T.StructField("z", T.StringType()),
            ]
        ),
    }
    names = FLAT if flat else COLUMNS
    # pandera's pyspark engine does not understand struct types: that column is checked for
    # nulls only (dtype None); it never looks inside arrays or structs.
    return pa.DataFrameSchema(
        {n: pa.Column(None if n == "obj" else types[n], nullable=False) for n in names}
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    spark = sss.get_session()
    # Every nested field declared nullable, so every null check really runs (Spark-written
    # Parquet keeps non-null nested flags, which the native engine trusts and skips).
    nullable = BENCH_DIR / f"nullable_{args.rows}.parquet"
    if not nullable.exists():
        table(spark, args.rows).select(
            *FLAT,
            F.col("arr").cast("array<double>").alias("arr"),
            F.col("obj").cast("struct<x:double,y:bigint,z:string>").alias("obj"),
        ).write.parquet(str(nullable))
    base = spark.read.parquet(str(nullable))
    print(f"rows: {args.rows:,}  cores: {os.cpu_count()}  spark {spark.version}")
    ratios: dict[str, tuple[float, str]] = {}

    for kind, names in (("flat", FLAT), ("nested", COLUMNS)):
        df = base.select(*names)
        schema = ss.Schema([SIGNATURE_INPUTS[n] for n in names])
        actions = {
            f"[{kind}] plain scan (noop write)": lambda df=df: noop_write(df),
            f"[{kind}] validate(full) native": lambda df=df, s=schema: sss.validate(df, s),
            f"[{kind}] validate(full) arrow": lambda df=df, s=schema: sss.validate(
                df, s, engine="arrow"
            ),
        }
        pandera = _pandera(kind == "flat")
        if pandera is not None:
            actions[f"[{kind}] pandera pyspark validate"] = lambda df=df, p=pandera: (
                p.validate(df).pandera.errors
            )
        took = list(timed_together(actions, args.repeat).values())
        ratios[f"[{kind}] native / scan"] = (took[1] / took[0], "<= 1.5x")
        ratios[f"[{kind}] arrow / scan"] = (took[2] / took[0], "reference")
        if pandera is not None:
            ratios[f"[{kind}] native / pandera"] = (took[1] / took[3], "< 1 (faster)")

    # The same table with 1% of the rows rejected (a null in required column a): the
    # rejected half must then be read for, where on the clean table the footers show that
    # every row passed and it is written empty (one pass).
    dirty_path = BENCH_DIR / f"dirty1pct_{args.rows}.parquet"
    if not dirty_path.exists():
        base.withColumn(
            "a", F.when(F.col("a") % 100 == 0, F.lit(None)).otherwise(F.col("a"))
        ).write.parquet(str(dirty_path))
    dirty = spark.read.parquet(str(dirty_path))
    copy_dir = tempfile.mkdtemp(prefix="sparksig-bench-copy-")
    # (label suffix, frame, ratio name, target): each frame's copy and write_quarantine.
    # rand() in an undeclared column makes the plan non-deterministic and is dropped from the
    # valid half: the checkpoint strategy; rand() in a declared column keeps the valid half the
    # table's own columns: one partitioned write (one_pass)
    cases = [
        (" (valid + rejected)", base, "write_quarantine / copy", "<= 1.3x"),
        (", 1% bad rows", dirty, "write_quarantine / copy, 1% bad rows", "<= 1.3x"),
        (
            ", rand() column",
            base.withColumn("noise", F.rand()),
            "write_quarantine / copy, non-det.",
            "<= 1.5x",
        ),
        (
            ", rand() in b",
            base.withColumn("b", F.rand() * 100),
            "write_quarantine / copy, non-det. one_pass",
            "<= 1.5x",
        ),
    ]

    def copy_of(frame, n):
        return lambda: frame.write.mode("overwrite").parquet(os.path.join(copy_dir, f"copy{n}"))

    def quarantine_of(frame, n):
        return lambda: sss.write_quarantine(
            frame, SIGNATURE_INPUTS, os.path.join(copy_dir, f"q{n}"), if_exists="overwrite"
        )

    actions = {}
    for n, (suffix, frame, _, _) in enumerate(cases):
        actions[f"plain Parquet copy{suffix if n else ''}"] = copy_of(frame, n)
        actions[f"write_quarantine{suffix}"] = quarantine_of(frame, n)
    try:
        took = list(timed_together(actions, args.repeat).values())
        for n, (_, _, name, target) in enumerate(cases):
            ratios[name] = (took[2 * n + 1] / took[2 * n], target)
    finally:
        shutil.rmtree(copy_dir, ignore_errors=True)

    many = BENCH_DIR / f"files_{args.rows}.parquet"
    if not many.exists():
        base.repartition(120).write.parquet(str(many))
    files = spark.read.parquet(str(many))
    report = {}

    def sampled():
        report["r"] = sss.validate(
            files, SIGNATURE_INPUTS, mode="sampled", sampling="files", fraction=0.01, seed=1
        )

    full, took = timed_together(
        {
            "[120 files] validate(full)": lambda: sss.validate(files, SIGNATURE_INPUTS),
            "[120 files] validate(sampled, files, 0.01)": sampled,
        },
        args.repeat,
    ).values()
    print(f"   sample: {report['r'].scope}")
    ratios["files sample / full"] = (took / full, "<= 0.1x")

    signature = ss.ModelSignature(SIGNATURE_INPUTS, ss.Schema([ss.ColSpec("long")]))

    def model(frame):
        return frame["a"]

    udf = sss.spark_udf(spark, model, signature, result_type="bigint")

    def quarantine_score():
        scored, rejected = sss.score(
            base, model, signature, on_error="quarantine", result_type="bigint"
        )
        noop_write(scored)
        noop_write(rejected)

    def quarantine_score_dirty():
        # strict_nulls: score lets nulls through to the model by default, as MLflow does
        scored, rejected = sss.score(
            dirty, model, signature, on_error="quarantine", result_type="bigint", strict_nulls=True
        )
        noop_write(scored)
        noop_write(rejected)

    plain, scored, dirty_scored, checked = timed_together(
        {
            "spark_udf on clean data": lambda: noop_write(base.withColumn("p", udf())),
            "score(on_error='quarantine') on clean data": quarantine_score,
            # spark_udf itself refuses the nulls of the dirty table: the clean run is the base
            "score(on_error='quarantine'), 1% bad rows": quarantine_score_dirty,
            # the same checks without the exactly-once checkpoint: what the checkpoint costs
            "score(on_error='raise') on clean data": lambda: noop_write(
                sss.score(base, model, signature, result_type="bigint")
            ),
        },
        args.repeat,
    ).values()
    ratios["score(quarantine) / spark_udf"] = (scored / plain, "<= 1.1x")
    ratios["score(quarantine), 1% bad / spark_udf"] = (dirty_scored / plain, "<= 1.3x")
    ratios["score(raise) / spark_udf"] = (checked / plain, "the checks alone")

    print()
    for label, (ratio, target) in ratios.items():
        print(f"{label:<36} {ratio:6.2f}x   (target {target})")


if __name__ == "__main__":
    main()
