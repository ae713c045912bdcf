"""JSON forms: MLflow's exact text, older forms, round trips, and malformed documents."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings

from sparksig import (
    Array,
    ColSpec,
    Map,
    ModelSignature,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    SerializationError,
    SparksigError,
    TensorSpec,
)
from tests.strategies import examples, param_schemas, schemas


def test_column_json_is_mlflows_text():
    s = Schema([ColSpec("long", "a"), ColSpec("string", "b", required=False)])
    assert s.to_json() == (
        '[{"type": "long", "name": "a", "required": true}, '
        '{"type": "string", "name": "b", "required": false}]'
    )


def test_nested_json_forms():
    col = ColSpec(
        Array(Object([Property("p", Map("double")), Property("q", "any", required=False)])), "c"
    )
    assert col.to_dict() == {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "p": {"type": "map", "values": {"type": "double"}, "required": True},
                "q": {"type": "any", "required": False},
            },
        },
        "name": "c",
        "required": True,
    }


def test_tensor_and_param_json():
    assert TensorSpec("float32", (-1, 10), "t").to_dict() == {
        "name": "t",
        "type": "tensor",
        "tensor-spec": {"dtype": "float32", "shape": [-1, 10]},
    }
    params = ParamSchema(
        [
            ParamSpec("when", "datetime", dt.datetime(2024, 1, 2, 3)),
            ParamSpec("k", "long", [1], (-1,)),
        ]
    )
    assert json.loads(params.to_json()) == [
        {"name": "when", "default": "2024-01-02T03:00:00", "shape": None, "type": "datetime"},
        {"name": "k", "default": [1], "shape": [-1], "type": "long"},
    ]


def test_signature_to_dict_holds_json_strings_or_none():
    sig = ModelSignature(Schema([ColSpec("double", "x")]))
    assert sig.to_dict() == {
        "inputs": '[{"type": "double", "name": "x", "required": true}]',
        "outputs": None,
        "params": None,
    }
    assert ModelSignature.from_dict(sig.to_dict()) == sig


def test_older_forms_still_read():
    # MLflow < 2.8 wrote "optional"; older still wrote neither; params once used "dtype".
    old = '[{"type": "long", "name": "a", "optional": true}, {"type": "double", "name": "b"}]'
    assert Schema.from_json(old) == Schema(
        [ColSpec("long", "a", required=False), ColSpec("double", "b")]
    )
    assert ParamSchema.from_json('[{"name": "k", "dtype": "long", "default": 3}]') == ParamSchema(
        [ParamSpec("k", "long", 3)]
    )


@pytest.mark.parametrize(
    "doc, path",
    [
        ("not json", "schema"),
        ('{"type": "long"}', "schema"),
        ("[]", "schema"),
        ('[{"name": "a"}]', "[0]"),
        ('[{"type": "decimal", "name": "a"}]', "[0].type"),
        ('[{"type": "array", "name": "a"}]', "[0]"),
        ('[{"type": "array", "items": {"type": "nope"}, "name": "a"}]', "[0].items.type"),
        ('[{"type": "object", "properties": {}, "name": "o"}]', "[0].properties"),
        (
            '[{"type": "object", "properties": {"p": {"type": "map"}}, "name": "o"}]',
            "[0].properties.p",
        ),
        ('[{"type": "long", "name": "a", "required": "yes"}]', "[0].required"),
        ('[{"type": "tensor", "tensor-spec": {"dtype": "float32"}}]', "[0].tensor-spec"),
        (
            '[{"type": "tensor", "tensor-spec": {"dtype": "nope", "shape": [-1]}}]',
            "[0].tensor-spec",
        ),
        ("[3]", "[0]"),
    ],
)
def test_malformed_schema_json_names_the_path(doc, path):
    with pytest.raises(SerializationError) as info:
        Schema.from_json(doc)
    assert info.value.path == path
    assert str(info.value).startswith(path)


def test_malformed_signature_names_the_part():
    with pytest.raises(SerializationError) as info:
        ModelSignature.from_dict({"inputs": '[{"type": "long", "name": "a"}]', "outputs": "[{}]"})
    assert info.value.path == "signature.outputs[0]"
    with pytest.raises(SerializationError) as info:
        ModelSignature.from_dict({"params": '[{"name": "k", "type": "long", "default": "x"}]'})
    assert info.value.path.startswith("signature.params[0]")


def test_errors_are_sparksig_errors_not_key_errors():
    for doc in ['[{"type": "object", "name": "o", "properties": {"a": 1}}]', '[{"type": 5}]']:
        with pytest.raises(SparksigError):
            Schema.from_json(doc)


@settings(max_examples=examples(200), deadline=None)
@given(schemas)
def test_schema_json_round_trip(schema):
    assert Schema.from_json(schema.to_json()) == schema


@settings(max_examples=examples(100), deadline=None)
@given(param_schemas())
def test_param_schema_json_round_trip(params):
    assert ParamSchema.from_json(params.to_json()) == params


@settings(max_examples=examples(100), deadline=None)
@given(schemas, param_schemas())
def test_signature_dict_round_trip(schema, params):
    sig = ModelSignature(schema, schema, params)
    assert ModelSignature.from_dict(sig.to_dict()) == sig


def test_path_errors_survive_pickling_from_an_executor():
    import pickle

    for error in (
        SerializationError("unknown type 'x'", "inputs[0].type"),
        ss_unsupported("no counterpart", "features.price"),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert (copy.path, copy.reason, str(copy)) == (error.path, error.reason, str(error))
        assert str(copy).startswith(f"{error.path}: ")


def ss_unsupported(message, path):
    from sparksig import UnsupportedTypeError

    return UnsupportedTypeError(message, path)


def test_a_type_nested_hundreds_deep_is_refused_naming_the_path_not_a_recursion_error():
    import json as _json

    from sparksig.types import MAX_DEPTH

    nested: dict = {"type": "long"}
    for _ in range(600):
        nested = {"type": "array", "items": nested}
    with pytest.raises(SerializationError, match=f"more than {MAX_DEPTH} levels") as info:
        ModelSignature.from_dict({"inputs": _json.dumps([{"name": "a", **nested}])})
    assert info.value.path.startswith("signature.inputs[0].items.items")
    shallow: dict = {"type": "long"}
    for _ in range(MAX_DEPTH):
        shallow = {"type": "array", "items": shallow}
    assert Schema.from_json(_json.dumps([shallow])).inputs[0].type is not None


@pytest.mark.parametrize("name", ["", True, 1.5, ["a"], {"a": 1}])
def test_column_names_must_be_non_empty_strings_or_integer_labels(name):
    with pytest.raises(SerializationError, match=r"\[0\]\.name"):
        Schema.from_json([{"name": name, "type": "long"}])


def test_integer_column_labels_still_read_as_mlflow_writes_them():
    assert Schema.from_json([{"name": 0, "type": "long"}]).input_names() == [0]
