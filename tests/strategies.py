"""Hypothesis strategies for signature types, specs and schemas (recursive, every kind)."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

from sparksig import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    Map,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    SparkMLVector,
    TensorSpec,
)

# Example counts follow the Hypothesis profile (tests/conftest.py registers dev, ci and deep):
# a test states its count for ci, and the other profiles scale it (dev a tenth, deep ten times).
CI_EXAMPLES = 100


def examples(ci: int) -> int:
    """``ci`` examples under the ``ci`` profile, scaled to the profile loaded for this run."""
    return max(1, round(ci * settings().max_examples / CI_EXAMPLES))


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=8)
scalars = st.sampled_from(list(DataType))
leaves = scalars | st.just(AnyType()) | st.just(SparkMLVector())


def _objects(children: st.SearchStrategy) -> st.SearchStrategy:
    props = st.lists(
        st.builds(Property, names, children, st.booleans()),
        min_size=1,
        max_size=4,
        unique_by=lambda p: p.name,
    )
    return props.map(Object)


types = st.recursive(
    leaves,
    lambda children: children.map(Array) | children.map(Map) | _objects(children),
    max_leaves=12,
)
# Spark has no VectorUDT in a plain signature-to-Spark direction: SparkMLVector maps to
# array<double> and comes back as Array(double), so round trips exclude it.
spark_round_trip_types = st.recursive(
    scalars | st.just(AnyType()),
    lambda children: children.map(Array) | children.map(Map) | _objects(children),
    max_leaves=12,
)

tensor_dtypes = st.sampled_from(
    [
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "float16",
        "float32",
        "float64",
        "str",
        "bytes",
        "object",
    ]
)
shapes = st.lists(st.sampled_from([-1, 1, 2, 3, 28]), min_size=1, max_size=4).map(tuple)


@st.composite
def column_schemas(draw: st.DrawFn, type_strategy: st.SearchStrategy = types) -> Schema:
    if draw(st.booleans()):
        cols = draw(
            st.lists(
                st.builds(ColSpec, type_strategy, names, st.booleans()),
                min_size=1,
                max_size=5,
                unique_by=lambda c: c.name,
            )
        )
    else:
        cols = draw(st.lists(st.builds(ColSpec, type_strategy), min_size=1, max_size=5))
    return Schema(cols)


@st.composite
def tensor_schemas(draw: st.DrawFn) -> Schema:
    if draw(st.booleans()):
        return Schema([TensorSpec(draw(tensor_dtypes), draw(shapes))])
    specs = draw(
        st.lists(
            st.builds(TensorSpec, tensor_dtypes, shapes, names),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t.name,
        )
    )
    return Schema(specs)


schemas = column_schemas() | tensor_schemas()

_param_values = {
    DataType.boolean: st.booleans(),
    DataType.integer: st.integers(-(2**31), 2**31 - 1),
    DataType.long: st.integers(-(2**63), 2**63 - 1),
    DataType.float: st.floats(allow_nan=False, width=32),
    DataType.double: st.floats(allow_nan=False, allow_infinity=False),
    DataType.string: st.text(max_size=10),
    DataType.datetime: st.datetimes(),
}


@st.composite
def param_specs(draw: st.DrawFn, name: str) -> ParamSpec:
    dtype = draw(st.sampled_from(list(_param_values)))
    if draw(st.booleans()):
        return ParamSpec(name, dtype, draw(_param_values[dtype]))
    return ParamSpec(name, dtype, draw(st.lists(_param_values[dtype], max_size=3)), (-1,))


@st.composite
def param_schemas(draw: st.DrawFn) -> ParamSchema:
    keys = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    return ParamSchema([draw(param_specs(k)) for k in keys])
