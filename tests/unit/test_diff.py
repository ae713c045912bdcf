"""Signature diff: each change found, and classified as breaking for existing callers or not."""

from __future__ import annotations

import pytest

from sparksig import (
    AnyType,
    Array,
    ColSpec,
    Map,
    ModelSignature,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    SparkMLVector,
    TensorSpec,
)
from sparksig.diff import diff_signatures, type_name


def sig(inputs=None, outputs=None, params=None):
    return ModelSignature(
        Schema(inputs) if inputs else None,
        Schema(outputs) if outputs else None,
        ParamSchema(params) if params else None,
    )


def only(d):
    assert len(d.changes) == 1, d.changes
    return d.changes[0]


def test_identical_signatures_have_no_changes():
    s = sig([ColSpec("long", "a"), ColSpec("string", "b", required=False)], [ColSpec("double")])
    d = diff_signatures(s, s)
    assert d.identical
    assert not d.breaking
    assert str(d) == "Signatures are identical."


@pytest.mark.parametrize(
    ("required", "breaking"),
    [(True, True), (False, False)],
)
def test_added_input_column(required, breaking):
    old = sig([ColSpec("long", "a")])
    new = sig([ColSpec("long", "a"), ColSpec("double", "b", required=required)])
    c = only(diff_signatures(old, new))
    assert (c.part, c.path, c.kind, c.breaking) == ("inputs", "inputs.b", "added", breaking)


def test_removed_named_input_is_not_breaking_because_extras_are_ignored():
    old = sig([ColSpec("long", "a"), ColSpec("double", "b")])
    c = only(diff_signatures(old, sig([ColSpec("long", "a")])))
    assert (c.kind, c.path, c.breaking) == ("removed", "inputs.b", False)


@pytest.mark.parametrize(
    ("old_type", "new_type", "breaking"),
    [
        ("integer", "long", False),  # widened: int -> long is lossless
        ("integer", "double", False),
        ("float", "double", False),
        ("long", "integer", True),  # narrowed
        ("double", "float", True),
        ("long", "double", True),  # lossy, not accepted by enforcement
        ("string", "long", True),  # changed kind
        ("long", "any", False),
    ],
)
def test_input_type_change(old_type, new_type, breaking):
    c = only(diff_signatures(sig([ColSpec(old_type, "x")]), sig([ColSpec(new_type, "x")])))
    assert (c.kind, c.path, c.breaking) == ("type_changed", "inputs.x", breaking)
    assert (c.old, c.new) == (old_type, new_type)


@pytest.mark.parametrize(
    ("old_type", "new_type", "breaking"),
    [
        ("long", "integer", False),  # callers expecting long can read int
        ("integer", "long", True),  # callers expecting int may get values that do not fit
        ("double", "string", True),
    ],
)
def test_output_type_change_is_judged_from_the_readers_side(old_type, new_type, breaking):
    old = sig([ColSpec("long", "a")], [ColSpec(old_type, "y")])
    new = sig([ColSpec("long", "a")], [ColSpec(new_type, "y")])
    c = only(diff_signatures(old, new))
    assert (c.part, c.breaking) == ("outputs", breaking)


def test_removed_output_is_breaking_and_added_output_is_not():
    base = [ColSpec("long", "a")]
    old = sig(base, [ColSpec("double", "y"), ColSpec("double", "z")])
    new = sig(base, [ColSpec("double", "y"), ColSpec("string", "w")])
    d = diff_signatures(old, new)
    by_path = {c.path: c for c in d.changes}
    assert by_path["outputs.z"].kind == "removed" and by_path["outputs.z"].breaking
    assert by_path["outputs.w"].kind == "added" and not by_path["outputs.w"].breaking
    assert d.breaking


def test_required_flag_changes_depend_on_direction():
    old = sig([ColSpec("long", "a", required=False)], [ColSpec("long", "y")])
    new = sig([ColSpec("long", "a")], [ColSpec("long", "y", required=False)])
    by_path = {c.path: c for c in diff_signatures(old, new).changes}
    # an input becoming required rejects callers that omit it
    assert by_path["inputs.a"].kind == "required_changed" and by_path["inputs.a"].breaking
    # an output becoming optional means readers may now see nulls
    assert by_path["outputs.y"].breaking
    # and the reverse of both is harmless
    back = {c.path: c for c in diff_signatures(new, old).changes}
    assert not back["inputs.a"].breaking
    assert not back["outputs.y"].breaking


def test_nested_changes_are_reported_with_their_path():
    old = sig(
        [ColSpec(Array(Object([Property("id", "long"), Property("tag", "string")])), "items")]
    )
    new = sig(
        [
            ColSpec(
                Array(
                    Object(
                        [
                            Property("id", "integer"),
                            Property("score", "double", required=False),
                            Property("qty", "long"),
                        ]
                    )
                ),
                "items",
            )
        ]
    )
    by_path = {c.path: c for c in diff_signatures(old, new).changes}
    assert set(by_path) == {
        "inputs.items[].id",
        "inputs.items[].score",
        "inputs.items[].qty",
        "inputs.items[].tag",
    }
    assert by_path["inputs.items[].id"].breaking  # long -> integer narrows
    assert not by_path["inputs.items[].score"].breaking  # new optional property
    assert by_path["inputs.items[].qty"].breaking  # new required property
    assert by_path["inputs.items[].tag"].breaking  # extra properties are rejected


