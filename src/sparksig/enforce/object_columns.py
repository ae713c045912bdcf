"""pandas object columns holding nested values (lists, dicts, arrays, vectors) -> Arrow checks.

A pandas column of lists or dicts is handed to Arrow in one call (``pa.array``, C++ code), and
the Arrow array is checked by :mod:`sparksig.enforce.nested`. When Arrow cannot type the whole
column (mixed kinds of values, non-string dict keys), the column is bisected: the halves that
convert are checked in bulk and only the rows that cannot be converted on their own are
walked in Python (:func:`walk_value`), so one bad row costs ``O(log n)`` conversions, not a
per-row loop. Columns whose type contains ``Any`` are walked row by row: ``Any`` admits values
Arrow cannot type.
"""

from __future__ import annotations

import math
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sparksig.enforce import messages
from sparksig.enforce.findings import Findings, spec_name
from sparksig.enforce.nested import ArrowContext, check_arrow
from sparksig.enforce.rules import arrow_accepts
from sparksig.results import Code
from sparksig.rules import null_violates
from sparksig.types import (
    AnyType,
    Array,
    DataType,
    Map,
    Object,
    SparkMLVector,
    SpecType,
    contains_any,
)

__all__ = ["check_object_column", "walk_value"]

_ARROW_ERRORS = (pa.ArrowException, TypeError, ValueError, OverflowError, KeyError)
_WALK_BELOW = 32  # chunks this small are walked row by row once Arrow has refused them


def _is_vector(value: Any) -> bool:
    return type(value).__module__.startswith("pyspark.ml.linalg") and hasattr(value, "toArray")


def _prepare(values: np.ndarray, spec: SpecType) -> np.ndarray:
    """Turn values Arrow cannot read directly (ML vectors, n-d arrays) into ones it can."""
    sample = next((v for v in values if v is not None), None)
    if sample is None:
        return values
    if _is_vector(sample) and isinstance(spec, (SparkMLVector, Array)):
        return np.array(
            [v.toArray() if _is_vector(v) else v for v in values] + [None], dtype=object
        )[:-1]
    if isinstance(sample, np.ndarray) and sample.ndim > 1:
        return np.array(
            [v.tolist() if isinstance(v, np.ndarray) else v for v in values] + [None],
            dtype=object,
        )[:-1]
    return values


def check_object_column(
    series: pd.Series, spec: SpecType, path: str, required: bool, findings: Findings
) -> None:
    """Check a pandas column of nested values; findings are charged to positions 0..n-1."""
    values = series.to_numpy(dtype=object)
    nulls = pd.isna(values)
    if nulls.any():
        values = values.copy()
        values[nulls] = None
    rows = np.arange(len(values))
    if contains_any(spec):
        _walk_rows(values, rows, spec, path, required, findings)
        return
    values = _prepare(values, spec)
    ctx = ArrowContext(findings, from_spark=False)
    if isinstance(spec, Object) and not required:
        values = _empty_dicts_as_null(values, nulls)
    if isinstance(spec, Map):
        maps = _map_array(values, nulls)
        if maps is not None:
            check_arrow(maps, spec, path, required, rows, ctx)
            return
    _bisect(values, rows, spec, path, required, ctx)


def _empty_dicts_as_null(values: np.ndarray, nulls: np.ndarray) -> np.ndarray:
    """MLflow accepts ``{}`` for an optional object: treat it as a missing value."""
    try:
        lengths = np.fromiter(map(len, values[~nulls]), dtype=np.int64)
    except TypeError:
        return values
    empty = np.zeros(len(values), dtype=bool)
    empty[~nulls] = lengths == 0
    for i in np.flatnonzero(empty):  # only the empty candidates: "" and [] are not {}
        empty[i] = isinstance(values[i], dict)
    if not empty.any():
        return values
    values = values.copy()
    values[empty] = None
    return values


def _map_array(values: np.ndarray, nulls: np.ndarray) -> pa.MapArray | None:
    """A column of dicts as an Arrow map (keys and values kept apart; None values kept).

    Arrow would read dicts as structs, where a None value and an absent key look alike; the
    flattening here runs in C (``map``/``chain``), not in a Python-level row loop.
    """
    valid = values[~nulls]
    try:
        lengths = np.fromiter(map(len, valid), dtype=np.int64, count=len(valid))
        keys = pa.array(list(chain.from_iterable(valid)))
        items = pa.array(list(chain.from_iterable(map(dict.values, valid))), from_pandas=False)
        full = np.zeros(len(values), dtype=np.int64)
        full[~nulls] = lengths
        offsets = np.concatenate([[0], np.cumsum(full)]).astype(np.int32)
        return pa.MapArray.from_arrays(pa.array(offsets), keys, items, mask=pa.array(nulls))
    except _ARROW_ERRORS:
        return None


