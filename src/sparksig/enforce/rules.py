"""Scalar conversions applied to pandas columns and Arrow types, by the core type rules.

Which numpy dtype may become which signature type is decided once, in
:func:`sparksig.rules.column_accepts` (MLflow's lossless upcast rule). pandas nullable dtypes
(``Int64``, ``Float32``, ``boolean``) and Arrow types are looked up through their numpy
equivalent, so the three sources obey the same rule.

:func:`convert_series` applies the rules to a pandas column and returns the converted column
or a refusal message; :func:`arrow_accepts` answers the same question for an Arrow type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sparksig.rules import column_accepts
from sparksig.types import DataType

__all__ = ["Refusal", "arrow_accepts", "convert_series"]

# pandas' nullable counterpart of each numeric target, used when the source is nullable.
_NULLABLE_TARGET = {
    DataType.boolean: "boolean",
    DataType.integer: "Int32",
    DataType.long: "Int64",
    DataType.float: "Float32",
    DataType.double: "Float64",
}

_NAN_HINT = (
    " The column holds missing values: integer columns with missing values arrive as floats."
    " Declare the column as double, or fill the missing values before scoring."
)


class Refusal(str):
    """Why a column cannot become the declared type (a message; falsy never)."""


def _hint(target: DataType) -> str:
    if target in (DataType.integer, DataType.long):
        return " Cast the data to a narrower integer type, or declare the column as double."
    if target is DataType.float:
        return " Declare the column as double, or cast the data to float32 yourself."
    if target is DataType.double:
        return (
            " Declare the column as long, or cast it to float64 yourself"
            " (long -> double can lose precision above 2**53)."
        )
    return f" Pass {target.name} values or change the column's type in the signature."


def _refuse(src: str, target: DataType, extra: str = "") -> Refusal:
    return Refusal(
        f"expected {target.name}, got {src}: this conversion is not lossless."
        + (extra or _hint(target))
    )


def convert_series(series: pd.Series, target: DataType) -> pd.Series | Refusal:
    """Convert a pandas column to ``target`` by MLflow's lossless rules, or say why not.

    Returns the converted series (the same object when nothing needs converting) or a
    :class:`Refusal` message. Never raises for bad data.

    Examples:
        >>> convert_series(pd.Series([1, 2], dtype="int32"), DataType.long).dtype
        dtype('int64')
        >>> isinstance(convert_series(pd.Series([1.5]), DataType.long), Refusal)
        True
    """
    dtype = series.dtype
    if dtype == np.dtype(object):
        return _convert_objects(series, target)
    if isinstance(dtype, pd.StringDtype):
        if target in (DataType.string, DataType.binary):
            return series
        return _refuse("string", target)
    if isinstance(dtype, pd.ArrowDtype):
        if arrow_accepts(dtype.pyarrow_dtype, target, allow_tz=False):
            return series
        return _refuse(str(dtype), target)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _refuse(
            str(dtype),
            target,
            " Timezone-aware datetimes are refused: convert them to naive datetimes first"
            " (e.g. s.dt.tz_convert('UTC').dt.tz_localize(None)).",
        )
    if target is DataType.datetime:
        if dtype.kind == "M":
            return series if dtype == np.dtype("datetime64[ns]") else series.astype("M8[ns]")
        return _refuse(str(dtype), target, " Pass datetime64 values or date/datetime objects.")
    if target in (DataType.string, DataType.binary):
        if target is DataType.binary and dtype.kind == "S":
            return series
        return _refuse(str(dtype), target)
    numpy_dtype = getattr(dtype, "numpy_dtype", None)  # pandas nullable dtypes
    if numpy_dtype is not None and isinstance(dtype, pd.api.extensions.ExtensionDtype):
        if column_accepts(numpy_dtype.name, target):
            # numpy dtype like MLflow when that keeps every value (floats: NA -> NaN);
            # integers and booleans with NA keep pandas' nullable dtype (MLflow crashes there)
            if target in (DataType.float, DataType.double) or not series.hasnans:
                return series.astype(target.to_numpy())
            wanted = _NULLABLE_TARGET[target]
            return series if str(dtype) == wanted else series.astype(wanted)
        return _refuse(str(dtype), target)
    if not isinstance(dtype, np.dtype):
        return _refuse(str(dtype), target)
    if column_accepts(dtype.name, target):
        wanted = target.to_numpy()
        return series if dtype == wanted else series.astype(wanted)
    extra = ""
    if dtype.kind == "f" and target in (DataType.integer, DataType.long) and series.hasnans:
        values = series.to_numpy()
        finite = values[~np.isnan(values)]
        if np.array_equal(finite, np.round(finite)):
            extra = _NAN_HINT
    return _refuse(str(dtype), target, extra)


# What pandas' value inference (``infer_dtype``, a C loop) must say of an object column's
# non-null values for each target; "empty" is an all-null column.
_OBJECT_KINDS = {
    DataType.string: frozenset({"string", "empty"}),
    DataType.binary: frozenset({"bytes", "empty"}),
    DataType.boolean: frozenset({"boolean", "empty"}),
}
_OBJECT_NAMES = {"string": "str", "bytes": "bytes", "boolean": "bool"}
_PYTHON_TYPE = {DataType.string: "str", DataType.binary: "bytes", DataType.boolean: "bool"}


def _convert_objects(series: pd.Series, target: DataType) -> pd.Series | Refusal:
    """Object columns: their values are looked at, in one vectorised pass.

    MLflow passes object columns through unchecked for string, binary and boolean specs;
    sparksig refuses strings for a boolean column and bytes for a string column (and the
    reverse), which would otherwise reach the model silently.
    """
    kinds = _OBJECT_KINDS.get(target)
    if kinds is not None:
        found = pd.api.types.infer_dtype(series, skipna=True)
        if found in kinds:
            if target is DataType.boolean:  # MLflow returns bool dtype when nothing is missing
                inferred = series.infer_objects()
                return inferred if inferred.dtype == np.dtype(bool) else series
            return series
        if target is DataType.binary and _arrow_kind(series) == "binary":
            return series  # bytearray / memoryview values
        shown = _OBJECT_NAMES.get(found, found)
        return _refuse(
            f"object values of kind {shown}",
            target,
            f" Pass {_PYTHON_TYPE[target]} values, or convert the column first.",
        )
    if target is DataType.datetime:
        inferred = series.infer_objects()
        if inferred.dtype != np.dtype(object):
            return convert_series(inferred, target)
        try:
            return series.astype(np.dtype("datetime64[ns]"))
        except (TypeError, ValueError, OverflowError) as e:
            return _refuse(
                "object",
                target,
                f" Values could not be read as naive datetimes ({_first_line(e)}).",
            )
    inferred = series.infer_objects()
    if inferred.dtype != np.dtype(object):
        return convert_series(inferred, target)
    if target is DataType.double:
        # Decimal columns (Spark DecimalType via toPandas) become float64, as in MLflow.
        try:
            arrow_type = pa.array(series.to_numpy(), from_pandas=True).type
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            arrow_type = None
        if arrow_type is not None and (
            pa.types.is_decimal(arrow_type) or pa.types.is_null(arrow_type)
        ):
            return pd.Series(
                pd.to_numeric(series, errors="coerce"), index=series.index, name=series.name
            ).astype(np.float64)
    return _refuse("object", target, " The column holds mixed or non-numeric Python objects.")


def _arrow_kind(series: pd.Series) -> str | None:
    try:
        t = pa.array(series.to_numpy(), from_pandas=True).type
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    return "binary" if pa.types.is_binary(t) or pa.types.is_large_binary(t) else str(t)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:160] if text else type(e).__name__


def _arrow_numpy_name(t: pa.DataType) -> str | None:
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        return np.dtype(t.to_pandas_dtype()).name
    return None


def arrow_accepts(t: pa.DataType, target: DataType, *, allow_tz: bool) -> bool:
    """Whether Arrow values of type ``t`` may be read as ``target`` without loss.

    ``allow_tz``: Spark sends every ``TimestampType`` as a zoned Arrow timestamp (an instant),
    so batches from Spark accept zoned timestamps; values that came from pandas do not.
    """
    if pa.types.is_null(t):
        return True
    if pa.types.is_dictionary(t):
        return arrow_accepts(t.value_type, target, allow_tz=allow_tz)
    if target is DataType.string:
        return pa.types.is_string(t) or pa.types.is_large_string(t) or _is_view(t, "string")
    if target is DataType.binary:
        return (
            pa.types.is_binary(t)
            or pa.types.is_large_binary(t)
            or pa.types.is_fixed_size_binary(t)
            or _is_view(t, "binary")
        )
    if target is DataType.datetime:
        if pa.types.is_timestamp(t):
            return allow_tz or t.tz is None
        return pa.types.is_date(t)
    if target is DataType.double and pa.types.is_decimal(t):
        return True
    name = _arrow_numpy_name(t)
    return name is not None and column_accepts(name, target)


def _is_view(t: pa.DataType, kind: str) -> bool:
    check = getattr(pa.types, f"is_{kind}_view", None)
    return bool(check and check(t))
