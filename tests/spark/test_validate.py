"""validate / conform on real Spark tables with planted violations of every kind."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss
from tests.labels import labels

N = 1000


@pytest.fixture(scope="module")
def planted(spark):
    """1,000 rows; violations planted at rows chosen by arithmetic, so counts are known."""
    return spark.range(N).select(
        F.col("id"),
        # 1 row in 200 has a null x: ids 0, 200, ..., 800 -> 5 rows
        F.when(F.col("id") % 200 == 0, None).otherwise(F.col("id") * 0.5).alias("x"),
        # 1 row in 150 has a null o.a: ids 0, 150, ..., 900 -> 7 rows
        F.struct(
            F.when(F.col("id") % 150 == 0, None).otherwise(F.col("id")).alias("a"),
            F.lit("tag").alias("b"),
        ).alias("o"),
        # ids 1, 334, 667 (id % 333 == 1) hold an element whose p is null -> 3 rows
        F.array(
            F.struct(F.lit(1.0).alias("p")),
            F.struct(F.when(F.col("id") % 333 == 1, None).otherwise(F.lit(2.0)).alias("p")),
        ).alias("arr"),
        F.lit("extra").alias("undeclared"),
    )


SCHEMA = ss.Schema(
    [
        ss.ColSpec("long", "id"),
        ss.ColSpec("double", "x"),
        ss.ColSpec(ss.Object([ss.Property("a", "long"), ss.Property("b", "string", False)]), "o"),
        ss.ColSpec(ss.Array(ss.Object([ss.Property("p", "double")])), "arr"),
    ]
)


def _by_path(report):
    return {(v.code, v.column_path): v for v in report.violations}


def test_full_mode_counts_every_planted_violation_exactly(planted):
    report = sss.validate(planted, SCHEMA, mode="full")
    found = _by_path(report)
    assert report.mode == "full" and report.rows_checked == N and not report.ok
    assert {k: v.count for k, v in found.items()} == {
        ("null_in_required", "x"): 5,
        ("null_in_required", "o.a"): 7,
        ("null_in_required", "arr[].p"): 3,
    }


def test_examples_carry_key_columns_to_find_the_rows_again(planted):
    report = sss.validate(planted, SCHEMA, key_columns=["id"])
    x = _by_path(report)[("null_in_required", "x")]
    assert sorted(e["keys"]["id"] for e in x.examples) == [0, 200, 400, 600, 800]
    arr = _by_path(report)[("null_in_required", "arr[].p")]
    assert sorted(e["keys"]["id"] for e in arr.examples) == [1, 334, 667]


def test_schema_level_findings_need_no_spark_job(spark, planted):
    schema = ss.Schema(
        [
            ss.ColSpec("integer", "id"),  # bigint cannot narrow to integer
            ss.ColSpec("string", "missing"),
            ss.ColSpec(ss.Object([ss.Property("a", "long"), ss.Property("c", "string")]), "o"),
        ]
    )
    tracker = spark.sparkContext.statusTracker()
    before = set(tracker.getJobIdsForGroup(None))
    report = sss.validate(planted.select("id", "o"), schema)
    codes = {(v.code, v.column_path, v.count) for v in report.violations}
    assert ("type_mismatch", "id", None) in codes
    assert ("missing_column", "missing", None) in codes
    assert ("missing_property", "o.c", None) in codes
    assert ("unexpected_property", "o.b", None) in codes
    # Every column failed at the schema level, so nothing is left to read: no job ran.
    assert set(tracker.getJobIdsForGroup(None)) == before


def test_unnamed_schema_checks_the_column_count(spark):
    df = spark.range(3)
    report = sss.validate(df, ss.Schema([ss.ColSpec("long"), ss.ColSpec("double")]))
    assert [v.code for v in report.violations] == ["column_count"]


def test_tensor_shapes_are_checked_on_array_lengths(spark):
    df = spark.createDataFrame([([1.0, 2.0, 3.0],), ([1.0, 2.0],)], "t array<double>")
    schema = ss.Schema([ss.TensorSpec("float64", (-1, 3), "t")])
    report = sss.validate(df, schema)
    assert [v.code for v in report.violations] == ["shape_mismatch"]
    ok = spark.createDataFrame([([1.0, 2.0, 3.0],)], "t array<double>")
    assert sss.validate(ok, schema).ok


def test_sampled_mode_is_reproducible_and_says_what_it_read(planted):
    a = sss.validate(planted, SCHEMA, mode="sampled", fraction=0.3, seed=7)
    b = sss.validate(planted, SCHEMA, mode="sampled", fraction=0.3, seed=7)
    assert a == b
    assert a.mode == "sampled" and 200 < a.rows_checked < 400
    assert "estimates" in str(a)
    full = _by_path(sss.validate(planted, SCHEMA))
    for key, v in _by_path(a).items():
        assert v.count <= full[key].count


def test_a_violation_in_the_last_of_ten_million_rows_is_found(spark):
    last = 10_000_000
    df = spark.range(last + 1).select(
        F.when(F.col("id") == last, None).otherwise(F.col("id")).alias("id")
    )
    report = sss.validate(df, ss.Schema([ss.ColSpec("long", "id")]), key_columns=())
    assert report.rows_checked == last + 1
    assert [(v.code, v.count) for v in report.violations] == [("null_in_required", 1)]


def test_non_strict_validation_follows_mlflow_for_top_level_nulls(planted):
    report = sss.validate(planted, SCHEMA, strict_nulls=False)
    assert {(v.code, v.column_path) for v in report.violations} == {
        ("null_in_required", "o.a"),
        ("null_in_required", "arr[].p"),
    }


def test_report_serialises_and_raises_with_itself(planted):
    report = sss.validate(planted, SCHEMA)
    assert ss.ValidationReport.from_dict(report.to_dict()) == report
    with pytest.raises(ss.SchemaEnforcementError) as info:
        report.raise_for_violations()
    assert info.value.report == report


# --- conform ---------------------------------------------------------------------------------


def test_quarantine_loses_no_row_and_explains_each_rejection(planted):
    valid, rejected = sss.conform(
        planted, SCHEMA, on_error="quarantine", key_columns=["undeclared", "id"]
    )
    n_valid, n_rejected = valid.count(), rejected.count()
    # Bad rows: ids divisible by 200 or 150, or id % 333 == 1 (union, computed independently).
    bad = {i for i in range(N) if i % 200 == 0 or i % 150 == 0 or i % 333 == 1}
    assert n_rejected == len(bad) and n_valid + n_rejected == N
    assert valid.columns == ["id", "x", "o", "arr", "undeclared"]
    reasons = {r["id"]: set(labels(r[sss.REASONS_COLUMN])) for r in rejected.collect()}
    assert set(reasons) == bad
    assert reasons[0] == {"null_in_required:x", "null_in_required:o.a"}
    assert reasons[1] == {"null_in_required:arr[].p"}
    assert reasons[150] == {"null_in_required:o.a"}


def test_drop_returns_only_valid_rows_cast_to_the_signature(spark):
    df = spark.createDataFrame(
        [(1, 1.5, "keep"), (2, None, "drop"), (3, 2.5, "keep")], "n int, x float, tag string"
    )
    schema = ss.Schema([ss.ColSpec("long", "n"), ss.ColSpec("double", "x")])
    out = sss.conform(df, schema, on_error="drop")
    expected = spark.createDataFrame([(1, 1.5), (3, 2.5)], "n bigint, x double")
    assert_df_equality(out, expected, ignore_nullable=True, ignore_row_order=True)


def test_raise_carries_the_report(spark):
    df = spark.createDataFrame([(1, None)], "id bigint, x double")
    schema = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("double", "x")])
    with pytest.raises(ss.SchemaEnforcementError) as info:
        sss.conform(df, schema)
    assert [(v.code, v.column_path, v.count) for v in info.value.violations] == [
        ("null_in_required", "x", 1)
    ]


def test_schema_level_failure_quarantines_every_row(spark):
    df = spark.createDataFrame([(1,), (2,)], "id bigint")
    schema = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("string", "name")])
    valid, rejected = sss.conform(df, schema, on_error="quarantine")
    assert valid.count() == 0 and rejected.count() == 2
    assert valid.schema.fieldNames() == ["id", "name"]
    assert {tuple(labels(r[sss.REASONS_COLUMN])) for r in rejected.collect()} == {
        ("missing_column:name",)
    }


def test_conform_turns_vectors_into_arrays_and_adds_missing_optional_columns(spark):
    from pyspark.ml.linalg import Vectors

    df = spark.createDataFrame(
        [(Vectors.dense([1.0, 2.0]),), (Vectors.sparse(3, [2], [4.0]),)], ["v"]
    )
    schema = ss.Schema([ss.ColSpec(ss.SparkMLVector(), "v"), ss.ColSpec("string", "note", False)])
    out = sss.conform(df, schema)
    expected = spark.createDataFrame(
        [([1.0, 2.0], None), ([0.0, 0.0, 4.0], None)], "v array<double>, note string"
    )
    assert_df_equality(out, expected, ignore_nullable=True, ignore_row_order=True)


def test_enforce_schema_on_a_spark_dataframe_conforms_it(spark):
    df = spark.createDataFrame([(1, 2.0, "x")], "a int, b double, c string")
    schema = ss.Schema([ss.ColSpec("double", "b"), ss.ColSpec("long", "a")])
    out = ss.enforce_schema(df, schema)
    assert_df_equality(
        out, spark.createDataFrame([(2.0, 1)], "b double, a bigint"), ignore_nullable=True
    )
