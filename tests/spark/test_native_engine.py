"""The native engine and the edges of validate/conform: what users with real tables hit."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss
from tests.labels import labels


def _found(report):
    return {(v.code, v.column_path): v.count for v in report.violations}


def _jobs(spark):
    return set(spark.sparkContext.statusTracker().getJobIdsForGroup(None))


def test_native_validation_runs_no_python_worker(spark):
    # A Python worker would show up as a PythonUDF / MapInArrow node; the native plan has none.
    df = spark.range(100).select(
        F.when(F.col("id") % 10 == 0, None).otherwise(F.col("id")).alias("a"),
        F.array(F.when(F.col("id") % 7 == 0, None).otherwise(F.lit(1.0))).alias("xs"),
    )
    schema = ss.Schema([ss.ColSpec("long", "a"), ss.ColSpec(ss.Array("double"), "xs")])
    report = sss.validate(df, schema)
    assert report.engine == "native"
    assert _found(report) == {("null_in_required", "a"): 10, ("null_in_required", "xs[]"): 15}
    arrow = sss.validate(df, schema, engine="arrow")
    assert arrow.engine == "arrow" and _found(arrow) == _found(report)


def test_bad_option_strings_name_the_argument(spark):
    df = spark.range(1)
    schema = ss.Schema([ss.ColSpec("long", "id")])
    for kwargs, name in (
        ({"mode": "fast"}, "mode"),
        ({"engine": "gpu"}, "engine"),
        ({"sampling": "blocks"}, "sampling"),
    ):
        with pytest.raises(ss.InvalidArgumentError, match=name):
            sss.validate(df, schema, **kwargs)
    with pytest.raises(ss.InvalidArgumentError, match="on_error"):
        sss.conform(df, schema, on_error="ignore")


def test_a_sample_that_checked_no_rows_is_inconclusive_not_a_pass(spark):
    df = spark.range(1000).select(F.when(F.col("id") >= 0, F.col("id")).alias("id"))  # nullable
    report = sss.validate(df, ss.Schema([ss.ColSpec("long", "id")]), mode="sampled", fraction=1e-9)
    assert report.rows_checked == 0
    assert report.status == "inconclusive" and not report.ok
    assert "INCONCLUSIVE" in str(report)


def test_any_only_signature_says_nothing_needed_checking(spark):
    df = spark.sql("select parse_json('{\"a\": 1}') as v")
    report = sss.validate(df, ss.Schema([ss.ColSpec(ss.AnyType(), "v")]))
    assert report.ok and report.checks == 0
    assert "no rows were read" in str(report)
    out = sss.conform(df, ss.Schema([ss.ColSpec(ss.AnyType(), "v")]))
    assert out.columns == ["v"] and out.count() == 1


def test_null_vectors_are_violations_only_where_required(spark):
    from pyspark.ml.linalg import Vectors

    df = spark.createDataFrame([(1, Vectors.dense([1.0])), (2, None)], ["id", "v"])
    required = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec(ss.SparkMLVector(), "v")])
    optional = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec(ss.SparkMLVector(), "v", False)])
    assert _found(sss.validate(df, required)) == {("null_in_required", "v"): 1}
    assert sss.validate(df, optional).ok
    valid, rejected = sss.conform(df, required, on_error="quarantine")
    assert [r["id"] for r in rejected.collect()] == [2]
    assert [r["v"] for r in valid.collect()] == [[1.0]]
    assert sorted(r["v"] is None for r in sss.conform(df, optional).collect()) == [False, True]


ODD = ["a`b", "c.d", "with space", "prix €", "名前", "x;y", "k:v"]


def test_odd_column_names_are_taken_literally(spark):
    df = spark.createDataFrame(
        [(1, None, 1.0, "a", "b", 2, 3, 4), (2, 2.0, None, "c", "d", 5, None, 6)],
        [*["id"], *ODD],
    )
    schema = ss.Schema(
        [ss.ColSpec("long", "id")]
        + [
            ss.ColSpec("double" if i < 2 else ("string" if i < 4 else "long"), name)
            for i, name in enumerate(ODD)
        ]
    )
    report = sss.validate(df, schema, key_columns=["id"])
    assert _found(report) == {
        ("null_in_required", "a`b"): 1,
        ("null_in_required", "c.d"): 1,
        ("null_in_required", "x;y"): 1,
    }
    valid, rejected = sss.conform(df, schema, on_error="quarantine")
    assert valid.count() == 0 and rejected.count() == 2
    reasons = {r["id"]: set(labels(r[sss.REASONS_COLUMN])) for r in rejected.collect()}
    assert reasons == {
        1: {"null_in_required:a`b"},
        2: {"null_in_required:c.d", "null_in_required:x;y"},
    }
    # an undeclared odd column does not get in the way either
    assert sss.conform(df, ss.Schema([ss.ColSpec("long", "id")])).columns == ["id"]


def test_duplicate_names_get_a_clear_error(spark):
    df = spark.createDataFrame([(1, 2)], "x bigint, X bigint")
    with pytest.raises(ss.InvalidArgumentError, match=r"2 columns .* 'x' \(x, X\)"):
        sss.validate(df, ss.Schema([ss.ColSpec("long", "x")]))
    plain = spark.createDataFrame([(1, 2)], "id bigint, y bigint")
    with pytest.raises(ss.InvalidArgumentError, match="repeats"):
        sss.validate(plain, ss.Schema([ss.ColSpec("long", "y")]), key_columns=["id", "id"])


def test_timestamps_outside_datetime64_ns_are_out_of_range(spark):
    df = spark.createDataFrame(
        [(1, dt.datetime(1, 1, 1)), (2, dt.datetime(2020, 5, 17)), (3, dt.datetime(9999, 12, 31))],
        "id bigint, t timestamp",
    )
    schema = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("datetime", "t")])
    assert _found(sss.validate(df, schema)) == {("out_of_range", "t"): 2}
    assert _found(sss.validate(df, schema, engine="arrow")) == {("out_of_range", "t"): 2}


def test_finite_only_is_a_switch_and_nan_is_a_value_by_default(spark):
    df = spark.createDataFrame([(float("nan"),), (float("inf"),), (1.0,)], "x double")
    schema = ss.Schema([ss.ColSpec("double", "x")])
    assert sss.validate(df, schema).ok
    assert _found(sss.validate(df, schema, finite_only=True)) == {("non_finite", "x"): 2}


def test_validate_on_a_stream_names_the_alternative(spark, tmp_path):
    spark.range(3).write.parquet(str(tmp_path / "in"))
    stream = spark.readStream.schema("id bigint").parquet(str(tmp_path / "in"))
    with pytest.raises(ss.InvalidArgumentError, match="monitor"):
        sss.validate(stream, ss.Schema([ss.ColSpec("long", "id")]))


def test_file_sampling_reads_a_seeded_subset_of_files(spark, tmp_path):
    path = str(tmp_path / "t")
    spark.range(2000).select(
        "id", F.when(F.col("id") % 4 == 0, None).otherwise(F.col("id")).alias("x")
    ).repartition(20).write.parquet(path)
    df = spark.read.parquet(path)
    schema = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("long", "x")])
    a = sss.validate(df, schema, mode="sampled", sampling="files", fraction=0.1, seed=3)
    b = sss.validate(df, schema, mode="sampled", sampling="files", fraction=0.1, seed=3)
    assert a == b
    assert (a.files_read, a.files_total) == (2, 20)
    # the rows checked are exactly those of the two chosen files
    per_file = df.groupBy(F.input_file_name()).count().collect()
    assert a.rows_checked in {x["count"] + y["count"] for x in per_file for y in per_file}
    assert "2 of 20 files" in str(a) and "clustered" in str(a)
    assert a.violations[0].count <= a.rows_checked


def test_a_file_sample_of_every_file_reports_what_full_validation_reports(spark, tmp_path):
    # File samples are summarised as observed metrics of a one-stage job, full validation by
    # an aggregation: the same counts, examples and keys either way.
    path = str(tmp_path / "t")
    bad = F.col("id") % 50 == 0  # 4 bad rows per check: every example is shown
    spark.range(200).select(
        "id",
        F.when(bad, None).otherwise(F.col("id")).alias("x"),
        F.array(F.when(bad, None).otherwise(F.lit(1.5))).alias("xs"),
        F.struct(F.when(bad, None).otherwise(F.lit("s")).alias("z")).alias("o"),
        F.when(bad, F.lit(float("nan"))).otherwise(F.lit(2.0)).alias("d"),
        F.when(bad, F.lit(dt.datetime(1, 1, 1)))
        .otherwise(F.lit(dt.datetime(2020, 1, 1)))
        .alias("t"),
    ).repartition(10).write.parquet(path)
    df = spark.read.parquet(path)
    schema = ss.Schema(
        [
            ss.ColSpec("long", "x"),
            ss.ColSpec(ss.Array("double"), "xs"),
            ss.ColSpec(ss.Object([ss.Property("z", "string")]), "o"),
            ss.ColSpec("double", "d"),
            ss.ColSpec("datetime", "t"),
        ]
    )
    kw = {"key_columns": ["id"], "finite_only": True}
    full = sss.validate(df, schema, **kw)
    sample = sss.validate(df, schema, mode="sampled", sampling="files", fraction=1.0, **kw)
    assert (sample.files_read, sample.files_total) == (10, 10)
    assert sample.rows_checked == full.rows_checked == 200
    assert _found(full) == {
        ("null_in_required", "x"): 4,
        ("null_in_required", "xs[]"): 4,
        ("null_in_required", "o.z"): 4,
        ("non_finite", "d"): 4,
        ("out_of_range", "t"): 4,
    }

    def examples(report):
        return {
            (v.code, v.column_path): sorted(e["keys"]["id"] for e in v.examples)
            for v in report.violations
        }

    assert examples(sample) == examples(full)
    assert all(ids == [0, 50, 100, 150] for ids in examples(full).values())


def test_file_sampling_refuses_a_table_not_read_from_files(spark):
    with pytest.raises(ss.InvalidArgumentError, match="file-backed"):
        sss.validate(
            spark.range(10),
            ss.Schema([ss.ColSpec("long", "id")]),
            mode="sampled",
            sampling="files",
            fraction=0.5,
        )


def test_one_aggregation_job_for_a_full_native_validation(spark):
    df = spark.range(1000).select("id", F.struct(F.lit(None).cast("long").alias("a")).alias("o"))
    schema = ss.Schema(
        [ss.ColSpec("long", "id"), ss.ColSpec(ss.Object([ss.Property("a", "long")]), "o")]
    )
    before = _jobs(spark)
    report = sss.validate(df, schema, key_columns=["id"])
    new_jobs = _jobs(spark) - before
    assert _found(report) == {("null_in_required", "o.a"): 1000}
    assert len(report.violations[0].examples) == 5
    # one aggregation: a map stage and, under adaptive execution, a result stage
    assert 1 <= len(new_jobs) <= 2


def test_spark_non_null_guarantees_are_trusted_and_cost_no_job(spark):
    # spark.range's id is declared non-nullable: no null can be there, nothing is read.
    before = _jobs(spark)
    report = sss.validate(spark.range(1000), ss.Schema([ss.ColSpec("long", "id")]))
    assert report.ok and report.checks == 0 and _jobs(spark) == before


def test_vector_examples_are_dense_arrays_in_both_engines(spark):
    # SQL cannot call vector_to_array: the native engine reads the vector's own struct and
    # fills in a sparse vector's zeros; the example must be what the Arrow engine shows.
    from pyspark.ml.linalg import Vectors

    df = spark.createDataFrame(
        [
            (1, Vectors.sparse(4, [1], [float("inf")])),
            (2, Vectors.dense([float("nan"), 2.0])),
            (3, Vectors.sparse(0, [], [])),
            (4, Vectors.dense([1.0])),
            (5, None),
        ],
        ["id", "v"],
    )
    schema = ss.Schema([ss.ColSpec(ss.SparkMLVector(), "v", required=False)])
    reports = {
        engine: sss.validate(df, schema, finite_only=True, key_columns=["id"], engine=engine)
        for engine in ("native", "arrow")
    }
    for engine, report in reports.items():
        (violation,) = report.violations
        assert (violation.code, violation.column_path, violation.count) == (
            "non_finite",
            "v[]",
            2,
        ), engine
    shown = {
        e: sorted((x["keys"]["id"], x["value"]) for x in r.violations[0].examples)
        for e, r in reports.items()
    }
    assert shown["native"] == shown["arrow"]
    assert shown["native"] == [(1, [0.0, "Infinity", 0.0, 0.0]), (2, ["NaN", 2.0])]


def test_struct_fields_differing_only_in_case_are_read_by_position(spark):
    from pyspark.sql import types as T

    struct = T.StructType(
        [
            T.StructField(
                "o",
                T.StructType(
                    [
                        T.StructField("a", T.TimestampType()),
                        T.StructField("A", T.ArrayType(T.LongType())),
                    ]
                ),
            )
        ]
    )
    rows = [
        ({"a": dt.datetime(2020, 1, 1), "A": [1, None]},),
        ({"a": dt.datetime(1, 1, 1), "A": [2]},),
    ]
    df = spark.createDataFrame([(r[0],) for r in rows], struct)
    schema = ss.Schema(
        [
            ss.ColSpec(
                ss.Object([ss.Property("a", "datetime"), ss.Property("A", ss.Array("long"))]),
                "o",
            )
        ]
    )
    for engine in ("native", "arrow"):
        report = sss.validate(df, schema, engine=engine)
        assert _found(report) == {("out_of_range", "o.a"): 1, ("null_in_required", "o.A[]"): 1}


def test_case_twin_fields_beside_a_vector_are_read_by_position(spark):
    # The positional cast cannot name a vector type in SQL; vectors travel as their text,
    # which keeps both what a null check and a finiteness check need.
    from pyspark.ml.linalg import Vectors, VectorUDT
    from pyspark.sql import types as T

    inner = T.StructType(
        [
            T.StructField("A", VectorUDT()),
            T.StructField("a", T.BooleanType()),
            T.StructField("v", T.ArrayType(VectorUDT())),
        ]
    )
    df = spark.createDataFrame(
        [
            ([((Vectors.dense([1.0]), None, [Vectors.sparse(3, [2], [float("-inf")])]),)],),
            ([((None, True, [Vectors.dense([2.0]), None]),)],),
            ([((Vectors.dense([float("nan")]), False, []),)],),
            ([],),
        ],
        T.StructType(
            [T.StructField("[i]", T.ArrayType(T.StructType([T.StructField("b", inner)])))]
        ),
    )
    vector = ss.SparkMLVector()
    schema = ss.Schema(
        [
            ss.ColSpec(
                ss.Array(
                    ss.Object(
                        [
                            ss.Property(
                                "b",
                                ss.Object(
                                    [
                                        ss.Property("A", vector),
                                        ss.Property("a", "boolean"),
                                        ss.Property("v", ss.Array(vector)),
                                    ]
                                ),
                            )
                        ]
                    )
                ),
                "[i]",
            )
        ]
    )
    expected = {
        ("null_in_required", "[i][].b.A"): 1,
        ("null_in_required", "[i][].b.a"): 1,
        ("null_in_required", "[i][].b.v[]"): 1,
        ("non_finite", "[i][].b.A[]"): 1,
        ("non_finite", "[i][].b.v[][]"): 1,
    }
    for engine in ("native", "arrow"):
        report = sss.validate(df, schema, engine=engine, finite_only=True)
        assert _found(report) == expected, engine
