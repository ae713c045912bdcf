"""The scoring server over real HTTP on 127.0.0.1 (uvicorn in a thread, or the CLI process)."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

import sparksig as ss  # noqa: E402
from sparksig import models  # noqa: E402
from sparksig.models.server import create_app, serve_in_thread  # noqa: E402
from tests import spawn  # noqa: E402

TIMEOUT = 30.0
SIGNATURE = ss.ModelSignature(
    ss.Schema([ss.ColSpec("double", "a"), ss.ColSpec("string", "b", required=False)]),
    ss.Schema([ss.ColSpec("double")]),
    ss.ParamSchema([ss.ParamSpec("k", "long", 1)]),
)


class Scale:
    """a * k, as a plain list (so the expected JSON is easy to reason about)."""

    def predict(self, model_input, params=None):
        k = (params or {}).get("k", 1)
        return [float(x) * k for x in model_input["a"]]


class Broken:
    def predict(self, model_input, params=None):
        raise RuntimeError("model bug: token=abc123")


class Exits:
    def predict(self, model_input, params=None):
        sys.exit(3)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("served") / "model"
    example = (pd.DataFrame({"a": [1.5, 2.0], "b": ["x", "y"]}), {"k": 2})
    models.save_model(path, Scale(), signature=SIGNATURE, input_example=example)
    return path


@pytest.fixture(scope="module")
def url(model_dir):
    with serve_in_thread(model_dir) as base:
        yield base


@pytest.fixture(scope="module")
def client(url):
    with httpx.Client(base_url=url, timeout=TIMEOUT) as c:
        yield c


def _post(client, payload, content_type="application/json"):
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post("/invocations", content=body, headers={"content-type": content_type})


def test_server_listens_on_loopback_only(url):
    assert url.startswith("http://127.0.0.1:")


def test_ping_health_and_version(client):
    for route in ("/ping", "/health"):
        assert client.get(route).status_code == 200
    r = client.get("/version")
    assert r.status_code == 200 and r.text == ss.__version__


def test_saved_serving_example_scores(client, model_dir):
    with open(model_dir / "serving_input_example.json", "rb") as f:
        r = _post(client, f.read())
    assert r.status_code == 200, r.text
    assert r.json() == {"predictions": [3.0, 4.0]}  # a * k with the example's k=2


@pytest.mark.parametrize(
    "payload",
    [
        {"dataframe_split": {"columns": ["a", "b"], "data": [[1, "x"], [2.5, None]]}},
        {"dataframe_records": [{"a": 1, "b": "x"}, {"a": 2.5}]},
        {"instances": [{"a": 1, "b": "x"}, {"a": 2.5}]},
        {"inputs": {"a": [1, 2.5], "b": ["x", None]}},
        {"inputs": [{"a": 1}, {"a": 2.5}]},
    ],
    ids=["split", "records", "instances", "inputs-columns", "inputs-rows"],
)
def test_each_json_format(client, payload):
    # JSON 1 is read as 1.0 for the double column: JSON numbers have no width
    r = _post(client, payload)
    assert r.status_code == 200, r.text
    assert r.json() == {"predictions": [1.0, 2.5]}


def test_csv(client):
    r = _post(client, "a,b\n1,007\n2.5,\n", "text/csv")
    assert r.status_code == 200, r.text
    assert r.json() == {"predictions": [1.0, 2.5]}


def test_params_reach_the_model_and_defaults_fill_in(client):
    rows = {"dataframe_records": [{"a": 1.5}]}
    assert _post(client, {**rows, "params": {"k": 10}}).json() == {"predictions": [15.0]}
    assert _post(client, rows).json() == {"predictions": [1.5]}  # default k=1


def test_payload_violating_the_signature_is_400_with_the_violations(client):
    r = _post(client, {"dataframe_records": [{"a": "oops"}, {"a": 1.0}]})
    assert r.status_code == 400
    body = r.json()
    assert body["error_code"] == "BAD_REQUEST"
    assert [(v["code"], v["column_path"]) for v in body["violations"]] == [("type_mismatch", "a")]
    assert "a" in body["message"]


def test_missing_required_column_is_400(client):
    r = _post(client, {"dataframe_records": [{"b": "x"}]})
    assert r.status_code == 400
    assert {(v["code"], v["column_path"]) for v in r.json()["violations"]} == {
        ("missing_column", "a")
    }


def test_bad_param_is_400(client):
    r = _post(client, {"dataframe_records": [{"a": 1.0}], "params": {"k": 1.5}})
    assert r.status_code == 400
    assert [v["code"] for v in r.json()["violations"]] == ["invalid_param"]


@pytest.mark.parametrize(
    "body",
    ["{not json", "[1, 2]", '{"rows": []}', '{"inputs": [1], "instances": [1]}'],
    ids=["invalid-json", "list", "no-format-key", "two-format-keys"],
)
def test_malformed_payloads_are_400(client, body):
    r = _post(client, body)
    assert r.status_code == 400
    assert r.json()["error_code"] == "BAD_REQUEST"


def test_unsupported_content_type_is_415(client):
    assert _post(client, "a=1", "text/plain").status_code == 415


def test_concurrent_requests_each_get_their_own_answer(client):
    def score(i):
        r = _post(client, {"dataframe_records": [{"a": float(i)}], "params": {"k": i}})
        return r.status_code, r.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(score, range(32)))
    assert results == [(200, {"predictions": [float(i * i)]}) for i in range(32)]


def test_oversized_bodies_are_413(model_dir):
    rows = {"dataframe_records": [{"a": 1.0}] * 200}  # ~2.4 KB
    with (
        serve_in_thread(model_dir, max_body_bytes=1024) as base,
        httpx.Client(base_url=base, timeout=TIMEOUT) as c,
    ):
        assert _post(c, {"dataframe_records": [{"a": 1.0}]}).status_code == 200
        r = _post(c, rows)
        assert r.status_code == 413
        assert "1024" in r.json()["message"]
        # a chunked body (no Content-Length) is cut off the same way
        chunks = (json.dumps(rows)[i : i + 100].encode() for i in range(0, 2500, 100))
        r = c.post("/invocations", content=chunks, headers={"content-type": "application/json"})
        assert r.status_code == 413


def test_model_failure_is_500_with_a_request_id_and_without_the_exception(tmp_path):
    models.save_model(tmp_path / "m", Broken(), signature=SIGNATURE)
    with serve_in_thread(tmp_path / "m") as base, httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        r = _post(c, {"dataframe_records": [{"a": 1.0}]})
    assert r.status_code == 500
    body = r.json()
    assert body["error_code"] == "INTERNAL_ERROR"
    assert body["request_id"] in body["message"]
    assert "abc123" not in r.text and "RuntimeError" not in r.text


def test_a_model_calling_sys_exit_does_not_stop_the_server(tmp_path):
    models.save_model(tmp_path / "m", Exits(), signature=SIGNATURE)
    with serve_in_thread(tmp_path / "m") as base, httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        first = _post(c, {"dataframe_records": [{"a": 1.0}]})
        second = _post(c, {"dataframe_records": [{"a": 2.0}]})
        ping = c.get("/ping")
    assert [first.status_code, second.status_code, ping.status_code] == [500, 500, 200]
    assert first.json()["error_code"] == second.json()["error_code"] == "INTERNAL_ERROR"


def test_corrupt_mlmodel_fails_at_startup(tmp_path, model_dir):
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    text = (broken / "MLmodel").read_text()
    (broken / "MLmodel").write_text(text.replace('"type": "double"', '"type": "decimal"', 1))
    with pytest.raises(ss.SerializationError, match=r"signature\.inputs\[0\]\.type.*MLmodel"):
        create_app(broken)
    (broken / "MLmodel").write_text("flavors: [unclosed\n")
    with pytest.raises(ss.SerializationError, match=r"MLmodel.*not valid YAML"):
        create_app(broken)
    os.remove(broken / "MLmodel")
    with pytest.raises(ss.SerializationError, match="no MLmodel file"):
        create_app(broken)


# --- the CLI process ------------------------------------------------------------------------


def _cli(*args):
    return spawn.popen(
        [sys.executable, "-m", "sparksig.cli.serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_line(stream, needle, timeout):
    """Read lines in a helper thread until one contains ``needle`` (bounded by ``timeout``)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in stream], daemon=True).start()
    seen = []
    while True:
        line = lines.get(timeout=timeout)
        seen.append(line)
        if needle in line:
            return seen


