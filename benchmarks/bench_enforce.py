"""Benchmark: sparksig's enforce_schema vs MLflow's _enforce_schema on the same pandas batch.

The batch: 100k rows, 4 scalar columns (long, double, int32 -> long, string), one
array<double> column of 16 values per row and one object column with 3 properties.
Also times the 4 scalar columns alone against a plain ``DataFrame.astype`` of the same columns.

Run: ``python benchmarks/bench_enforce.py [--rows N] [--skip-mlflow]``
Targets: >= 20x faster than MLflow on the whole batch; scalars within 2x of astype.
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings

import numpy as np
import pandas as pd

from sparksig import Array, ColSpec, DataType, Object, Property, Schema
from sparksig.enforce.plan import compile_plan


def make_batch(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    vectors = rng.random((n, 16))
    xs = rng.random(n)
    ys = rng.integers(0, 1000, n)
    return pd.DataFrame(
        {
            "id": np.arange(n, dtype=np.int64),
            "price": rng.random(n),
            "qty": rng.integers(0, 100, n).astype(np.int32),
            "tag": rng.choice(["a", "b", "c"], n).astype(object),
            "vec": list(vectors.tolist()),
            "item": [
                {"x": float(x), "y": int(y), "z": "s"} for x, y in zip(xs.tolist(), ys.tolist())
            ],
        }
    )


SCHEMA = Schema(
    [
        ColSpec(DataType.long, "id"),
        ColSpec(DataType.double, "price"),
        ColSpec(DataType.long, "qty"),
        ColSpec(DataType.string, "tag"),
        ColSpec(Array(DataType.double), "vec"),
        ColSpec(
            Object(
                [
                    Property("x", DataType.double),
                    Property("y", DataType.long),
                    Property("z", DataType.string),
                ]
            ),
            "item",
        ),
    ]
)
SCALARS = ["id", "price", "qty", "tag"]


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-mlflow", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")

    df = make_batch(args.rows)
    plan = compile_plan(SCHEMA)
    plan.enforce(df.head(10))  # warm imports
    ours = best_of(lambda: plan.enforce(df), 5)
    print(f"rows: {args.rows:,}  columns: 4 scalar + array<double>(16) + 3-property object")
    print(f"sparksig enforce (whole batch):      {ours * 1000:9.1f} ms")
    if not args.skip_mlflow:
        from mlflow.models.utils import _enforce_schema
        from mlflow.types import Schema as MlflowSchema

        mschema = MlflowSchema.from_json(SCHEMA.to_json())
        theirs = best_of(lambda: _enforce_schema(df.copy(), mschema), 1)
        print(f"mlflow _enforce_schema (whole batch): {theirs * 1000:9.1f} ms")
        print(f"speed-up vs MLflow:                  {theirs / ours:9.1f}x   (target >= 20x)")

    scalars = df[SCALARS]
    scalar_plan = compile_plan(Schema([s for s in SCHEMA.inputs if s.name in SCALARS]))
    ours_s = best_of(lambda: scalar_plan.enforce(scalars), 20)
    target = {"id": "int64", "price": "float64", "qty": "int64", "tag": "object"}
    astype = best_of(lambda: scalars.astype(target), 20)
    print(f"sparksig enforce (4 scalar columns): {ours_s * 1000:9.2f} ms")
    print(f"pandas astype (same 4 columns):      {astype * 1000:9.2f} ms")
    print(f"ratio sparksig / astype:             {ours_s / astype:9.2f}x  (target <= 2x)")

    table_check = best_of(lambda: plan.check(df), 5)
    print(f"sparksig check (whole batch, pandas):{table_check * 1000:9.1f} ms")
    import pyarrow as pa

    batch = pa.RecordBatch.from_pandas(df, preserve_index=False)
    arrow_check = best_of(lambda: plan.check(batch), 5)
    print(f"sparksig check (whole batch, Arrow): {arrow_check * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
