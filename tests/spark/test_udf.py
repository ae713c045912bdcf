"""spark_udf: enforcement on executors, the three calling conventions, nested inputs."""

from __future__ import annotations

import contextlib

import pandas as pd
import pytest
from chispa import assert_df_equality
from pyspark.errors import PythonException
from pyspark.ml.linalg import Vectors, VectorUDT
from pyspark.sql import functions as F
from pyspark.sql import types as T

import sparksig as ss
import sparksig.spark.udf.scoring
from sparksig import models
from sparksig import spark as sss


@contextlib.contextmanager
def batch_size(spark, rows):
    key = "spark.sql.execution.arrow.maxRecordsPerBatch"
    old = spark.conf.get(key)
    spark.conf.set(key, str(rows))
    try:
        yield
    finally:
        spark.conf.set(key, old)


NESTED = ss.ModelSignature(
    ss.Schema(
        [
            ss.ColSpec("long", "id"),
            ss.ColSpec(
                ss.Object([ss.Property("w", "double"), ss.Property("tag", "string", False)]), "s"
            ),
            ss.ColSpec(ss.Array("double"), "xs"),
            ss.ColSpec(ss.Map("long"), "m"),
            ss.ColSpec(ss.SparkMLVector(), "v"),
        ]
    ),
    ss.Schema([ss.ColSpec("double")]),
)


def nested_model(df: pd.DataFrame) -> pd.Series:
    # Uses every input the way a model would: struct as dict, arrays, maps, dense vectors.
    return (
        df["s"].map(lambda s: s["w"])
        + df["xs"].map(sum)
        + df["m"].map(lambda m: float(sum(m.values())))
        + df["v"].map(lambda v: float(sum(v)))
    )


@pytest.fixture(scope="module")
def nested_df(spark):
    rows = [
        (1, {"w": 0.5, "tag": "a"}, [1.0, 2.0], {"k": 1}, Vectors.dense([1.0, 1.0])),
        (2, {"w": 1.5, "tag": None}, [], {}, Vectors.sparse(3, [2], [4.0])),
        (3, {"w": 2.5, "tag": "c"}, [3.0], {"a": 2, "b": 3}, Vectors.dense([0.5])),
    ]
    schema = T.StructType(
        [
            T.StructField("id", T.LongType()),
            T.StructField(
                "s",
                T.StructType(
                    [T.StructField("w", T.DoubleType()), T.StructField("tag", T.StringType())]
                ),
            ),
            T.StructField("xs", T.ArrayType(T.DoubleType())),
            T.StructField("m", T.MapType(T.StringType(), T.LongType())),
            T.StructField("v", VectorUDT()),
        ]
    )
    return spark.createDataFrame(rows, schema)


EXPECTED = {1: 0.5 + 3.0 + 1 + 2.0, 2: 1.5 + 0 + 0 + 4.0, 3: 2.5 + 3.0 + 5 + 0.5}


def test_scores_struct_array_map_and_vector_columns(spark, nested_df):
    udf = sss.spark_udf(spark, nested_model, NESTED)
    out = nested_df.select("id", udf().alias("p"))
    expected = spark.createDataFrame(list(EXPECTED.items()), "id long, p double")
    assert_df_equality(out, expected, ignore_nullable=True, ignore_row_order=True)


def test_three_calling_conventions_agree(spark, nested_df):
    udf = sss.spark_udf(spark, nested_model, NESTED)
    cols = ["id", "s", "xs", "m", "v"]
    by_name = nested_df.select("id", udf().alias("p"))
    by_position = nested_df.select("id", udf(*cols).alias("p"))
    by_struct = nested_df.select("id", udf(F.struct(*cols)).alias("p"))
    assert_df_equality(by_name, by_position, ignore_row_order=True)
    assert_df_equality(by_name, by_struct, ignore_row_order=True)


def test_positional_arguments_are_renamed_to_the_signature(spark):
    sig = ss.ModelSignature(ss.Schema([ss.ColSpec("long", "a"), ss.ColSpec("long", "b")]))
    udf = sss.spark_udf(spark, lambda df: df["a"] - df["b"], sig, result_type="long")
    df = spark.createDataFrame([(10, 3)], "x long, y long")
    assert df.select(udf("x", "y").alias("d")).first()["d"] == 7
    with pytest.raises(ss.SchemaDefinitionError, match="2 inputs"):
        udf("x", "y", "x")


