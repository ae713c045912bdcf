"""Scoring an MLflow-saved scikit-learn model: sparksig's spark_udf vs mlflow.pyfunc.spark_udf.

The model is a logistic regression on scikit-learn's iris data, saved once by
``mlflow.sklearn.save_model`` (signature and input example, MLflow's default skops format).
The table repeats the 150 iris rows with a little noise up to --rows rows (Parquet, written
once). Measured side by side in one run, each figure the best of --repeat full passes written
to Spark's ``noop`` sink:

* a baseline: ``model.predict`` in a plain pandas UDF (no signature checks at all);
* ``sparksig.spark.spark_udf(spark, MODEL_DIR)``;
* ``sparksig.spark.score(df, MODEL_DIR)`` (every row checked by Spark expressions first);
* ``mlflow.pyfunc.spark_udf(spark, MODEL_DIR, env_manager="local")``, asked for the same
  ``long`` result (its default for this tensor output is a one-element ``array<long>``).

    python benchmarks/bench_mlflow_sklearn.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import pandas as pd
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

sys.path.insert(0, os.path.dirname(__file__))
from _data import BENCH_DIR, noop_write, timed

from sparksig import spark as sss

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def iris() -> tuple[pd.DataFrame, pd.Series]:
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    return data.data.set_axis(FEATURES, axis=1), data.target


def model_dir() -> str:
    """The iris model saved by MLflow, trained and written once under the bench folder."""
    path = BENCH_DIR / "mlflow_sklearn_iris"
    if not (path / "MLmodel").exists():
        import mlflow.sklearn
        from mlflow.models import infer_signature
        from sklearn.linear_model import LogisticRegression

        features, target = iris()
        model = LogisticRegression(max_iter=1_000).fit(features, target)
        mlflow.sklearn.save_model(
            model,
            str(path),
            signature=infer_signature(features, model.predict(features)),
            input_example=features.head(3),
            pip_requirements=["scikit-learn", "skops"],
        )
    return str(path)


def table(spark, rows: int):
    """The iris rows repeated to ``rows`` rows, each value jittered by up to 0.1."""
    path = BENCH_DIR / f"iris_{rows}.parquet"
    if not path.exists():
        started = time.perf_counter()
        features, _ = iris()
        base = spark.createDataFrame(features.assign(k=range(len(features))))
        repeat = spark.range(0, rows).select(
            (F.col("id") % len(features)).alias("k"), F.col("id").alias("row")
        )
        df = repeat.join(F.broadcast(base), "k").select(
            "row", *[(F.col(c) + F.rand(i) * 0.1).alias(c) for i, c in enumerate(FEATURES)]
        )
        df.write.mode("overwrite").parquet(str(path))
        print(f"# wrote {rows:,} rows to {path} in {time.perf_counter() - started:.1f}s")
    return spark.read.parquet(str(path))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import mlflow.pyfunc
    import mlflow.sklearn

    spark = sss.get_session()
    path = model_dir()
    df = table(spark, args.rows)
    print(f"rows: {args.rows:,}  model: {path}  cores: {os.cpu_count()}")

    sk_model = mlflow.sklearn.load_model(path)

    @pandas_udf("long")
    def bare(a: pd.Series, b: pd.Series, c: pd.Series, d: pd.Series) -> pd.Series:
        frame = pd.concat([a, b, c, d], axis=1, keys=FEATURES)
        return pd.Series(sk_model.predict(frame))

    base = timed(
        "baseline: sklearn predict in a pandas UDF (no checks)",
        lambda: noop_write(df.select(bare(*FEATURES))),
        args.repeat,
    )
    ours_udf = sss.spark_udf(spark, path)
    ours = timed(
        "sparksig spark_udf(spark, MODEL_DIR)",
        lambda: noop_write(df.select(ours_udf())),
        args.repeat,
    )
    scored = timed(
        "sparksig score(df, MODEL_DIR)",
        lambda: noop_write(sss.score(df, path)),
        args.repeat,
    )
    theirs_udf = mlflow.pyfunc.spark_udf(spark, path, result_type="long", env_manager="local")
    theirs = timed(
        "mlflow.pyfunc.spark_udf(spark, MODEL_DIR)",
        lambda: noop_write(df.select(theirs_udf(*FEATURES))),
        args.repeat,
    )
    print(f"sparksig spark_udf / baseline:  {ours / base:6.2f}x")
    print(f"sparksig score / baseline:      {scored / base:6.2f}x")
    print(f"mlflow spark_udf / baseline:    {theirs / base:6.2f}x")
    print(f"mlflow / sparksig spark_udf:    {theirs / ours:6.2f}x")


if __name__ == "__main__":
    main()
