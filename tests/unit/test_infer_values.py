"""Value and dtype inference rules, with expected types reasoned out by hand (no MLflow)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sparksig import AnyType, Array, DataType, Map, Object, Property, SchemaDefinitionError
from sparksig.infer.dtypes import column_required, numpy_type, pandas_column_type, tensor_spec
from sparksig.infer.values import InferenceError, is_missing, merge_types, value_type
from tests import spawn

L, D, S = DataType.long, DataType.double, DataType.string


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, DataType.boolean),
        (np.bool_(True), DataType.boolean),
        (1, L),
        (np.int64(1), L),
        (np.int32(1), DataType.integer),
        (1.0, D),
        (np.float32(1), DataType.float),
        ("a", S),
        (b"a", DataType.binary),
        (bytearray(b"a"), DataType.binary),
        (dt.date(2024, 1, 1), DataType.datetime),
        (np.datetime64("2024-01-01"), DataType.datetime),
        (None, AnyType()),
        (float("nan"), AnyType()),
        (pd.NA, AnyType()),
        ([], AnyType()),
        ({}, AnyType()),
        ([1, None], Array(L)),
        ([None, 1], Array(L)),
        ([[]], Array(AnyType())),
        ([[1], []], Array(Array(L))),
        (np.array([1.0, 2.0]), Array(D)),
        (np.array([]), None),
        ({"a": 1, "b": None}, Object([Property("a", L), Property("b", AnyType(), False)])),
    ],
)
def test_value_type(value, expected) -> None:
    assert value_type(value) == expected


@pytest.mark.parametrize(
    "value", [[1, 2.0], ["a", 1], [1, [1]], [{"a": 1}, {"a": "x"}], np.int16(1), pd.Timestamp(0)]
)
def test_value_type_refuses(value) -> None:
    with pytest.raises(InferenceError):
        value_type(value)


def test_list_of_objects_merges_properties_and_marks_one_sided_ones_optional() -> None:
    got = value_type([{"a": 1, "b": "x"}, {"a": 2, "c": [1.0]}, None])
    assert got == Array(
        Object([Property("a", L, False), Property("b", S, False), Property("c", Array(D), False)])
    )


def test_merge_rules() -> None:
    obj = Object([Property("a", L)])
    assert merge_types(AnyType(), L) == L
    assert merge_types(L, AnyType()) == L
    assert merge_types(AnyType(), obj) == Object([Property("a", L, False)])
    assert merge_types(Array(AnyType()), Array(S)) == Array(S)
    assert merge_types(Map(L), Map(AnyType())) == Map(L)
    for a, b in [(L, D), (Array(L), Array(S)), (obj, Array(L)), (Map(L), Map(S))]:
        with pytest.raises(SchemaDefinitionError):
            merge_types(a, b)


def test_is_missing_follows_mlflow_float_rule() -> None:
    assert is_missing(np.float64("nan"))  # a float subclass
    assert not is_missing(np.float32("nan"))  # not a float subclass: MLflow misses it too
    assert is_missing(pd.NaT)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        ("bool", DataType.boolean),
        ("int8", DataType.integer),
        ("int16", DataType.integer),
        ("int32", DataType.integer),
        ("int64", L),
        ("uint8", DataType.integer),
        ("uint16", DataType.integer),
        ("uint32", L),
        ("float16", DataType.float),
        ("float32", DataType.float),
        ("float64", D),
        ("<U3", S),
        ("S2", DataType.binary),
        ("datetime64[s]", DataType.datetime),
    ],
)
def test_numpy_type(dtype, expected) -> None:
    assert numpy_type(np.dtype(dtype)) == expected


@pytest.mark.parametrize("dtype", ["uint64", "complex128", "timedelta64[ns]", "object"])
def test_numpy_type_refuses(dtype) -> None:
    with pytest.raises(InferenceError, match="unsupported dtype"):
        numpy_type(np.dtype(dtype), "col")


def test_pandas_extension_dtypes() -> None:
    assert numpy_type(pd.Int64Dtype()) == L
    assert numpy_type(pd.BooleanDtype()) == DataType.boolean
    assert numpy_type(pd.DatetimeTZDtype(tz="UTC")) == DataType.datetime


def test_object_columns_use_values_and_fall_back_to_string_only_for_strings() -> None:
    assert pandas_column_type(pd.Series([{"a": 1}, {"a": 2}])) == Object([Property("a", L)])
    assert pandas_column_type(pd.Series(["a", None])) == S
    with pytest.raises(InferenceError, match="col"):
        pandas_column_type(pd.Series([1, "a"]), "col")


def test_column_required() -> None:
    assert column_required(pd.Series([1, 2]))
    assert not column_required(pd.Series([1.0, np.nan]))
    assert not column_required(pd.Series(["a", None]))
    assert column_required(pd.Series([[], ["a"]]))  # an empty list is a value, not a missing one


def test_tensor_spec_frees_the_first_axis_and_cleans_string_dtypes() -> None:
    assert tensor_spec(np.zeros((5, 2, 3), "int16")).shape == (-1, 2, 3)
    assert tensor_spec(np.array(["abc"])).dtype == "str"
    assert tensor_spec(np.array([b"abc"])).dtype == "bytes"
    with pytest.raises(InferenceError, match="0-d"):
        tensor_spec(np.array(1.0))


def test_pydantic_objects_are_refused_not_replaced_by_any() -> None:
    pydantic = pytest.importorskip("pydantic")
    from sparksig.infer.api import infer_signature

    class Msg(pydantic.BaseModel):
        text: str

    with pytest.raises(InferenceError, match="pydantic"):
        infer_signature(Msg(text="x"))


def test_in_process_inference_does_not_import_pyspark() -> None:
    code = (
        "import sys, sparksig, pandas as pd\n"
        "sparksig.infer_signature(pd.DataFrame({'a': [1]}), [1], {'k': 1})\n"
        "assert 'pyspark' not in sys.modules, 'pyspark was imported'\n"
    )
    spawn.python("-W", "ignore", "-c", code, check=True)
