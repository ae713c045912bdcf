"""Parsing serving payloads: formats, lossless conversion to the signature, malformed bodies."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import sparksig as ss
from sparksig.models.payload import PayloadError, parse_json, parse_request

COLS = ss.Schema(
    [
        ss.ColSpec("double", "x"),
        ss.ColSpec("long", "n"),
        ss.ColSpec("integer", "i", required=False),
        ss.ColSpec("binary", "raw", required=False),
        ss.ColSpec("datetime", "t", required=False),
        ss.ColSpec(ss.Array("double"), "v", required=False),
    ]
)


def test_dataframe_split_converts_json_numbers_to_the_declared_widths():
    req = parse_json(
        {
            "dataframe_split": {"columns": ["x", "n", "i"], "data": [[1, 2, 3], [4, 5, 6]]},
            "params": {"k": 1},
        },
        COLS,
    )
    df = req.data
    assert (req.format, req.params) == ("dataframe_split", {"k": 1})
    assert [df[c].dtype.name for c in ("x", "n", "i")] == ["float64", "int64", "int32"]
    assert df["x"].tolist() == [1.0, 4.0]


def test_lossy_conversions_are_left_for_enforcement_to_report():
    df = parse_json({"dataframe_records": [{"n": 1.5, "i": 2**40, "x": "a"}]}, COLS).data
    # MLflow's astype would give n=1 and wrap i; here the values arrive unchanged
    assert df["n"].tolist() == [1.5]
    assert df["i"].tolist() == [2**40] and df["i"].dtype.name == "int64"
    assert df["x"].tolist() == ["a"]


def test_integral_floats_become_integers():
    df = parse_json({"dataframe_records": [{"n": 2.0}, {"n": 3.0}]}, COLS).data
    assert df["n"].dtype.name == "int64" and df["n"].tolist() == [2, 3]


def test_binary_is_base64_decoded_and_datetimes_parsed():
    df = parse_json(
        {"dataframe_records": [{"raw": "YWJj\n", "t": "2024-01-02T03:04:05"}]}, COLS
    ).data
    assert df["raw"].tolist() == [b"abc"]
    assert df["t"].dtype.name == "datetime64[ns]"
    assert df["t"].tolist() == [pd.Timestamp(dt.datetime(2024, 1, 2, 3, 4, 5))]


def test_bad_base64_is_a_payload_error_naming_the_column():
    with pytest.raises(PayloadError, match=r"'raw'.*base64"):
        parse_json({"dataframe_records": [{"raw": "not base64!"}]}, COLS)


def test_nested_values_convert_their_leaves():
    df = parse_json({"dataframe_records": [{"v": [1, 2.5]}]}, COLS).data
    assert df["v"].tolist() == [[1.0, 2.5]]
    assert isinstance(df["v"].iloc[0][0], float)


def test_inputs_columns_rows_and_single_column_lists():
    cols = parse_json({"inputs": {"x": [1, 2], "n": [3, 4]}}, COLS).data
    assert cols["x"].dtype.name == "float64" and cols["n"].tolist() == [3, 4]
    rows = parse_json({"inputs": [{"x": 1}, {"x": 2}]}, COLS).data
    assert rows == [{"x": 1.0}, {"x": 2.0}]
    single = parse_json({"inputs": [1, 2]}, ss.Schema([ss.ColSpec("double", "x")])).data
    assert single["x"].tolist() == [1.0, 2.0]


def test_instances_rows_missing_a_key_get_null_there():
    data = parse_json({"instances": [{"x": 1, "n": 2}, {"x": 3}]}, COLS).data
    assert data["x"].tolist() == [1.0, 3.0]
    # MLflow appends only present values, which would shift later rows; here row 2 is null
    assert list(data["n"]) == [2, None]


def test_tensor_inputs_take_the_declared_dtype():
    schema = ss.Schema([ss.TensorSpec(np.dtype("float32"), (-1, 2))])
    arr = parse_json({"inputs": [[1, 2], [3, 4]]}, schema).data
    assert arr.dtype == np.float32 and arr.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    arr = parse_json({"instances": [[1, 2]]}, schema).data
    assert arr.dtype == np.float32
    ints = ss.Schema([ss.TensorSpec(np.dtype("int64"), (-1,))])
    assert parse_json({"inputs": [1.5, 2]}, ints).data.dtype == np.float64  # not truncated


def test_without_a_schema_values_arrive_as_parsed():
    df = parse_json({"dataframe_split": {"columns": ["a"], "data": [[1]]}}).data
    assert df["a"].dtype.name == "int64"
    assert parse_json({"inputs": [[1, 2]]}).data.tolist() == [[1, 2]]


def test_csv_keeps_text_columns_as_text():
    schema = ss.Schema([ss.ColSpec("string", "zip"), ss.ColSpec("double", "x")])
    req = parse_request(b"zip,x\n007,1\n", "text/csv; charset=utf-8", schema)
    assert req.format == "csv" and req.params is None
    assert req.data["zip"].tolist() == ["007"]
    assert req.data["x"].dtype.name == "float64"


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"{", "application/json", "not valid JSON"),
        (b"[1]", "application/json", "JSON object"),
        (b'{"rows": 1}', "application/json", "exactly one of"),
        (b'{"inputs": 1, "instances": 1}', "application/json", "exactly one of"),
        (b'{"inputs": 1, "extra": 1}', "application/json", "Unexpected keys"),
        (b'{"inputs": 1, "params": [1]}', "application/json", "'params' must be"),
        (b'{"dataframe_split": []}', "application/json", "dataframe_split"),
        (b'{"dataframe_split": {"columns": ["a"]}}', "application/json", "'data'"),
        (b'{"dataframe_records": {"a": 1}}', "application/json", "list of records"),
        (b'{"inputs": [[1], [1, 2]]}', "application/json", "inputs"),
        (b"\xff\xfe", "application/json", "UTF-8"),
        (b"{}", "application/json; charset=latin-1", "UTF-8"),
        (b"a=1", "text/plain", "content type"),
    ],
)
def test_malformed_payloads(body, content_type, message):
    with pytest.raises(PayloadError, match=message):
        parse_request(body, content_type, None)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("x,y\n1,2,3,4", "text/csv", r"CSV line 2 has 4 field\(s\) but the header has 2"),
        ("x,y\n1,2\n3\n", "text/csv", r"CSV line 3 has 1 field\(s\)"),
        ("x,x\n1,2\n", "text/csv", "'x' twice"),
        ("", "text/csv", "empty"),
        (
            '{"dataframe_split": {"columns": ["a"], "index": [0, 1, 2], "data": [[1]]}}',
            "application/json",
            r"'index' has 3 items but 'data' has 1 row\(s\)",
        ),
        (
            '{"dataframe_split": {"columns": ["a", "a"], "data": [[1, 2]]}}',
            "application/json",
            "'a' appears twice",
        ),
        (
            '{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [3]]}}',
            "application/json",
            r"data\[1\] has 1 values, but there are 2 columns",
        ),
        ('{"dataframe_records": [{"a": 1}, 2]}', "application/json", "record 1 is a number"),
        ('{"inputs": ' + "[" * 3000 + "]" * 3000 + "}", "application/json", "nested more than"),
        ('{"inputs": ' + "[" * 101 + "]" * 101 + "}", "application/json", "nested more than"),
    ],
    ids=[
        "csv-long-row",
        "csv-short-row",
        "csv-repeated-header",
        "csv-empty",
        "split-index-length",
        "split-duplicate-columns",
        "split-ragged-rows",
        "records-not-objects",
        "json-3000-deep",
        "json-102-deep",
    ],
)
def test_tables_are_read_as_sent_or_refused(body, content_type, message):
    # pandas would shift, broadcast, pad or rename these silently; each is a client mistake
    with pytest.raises(PayloadError, match=message):
        parse_request(body, content_type, None)


def test_json_at_the_depth_limit_is_read():
    depth_100 = '{"dataframe_records": [{"v": ' + "[" * 97 + "]" * 97 + "}]}"
    assert parse_request(depth_100).data.shape == (1, 1)


def test_split_without_columns_and_single_value_rows_still_read():
    df = parse_json({"dataframe_split": {"data": [1, 2]}}).data
    assert df.shape == (2, 1)
    df = parse_json({"dataframe_split": {"columns": ["a"], "index": [5, 6], "data": [1, 2]}}).data
    assert df.index.tolist() == [5, 6] and df["a"].tolist() == [1, 2]
