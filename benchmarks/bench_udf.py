"""Scoring cost: sparksig's spark_udf vs an identity pandas UDF vs mlflow.pyfunc.spark_udf.

Same table (1M rows: 4 numeric, 1 string, array<double>(16), 3-property struct), same trivial
model (returns zeros, so the model itself costs nothing), measured side by side in one run.
Each figure is the best of --repeat runs of a full pass written to Spark's ``noop`` sink.

    python benchmarks/bench_udf.py [--rows 1000000] [--repeat 3] [--skip-mlflow]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import numpy as np
import pandas as pd
from pyspark.sql.functions import pandas_udf

sys.path.insert(0, os.path.dirname(__file__))
from _data import COLUMNS, SIGNATURE_INPUTS, noop_write, table, timed

import sparksig as ss
from sparksig import spark as sss

SIGNATURE = ss.ModelSignature(SIGNATURE_INPUTS, ss.Schema([ss.ColSpec("double")]))


def zeros(model_input: pd.DataFrame) -> np.ndarray:
    return np.zeros(len(model_input))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-mlflow", action="store_true")
    args = parser.parse_args()

    spark = sss.get_session()
    df = table(spark, args.rows)
    print(f"rows: {args.rows:,}  columns: {', '.join(COLUMNS)}  cores: {os.cpu_count()}")

    @pandas_udf("double")
    def identity(a, b, c, d, s, arr, obj):  # the floor: Arrow -> pandas -> Arrow, no checks
        return pd.Series(np.zeros(len(a)))

    base = timed(
        "identity pandas UDF", lambda: noop_write(df.select(identity(*COLUMNS))), args.repeat
    )
    ours_udf = sss.spark_udf(spark, zeros, SIGNATURE, check="full")
    ours = timed(
        "sparksig spark_udf(check='full')",
        lambda: noop_write(df.select(ours_udf(*COLUMNS))),
        args.repeat,
    )
    sampled_udf = sss.spark_udf(spark, zeros, SIGNATURE, check="sampled")
    sampled = timed(
        "sparksig spark_udf(check='sampled')",
        lambda: noop_write(df.select(sampled_udf(*COLUMNS))),
        args.repeat,
    )
    print(f"sparksig full / identity:     {ours / base:6.2f}x   (target <= 1.3x)")
    print(f"sparksig sampled / identity:  {sampled / base:6.2f}x")

    if args.skip_mlflow:
        return
    import mlflow.pyfunc
    from mlflow.models.signature import ModelSignature as MlflowSignature

    class Zeros(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return np.zeros(len(model_input))

    path = os.path.join(tempfile.mkdtemp(), "model")
    mlflow.pyfunc.save_model(
        path, python_model=Zeros(), signature=MlflowSignature.from_dict(SIGNATURE.to_dict())
    )
    theirs_udf = mlflow.pyfunc.spark_udf(spark, path, result_type="double", env_manager="local")
    theirs = timed(
        "mlflow.pyfunc.spark_udf", lambda: noop_write(df.select(theirs_udf(*COLUMNS))), args.repeat
    )
    print(f"mlflow / identity:            {theirs / base:6.2f}x")
    print(f"mlflow / sparksig full:       {theirs / ours:6.2f}x   (target >= 5x)")


if __name__ == "__main__":
    main()
