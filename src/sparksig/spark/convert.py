"""Signature types <-> Spark SQL types, nested to any depth, without loss.

Scalars go through two tables (one per direction, the reverse listing its many-to-one cases
explicitly); nested types have their own recursive branches; anything else raises one
:class:`~sparksig.errors.UnsupportedTypeError` naming the field path (``features.price``,
``tokens[]`` for array elements, ``attrs{}`` for map values) and what to do.

Decisions (see README, "Differences from MLflow"):

* ``Object`` -> ``StructType`` with properties sorted by name and ``nullable = not required``.
  A Spark struct's field order is not kept (MLflow's objects are unordered).
* Arrays and maps carry no element nullability in a signature; they map to Spark's default
  ``containsNull=True`` / ``valueContainsNull=True`` so that ``cast`` to them always works.
* ``SparkMLVector`` and Spark ML's ``VectorUDT`` map to ``array<double>`` (the scoring path
  converts vectors with ``vector_to_array``); ``VectorUDT`` reads back as ``SparkMLVector``,
  as MLflow infers it.
* ``AnyType`` <-> ``VariantType``.
* ``DecimalType`` -> ``double``: MLflow's own enforcement accepts ``Decimal`` values for a
  double column, and a model sees floats either way. Exact above 15 significant digits it is
  not; cast such columns to string first if every digit matters. (MLflow crashes here.)
* ``date``, ``timestamp`` and ``timestamp_ntz`` -> ``datetime`` -> ``timestamp``;
  ``byte``/``short``/``integer`` -> ``integer``; ``char``/``varchar`` -> ``string``.
* A tensor is one row per batch element: ``TensorSpec(float32, (-1, 28, 28))`` ->
  ``array<array<float>>``; shape ``(-1,)`` is a plain ``float`` column.
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import types as T

from sparksig.errors import SchemaDefinitionError, UnsupportedTypeError
from sparksig.schema import ColSpec, Schema, TensorSpec
from sparksig.types import (
    SCALARS,
    AnyType,
    Array,
    DataType,
    Map,
    Object,
    Property,
    SparkMLVector,
    duplicates,
)

__all__ = [
    "column_name",
    "is_vector_udt",
    "from_spark_schema",
    "from_spark_type",
    "to_spark_schema",
    "to_spark_type",
]

# from the core's scalar table (sparksig.types.SCALARS): one row per type, read here by name
_TO_SPARK: dict[DataType, T.DataType] = {t: getattr(T, s.spark)() for t, s in SCALARS.items()}
_FROM_SPARK: dict[type, DataType] = {type(v): k for k, v in _TO_SPARK.items()}
_FROM_SPARK.update(
    {
        T.ByteType: DataType.integer,
        T.ShortType: DataType.integer,
        T.DateType: DataType.datetime,
        T.TimestampNTZType: DataType.datetime,
        T.CharType: DataType.string,
        T.VarcharType: DataType.string,
        T.DecimalType: DataType.double,
    }
)

_NUMPY_TO_SPARK: dict[str, T.DataType] = {
    "bool": T.BooleanType(),
    "int8": T.ByteType(),
    "int16": T.ShortType(),
    "int32": T.IntegerType(),
    "int64": T.LongType(),
    "uint8": T.ShortType(),
    "uint16": T.IntegerType(),
    "uint32": T.LongType(),
    "float16": T.FloatType(),
    "float32": T.FloatType(),
    "float64": T.DoubleType(),
    "str": T.StringType(),
    "bytes": T.BinaryType(),
    "datetime64[ns]": T.TimestampType(),
    "datetime64[us]": T.TimestampType(),
}

_VECTOR = T.ArrayType(T.DoubleType(), containsNull=True)


def is_vector_udt(spark_type: T.DataType) -> bool:
    """Whether a Spark type is Spark ML's ``VectorUDT`` (without importing pyspark.ml)."""
    return isinstance(spark_type, T.UserDefinedType) and type(spark_type).__name__ == "VectorUDT"


def to_spark_type(dtype: Any, path: str = "") -> T.DataType:
    """Map a signature type (or a :class:`TensorSpec`) to the Spark type of one row's value.

    Examples:
        >>> to_spark_type(Array("long"))
        ArrayType(LongType(), True)
        >>> to_spark_type(Object([Property("b", "double"), Property("a", "string", False)]))
        StructType([StructField('a', StringType(), True), StructField('b', DoubleType(), False)])
    """
    if isinstance(dtype, DataType):
        return _TO_SPARK[dtype]
    if isinstance(dtype, SparkMLVector):
        return _VECTOR
    if isinstance(dtype, Array):
        return T.ArrayType(to_spark_type(dtype.dtype, f"{path}[]"), containsNull=True)
    if isinstance(dtype, Object):
        return T.StructType(
            [
                T.StructField(
                    p.name, to_spark_type(p.dtype, _join(path, p.name)), nullable=not p.required
                )
                for p in dtype.properties
            ]
        )
    if isinstance(dtype, Map):
        return T.MapType(
            T.StringType(), to_spark_type(dtype.value_type, f"{path}{{}}"), valueContainsNull=True
        )
    if isinstance(dtype, AnyType):
        return T.VariantType()
    if isinstance(dtype, TensorSpec):
        return _tensor_to_spark(dtype, path)
    raise UnsupportedTypeError(
        f"{dtype!r} is not a signature type; expected a DataType, Array, Object, Map, AnyType, "
        "SparkMLVector or TensorSpec",
        path,
    )


