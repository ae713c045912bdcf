"""The type rules, written once: conversions, value ranges, type names and null rules.

Every engine asks this module instead of keeping its own table: the Arrow/pandas engine
(:mod:`sparksig.enforce`), the param checks (:mod:`sparksig.params`), the signature diff
(:mod:`sparksig.diff`), the Spark type mapping and the native Spark engine
(:mod:`sparksig.spark`). It imports neither numpy, pandas nor pyspark: numpy dtypes are
named by their string names (``"int32"``), values are checked with the standard library.

**Column conversions** (:func:`numpy_widens`, :func:`column_accepts`, :func:`converts`) follow
MLflow's upcast rule, which only admits lossless conversions: a type widens to the same kind
with at least its size, an unsigned integer to a strictly larger signed one, and an integer
of at most 4 bytes to ``float64``. So ``integer -> long``, ``integer -> double`` and
``float -> double`` are allowed; ``long -> double`` (loses precision above 2**53),
``integer -> float`` (above 2**24) and every narrowing are not.

**Param values** (:func:`param_value_refusal`) accept MLflow's value types per declared
type (``bool`` is never a number; ``int`` -> long/float/double; ``float`` -> double) *and*
check the value itself: an ``integer`` param holds int32 values, a ``long`` int64 values, a
``float`` param refuses finite values that overflow float32, and an integer given for a
``float``/``double`` param must be exactly representable there. (MLflow checks types only.)

**Nulls by depth** (:func:`null_violates`): a top-level scalar column's null is a violation
only under ``strict_nulls`` (validation; MLflow's scoring rule lets it through); a null array,
object, map or vector where one is required is always a violation, except arrays and maps of
``any``; array elements and map values inherit the enclosing column's or property's
requiredness, object properties carry their own; ``any`` accepts null everywhere.

**Datetimes** are numpy ``datetime64[ns]`` in a signature (as in MLflow), so a timestamp
outside :data:`DATETIME_NS_RANGE` is out of range for the type.

Examples:
    >>> from sparksig.types import DataType
    >>> column_accepts("int32", DataType.double), column_accepts("int64", DataType.double)
    (True, False)
    >>> param_value_refusal(DataType.integer, 2**40)
    'value 1099511627776 is outside the integer (int32) range [-2147483648, 2147483647]'
    >>> type_name(Array(Map("long")))
    'array<map<string, long>>'
"""

from __future__ import annotations

import datetime as dt
import math
import struct
from typing import Any

from sparksig.types import (
    NUMPY_NAMES,
    AnyType,
    Array,
    DataType,
    Map,
    Object,
    SparkMLVector,
    SpecType,
)

__all__ = [
    "DATETIME_NS_RANGE",
    "INT32_RANGE",
    "INT64_RANGE",
    "NUMPY_NAME",
    "column_accepts",
    "converts",
    "element_required",
    "float32_overflows",
    "null_violates",
    "numpy_widens",
    "param_value_refusal",
    "type_name",
    "value_type_name",
    "widens",
]

# -- numeric layouts --------------------------------------------------------------------------

#: numpy dtype name of each scalar signature type (MLflow's ``DataType.to_numpy``).
NUMPY_NAME = NUMPY_NAMES

# numpy numeric dtypes as (kind, itemsize): b = bool, i = signed, u = unsigned, f = float.
_LAYOUT: dict[str, tuple[str, int]] = {
    "bool": ("b", 1),
    "int8": ("i", 1),
    "int16": ("i", 2),
    "int32": ("i", 4),
    "int64": ("i", 8),
    "uint8": ("u", 1),
    "uint16": ("u", 2),
    "uint32": ("u", 4),
    "uint64": ("u", 8),
    "float16": ("f", 2),
    "float32": ("f", 4),
    "float64": ("f", 8),
}

INT32_RANGE = (-(2**31), 2**31 - 1)
INT64_RANGE = (-(2**63), 2**63 - 1)
#: The instants a ``datetime64[ns]`` can hold (what pandas calls Timestamp.min / max),
#: rounded inwards to whole microseconds, Spark's timestamp precision.
DATETIME_NS_RANGE = (
    dt.datetime(1677, 9, 21, 0, 12, 43, 145225),
    dt.datetime(2262, 4, 11, 23, 47, 16, 854775),
)


