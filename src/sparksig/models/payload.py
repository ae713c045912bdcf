"""Serving payloads: turning a scoring request into model input, as MLflow's server does.

A JSON request is a mapping with exactly one of ``dataframe_split``, ``dataframe_records``,
``instances`` or ``inputs``, plus an optional ``params`` mapping. A CSV request is a table with
a header row. DataFrame formats become a pandas DataFrame; ``inputs`` and ``instances`` become
numpy arrays, dicts of arrays or plain JSON values, shaped as MLflow shapes them.

JSON numbers have no width, so the parser converts values to the signature's types where
nothing can be lost (``5`` to ``5.0`` for a double, a float to float32, an int64 that fits to
int32, ISO strings to datetimes, base64 to bytes). Everything else is left as it arrived, so
that the enforcement engine reports it as a violation instead of the parser silently
truncating it (MLflow's parser calls ``astype``, which turns ``1.5`` into ``1`` for a long).

Examples:
    >>> from sparksig import ColSpec, Schema
    >>> req = parse_request('{"dataframe_split": {"columns": ["x"], "data": [[1], [2]]}}',
    ...                     schema=Schema([ColSpec("double", "x")]))
    >>> req.format, req.data["x"].dtype.name
    ('dataframe_split', 'float64')
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sparksig.errors import PayloadError, SparksigError
from sparksig.models.conversion import spec_convert
from sparksig.models.tables import parse_csv, parse_dataframe
from sparksig.schema import Schema

__all__ = [
    "FORMATS",
    "MAX_JSON_DEPTH",
    "check_depth",
    "ParsedRequest",
    "PayloadError",
    "parse_csv",
    "parse_dataframe",
    "parse_inputs",
    "parse_instances",
    "parse_json",
    "parse_request",
]

FORMATS = ("dataframe_split", "dataframe_records", "instances", "inputs")
CONTENT_TYPE_JSON = "application/json"
CONTENT_TYPE_CSV = "text/csv"
# Deeper JSON is refused: no signature type needs it, and every reader of it recurses.
MAX_JSON_DEPTH = 100


@dataclass(frozen=True)
class ParsedRequest:
    """A parsed request: model input, params and the format it came in."""

    data: Any
    params: dict[str, Any] | None
    format: str


def parse_request(
    body: bytes | str | dict[str, Any],
    content_type: str | None = CONTENT_TYPE_JSON,
    schema: Schema | None = None,
) -> ParsedRequest:
    """Parse a request body of the given content type.

    Raises:
        PayloadError: malformed JSON or CSV, an unknown content type, or not exactly one of
            the payload formats.
    """
    mime, _, options = (content_type or CONTENT_TYPE_JSON).partition(";")
    mime = mime.strip().lower()
    charset = "utf-8"
    for option in options.split(";"):
        key, _, value = option.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip().strip('"').lower()
    if charset not in ("utf-8", "utf8"):
        raise PayloadError(f"Only UTF-8 request bodies are supported, got charset={charset}")
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise PayloadError(f"The request body is not valid UTF-8: {e}") from None
    if mime == CONTENT_TYPE_CSV:
        if not isinstance(body, str):
            raise PayloadError("A CSV request body must be text")
        try:
            return ParsedRequest(parse_csv(body, schema), None, "csv")
        except SparksigError:
            raise
        except (ValueError, TypeError, OverflowError) as e:
            raise PayloadError(f"cannot read the CSV table: {e}") from None
    if mime != CONTENT_TYPE_JSON:
        raise PayloadError(
            f"Unsupported content type {content_type!r}; send application/json or text/csv"
        )
    return parse_json(body, schema)


def _too_deep(limit: int = MAX_JSON_DEPTH) -> str:
    return (
        f"The request body is nested more than {limit} levels deep; no signature "
        "type needs that many, so flatten the payload"
    )


def check_depth(document: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse a decoded JSON document nested more than ``limit`` levels deep (no recursion).

    Raises:
        PayloadError: the document is deeper than ``limit``.

    Examples:
        >>> check_depth([[[1]]], limit=3)
        >>> check_depth([[[[1]]]], limit=3)
        Traceback (most recent call last):
        ...
        sparksig.errors.PayloadError: The request body is nested more than 3 levels deep; no signature type needs that many, so flatten the payload
    """
    stack = [(document, 1)] if isinstance(document, (list, dict)) else []
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise PayloadError(_too_deep(limit))
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, (list, dict)):
                stack.append((child, depth + 1))


