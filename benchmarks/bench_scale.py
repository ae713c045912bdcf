"""Scale points: validate(full) and write_quarantine at 3M and 30M rows, time per row.

The tables of ``bench_footers.py`` (120 files, every column nullable, written once under the
temp dir and reused). For each size, side by side in one run (medians of --repeat rotating
rounds): a plain scan (``noop`` write), validate(full), a plain Parquet copy and
write_quarantine of the whole signature. Time per row should stay flat from 3M to 30M.

    python benchmarks/bench_scale.py [--rows 3000000 30000000] [--repeat 3] [--no-writes]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from _data import noop_write, timed_together
from bench_footers import WHOLE, table

from sparksig import spark as sss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[3_000_000, 30_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-writes", action="store_true", help="only scans and validate")
    args = parser.parse_args()
    spark = sss.get_session()
    frames = {rows: table(spark, rows) for rows in args.rows}
    print(f"cores: {os.cpu_count()}  spark {spark.version}")
    per_row: dict[str, dict[int, float]] = {}
    for rows, df in frames.items():
        print(f"\n## {rows:,} rows")
        out = tempfile.mkdtemp(prefix="sparksig-bench-scale-")
        actions = {
            "plain scan (noop write)": lambda df=df: noop_write(df),
            "validate(full)": lambda df=df: sss.validate(df, WHOLE),
        }
        if not args.no_writes:
            actions["plain Parquet copy"] = lambda df=df, out=out: df.write.mode(
                "overwrite"
            ).parquet(os.path.join(out, "copy"))
            actions["write_quarantine"] = lambda df=df, out=out: sss.write_quarantine(
                df, WHOLE, os.path.join(out, "q"), if_exists="overwrite"
            )
        try:
            took = timed_together({f"[{rows:,}] {k}": v for k, v in actions.items()}, args.repeat)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        for (label, seconds), name in zip(took.items(), actions):
            per_row.setdefault(name, {})[rows] = seconds / rows * 1e9
            del label
    print(f"\n{'ns per row':<28}" + "".join(f"{r:>14,}" for r in args.rows) + "   ratio")
    for name, by_rows in per_row.items():
        values = [by_rows[r] for r in args.rows]
        ratio = values[-1] / values[0] if values[0] else float("nan")
        print(f"{name:<28}" + "".join(f"{v:>14.1f}" for v in values) + f"   {ratio:5.2f}x")


if __name__ == "__main__":
    main()