def numpy_widens(src: str, dst: str) -> bool:
    """Whether numpy dtype ``src`` converts to ``dst`` losslessly by MLflow's upcast rule.

    Examples:
        >>> numpy_widens("uint16", "int32"), numpy_widens("uint32", "int32")
        (True, False)
        >>> numpy_widens("int8", "float32")  # MLflow refuses int -> float32
        False
    """
    s, d = _LAYOUT.get(src), _LAYOUT.get(dst)
    if s is None or d is None:
        return False
    (src_kind, src_size), (dst_kind, dst_size) = s, d
    if src_kind == dst_kind:
        return src_size <= dst_size
    if src_kind == "u" and dst_kind == "i":
        return src_size < dst_size
    return src_kind in "iu" and dst == "float64" and src_size <= 4


def column_accepts(src: str | DataType, target: DataType) -> bool:
    """Whether a column of numpy dtype ``src`` (or of signature type ``src``) reads as ``target``.

    Only numeric and boolean targets widen; string, binary and datetime accept themselves.
    """
    if isinstance(src, DataType):
        if src is target:
            return True
        src = NUMPY_NAME[src]
        if src == "object":
            return False
    if target in (DataType.string, DataType.binary, DataType.datetime):
        return False
    return numpy_widens(src, NUMPY_NAME[target])


def widens(src: DataType, dst: DataType) -> bool:
    """Whether every value of scalar type ``src`` is accepted where ``dst`` is declared.

    The same relation holds for columns and for params (see :func:`param_value_refusal`).

    Examples:
        >>> widens(DataType.integer, DataType.long), widens(DataType.long, DataType.double)
        (True, False)
    """
    return column_accepts(src, dst)


def converts(src: Any, dst: Any) -> bool:
    """Whether all data of signature type ``src`` is accepted by a spec of type ``dst``.

    Nested types convert element-wise; an object converts when the target declares every
    property the source may carry (undeclared properties are rejected), requires none the
    source may omit, and each property's type converts.

    Examples:
        >>> converts(Array("integer"), Array("long")), converts(Map("long"), Map("integer"))
        (True, False)
    """
    if src == dst or isinstance(dst, AnyType):
        return True
    if isinstance(src, DataType) and isinstance(dst, DataType):
        return widens(src, dst)
    if isinstance(src, SparkMLVector) or isinstance(dst, SparkMLVector):
        vector = Array(DataType.double)
        return converts(vector if isinstance(src, SparkMLVector) else src, vector) and (
            isinstance(dst, SparkMLVector) or converts(vector, dst)
        )
    if isinstance(src, Array) and isinstance(dst, Array):
        return converts(src.dtype, dst.dtype)
    if isinstance(src, Map) and isinstance(dst, Map):
        return converts(src.value_type, dst.value_type)
    if isinstance(src, Object) and isinstance(dst, Object):
        old = {p.name: p for p in src.properties}
        new = {p.name: p for p in dst.properties}
        if set(old) - set(new):
            return False
        for name, prop in new.items():
            before = old.get(name)
            if before is None:
                if prop.required:
                    return False
                continue
            if prop.required and not before.required:
                return False
            if not converts(before.dtype, prop.dtype):
                return False
        return True
    return False


# -- param values -----------------------------------------------------------------------------

# Python and numpy scalar type names accepted per declared type (exact type match, as MLflow
# does, so that bool is not an int); names avoid importing numpy.
_PARAM_TYPES: dict[DataType, frozenset[str]] = {
    DataType.boolean: frozenset({"bool", "numpy.bool", "numpy.bool_"}),
    DataType.integer: frozenset({"int", "numpy.int32"}),
    DataType.long: frozenset({"int", "numpy.int64"}),
    DataType.float: frozenset({"float", "numpy.float32"}),
    DataType.double: frozenset({"float", "numpy.float64"}),
    DataType.string: frozenset({"str", "numpy.str_"}),
}
# MLflow's param widening: values of these declared types are also accepted.
_PARAM_WIDENING: dict[DataType, tuple[DataType, ...]] = {
    DataType.long: (DataType.integer,),
    DataType.float: (DataType.integer, DataType.long),
    DataType.double: (DataType.integer, DataType.long, DataType.float),
}
_FLOAT_BITS = {DataType.float: 24, DataType.double: 53}


