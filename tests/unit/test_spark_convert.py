"""Signature types <-> Spark types (pure type objects; no JVM needed)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import types as T

import sparksig as ss
from sparksig.spark import from_spark_schema, from_spark_type, to_spark_schema, to_spark_type
from tests.strategies import column_schemas, examples, spark_round_trip_types


@pytest.mark.parametrize(
    "dtype, spark_type",
    [
        (ss.DataType.boolean, T.BooleanType()),
        (ss.DataType.integer, T.IntegerType()),
        (ss.DataType.long, T.LongType()),
        (ss.DataType.float, T.FloatType()),
        (ss.DataType.double, T.DoubleType()),
        (ss.DataType.string, T.StringType()),
        (ss.DataType.binary, T.BinaryType()),
        (ss.DataType.datetime, T.TimestampType()),
        (ss.AnyType(), T.VariantType()),
        (ss.SparkMLVector(), T.ArrayType(T.DoubleType(), True)),
        (ss.Array(ss.Array("long")), T.ArrayType(T.ArrayType(T.LongType(), True), True)),
        (ss.Map(ss.Array("string")), T.MapType(T.StringType(), T.ArrayType(T.StringType()), True)),
        (
            ss.Object([ss.Property("z", "long"), ss.Property("a", "string", required=False)]),
            T.StructType(
                [T.StructField("a", T.StringType(), True), T.StructField("z", T.LongType(), False)]
            ),
        ),
    ],
)
def test_to_spark_type(dtype, spark_type):
    assert to_spark_type(dtype) == spark_type


@pytest.mark.parametrize(
    "spark_type, dtype",
    [
        (T.ByteType(), ss.DataType.integer),
        (T.ShortType(), ss.DataType.integer),
        (T.IntegerType(), ss.DataType.integer),
        (T.DateType(), ss.DataType.datetime),
        (T.TimestampNTZType(), ss.DataType.datetime),
        (T.CharType(3), ss.DataType.string),
        (T.VarcharType(10), ss.DataType.string),
        (T.DecimalType(10, 2), ss.DataType.double),
        (VectorUDT(), ss.SparkMLVector()),
        (T.ArrayType(VectorUDT()), ss.Array(ss.SparkMLVector())),
        (T.VariantType(), ss.AnyType()),
        (T.MapType(T.VarcharType(5), T.ShortType()), ss.Map("integer")),
    ],
)
def test_from_spark_type_many_to_one(spark_type, dtype):
    assert from_spark_type(spark_type) == dtype


@pytest.mark.parametrize(
    "spark_type, path, fragment",
    [
        (T.NullType(), "c", "void"),
        (T.DayTimeIntervalType(), "c", "interval"),
        (
            T.StructType([T.StructField("f", T.ArrayType(T.CalendarIntervalType()))]),
            "c.f[]",
            "interval",
        ),
        (T.MapType(T.IntegerType(), T.LongType()), "c", "map keys must be strings"),
        (T.ArrayType(T.MapType(T.LongType(), T.LongType())), "c[]", "map keys"),
        (
            T.MapType(T.StringType(), T.StructType([T.StructField("x", T.NullType())])),
            "c{}.x",
            "void",
        ),
        (T.StructType([]), "c", "empty struct"),
    ],
)
def test_unmappable_spark_types_name_the_field_path(spark_type, path, fragment):
    with pytest.raises(ss.UnsupportedTypeError, match=fragment) as info:
        from_spark_type(spark_type, "c")
    assert info.value.path == path
    assert isinstance(info.value, TypeError)


def test_tensors_map_to_nested_arrays_per_row():
    assert to_spark_type(ss.TensorSpec("float32", (-1, 28, 28))) == T.ArrayType(
        T.ArrayType(T.FloatType(), False), False
    )
    assert to_spark_type(ss.TensorSpec("int64", (-1,))) == T.LongType()
    schema = ss.Schema([ss.TensorSpec("uint8", (-1, 3))])
    assert to_spark_schema(schema) == T.StructType(
        [T.StructField("_0", T.ArrayType(T.ShortType(), False), False)]
    )
    with pytest.raises(ss.UnsupportedTypeError, match="object"):
        to_spark_type(ss.TensorSpec("object", (-1,)), "t")


def test_to_spark_schema_nullability_and_positional_names():
    schema = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("string", "note", required=False)])
    assert to_spark_schema(schema) == T.StructType(
        [T.StructField("id", T.LongType(), False), T.StructField("note", T.StringType(), True)]
    )
    assert [f.name for f in to_spark_schema(ss.Schema([ss.ColSpec("long")] * 2))] == ["_0", "_1"]


@settings(max_examples=examples(200), deadline=None)
@given(spark_round_trip_types)
def test_type_round_trip_through_spark(dtype):
    assert from_spark_type(to_spark_type(dtype)) == dtype


@settings(max_examples=examples(100), deadline=None)
@given(column_schemas(spark_round_trip_types).filter(lambda s: s.has_input_names()))
def test_named_schema_round_trip_through_spark(schema):
    assert from_spark_schema(to_spark_schema(schema)) == schema


def test_vector_maps_to_array_of_double_and_reads_back_as_array():
    # Not one-to-one, on purpose: Spark has no vector type in a plain schema.
    assert from_spark_type(to_spark_type(ss.SparkMLVector())) == ss.Array("double")
