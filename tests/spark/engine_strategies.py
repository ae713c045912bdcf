"""Hypothesis strategies for the engine differential test: a signature and a Spark table for it.

:func:`cases` draws a named schema (column specs of every signature type nested up to three
levels, or tensor specs) and rows for the Spark table ``to_spark_schema(schema)`` with every
field made nullable, so that nulls can be planted at any depth (a quarter of the columns keep
the declared flags instead, and get no null where those forbid one). The rows plant what the
data-level checks look for: nulls everywhere, null and empty arrays and maps, NaN and
infinities, timestamps on both sides of ``datetime64[ns]``'s limits, tensor rows of the wrong
length. Data are plain Python values: drawing them costs no Spark job.

Some Spark types are drawn among the ones a signature type also accepts, so that the engines
meet them too: ``timestamp_ntz`` and ``date`` for ``datetime``, ``float`` and ``decimal`` for
``double``, ``int`` for ``long``, Spark ML's ``VectorUDT`` for ``SparkMLVector``; an optional
column is sometimes absent from the table.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from pyspark.sql import types as T

from sparksig import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    Map,
    Object,
    Property,
    Schema,
    SparkMLVector,
    TensorSpec,
)
from sparksig.spark import to_spark_schema

ROW_ID = "__row_id"

# Names that break naive quoting, splitting on separators, or ASCII assumptions. "__c0" and
# "__c1" are the Arrow engine's own positional names for the columns it ships to Python.
ODD_NAMES = [
    "a",
    "b",
    "A",
    "x1",
    "with space",
    " lead",
    "c.d",
    "a.b.c",
    "a`b",
    "`",
    "prix €",
    "名前",
    "a;b",
    "x:y",
    "[i]",
    "{k}",
    "__c0",
    "__c1",
]
RESERVED = {ROW_ID.lower(), "_sparksig_reasons"}

UTC = dt.timezone.utc
# datetime64[ns] holds 1677-09-21 00:12:43.145224193 .. 2262-04-11 23:47:16.854775807; Spark
# keeps microseconds, so these are the first and last instants in range and their neighbours.
_NAIVE_EDGES = [
    dt.datetime(1, 1, 1),
    dt.datetime(1677, 9, 21, 0, 12, 43, 145224),
    dt.datetime(1677, 9, 21, 0, 12, 43, 145225),
    dt.datetime(2262, 4, 11, 23, 47, 16, 854775),
    dt.datetime(2262, 4, 11, 23, 47, 16, 854776),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    dt.datetime(1970, 1, 1),
    dt.datetime(2024, 2, 29, 12, 30),
]
_DATE_EDGES = [
    dt.date(1, 1, 1),
    dt.date(1677, 9, 21),
    dt.date(1677, 9, 22),
    dt.date(2262, 4, 11),
    dt.date(2262, 4, 12),
    dt.date(9999, 12, 31),
    dt.date(2000, 1, 1),
]
_SPECIAL_FLOATS = [math.nan, math.inf, -math.inf, 0.0, -0.0, 1.5]
_VARIANT_JSON = ["null", "1", '"x"', "[1, null]", '{"a": {"b": 2.5}}']


# -- schemas ------------------------------------------------------------------------------------


def _properties(children: st.SearchStrategy) -> st.SearchStrategy[Object]:
    props = st.lists(
        st.builds(Property, st.sampled_from(ODD_NAMES), children, st.booleans()),
        min_size=1,
        max_size=3,
        unique_by=lambda p: p.name,
    )
    return props.map(Object)


def spec_types(depth: int, top: bool = True) -> st.SearchStrategy:
    """Signature types nested up to ``depth`` container levels; ``any`` only inside containers."""
    extra = [SparkMLVector()] if top else [AnyType(), SparkMLVector()]
    leaves = st.sampled_from([*DataType, *extra])
    if depth == 0:
        return leaves
    inner = spec_types(depth - 1, top=False)
    return st.one_of(leaves, inner.map(Array), inner.map(Map), _properties(inner))


def _top_names(min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(
        st.sampled_from(ODD_NAMES).filter(lambda n: n.lower() not in RESERVED),
        min_size=min_size,
        max_size=max_size,
        unique_by=str.lower,  # Spark resolves column names case-insensitively
    )


@st.composite
def column_schemas(draw: st.DrawFn) -> Schema:
    names = draw(_top_names(1, 4))
    return Schema([ColSpec(draw(spec_types(3)), n, draw(st.booleans())) for n in names])


@st.composite
def tensor_specs(draw: st.DrawFn, name: str) -> TensorSpec:
    dtype = draw(st.sampled_from(["float64", "int64", "float32", "int32"]))
    inner = draw(st.lists(st.sampled_from([-1, 1, 2, 3]), min_size=0, max_size=2))
    return TensorSpec(dtype, (-1, *inner), name)


@st.composite
def tensor_schemas(draw: st.DrawFn) -> Schema:
    return Schema([draw(tensor_specs(n)) for n in draw(_top_names(1, 3))])


# -- Spark types ----------------------------------------------------------------------------------


def nullable(t: T.DataType) -> T.DataType:
    """``t`` with every field, element and map value nullable, so nulls can go anywhere."""
    if isinstance(t, T.StructType):
        return T.StructType([T.StructField(f.name, nullable(f.dataType), True) for f in t.fields])
    if isinstance(t, T.ArrayType):
        return T.ArrayType(nullable(t.elementType), True)
    if isinstance(t, T.MapType):
        return T.MapType(t.keyType, nullable(t.valueType), True)
    return t


@st.composite
def _variant_type(
    draw: st.DrawFn, spec: Any, t: T.DataType, uncastable: bool = False
) -> T.DataType:
    """A Spark type the binding accepts for ``spec``: usually ``t``, sometimes another.

    ``uncastable`` adds types that conform cannot cast to the signature's yet (see the xfail
    tests): structs lacking optional properties or listing them in another order, and
    structs standing for maps (one field per key, as MLflow reads Spark structs).
    """
    from pyspark.ml.linalg import VectorUDT

    def inner(s: Any, u: T.DataType) -> T.DataType:
        return draw(_variant_type(s, u, uncastable))

    if spec is DataType.datetime:
        return draw(st.sampled_from([t, t, T.TimestampNTZType(), T.DateType()]))
    if spec is DataType.double:  # lossless widenings the binding accepts
        return draw(st.sampled_from([t, t, T.FloatType(), T.DecimalType(10, 2)]))
    if spec is DataType.long:
        return draw(st.sampled_from([t, t, T.IntegerType()]))
    if isinstance(spec, SparkMLVector):
        return draw(st.sampled_from([t, VectorUDT()]))
    if isinstance(spec, Array):
        return T.ArrayType(inner(spec.dtype, t.elementType), t.containsNull)
    if isinstance(spec, Map):
        if uncastable and draw(st.integers(0, 2)) == 2:
            keys = draw(st.lists(st.sampled_from(ODD_NAMES), min_size=1, max_size=3, unique=True))
            return T.StructType(
                [T.StructField(k, inner(spec.value_type, t.valueType)) for k in keys]
            )
        return T.MapType(T.StringType(), inner(spec.value_type, t.valueType), t.valueContainsNull)
    if isinstance(spec, Object):
        fields = []
        for f in t.fields:
            prop = spec.property(f.name)
            if uncastable and not prop.required and draw(st.integers(0, 3)) == 3:
                continue  # an optional property the table does not have
            fields.append(T.StructField(f.name, inner(prop.dtype, f.dataType), f.nullable))
        if not fields:  # a Spark struct needs a field: keep the first
            fields.append(t.fields[0])
        return T.StructType(draw(st.permutations(fields)) if uncastable else fields)
    return t


# -- values ---------------------------------------------------------------------------------------


def _floats(width: int) -> st.SearchStrategy[float]:
    return st.one_of(st.sampled_from(_SPECIAL_FLOATS), st.floats(width=width))


def _scalar_values(t: T.DataType) -> st.SearchStrategy:
    if isinstance(t, T.BooleanType):
        return st.booleans()
    if isinstance(t, T.IntegerType):
        return st.integers(-(2**31), 2**31 - 1)
    if isinstance(t, T.LongType):
        return st.integers(-(2**63), 2**63 - 1)
    if isinstance(t, T.FloatType):
        return _floats(32)
    if isinstance(t, T.DoubleType):
        return _floats(64)
    if isinstance(t, T.StringType):
        return st.text(max_size=4)
    if isinstance(t, T.BinaryType):
        return st.binary(max_size=4)
    if isinstance(t, T.TimestampNTZType):
        return st.one_of(st.sampled_from(_NAIVE_EDGES), st.datetimes())
    if isinstance(t, T.TimestampType):  # instants: aware values, so no local time zone applies
        naive = st.one_of(st.sampled_from(_NAIVE_EDGES), st.datetimes())
        return naive.map(lambda d: d.replace(tzinfo=UTC))
    if isinstance(t, T.DateType):
        return st.one_of(st.sampled_from(_DATE_EDGES), st.dates())
    if isinstance(t, T.DecimalType):
        return st.decimals(-(10**7), 10**7, allow_nan=False, allow_infinity=False, places=2)
    if isinstance(t, T.VariantType):
        from pyspark.sql import VariantVal

        return st.sampled_from(_VARIANT_JSON).map(VariantVal.parseJson)
    raise AssertionError(f"no values for {t}")


@st.composite
def _vectors(draw: st.DrawFn) -> Any:
    from pyspark.ml.linalg import Vectors

    finite = st.floats(-1e6, 1e6)  # Spark ML's vector repr overflows on huge values
    values = draw(st.lists(st.one_of(st.sampled_from(_SPECIAL_FLOATS), finite), max_size=3))
    if draw(st.booleans()):
        return Vectors.dense(values)
    size = len(values) + draw(st.integers(0, 2))
    return Vectors.sparse(size, list(range(len(values))), values)


def _maybe_null(draw: st.DrawFn) -> bool:
    return draw(st.integers(0, 4)) == 4


@st.composite
def values(draw: st.DrawFn, t: T.DataType, null: bool = True) -> Any:
    """One value of Spark type ``t``, nulls planted at any depth where ``t`` allows them."""
    if null and _maybe_null(draw):
        return None
    if type(t).__name__ == "VectorUDT":
        return draw(_vectors())
    if isinstance(t, T.ArrayType):
        return draw(st.lists(values(t.elementType, t.containsNull), max_size=3))
    if isinstance(t, T.MapType):
        items = values(t.valueType, t.valueContainsNull)
        return draw(st.dictionaries(st.text(max_size=2), items, max_size=3))
    if isinstance(t, T.StructType):
        return tuple(draw(values(f.dataType, f.nullable)) for f in t.fields)
    return draw(_scalar_values(t))


@st.composite
def tensor_values(draw: st.DrawFn, dims: tuple[int, ...], leaf: T.DataType, null: bool) -> Any:
    """One tensor row: nested lists mostly of the declared lengths; sometimes not, or nulls."""
    if null and draw(st.integers(0, 9)) == 9:
        return None
    if not dims:
        return draw(_scalar_values(leaf))
    size = dims[0]
    if size == -1 or draw(st.integers(0, 5)) == 5:
        size = draw(st.integers(0, 3))
    return [draw(tensor_values(dims[1:], leaf, null)) for _ in range(size)]


# -- tables ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A schema, the Spark schema of its table (``ROW_ID`` first) and the table's rows."""

    schema: Schema
    struct: T.StructType
    rows: list[tuple]


