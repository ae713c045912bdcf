"""write_quarantine cost: a plain Parquet copy vs write_quarantine on the same table.

Same table (1M rows by default: 4 numeric, 1 string, array<double>(16), 3-property struct; one
row in ten has a null ``b`` and is rejected), read from Parquet files, so write_quarantine
takes its ``two_writes`` strategy; the ``checkpoint`` strategy (what a plan that cannot be
proven replayable gets) is measured by forcing it. The actions run in turn, rotating the order
every round; medians.

    python benchmarks/bench_quarantine.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from _data import COLUMNS, SIGNATURE_INPUTS, table, timed_together
from pyspark.sql import functions as F

from sparksig import spark as sss
from sparksig.spark import quarantine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    spark = sss.get_session()
    df = table(spark, args.rows).select(
        *[F.when(F.col("a") % 10 != 0, F.col("b")).alias("b") if c == "b" else c for c in COLUMNS]
    )
    out = tempfile.mkdtemp(prefix="sparksig-bench-quarantine-")
    print(f"rows: {args.rows:,}  columns: {', '.join(COLUMNS)}  cores: {os.cpu_count()}")
    strategies: dict[str, str] = {}

    def copy() -> None:
        df.write.mode("overwrite").parquet(os.path.join(out, "copy"))

    def run(label: str, replayable: bool) -> None:
        real = quarantine._replayable
        if not replayable:
            quarantine._replayable = lambda frame: False
        try:
            r = sss.write_quarantine(
                df, SIGNATURE_INPUTS, os.path.join(out, label), if_exists="overwrite"
            )
        finally:
            quarantine._replayable = real
        strategies[label] = (
            f"{r.strategy.value}: {r.valid_rows:,} valid, {r.rejected_rows:,} rejected"
        )

    try:
        medians = timed_together(
            {
                "parquet copy": copy,
                "write_quarantine (chosen strategy)": lambda: run("chosen", True),
                "write_quarantine (checkpoint forced)": lambda: run("checkpoint", False),
            },
            args.repeat,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    for label, what in strategies.items():
        print(f"{label:<12} {what}")
    base = medians["parquet copy"]
    for label, taken in medians.items():
        print(f"{label:<40} {taken / base:5.2f}x a copy")


if __name__ == "__main__":
    main()
