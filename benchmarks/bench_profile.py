"""Profiles and drift against their baselines, side by side in one run (medians of --repeat).

On the 3M-row benchmark table (``_data.table``: 4 numeric, 1 string, array<double>(16), a
3-property struct; Parquet under the temp dir):

- ``infer_profile`` vs a plain scan of the same table (``noop`` write); target <= 1.5x;
- ``validate(df, signature, profile=...)`` (types, the profile's suggested constraints and
  drift in one aggregation) vs ``validate(df, signature)``; target <= 1.3x;
- ``validate`` with the profile but no constraints (drift counters alone), for comparison.

Each group runs in turn, round after round (order rotating), and the ratios are of medians:
this machine has slow spells (two cores shared with other work).

    python benchmarks/bench_profile.py [--rows 3000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace

sys.path.insert(0, os.path.dirname(__file__))
from _data import SIGNATURE_INPUTS, noop_write, table, timed_together

from sparksig import spark as sss
from sparksig.profile import suggest
from sparksig.spark.profiling import infer_profile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    spark = sss.get_session()
    df = table(spark, args.rows)
    print(f"rows: {args.rows:,}  cores: {os.cpu_count()}  spark {spark.version}")
    ratios: dict[str, tuple[float, str]] = {}

    scan, profiled = timed_together(
        {
            "plain scan (noop write)": lambda: noop_write(df),
            "infer_profile": lambda: infer_profile(df),
        },
        args.repeat,
    ).values()
    ratios["infer_profile / scan"] = (profiled / scan, "<= 1.5x")

    profile = infer_profile(df)
    constrained = profile.with_constraints(*suggest(profile))
    drift_only = replace(profile, constraints=())
    print(f"   profile: {len(profile.columns)} paths, {len(constrained.constraints)} constraints")
    plain, with_profile, with_drift = timed_together(
        {
            "validate(full)": lambda: sss.validate(df, SIGNATURE_INPUTS),
            "validate(full, profile=constraints+drift)": lambda: sss.validate(
                df, SIGNATURE_INPUTS, profile=constrained
            ),
            "validate(full, profile=drift only)": lambda: sss.validate(
                df, SIGNATURE_INPUTS, profile=drift_only
            ),
        },
        args.repeat,
    ).values()
    ratios["validate with profile / without"] = (with_profile / plain, "<= 1.3x")
    ratios["validate drift only / without"] = (with_drift / plain, "for comparison")

    print()
    for label, (ratio, target) in ratios.items():
        print(f"{label:<36} {ratio:6.2f}x   (target {target})")


if __name__ == "__main__":
    main()
