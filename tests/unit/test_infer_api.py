"""Public inference entry points and param inference (expected values reasoned by hand)."""

from __future__ import annotations

import datetime as dt
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import sparksig
from sparksig import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    ParamSpec,
    Schema,
    SchemaDefinitionError,
    TensorSpec,
)
from sparksig.infer.api import infer_param_schema, infer_schema, infer_signature
from sparksig.infer.params import param_type_and_shape


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_public_names_dispatch_from_the_top_layer() -> None:
    import sparksig.api

    assert sparksig.infer_signature is sparksig.api.infer_signature
    assert sparksig.infer_schema is sparksig.api.infer_schema
    # the top layer gives the in-process answer for in-process data
    data = [{"q": "hi", "k": 3}]
    assert sparksig.infer_schema(data) == infer_schema(data)


def test_dataframe_columns_in_order_with_optional_from_missing_values() -> None:
    df = pd.DataFrame({"b": [1, 2], "a": [0.5, None], "t": ["x", "y"]})
    assert infer_schema(df) == Schema(
        [
            ColSpec(DataType.long, "b"),
            ColSpec(DataType.double, "a", required=False),
            ColSpec(DataType.string, "t"),
        ]
    )


def test_records_use_first_seen_key_order_and_missing_keys_are_optional() -> None:
    schema = infer_schema([{"z": 1}, {"a": "x", "z": 2}])
    assert schema.input_names() == ["z", "a"]
    assert [c.required for c in schema.inputs] == [True, False]


def test_dict_of_arrays_gives_named_tensors() -> None:
    schema = infer_schema({"x": np.zeros((3, 4), "float32"), "y": np.arange(3)})
    assert schema == Schema([TensorSpec("float32", (-1, 4), "x"), TensorSpec("int64", (-1,), "y")])


def test_integer_columns_warn_about_missing_values() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        infer_schema(pd.DataFrame({"a": [1]}))
        infer_schema(np.array([1]))  # tensors do not warn
    assert [str(w.message).startswith("Hint: the inferred schema has integer") for w in caught] == [
        True
    ]


def test_input_failure_falls_back_to_any_but_output_still_inferred() -> None:
    sig = infer_signature([1, "a"], ["ok"])
    assert sig.inputs == Schema([ColSpec(AnyType())])
    assert sig.outputs == Schema([ColSpec(DataType.string)])


def test_tuple_is_split_into_input_and_params() -> None:
    sig = infer_signature((["hi"], {"max_tokens": 5}))
    assert sig.inputs == Schema([ColSpec(DataType.string)])
    assert sig.params is not None and sig.params["max_tokens"].default == 5


def test_signature_round_trips_through_mlmodel_json() -> None:
    sig = infer_signature(
        pd.DataFrame({"x": [1.0], "tags": [["a"]]}), np.array([1]), {"t": [0.1, 0.2]}
    )
    again = sparksig.ModelSignature.from_dict(json.loads(json.dumps(sig.to_dict())))
    assert again == sig


# --- params ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "dtype", "shape"),
    [
        (1, DataType.long, None),
        (1.5, DataType.double, None),
        ("s", DataType.string, None),
        (False, DataType.boolean, None),
        (np.int32(1), DataType.integer, None),
        (np.float32(1), DataType.float, None),
        (dt.date(2024, 1, 1), DataType.datetime, None),
        ([1, 2], DataType.long, (-1,)),
        ([1, 2.0], DataType.double, (-1,)),
        (np.array(["a", "b"]), DataType.string, (-1,)),
        ([dt.datetime(2024, 1, 1)], DataType.datetime, (-1,)),
        ([], DataType.string, (-1,)),  # deliberate: MLflow says datetime
        (np.array([], dtype="float32"), DataType.float, (-1,)),
    ],
)
def test_param_type_and_shape(value, dtype, shape) -> None:
    assert param_type_and_shape(value) == (dtype, shape)


def test_empty_list_param_is_a_string_list_with_an_empty_default() -> None:
    assert infer_param_schema({"stop": []})["stop"] == ParamSpec("stop", "string", [], (-1,))


def test_param_defaults_become_python_natives() -> None:
    schema = infer_param_schema({"a": np.array([1.0, 2.0]), "b": np.float32(0.5)})
    assert schema["a"].default == [1.0, 2.0] and type(schema["a"].default[0]) is float
    assert type(schema["b"].default) is float


def test_dict_param_is_an_object() -> None:
    spec = infer_param_schema({"cfg": {"k": 1, "tags": ["a"]}})["cfg"]
    assert spec.dtype == sparksig.Object(
        [sparksig.Property("k", DataType.long), sparksig.Property("tags", Array(DataType.string))]
    )


def test_every_bad_param_is_named_in_one_error() -> None:
    with pytest.raises(SchemaDefinitionError) as e:
        infer_param_schema({"ok": 1, "n": None, "deep": [[1]], "raw": b"x"})
    message = str(e.value)
    assert all(name in message for name in ("'n'", "'deep'", "'raw'"))
    assert "'ok'" not in message


def test_params_must_be_a_dict() -> None:
    with pytest.raises(SchemaDefinitionError, match="dict"):
        infer_param_schema([("k", 1)])  # type: ignore[arg-type]