def _leaf(t: T.DataType) -> T.DataType:
    while isinstance(t, T.ArrayType):
        t = t.elementType
    return t


@st.composite
def cases(draw: st.DrawFn, schemas: st.SearchStrategy[Schema], uncastable: bool = False) -> Case:
    """A schema and a table for it; ``uncastable``: see :func:`_variant_type`."""
    schema = draw(schemas)
    target = to_spark_schema(schema)
    fields, columns = [T.StructField(ROW_ID, T.LongType(), False)], []
    for spec, field in zip(schema.inputs, target.fields):
        # Mostly every field nullable; sometimes the declared flags (required -> non-null),
        # which the native engine trusts, with data that honour them.
        loose = draw(st.integers(0, 3)) != 3
        t, null = (nullable(field.dataType), True) if loose else (field.dataType, field.nullable)
        if isinstance(spec, TensorSpec):
            columns.append(tensor_values(spec.shape[1:], _leaf(t), null))
        else:
            if not spec.required and draw(st.integers(0, 9)) == 9:
                continue  # an optional column the table does not have
            t = draw(_variant_type(spec.type, t, uncastable))
            columns.append(values(t, null))
        # Spark resolves column names case-insensitively, and so does the binding
        name = field.name.upper() if draw(st.integers(0, 7)) == 7 else field.name
        fields.append(T.StructField(name, t, null))
    n = draw(st.integers(0, 30).map(lambda k: (k + 1) % 31))  # shrinks to 1 row; 0 is rare
    rows = [(i, *(draw(c) for c in columns)) for i in range(n)]
    return Case(schema, T.StructType(fields), rows)
