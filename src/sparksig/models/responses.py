"""What the scoring server writes: prediction bodies and error bodies, always valid JSON.

Every response body is strict JSON (RFC 8259), which has no NaN or Infinity:

- in predictions, NaN, Infinity, pandas ``NA`` and ``NaT`` are written as ``null`` (what
  JSON consumers expect; MLflow writes the bare tokens ``NaN`` and ``Infinity``, which strict
  parsers refuse);
- in error bodies, non-finite example values are written as the strings ``"NaN"``,
  ``"Infinity"`` and ``"-Infinity"``, so that a report about ``1e400`` still shows it.

An error body is ``{"error_code": ..., "message": ...}``, plus ``"violations"`` (one entry per
violation) when the data broke the signature and ``"request_id"`` on every 5xx, the id under
which the server logged the details.

Examples:
    >>> predictions_to_json([0.5, float("nan")])
    '{"predictions": [0.5, null]}'
    >>> error_json(ErrorCode.BAD_REQUEST, "bad", violations=[{"examples": [float("inf")]}])
    '{"error_code": "BAD_REQUEST", "message": "bad", "violations": [{"examples": ["Infinity"]}]}'
"""

from __future__ import annotations

import json
import math
from enum import Enum
from typing import Any

from sparksig.errors import OutputNotSerializableError
from sparksig.models.examples import ExampleEncoder, convert_for_json

__all__ = [
    "ErrorCode",
    "OutputNotSerializableError",
    "error_json",
    "json_safe",
    "predictions_to_json",
]


class ErrorCode(str, Enum):
    """The ``error_code`` of an error body, with its HTTP status (stable: safe to match on)."""

    BAD_REQUEST = "BAD_REQUEST"  # 400: malformed body, or data/params that break the signature
    NOT_FOUND = "ENDPOINT_NOT_FOUND"  # 404
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"  # 405
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"  # 408: the body did not arrive within the read timeout
    REQUEST_LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"  # 413
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"  # 415
    INTERNAL_ERROR = "INTERNAL_ERROR"  # 500: the model raised (details in the server log)
    OUTPUT_LENGTH_MISMATCH = "OUTPUT_LENGTH_MISMATCH"  # 500: not one prediction per input row
    OUTPUT_SCHEMA_MISMATCH = "OUTPUT_SCHEMA_MISMATCH"  # 500: output breaks the output schema
    OUTPUT_NOT_SERIALIZABLE = "OUTPUT_NOT_SERIALIZABLE"  # 500: output cannot be written as JSON

    def __str__(self) -> str:
        return self.value


def _nonfinite_as_string(x: float) -> str:
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _is_missing(value: Any) -> bool:
    """pandas ``NA`` / ``NaT`` and numpy ``NaT``, without importing pandas."""
    name = type(value).__name__
    return name in ("NAType", "NaTType") or (
        name in ("datetime64", "timedelta64") and str(value) == "NaT"
    )


def json_safe(value: Any, nonfinite: str = "null") -> Any:
    """A copy of ``value`` that strict JSON can hold.

    Args:
        value: plain Python, numpy or pandas values, nested in lists, tuples and dicts.
        nonfinite: ``"null"`` writes NaN and infinities as ``None``; ``"string"`` writes them
            as ``"NaN"``, ``"Infinity"``, ``"-Infinity"``.

    Raises:
        OutputNotSerializableError: a value with no JSON form; names its type.

    Examples:
        >>> json_safe({"a": [1.0, float("-inf")]}, nonfinite="string")
        {'a': [1.0, '-Infinity']}
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return None if nonfinite == "null" else _nonfinite_as_string(value)
    if isinstance(value, dict):
        return {_key(k): json_safe(v, nonfinite) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, nonfinite) for v in value]
    if _is_missing(value):
        return None
    if (type(value).__module__ or "").startswith("pandas") and callable(
        getattr(value, "tolist", None)
    ):
        return json_safe(value.tolist(), nonfinite)  # extension arrays, Index, Categorical
    converted, ok = convert_for_json(value)
    if ok and converted is not value:
        return json_safe(converted, nonfinite)
    raise OutputNotSerializableError(f"a {type(value).__module__}.{type(value).__name__} value")


def _key(key: Any) -> Any:
    if key is None or isinstance(key, (str, int, float, bool)):
        return key if not isinstance(key, float) or math.isfinite(key) else str(key)
    converted, ok = convert_for_json(key)
    if ok and isinstance(converted, (str, int, float, bool)):
        return converted
    raise OutputNotSerializableError(f"a {type(key).__name__} mapping key")


class _StrictEncoder(ExampleEncoder):
    """MLflow's encoder rules, with pandas/numpy missing values (``NaT``, ``NA``) as null."""

    def default(self, o: Any) -> Any:
        return None if _is_missing(o) else super().default(o)


def _dumps_strict(document: Any, nonfinite: str) -> str:
    try:  # the fast path: the C encoder, refusing NaN instead of writing it
        return json.dumps(document, cls=_StrictEncoder, allow_nan=False)
    except (ValueError, TypeError):
        pass  # NaN somewhere, or a value the encoder does not know: clean, then write
    return json.dumps(json_safe(document, nonfinite), allow_nan=False)


def predictions_to_json(predictions: Any) -> str:
    """``{"predictions": ...}`` as MLflow writes it, with NaN and infinities as ``null``.

    DataFrames and Series are written as records, as MLflow's scoring server does.

    Raises:
        OutputNotSerializableError: the predictions hold a value with no JSON form.

    Examples:
        >>> import numpy as np
        >>> predictions_to_json(np.array([1.5, np.inf]))
        '{"predictions": [1.5, null]}'
    """
    module = type(predictions).__module__
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(predictions, pd.Series):
            predictions = pd.DataFrame(predictions)
        if isinstance(predictions, pd.DataFrame):
            predictions = predictions.to_dict(orient="records")
    try:
        return _dumps_strict({"predictions": predictions}, "null")
    except RecursionError:
        raise OutputNotSerializableError("a value nested too deeply to write") from None


def error_json(code: ErrorCode, message: str, **extra: Any) -> str:
    """An error body: ``error_code``, ``message`` and any ``extra`` keys, as strict JSON.

    Values that have no JSON form are written as their ``repr``.

    Examples:
        >>> error_json(ErrorCode.INTERNAL_ERROR, "failed", request_id="ab12")
        '{"error_code": "INTERNAL_ERROR", "message": "failed", "request_id": "ab12"}'
    """
    body = {"error_code": str(code), "message": message, **extra}
    try:
        return _dumps_strict(body, "string")
    except (OutputNotSerializableError, RecursionError):
        return json.dumps(json_safe({**body, **_as_reprs(extra)}, "string"), allow_nan=False)


def _as_reprs(extra: dict[str, Any]) -> dict[str, Any]:
    return {k: repr(v)[:1000] for k, v in extra.items()}
