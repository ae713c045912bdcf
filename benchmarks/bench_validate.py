"""Validation cost: validate(full) and validate(sampled) vs an identity mapInArrow pass.

Same table (10M rows by default: 4 numeric, 1 string, array<double>(16), 3-property struct),
measured side by side in one run; best of --repeat. The identity pass ships every batch
through Python and back, which is the floor for any check that runs Python on every row.

    python benchmarks/bench_validate.py [--rows 10000000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _data import COLUMNS, SIGNATURE_INPUTS, noop_write, table, timed

from sparksig import spark as sss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--fraction", type=float, default=0.01)
    args = parser.parse_args()

    spark = sss.get_session()
    df = table(spark, args.rows).select(*COLUMNS)
    print(f"rows: {args.rows:,}  columns: {', '.join(COLUMNS)}  cores: {os.cpu_count()}")

    def identity(batches):
        yield from batches

    base = timed(
        "identity mapInArrow", lambda: noop_write(df.mapInArrow(identity, df.schema)), args.repeat
    )
    reports = {}

    def run(mode, **kw):
        reports[mode] = sss.validate(df, SIGNATURE_INPUTS, mode=mode, **kw)

    full = timed("validate(mode='full')", lambda: run("full"), args.repeat)
    sampled = timed(
        f"validate(mode='sampled', fraction={args.fraction})",
        lambda: run("sampled", fraction=args.fraction, seed=1),
        args.repeat,
    )
    print(
        f"rows checked: full {reports['full'].rows_checked:,}, sampled {reports['sampled'].rows_checked:,}"
    )
    print(
        f"violations: full {len(reports['full'].violations)}, sampled {len(reports['sampled'].violations)}"
    )
    print(f"full / identity:    {full / base:6.2f}x   (target <= 1.5x)")
    print(f"sampled / full:     {sampled / full:6.2f}x   (target <= 0.2x)")


if __name__ == "__main__":
    main()
