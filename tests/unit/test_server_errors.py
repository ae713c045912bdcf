"""Scoring-server errors, in process: client mistakes are 400, model failures 500, all JSON."""

from __future__ import annotations

import asyncio
import json
import logging
import sys

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("starlette")
httpx = pytest.importorskip("httpx")

import sparksig as ss  # noqa: E402
from sparksig import models  # noqa: E402
from sparksig.models.server import create_app  # noqa: E402

SIGNATURE = ss.ModelSignature(
    ss.Schema([ss.ColSpec("double", "a"), ss.ColSpec("long", "n", required=False)]),
    ss.Schema([ss.ColSpec("double")]),
)
SECRET = "password=hunter2"


class AppClient:
    """The ASGI app in process (no sockets); an exception escaping the app becomes a 500."""

    def __init__(self, app):
        self._loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._client = httpx.AsyncClient(transport=transport, base_url="http://sparksig.test")

    def request(self, method, path, body=None, content_type="application/json"):
        headers = {"content-type": content_type} if content_type else {}
        call = self._client.request(method, path, content=body, headers=headers)
        return self._loop.run_until_complete(call)

    def post(self, payload, content_type="application/json"):
        body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
        return self.request("POST", "/invocations", body, content_type)

    def close(self):
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def strict_json(response):
    """The body parsed as RFC 8259 JSON: NaN / Infinity tokens are refused (Python allows them)."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    return json.loads(response.text, parse_constant=_refuse_constant)


class Echo:
    def predict(self, model_input, params=None):
        return [float(x) for x in model_input["a"]]


class NonFinite:
    def predict(self, model_input, params=None):
        return np.array([np.nan, np.inf, -np.inf, 1.5])[: len(model_input)]


class Leaky:
    def predict(self, model_input, params=None):
        raise RuntimeError(f"cannot reach the database ({SECRET})")


class Exits:
    def predict(self, model_input, params=None):
        if model_input["a"].iloc[0] < 0:
            sys.exit(3)
        return [1.0] * len(model_input)


class Short:
    def predict(self, model_input, params=None):
        return [1.0]


class Strings:
    def predict(self, model_input, params=None):
        return ["yes"] * len(model_input)


class Opaque:
    def predict(self, model_input, params=None):
        return [object()] * len(model_input)


class RaisesSparksigError:
    def predict(self, model_input, params=None):
        raise ss.SchemaEnforcementError.of(ss.Violation("type_mismatch", "inner", 1, (), SECRET))


def client_for(folder, model, signature=SIGNATURE):
    path = folder / type(model).__name__
    models.save_model(path, model, signature=signature)
    return AppClient(create_app(path))


@pytest.fixture
def make_client(tmp_path):
    """``make_client(model, signature)``: an in-process client, closed after the test."""
    clients = []

    def make(model, signature=SIGNATURE):
        clients.append(client_for(tmp_path / str(len(clients)), model, signature))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def echo(tmp_path_factory):
    client = client_for(tmp_path_factory.mktemp("echo"), Echo())
    yield client
    client.close()


# --- 1. client errors are 400 with a JSON body ----------------------------------------------


def test_infinite_number_for_a_long_column_is_a_json_400(echo):
    r = echo.post('{"dataframe_split": {"columns": ["a", "n"], "data": [[1.0, 1e400]]}}')
    assert r.status_code == 400
    body = strict_json(r)
    assert body["error_code"] == "BAD_REQUEST"
    [violation] = body["violations"]
    assert violation["column_path"] == "n"
    assert violation["examples"] == ["Infinity"]  # non-finite examples are written as strings


def test_nan_param_in_an_error_body_is_valid_json(make_client):
    sig = ss.ModelSignature(SIGNATURE.inputs, None, ss.ParamSchema([ss.ParamSpec("k", "long", 1)]))
    client = make_client(Echo(), sig)
    r = client.post('{"dataframe_records": [{"a": 1.0}], "params": {"k": NaN}}')
    assert r.status_code == 400
    assert [v["code"] for v in strict_json(r)["violations"]] == ["invalid_param"]


def test_duplicate_columns_in_dataframe_split_are_400(echo):
    r = echo.post({"dataframe_split": {"columns": ["a", "a"], "data": [[1.0, 2.0]]}})
    assert r.status_code == 400
    body = strict_json(r)
    assert body["error_code"] == "BAD_REQUEST"
    assert "unique" in body["message"] and "'a'" in body["message"]


@pytest.mark.parametrize("depth", [150, 3000])
def test_deeply_nested_json_is_400_naming_the_problem(echo, depth):
    r = echo.post('{"inputs": ' + "[" * depth + "]" * depth + "}")
    assert r.status_code == 400
    assert "nested more than 100 levels" in strict_json(r)["message"]


def test_nesting_up_to_the_limit_is_read(echo):
    nested = "[" * 97 + "1.0" + "]" * 97  # 100 levels with the payload, records list, record
    r = echo.post('{"dataframe_records": [{"a": ' + nested + "}]}")
    assert r.status_code == 400  # a type violation from the signature, not a depth refusal
    assert "nested more than" not in strict_json(r)["message"]
    assert strict_json(r)["violations"]


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"dataframe_split": {"columns": ["a", 5.5], "data": [[1, 2]]}}, "columns[1]"),
        ({"dataframe_split": {"columns": "a", "data": [[1]]}}, "'columns' must be a list"),
        ({"dataframe_split": {"columns": ["a"], "data": {"a": [1]}}}, "'data' must be a list"),
        ({"dataframe_split": {"columns": ["a"], "data": [[1], 2]}}, "data[1]"),
        ({"dataframe_split": {"columns": ["a", "n"], "data": [1, 2]}}, "list of 2 values"),
        ({"dataframe_records": [{"a": 1.0}, [1.0]]}, "record 1"),
        ({"dataframe_records": {"a": 1.0}}, "list of records"),
        ({"dataframe_split": {"data": [[1], [1, 2]]}}, "data[1] has 2 values"),
    ],
    ids=[
        "column-name",
        "columns",
        "data",
        "mixed-rows",
        "scalar-rows",
        "record",
        "records",
        "ragged",
    ],
)
def test_malformed_tables_are_400_naming_the_place(echo, payload, needle):
    r = echo.post(payload)
    assert r.status_code == 400
    assert needle in strict_json(r)["message"]


# --- 2. CSV and split tables are read as sent, or refused -----------------------------------


def test_ragged_csv_row_is_400(echo):
    r = echo.post("x,y\n1,2,3,4", "text/csv")
    assert r.status_code == 400
    assert "CSV line 2 has 4 field(s) but the header has 2" in strict_json(r)["message"]


def test_short_csv_row_is_400(echo):
    r = echo.post("a,n\n1.0,2\n3.0\n", "text/csv")
    assert r.status_code == 400
    assert "CSV line 3 has 1 field(s)" in strict_json(r)["message"]


def test_repeated_csv_header_is_400(echo):
    r = echo.post("a,a\n1.0,2.0\n", "text/csv")
    assert r.status_code == 400
    assert "'a' twice" in strict_json(r)["message"]


@pytest.mark.parametrize("body", ["", "\n\n"], ids=["empty", "blank"])
def test_empty_csv_is_400(echo, body):
    r = echo.post(body, "text/csv")
    assert r.status_code == 400
    assert strict_json(r)["error_code"] == "BAD_REQUEST"


def test_csv_with_blank_lines_and_quoted_commas_still_scores(echo):
    r = echo.post('a,n\n\n1.5,2\n"2.5",3\n', "text/csv")
    assert r.status_code == 200, r.text
    assert strict_json(r) == {"predictions": [1.5, 2.5]}


def test_index_longer_than_data_is_400(echo):
    r = echo.post({"dataframe_split": {"columns": ["a"], "index": [0, 1, 2], "data": [[1.0]]}})
    assert r.status_code == 400
    assert "'index' has 3 items but 'data' has 1 row(s)" in strict_json(r)["message"]


def test_matching_index_is_fine(echo):
    r = echo.post({"dataframe_split": {"columns": ["a"], "index": [7, 8], "data": [[1], [2]]}})
    assert r.status_code == 200, r.text
    assert strict_json(r) == {"predictions": [1.0, 2.0]}


# --- 3. non-finite predictions are written as null ------------------------------------------


def test_nan_and_infinity_predictions_are_null(make_client):
    client = make_client(NonFinite())  # NaN passes a double output (MLflow's rule)
    r = client.post({"dataframe_records": [{"a": 1.0}, {"a": 2.0}, {"a": 3.0}, {"a": 4.0}]})
    assert r.status_code == 200, r.text
    assert strict_json(r) == {"predictions": [None, None, None, 1.5]}


@pytest.mark.parametrize(
    ("predictions", "expected"),
    [
        (pd.Series([np.nan, 2.0], name="score"), [{"score": None}, {"score": 2.0}]),
        (pd.DataFrame({"p": [np.inf], "t": [pd.NaT]}), [{"p": None, "t": None}]),
        (pd.array([1, None], dtype="Int64"), [1, None]),
        ([{"nested": [float("nan"), {"x": float("-inf")}]}], [{"nested": [None, {"x": None}]}]),
        (np.array([[np.nan, 1.0]], dtype=np.float32), [[None, 1.0]]),
    ],
    ids=["series", "frame-nat", "extension-array", "nested", "float32"],
)
def test_predictions_json_is_strict(predictions, expected):
    from sparksig.models.server import predictions_to_json

    text = predictions_to_json(predictions)
    assert json.loads(text, parse_constant=_refuse_constant) == {"predictions": expected}


# --- 4. model failures: 500, JSON, a request id, nothing of the exception -------------------


def test_model_exception_is_logged_with_a_request_id_and_never_sent(make_client, caplog):
    client = make_client(Leaky())
    with caplog.at_level(logging.ERROR, logger="sparksig.models.server"):
        r = client.post({"dataframe_records": [{"a": 1.0}]})
    assert r.status_code == 500
    body = strict_json(r)
    assert body["error_code"] == "INTERNAL_ERROR"
    request_id = body["request_id"]
    assert len(request_id) == 32 and r.headers["x-request-id"] == request_id
    assert request_id in body["message"]
    assert SECRET not in r.text and "RuntimeError" not in r.text
    logged = [rec for rec in caplog.records if request_id in rec.getMessage()]
    assert logged and SECRET in str(logged[0].exc_info[1])


def test_two_failures_get_different_request_ids(make_client):
    client = make_client(Leaky())
    ids = {strict_json(client.post({"dataframe_records": [{"a": 1.0}]}))["request_id"]}
    ids.add(strict_json(client.post({"dataframe_records": [{"a": 1.0}]}))["request_id"])
    assert len(ids) == 2


def test_a_sparksig_error_raised_by_the_model_is_the_models_failure(make_client):
    client = make_client(RaisesSparksigError())
    r = client.post({"dataframe_records": [{"a": 1.0}]})
    assert r.status_code == 500
    assert SECRET not in r.text and "violations" not in strict_json(r)


def test_sys_exit_in_the_model_is_a_500_and_the_app_keeps_serving(make_client):
    client = make_client(Exits())
    r = client.post({"dataframe_records": [{"a": -1.0}]})
    assert r.status_code == 500
    assert strict_json(r)["error_code"] == "INTERNAL_ERROR"
    r = client.post({"dataframe_records": [{"a": 1.0}]})
    assert r.status_code == 200 and strict_json(r) == {"predictions": [1.0]}


def test_wrong_number_of_predictions_is_500(make_client):
    client = make_client(Short())
    r = client.post({"dataframe_records": [{"a": 1.0}, {"a": 2.0}]})
    assert r.status_code == 500
    body = strict_json(r)
    assert body["error_code"] == "OUTPUT_LENGTH_MISMATCH"
    assert "1 prediction(s) for 2 input row(s)" in body["message"]
    assert body["request_id"]


def test_output_the_schema_forbids_is_500(make_client):
    client = make_client(Strings())
    r = client.post({"dataframe_records": [{"a": 1.0}]})
    assert r.status_code == 500
    body = strict_json(r)
    assert body["error_code"] == "OUTPUT_SCHEMA_MISMATCH"
    assert [v["code"] for v in body["violations"]] == ["type_mismatch"]
    assert "expected double" in body["message"]


def test_output_is_not_checked_against_a_schema_it_does_not_have(make_client):
    client = make_client(Strings(), ss.ModelSignature(SIGNATURE.inputs))
    r = client.post({"dataframe_records": [{"a": 1.0}]})
    assert r.status_code == 200 and strict_json(r) == {"predictions": ["yes"]}


def test_output_without_a_json_form_is_500(make_client):
    client = make_client(Opaque(), ss.ModelSignature(SIGNATURE.inputs))
    r = client.post({"dataframe_records": [{"a": 1.0}]})
    assert r.status_code == 500
    body = strict_json(r)
    assert body["error_code"] == "OUTPUT_NOT_SERIALIZABLE"
    assert "builtins.object" in body["message"]


# --- siblings: every route answers JSON ------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/invocations", 405, "METHOD_NOT_ALLOWED"),
        ("POST", "/nope", 404, "ENDPOINT_NOT_FOUND"),
        ("GET", "/", 404, "ENDPOINT_NOT_FOUND"),
    ],
)
def test_unknown_routes_and_methods_answer_json(echo, method, path, status, code):
    r = echo.request(method, path, b"{}")
    assert r.status_code == status
    body = strict_json(r)
    assert body["error_code"] == code and "/invocations" in body["message"]


def test_non_utf8_body_is_400(echo):
    r = echo.post(b'{"inputs": "\xff"}')
    assert r.status_code == 400
    assert "UTF-8" in strict_json(r)["message"]


def test_unsupported_content_type_is_json_415(echo):
    r = echo.post("a=1", "application/x-www-form-urlencoded")
    assert r.status_code == 415
    assert strict_json(r)["error_code"] == "UNSUPPORTED_MEDIA_TYPE"


# --- found by the fuzz suite -------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"instances": [{"a": 1.0, "t": 2**70}]},
        {"inputs": {"a": [1.0], "t": [2**70]}},
        {"dataframe_records": [{"a": 1.0, "t": 2**70}]},
    ],
    ids=["instances", "inputs", "records"],
)
def test_a_huge_number_for_a_datetime_is_400(make_client, payload):
    sig = ss.ModelSignature(
        ss.Schema([ss.ColSpec("double", "a"), ss.ColSpec("datetime", "t", required=False)])
    )
    client = make_client(Echo(), sig)
    r = client.post(payload)
    assert r.status_code == 400, r.text
    assert strict_json(r)["error_code"] == "BAD_REQUEST"
