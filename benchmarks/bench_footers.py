"""Footer-answered validation and the file sample against validate(full), at 3M and 30M rows.

Tables (Parquet, 120 files each, written once under the temp dir and reused): 4 numeric
columns, a string, a timestamp, array<double>(8) and a 3-property struct, every column
nullable (so each null check really runs, and the footers record null counts). Measured
side by side in one run, medians of --repeat rotating rounds:

- ``validate(sampling="metadata")`` on the flat columns (nullability and the timestamp
  range, all answered from footers) vs ``validate(full)`` of the same signature;
- the same on the whole signature (the nested checks scanned, the flat ones from footers);
- ``validate(mode="sampled", sampling="files", fraction=0.01)`` vs ``validate(full)``.

    python benchmarks/bench_footers.py [--rows 3000000 30000000] [--repeat 5]
    python benchmarks/bench_footers.py --build-only      # write the tables and stop
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _data import BENCH_DIR, timed_together
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss

FILES = 120
ARRAY_LEN = 8
FLAT = ss.Schema(
    [
        ss.ColSpec("long", "a"),
        ss.ColSpec("double", "b"),
        ss.ColSpec("integer", "c"),
        ss.ColSpec("float", "d"),
        ss.ColSpec("string", "s"),
        ss.ColSpec("datetime", "t"),
    ]
)
WHOLE = ss.Schema(
    [
        *FLAT.inputs,
        ss.ColSpec(ss.Array("double"), "arr"),
        ss.ColSpec(
            ss.Object(
                [ss.Property("x", "double"), ss.Property("y", "long"), ss.Property("z", "string")]
            ),
            "obj",
        ),
    ]
)


def table_path(rows: int):
    return BENCH_DIR / f"footers_{rows}_{FILES}.parquet"


def table(spark, rows: int):
    """The ``rows``-row table in 120 files (one per range partition: no shuffle)."""
    path = table_path(rows)
    if not (path / "_SUCCESS").exists():
        shutil.rmtree(path, ignore_errors=True)
        started = time.perf_counter()
        free = shutil.disk_usage(BENCH_DIR.parent).free
        need = rows * 160  # bytes per row on disk, measured on the 3M table, with room
        if free < 2 * need:
            raise SystemExit(f"not enough free disk under {BENCH_DIR.parent}: {free:,} bytes")
        on = F.col("id") >= 0  # always true, but makes every column nullable
        # Spark writes timestamps as INT96 by default, whose footers hold no min/max
        spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        spark.range(0, rows, 1, FILES).select(
            F.when(on, F.col("id")).alias("a"),
            F.when(on, F.rand(1) * 100).alias("b"),
            F.when(on, (F.col("id") % 1000).cast("int")).alias("c"),
            F.when(on, F.rand(2).cast("float")).alias("d"),
            F.when(on, F.concat(F.lit("k"), (F.col("id") % 97).cast("string"))).alias("s"),
            F.when(on, F.timestamp_seconds(F.lit(1_600_000_000) + F.col("id") % 10_000_000)).alias(
                "t"
            ),
            F.when(
                on,
                F.transform(F.sequence(F.lit(1), F.lit(ARRAY_LEN)), lambda i: i * F.rand(3)),
            )
            .cast("array<double>")
            .alias("arr"),
            F.when(
                on,
                F.struct(
                    F.rand(4).alias("x"), (F.col("id") * 3).alias("y"), F.lit("zz").alias("z")
                ),
            )
            .cast("struct<x:double,y:bigint,z:string>")
            .alias("obj"),
        ).write.parquet(str(path))
        spark.conf.unset("spark.sql.parquet.outputTimestampType")
        print(f"# wrote {rows:,} rows to {path} in {time.perf_counter() - started:.1f}s")
    return spark.read.parquet(str(path))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[3_000_000, 30_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    spark = sss.get_session()
    frames = {rows: table(spark, rows) for rows in args.rows}
    if args.build_only:
        return
    print(f"cores: {os.cpu_count()}  spark {spark.version}  files per table: {FILES}")
    ratios: dict[str, tuple[float, str]] = {}
    for rows, df in frames.items():
        print(f"\n## {rows:,} rows")
        reports = {}

        def run(key, fn, *a, reports=reports, **kw):
            def action():
                reports[key] = fn(*a, **kw)

            return action

        took = timed_together(
            {
                f"[{rows:,}] validate(full) flat": run("full", sss.validate, df, FLAT),
                f"[{rows:,}] validate(metadata) flat": run(
                    "footers", sss.validate, df, FLAT, sampling="metadata"
                ),
                f"[{rows:,}] validate(full) whole": run("whole", sss.validate, df, WHOLE),
                f"[{rows:,}] validate(metadata) whole": run(
                    "footers_whole", sss.validate, df, WHOLE, sampling="metadata"
                ),
                f"[{rows:,}] validate(sampled, files, 0.01) whole": run(
                    "files",
                    sss.validate,
                    df,
                    WHOLE,
                    mode="sampled",
                    sampling="files",
                    fraction=0.01,
                    seed=1,
                ),
            },
            args.repeat,
        )
        full, footers, whole, footers_whole, files = took.values()
        print(f"   metadata flat:  {reports['footers'].answered_summary}")
        print(f"   metadata whole: {reports['footers_whole'].answered_summary}")
        print(f"   files sample:  {reports['files'].scope}")
        assert reports["footers"].violations == reports["full"].violations
        assert reports["footers_whole"].violations == reports["whole"].violations
        ratios[f"[{rows:,}] footers flat / full flat"] = (footers / full, "<= 0.05x")
        ratios[f"[{rows:,}] footers whole / full whole"] = (footers_whole / whole, "< 1")
        ratios[f"[{rows:,}] files sample 1% / full whole"] = (files / whole, "<= 0.05x")
        ratios[f"[{rows:,}] validate(full) whole, us per row"] = (whole / rows * 1e6, "flat")
    print()
    for label, (ratio, target) in ratios.items():
        print(f"{label:<48} {ratio:8.3f}    (target {target})")


if __name__ == "__main__":
    main()
