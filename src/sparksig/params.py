"""Checking and converting inference-param values (one rule set, shared by every path).

Which value fits which type is :func:`sparksig.rules.param_value_refusal`: MLflow's value
types (int -> long/float/double, long -> float/double, float -> double; ``bool`` is never a
number) plus range checks (int32 for ``integer``, no float32 overflow for ``float``, integers
exact in ``float``/``double``). Datetimes accept anything numpy can parse as a date or
datetime; values come back as Python natives. Shape ``None`` is a scalar (or a dict for
Object params); ``(-1,)`` a 1-D list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sparksig.errors import ParamValueError
from sparksig.rules import param_value_refusal, value_type_name
from sparksig.types import DataType, Object, SpecType

__all__ = ["ParamValueError", "convert_param_value"]


def _type_name(value: Any) -> str:
    return value_type_name(value)


def _convert_scalar(value: Any, dtype: DataType, name: str) -> Any:
    if dtype is DataType.binary:
        raise ParamValueError(f"Param {name!r}: binary params are not supported (as in MLflow)")
    if value is None:
        return None
    if dtype is DataType.datetime:
        return _convert_datetime(value, name)
    if isinstance(value, (list, tuple, dict, set)) or (hasattr(value, "shape") and value.shape):
        raise ParamValueError(
            f"Param {name!r}: expected a scalar {dtype.name}, got {_type_name(value)} {value!r}"
        )
    refusal = param_value_refusal(dtype, value)
    if refusal is not None:
        raise ParamValueError(
            f"Param {name!r}: cannot safely convert {_type_name(value)} {value!r} to "
            f"{dtype.name} ({refusal}); pass a {dtype.name} value or change the param's type"
        )
    return dtype.to_python()(value)


def _convert_datetime(value: Any, name: str) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    import numpy as np

    if isinstance(value, (bool, int, float)) or _type_name(value).startswith("numpy.int"):
        raise ParamValueError(
            f"Param {name!r}: {value!r} is not a date or datetime; pass an ISO-8601 string "
            "or a datetime"
        )
    try:
        converted = np.datetime64(value).item()
    except (ValueError, TypeError):
        raise ParamValueError(
            f"Param {name!r}: cannot read {value!r} as a datetime; pass an ISO-8601 string "
            "or a datetime"
        ) from None
    if not isinstance(converted, (dt.datetime, dt.date)):
        raise ParamValueError(f"Param {name!r}: {value!r} is not a date or datetime")
    return converted


def _convert_object(value: Any, dtype: Object, name: str) -> Any:
    if not isinstance(value, dict):
        raise ParamValueError(f"Param {name!r}: expected a dict for {dtype!r}, got {value!r}")
    declared = {p.name: p for p in dtype.properties}
    extra = sorted(set(value) - set(declared))
    if extra:
        raise ParamValueError(f"Param {name!r}: undeclared properties {extra} for {dtype!r}")
    for prop in dtype.properties:
        where = f"{name}.{prop.name}"
        if value.get(prop.name) is None:
            if prop.required:
                raise ParamValueError(f"Param {where!r}: required property is missing or null")
            continue
        if isinstance(prop.dtype, DataType):
            _convert_scalar(value[prop.name], prop.dtype, where)
        elif isinstance(prop.dtype, Object):
            _convert_object(value[prop.name], prop.dtype, where)
    return value


def convert_param_value(
    value: Any, dtype: SpecType, shape: tuple[int, ...] | None, name: str
) -> Any:
    """Check ``value`` against a param's type and shape; return it as Python natives.

    Raises:
        ParamValueError: naming the param, what arrived and what to pass instead.
    """
    if shape is None:
        if isinstance(dtype, Object):
            return None if value is None else _convert_object(value, dtype, name)
        return _convert_scalar(value, dtype, name)  # type: ignore[arg-type]
    if shape != (-1,):
        raise ParamValueError(f"Param {name!r}: shape must be None or (-1,), got {shape!r}")
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) == 1:
        value = list(value)
    if not isinstance(value, (list, tuple)):
        raise ParamValueError(
            f"Param {name!r}: expected a 1-D list for shape (-1,), got {_type_name(value)} {value!r}"
        )
    if any(isinstance(v, (list, tuple)) or getattr(v, "ndim", 0) for v in value):
        raise ParamValueError(
            f"Param {name!r}: expected a 1-D list for shape (-1,), got a nested list {value!r}"
        )
    if isinstance(dtype, Object):
        return [_convert_object(v, dtype, f"{name}[{i}]") for i, v in enumerate(value)]
    return [_convert_scalar(v, dtype, f"{name}[{i}]") for i, v in enumerate(value)]  # type: ignore[arg-type]
