"""A local scoring server for a model directory (Starlette + uvicorn), MLflow's protocol.

Endpoints:

- ``GET /ping`` and ``GET /health``: 200 once the model is loaded;
- ``GET /version``: the sparksig version;
- ``POST /invocations``: a JSON payload (``dataframe_split``, ``dataframe_records``,
  ``instances`` or ``inputs``, plus ``params``) or a CSV table; answers
  ``{"predictions": ...}`` (NaN and infinities written as ``null``).

Loading a model directory runs the code pickled in it, as in MLflow: serve only model
directories you trust.

Every response body is valid JSON. Errors are ``{"error_code": ..., "message": ...}``
(:class:`~sparksig.models.responses.ErrorCode`):

- 400 ``BAD_REQUEST``: a malformed payload, or data or params that violate the signature
  (then with ``"violations"``, one entry per violation);
- 404, 405 for unknown routes and methods; 408 ``REQUEST_TIMEOUT`` when the body does not
  arrive within ``read_timeout`` seconds of the headers (a connection whose headers take that
  long is closed); 413 for a body over ``max_body_bytes``; 415 for
  other content types;
- 500 when the model fails: ``INTERNAL_ERROR`` when it raises (even ``SystemExit``; the
  server stays up), ``OUTPUT_LENGTH_MISMATCH`` when it does not return one prediction per
  input row, ``OUTPUT_SCHEMA_MISMATCH`` when its output breaks the output schema,
  ``OUTPUT_NOT_SERIALIZABLE`` when its output has no JSON form. A 500 body carries a
  ``"request_id"``; the exception is logged under that id and never sent to the client (its
  text can hold secrets).

A missing or corrupt ``MLmodel`` fails at start-up, before any request. Needs the ``serve``
extra: ``pip install sparksig[serve]``.

Examples:
    >>> with serve_in_thread("path/to/model") as url:  # doctest: +SKIP
    ...     httpx.post(f"{url}/invocations", content=payload,
    ...                headers={"content-type": "application/json"}).json()
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from sparksig.errors import InvalidArgumentError, PayloadTooLargeError
from sparksig.models.connections import header_timeout_protocol
from sparksig.models.pyfunc import PyFuncModel, load_model
from sparksig.models.responses import ErrorCode, error_json, predictions_to_json
from sparksig.models.scoring import Outcome, score_request

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_READ_TIMEOUT",
    "create_app",
    "predictions_to_json",
    "serve",
    "serve_in_thread",
]

DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024
DEFAULT_READ_TIMEOUT = 15.0
_logger = logging.getLogger(__name__)


class _BodyTimeoutError(Exception):
    """The request body did not arrive within the read timeout."""


def _response(outcome: Outcome, request_id: str) -> Any:
    from starlette.responses import Response

    headers = {"x-request-id": request_id}
    if outcome.status == 408:
        headers["connection"] = "close"
    return Response(
        outcome.body, status_code=outcome.status, media_type="application/json", headers=headers
    )


def _error(status: int, code: ErrorCode, message: str, request_id: str, **extra: Any) -> Any:
    if status >= 500:
        extra["request_id"] = request_id
    return _response(Outcome(status, error_json(code, message, **extra)), request_id)


def create_app(
    model: str | os.PathLike[str] | PyFuncModel,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> Any:
    """Build the ASGI app for a model directory (or a loaded model).

    Loading a model directory runs the code pickled in it: load only directories you trust.

    Args:
        model: a model directory, or a model returned by :func:`~sparksig.models.load_model`.
        max_body_bytes: larger request bodies are refused with 413.
        read_timeout: seconds a client has to send the whole request body once the headers
            have arrived; slower requests get a 408 and the connection is closed.
            :func:`serve` and :func:`serve_in_thread` also give the request headers this long.

    Raises:
        SerializationError: the model directory's ``MLmodel`` (or model file) is missing or
            corrupt, or names a path outside the directory; raised here, at start-up, naming
            the file and the key.

    Examples:
        >>> from starlette.testclient import TestClient  # doctest: +SKIP
        >>> TestClient(create_app("path/to/model")).get("/ping").status_code  # doctest: +SKIP
        200
    """
    import anyio
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.requests import ClientDisconnect, Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    from sparksig import __version__

    if not read_timeout > 0:
        raise InvalidArgumentError(
            f"read_timeout must be a positive number of seconds, got {read_timeout!r}"
        )
    loaded = model if isinstance(model, PyFuncModel) else load_model(model)

    async def ping(request: Request) -> Response:
        return Response("\n", status_code=200, media_type="application/json")

    async def version(request: Request) -> Response:
        return PlainTextResponse(__version__)

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
            raise PayloadTooLargeError
        chunks, size = [], 0
        try:
            with anyio.fail_after(read_timeout):
                async for chunk in request.stream():  # also bounds chunked bodies
                    size += len(chunk)
                    if size > max_body_bytes:
                        raise PayloadTooLargeError
                    chunks.append(chunk)
        except TimeoutError:
            raise _BodyTimeoutError from None
        return b"".join(chunks)

    async def invocations(request: Request) -> Response:
        request_id = uuid.uuid4().hex
        try:
            body = await read_body(request)
        except PayloadTooLargeError:
            return _error(
                413,
                ErrorCode.REQUEST_LIMIT_EXCEEDED,
                f"The request body is larger than the server's limit of {max_body_bytes} bytes; "
                "send smaller batches",
                request_id,
            )
        except _BodyTimeoutError:
            return _error(
                408,
                ErrorCode.REQUEST_TIMEOUT,
                f"The request body did not arrive within {read_timeout:g} seconds; send the "
                "whole body at once (or start the server with a longer read timeout)",
                request_id,
            )
        except ClientDisconnect:
            return _error(400, ErrorCode.BAD_REQUEST, "The client disconnected", request_id)
        content_type = request.headers.get("content-type")
        mime = (content_type or "").split(";")[0].strip().lower()
        if mime not in ("application/json", "text/csv"):
            return _error(
                415,
                ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                f"Unsupported content type {content_type!r}; send application/json or text/csv",
                request_id,
            )
        outcome = await run_in_threadpool(score_request, loaded, body, content_type, request_id)
        return _response(outcome, request_id)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        code = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}.get(
            status, ErrorCode.BAD_REQUEST
        )
        detail = getattr(exc, "detail", "")
        message = f"{detail}: {request.method} {request.url.path}; the server answers " + (
            "GET /ping, GET /health, GET /version and POST /invocations"
        )
        return _response(Outcome(status, error_json(code, message)), "")

    async def server_error(request: Request, exc: Exception) -> Response:
        request_id = uuid.uuid4().hex
        _logger.error("request %s: the server failed", request_id, exc_info=exc)
        return _error(
            500,
            ErrorCode.INTERNAL_ERROR,
            f"The server failed (request id {request_id}); the server log has the details",
            request_id,
        )

    return Starlette(
        routes=[
            Route("/ping", ping, methods=["GET"]),
            Route("/health", ping, methods=["GET"]),
            Route("/version", version, methods=["GET"]),
            Route("/invocations", invocations, methods=["POST"]),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )


def serve(
    model_dir: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 5000,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    log_level: str = "info",
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> None:
    """Serve a model directory until interrupted (blocking).

    The model is loaded before the server starts listening, so a corrupt directory fails
    here with a :class:`~sparksig.SerializationError`. Loading it runs the code pickled in
    it: serve only model directories you trust.

    Examples:
        >>> serve("path/to/model", port=5001, read_timeout=10)  # doctest: +SKIP
    """
    import copy

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    app = create_app(model_dir, max_body_bytes=max_body_bytes, read_timeout=read_timeout)
    http = header_timeout_protocol(read_timeout)
    log_config = copy.deepcopy(LOGGING_CONFIG)  # model failures go where uvicorn's errors go
    log_config["loggers"]["sparksig"] = {"handlers": ["default"], "propagate": False}
    uvicorn.run(app, host=host, port=port, log_level=log_level, http=http, log_config=log_config)


@contextlib.contextmanager
def serve_in_thread(
    model: str | os.PathLike[str] | PyFuncModel,
    host: str = "127.0.0.1",
    port: int = 0,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    stop_timeout: float = 10.0,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> Iterator[str]:
    """Run the server in a background thread; yields its base URL, stops it on exit.

    The listening socket is bound before the thread starts, so requests can be sent at once
    (they wait in the socket's backlog until the server accepts them); ``port=0`` picks a
    free port.

    Examples:
        >>> with serve_in_thread("path/to/model", read_timeout=5) as url:  # doctest: +SKIP
        ...     print(url)
        http://127.0.0.1:41234
    """
    import uvicorn

    app = create_app(model, max_body_bytes=max_body_bytes, read_timeout=read_timeout)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    bound_host, bound_port = sock.getsockname()[:2]
    http = header_timeout_protocol(read_timeout)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", http=http))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="sparksig-serve", daemon=True
    )
    thread.start()
    try:
        yield f"http://{bound_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(stop_timeout)
        sock.close()