def _bisect(
    values: np.ndarray,
    rows: np.ndarray,
    spec: SpecType,
    path: str,
    required: bool,
    ctx: ArrowContext,
) -> None:
    try:
        arr = pa.array(values, from_pandas=False)
    except _ARROW_ERRORS:
        if len(values) <= _WALK_BELOW:
            _walk_rows(values, rows, spec, path, required, ctx.findings)
            return
        mid = len(values) // 2
        _bisect(values[:mid], rows[:mid], spec, path, required, ctx)
        _bisect(values[mid:], rows[mid:], spec, path, required, ctx)
        return
    check_arrow(arr, spec, path, required, rows, ctx)


def _walk_rows(
    values: np.ndarray,
    rows: np.ndarray,
    spec: SpecType,
    path: str,
    required: bool,
    findings: Findings,
) -> None:
    for value, row in zip(values, rows):
        for code, where, message, example in walk_value(value, spec, path, required):
            findings.add(code, where, message, np.array([row]), [example])


def _is_null(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, float) and math.isnan(value)


def walk_value(value: Any, spec: SpecType, path: str, required: bool) -> list[tuple]:
    """Check one Python value against ``spec`` the way MLflow does; list the problems.

    Returns ``(code, path, message, example)`` tuples (empty when the value conforms).

    Examples:
        >>> walk_value({"a": 1}, Map("long"), "m", True)
        []
        >>> walk_value([1.5, None], Array("double"), "xs", True)[0][0].value
        'null_in_required'
    """
    out: list[tuple] = []
    _walk(value, spec, path, required, out)
    return out


def _mismatch(out: list, value: Any, spec: SpecType, path: str) -> None:
    out.append(
        (
            Code.TYPE_MISMATCH,
            path,
            f"expected {spec_name(spec)}, got {type(value).__name__} at {path}: pass "
            f"{spec_name(spec)} values or change the type declared for {path}",
            value,
        )
    )


def _walk(value: Any, spec: SpecType, path: str, required: bool, out: list) -> None:
    if isinstance(spec, AnyType):
        return
    if _is_null(value):
        if null_violates(spec, required, top_level=False, strict_nulls=True):
            out.append((Code.NULL_IN_REQUIRED, path, messages.nested_null(spec, path), None))
        return
    if isinstance(spec, DataType):
        _walk_scalars([value], spec, path, out, scalar=True)
        return
    if isinstance(spec, SparkMLVector):
        if _is_vector(value):
            return
        spec = Array(DataType.double)
    if isinstance(spec, Array):
        if isinstance(value, np.ndarray) and value.ndim > 1:
            value = list(value)
        if not isinstance(value, (list, tuple, np.ndarray)):
            _mismatch(out, value, spec, path)
            return
        if isinstance(spec.dtype, DataType):
            _walk_scalars(list(value), spec.dtype, f"{path}[]", out, required=required)
        else:
            for item in value:
                _walk(item, spec.dtype, f"{path}[]", required, out)
        return
    if not isinstance(value, dict):
        _mismatch(out, value, spec, path)
        return
    if not required and not value:
        return  # MLflow accepts {} for an optional object or map
    if isinstance(spec, Map):
        if not all(isinstance(k, str) for k in value):
            out.append(
                (
                    Code.TYPE_MISMATCH,
                    f"{path}{{key}}",
                    f"map keys must be strings at {path}: convert the keys to str",
                    next(k for k in value if not isinstance(k, str)),
                )
            )
        for item in value.values():
            _walk(item, spec.value_type, f"{path}{{}}", required, out)
        return
    assert isinstance(spec, Object)
    declared = {p.name: p for p in spec.properties}
    for key in value:
        if key not in declared:
            out.append(
                (
                    Code.UNEXPECTED_PROPERTY,
                    f"{path}.{key}",
                    messages.unexpected_property(key, spec, path),
                    value[key],
                )
            )
    for prop in spec.properties:
        where = f"{path}.{prop.name}"
        if prop.name not in value:
            if prop.required:
                out.append(
                    (
                        Code.MISSING_PROPERTY,
                        where,
                        messages.missing_property(prop.name, path),
                        None,
                    )
                )
            continue
        _walk(value[prop.name], prop.dtype, where, prop.required, out)


def _walk_scalars(
    items: list, dtype: DataType, path: str, out: list, *, scalar: bool = False, required=True
) -> None:
    """Scalars are typed together, as MLflow does (``pd.Series(items)``), through Arrow."""
    if not items:
        return
    if scalar and isinstance(items[0], (list, tuple, dict, np.ndarray)):
        _mismatch(out, items[0], dtype, path)
        return
    try:
        arr = pa.array(items, from_pandas=False)
    except _ARROW_ERRORS:
        _mismatch(out, items[0], dtype, path)
        return
    if not arrow_accepts(arr.type, dtype, allow_tz=False):
        bad = next((v for v in items if not _is_null(v)), items[0])
        _mismatch(out, bad, dtype, path)
    if not scalar and required and arr.null_count:
        out.append((Code.NULL_IN_REQUIRED, path, messages.nested_null(dtype, path), None))
