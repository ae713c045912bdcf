"""One scoring request, from body bytes to a response: each failure sorted by whose it is.

:func:`score_request` never raises. It returns an :class:`Outcome` (status and JSON body):

- the client's mistakes (a malformed body, data or params that break the signature, a body
  nested too deeply) are 400 ``BAD_REQUEST``;
- the model's failures (it raised, even ``SystemExit``; it returned the wrong number of
  predictions, values its output schema forbids, or values with no JSON form) are 500, with a
  stable error code and a request id. The exception is logged under that id, never sent: its
  text can hold secrets.

Examples:
    >>> from sparksig import models
    >>> import tempfile, os
    >>> d = os.path.join(tempfile.mkdtemp(), "m")
    >>> models.save_model(d, lambda df: df["x"] * 2)
    >>> score_request(models.load_model(d), b'{"inputs": {"x": [1.5]}}', "application/json", "r1")
    Outcome(status=200, body='{"predictions": [3.0]}')
    >>> score_request(models.load_model(d), b'{"inputs"', "application/json", "r2").status
    400
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sparksig.errors import SchemaEnforcementError, SparksigError
from sparksig.models.outputs import check_output, input_rows
from sparksig.models.payload import parse_request
from sparksig.models.pyfunc import PyFuncModel, enforce_input
from sparksig.models.responses import (
    ErrorCode,
    OutputNotSerializableError,
    error_json,
    predictions_to_json,
)

__all__ = ["Outcome", "score_request"]

_logger = logging.getLogger("sparksig.models.server")


@dataclass(frozen=True)
class Outcome:
    """A response to send: HTTP status and JSON body."""

    status: int
    body: str


def _bad_request(message: str, **extra: Any) -> Outcome:
    return Outcome(400, error_json(ErrorCode.BAD_REQUEST, message, **extra))


def _failure(code: ErrorCode, message: str, request_id: str, **extra: Any) -> Outcome:
    return Outcome(500, error_json(code, message, request_id=request_id, **extra))


def _read(model: PyFuncModel, body: bytes, content_type: str | None) -> tuple[Any, Any] | Outcome:
    """The enforced model input and params, or the 400 that says why there are none."""
    signature = model.metadata.signature
    schema = signature.inputs if signature is not None else None
    try:
        request = parse_request(body, content_type, schema)
        return enforce_input(signature, request.data, request.params)
    except SchemaEnforcementError as e:
        return _bad_request(str(e), violations=[v.to_dict() for v in e.violations])
    except SparksigError as e:  # a malformed payload, or params the signature refuses
        return _bad_request(str(e))
    except RecursionError:
        return _bad_request("The request is nested too deeply to read; flatten the payload")


def score_request(
    model: PyFuncModel, body: bytes, content_type: str | None, request_id: str
) -> Outcome:
    """Parse, enforce, predict, check and serialise one request; never raises.

    Args:
        model: the loaded model.
        body: the request body.
        content_type: the request's ``Content-Type`` header.
        request_id: the id under which failures are logged and reported.

    Examples:
        >>> outcome = score_request(model, b"x\\n1.5\\n", "text/csv", "r3")  # doctest: +SKIP
        >>> outcome.status, outcome.body  # doctest: +SKIP
        (200, '{"predictions": [3.0]}')
    """
    try:
        read = _read(model, body, content_type)
    except Exception:
        _logger.exception("request %s: sparksig failed while reading the request", request_id)
        return _failure(
            ErrorCode.INTERNAL_ERROR,
            f"The server failed while reading the request (request id {request_id}); the "
            "server log has the details",
            request_id,
        )
    if isinstance(read, Outcome):
        return read
    data, params = read
    try:
        predictions = model.predictor(data, params)
    except BaseException as e:  # SystemExit too: one bad request must not stop the server
        _logger.error(
            "request %s: the model raised %s", request_id, type(e).__name__, exc_info=True
        )
        return _failure(
            ErrorCode.INTERNAL_ERROR,
            f"The model failed while scoring the request (request id {request_id}); the "
            "server log has the details",
            request_id,
        )
    return _respond(model, data, predictions, request_id)


def _respond(model: PyFuncModel, data: Any, predictions: Any, request_id: str) -> Outcome:
    signature = model.metadata.signature
    outputs = signature.outputs if signature is not None else None
    try:
        problem = check_output(predictions, input_rows(data), outputs)
        if problem is None:
            return Outcome(200, predictions_to_json(predictions))
    except OutputNotSerializableError as e:
        _logger.error("request %s: the model's output cannot be written as JSON: %s", request_id, e)
        return _failure(
            ErrorCode.OUTPUT_NOT_SERIALIZABLE,
            f"The model's output holds {e}, which has no JSON form; return lists, arrays, "
            f"DataFrames or plain values (request id {request_id})",
            request_id,
        )
    except Exception:
        _logger.exception("request %s: sparksig failed while checking the output", request_id)
        return _failure(
            ErrorCode.INTERNAL_ERROR,
            f"The server failed while checking the model's output (request id {request_id}); "
            "the server log has the details",
            request_id,
        )
    _logger.error("request %s: %s: %s", request_id, problem.code, problem.message)
    return _failure(
        problem.code,
        f"{problem.message} (request id {request_id})",
        request_id,
        violations=[v.to_dict() for v in problem.violations],
    )
