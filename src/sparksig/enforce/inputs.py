"""Model inputs in the shapes MLflow accepts, turned into a pandas DataFrame for column schemas.

MLflow's ``_enforce_schema`` accepts a DataFrame, a Series, a scalar, a dict (one row of
scalars, or columns of arrays), a list or a numpy array; the rules here are its rules. Input
that cannot become a frame is reported as a :class:`SchemaEnforcementError`, never a raw
pandas exception.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sparksig.errors import SchemaEnforcementError
from sparksig.results import Code, Violation
from sparksig.schema import Schema
from sparksig.types import Array, Object

__all__ = ["input_error", "to_frame"]


def input_error(message: str, code: Code = Code.TYPE_MISMATCH) -> SchemaEnforcementError:
    return SchemaEnforcementError.of(Violation(code, "<input>", None, (), message))


def _is_scalar(value: Any) -> bool:
    return value is None or np.isscalar(value)


def to_frame(data: Any, schema: Schema) -> pd.DataFrame:
    """The DataFrame MLflow would build from ``data`` for a column-based ``schema``.

    Examples:
        >>> from sparksig import ColSpec
        >>> to_frame({"a": 1, "b": "x"}, Schema([ColSpec("long", "a"), ColSpec("string", "b")]))
           a  b
        0  1  x
    """
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return pd.DataFrame(data)
    if np.isscalar(data):
        return pd.DataFrame([data])
    if isinstance(data, dict):
        return _dict_to_frame(data, schema)
    if isinstance(data, (list, np.ndarray)):
        try:
            return pd.DataFrame(data)
        except (ValueError, TypeError) as e:
            raise input_error(
                f"could not read the input as a table ({e}); pass a pandas DataFrame"
            ) from None
    raise input_error(
        f"this model has a column-based signature, so it takes a DataFrame (or a dict, list "
        f"or numpy array that becomes one); got {type(data).__name__}"
    )


def _dict_to_frame(data: dict, schema: Schema) -> pd.DataFrame:
    one_row = any(isinstance(s.type, (Array, Object)) for s in schema.inputs) or all(
        _is_scalar(v) or (isinstance(v, list) and all(isinstance(i, str) for i in v))
        for v in data.values()
    )
    try:
        if one_row:
            return pd.DataFrame([data])
        if all(
            isinstance(v, np.ndarray) and v.dtype.type == np.str_ and v.shape == ()
            for v in data.values()
        ):
            return pd.DataFrame([data])
        return pd.DataFrame(
            {
                k: v.tolist() if isinstance(v, np.ndarray) and v.ndim > 1 else v
                for k, v in data.items()
            }
        )
    except (ValueError, TypeError) as e:
        raise input_error(
            "this model has a column-based signature, which takes a DataFrame; the dict could "
            f"not be read as one ({e}). Give every key a list or array of the same length"
        ) from None
