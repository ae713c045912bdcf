"""Fuzz: random signatures against random tables they were NOT made for.

Whatever the pair, ``validate`` returns a report or raises a sparksig error (never a raw
Spark, py4j or pandas exception), and ``conform(..., "quarantine")`` puts every input row
in exactly one of its two frames. Column names are drawn odd on purpose.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import types as T

from sparksig import ColSpec, Schema, SparksigError
from sparksig import spark as sss
from tests.strategies import examples, spark_round_trip_types

ODD = ["a", "b", "c.d", "e f", "g`h", "ü", "名", "x;y", "k:v", "ID"]
SPARK_TYPES = {
    "bigint": (T.LongType(), st.integers(-(2**63), 2**63 - 1)),
    "int": (T.IntegerType(), st.integers(-(2**31), 2**31 - 1)),
    "double": (T.DoubleType(), st.floats(allow_nan=True, allow_infinity=True)),
    "string": (T.StringType(), st.text(max_size=5)),
    "boolean": (T.BooleanType(), st.booleans()),
    "timestamp": (
        T.TimestampType(),
        st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    ),
    "array<double>": (
        T.ArrayType(T.DoubleType()),
        st.lists(st.none() | st.floats(allow_nan=False), max_size=3),
    ),
    "struct<p:bigint,q:string>": (
        T.StructType([T.StructField("p", T.LongType()), T.StructField("q", T.StringType())]),
        st.tuples(st.none() | st.integers(-5, 5), st.none() | st.text(max_size=2)),
    ),
    "map<string,bigint>": (
        T.MapType(T.StringType(), T.LongType()),
        st.dictionaries(st.text(max_size=2), st.none() | st.integers(-5, 5), max_size=2),
    ),
}


@st.composite
def tables(draw):
    names = draw(st.lists(st.sampled_from(ODD), min_size=1, max_size=4, unique_by=str.lower))
    kinds = [draw(st.sampled_from(sorted(SPARK_TYPES))) for _ in names]
    struct = T.StructType(
        [T.StructField("__id", T.LongType(), False)]
        + [T.StructField(n, SPARK_TYPES[k][0], True) for n, k in zip(names, kinds)]
    )
    n = draw(st.integers(0, 8))
    rows = [(i, *[draw(st.none() | SPARK_TYPES[k][1]) for k in kinds]) for i in range(n)]
    return struct, rows, names


@st.composite
def signatures(draw, table_names):
    pool = [*table_names, "missing", "a"]
    names = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
    return Schema([ColSpec(draw(spark_round_trip_types), n, draw(st.booleans())) for n in names])


@settings(
    max_examples=examples(40),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_pairs_report_or_refuse_and_lose_no_row(spark, data):
    struct, rows, names = data.draw(tables())
    schema = data.draw(signatures(names))
    df = spark.createDataFrame(rows, struct)
    try:
        report = sss.validate(df, schema)
    except SparksigError:
        return
    assert report.status in ("passed", "failed")
    valid, rejected = sss.conform(df, schema, on_error="quarantine", key_columns=["__id"])
    good = [r["__id"] for r in valid.select("__id").collect()]
    bad = [r["__id"] for r in rejected.select("__id").collect()]
    assert sorted(good + bad) == list(range(len(rows)))
    # validate and conform apply the same rules: a passing report rejects nothing, and a
    # rejected row means the report did not pass
    assert not (bad and report.ok)
