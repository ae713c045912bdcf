"""Spark DataFrame inference: types from the schema, `required` from one job over the data."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import logging
import uuid
import warnings

import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T

import sparksig
from sparksig import AnyType, Array, ColSpec, DataType, Map, Object, Property, Schema
from sparksig import SparkMLVector as Vector
from sparksig.errors import InvalidArgumentError, UnsupportedTypeError
from sparksig.spark.infer import (
    InferenceResult,
    estimated_rows,
    infer_schema,
    infer_schema_report,
)

RARE = 777_777


@contextlib.contextmanager
def count_jobs(spark):
    """Yield a list that holds, after the block, the ids of the Spark jobs the block ran."""
    sc = spark.sparkContext
    group = f"sparksig-test-{uuid.uuid4().hex}"
    sc.setJobGroup(group, group)
    ids: list[int] = []
    try:
        yield ids
    finally:
        ids.extend(sc.statusTracker().getJobIdsForGroup(group))
        sc.setLocalProperty("spark.jobGroup.id", None)


def never_null():
    """A condition that makes a column nullable in the schema but never null in the data."""
    return F.when(F.col("id") < 0, None)


@pytest.fixture(scope="module")
def rare(spark):
    """1M rows: one null in `x` (row 777,777) and one in struct field `s.b`;
    `y` and `s.c` are nullable but never null."""
    return (
        spark.range(1_000_000)
        .withColumn("x", F.when(F.col("id") == RARE, None).otherwise(F.col("id")))
        .withColumn("y", never_null().otherwise(F.col("id") * 2))
        .withColumn(
            "s",
            F.struct(
                F.when(F.col("id") == RARE + 1, None).otherwise(F.lit("v")).alias("b"),
                never_null().otherwise(F.lit(1.0)).alias("c"),
            ),
        )
    )


def test_full_marks_exactly_the_paths_with_a_null_optional(spark, rare) -> None:
    with count_jobs(spark) as jobs:
        result = infer_schema_report(rare, mode="full")
    assert len(jobs) == 1
    assert result.mode == "full" and result.seed is None and result.fraction is None
    assert result.rows_checked == result.rows_total == 1_000_000
    assert set(result.null_paths) == {"x", "s.b"}
    assert result.schema == Schema(
        [
            ColSpec(DataType.long, "id"),  # nullable=False: trusted, never read
            ColSpec(DataType.long, "x", required=False),
            ColSpec(DataType.long, "y"),
            ColSpec(
                Object([Property("b", DataType.string, False), Property("c", DataType.double)]),
                "s",
            ),
        ]
    )


def test_nulls_inside_arrays_and_map_values(spark) -> None:
    df = (
        spark.range(10_000)
        .withColumn(
            "arr",
            F.array(
                F.struct(
                    F.when(F.col("id") == 9, None).otherwise(F.col("id")).alias("p"),
                    never_null().otherwise(F.lit(1)).alias("q"),
                )
            ),
        )
        .withColumn(
            "m",
            F.create_map(
                F.lit("k"),
                F.struct(F.when(F.col("id") == 11, None).otherwise(F.lit(1)).alias("z")),
            ),
        )
    )
    with count_jobs(spark) as jobs:
        result = infer_schema_report(df, mode="full")
    assert len(jobs) == 1
    assert set(result.null_paths) == {"arr[].p", "m{}.z"}
    assert result.schema == Schema(
        [
            ColSpec(DataType.long, "id"),
            ColSpec(
                Array(
                    Object([Property("p", DataType.long, False), Property("q", DataType.integer)])
                ),
                "arr",
            ),
            ColSpec(Map(Object([Property("z", DataType.integer, False)])), "m"),
        ]
    )


def test_sampled_reports_its_sample_and_a_seed_reproduces_it(spark, rare) -> None:
    with count_jobs(spark) as jobs:
        first = infer_schema_report(rare, mode="sampled", max_rows=50_000, seed=42)
    second = infer_schema_report(rare, mode="sampled", max_rows=50_000, seed=42)
    assert len(jobs) == 1
    assert first.mode == "sampled" and first.seed == 42
    assert first.rows_total == 1_000_000
    assert 30_000 < first.rows_checked <= 50_000  # never above max_rows, within a grid step
    assert first.fraction is not None and 0 < first.fraction < 1
    assert second == first  # same seed, same rows, same schema


def test_sampled_without_seed_uses_the_default_seed_and_reports_it(spark, rare) -> None:
    from sparksig.options import DEFAULT_SEED

    result = infer_schema_report(rare.select("x"), mode="sampled", max_rows=1_000)
    assert result.mode == "sampled" and result.seed == DEFAULT_SEED
    again = infer_schema_report(rare.select("x"), mode="sampled", max_rows=1_000)
    assert again == result  # no seed given twice: the same rows, the same answer


def test_explicit_fraction_is_applied(spark, rare) -> None:
    result = infer_schema_report(
        rare.select("y"), mode="sampled", fraction=0.01, max_rows=None, seed=1
    )
    assert result.fraction == 0.01
    assert 8_000 < result.rows_checked < 12_000  # Bernoulli(0.01) over 1M rows


def test_null_parent_struct_is_not_a_null_field(spark) -> None:
    df = spark.createDataFrame(
        [({"f": 1},), (None,)], "s struct<f: bigint>"
    )  # the struct is null in one row, its field never null where the struct exists
    assert infer_schema(df, mode="full") == Schema(
        [ColSpec(Object([Property("f", DataType.long)]), "s", required=False)]
    )


def test_arrays_of_structs_inside_structs(spark) -> None:
    df = spark.createDataFrame(
        [({"items": [{"q": 1}]},), ({"items": None},)],
        "o struct<items: array<struct<q: int>>>",
    )
    result = infer_schema_report(df, mode="full")
    assert result.null_paths == ("o.items",)
    assert result.schema == Schema(
        [
            ColSpec(
                Object(
                    [Property("items", Array(Object([Property("q", DataType.integer)])), False)]
                ),
                "o",
            )
        ]
    )
    df2 = spark.createDataFrame(
        [({"items": [{"q": None}]},)], "o struct<items: array<struct<q: int>>>"
    )
    assert infer_schema_report(df2, mode="full").null_paths == ("o.items[].q",)


def test_non_nullable_fields_are_trusted_and_read_no_data(spark) -> None:
    schema = T.StructType(
        [
            T.StructField("a", T.LongType(), False),
            T.StructField("s", T.StructType([T.StructField("f", T.StringType(), False)]), False),
        ]
    )
    df = spark.createDataFrame([(1, ("x",))], schema)
    with count_jobs(spark) as jobs:
        result = infer_schema_report(df, mode="full")
    assert jobs == []
    assert result.mode == "full"  # exact: the flags are declared, not estimated
    assert result.rows_checked == 0 and result.rows_total is None
    assert "schema alone" in str(result)
    assert result.schema == Schema(
        [ColSpec(DataType.long, "a"), ColSpec(Object([Property("f", DataType.string)]), "s")]
    )


def test_types_come_from_the_schema(spark) -> None:
    from pyspark.ml.feature import VectorAssembler

    df = spark.createDataFrame(
        [
            (
                1,
                2,
                decimal.Decimal("1.5"),
                dt.date(2024, 1, 1),
                dt.datetime(2024, 1, 1),
                b"x",
                {"k": 1.0},
                [True],
            )
        ],
        "b byte, sh short, d decimal(10,2), day date, ts timestamp, raw binary, "
        "m map<string,double>, flags array<boolean>",
    )
    df = VectorAssembler(inputCols=["b", "sh"], outputCol="v").transform(df)
    got = {c.name: c.type for c in infer_schema(df, mode="full").inputs}
    assert got == {
        "b": DataType.integer,
        "sh": DataType.integer,
        "d": DataType.double,
        "day": DataType.datetime,
        "ts": DataType.datetime,
        "raw": DataType.binary,
        "m": Map(DataType.double),
        "flags": Array(DataType.boolean),
        "v": Vector(),
    }


def test_unsupported_types_name_the_path(spark) -> None:
    df = spark.createDataFrame([({1: "a"},)], "m map<int,string>")
    with pytest.raises(UnsupportedTypeError, match=r"^m: map keys"):
        infer_schema(df)


def test_awkward_column_names(spark) -> None:
    df = spark.createDataFrame([(1, None)], "`a.b` bigint, `c``d` string")
    result = infer_schema_report(df, mode="full")
    assert result.null_paths == ("c`d",)
    assert [c.required for c in result.schema.inputs] == [True, False]


def test_unknown_size_still_bounds_the_sample(spark) -> None:
    df = spark.createDataFrame(
        [(i, None if i == 3 else "x") for i in range(5_000)], "i long, s string"
    )
    assert estimated_rows(df) is None
    with count_jobs(spark) as jobs:
        result = infer_schema_report(df, mode="sampled", max_rows=1_000, seed=5)
    assert len(jobs) == 1
    assert result.mode == "sampled" and result.rows_total == 5_000
    assert 600 < result.rows_checked <= 1_000


def test_unknown_size_reads_every_row_and_says_full(spark) -> None:
    df = spark.createDataFrame([(1,), (None,)], "a bigint")
    assert estimated_rows(df) is None
    result = infer_schema_report(df, mode="sampled", seed=3)
    assert result.mode == "full" and result.rows_checked == 2 and result.seed is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mode": "exact"},
        {"fraction": 0.0},
        {"fraction": 1.5},
        {"max_rows": 0},
        {"seed": "x"},
    ],
)
def test_bad_arguments(spark, kwargs) -> None:
    with pytest.raises(InvalidArgumentError):
        infer_schema(spark.range(1), **kwargs)


def test_no_rows_no_evidence_of_nulls(spark) -> None:
    result = infer_schema_report(spark.createDataFrame([], "a double"), mode="full")
    assert result.rows_checked == result.rows_total == 0
    assert result.schema == Schema([ColSpec(DataType.double, "a")])


def test_default_mode_reads_every_row(spark, rare) -> None:
    result = infer_schema_report(rare.select("x"))
    assert result.mode == "full" and result.null_paths == ("x",)


def test_result_is_frozen_and_printable(spark) -> None:
    result = infer_schema_report(spark.createDataFrame([(None,)], "a string"), mode="full")
    assert isinstance(result, InferenceResult)
    with pytest.raises(AttributeError):
        result.mode = "sampled"  # type: ignore[misc]
    assert "every row: 1 rows of 1" in str(result)


def test_infer_signature_and_infer_schema_accept_spark_frames(spark) -> None:
    df = spark.createDataFrame([(1.0, "a"), (None, "b")], "x double, t string")
    expected = Schema([ColSpec(DataType.double, "x", False), ColSpec(DataType.string, "t")])
    assert sparksig.infer_schema(df) == expected
    sig = sparksig.infer_signature(df, df.select("t"))
    assert sig.inputs == expected
    assert sig.outputs == Schema([ColSpec(DataType.string, "t")])


# --- against MLflow ------------------------------------------------------------------------


def _mlflow_inputs(df) -> str:
    mlflow_models = pytest.importorskip("mlflow.models")
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mlflow_models.infer_signature(df).to_dict()["inputs"]
    finally:
        logging.disable(logging.NOTSET)


@pytest.mark.mlflow  # through _mlflow_inputs
def test_same_json_as_mlflow_when_nullability_matches_the_data(spark) -> None:
    df = spark.createDataFrame(
        [
            (1, 2.5, "a", True, b"x", dt.date(2024, 1, 1), [1, 2], (None, "n")),
            (2, 3.5, "b", False, b"y", dt.date(2024, 1, 2), [3], (4, "m")),
        ],
        "l bigint, d double, s string, b boolean, raw binary, day date, ints array<int>, "
        "st struct<opt: bigint, name: string>",
    )
    # st.name is nullable but never null: MLflow reads that as optional, sparksig as required.
    df = df.withColumn("st", F.struct(F.col("st.opt").alias("opt"), F.lit("n").alias("name")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = sparksig.infer_signature(df).to_dict()["inputs"]
    assert ours == _mlflow_inputs(df)


@pytest.mark.mlflow  # through _mlflow_inputs
def test_map_and_never_null_columns_differ_from_mlflow_deliberately(spark) -> None:
    df = spark.createDataFrame([({"a": 1.0},), ({"b": 2.0},)], "m map<string,double>")
    ours = infer_schema(df, mode="full").to_json()
    assert ours == '[{"type": "map", "values": {"type": "double"}, "name": "m", "required": true}]'
    # MLflow collects every key to the driver and builds an Object from them.
    theirs = _mlflow_inputs(df)
    assert '"type": "object"' in theirs and '"a"' in theirs and '"b"' in theirs
    # A nullable column holding a null: MLflow still says required (top-level nullable ignored).
    nulls = spark.createDataFrame([(None,)], "x double")
    assert _mlflow_inputs(nulls) == '[{"type": "double", "name": "x", "required": true}]'
    assert infer_schema(nulls).to_json() == '[{"type": "double", "name": "x", "required": false}]'


def test_any_for_variants(spark) -> None:
    df = spark.range(1).select(F.parse_json(F.lit('{"a": 1}')).alias("v"))
    assert infer_schema(df, mode="full").inputs[0].type == AnyType()


@pytest.mark.mlflow  # through _mlflow_inputs
def test_vectors_match_mlflow(spark) -> None:
    from pyspark.ml.feature import VectorAssembler

    df = VectorAssembler(inputCols=["a", "b"], outputCol="v").transform(
        spark.createDataFrame([(1.0, 2.0)], "a double, b double")
    )
    ours = infer_schema(df.select("v"), mode="full").to_json()
    assert ours == '[{"type": "sparkml_vector", "name": "v", "required": true}]'
    assert _mlflow_inputs(df.select("v")) == ours
