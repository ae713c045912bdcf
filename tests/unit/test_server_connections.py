"""Connections over real sockets: slow clients are cut off, broken HTTP still gets JSON."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

import sparksig as ss
from sparksig import models
from sparksig.models.server import DEFAULT_READ_TIMEOUT, create_app, serve_in_thread

READ_TIMEOUT = 0.5
# The client gives up long after the server should have: a server without the timeout makes
# the test fail (socket.timeout), never hang.
CLIENT_TIMEOUT = 15.0
SIGNATURE = ss.ModelSignature(ss.Schema([ss.ColSpec("double", "a")]))


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    path = tmp_path_factory.mktemp("slow") / "m"
    models.save_model(path, lambda df: df["a"] * 2, signature=SIGNATURE)
    with serve_in_thread(path, read_timeout=READ_TIMEOUT) as base:
        yield base


def _connect(url):
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=CLIENT_TIMEOUT)


def _read_until_closed(sock):
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_body_that_never_completes_gets_408_and_the_connection_is_closed(url):
    with _connect(url) as sock:
        sock.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{"
        )
        reply = _read_until_closed(sock)  # returns only once the server closes
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert b'"error_code": "REQUEST_TIMEOUT"' in body
    assert b"0.5 seconds" in body


def test_headers_that_never_complete_get_the_connection_closed(url):
    with _connect(url) as sock:
        sock.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\n")
        assert _read_until_closed(sock) == b""


def test_an_idle_connection_is_closed(url):
    with _connect(url) as sock:
        assert _read_until_closed(sock) == b""


def test_a_prompt_request_on_the_same_server_still_scores(url):
    with _connect(url) as sock:
        body = b'{"inputs": {"a": [1.5]}}'
        sock.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        reply = _read_until_closed(sock)
    assert reply.startswith(b"HTTP/1.1 200")
    assert reply.endswith(b'{"predictions": [{"a": 3.0}]}')  # a Series, as records


@pytest.mark.parametrize(
    "request_bytes",
    [b"GARBAGE\r\n\r\n", b"POST /invocations HTTP/1.1\r\nContent-Length: -1\r\n\r\n"],
    ids=["not-http", "bad-content-length"],
)
def test_invalid_http_gets_a_json_400(url, request_bytes):
    with _connect(url) as sock:
        sock.sendall(request_bytes)
        reply = _read_until_closed(sock)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body)["error_code"] == "BAD_REQUEST"


def test_the_default_read_timeout_is_documented_and_bounded():
    assert 0 < DEFAULT_READ_TIMEOUT <= 30


@pytest.mark.parametrize("bad", [0, -1.0, float("nan")])
def test_the_read_timeout_must_be_positive(tmp_path, bad):
    models.save_model(tmp_path / "m", lambda df: df, signature=SIGNATURE)
    with pytest.raises(ss.InvalidArgumentError, match="read_timeout"):
        create_app(tmp_path / "m", read_timeout=bad)
