"""The scoring UDF's output side: the model's predictions as the UDF's Spark result.

:func:`predictions` turns whatever the model returned (a Series, a DataFrame, an array, a
list) into one Arrow array of the UDF's result type, one value per input row, or raises a
sparksig error saying what does not fit.

``any`` outputs (Spark ``variant``) have no Arrow form a Python UDF can build quickly, so they
travel as JSON text (:func:`wire_type`) and Spark parses them back with ``parse_json``
(:func:`from_wire`), in the JVM. The model's values are written with ``json.dumps``: numpy
scalars and arrays become numbers and lists, dates and timestamps ISO strings, bytes base64
text (as Spark's ``to_json`` writes binary); a NaN or missing value at the top is null.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import ModelOutputError
from sparksig.schema import Schema

__all__ = ["from_wire", "output_frame", "predictions", "wire_type"]


def wire_type(t: T.DataType) -> T.DataType:
    """The type the Arrow UDF returns for result type ``t``: every variant as a JSON string.

    Examples:
        >>> wire_type(T.ArrayType(T.VariantType())).simpleString()
        'array<string>'
    """
    if isinstance(t, T.VariantType):
        return T.StringType()
    if isinstance(t, T.StructType):
        return T.StructType(
            [T.StructField(f.name, wire_type(f.dataType), f.nullable) for f in t.fields]
        )
    if isinstance(t, T.ArrayType):
        return T.ArrayType(wire_type(t.elementType), t.containsNull)
    if isinstance(t, T.MapType):
        return T.MapType(t.keyType, wire_type(t.valueType), t.valueContainsNull)
    return t


def from_wire(col: Column, t: T.DataType) -> Column:
    """The UDF's column as result type ``t``: its JSON strings parsed into variants, in Spark."""
    if wire_type(t) == t:
        return col
    if isinstance(t, T.VariantType):
        return F.parse_json(col)
    if isinstance(t, T.StructType):
        fields = [from_wire(col.getField(f.name), f.dataType).alias(f.name) for f in t.fields]
        return F.when(col.isNull(), F.lit(None)).otherwise(F.struct(*fields))
    if isinstance(t, T.ArrayType):
        element = t.elementType
        return F.transform(col, lambda e: from_wire(e, element))
    assert isinstance(t, T.MapType)
    value = t.valueType
    return F.transform_values(col, lambda _, v: from_wire(v, value))


def output_frame(output: Any, schema: Schema) -> pd.DataFrame:
    """The model's output as a frame named by the output schema (for the output check)."""
    if isinstance(output, pd.DataFrame):
        return output
    names = schema.input_names()
    values = output.to_numpy() if isinstance(output, pd.Series) else output
    if len(names) == 1:
        return pd.DataFrame({names[0]: list(values) if _is_nested(values) else values})
    return pd.DataFrame(values, columns=names)


def predictions(
    output: Any, result: T.DataType, arrow_type: pa.DataType, n: int, timezone: str = "UTC"
) -> pa.Array:
    """Predictions as one Arrow array of ``arrow_type`` (``result`` on the wire), one per row.

    Naive timestamps are wall-clock times in the session ``timezone``, as the model's
    timestamp inputs were (and as pyspark reads a pandas UDF's result).
    """
    try:
        if pa.types.is_struct(arrow_type):
            frame = output if isinstance(output, pd.DataFrame) else pd.DataFrame(output)
            assert isinstance(result, T.StructType)
            arrays = [
                pa.array(
                    _values(frame[f.name], s.dataType, timezone), type=f.type, from_pandas=True
                )
                for f, s in zip(arrow_type, result.fields)
            ]
            out = pa.StructArray.from_arrays(arrays, fields=list(arrow_type))
        else:
            if isinstance(output, pd.DataFrame):
                output = output.iloc[:, 0]
            out = pa.array(_values(output, result, timezone), type=arrow_type, from_pandas=True)
    except (pa.ArrowException, KeyError, TypeError, ValueError) as e:
        raise ModelOutputError(
            f"The model's predictions cannot be returned as {result.simpleString()}: {e}. Pass "
            "a result_type matching the model's output, or give the signature an output schema."
        ) from None
    if len(out) != n:
        raise ModelOutputError(
            f"The model returned {len(out)} predictions for {n} input rows; a scoring model "
            "must return exactly one prediction per row"
        )
    return out


def _is_nested(values: Any) -> bool:
    return isinstance(values, np.ndarray) and values.ndim > 1


def _values(values: Any, result: T.DataType, timezone: str) -> Any:
    if isinstance(result, T.TimestampType):
        return _instants(values, timezone)
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    if isinstance(values, np.ndarray) and values.ndim > 1:
        values = list(values)
    if wire_type(result) != result:
        return [_encode(v, result) for v in values]
    return values


def _instants(values: Any, timezone: str) -> Any:
    """Timestamps as UTC instants: naive ones read in the session time zone (pyspark's rule)."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(series.dtype):
        return series.dt.tz_localize(timezone, ambiguous=False).dt.tz_convert("UTC")
    return values


def _encode(value: Any, t: T.DataType) -> Any:
    """One value with every variant position written as JSON text (None stays None)."""
    if _missing(value):
        return None
    if isinstance(t, T.VariantType):
        return json.dumps(value, default=_plain, allow_nan=False)
    if isinstance(t, T.ArrayType):
        return [_encode(v, t.elementType) for v in value]
    if isinstance(t, T.MapType):
        return {k: _encode(v, t.valueType) for k, v in dict(value).items()}
    if isinstance(t, T.StructType):
        return {f.name: _encode(value.get(f.name), f.dataType) for f in t.fields}
    return value


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and value != value


def _plain(value: Any) -> Any:
    """JSON's stand-in for a value ``json`` cannot write (called by ``json.dumps``)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if value is pd.NA or value is pd.NaT:
        return None
    raise TypeError(f"{type(value).__name__} is not a JSON value")
