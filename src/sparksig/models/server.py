"""A local scoring server for a model directory (Starlette + uvicorn), MLflow's protocol.

Endpoints:

- ``GET /ping`` and ``GET /health``: 200 once the model is loaded;
- ``GET /version``: the sparksig version;
- ``POST /invocations``: a JSON payload (``dataframe_split``, ``dataframe_records``,
  ``instances`` or ``inputs``, plus ``params``) or a CSV table; answers
  ``{"predictions": ...}``.

Errors are JSON ``{"error_code": ..., "message": ...}``: 400 for a malformed payload and for
data or params that violate the signature (then with ``"violations"``, one entry per
violation), 413 for a body over ``max_body_bytes``, 415 for other content types, 500 when the
model itself fails. A missing or corrupt ``MLmodel`` fails at start-up, before any request.

Needs the ``serve`` extra: ``pip install sparksig[serve]``.

Examples:
    >>> with serve_in_thread("path/to/model") as url:  # doctest: +SKIP
    ...     httpx.post(f"{url}/invocations", content=payload,
    ...                headers={"content-type": "application/json"}).json()
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

from sparksig.errors import (
    PayloadError,
    PayloadTooLargeError,
    SchemaDefinitionError,
    SchemaEnforcementError,
    SparksigError,
)
from sparksig.models.examples import ExampleEncoder
from sparksig.models.payload import parse_request
from sparksig.models.pyfunc import PyFuncModel, load_model

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "create_app",
    "predictions_to_json",
    "serve",
    "serve_in_thread",
]

DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024
_logger = logging.getLogger(__name__)


def predictions_to_json(predictions: Any) -> str:
    """``{"predictions": ...}`` as MLflow writes it (DataFrames and Series as records)."""
    module = type(predictions).__module__
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(predictions, pd.Series):
            predictions = pd.DataFrame(predictions)
        if isinstance(predictions, pd.DataFrame):
            predictions = predictions.to_dict(orient="records")
    return json.dumps({"predictions": predictions}, cls=ExampleEncoder)


def _error(status: int, code: str, message: str, **extra: Any) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse({"error_code": code, "message": message, **extra}, status_code=status)


def _score(model: PyFuncModel, body: bytes, content_type: str | None) -> tuple[int, str]:
    signature = model.metadata.signature
    schema = signature.inputs if signature is not None else None
    request = parse_request(body, content_type, schema)
    predictions = model.predict(request.data, params=request.params)
    return 200, predictions_to_json(predictions)


def create_app(
    model: str | os.PathLike[str] | PyFuncModel, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
) -> Any:
    """Build the ASGI app for a model directory (or a loaded model).

    Raises:
        SerializationError: the model directory's ``MLmodel`` (or model file) is missing or
            corrupt; raised here, at start-up, naming the file and the key.
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    from sparksig import __version__

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
        async for chunk in request.stream():  # also bounds chunked bodies without a length
            size += len(chunk)
            if size > max_body_bytes:
                raise PayloadTooLargeError
            chunks.append(chunk)
        return b"".join(chunks)

    async def invocations(request: Request) -> Response:
        try:
            body = await read_body(request)
        except PayloadTooLargeError:
            return _error(
                413,
                "REQUEST_LIMIT_EXCEEDED",
                f"The request body is larger than the server's limit of {max_body_bytes} bytes; "
                "send smaller batches",
            )
        content_type = request.headers.get("content-type")
        mime = (content_type or "").split(";")[0].strip().lower()
        if mime not in ("application/json", "text/csv"):
            return _error(
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                f"Unsupported content type {content_type!r}; send application/json or text/csv",
            )
        try:
            status, text = await run_in_threadpool(_score, loaded, body, content_type)
        except SchemaEnforcementError as e:
            return _error(
                400,
                "BAD_REQUEST",
                str(e),
                violations=[v.to_dict() for v in e.violations],
            )
        except (PayloadError, SchemaDefinitionError) as e:  # malformed payload or params
            return _error(400, "BAD_REQUEST", str(e))
        except SparksigError as e:
            return _error(400, "BAD_REQUEST", str(e))
        except Exception as e:
            _logger.exception("The model failed while scoring a request")
            return _error(
                500,
                "INTERNAL_ERROR",
                f"The model raised {type(e).__name__} while scoring the request: {e}",
            )
        return Response(text, status_code=status, media_type="application/json")

    return Starlette(
        routes=[
            Route("/ping", ping, methods=["GET"]),
            Route("/health", ping, methods=["GET"]),
            Route("/version", version, methods=["GET"]),
            Route("/invocations", invocations, methods=["POST"]),
        ]
    )


def serve(
    model_dir: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 5000,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    log_level: str = "info",
) -> None:
    """Serve a model directory until interrupted (blocking).

    The model is loaded before the server starts listening, so a corrupt directory fails
    here with a :class:`~sparksig.SerializationError`.

    Examples:
        >>> serve("path/to/model", port=5001)  # doctest: +SKIP
    """
    import uvicorn

    app = create_app(model_dir, max_body_bytes=max_body_bytes)
    uvicorn.run(app, host=host, port=port, log_level=log_level)


@contextlib.contextmanager
def serve_in_thread(
    model: str | os.PathLike[str] | PyFuncModel,
    host: str = "127.0.0.1",
    port: int = 0,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    stop_timeout: float = 10.0,
) -> Iterator[str]:
    """Run the server in a background thread; yields its base URL, stops it on exit.

    The listening socket is bound before the thread starts, so requests can be sent at once
    (they wait in the socket's backlog until the server accepts them); ``port=0`` picks a
    free port.
    """
    import uvicorn

    app = create_app(model, max_body_bytes=max_body_bytes)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    bound_host, bound_port = sock.getsockname()[:2]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
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
