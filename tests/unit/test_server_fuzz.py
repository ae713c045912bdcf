"""Fuzzing the scoring server in process: any body gets a JSON answer of the documented shape.

With a model that always behaves (one double per row), a 500 can only be the server's own
failure, so none may occur. With a model that always raises, every scored request is a 500
carrying a request id, and every unscorable one is still a 400.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("starlette")
pytest.importorskip("httpx")

import sparksig as ss
from sparksig import models
from sparksig.models.payload import MAX_JSON_DEPTH
from sparksig.models.server import create_app
from tests.strategies import examples
from tests.unit.test_server_errors import AppClient, strict_json

SIGNATURE = ss.ModelSignature(
    ss.Schema(
        [
            ss.ColSpec("double", "a"),
            ss.ColSpec("long", "n", required=False),
            ss.ColSpec("string", "s", required=False),
            ss.ColSpec(ss.Array("double"), "v", required=False),
            ss.ColSpec("datetime", "t", required=False),
            ss.ColSpec("binary", "b", required=False),
        ]
    ),
    ss.Schema([ss.ColSpec("double")]),
    ss.ParamSchema([ss.ParamSpec("k", "long", 1)]),
)
COLUMNS = ["a", "n", "s", "v", "t", "b", "zz", ""]
FORMATS = ["dataframe_split", "dataframe_records", "instances", "inputs"]
ERROR_KEYS = {"error_code", "message", "violations", "request_id"}
VIOLATION_KEYS = {"code", "column_path", "count", "examples", "message"}
FUZZ = settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Behaves:
    """One finite double per row, whatever the input: never the cause of a 500."""

    def predict(self, model_input, params=None):
        return [1.0] * len(model_input)


class BehavesOnAnything:
    """One double per row for tables, one double otherwise: never the cause of a 500."""

    def predict(self, model_input, params=None):
        rows = len(model_input) if type(model_input).__name__ == "DataFrame" else 1
        return [1.0] * rows


OTHER_SIGNATURES = {
    "none": None,
    "tensor": ss.ModelSignature(
        ss.Schema([ss.TensorSpec(np.dtype("float32"), (-1, 2))]),
        ss.Schema([ss.TensorSpec(np.dtype("float64"), (-1,))]),
    ),
    "named-tensors": ss.ModelSignature(
        ss.Schema(
            [
                ss.TensorSpec(np.dtype("int64"), (-1,), "a"),
                ss.TensorSpec(np.dtype("float64"), (-1, 2), "n"),
            ]
        )
    ),
    "unnamed-columns": ss.ModelSignature(ss.Schema([ss.ColSpec("double"), ss.ColSpec("string")])),
    "nested-columns": ss.ModelSignature(
        ss.Schema(
            [
                ss.ColSpec(
                    ss.Object([ss.Property("p", "long"), ss.Property("q", "string", False)]), "a"
                ),
                ss.ColSpec(ss.Map("double"), "n", required=False),
                ss.ColSpec(ss.AnyType(), "s", required=False),
            ]
        )
    ),
}


class AlwaysFails:
    def predict(self, model_input, params=None):
        raise ValueError("secret: the model always fails")


def _client(tmp_path_factory, model):
    path = tmp_path_factory.mktemp("fuzz") / "m"
    models.save_model(path, model, signature=SIGNATURE)
    return AppClient(create_app(path))


@pytest.fixture(scope="module")
def behaves(tmp_path_factory):
    client = _client(tmp_path_factory, Behaves())
    yield client
    client.close()


@pytest.fixture(scope="module")
def others(tmp_path_factory):
    clients = {}
    for name, signature in OTHER_SIGNATURES.items():
        path = tmp_path_factory.mktemp(name) / "m"
        models.save_model(path, BehavesOnAnything(), signature=signature)
        clients[name] = AppClient(create_app(path))
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture(scope="module")
def fails(tmp_path_factory):
    client = _client(tmp_path_factory, AlwaysFails())
    yield client
    client.close()


# --- strategies --------------------------------------------------------------------------------

numbers = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1, -1, 2**31, 2**63, -(2**63) - 1, 1e308, 5e-324])
)
texts = st.text(max_size=8) | st.sampled_from(["2024-01-02T03:04:05", "YWJj\n", "1.5", "", "NaN"])
scalars = st.none() | st.booleans() | numbers | texts
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(COLUMNS) | st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=16,
)
cells = scalars | st.lists(numbers | st.none(), max_size=3) | json_values
columns = st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=4)
params = st.none() | st.dictionaries(st.sampled_from(["k", "x"]), json_values, max_size=2)


@st.composite
def dataframe_split(draw):
    names = draw(columns | st.lists(scalars, max_size=3))
    width = len(names) if draw(st.booleans()) else draw(st.integers(0, 4))
    rows = draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=4))
    if draw(st.booleans()):
        rows = draw(st.lists(cells, max_size=4)) if draw(st.booleans()) else [*rows, [1.0]]
    split = {"columns": names, "data": rows}
    if draw(st.booleans()):
        split["index"] = draw(st.lists(scalars, max_size=5))
    if draw(st.booleans()):
        del split["columns"]
    return split


records = st.lists(st.dictionaries(st.sampled_from(COLUMNS), cells, max_size=5), max_size=4)
formatted = st.one_of(
    st.builds(lambda v: {"dataframe_split": v}, dataframe_split()),
    st.builds(lambda v: {"dataframe_records": v}, records | json_values),
    st.builds(lambda v: {"instances": v}, records | st.lists(cells, max_size=4) | json_values),
    st.builds(
        lambda v: {"inputs": v},
        st.dictionaries(st.sampled_from(COLUMNS), st.lists(cells, max_size=4) | cells, max_size=4)
        | records
        | json_values,
    ),
)


# Rows close to the signature, so that many requests reach the model (and some values break it)
typed = {
    "a": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53),
    "n": st.none() | st.integers(-(2**63), 2**63 - 1),
    "s": st.none() | st.text(max_size=5),
    "v": st.none() | st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=3),
    "t": st.none() | st.sampled_from(["2024-01-02T03:04:05", "1999-12-31", "2024-02-30"]),
    "b": st.none() | st.sampled_from(["YWJj\n", "", "not base64!"]),
}


@st.composite
def near_rows(draw):
    count = draw(st.integers(1, 4))
    keys = ["a", *draw(st.lists(st.sampled_from(list(typed)[1:]), unique=True, max_size=5))]
    rows = [{k: draw(typed[k]) for k in keys} for _ in range(count)]
    if draw(st.integers(0, 3)) == 0:  # one wrong value somewhere
        rows[draw(st.integers(0, count - 1))][draw(st.sampled_from(keys))] = draw(cells)
    return rows


@st.composite
def near_payloads(draw):
    rows = draw(near_rows())
    keys = list(rows[0])
    fmt = draw(st.sampled_from(FORMATS))
    if fmt == "dataframe_split":
        payload = {fmt: {"columns": keys, "data": [[r[k] for k in keys] for r in rows]}}
    else:
        payload = {fmt: rows}
    if draw(st.booleans()):
        payload["params"] = {"k": draw(st.integers(-5, 5) | json_values)}
    return payload


@st.composite
def payloads(draw):
    payload = dict(draw(formatted | near_payloads() | near_payloads()))
    extra = draw(params)
    if extra is not None:
        payload["params"] = extra
    if draw(st.integers(0, 9)) == 0:  # sometimes a second format key, or a stray one
        payload[draw(st.sampled_from([*FORMATS, "rows"]))] = draw(json_values)
    return payload


@st.composite
def deep(draw):
    depth = draw(st.integers(1, 400))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    fmt = draw(st.sampled_from(FORMATS))
    return '{"%s": %s1%s}' % (fmt, opener * depth, closer * depth), depth + 1  # noqa: UP031


def _dumps(payload):
    return json.dumps(payload, allow_nan=True)  # NaN / Infinity tokens, as careless clients send


csv_fields = st.sampled_from(["1", "1.5", "-2", "1e400", "nan", "", "x", '"q,uoted"', "007"])


@st.composite
def csv_tables(draw):
    header = draw(st.lists(st.sampled_from([*COLUMNS[:4], "a", "n"]), min_size=1, max_size=4))
    rows = draw(st.lists(st.lists(csv_fields, min_size=0, max_size=5), max_size=5))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(",".join(line) for line in [header, *rows])


csv_noise = st.text(alphabet='an,"\n\r 1.5e-x\x00\\', max_size=40)


# --- assertions ----------------------------------------------------------------------------


def check_shape(response, model_fails=False):
    """The documented response shape; returns the parsed body."""
    body = strict_json(response)
    assert isinstance(body, dict)
    status = response.status_code
    if status == 200:
        assert not model_fails
        assert set(body) == {"predictions"}
        assert all(p == 1.0 for p in body["predictions"])
        return body
    assert set(body) <= ERROR_KEYS and {"error_code", "message"} <= set(body), body
    assert isinstance(body["message"], str) and body["message"]
    for violation in body.get("violations", []):
        assert set(violation) == VIOLATION_KEYS
    if status >= 500:
        assert model_fails, body  # a model that behaves never causes a 500
        assert body["error_code"] == "INTERNAL_ERROR"
        assert body["request_id"] == response.headers["x-request-id"]
        assert "secret" not in response.text
    else:
        assert status in (400, 415), body
        assert body["error_code"] in ("BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE")
        assert "request_id" not in body
        assert "Traceback" not in body["message"]
    return body


# --- properties ------------------------------------------------------------------------------


@FUZZ
@given(document=json_values)
def test_any_json_document(behaves, document):
    check_shape(behaves.post(_dumps(document)))


@FUZZ
@given(payload=payloads())
def test_payloads_in_every_format(behaves, payload):
    check_shape(behaves.post(_dumps(payload)))


@FUZZ
@given(body_and_depth=deep())
def test_deep_nesting(behaves, body_and_depth):
    body, depth = body_and_depth
    response = behaves.post(body)
    check_shape(response)
    if depth > MAX_JSON_DEPTH:
        assert response.status_code == 400
        assert "nested more than" in response.json()["message"]


@FUZZ
@given(text=csv_tables() | csv_noise, charset=st.sampled_from(["", "; charset=utf-8"]))
def test_csv_bodies(behaves, text, charset):
    check_shape(behaves.post(text, "text/csv" + charset))


@FUZZ
@given(data=st.binary(max_size=40), content_type=st.sampled_from(["application/json", "text/csv"]))
def test_arbitrary_bytes(behaves, data, content_type):
    check_shape(behaves.post(data, content_type))


tensor_rows = st.lists(numbers, min_size=2, max_size=2) | st.lists(cells, max_size=3) | cells
tensor_payloads = st.one_of(
    st.builds(lambda v: {"inputs": v}, st.lists(tensor_rows, max_size=4) | tensor_rows),
    st.builds(lambda v: {"instances": v}, st.lists(tensor_rows, max_size=4)),
    st.builds(
        lambda a, n: {"inputs": {"a": a, "n": n}},
        st.lists(numbers, max_size=3) | cells,
        st.lists(tensor_rows, max_size=3),
    ),
)


@FUZZ
@given(
    name=st.sampled_from(sorted(OTHER_SIGNATURES)),
    payload=payloads() | tensor_payloads,
)
def test_other_signature_kinds(others, name, payload):
    check_shape(others[name].post(_dumps(payload)))


@FUZZ
@given(payload=payloads() | st.builds(lambda v: {"inputs": {"a": v}}, st.lists(numbers)))
def test_a_failing_model_gives_500s_with_request_ids_and_nothing_else(fails, payload):
    body = check_shape(fails.post(_dumps(payload)), model_fails=True)
    assert body["error_code"] in ("BAD_REQUEST", "INTERNAL_ERROR")


def test_the_harness_tells_a_200_from_a_500(behaves, fails):
    # not vacuous: a scorable payload reaches each model
    payload = {"dataframe_records": [{"a": 1.0}, {"a": math.pi}], "params": {"k": 2}}
    ok = behaves.post(payload)
    assert ok.status_code == 200 and check_shape(ok) == {"predictions": [1.0, 1.0]}
    failed = fails.post(payload)
    assert failed.status_code == 500 and check_shape(failed, model_fails=True)["request_id"]
    with pytest.raises(AssertionError):
        check_shape(failed)  # a 500 from a model that behaves would fail the properties