def _tensor_to_spark(spec: TensorSpec, path: str) -> T.DataType:
    element = _NUMPY_TO_SPARK.get(spec.dtype)
    if element is None:
        raise UnsupportedTypeError(
            f"tensor dtype {spec.dtype!r} has no Spark counterpart; supported: "
            f"{', '.join(sorted(_NUMPY_TO_SPARK))}",
            path,
        )
    if not spec.shape:
        raise UnsupportedTypeError(
            "a tensor needs a batch dimension (shape (-1, ...)) to map to Spark rows", path
        )
    result: T.DataType = element
    for _ in spec.shape[1:]:
        result = T.ArrayType(result, containsNull=False)
    return result


def from_spark_type(spark_type: T.DataType, path: str = "") -> Any:
    """Map a Spark type to a signature type; unmappable types raise naming ``path``.

    Examples:
        >>> from_spark_type(T.ArrayType(T.ShortType()))
        Array(integer)
        >>> from_spark_type(T.MapType(T.StringType(), T.DateType()))
        Map(str -> datetime)
    """
    scalar = _FROM_SPARK.get(type(spark_type))
    if scalar is not None:
        return scalar
    if is_vector_udt(spark_type):
        return SparkMLVector()
    if isinstance(spark_type, T.ArrayType):
        return Array(from_spark_type(spark_type.elementType, f"{path}[]"))
    if isinstance(spark_type, T.StructType):
        if not spark_type.fields:
            raise UnsupportedTypeError(
                "an empty struct has no signature counterpart (an Object needs a property)", path
            )
        dupes = sorted(duplicates(f.name for f in spark_type.fields))
        if dupes:
            raise UnsupportedTypeError(f"struct has duplicate fields {dupes}; rename them", path)
        return Object(
            Property(f.name, from_spark_type(f.dataType, _join(path, f.name)), not f.nullable)
            for f in spark_type.fields
        )
    if isinstance(spark_type, T.MapType):
        if type(spark_type.keyType) not in (T.StringType, T.CharType, T.VarcharType):
            raise UnsupportedTypeError(
                f"map keys must be strings, got {spark_type.keyType.simpleString()}; "
                "cast the keys with transform_keys(col, lambda k, v: k.cast('string'))",
                path,
            )
        return Map(from_spark_type(spark_type.valueType, f"{path}{{}}"))
    if isinstance(spark_type, T.VariantType):
        return AnyType()
    raise UnsupportedTypeError(
        f"Spark type {spark_type.simpleString()} has no signature counterpart; "
        "cast the column to a supported type (string, numeric, timestamp, array, struct, map)",
        path,
    )


def column_name(spec: ColSpec | TensorSpec, position: int) -> str:
    """A spec's Spark column name: its own (as text), or ``_<position>`` when unnamed."""
    return str(spec.name) if spec.name is not None else f"_{position}"


def to_spark_schema(schema: Schema) -> T.StructType:
    """A Spark ``StructType`` for rows of ``schema``.

    Columns are nullable when optional; tensors are never nullable. Unnamed specs are named by
    position (``_0``, ``_1``, ...).

    Examples:
        >>> to_spark_schema(Schema([ColSpec("long", "id"), ColSpec(Array("string"), "tags")]))
        StructType([StructField('id', LongType(), False), StructField('tags', ArrayType(StringType(), True), False)])
    """
    if not isinstance(schema, Schema):
        raise SchemaDefinitionError(f"expected a Schema, got {type(schema).__name__}")
    fields = []
    for i, spec in enumerate(schema.inputs):
        name = column_name(spec, i)
        dtype = spec if isinstance(spec, TensorSpec) else spec.type
        fields.append(T.StructField(name, to_spark_type(dtype, name), nullable=not spec.required))
    return T.StructType(fields)


def from_spark_schema(struct: T.StructType) -> Schema:
    """A column :class:`Schema` for a Spark ``StructType``; ``required = not nullable``.

    Whether a nullable column really holds nulls is a question for the data: see
    :func:`sparksig.spark.infer_schema`.
    """
    if not isinstance(struct, T.StructType):
        raise UnsupportedTypeError(
            f"expected a StructType (df.schema), got {type(struct).__name__}"
        )
    if not struct.fields:
        raise SchemaDefinitionError("the DataFrame has no columns; a schema needs at least one")
    return Schema(
        ColSpec(from_spark_type(f.dataType, f.name), f.name, required=not f.nullable)
        for f in struct.fields
    )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