def value_type_name(value: Any) -> str:
    """``int``, ``numpy.int32``...: the exact type of a value, as the param rules name it."""
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def float32_overflows(value: float) -> bool:
    """Whether a finite float becomes infinite as float32 (NaN and infinities do not)."""
    if not math.isfinite(value):
        return False
    try:
        as_float32 = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:  # older Pythons raise instead of rounding to infinity
        return True
    return math.isinf(as_float32)


def _exact_in_float(value: int, bits: int) -> bool:
    magnitude = abs(value)
    if magnitude < 2**bits:
        return True
    shift = magnitude.bit_length() - bits
    return magnitude % (1 << shift) == 0 and magnitude.bit_length() <= (1024 if bits == 53 else 128)


def param_value_refusal(dtype: DataType, value: Any) -> str | None:
    """Why a scalar param value does not fit ``dtype``, or ``None`` when it does.

    Examples:
        >>> param_value_refusal(DataType.double, 2**53 + 1)
        'value 9007199254740993 is not exactly representable as a double'
        >>> param_value_refusal(DataType.float, 1.5e308)
        'value 1.5e+308 overflows float (float32)'
        >>> param_value_refusal(DataType.long, True)
        'bool values are not accepted for a long param'
        >>> param_value_refusal(DataType.long, 7) is None
        True
    """
    name = value_type_name(value)
    accepted = _PARAM_TYPES.get(dtype, frozenset())
    widened = any(name in _PARAM_TYPES[w] for w in _PARAM_WIDENING.get(dtype, ()))
    if name not in accepted and not widened:
        return f"{name} values are not accepted for a {dtype.name} param"
    if dtype in (DataType.integer, DataType.long) and name == "int":
        low, high = INT32_RANGE if dtype is DataType.integer else INT64_RANGE
        if not low <= value <= high:
            width = "int32" if dtype is DataType.integer else "int64"
            return f"value {value} is outside the {dtype.name} ({width}) range [{low}, {high}]"
    if dtype in _FLOAT_BITS:
        if name == "int" or name.startswith("numpy.int"):
            if not _exact_in_float(int(value), _FLOAT_BITS[dtype]):
                return f"value {value} is not exactly representable as a {dtype.name}"
        elif dtype is DataType.float and float32_overflows(float(value)):
            return f"value {value!r} overflows float (float32)"
    return None


# -- nulls by depth ---------------------------------------------------------------------------


def null_violates(spec: SpecType, required: bool, *, top_level: bool, strict_nulls: bool) -> bool:
    """Whether a null where ``spec`` is expected (with this requiredness) is a violation.

    Examples:
        >>> null_violates(DataType.long, True, top_level=True, strict_nulls=False)
        False
        >>> null_violates(Array("long"), True, top_level=True, strict_nulls=False)
        True
        >>> null_violates(Array("any"), True, top_level=False, strict_nulls=True)
        False
    """
    if not required or isinstance(spec, AnyType):
        return False
    if top_level and isinstance(spec, DataType):
        return strict_nulls
    if isinstance(spec, Array):
        return not isinstance(spec.dtype, AnyType)
    if isinstance(spec, Map):
        return not isinstance(spec.value_type, AnyType)
    return True


def element_required(required: bool) -> bool:
    """Array elements and map values inherit the enclosing column's or property's requiredness."""
    return required


# -- names ------------------------------------------------------------------------------------


def type_name(t: Any) -> str:
    """A short, readable name used in every message: ``long``, ``array<double>``, ``object{a, b}``.

    Tensor specs read ``tensor<float32, [-1, 3]>``.

    Examples:
        >>> type_name(Map("double"))
        'map<string, double>'
    """
    if isinstance(t, DataType):
        return t.info.tag
    if isinstance(t, Array):
        return f"array<{type_name(t.dtype)}>"
    if isinstance(t, Map):
        return f"map<string, {type_name(t.value_type)}>"
    if isinstance(t, Object):
        return "object{" + ", ".join(p.name for p in t.properties) + "}"
    if isinstance(t, AnyType):
        return "any"
    if isinstance(t, SparkMLVector):
        return "sparkml_vector"
    shape = getattr(t, "shape", None)
    if shape is not None and isinstance(getattr(t, "dtype", None), str):  # a TensorSpec
        return f"tensor<{t.dtype}, {list(shape)}>"
    return str(t)
