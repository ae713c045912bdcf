"""Scalar rules, nested checks, inputs, tensors and params (no MLflow needed; hand-derived)."""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

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
    SchemaEnforcementError,
    TensorSpec,
)
from sparksig.enforce.api import enforce_params, enforce_schema
from sparksig.enforce.plan import compile_plan
from sparksig.enforce.rules import Refusal, arrow_accepts, convert_series


@pytest.mark.parametrize(
    ("dtype", "target", "expected"),
    [
        ("int8", DataType.integer, "int32"),
        ("uint16", DataType.integer, "int32"),
        ("uint32", DataType.long, "int64"),
        ("int32", DataType.double, "float64"),
        ("float32", DataType.double, "float64"),
        ("datetime64[s]", DataType.datetime, "datetime64[ns]"),
    ],
)
def test_lossless_conversions(dtype: str, target: DataType, expected: str) -> None:
    out = convert_series(pd.Series([1, 2]).astype(dtype), target)
    assert str(out.dtype) == expected


@pytest.mark.parametrize(
    ("dtype", "target"),
    [
        ("int64", DataType.integer),
        ("int64", DataType.double),
        ("float64", DataType.float),
        ("float32", DataType.long),
        ("bool", DataType.long),
        ("int64", DataType.string),
        ("uint64", DataType.long),
    ],
)
def test_lossy_conversions_are_refused(dtype: str, target: DataType) -> None:
    assert isinstance(convert_series(pd.Series([1, 0]).astype(dtype), target), Refusal)


def test_nan_in_integer_column_hints_at_double() -> None:
    refusal = convert_series(pd.Series([1.0, None]), DataType.long)
    assert "declare the column as double" in refusal.lower()
    assert "missing values" in refusal


def test_timezone_aware_datetimes_are_refused_with_advice() -> None:
    series = pd.Series(pd.to_datetime(["2020-01-01"]).tz_localize("UTC"))
    refusal = convert_series(series, DataType.datetime)
    assert isinstance(refusal, Refusal)
    assert "tz_localize(None)" in refusal


def test_nullable_dtypes_keep_missing_values() -> None:
    out = convert_series(pd.Series([1, None], dtype="Int32"), DataType.long)
    assert str(out.dtype) == "Int64"
    assert out.isna().tolist() == [False, True]
    assert str(convert_series(pd.Series([1, 2], dtype="Int64"), DataType.long).dtype) == "int64"


def test_arrow_rules_follow_the_same_table() -> None:
    assert arrow_accepts(pa.int16(), DataType.integer, allow_tz=True)
    assert not arrow_accepts(pa.int64(), DataType.integer, allow_tz=True)
    assert arrow_accepts(pa.decimal128(10, 2), DataType.double, allow_tz=True)
    assert arrow_accepts(pa.timestamp("us", tz="UTC"), DataType.datetime, allow_tz=True)
    assert not arrow_accepts(pa.timestamp("us", tz="UTC"), DataType.datetime, allow_tz=False)
    assert not arrow_accepts(pa.string(), DataType.binary, allow_tz=True)


# --- nested -----------------------------------------------------------------------------------
def test_one_bad_row_among_many_is_found_and_charged_to_its_row() -> None:
    values = [[float(i)] for i in range(1000)]
    values[637] = ["oops"]  # Arrow cannot type the column: bisection finds the row
    df = pd.DataFrame({"v": values})
    check = compile_plan(Schema([ColSpec(Array("double"), "v")])).check(df)
    (v,) = check.violations
    assert (v.code, v.column_path, v.count, v.examples) == ("type_mismatch", "v[]", 1, ("oops",))
    assert np.flatnonzero(check.bad_rows).tolist() == [637]


def test_deeply_nested_paths() -> None:
    spec = Array(Object([Property("tags", Map(Array("long")))]))
    df = pd.DataFrame({"c": [[{"tags": {"a": [1, 2]}}], [{"tags": {"b": [1.5]}}]]})
    check = compile_plan(Schema([ColSpec(spec, "c")])).check(df)
    assert [(v.code, v.column_path, v.count) for v in check.violations] == [
        ("type_mismatch", "c[].tags{}[]", 1)
    ]
    assert check.bad_rows.tolist() == [False, True]


def test_any_accepts_everything_and_array_of_any_accepts_none() -> None:
    schema = Schema([ColSpec(AnyType(), "a"), ColSpec(Array(AnyType()), "b")])
    df = pd.DataFrame({"a": [1, "x"], "b": [None, [1, "mixed", {"k": 2}]]})
    assert compile_plan(schema).check(df).violations == ()