def parse_json(payload: str | dict[str, Any], schema: Schema | None = None) -> ParsedRequest:
    """Parse a JSON serving payload (text or already-decoded mapping)."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as e:
            raise PayloadError(f"The request body is not valid JSON: {e}") from None
        except ValueError as e:  # a number longer than Python's int limit (4,300 digits)
            raise PayloadError(f"The request body cannot be read: {e}") from None
        except RecursionError:
            raise PayloadError(_too_deep()) from None
    check_depth(payload)
    if not isinstance(payload, dict):
        raise PayloadError(
            f"The payload must be a JSON object with exactly one of {list(FORMATS)}, "
            f"got a {type(payload).__name__}"
        )
    found = [k for k in FORMATS if k in payload]
    if len(found) != 1:
        raise PayloadError(
            f"The payload must have exactly one of {list(FORMATS)} (plus optional 'params'); "
            f"got keys {sorted(payload)}"
        )
    unknown = sorted(set(payload) - {found[0], "params"})
    if unknown:
        raise PayloadError(f"Unexpected keys {unknown} in the payload next to {found[0]!r}")
    params = payload.get("params")
    if params is not None and not isinstance(params, dict):
        raise PayloadError(f"'params' must be a JSON object, got {type(params).__name__}")
    kind = found[0]
    raw = payload[kind]
    try:
        if kind == "dataframe_split":
            data = parse_dataframe(raw, "split", schema)
        elif kind == "dataframe_records":
            data = parse_dataframe(raw, "records", schema)
        elif kind == "instances":
            data = parse_instances(raw, schema)
        else:
            data = parse_inputs(raw, schema)
    except SparksigError:
        raise
    except (ValueError, TypeError, OverflowError) as e:  # e.g. numpy refusing a ragged list
        raise PayloadError(f"cannot read {kind!r}: {e}") from None
    return ParsedRequest(data, params, kind)


def parse_inputs(raw: Any, schema: Schema | None = None) -> Any:
    """The ``inputs`` format (columnar dict, list, or single value), converted per the schema."""
    import numpy as np

    if schema is None:
        if isinstance(raw, dict):
            return {k: np.asarray(v) for k, v in raw.items()}
        return np.asarray(raw) if isinstance(raw, list) else raw
    specs = schema.input_dict() if schema.has_input_names() else {}
    if len(specs) == 1 and isinstance(raw, list) and not any(isinstance(x, dict) for x in raw):
        raw = {next(iter(specs)): raw}  # a single named input given as a bare list
    elif not schema.has_input_names() and not isinstance(raw, (list, int, float, str, bool)):
        raise PayloadError(
            "This model's signature has one unnamed input, which expects a list or a single "
            f"value, got a {type(raw).__name__}"
        )
    if isinstance(raw, dict):
        return {k: spec_convert(v, specs.get(k)) for k, v in raw.items()}
    if isinstance(raw, list) and raw and all(isinstance(x, dict) for x in raw):
        return [{k: spec_convert(v, specs.get(k)) for k, v in row.items()} for row in raw]
    return spec_convert(raw, schema.inputs[0])


def parse_instances(raw: Any, schema: Schema | None = None) -> Any:
    """The ``instances`` format (a list of rows), converted per the schema."""
    import numpy as np

    if isinstance(raw, list) and raw and isinstance(raw[0], dict):
        specs = schema.input_dict() if schema is not None and schema.has_input_names() else {}
        if not all(isinstance(row, dict) for row in raw):
            raise PayloadError("instances must all be objects when the first one is")
        # a key missing from some rows is null there (MLflow shifts the later values up)
        keys = list(dict.fromkeys(k for row in raw for k in row))
        columns = {k: [row.get(k) for row in raw] for k in keys}
        return {k: spec_convert(v, specs.get(k)) for k, v in columns.items()}
    if schema is None:
        return np.asarray(raw) if isinstance(raw, list) else raw
    return parse_inputs(raw, schema)