def test_a_null_in_a_later_batch_keeps_the_column_long(spark):
    # MLflow: null-free batches arrive as int64, the batch with the null as float64 and fails
    # a long spec mid-job. Here every batch is a long (Int64 where it holds a null).
    # Were the batch with the null handed over as float64, the engine would refuse it.
    def model(df):
        return df["n"].fillna(-1).astype("int64")

    sig = ss.ModelSignature(ss.Schema([ss.ColSpec("long", "n")]), ss.Schema([ss.ColSpec("long")]))
    df = spark.range(0, 3000, numPartitions=1).select(
        F.when(F.col("id") == 2500, None).otherwise(F.col("id")).alias("n")
    )
    udf = sss.spark_udf(spark, model, sig)
    with batch_size(spark, 1000):
        out = df.select(udf("n").alias("p")).agg(F.sum("p"), F.min("p")).first()
    assert out[0] == sum(range(3000)) - 2500 - 1
    assert out[1] == -1


def test_a_bad_nested_value_fails_the_job_with_the_violation(spark):
    sig = ss.ModelSignature(ss.Schema([ss.ColSpec(ss.Object([ss.Property("w", "double")]), "s")]))
    df = spark.createDataFrame([({"w": 1.0},), ({"w": None},)], "s struct<w: double>")
    udf = sss.spark_udf(spark, lambda d: d["s"].map(lambda s: s["w"]), sig)
    with pytest.raises(PythonException, match=r"null_in_required\] s\.w"):
        df.select(udf("s")).collect()


def test_params_are_checked_once_on_the_driver_and_reach_the_model(spark):
    sig = ss.ModelSignature(
        ss.Schema([ss.ColSpec("double", "x")]),
        params=ss.ParamSchema([ss.ParamSpec("k", "double", 1.0)]),
    )
    model = lambda df, params: df["x"] * params["k"]  # noqa: E731
    with pytest.raises(ss.SchemaEnforcementError, match="invalid_param"):
        sss.spark_udf(spark, model, sig, params={"k": "three"})
    df = spark.createDataFrame([(2.0,)], "x double")
    assert df.select(sss.spark_udf(spark, model, sig, params={"k": 3})("x")).first()[0] == 6.0
    assert df.select(sss.spark_udf(spark, model, sig)("x")).first()[0] == 2.0


def test_result_type_follows_the_output_schema(spark):
    sig = ss.ModelSignature(
        ss.Schema([ss.ColSpec("double", "x")]),
        ss.Schema([ss.ColSpec("double", "lo"), ss.ColSpec("double", "hi")]),
    )
    udf = sss.spark_udf(spark, lambda df: pd.DataFrame({"lo": df["x"] - 1, "hi": df["x"] + 1}), sig)
    row = spark.createDataFrame([(2.0,)], "x double").select(udf("x").alias("r")).first()
    assert (row["r"]["lo"], row["r"]["hi"]) == (1.0, 3.0)
    assert (
        sss.udf.scoring.result_type_for(ss.Schema([ss.ColSpec(ss.Array("long"))])).simpleString()
        == "array<bigint>"
    )


def test_scores_a_saved_model_directory(spark, tmp_path):
    class Doubler:
        def predict(self, model_input, params=None):
            return model_input["x"] * 2

    sig = ss.ModelSignature(
        ss.Schema([ss.ColSpec("double", "x")]), ss.Schema([ss.ColSpec("double")])
    )
    models.save_model(tmp_path / "m", Doubler(), signature=sig)
    udf = sss.spark_udf(spark, str(tmp_path / "m"))
    df = spark.createDataFrame([(1.5,), (2.0,)], "x double")
    assert sorted(r[0] for r in df.select(udf()).collect()) == [3.0, 4.0]


def test_sampled_check_still_converts_every_row(spark):
    sig = ss.ModelSignature(
        ss.Schema([ss.ColSpec("long", "n"), ss.ColSpec(ss.Array("double"), "xs")])
    )
    df = spark.range(500).select(
        F.col("id").cast("int").alias("n"), F.array(F.lit(1.0)).alias("xs")
    )

    def model(d):
        assert str(d["n"].dtype) == "int64"  # int32 was widened on every row
        return d["n"] * 1.0

    udf = sss.spark_udf(spark, model, sig, check="sampled")
    assert df.select(udf("n", "xs").alias("p")).agg(F.sum("p")).first()[0] == sum(range(500))