def test_cli_rejects_a_corrupt_model_directory_before_listening(tmp_path, model_dir):
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    (broken / "MLmodel").write_text("signature: 3\n")
    done = spawn.python(
        "-m", "sparksig.cli.serve", broken, "--port", str(_free_port()), timeout=120
    )
    err = done.stderr
    assert done.returncode == 2
    assert "cannot serve" in err and "signature" in err and "MLmodel" in err


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_cli_serves_and_curl_posts_the_serving_example(model_dir, spawn):
    port = _free_port()
    proc = _cli(str(model_dir), "--host", "127.0.0.1", "--port", str(port))
    try:
        _wait_for_line(proc.stderr, "Uvicorn running on", timeout=120)
        result = spawn.run(
            [
                "curl", "-sS", "--max-time", "30",
                "-H", "Content-Type: application/json",
                "-d", f"@{model_dir / 'serving_input_example.json'}",
                f"http://127.0.0.1:{port}/invocations",
            ],
            timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"predictions": [3.0, 4.0]}
    finally:
        spawn.stop(proc)


def test_cli_logs_a_model_failure_under_the_request_id_it_answers_with(tmp_path, spawn):
    models.save_model(tmp_path / "m", Broken(), signature=SIGNATURE)
    port = _free_port()
    proc = _cli(str(tmp_path / "m"), "--port", str(port))
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr], daemon=True).start()
        while "Uvicorn running on" not in lines.get(timeout=120):
            pass
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=TIMEOUT) as c:
            r = _post(c, {"dataframe_records": [{"a": 1.0}]})
        assert r.status_code == 500 and "abc123" not in r.text
        request_id = r.json()["request_id"]
        logged = []
        while not any("abc123" in line for line in logged):  # the traceback follows the id
            logged.append(lines.get(timeout=60))
        assert any(request_id in line for line in logged)
    finally:
        spawn.stop(proc)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--read-timeout", "0"), ("--read-timeout", "-1"), ("--max-body-bytes", "0")],
)
def test_cli_refuses_non_positive_limits(model_dir, option, value):
    from click.testing import CliRunner

    from sparksig.cli.serve import serve_command

    result = CliRunner().invoke(serve_command, [str(model_dir), option, value])
    assert result.exit_code == 2
    assert option in result.output


def test_cli_passes_the_read_timeout_on(model_dir, monkeypatch):
    from click.testing import CliRunner

    from sparksig.cli import serve as cli_serve

    seen = {}
    monkeypatch.setattr(cli_serve, "serve", lambda model_dir, **kwargs: seen.update(kwargs))
    result = CliRunner().invoke(cli_serve.serve_command, [str(model_dir), "--read-timeout", "2.5"])
    assert result.exit_code == 0, result.output
    assert seen["read_timeout"] == 2.5


def test_saving_warns_when_the_serving_example_would_not_score(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        models.save_model(
            tmp_path / "m",
            Scale(),
            signature=SIGNATURE,
            input_example=pd.DataFrame({"a": ["not a number"]}),
        )
    assert any("does not score" in str(w.message) for w in caught)
