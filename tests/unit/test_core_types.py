"""Core value objects: construction rules, equality, reprs, errors."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sparksig import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    Map,
    ModelSignature,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    SchemaDefinitionError,
    SparkMLVector,
    TensorSpec,
)


def test_convenience_spellings_equal_explicit_forms():
    assert ColSpec("double", "x") == ColSpec(DataType.double, "x", required=True)
    assert Array("long") == Array(DataType.long)
    assert Map("any") == Map(AnyType())
    assert TensorSpec(np.dtype("float32"), (-1, 28, 28)) == TensorSpec("float32", [-1, 28, 28])
    assert TensorSpec(np.float32, (-1,)).type == np.dtype("float32")
    assert ParamSpec("k", "long", [1, 2], (-1,)).shape == (-1,)


def test_object_properties_are_sorted_and_order_does_not_matter():
    a = Object([Property("b", "long"), Property("a", "string")])
    b = Object([Property("a", "string"), Property("b", "long")])
    assert a == b and hash(a) == hash(b)
    assert [p.name for p in a.properties] == ["a", "b"]


def test_values_are_frozen():
    col = ColSpec("long", "a")
    with pytest.raises(AttributeError):
        col.name = "b"  # type: ignore[misc]


@pytest.mark.parametrize(
    "build, fragment",
    [
        (lambda: Schema([]), "at least one"),
        (lambda: Schema([ColSpec("long", "a"), ColSpec("long")]), "mixes named and unnamed"),
        (lambda: Schema([ColSpec("long", "a"), TensorSpec("int64", (-1,), "t")]), "not both"),
        (
            lambda: Schema([TensorSpec("int64", (-1,)), TensorSpec("int64", (-1,))]),
            "one unnamed tensor",
        ),
        (lambda: Schema([ColSpec("long", required=False)]), "cannot be optional"),
        (lambda: Schema([ColSpec("long", "a"), ColSpec("double", "a")]), "duplicate"),
        (lambda: ColSpec("decimal", "a"), "Unsupported type 'decimal'"),
        (lambda: Object([]), "at least one property"),
        (lambda: Object([Property("a", "long"), Property("a", "string")]), "duplicate"),
        (lambda: TensorSpec("float32", (-2, 3)), "ints >= -1"),
        (lambda: TensorSpec("<U10", (-1,)), "sized dtype"),
        (lambda: ParamSpec("k", "long", 1.5), "cannot safely convert"),
        (lambda: ParamSpec("k", "long", True), "cannot safely convert"),
        (lambda: ParamSpec("k", "long", [1, 2]), "expected a scalar"),
        (lambda: ParamSpec("k", "long", 1, (-1,)), "1-D list"),
        (lambda: ParamSpec("k", "long", [[1]], (-1,)), "nested list"),
        (lambda: ParamSpec("k", "long", 1, (2,)), "shape must be None"),
        (lambda: ParamSpec("k", "binary", b"x"), "binary params"),
        (lambda: ParamSchema([ParamSpec("k", "long", 1), ParamSpec("k", "long", 2)]), "duplicate"),
        (lambda: ModelSignature(), "at least one"),
        (lambda: ModelSignature(inputs=[ColSpec("long")]), "must be a Schema"),
    ],
)
def test_malformed_definitions_raise_schema_definition_error(build, fragment):
    with pytest.raises(SchemaDefinitionError, match=fragment):
        build()


def test_schema_definition_error_is_a_value_error():
    with pytest.raises(ValueError):
        Schema([])


def test_param_defaults_become_python_natives():
    # MLflow's rules: int widens to long/float/double, values come back as builtins.
    assert ParamSpec("a", "double", 3).default == 3.0
    assert type(ParamSpec("a", "double", 3).default) is float
    assert type(ParamSpec("b", "long", np.int64(7)).default) is int
    assert type(ParamSpec("c", "float", np.float32(0.5)).default) is float
    assert ParamSpec("d", "datetime", "2024-05-01T10:00:00").default == dt.datetime(2024, 5, 1, 10)
    assert ParamSpec("e", "string", None).default is None
    assert ParamSpec("f", "long", np.array([1, 2]), (-1,)).default == [1, 2]


def test_schema_accessors():
    s = Schema([ColSpec("long", "a"), ColSpec("string", "b", required=False)])
    assert s.input_names() == ["a", "b"]
    assert s.required_input_names() == ["a"]
    assert s.optional_input_names() == ["b"]
    assert s["b"].type is DataType.string
    assert s.has_input_names() and not s.is_tensor_spec()
    assert Schema([ColSpec("long")]).input_names() == [0]
    assert s.numpy_types() == [np.dtype("int64"), np.dtype("object")]


def test_reprs_are_readable():
    assert repr(ColSpec(Array("long"), "ids")) == "'ids': Array(long) (required)"
    assert repr(Object([Property("x", "double", False)])) == "Object(x: double (optional))"
    assert repr(Map(SparkMLVector())) == "Map(str -> SparkMLVector)"
    assert repr(TensorSpec("float32", (-1, 2), "t")) == "'t': Tensor(float32, (-1, 2))"


def test_datatype_numpy_mapping_matches_mlflow_notes():
    expected = {
        "boolean": "bool",
        "integer": "int32",
        "long": "int64",
        "float": "float32",
        "double": "float64",
        "string": "object",
        "binary": "object",
        "datetime": "datetime64[ns]",
    }
    assert {t.name: str(t.to_numpy()) for t in DataType} == expected
