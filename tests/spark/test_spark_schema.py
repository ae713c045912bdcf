"""Spark DataFrames of every type map to the documented signature, and back."""

from __future__ import annotations

import datetime as dt
import decimal

from chispa import assert_df_equality
from chispa.schema_comparer import assert_schema_equality
from pyspark.ml.linalg import Vectors
from pyspark.sql import functions as F

import sparksig as ss
from sparksig.spark import from_spark_schema, get_session, to_spark_schema


def test_get_session_reuses_the_active_session(spark):
    assert get_session() is spark
    assert spark.conf.get("spark.sql.execution.arrow.pyspark.enabled") == "true"
    assert spark.conf.get("spark.ui.enabled") == "false"


def test_every_spark_type_maps_as_documented(spark):
    df = spark.sql(
        """
        SELECT
          CAST(1 AS TINYINT) AS b, CAST(2 AS SMALLINT) AS s, 3 AS i, 4L AS l,
          CAST(1.5 AS FLOAT) AS f, 2.5D AS d, CAST(1.25 AS DECIMAL(10, 2)) AS dec,
          'x' AS str, CAST('ab' AS VARCHAR(5)) AS vc, X'01' AS bin, true AS bool,
          DATE'2024-01-02' AS day, TIMESTAMP'2024-01-02 03:04:05' AS ts,
          TIMESTAMP_NTZ'2024-01-02 03:04:05' AS ntz,
          named_struct('y', 1L, 'x', named_struct('deep', 'v')) AS st,
          array(named_struct('k', 'a', 'v', 1.0D)) AS arr_of_structs,
          map('a', array(1, 2)) AS map_of_arrays,
          parse_json('{"a": 1}') AS variant
        """
    ).withColumn("maybe", F.when(F.lit(False), F.lit(1)))  # nullable int column
    vec = spark.createDataFrame([(Vectors.dense([1.0, 2.0]),)], ["features"])
    df = df.crossJoin(vec)

    schema = from_spark_schema(df.schema)

    # Expected per MLflow-NOTES / DESIGN: literals are non-nullable in Spark, so required;
    # nested struct nullability comes from Spark too.
    expected = ss.Schema(
        [
            ss.ColSpec("integer", "b"),
            ss.ColSpec("integer", "s"),
            ss.ColSpec("integer", "i"),
            ss.ColSpec("long", "l"),
            ss.ColSpec("float", "f"),
            ss.ColSpec("double", "d"),
            ss.ColSpec("double", "dec"),
            ss.ColSpec("string", "str"),
            ss.ColSpec("string", "vc"),
            ss.ColSpec("binary", "bin"),
            ss.ColSpec("boolean", "bool"),
            ss.ColSpec("datetime", "day"),
            ss.ColSpec("datetime", "ts"),
            ss.ColSpec("datetime", "ntz"),
            ss.ColSpec(
                ss.Object(
                    [
                        ss.Property("y", "long"),
                        ss.Property("x", ss.Object([ss.Property("deep", "string")])),
                    ]
                ),
                "st",
            ),
            ss.ColSpec(
                ss.Array(ss.Object([ss.Property("k", "string"), ss.Property("v", "double")])),
                "arr_of_structs",
            ),
            ss.ColSpec(ss.Map(ss.Array("integer")), "map_of_arrays"),
            ss.ColSpec("any", "variant"),
            ss.ColSpec("integer", "maybe", required=False),
            ss.ColSpec(ss.SparkMLVector(), "features", required=False),
        ]
    )
    assert schema == expected


def test_to_spark_schema_builds_frames_spark_accepts(spark):
    schema = ss.Schema(
        [
            ss.ColSpec("long", "id"),
            ss.ColSpec(ss.Array("double"), "xs"),
            ss.ColSpec(
                ss.Object([ss.Property("name", "string"), ss.Property("age", "integer", False)]),
                "person",
                required=False,
            ),
            ss.ColSpec(ss.Map("boolean"), "flags"),
            ss.ColSpec("datetime", "at"),
        ]
    )
    struct = to_spark_schema(schema)
    rows = [
        (1, [1.0, 2.0], {"name": "a", "age": None}, {"k": True}, dt.datetime(2024, 1, 1)),
        (2, [], None, {}, dt.datetime(2024, 1, 2)),
    ]
    df = spark.createDataFrame(rows, struct)
    assert_schema_equality(df.schema, struct)
    assert from_spark_schema(df.schema) == schema
    # Casting a frame with compatible Spark types to the signature's schema is lossless.
    narrow = spark.createDataFrame([(decimal.Decimal("1.50"),)], "x decimal(4,2)")
    cast = narrow.select(
        F.col("x")
        .cast(to_spark_schema(ss.Schema([ss.ColSpec("double", "x")]))[0].dataType)
        .alias("x")
    )
    assert_df_equality(cast, spark.createDataFrame([(1.5,)], "x double"))