def test_map_keys_must_be_strings_and_none_values_in_required_maps_fail() -> None:
    df = pd.DataFrame({"m": [{"a": 1}, {2: 3}, {"c": None}]})
    check = compile_plan(Schema([ColSpec(Map("long"), "m")])).check(df)
    found = {(v.code, v.column_path): v.count for v in check.violations}
    assert found == {("type_mismatch", "m{key}"): 1, ("null_in_required", "m{}"): 1}


def test_optional_object_accepts_empty_dict_but_not_empty_list() -> None:
    schema = Schema([ColSpec(Object([Property("a", "long")]), "o", required=False)])
    assert compile_plan(schema).check(pd.DataFrame({"o": [{}, None, {"a": 1}]})).ok
    assert not compile_plan(schema).check(pd.DataFrame({"o": [[], {"a": 1}]})).ok


def test_empty_arrow_batch_reports_nested_type_problems_from_the_schema() -> None:
    arrow_schema = pa.schema(
        [
            ("a", pa.list_(pa.string())),
            ("o", pa.struct([("x", pa.int64()), ("q", pa.int32())])),
        ]
    )
    schema = Schema(
        [
            ColSpec(Array("double"), "a"),
            ColSpec(Object([Property("x", "long"), Property("y", "double")]), "o"),
        ]
    )
    check = compile_plan(schema).check(arrow_schema.empty_table())
    assert {(v.code, v.column_path) for v in check.violations} == {
        ("type_mismatch", "a[]"),
        ("unexpected_property", "o.q"),
        ("missing_property", "o.y"),
    }
    assert check.rows_checked == 0


# --- inputs -------------------------------------------------------------------------------------
def test_dict_of_scalars_is_one_row_and_unusable_input_is_an_enforcement_error() -> None:
    schema = Schema([ColSpec("long", "a"), ColSpec("string", "b")])
    out = enforce_schema({"a": 1, "b": "x"}, schema)
    assert out.to_dict("list") == {"a": [1], "b": ["x"]}
    with pytest.raises(SchemaEnforcementError):
        enforce_schema(object(), schema)


def test_extra_columns_are_logged_and_dropped(caplog) -> None:
    schema = Schema([ColSpec("long", "a")])
    with caplog.at_level(logging.WARNING, logger="sparksig.enforce"):
        out = enforce_schema(pd.DataFrame({"a": [1], "zzz": [2]}), schema)
    assert list(out.columns) == ["a"]
    assert "zzz" in caplog.text


def test_datetime_objects_and_dates_become_datetime64() -> None:
    schema = Schema([ColSpec("datetime", "t")])
    out = enforce_schema(
        pd.DataFrame({"t": [dt.date(2020, 1, 2), dt.datetime(2021, 3, 4)]}), schema
    )
    assert out["t"].dtype == np.dtype("datetime64[ns]")
    assert out["t"].tolist() == [pd.Timestamp("2020-01-02"), pd.Timestamp("2021-03-04")]


# --- tensors ------------------------------------------------------------------------------------
def test_tensor_problems_are_all_reported() -> None:
    schema = Schema([TensorSpec("float32", (-1, 2), "x"), TensorSpec("int64", (-1,), "y")])
    with pytest.raises(SchemaEnforcementError) as info:
        enforce_schema({"x": np.zeros((2, 3), "float64")}, schema)
    assert {(v.code, v.column_path) for v in info.value.violations} == {
        ("shape_mismatch", "x"),
        ("type_mismatch", "x"),
        ("missing_column", "y"),
    }


# --- params -------------------------------------------------------------------------------------
def test_params_convert_fill_defaults_and_report_every_bad_value(caplog) -> None:
    schema = ParamSchema(
        [
            ParamSpec("k", "long", 3),
            ParamSpec("t", "double", 0.5),
            ParamSpec("ids", "long", [1], (-1,)),
            ParamSpec("flag", "boolean", False),
        ]
    )
    out = enforce_params({"t": np.float32(0.25), "ids": np.array([4, 5])}, schema)
    assert out == {"t": 0.25, "ids": [4, 5], "k": 3, "flag": False}
    assert type(out["t"]) is float
    with caplog.at_level(logging.WARNING, logger="sparksig.enforce"):
        assert enforce_params({"nope": 1}, schema)["k"] == 3
    assert "nope" in caplog.text
    with pytest.raises(SchemaEnforcementError) as info:
        enforce_params({"k": 1.5, "flag": 1, "ids": [[1]]}, schema)
    assert sorted(v.column_path for v in info.value.violations) == ["flag", "ids", "k"]
    assert {v.code for v in info.value.violations} == {"invalid_param"}


def test_params_without_a_schema_are_ignored() -> None:
    assert enforce_params(None, None) is None
    assert enforce_params({"a": 1}, None) == {}
