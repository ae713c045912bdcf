"""Converting parsed JSON or CSV values to a signature's types, where nothing is lost.

JSON numbers have no width, so values are converted to the signature's types where nothing
can be lost (``5`` to ``5.0`` for a double, a float to float32, an int64 that fits to int32,
ISO strings to datetimes, base64 to bytes). Everything else is left as it arrived, so that the
enforcement engine reports it as a violation instead of the parser silently truncating it.

Examples:
    >>> safe_array([1, 2], "float64").tolist()
    [1.0, 2.0]
    >>> safe_array([1.5], "int64").tolist()  # lossy: left for enforcement to report
    [1.5]
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sparksig.errors import PayloadError
from sparksig.schema import ColSpec, Schema, TensorSpec
from sparksig.types import AnyType, Array, DataType, Map, Object, SparkMLVector

__all__ = [
    "b64",
    "convert_frame",
    "convert_series",
    "convert_value",
    "safe_array",
    "spec_convert",
]


def convert_frame(df: Any, schema: Schema) -> Any:
    if schema.has_input_names():
        pairs = [(s.name, s) for s in schema.inputs]
    elif schema.is_tensor_spec() and len(schema.inputs) == 1:
        pairs = [(c, schema.inputs[0]) for c in df.columns]
    else:
        pairs = list(zip(df.columns, schema.inputs))
    for column, spec in pairs:
        if column in df.columns:
            try:
                df[column] = convert_series(df[column], spec)
            except PayloadError as e:
                raise PayloadError(f"column {column!r}: {e}") from None
    return df


def convert_series(series: Any, spec: ColSpec | TensorSpec) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(spec, TensorSpec):
        if len(series) and isinstance(series.iloc[0], list):
            return series
        return pd.Series(safe_array(series.to_numpy(), spec.type), index=series.index)
    dtype = spec.type
    if dtype is DataType.binary:
        return series.map(b64)
    if dtype is DataType.datetime:
        try:
            parsed = pd.to_datetime(series)
            if pd.api.types.is_datetime64_any_dtype(parsed) and parsed.dt.tz is None:
                parsed = parsed.astype("datetime64[ns]")
        except (ValueError, TypeError, OverflowError) as e:
            raise PayloadError(f"cannot read as datetime: {e}") from None
        return parsed
    if isinstance(dtype, DataType):
        if series.dtype.kind in "iuf" and dtype.to_numpy().kind in "iuf":
            return pd.Series(safe_array(series.to_numpy(), dtype.to_numpy()), index=series.index)
        return series
    if isinstance(dtype, (Array, Object, Map, SparkMLVector)):
        return series.map(lambda v: convert_value(v, dtype))
    return series if isinstance(dtype, AnyType) else series.astype(np.dtype(object))


def b64(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return base64.decodebytes(value.encode("utf-8"))
    except (binascii.Error, ValueError) as e:
        raise PayloadError(f"binary values must be base64 strings: {e}") from None


def safe_array(values: Any, target: Any) -> Any:
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
        except (ValueError, TypeError, OverflowError) as e:
            raise PayloadError(f"cannot read as datetime: {e}") from None
    if target.kind == "O" and arr.dtype.kind == "U":
        return arr.astype(object)
    return arr


def convert_value(value: Any, dtype: Any) -> Any:
    """Convert the leaves of one JSON value to a nested type, where nothing is lost."""
    if value is None:
        return None
    if isinstance(dtype, SparkMLVector):
        dtype = Array(DataType.double)
    if isinstance(dtype, Array):
        if isinstance(value, (list, tuple)):
            return [convert_value(v, dtype.dtype) for v in value]
        return value
    if isinstance(dtype, Object):
        if isinstance(value, dict):
            props = {p.name: p.dtype for p in dtype.properties}
            return {k: convert_value(v, props[k]) if k in props else v for k, v in value.items()}
        return value
    if isinstance(dtype, Map):
        if isinstance(value, dict):
            return {k: convert_value(v, dtype.value_type) for k, v in value.items()}
        return value
    if dtype in (DataType.float, DataType.double):
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
    elif dtype in (DataType.integer, DataType.long):
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif dtype is DataType.binary:
        return b64(value)
    return value


def spec_convert(data: Any, spec: ColSpec | TensorSpec | None) -> Any:
    """MLflow's ``convert_data_type``, lossless: one input's values to its spec."""
    import numpy as np

    if spec is None:
        return np.asarray(data)
    if isinstance(spec, TensorSpec):
        return safe_array(data, spec.type)
    dtype = spec.type
    if isinstance(dtype, DataType):
        if isinstance(data, (list, np.ndarray)):
            if dtype is DataType.binary:
                return np.array([b64(v) for v in data], dtype=object)
            if dtype is DataType.string:
                return np.array(data, dtype=object)
            return safe_array(data, dtype.to_numpy())
        if dtype is DataType.string or dtype is DataType.boolean:
            return data
        return convert_value(data, dtype) if dtype is not DataType.datetime else data
    if isinstance(dtype, AnyType):
        return data
    return convert_value(data, dtype)
