"""spark_udf at the edges: one-input signatures, missing inputs, extreme timestamps, ``any``
inputs, odd and duplicate column names, null vectors, and empty batches (issue 12)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from chispa import assert_df_equality
from pyspark.ml.linalg import Vectors, VectorUDT
from pyspark.sql import functions as F
from pyspark.sql import types as T

import sparksig as ss
from sparksig import spark as sss
from sparksig.spark.udf.arguments import Convention


def failure(df) -> str:
    """The text of the error that collecting ``df`` raises (executor errors come wrapped)."""
    with pytest.raises(Exception) as raised:
        df.collect()
    return str(raised.value)


def sig(*specs: ss.ColSpec, outputs: ss.Schema | None = None) -> ss.ModelSignature:
    return ss.ModelSignature(ss.Schema(list(specs)), outputs)


def dtypes_and_values(df: pd.DataFrame) -> pd.Series:
    """A model that reports what it received, one JSON string per row."""
    dtypes = {c: str(t) for c, t in df.dtypes.items()}
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    return pd.Series([json.dumps({"dtypes": dtypes, "row": r}, default=str) for r in rows])


TWO = sig(ss.ColSpec("long", "a"), ss.ColSpec("double", "b", required=False))


def seen(df, column="p") -> list[dict]:
    return [json.loads(r[column]) for r in df.collect()]


# -- 1. one-input signatures and MLflow's canonical udf(struct(...)) ---------------------------


def test_a_struct_of_the_one_input_is_the_row_and_a_null_long_arrives_as_int64(spark):
    df = spark.createDataFrame([(1,), (None,), (3,)], "a long").coalesce(1)
    udf = sss.spark_udf(
        spark, dtypes_and_values, sig(ss.ColSpec("long", "a")), result_type="string"
    )
    for column in (udf(F.struct("a")), udf("a"), udf()):
        got = seen(df.select(column.alias("p")))
        assert [g["row"]["a"] for g in got] == [1, None, 3]
        assert {g["dtypes"]["a"] for g in got} == {"Int64"}


def test_a_one_object_input_takes_its_struct_value_or_a_struct_of_it(spark):
    df = spark.createDataFrame([({"w": 1.5},), ({"w": 2.5},)], "s struct<w: double>")
    signature = sig(ss.ColSpec(ss.Object([ss.Property("w", "double")]), "s"))
    udf = sss.spark_udf(spark, lambda d: d["s"].map(lambda s: s["w"] * 2), signature)
    expected = spark.createDataFrame([(3.0,), (5.0,)], "p double")
    for column in (udf("s"), udf(F.col("s")), udf(F.struct("s")), udf()):
        assert_df_equality(
            df.select(column.alias("p")), expected, ignore_row_order=True, ignore_nullable=True
        )


def test_an_object_input_named_like_its_property_reads_value_and_row_alike(spark):
    # Input `a` is an object whose one property is also `a`: udf("a") passes the value,
    # udf(struct("a")) the row; the declared type tells them apart.
    df = spark.createDataFrame([({"a": 4},), ({"a": 6},)], "a struct<a: bigint>")
    signature = sig(ss.ColSpec(ss.Object([ss.Property("a", "long")]), "a"))
    udf = sss.spark_udf(
        spark, lambda d: d["a"].map(lambda o: o["a"] + 1), signature, result_type="long"
    )
    expected = spark.createDataFrame([(5,), (7,)], "p long")
    for column in (udf("a"), udf(F.struct("a")), udf()):
        assert_df_equality(
            df.select(column.alias("p")), expected, ignore_row_order=True, ignore_nullable=True
        )


def test_a_struct_without_the_input_is_not_taken_for_a_long(spark):
    df = spark.createDataFrame([(1,)], "b long")
    udf = sss.spark_udf(spark, lambda d: d["a"], sig(ss.ColSpec("long", "a")), result_type="long")
    text = failure(df.select(udf(F.struct("b"))))
    assert "SchemaEnforcementError" in text
    assert "[missing_column] a" in text


def test_an_unaliased_struct_call_is_selectable(spark):
    # Spark failed to name the column of udf(struct(...)) when the UDF wrapped it again.
    df = spark.createDataFrame([(1, 2.0)], "a long, b double")
    udf = sss.spark_udf(spark, lambda d: d["a"] + d["b"], TWO)
    assert df.select(udf(F.struct("a", "b"))).first()[0] == 3.0


# -- 2. missing inputs --------------------------------------------------------------------------


def test_a_missing_optional_input_is_scored_as_nulls(spark):
    df = spark.createDataFrame([(1,), (2,)], "a long")
    udf = sss.spark_udf(spark, dtypes_and_values, TWO, result_type="string")
    for column in (udf(), udf(F.struct("a"))):
        got = seen(df.select(column.alias("p")))
        assert [g["row"] for g in got] == [{"a": 1, "b": None}, {"a": 2, "b": None}]
        assert got[0]["dtypes"] == {"a": "int64", "b": "float64"}


def test_a_missing_optional_long_is_a_nullable_long(spark):
    signature = sig(ss.ColSpec("double", "x"), ss.ColSpec("long", "n", required=False))
    udf = sss.spark_udf(spark, dtypes_and_values, signature, result_type="string")
    got = seen(spark.createDataFrame([(1.0,)], "x double").select(udf().alias("p")))
    assert got == [{"dtypes": {"x": "float64", "n": "Int64"}, "row": {"x": 1.0, "n": None}}]


def test_a_missing_required_input_is_a_sparksig_error_naming_it(spark):
    df = spark.createDataFrame([(1.0,)], "b double")
    udf = sss.spark_udf(spark, lambda d: d["b"], TWO)
    text = failure(df.select(udf()))
    assert "SchemaEnforcementError" in text
    assert "[missing_column] a: required input 'a' (long) is not a column of the table" in text


def test_on_a_table_binds_by_name_on_the_driver(spark):
    df = spark.createDataFrame([(1, "x")], "A long, tag string")
    udf = sss.spark_udf(spark, dtypes_and_values, TWO, result_type="string")
    got = seen(df.select(udf.on(df).alias("p")))
    assert got == [{"dtypes": {"a": "int64", "b": "float64"}, "row": {"a": 1, "b": None}}]
    with pytest.raises(ss.SchemaEnforcementError, match=r"\[missing_column\] a"):
        udf.on(df.select("tag"))


# -- 3. timestamps outside datetime64[ns] -------------------------------------------------------

EXTREMES = [dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59)]


@pytest.mark.parametrize("moment", EXTREMES, ids=["0001", "9999"])
def test_an_extreme_timestamp_is_out_of_range_not_a_pandas_crash(spark, moment):
    df = spark.createDataFrame([(dt.datetime(2020, 1, 1),), (moment,)], "t timestamp")
    model = lambda d: d["t"].astype(str)  # noqa: E731
    udf = sss.spark_udf(spark, model, sig(ss.ColSpec("datetime", "t")), result_type="string")
    text = failure(df.coalesce(1).select(udf()))
    assert "SchemaEnforcementError" in text
    assert "[out_of_range] t: timestamp outside the datetime64[ns] range" in text
    assert "OutOfBoundsDatetime" not in text


def test_an_extreme_date_is_out_of_range(spark):
    df = spark.createDataFrame([(dt.date(1, 1, 1),)], "d date")
    udf = sss.spark_udf(
        spark, lambda d: d["d"].astype(str), sig(ss.ColSpec("datetime", "d")), result_type="string"
    )
    assert "[out_of_range] d:" in failure(df.select(udf()))


def test_extreme_timestamps_nested_in_arrays_objects_and_maps_are_out_of_range(spark):
    early = dt.datetime(1, 1, 1)
    signature = sig(
        ss.ColSpec(ss.Array("datetime"), "ts"),
        ss.ColSpec(ss.Object([ss.Property("t", "datetime")]), "s"),
        ss.ColSpec(ss.Map("datetime"), "m"),
    )
    df = spark.createDataFrame(
        [([early], {"t": early}, {"k": early}), ([], {"t": dt.datetime(2020, 1, 1)}, {})],
        "ts array<timestamp>, s struct<t: timestamp>, m map<string, timestamp>",
    )
    for check in ("full", "sampled"):
        udf = sss.spark_udf(
            spark, lambda d: d["ts"].map(len), signature, result_type="long", check=check
        )
        text = failure(df.select(udf()))
        for path in ("ts[]", "s.t", "m{}"):
            assert f"[out_of_range] {path}:" in text


def test_timestamps_at_the_ends_of_the_range_are_scored_as_datetime64_ns(spark):
    inside = [dt.datetime(1677, 9, 22), dt.datetime(2262, 4, 10)]
    df = spark.createDataFrame([(t,) for t in inside], "t timestamp")
    udf = sss.spark_udf(
        spark, dtypes_and_values, sig(ss.ColSpec("datetime", "t")), result_type="string"
    )
    got = seen(df.coalesce(1).select(udf().alias("p")))
    assert [g["row"]["t"] for g in got] == [str(pd.Timestamp(t)) for t in inside]
    assert got[0]["dtypes"]["t"] == "datetime64[ns]"


def test_a_timestamp_output_round_trips_in_a_non_utc_session(spark):
    # The model sees wall-clock times in the session time zone; what it returns is read so.
    signature = sig(ss.ColSpec("datetime", "t"), outputs=ss.Schema([ss.ColSpec("datetime")]))
    noon = dt.datetime(2020, 1, 1, 12, 0)
    df = spark.createDataFrame([(noon,)], "t timestamp")
    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "Asia/Tokyo")
    try:
        udf = sss.spark_udf(spark, lambda d: d["t"] + pd.Timedelta(hours=1), signature)
        row = df.select("t", udf().alias("p")).first()
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)
    assert row["p"] - row["t"] == dt.timedelta(hours=1)


def test_nested_timestamps_are_wall_clock_times_like_top_level_ones(spark):
    signature = sig(
        ss.ColSpec("datetime", "t"),
        ss.ColSpec(ss.Array("datetime"), "ts"),
        ss.ColSpec(ss.Object([ss.Property("t", "datetime")]), "s"),
    )

    def model(d):
        seen = (d["t"].iloc[0], pd.Timestamp(d["ts"].iloc[0][0]), pd.Timestamp(d["s"].iloc[0]["t"]))
        return pd.Series([json.dumps([str(t) for t in seen])])

    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "Asia/Tokyo")
    try:
        df = spark.sql(
            "select t, array(t) as ts, named_struct('t', t) as s "
            "from (select timestamp'2020-01-01 12:00:00' as t)"
        )
        udf = sss.spark_udf(spark, model, signature, result_type="string")
        got = json.loads(df.select(udf()).first()[0])
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)
    assert got == ["2020-01-01 12:00:00"] * 3


# -- 4. any inputs --------------------------------------------------------------------------------

DOCS = ['{"a": [1, 2.5, "x", null], "b": {"c": true}}', "3", '"text"', "null", "[[1], []]"]


def as_json(d: pd.DataFrame) -> pd.Series:
    return d["v"].map(json.dumps)


def test_any_values_reach_the_model_as_python_values(spark):
    df = spark.createDataFrame([(i, s) for i, s in enumerate(DOCS)], "i int, s string").select(
        "i", F.parse_json("s").alias("v")
    )
    udf = sss.spark_udf(spark, as_json, sig(ss.ColSpec(ss.AnyType(), "v")), result_type="string")
    expected = [json.loads(s) for s in DOCS]
    for column in (udf(), udf("v"), udf(F.struct("v"))):
        rows = df.select("i", column.alias("p")).collect()
        assert [json.loads(r["p"]) for r in sorted(rows)] == expected


def test_a_null_any_value_is_none(spark):
    df = spark.createDataFrame([("1",), (None,)], "s string").select(F.parse_json("s").alias("v"))
    signature = sig(ss.ColSpec(ss.AnyType(), "v", required=False))
    udf = sss.spark_udf(spark, lambda d: d["v"].map(repr), signature, result_type="string")
    assert sorted(r[0] for r in df.select(udf()).collect()) == ["1", "None"]


def test_any_values_inside_arrays_and_objects_are_python_values(spark):
    signature = sig(
        ss.ColSpec(ss.Array(ss.AnyType()), "xs"),
        ss.ColSpec(ss.Object([ss.Property("o", ss.AnyType())]), "s"),
    )
    df = spark.sql(
        "select array(parse_json('1'), parse_json('{\"k\": \"v\"}')) as xs, "
        "named_struct('o', parse_json('[true]')) as s"
    )
    model = lambda d: d["xs"].map(json.dumps) + "|" + d["s"].map(json.dumps)  # noqa: E731
    udf = sss.spark_udf(spark, model, signature, result_type="string")
    assert df.select(udf()).first()[0] == '[1, {"k": "v"}]|{"o": [true]}'


def test_an_any_output_is_returned_as_a_variant(spark):
    # MLflow's inference falls back to an `any` output; its result type is Spark's variant.
    outputs = ss.Schema([ss.ColSpec(ss.AnyType())])
    values = [{"k": [1, 2.5]}, "text", None, np.int64(7), float("nan")]

    def model(d):
        return pd.Series([values[int(i)] for i in d["i"]], dtype=object)

    udf = sss.spark_udf(spark, model, sig(ss.ColSpec("long", "i"), outputs=outputs))
    assert isinstance(udf.result_type, T.VariantType)
    df = spark.range(len(values)).select(F.col("id").alias("i"))
    out = df.select("i", F.to_json(udf().alias("p")).alias("j")).orderBy("i").collect()
    assert [r["j"] for r in out] == ['{"k":[1,2.5]}', '"text"', None, "7", None]


def test_any_fields_of_a_struct_output_are_variants(spark):
    outputs = ss.Schema([ss.ColSpec("double", "score"), ss.ColSpec(ss.AnyType(), "extra")])
    model = lambda d: pd.DataFrame({"score": d["x"], "extra": [[1, "a"]] * len(d)})  # noqa: E731
    udf = sss.spark_udf(spark, model, sig(ss.ColSpec("double", "x"), outputs=outputs))
    row = spark.createDataFrame([(0.5,)], "x double").select(udf().alias("r")).first()["r"]
    assert row["score"] == 0.5
    assert row["extra"].toJson() == '[1,"a"]'


# -- 5. odd column names ------------------------------------------------------------------------

ODD = ["a`b", "c.d", "x y", "prix €", "名前"]


@pytest.mark.parametrize("name", ODD)
def test_odd_names_work_in_every_calling_convention(spark, name):
    schema = T.StructType([T.StructField(name, T.LongType()), T.StructField("z", T.LongType())])
    df = spark.createDataFrame([(1, 10), (2, 20)], schema)
    signature = sig(ss.ColSpec("long", name), ss.ColSpec("long", "z"))
    udf = sss.spark_udf(spark, lambda d: d[name] + d["z"], signature, result_type="long")
    quoted = F.col("`" + name.replace("`", "``") + "`")
    expected = spark.createDataFrame([(11,), (22,)], "p long")
    for column in (udf(), udf(name, "z"), udf(quoted, F.col("z")), udf(F.struct(quoted, "z"))):
        assert_df_equality(
            df.select(column.alias("p")), expected, ignore_row_order=True, ignore_nullable=True
        )


def test_a_struct_result_keeps_odd_field_names(spark):
    outputs = ss.Schema([ss.ColSpec("double", "c.d"), ss.ColSpec("double", "a`b")])
    signature = sig(ss.ColSpec("double", "x"), outputs=outputs)
    model = lambda d: pd.DataFrame({"c.d": d["x"] + 1, "a`b": d["x"] - 1})  # noqa: E731
    udf = sss.spark_udf(spark, model, signature)
    out = spark.createDataFrame([(2.0,)], "x double").select(udf().alias("r"))
    assert out.schema["r"].dataType.fieldNames() == ["c.d", "a`b"]
    assert tuple(out.first()["r"]) == (3.0, 1.0)


# -- 6. duplicate names ---------------------------------------------------------------------------


def test_columns_differing_only_in_case_are_a_sparksig_error_naming_them(spark):
    df = spark.createDataFrame([(1, 2)], "x long, y long").toDF("x", "X")
    udf = sss.spark_udf(spark, lambda d: d["x"], sig(ss.ColSpec("long", "x")), result_type="long")
    text = failure(df.select(udf()))
    assert "sparksig.errors.InvalidArgumentError" in text
    assert "input 'x' matches columns 'x', 'X'" in text
    assert "AMBIGUOUS_REFERENCE" not in text


@pytest.mark.parametrize("names", [("x", "x"), ("x", "X")])
def test_on_a_table_duplicate_input_columns_are_an_error_on_the_driver(spark, names):
    df = spark.createDataFrame([(1, 2, 3)], "a long, b long, id long").toDF(*names, "id")
    udf = sss.spark_udf(spark, lambda d: d["x"], sig(ss.ColSpec("long", "x")), result_type="long")
    quoted = ", ".join(repr(n) for n in names)
    with pytest.raises(ss.SparksigError, match=f"input 'x' matches columns {quoted}"):
        udf.on(df)


def test_on_a_table_duplicates_the_model_does_not_read_are_fine(spark):
    # A join's two `id` columns: udf() cannot send them (Spark refuses the struct), on() can.
    left = spark.createDataFrame([(1, 2.0)], "id long, x double")
    right = spark.createDataFrame([(1, "t")], "id long, tag string")
    joined = left.join(right, left["id"] == right["id"])
    udf = sss.spark_udf(spark, lambda d: d["x"] * 2, sig(ss.ColSpec("double", "x")))
    assert joined.select(udf.on(joined)).first()[0] == 4.0


def test_with_case_sensitive_resolution_the_exact_name_is_taken(spark):
    df = spark.createDataFrame([(1, 2)], "x long, y long").toDF("x", "X")
    spark.conf.set("spark.sql.caseSensitive", "true")
    try:
        udf = sss.spark_udf(
            spark, lambda d: d["X"] * 10, sig(ss.ColSpec("long", "X")), result_type="long"
        )
        assert df.select(udf()).first()[0] == 20
    finally:
        spark.conf.unset("spark.sql.caseSensitive")


def test_a_differently_cased_column_is_found_by_name(spark):
    df = spark.createDataFrame([(4,)], "AMOUNT long")
    model = lambda d: d["amount"] * 2  # noqa: E731
    udf = sss.spark_udf(spark, model, sig(ss.ColSpec("long", "amount")), result_type="long")
    assert df.select(udf()).first()[0] == 8


# -- 7. null vectors -------------------------------------------------------------------------------

VECTORS = T.StructType([T.StructField("v", VectorUDT())])


def test_a_null_vector_in_a_required_input_is_null_in_required(spark):
    df = spark.createDataFrame([(Vectors.dense([1.0]),), (None,)], VECTORS)
    udf = sss.spark_udf(spark, lambda d: d["v"].map(len), sig(ss.ColSpec(ss.SparkMLVector(), "v")))
    for column in (udf(), udf("v"), udf(F.struct("v"))):
        text = failure(df.select(column))
        assert "SchemaEnforcementError" in text
        assert "[null_in_required] v:" in text


def test_a_sampled_check_still_finds_every_null_vector(spark):
    # One batch of 2,000 rows; its seeded 10% sample does not draw row 1000.
    rows = [(Vectors.dense([float(i)]),) for i in range(2000)]
    rows[1000] = (None,)
    df = spark.createDataFrame(rows, VECTORS).coalesce(1)
    signature = sig(ss.ColSpec(ss.SparkMLVector(), "v"))
    udf = sss.spark_udf(
        spark, lambda d: d["v"].map(len), signature, result_type="long", check="sampled"
    )
    assert "[null_in_required] v:" in failure(df.select(udf()))


def test_a_null_vector_in_an_optional_input_reaches_the_model_as_none(spark):
    df = spark.createDataFrame([(Vectors.sparse(3, [1], [2.0]),), (None,)], VECTORS)
    signature = sig(ss.ColSpec(ss.SparkMLVector(), "v", required=False))
    udf = sss.spark_udf(spark, lambda d: d["v"].map(repr), signature, result_type="string")
    got = sorted(r[0] for r in df.select(udf()).collect())
    assert got == ["None", "array([0., 2., 0.])"]


def test_vectors_inside_structs_are_made_dense(spark):
    schema = T.StructType([T.StructField("s", T.StructType([T.StructField("v", VectorUDT())]))])
    df = spark.createDataFrame([({"v": Vectors.sparse(3, [2], [5.0])},), ({"v": None},)], schema)
    prop = ss.Property("v", ss.SparkMLVector(), required=False)
    signature = sig(ss.ColSpec(ss.Object([prop]), "s"))
    model = lambda d: d["s"].map(lambda s: json.dumps(None if s["v"] is None else list(s["v"])))  # noqa: E731
    udf = sss.spark_udf(spark, model, signature, result_type="string")
    assert sorted(r[0] for r in df.select(udf()).collect()) == ["[0.0, 0.0, 5.0]", "null"]


# -- 8. siblings ---------------------------------------------------------------------------------


def test_an_int_column_without_nulls_stays_int64_next_to_one_with_nulls(spark):
    df = spark.createDataFrame([(1, None), (2, 5)], "a long, b long").coalesce(1)
    signature = sig(ss.ColSpec("long", "a"), ss.ColSpec("long", "b"))
    udf = sss.spark_udf(spark, dtypes_and_values, signature, result_type="string")
    got = seen(df.select(udf().alias("p")))
    assert got[0]["dtypes"] == {"a": "int64", "b": "Int64"}


def test_a_null_struct_argument_gives_null_inputs(spark):
    df = spark.createDataFrame(
        [({"a": 1, "b": 2.0},), (None,)], "s struct<a: bigint, b: double>"
    ).coalesce(1)
    udf = sss.spark_udf(spark, dtypes_and_values, TWO, result_type="string")
    got = seen(df.select(udf("s").alias("p")))
    assert [g["row"] for g in got] == [{"a": 1, "b": 2.0}, {"a": None, "b": None}]


def test_one_plain_column_without_a_signature_is_column_0(spark):
    udf = sss.spark_udf(spark, lambda d: d["_0"] * 2, None, result_type="long")
    assert spark.createDataFrame([(21,)], "x long").select(udf("x")).first()[0] == 42


def test_an_empty_batch_is_not_sent_to_the_model(spark):
    def model(d):
        if d.empty:
            raise AssertionError("the model was called with no rows")
        return d["x"]

    udf = sss.spark_udf(spark, model, sig(ss.ColSpec("double", "x")))
    score = udf._udf(Convention.POSITIONAL).func
    out = list(score(iter([(pa.array([], pa.float64()),), (pa.array([1.5]),)])))
    assert [a.to_pylist() for a in out] == [[], [1.5]]


def test_a_scalar_input_and_a_string_name_with_a_dot_are_not_a_nested_field(spark):
    # A string argument is a column name, taken literally; a Column is an expression.
    df = spark.createDataFrame([({"w": 3.0}, 5.0)], "s struct<w: double>, `s.w` double")
    udf = sss.spark_udf(spark, lambda d: d["x"], sig(ss.ColSpec("double", "x")))
    assert df.select(udf("s.w")).first()[0] == 5.0
    assert df.select(udf(F.col("s.w"))).first()[0] == 3.0
