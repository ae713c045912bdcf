"""Input example files, with expected text worked out by hand from MLflow's documented formats.

(tests/mlflow/test_models_vs_mlflow.py checks the same files against the real MLflow.)
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from sparksig.models import to_serving_payload
from sparksig.models.examples import make_example


def test_dataframe_in_split_orient():
    # MLflow replaces missing values with None via df.where(df.notnull(), None); pandas turns
    # that None back into NaN in a float column, so MLflow writes the (non-standard) JSON NaN
    # there and null in object columns. sparksig writes the same bytes.
    ex = make_example(pd.DataFrame({"a": [1, 2], "b": ["x", None], "c": [0.5, np.nan]}))
    assert ex.info == {
        "artifact_path": "input_example.json",
        "type": "dataframe",
        "pandas_orient": "split",
        "serving_input_path": "serving_input_example.json",
    }
    assert ex.input_json == '{"columns": ["a", "b", "c"], "data": [[1, "x", 0.5], [2, null, NaN]]}'
    assert json.loads(ex.serving_json) == {"dataframe_split": json.loads(ex.input_json)}


def test_default_columns_use_values_orient():
    ex = make_example(pd.DataFrame([[1, 2.5]]))
    assert ex.info["pandas_orient"] == "values"
    assert ex.input_json == '{"data": [[1, 2.5]]}'


def test_ndarray_and_dict_of_arrays_are_inputs():
    ex = make_example(np.array([[1.0, np.nan]], dtype=np.float32))
    assert (ex.info["type"], ex.input_json) == ("ndarray", "[[1.0, null]]")
    assert json.loads(ex.serving_json) == {"inputs": [[1.0, None]]}
    ex = make_example({"x": np.array([1, 2]), "y": np.array(["a", "b"])})
    assert (ex.info["type"], ex.input_json) == ("ndarray", '{"x": [1, 2], "y": ["a", "b"]}')


def test_json_objects_are_written_as_they_are():
    ex = make_example({"q": "hi", "n": [1, 2]})
    assert (ex.info["type"], ex.input_json) == ("json_object", '{"q": "hi", "n": [1, 2]}')
    assert json.loads(ex.serving_json) == {"inputs": {"q": "hi", "n": [1, 2]}}


def test_bytes_are_base64_with_a_trailing_newline():
    # base64("abc") is "YWJj"; base64.encodebytes adds the newline MLflow keeps
    ex = make_example(b"abc")
    assert (ex.info["type"], ex.input_json) == ("json_object", '"YWJj\\n"')
    assert json.loads(ex.serving_json) == {"inputs": "YWJj\n"}
    ex = make_example(pd.DataFrame({"raw": [b"abc"]}))
    assert ex.input_json == '{"columns": ["raw"], "data": [["YWJj\\n"]]}'


def test_datetimes_are_iso_strings():
    ex = make_example(dt.datetime(2024, 1, 2, 3, 4, 5))
    assert ex.input_json == '"2024-01-02T03:04:05"'


def test_params_tuple_wraps_the_example_and_adds_params_to_the_payload():
    ex = make_example(([1, 2], {"k": 3}))
    assert ex.info["params"] == "true"
    assert ex.input_json == '{"inputs": [1, 2], "params": {"k": 3}}'
    assert (
        ex.serving_json
        == '{\n  "inputs": [\n    1,\n    2\n  ],\n  "params": {\n    "k": 3\n  }\n}'
    )
    assert (ex.data, ex.params) == ([1, 2], {"k": 3})


def test_chat_style_dicts_are_served_unwrapped():
    ex = make_example(({"messages": [{"role": "user", "content": "hi"}]}, {"max_tokens": 5}))
    assert json.loads(ex.serving_json) == {
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 5,
    }


def test_to_serving_payload_is_the_serving_file_text():
    assert to_serving_payload(pd.DataFrame({"a": [1]})) == (
        '{\n  "dataframe_split": {\n    "columns": [\n      "a"\n    ],\n'
        '    "data": [\n      [\n        1\n      ]\n    ]\n  }\n}'
    )


class DataFrame:  # stands in for a Spark DataFrame without starting a JVM
    pass


DataFrame.__module__ = "pyspark.sql.dataframe"


@pytest.mark.parametrize(
    ("example", "message"),
    [
        (DataFrame(), "Spark DataFrame"),
        ([np.array([1])], "inside a list"),
        ({"a": np.array([1]), "b": [1]}, "mix"),
        (object(), "must be a pandas DataFrame"),
    ],
    ids=["spark", "arrays-in-list", "mixed-dict", "object"],
)
def test_unsupported_examples_are_refused(example, message):
    with pytest.raises(TypeError, match=message):
        make_example(example)


def test_params_without_a_type_are_refused():
    with pytest.raises(ValueError):
        make_example(([1], {"bad": None}))