def test_map_values_widened():
    c = only(diff_signatures(sig([ColSpec(Map("integer"), "m")]), sig([ColSpec(Map("long"), "m")])))
    assert (c.path, c.breaking) == ("inputs.m{}", False)


def test_sparkml_vector_to_array_of_double_is_compatible_for_inputs():
    c = only(
        diff_signatures(sig([ColSpec(SparkMLVector(), "v")]), sig([ColSpec(Array("double"), "v")]))
    )
    assert not c.breaking


def test_column_based_to_tensor_based_is_breaking():
    c = only(
        diff_signatures(sig([ColSpec("double", "x")]), sig([TensorSpec("float64", (-1, 3), "x")]))
    )
    assert (c.kind, c.breaking) == ("kind_changed", True)


@pytest.mark.parametrize(
    ("old_shape", "new_shape", "breaking"),
    [
        ((-1, 3), (-1, -1), False),  # relaxing a fixed dim still accepts old tensors
        ((-1, -1), (-1, 3), True),  # fixing a dim rejects other sizes
        ((-1, 3), (-1, 4), True),
        ((-1, 3), (-1, 3, 1), True),  # rank change
    ],
)
def test_input_tensor_shapes(old_shape, new_shape, breaking):
    c = only(
        diff_signatures(
            sig([TensorSpec("float32", old_shape, "t")]),
            sig([TensorSpec("float32", new_shape, "t")]),
        )
    )
    assert (c.kind, c.breaking) == ("shape_changed", breaking)


def test_tensor_dtype_change_is_breaking():
    c = only(
        diff_signatures(sig([TensorSpec("float32", (-1,))]), sig([TensorSpec("float64", (-1,))]))
    )
    assert (c.path, c.kind, c.breaking) == ("inputs[0]", "type_changed", True)


def test_unnamed_schema_length_change_is_breaking():
    old = sig([ColSpec("double"), ColSpec("double")])
    c = only(diff_signatures(old, sig([ColSpec("double")])))
    assert (c.kind, c.breaking) == ("kind_changed", True)


def test_input_schema_added_or_removed():
    out = [ColSpec("double", "y")]
    added = only(diff_signatures(sig(outputs=out), sig([ColSpec("long", "a")], out)))
    assert (added.path, added.kind, added.breaking) == ("inputs", "added", True)
    removed = only(diff_signatures(sig([ColSpec("long", "a")], out), sig(outputs=out)))
    assert (removed.kind, removed.breaking) == ("removed", False)


def test_param_changes():
    old = sig(
        [ColSpec("long", "a")],
        params=[
            ParamSpec("temperature", "float", 0.5),
            ParamSpec("top_k", "integer", 5),
            ParamSpec("stop", "string", ["x"], (-1,)),
            ParamSpec("legacy", "boolean", False),
        ],
    )
    new = sig(
        [ColSpec("long", "a")],
        params=[
            ParamSpec("temperature", "float", 0.7),
            ParamSpec("top_k", "long", 5),
            ParamSpec("stop", "string", "x"),
            ParamSpec("seed", "long", 0),
        ],
    )
    by = {(c.path, c.kind): c for c in diff_signatures(old, new).changes}
    assert set(by) == {
        ("params.temperature", "default_changed"),
        ("params.top_k", "type_changed"),
        ("params.stop", "shape_changed"),
        ("params.seed", "added"),
        ("params.legacy", "removed"),
    }
    assert not by[("params.temperature", "default_changed")].breaking
    assert by[("params.temperature", "default_changed")].new == pytest.approx(0.7)
    assert not by[("params.top_k", "type_changed")].breaking  # integer -> long widens
    assert by[("params.stop", "shape_changed")].breaking
    assert not by[("params.seed", "added")].breaking
    assert by[("params.legacy", "removed")].breaking


def test_to_dict_is_json_ready():
    import json

    d = diff_signatures(sig([ColSpec("long", "a")]), sig([ColSpec("integer", "a")]))
    doc = json.loads(json.dumps(d.to_dict()))
    assert doc["breaking"] is True
    assert doc["changes"][0]["path"] == "inputs.a"
    assert doc["changes"][0]["old"] == "long"


def test_type_names():
    assert type_name(Array(Map("long"))) == "array<map<string, long>>"
    assert type_name(Object([Property("b", "long"), Property("a", "string")])) == "object{a, b}"
    assert type_name(AnyType()) == "any"
    assert type_name(TensorSpec("float32", (-1, 2))) == "tensor<float32, [-1, 2]>"
