"""Signature types of plain Python and numpy values (MLflow's ``_infer_datatype`` rules).

A scalar's type comes from a table keyed on its *exact* type (so ``bool`` is never an int and
``np.int16`` is not silently widened); a dict becomes an :class:`Object`; a list or a numpy
array becomes an :class:`Array` whose element type is the merge of its items' types. ``None``,
NaN and empty lists/dicts are "undetermined" (:class:`AnyType`), which merges into any other
type and makes an object property optional.

Examples:
    >>> value_type({"a": 1, "b": [1.5, None]})
    Object(a: long, b: Array(double))
    >>> value_type([{"a": 1}, {"b": "x"}])
    Array(Object(a: long (optional), b: string (optional)))
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from sparksig.errors import InferenceError, PydanticInputError, SchemaDefinitionError
from sparksig.kinds import is_pydantic_model
from sparksig.types import AnyType, Array, DataType, Map, Object, Property, SpecType

__all__ = [
    "MULTIPLE_TYPES",
    "InferenceError",
    "is_missing",
    "merge_types",
    "scalar_type",
    "value_type",
]

MULTIPLE_TYPES = (
    "Expected all values in the list to be of the same type. To describe a list holding "
    "several types, declare the signature by hand with Array(AnyType())."
)


# Exact Python/numpy scalar types and their signature type (datetimes are handled apart).
_SCALARS: dict[type, DataType] = {
    bool: DataType.boolean,
    np.bool_: DataType.boolean,
    int: DataType.long,
    np.int64: DataType.long,
    np.int32: DataType.integer,
    float: DataType.double,
    np.float64: DataType.double,
    np.float32: DataType.float,
    str: DataType.string,
    np.str_: DataType.string,
    object: DataType.string,
    bytes: DataType.binary,
    np.bytes_: DataType.binary,
    bytearray: DataType.binary,
}
# MLflow's DataType.check_type(datetime, v): exact types only, so pd.Timestamp is not one.
_DATETIMES = (dt.date, dt.datetime, np.datetime64)


def is_missing(value: Any) -> bool:
    """None, a float NaN, ``pd.NA`` or ``pd.NaT`` (MLflow's ``_is_none_or_nan``)."""
    if isinstance(value, float):
        return bool(np.isnan(value))
    return value is None or value is pd.NA or value is pd.NaT


def is_datetime_value(value: Any) -> bool:
    return type(value) in _DATETIMES


def scalar_type(value: Any, path: str = "") -> DataType:
    """The type of one scalar, looked up by its exact type."""
    found = _SCALARS.get(type(value))
    if found is not None:
        return found
    if is_datetime_value(value):
        return DataType.datetime
    raise InferenceError(
        f"{type(value).__name__} value {value!r} has no signature type; use bool, int, float, "
        "str, bytes, datetime (or the numpy equivalents int32/int64/float32/float64)",
        path,
    )


def value_type(value: Any, path: str = "") -> SpecType | None:
    """The signature type of a Python/numpy value, or None for an empty numpy array.

    ``None``/NaN and empty lists or dicts give :class:`AnyType`; empty numpy arrays give
    ``None`` ("undetermined"), which list inference skips, as MLflow does.
    """
    _refuse_pydantic(value)
    if is_missing(value) or (isinstance(value, (list, dict)) and not value):
        return AnyType()
    if isinstance(value, dict):
        return _object_type(value, path)
    if isinstance(value, (list, np.ndarray)):
        return _array_type(value, path)
    return scalar_type(value, path)


def _object_type(value: dict[Any, Any], path: str) -> Object:
    props = []
    for key, item in value.items():
        where = f"{path}.{key}" if path else str(key)
        dtype = value_type(item, where)
        if dtype is None:
            raise InferenceError("a dictionary value must not be an empty numpy array", where)
        if not isinstance(key, str):
            raise InferenceError(f"dictionary keys must be strings, got {key!r}", path)
        props.append(Property(key, dtype, required=not isinstance(dtype, AnyType)))
    return Object(props)


def _array_type(items: Any, path: str) -> Array | None:
    result: SpecType | None = None
    where = f"{path}[]"
    for item in items:
        dtype = value_type(item, where)
        if dtype is None:
            continue
        if result is None:
            result = dtype
        elif isinstance(result, DataType):
            if not isinstance(dtype, AnyType) and dtype != result:
                raise InferenceError(MULTIPLE_TYPES, where)
        else:
            try:
                result = merge_types(result, dtype)
            except SchemaDefinitionError as e:
                raise InferenceError(MULTIPLE_TYPES, where) from e
    return None if result is None else Array(result)


def merge_types(left: SpecType, right: SpecType) -> SpecType:
    """Combine the types of two values seen at the same place (MLflow's ``_merge``).

    ``AnyType`` yields to the other side and makes object properties optional; objects
    union their properties, marking one-sided ones optional; arrays and maps merge their
    element types; two different scalars do not merge.

    Raises:
        SchemaDefinitionError: the two types are incompatible.
    """
    if isinstance(left, AnyType):
        if isinstance(right, (AnyType, DataType)):
            return right
        return merge_types(right, left)
    if isinstance(left, DataType):
        if left == right or isinstance(right, AnyType):
            return left
        raise SchemaDefinitionError(f"cannot merge {left!r} with {right!r}")
    if isinstance(left, Object):
        return _merge_objects(left, right)
    if isinstance(left, Array):
        if isinstance(right, AnyType) or left == right:
            return left
        if not isinstance(right, Array):
            raise SchemaDefinitionError(f"cannot merge {left!r} with {right!r}")
        return Array(merge_types(left.dtype, right.dtype))
    if isinstance(left, Map):
        if isinstance(right, AnyType) or left == right:
            return left
        if not isinstance(right, Map):
            raise SchemaDefinitionError(f"cannot merge {left!r} with {right!r}")
        return Map(merge_types(left.value_type, right.value_type))
    if left == right:
        return left
    raise SchemaDefinitionError(f"cannot merge {left!r} with {right!r}")


def _merge_objects(left: Object, right: SpecType) -> Object:
    if isinstance(right, AnyType):
        return Object(Property(p.name, p.dtype, required=False) for p in left.properties)
    if not isinstance(right, Object):
        raise SchemaDefinitionError(f"cannot merge {left!r} with {right!r}")
    if left == right:
        return left
    ours = {p.name: p for p in left.properties}
    theirs = {p.name: p for p in right.properties}
    merged = []
    for name in ours.keys() | theirs.keys():
        a, b = ours.get(name), theirs.get(name)
        if a is None or b is None:
            only = a or b
            merged.append(Property(name, only.dtype, required=False))  # type: ignore[union-attr]
        else:
            merged.append(
                Property(name, merge_types(a.dtype, b.dtype), required=a.required and b.required)
            )
    return Object(merged)


def _refuse_pydantic(value: Any) -> None:
    if is_pydantic_model(value):
        raise PydanticInputError(
            "signatures cannot be inferred from pydantic objects; declare the signature by "
            "hand, or pass the object's model_dump()"
        )
