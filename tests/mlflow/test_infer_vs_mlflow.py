"""sparksig's infer_signature gives MLflow's JSON for the same input, or a listed difference.

Each case builds its input afresh (MLflow and sparksig both get their own copy). Every
difference is listed once, in DELIBERATE_DIFFERENCES, with both JSONs written out by hand and
the reason; a test checks both sides, so the list goes stale the day either side changes.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from mlflow.models import infer_signature as mlflow_infer_signature
from mlflow.types.utils import _infer_param_schema as mlflow_infer_param_schema

from sparksig import SchemaDefinitionError
from sparksig.infer.api import infer_param_schema, infer_signature

Kwargs = Callable[[], dict[str, Any]]


def _inp(factory: Callable[[], Any]) -> Kwargs:
    return lambda: {"model_input": factory()}


CHAT = [
    {"role": "system", "content": "be brief"},
    {"role": "user", "content": "hi", "name": "ann"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "1", "function": {"name": "f", "arguments": "{}"}}],
    },
]

# (id, kwargs for infer_signature)
CASES: list[tuple[str, Kwargs]] = [
    # --- pandas DataFrames
    (
        "df_scalars",
        _inp(
            lambda: pd.DataFrame(
                {
                    "i": [1, 2],
                    "f": [0.5, 1.5],
                    "s": ["a", "b"],
                    "b": [True, False],
                    "t": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                    "by": [b"x", b"y"],
                }
            )
        ),
    ),
    ("df_integer_column_labels", _inp(lambda: pd.DataFrame([[1, 2.5]]))),
    ("df_int_with_none_is_double", _inp(lambda: pd.DataFrame({"a": [1, None, 3]}))),
    ("df_nan", _inp(lambda: pd.DataFrame({"a": [1.0, float("nan")]}))),
    ("df_str_with_none", _inp(lambda: pd.DataFrame({"s": ["a", None]}))),
    ("df_all_none", _inp(lambda: pd.DataFrame({"s": [None, None]}))),
    ("df_nat", _inp(lambda: pd.DataFrame({"t": pd.to_datetime(["2024-01-01", None])}))),
    (
        "df_narrow_numbers",
        _inp(
            lambda: pd.DataFrame(
                {
                    k: np.array([1, 2], dtype=k)
                    for k in ("int8", "int16", "int32", "uint8", "uint16", "uint32")
                }
                | {k: np.array([1, 2], dtype=k) for k in ("float16", "float32")}
            )
        ),
    ),
    ("df_uint64_rejected", _inp(lambda: pd.DataFrame({"u": np.array([1], dtype="uint64")}))),
    ("df_timedelta_rejected", _inp(lambda: pd.DataFrame({"d": pd.to_timedelta([1], "s")}))),
    ("df_nullable_int", _inp(lambda: pd.DataFrame({"a": pd.array([1, None], dtype="Int64")}))),
    (
        "df_nullable_bool",
        _inp(lambda: pd.DataFrame({"a": pd.array([True, None], dtype="boolean")})),
    ),
    ("df_string_dtype", _inp(lambda: pd.DataFrame({"a": pd.array(["x", None], dtype="string")}))),
    ("df_category", _inp(lambda: pd.DataFrame({"a": pd.Categorical(["x", "y"])}))),
    ("df_tz_datetime", _inp(lambda: pd.DataFrame({"t": pd.to_datetime(["2024-01-01"], utc=True)}))),
    ("df_list_column", _inp(lambda: pd.DataFrame({"l": [[1, 2], [3]]}))),
    ("df_list_with_empty", _inp(lambda: pd.DataFrame({"l": [[], ["a"]]}))),
    ("df_list_of_lists", _inp(lambda: pd.DataFrame({"l": [[[1.0]], [[2.0, 3.0]]]}))),
    ("df_dict_column_merges_keys", _inp(lambda: pd.DataFrame({"d": [{"a": 1}, {"b": "x"}]}))),
    ("df_dict_column_with_none", _inp(lambda: pd.DataFrame({"d": [{"a": 1}, None]}))),
    (
        "df_records_in_lists",
        _inp(lambda: pd.DataFrame({"r": [[{"k": 1, "v": "a"}], [{"k": 2}]]})),
    ),
    ("df_mixed_object_rejected", _inp(lambda: pd.DataFrame({"m": [1, "a"]}))),
    ("df_bytes_and_none", _inp(lambda: pd.DataFrame({"b": [b"x", None]}))),
    ("df_datetime_objects", _inp(lambda: pd.DataFrame({"d": [dt.date(2024, 1, 1), None]}))),
    ("df_empty_rows", _inp(lambda: pd.DataFrame({"a": pd.Series([], dtype="float64")}))),
    # --- pandas Series
    ("series_named", _inp(lambda: pd.Series([1, 2], name="x"))),
    ("series_unnamed", _inp(lambda: pd.Series(["a", "b"]))),
    ("series_unnamed_optional", _inp(lambda: pd.Series([1.0, None]))),
    ("series_named_optional", _inp(lambda: pd.Series([1.0, None], name="y"))),
    ("series_of_lists", _inp(lambda: pd.Series([["a"], ["b", "c"]], name="tokens"))),
    # --- numpy tensors
    ("np_float32_2d", _inp(lambda: np.zeros((4, 3), dtype="float32"))),
    ("np_int64_1d", _inp(lambda: np.arange(5))),
    ("np_3d", _inp(lambda: np.zeros((2, 28, 28), dtype="uint8"))),
    ("np_str", _inp(lambda: np.array(["a", "bcd"]))),
    ("np_bytes", _inp(lambda: np.array([b"a", b"bc"]))),
    ("np_bool", _inp(lambda: np.array([True, False]))),
    ("np_datetime", _inp(lambda: np.array(["2024-01-01"], dtype="datetime64[ns]"))),
    ("np_uint64", _inp(lambda: np.array([1, 2], dtype="uint64"))),
    ("np_empty", _inp(lambda: np.array([]))),
    ("np_0d_rejected", _inp(lambda: np.array(5))),
    (
        "np_ragged_object",
        _inp(lambda: np.array([np.array([1, 2]), np.array([3])], dtype=object)),
    ),
    ("np_object_strings", _inp(lambda: np.array(["a", None], dtype=object))),
    (
        "dict_of_arrays",
        _inp(lambda: {"img": np.zeros((2, 8, 8), dtype="float32"), "id": np.array([1, 2])}),
    ),
    ("dict_of_str_arrays", _inp(lambda: {"a": np.array(["x", "y"])})),
    # --- dicts of values
    (
        "dict_scalars",
        _inp(
            lambda: {"a": 1, "b": 2.5, "c": "x", "d": True, "e": b"z", "f": dt.datetime(2024, 1, 1)}
        ),
    ),
    ("dict_with_missing", _inp(lambda: {"a": None, "b": float("nan"), "c": 1})),
    ("dict_with_lists", _inp(lambda: {"a": [1, 2], "b": ["x", None], "c": [], "d": [[]]})),
    ("dict_nested", _inp(lambda: {"cfg": {"k": 1, "sub": {"x": [1.0]}, "none": None, "e": {}}})),
    ("dict_array_and_scalar", _inp(lambda: {"a": np.array([1, 2]), "b": "x"})),
    ("dict_non_string_key_rejected", _inp(lambda: {1: "a"})),
    ("dict_mixed_list_rejected", _inp(lambda: {"a": [1, "x"]})),
    # --- lists of dicts
    ("records", _inp(lambda: [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])),
    ("records_missing_key", _inp(lambda: [{"a": 1, "b": "x"}, {"a": 2}])),
    ("records_none_value", _inp(lambda: [{"a": 1}, {"a": None}])),
    ("records_nan_value_stays_required", _inp(lambda: [{"a": 1.0}, {"a": float("nan")}])),
    ("records_nested_merge", _inp(lambda: [{"o": {"x": 1}}, {"o": {"y": [1.0]}}])),
    ("records_type_clash_rejected", _inp(lambda: [{"a": 1}, {"a": "x"}])),
    ("records_empty_dicts", _inp(lambda: [{}, {}])),
    # --- chat-style messages
    ("chat_messages", _inp(lambda: {"messages": CHAT})),
    ("chat_list", _inp(lambda: CHAT)),
    (
        "chat_request",
        _inp(lambda: {"messages": CHAT[:2], "temperature": 0.2, "stop": ["\n"], "n": 1}),
    ),
    # --- lists
    ("list_ints", _inp(lambda: [1, 2, 3])),
    ("list_floats", _inp(lambda: [1.5, 2.5])),
    ("list_strings", _inp(lambda: ["a", "b"])),
    ("list_bools", _inp(lambda: [True, False])),
    ("list_bytes", _inp(lambda: [b"a"])),
    ("list_dates", _inp(lambda: [dt.date(2024, 1, 1)])),
    ("list_numpy_scalars", _inp(lambda: [np.int32(1), np.int32(2)])),
    ("list_float32_scalars", _inp(lambda: [np.float32(1)])),
    ("list_int16_rejected", _inp(lambda: [np.int16(1)])),
    ("list_with_none", _inp(lambda: [1, None])),
    ("list_none_first", _inp(lambda: [None, "a"])),
    ("list_only_none", _inp(lambda: [None])),
    ("list_empty", _inp(lambda: [])),
    ("list_of_empty", _inp(lambda: [[]])),
    ("list_of_lists", _inp(lambda: [[1], [2, 3], []])),
    ("list_mixed_rejected", _inp(lambda: [1, 2.0])),
    ("list_str_int_rejected", _inp(lambda: ["a", 1])),
    ("list_of_arrays", _inp(lambda: [np.array([1.0]), np.array([2.0, 3.0])])),
    ("list_of_empty_arrays", _inp(lambda: [np.array([])])),
    ("list_dict_and_none", _inp(lambda: [{"a": 1}, None])),
    # --- scalars
    ("scalar_int", _inp(lambda: 1)),
    ("scalar_float", _inp(lambda: 1.5)),
    ("scalar_str", _inp(lambda: "hello")),
    ("scalar_bool", _inp(lambda: True)),
    ("scalar_bytes", _inp(lambda: b"x")),
    ("scalar_datetime", _inp(lambda: dt.datetime(2024, 1, 1))),
    ("scalar_date", _inp(lambda: dt.date(2024, 1, 1))),
    ("scalar_np_datetime", _inp(lambda: np.datetime64("2024-01-01"))),
    ("scalar_nan", _inp(lambda: float("nan"))),
    ("scalar_float32", _inp(lambda: np.float32(1))),
    ("scalar_timestamp_rejected", _inp(lambda: pd.Timestamp("2024-01-01"))),
    ("scalar_object_rejected", _inp(lambda: object.__new__(type("Thing", (), {})))),
    ("set_rejected", _inp(lambda: {1, 2})),
    # --- outputs, and inputs with outputs
    ("output_only_array", lambda: {"model_output": np.array([0.1, 0.9])}),
    ("output_only_strings", lambda: {"model_output": ["yes", "no"]}),
    (
        "input_and_output",
        lambda: {
            "model_input": pd.DataFrame({"x": [1.0]}),
            "model_output": pd.DataFrame({"y": [1], "p": [0.5]}),
        },
    ),
    ("output_rejected", lambda: {"model_input": [1], "model_output": [1, "a"]}),
    # --- params
    (
        "params_scalars",
        lambda: {
            "model_input": ["q"],
            "params": {"k": 3, "t": 0.5, "s": "x", "b": True, "f32": np.float32(0.25)},
        },
    ),
    (
        "params_numpy_ints",
        lambda: {"params": {"i32": np.int32(1), "i64": np.int64(2)}},
    ),
    (
        "params_lists",
        lambda: {"params": {"l": [1, 2], "d": [1, 2.5], "s": ["a"], "b": [True, False]}},
    ),
    ("params_ndarray", lambda: {"params": {"a": np.array([1.0, 2.0]), "i": np.array([1, 2])}}),
    (
        "params_datetimes",
        lambda: {
            "params": {
                "d": dt.datetime(2024, 1, 2, 3, 4),
                "day": dt.date(2024, 1, 1),
                "ds": [dt.datetime(2024, 1, 1)],
                "npd": np.datetime64("2024-01-01T00:00:00"),
            }
        },
    ),
    ("params_object", lambda: {"params": {"cfg": {"x": 1, "y": [1, 2], "z": {"w": "a"}}}}),
    ("params_empty_dict_is_none", lambda: {"model_input": [1], "params": {}}),
]

# (id, kwargs, ours, mlflow's, reason). Both JSONs written out by hand.
DELIBERATE_DIFFERENCES: list[tuple[str, Kwargs, dict[str, Any], dict[str, Any], str]] = [
    (
        "input_params_tuple",
        _inp(lambda: (pd.DataFrame({"q": ["hi"]}), {"k": 2})),
        {
            "inputs": '[{"type": "string", "name": "q", "required": true}]',
            "outputs": None,
            "params": '[{"name": "k", "default": 2, "shape": null, "type": "long"}]',
        },
        {"inputs": '[{"type": "any", "required": true}]', "outputs": None, "params": None},
        "an (input, params) tuple is split as MLflow splits input examples; MLflow's "
        "infer_signature cannot read the tuple and falls back to any",
    ),
    (
        "params_empty_list",
        lambda: {"params": {"stop": []}},
        {
            "inputs": None,
            "outputs": None,
            "params": '[{"name": "stop", "default": [], "shape": [-1], "type": "string"}]',
        },
        {
            "inputs": None,
            "outputs": None,
            "params": '[{"name": "stop", "default": [], "shape": [-1], "type": "datetime"}]',
        },
        "an empty list param is a string list; MLflow's datetime comes from all() of nothing",
    ),
]

# Params both sides refuse (same accept/reject decision).
REJECTED_PARAMS = [
    {"n": None},
    {"nested": [[1, 2]]},
    {"raw": b"x"},
    {"mixed": [1, "a"]},
    {"nones": [None]},
    {"empty": {}},
    {"obj": object()},
    {"big": 2**70},
    {"u64": np.uint64(1)},
]


def _mlflow(kwargs: dict[str, Any]) -> dict[str, Any] | str:
    logging.disable(logging.WARNING)  # MLflow logs its fallback warnings
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mlflow_infer_signature(**kwargs).to_dict()
    except Exception as e:
        return f"raises {type(e).__name__}"
    finally:
        logging.disable(logging.NOTSET)


def _ours(kwargs: dict[str, Any]) -> dict[str, Any] | str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return infer_signature(**kwargs).to_dict()
    except Exception as e:
        return f"raises {type(e).__name__}"


def _scipy_cases() -> list[tuple[str, Kwargs]]:
    try:
        import scipy.sparse as sp
    except ImportError:  # scipy is optional; these cases only run when it is installed
        return []
    return [
        ("csr", _inp(lambda: sp.csr_matrix(np.eye(3)))),
        ("csc_float32", _inp(lambda: sp.csc_matrix(np.eye(2, 5, dtype="float32")))),
        ("coo_rejected", _inp(lambda: sp.coo_matrix(np.eye(2)))),
    ]


ALL_CASES = CASES + _scipy_cases()


@pytest.mark.parametrize(("case", "kwargs"), ALL_CASES, ids=[c for c, _ in ALL_CASES])
def test_same_json_as_mlflow(case: str, kwargs: Kwargs) -> None:
    expected = _mlflow(kwargs())
    assert not isinstance(expected, str), f"MLflow raised for {case}: {expected}"
    assert _ours(kwargs()) == expected


def test_scipy_cases_ran_when_scipy_is_installed() -> None:
    pytest.importorskip("scipy")
    assert _scipy_cases(), "scipy is installed, so its cases must be in the table"


@pytest.mark.parametrize(
    ("case", "kwargs", "ours", "theirs", "reason"),
    DELIBERATE_DIFFERENCES,
    ids=[d[0] for d in DELIBERATE_DIFFERENCES],
)
def test_deliberate_difference_still_holds(
    case: str, kwargs: Kwargs, ours: dict[str, Any], theirs: dict[str, Any], reason: str
) -> None:
    assert reason
    assert _ours(kwargs()) == ours
    assert _mlflow(kwargs()) == theirs
    assert ours != theirs


def test_case_ids_are_unique_and_differences_are_not_also_cases() -> None:
    ids = [c for c, _ in ALL_CASES] + [d[0] for d in DELIBERATE_DIFFERENCES]
    assert len(ids) == len(set(ids))


def test_the_table_covers_every_input_kind() -> None:
    kinds = {
        "DataFrame",
        "Series",
        "ndarray",
        "dict",
        "list",
        "int",
        "float",
        "str",
        "bytes",
        "datetime",
        "tuple",
    }
    seen = {type(kw().get("model_input")).__name__ for _, kw in ALL_CASES}
    seen |= {
        type(kw()["model_input"]).__name__
        for _, kw, *_ in DELIBERATE_DIFFERENCES
        if "model_input" in kw()
    }
    assert kinds <= seen


@pytest.mark.parametrize("params", REJECTED_PARAMS, ids=[next(iter(p)) for p in REJECTED_PARAMS])
def test_params_refused_like_mlflow(params: dict[str, Any]) -> None:
    with pytest.raises(Exception):  # noqa: B017 - MLflow raises MlflowException
        mlflow_infer_param_schema(params)
    with pytest.raises(SchemaDefinitionError, match=next(iter(params))):
        infer_param_schema(params)


def test_param_errors_raise_through_infer_signature() -> None:
    with pytest.raises(SchemaDefinitionError, match="nested"):
        infer_signature(["x"], params={"ok": 1, "nested": [[1]]})


def test_fallback_to_any_warns() -> None:
    with pytest.warns(UserWarning, match="Failed to infer a schema for the inputs"):
        sig = infer_signature([1, "a"])
    assert sig.to_dict()["inputs"] == '[{"type": "any", "required": true}]'


def test_params_given_twice_is_an_error() -> None:
    with pytest.raises(SchemaDefinitionError, match="twice"):
        infer_signature((["x"], {"k": 1}), params={"k": 2})
