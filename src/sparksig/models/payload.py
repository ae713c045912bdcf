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

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sparksig.errors import PayloadError, SparksigError
from sparksig.schema import ColSpec, Schema, TensorSpec
from sparksig.types import AnyType, Array, DataType, Map, Object, SparkMLVector

__all__ = [
    "FORMATS",
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
        return ParsedRequest(parse_csv(body, schema), None, "csv")
    if mime != CONTENT_TYPE_JSON:
        raise PayloadError(
            f"Unsupported content type {content_type!r}; send application/json or text/csv"
        )
    return parse_json(body, schema)


def parse_json(payload: str | dict[str, Any], schema: Schema | None = None) -> ParsedRequest:
    """Parse a JSON serving payload (text or already-decoded mapping)."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as e:
            raise PayloadError(f"The request body is not valid JSON: {e}") from None
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
    except (ValueError, TypeError) as e:  # e.g. numpy refusing a ragged nested list
        raise PayloadError(f"cannot read {kind!r}: {e}") from None
    return ParsedRequest(data, params, kind)


def parse_dataframe(raw: Any, orient: str, schema: Schema | None = None) -> Any:
    """Build a pandas DataFrame from ``split`` or ``records`` JSON and convert its columns."""
    import pandas as pd

    if orient == "records":
        if not isinstance(raw, list):
            raise PayloadError(
                f"dataframe_records must be a list of records, got {type(raw).__name__}"
            )
        try:
            df = pd.DataFrame(data=raw)
        except Exception as e:
            raise PayloadError(f"dataframe_records is not a valid list of records: {e}") from None
    else:
        if not isinstance(raw, dict):
            raise PayloadError(
                f"dataframe_split must be an object with 'data' and optional 'columns' and "
                f"'index', got {type(raw).__name__}"
            )
        keys = set(raw)
        if "data" not in keys or keys - {"columns", "data", "index"}:
            raise PayloadError(
                "dataframe_split must have 'data' and optionally 'columns' and 'index'; "
                f"got keys {sorted(keys)}"
            )
        try:
            df = pd.DataFrame(index=raw.get("index"), columns=raw.get("columns"), data=raw["data"])
        except Exception as e:
            raise PayloadError(f"dataframe_split is not a valid table: {e}") from None
    return _convert_frame(df, schema) if schema is not None else df


def parse_csv(text: str, schema: Schema | None = None) -> Any:
    """Read a CSV table (header row first) and convert its columns."""
    import io

    import pandas as pd

    dtypes: dict[Any, Any] = {}
    if schema is not None and schema.has_input_names() and not schema.is_tensor_spec():
        # text columns stay text ("007" is a string, not 7)
        for spec in schema.inputs:
            if spec.type in (DataType.string, DataType.binary):
                dtypes[spec.name] = object
    try:
        df = pd.read_csv(io.StringIO(text), dtype=dtypes or None)
    except Exception as e:
        raise PayloadError(f"The request body is not a valid CSV table: {e}") from None
    return _convert_frame(df, schema) if schema is not None else df


def _convert_frame(df: Any, schema: Schema) -> Any:
    if schema.has_input_names():
        pairs = [(s.name, s) for s in schema.inputs]
    elif schema.is_tensor_spec() and len(schema.inputs) == 1:
        pairs = [(c, schema.inputs[0]) for c in df.columns]
    else:
        pairs = list(zip(df.columns, schema.inputs))
    for column, spec in pairs:
        if column in df.columns:
            try:
                df[column] = _convert_series(df[column], spec)
            except PayloadError as e:
                raise PayloadError(f"column {column!r}: {e}") from None
    return df


def _convert_series(series: Any, spec: ColSpec | TensorSpec) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(spec, TensorSpec):
        if len(series) and isinstance(series.iloc[0], list):
            return series
        return pd.Series(_safe_array(series.to_numpy(), spec.type), index=series.index)
    dtype = spec.type
    if dtype is DataType.binary:
        return series.map(_b64)
    if dtype is DataType.datetime:
        try:
            parsed = pd.to_datetime(series)
        except (ValueError, TypeError) as e:
            raise PayloadError(f"cannot read as datetime: {e}") from None
        if pd.api.types.is_datetime64_any_dtype(parsed) and getattr(parsed.dt, "tz", None) is None:
            parsed = parsed.astype("datetime64[ns]")
        return parsed
    if isinstance(dtype, DataType):
        if series.dtype.kind in "iuf" and dtype.to_numpy().kind in "iuf":
            return pd.Series(_safe_array(series.to_numpy(), dtype.to_numpy()), index=series.index)
        return series
    if isinstance(dtype, (Array, Object, Map, SparkMLVector)):
        return series.map(lambda v: _convert_value(v, dtype))
    return series if isinstance(dtype, AnyType) else series.astype(np.dtype(object))


def _b64(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return base64.decodebytes(value.encode("utf-8"))
    except (binascii.Error, ValueError) as e:
        raise PayloadError(f"binary values must be base64 strings: {e}") from None


def _safe_array(values: Any, target: Any) -> Any:
    """``values`` as ``target`` dtype when no value changes; otherwise unchanged."""
    import numpy as np

    arr = np.asarray(values)
    target = np.dtype(target)
    if arr.dtype == target:
        return arr
    if target.kind == "f" and arr.dtype.kind in "iuf":
        return arr.astype(target)
    if target.kind in "iu" and arr.dtype.kind in "iu":
        info = np.iinfo(target)
        if arr.size == 0 or (arr.min() >= info.min and arr.max() <= info.max):
            return arr.astype(target)
        return arr
    if target.kind in "iu" and arr.dtype.kind == "f":
        if arr.size and np.isfinite(arr).all() and (arr == np.round(arr)).all():
            info = np.iinfo(target)
            if arr.min() >= info.min and arr.max() <= info.max:
                return arr.astype(target)
        return arr
    if target.kind == "b" and arr.dtype.kind == "b":
        return arr
    if target.kind == "M":
        try:
            return arr.astype(target)
        except (ValueError, TypeError) as e:
            raise PayloadError(f"cannot read as datetime: {e}") from None
    if target.kind == "O" and arr.dtype.kind == "U":
        return arr.astype(object)
    return arr


def _convert_value(value: Any, dtype: Any) -> Any:
    """Convert the leaves of one JSON value to a nested type, where nothing is lost."""
    if value is None:
        return None
    if isinstance(dtype, SparkMLVector):
        dtype = Array(DataType.double)
    if isinstance(dtype, Array):
        if isinstance(value, (list, tuple)):
            return [_convert_value(v, dtype.dtype) for v in value]
        return value
    if isinstance(dtype, Object):
        if isinstance(value, dict):
            props = {p.name: p.dtype for p in dtype.properties}
            return {k: _convert_value(v, props[k]) if k in props else v for k, v in value.items()}
        return value
    if isinstance(dtype, Map):
        if isinstance(value, dict):
            return {k: _convert_value(v, dtype.value_type) for k, v in value.items()}
        return value
    if dtype in (DataType.float, DataType.double):
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
    elif dtype in (DataType.integer, DataType.long):
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif dtype is DataType.binary:
        return _b64(value)
    return value


def _spec_convert(data: Any, spec: ColSpec | TensorSpec | None) -> Any:
    """MLflow's ``convert_data_type``, lossless: one input's values to its spec."""
    import numpy as np

    if spec is None:
        return np.asarray(data)
    if isinstance(spec, TensorSpec):
        return _safe_array(data, spec.type)
    dtype = spec.type
    if isinstance(dtype, DataType):
        if isinstance(data, (list, np.ndarray)):
            if dtype is DataType.binary:
                return np.array([_b64(v) for v in data], dtype=object)
            if dtype is DataType.string:
                return np.array(data, dtype=object)
            return _safe_array(data, dtype.to_numpy())
        if dtype is DataType.string or dtype is DataType.boolean:
            return data
        return _convert_value(data, dtype) if dtype is not DataType.datetime else data
    if isinstance(dtype, AnyType):
        return data
    return _convert_value(data, dtype)


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
        return {k: _spec_convert(v, specs.get(k)) for k, v in raw.items()}
    if isinstance(raw, list) and raw and all(isinstance(x, dict) for x in raw):
        return [{k: _spec_convert(v, specs.get(k)) for k, v in row.items()} for row in raw]
    return _spec_convert(raw, schema.inputs[0])


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
        return {k: _spec_convert(v, specs.get(k)) for k, v in columns.items()}
    if schema is None:
        return np.asarray(raw) if isinstance(raw, list) else raw
    return parse_inputs(raw, schema)
