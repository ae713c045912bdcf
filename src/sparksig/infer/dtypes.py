"""Signature types of numpy/pandas dtypes, pandas columns and tensors.

Numeric dtypes map by kind and width (MLflow's ``_infer_numpy_dtype``): signed ints up to
32 bits and unsigned up to 16 bits are ``integer``, ``int64``/``uint32`` are ``long``,
``uint64`` has no lossless counterpart and is refused; floats up to 32 bits are ``float``,
64-bit ``double``. Object columns are inferred from their values.

Examples:
    >>> import numpy as np
    >>> numpy_type(np.dtype("uint16"))
    integer
    >>> tensor_spec(np.zeros((3, 4), dtype="float32"))
    Tensor(float32, (-1, 4))
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sparksig.errors import SparksigError
from sparksig.infer.values import InferenceError, PydanticInputError, is_missing, value_type
from sparksig.schema import TensorSpec
from sparksig.types import DataType, SpecType

__all__ = ["column_required", "numpy_type", "pandas_column_type", "tensor_spec"]

# (kind, largest itemsize) -> type, tried in order; a dtype wider than every entry is refused.
_BY_KIND: dict[str, tuple[tuple[int, DataType], ...]] = {
    "b": ((16, DataType.boolean),),
    "i": ((4, DataType.integer), (8, DataType.long)),
    "u": ((2, DataType.integer), (4, DataType.long)),
    "f": ((4, DataType.float), (8, DataType.double)),
    "U": ((2**31, DataType.string),),
    "S": ((2**31, DataType.binary),),
    "M": ((2**31, DataType.datetime),),
}


def numpy_type(dtype: Any, path: str = "") -> DataType:
    """The signature type of a numpy dtype or pandas extension dtype.

    Raises:
        InferenceError: for object dtypes (infer from values instead), ``uint64``,
            ``float128``, complex and timedelta dtypes.
    """
    kind = getattr(dtype, "kind", None)
    for limit, found in _BY_KIND.get(kind, ()):  # type: ignore[arg-type]
        if dtype.itemsize <= limit:
            return found
    hint = {
        "u": "cast to int64 if the values fit, or to float64",
        "O": "object columns are inferred from their values",
    }.get(kind or "", "cast it to a supported numeric, string or datetime dtype")
    raise InferenceError(f"unsupported dtype {dtype!s} (kind {kind!r}); {hint}", path)


def column_required(col: pd.Series) -> bool:
    """True when no value is None/NaN/NA/NaT (MLflow's ``_infer_required`` on a column)."""
    if col.dtype.kind != "O":
        return not bool(col.isna().any())
    # Object columns follow MLflow's per-value rule exactly (a float32 NaN is not missing).
    return not any(is_missing(v) for v in col)


def pandas_column_type(col: pd.Series, path: str = "") -> SpecType:
    """The type of one pandas column: from its dtype, or from its values for object columns.

    An object column of lists gives ``Array``, of dicts ``Object``; a column mixing types
    is refused unless pandas calls it a string column (MLflow's backwards-compatible rule).
    """
    if col.ndim > 1 or len(col.values.shape) > 1:
        raise InferenceError(f"expected a 1-D column, got shape {col.shape}", path)
    if col.dtype.kind == "O":
        col = col.infer_objects()
    if col.dtype.kind != "O":
        return numpy_type(col.dtype, path)
    try:
        dtype = value_type(col.to_list(), path)
        if dtype is None:
            raise InferenceError("the column holds only empty numpy arrays", path)
    except PydanticInputError:
        raise
    except SparksigError as e:
        if pd.api.types.is_string_dtype(col):
            return DataType.string
        raise InferenceError(f"cannot infer the column's type: {e}", path) from e
    return dtype.dtype  # type: ignore[union-attr]


def tensor_spec(data: Any, name: str | None = None) -> TensorSpec:
    """A tensor spec for a numpy array or scipy csr/csc matrix; the first axis is free (-1)."""
    dtype = data.data.dtype if _is_sparse(data) else data.dtype
    if dtype.char == "U":
        dtype = np.dtype("str")
    elif dtype.char == "S":
        dtype = np.dtype("bytes")
    if not data.shape:
        raise InferenceError(
            "a 0-d array has no batch dimension; wrap it in a list or use a 1-d array",
            name or "",
        )
    return TensorSpec(dtype, (-1, *data.shape[1:]), name)


def _is_sparse(data: Any) -> bool:
    return type(data).__module__.startswith("scipy.sparse")
