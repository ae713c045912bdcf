"""A scikit-learn model saved by ``mlflow.sklearn.save_model`` is first-class input.

The model: a logistic regression trained on scikit-learn's bundled iris data, saved the way
MLflow users save one (signature from ``mlflow.models.infer_signature``, an input example,
MLflow's default ``skops`` serialization). ``sparksig show``, ``validate --signature DIR``,
``score`` and ``sparksig.spark.spark_udf`` must all work on that directory.

Expected values come from MLflow and scikit-learn themselves: the signature and input
example as MLflow reads them back, ``sk_model.predict``, and ``mlflow.pyfunc.spark_udf`` on
the same table.
"""

from __future__ import annotations

import json

import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from mlflow.models import Model
from mlflow.models import infer_signature as mlflow_infer_signature
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from sparksig import spark as sss
from sparksig.cli.app import cli

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


@pytest.fixture(scope="module")
def iris():
    """The iris features (150 rows, simple column names), labels and a fitted model."""
    data = load_iris(as_frame=True)
    features = data.data.set_axis(FEATURES, axis=1)
    model = LogisticRegression(max_iter=1_000).fit(features, data.target)
    return features, model


@pytest.fixture(scope="module")
def model_dir(iris, tmp_path_factory):
    features, model = iris
    path = tmp_path_factory.mktemp("mlflow") / "iris"
    mlflow.sklearn.save_model(
        model,
        str(path),
        signature=mlflow_infer_signature(features, model.predict(features)),
        input_example=features.head(3),
        # Listing the requirements skips MLflow's requirement inference (a subprocess that
        # imports the model again); sparksig never reads those environment files.
        pip_requirements=["scikit-learn", "skops"],
    )
    return path


@pytest.fixture(scope="module")
def tables(iris, tmp_path_factory):
    """``clean.parquet``: the iris rows with a ``row`` id; ``holes.parquet``: 3 null petal widths."""
    features, _ = iris
    root = tmp_path_factory.mktemp("iris-tables")
    frame = features.assign(row=np.arange(len(features)))
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), root / "clean.parquet")
    holes = frame.astype({"petal_width": "object"})
    holes.loc[[4, 50, 120], "petal_width"] = None
    pq.write_table(pa.Table.from_pandas(holes, preserve_index=False), root / "holes.parquet")
    return root / "clean.parquet", root / "holes.parquet"


def _cli(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_show_reads_the_signature_and_example_mlflow_wrote(model_dir, iris):
    result = _cli("show", model_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    theirs = Model.load(str(model_dir)).signature.to_dict()  # MLflow's JSON strings
    assert doc["signature"]["inputs"] == json.loads(theirs["inputs"])
    assert doc["signature"]["outputs"] == json.loads(theirs["outputs"])
    assert doc["model"]["flavors"] == ["python_function", "sklearn"]
    features, _ = iris
    example = doc["model"]["input_example"]
    assert example["columns"] == FEATURES
    assert example["data"] == features.head(3).to_numpy().tolist()

    tree = _cli("show", model_dir)
    assert tree.exit_code == 0, tree.output
    for name in FEATURES:
        assert name in tree.stdout


def test_validate_uses_the_model_directory_as_the_signature(model_dir, tables, spark):
    clean, holes = tables
    passed = _cli("validate", clean, "--signature", model_dir, "--format", "json")
    assert passed.exit_code == 0, passed.output
    assert json.loads(passed.stdout)["rows_checked"] == 150

    failed = _cli("validate", holes, "--signature", model_dir, "--format", "json")
    assert failed.exit_code == 1, failed.output
    found = {
        (v["code"], v["column_path"]): v["count"] for v in json.loads(failed.stdout)["violations"]
    }
    assert found == {("null_in_required", "petal_width"): 3}


def test_score_writes_sklearns_predictions(model_dir, tables, iris, spark, tmp_path):
    clean, _ = tables
    out = tmp_path / "scored"
    result = _cli("score", clean, "--model", model_dir, "-o", out, "--no-progress")
    assert result.exit_code == 0, result.output
    scored = pd.read_parquet(out).sort_values("row")
    features, model = iris
    assert scored["prediction"].tolist() == model.predict(features).tolist()


def test_spark_udf_matches_mlflow_spark_udf(model_dir, tables, iris, spark):
    clean, _ = tables
    df = spark.read.parquet(str(clean))
    ours = sss.spark_udf(spark, str(model_dir))
    # MLflow's default result type for this tensor output is array<long> (one element per
    # row); ask for the scalar both sides mean, so the values compare one to one.
    theirs = mlflow.pyfunc.spark_udf(spark, str(model_dir), result_type="long", env_manager="local")
    rows = df.select("row", ours().alias("ours"), theirs(*FEATURES).alias("theirs")).collect()
    rows.sort(key=lambda r: r.row)
    features, model = iris
    assert [r.ours for r in rows] == [r.theirs for r in rows]
    assert [r.ours for r in rows] == model.predict(features).tolist()


def test_score_api_rejects_the_rows_with_holes(model_dir, tables, iris, spark):
    _, holes = tables
    df = spark.read.parquet(str(holes))
    scored, rejected = sss.score(df, str(model_dir), on_error="quarantine", strict_nulls=True)
    assert sorted(r.row for r in rejected.select("row").collect()) == [4, 50, 120]
    features, model = iris
    expected = dict(enumerate(model.predict(features).tolist()))
    got = {r.row: r.prediction for r in scored.select("row", "prediction").collect()}
    assert got == {row: p for row, p in expected.items() if row not in (4, 50, 120)}
