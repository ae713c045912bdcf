"""Checking nested values (arrays, objects, maps, vectors) on Arrow arrays, without row loops.

:func:`check_arrow` walks a signature type and an Arrow array together. Lists are checked
through their offsets and flattened child arrays, objects through struct children, maps
through their key and item arrays. Each element carries the index of the top-level row it
belongs to (``rows``), so a finding deep inside a value is charged to the right row; the
work per level is a handful of vectorised numpy/Arrow operations whatever the row count.

Which nulls are violations, at which depth, is :func:`sparksig.rules.null_violates` (MLflow's
semantics for nested ``required``); timestamps outside ``datetime64[ns]`` are ``out_of_range``
(:data:`sparksig.rules.DATETIME_NS_RANGE`); with ``finite_only``, NaN and infinities in float
fields are ``non_finite``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sparksig.enforce import messages
from sparksig.enforce.findings import Findings, spec_name
from sparksig.enforce.rules import arrow_accepts
from sparksig.results import Code
from sparksig.rules import DATETIME_NS_RANGE, element_required, null_violates
from sparksig.types import AnyType, Array, DataType, Map, Object, SparkMLVector, SpecType

__all__ = ["ArrowContext", "check_arrow", "check_values", "children", "null_mask"]


@dataclass(frozen=True)
class ArrowContext:
    """Where findings go, whether the batch came from Spark (zoned timestamps allowed), and
    whether NaN and infinities are violations (``finite_only``)."""

    findings: Findings
    from_spark: bool
    finite_only: bool = False


_EPOCH = dt.datetime(1970, 1, 1)
_UNITS = {"s": 1, "ms": 1_000, "us": 1_000_000}


def _bounds(unit: str) -> tuple[int, int]:
    """DATETIME_NS_RANGE as integers in a timestamp unit (inclusive)."""
    low, high = ((t - _EPOCH) for t in DATETIME_NS_RANGE)
    per_second = _UNITS[unit]
    micros = [d.days * 86_400_000_000 + d.seconds * 1_000_000 + d.microseconds for d in (low, high)]
    lo = -((-micros[0] * per_second) // 1_000_000)  # ceil: stay inside the range
    hi = (micros[1] * per_second) // 1_000_000
    return lo, hi


_DATE_BOUNDS = (
    (dt.date(1677, 9, 22) - _EPOCH.date()).days,
    (dt.date(2262, 4, 11) - _EPOCH.date()).days,
)


def out_of_range_mask(arr: pa.Array) -> np.ndarray | None:
    """Rows of a timestamp/date array outside ``datetime64[ns]`` (None when none can be)."""
    t = arr.type
    if pa.types.is_timestamp(t):
        if t.unit == "ns":
            return None
        lo, hi = _bounds(t.unit)
        ints = arr.view(pa.int64())
    elif pa.types.is_date32(t):
        lo, hi = _DATE_BOUNDS
        ints = arr.view(pa.int32())
    else:
        return None
    bad = pc.or_(pc.less(ints, lo), pc.greater(ints, hi)).fill_null(False)
    return bad.to_numpy(zero_copy_only=False)


def check_values(
    arr: pa.Array, spec: DataType, path: str, rows: np.ndarray, ctx: ArrowContext
) -> None:
    """Value checks on scalars of an accepted type: datetime range, finiteness."""
    out = ctx.findings
    if spec is DataType.datetime:
        bad = out_of_range_mask(arr)
        if bad is not None and bad.any():
            out.add(
                Code.OUT_OF_RANGE,
                path,
                messages.out_of_range(path),
                rows[bad],
                _examples(arr, bad, out.max_examples),
            )
    elif ctx.finite_only and pa.types.is_floating(arr.type):
        bad = pc.invert(pc.is_finite(arr)).fill_null(False).to_numpy(zero_copy_only=False)
        if bad.any():
            out.add(
                Code.NON_FINITE,
                path,
                messages.non_finite(path),
                rows[bad],
                _examples(arr, bad, out.max_examples),
            )


def null_mask(arr: pa.Array) -> np.ndarray:
    """Bool mask of nulls (all False without allocating Arrow buffers when there are none)."""
    if arr.null_count == 0:
        return np.zeros(len(arr), dtype=bool)
    return arr.is_null().to_numpy(zero_copy_only=False)


def _examples(arr: pa.Array, mask: np.ndarray, k: int) -> list:
    idx = np.flatnonzero(mask)[:k]
    if not len(idx) or k <= 0:
        return []
    try:
        return arr.take(pa.array(idx)).to_pylist()
    except (pa.ArrowException, ValueError, OverflowError):
        return []


def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def children(
    arr: pa.Array, rows: np.ndarray, nulls: np.ndarray, values: pa.Array | None = None
) -> tuple[pa.Array, np.ndarray]:
    """Flattened children of a list or map array (``values``: map keys or items) and their rows.

    Arrow's ``.values`` / ``.keys`` / ``.items`` ignore slicing, so the child range is cut from
    the (absolute) offsets; children of null parents are dropped.
    """
    n = len(arr)
    if pa.types.is_fixed_size_list(arr.type):
        size = arr.type.list_size
        offsets = (np.arange(n + 1, dtype=np.int64) + arr.offset) * size
    else:
        offsets = arr.offsets.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    base = arr.values if values is None else values
    child = base.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
    lengths = np.diff(offsets)
    child_rows = np.repeat(rows, lengths)
    if nulls.any():
        keep = np.repeat(~nulls, lengths)
        if not keep.all():
            child = child.filter(pa.array(keep))
            child_rows = child_rows[keep]
    return child, child_rows


def check_arrow(
    arr: pa.Array,
    spec: SpecType,
    path: str,
    required: bool,
    rows: np.ndarray,
    ctx: ArrowContext,
) -> None:
    """Check ``arr`` against ``spec``; record findings charged to ``rows`` (one per element)."""
    if isinstance(spec, AnyType):
        return
    if ctx.findings.n == 0:
        _check_type(arr.type, spec, path, ctx)  # an empty batch: the types alone decide
        return
    if len(arr) == 0:
        return
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    nulls = null_mask(arr)
    out = ctx.findings
    if nulls.any() and null_violates(spec, required, top_level=False, strict_nulls=True):
        out.add(
            Code.NULL_IN_REQUIRED,
            path,
            messages.nested_null(spec, path),
            rows[nulls],
            [None],
        )
    if pa.types.is_null(t):
        return
    if isinstance(spec, DataType):
        if not arrow_accepts(t, spec, allow_tz=ctx.from_spark):
            _mismatch(arr, spec, path, rows, nulls, ctx)
        else:
            check_values(arr, spec, path, rows, ctx)
        return
    if isinstance(spec, SparkMLVector):
        if pa.types.is_struct(t) and t.get_field_index("values") >= 0:
            return  # Spark's VectorUDT storage: dense or sparse doubles by construction
        spec = Array(DataType.double)
    if isinstance(spec, Array):
        if not _is_list(t):
            _mismatch(arr, spec, path, rows, nulls, ctx)
            return
        child, child_rows = children(arr, rows, nulls)
        check_arrow(child, spec.dtype, f"{path}[]", element_required(required), child_rows, ctx)
        return
    if isinstance(spec, Object):
        if not pa.types.is_struct(t):
            _mismatch(arr, spec, path, rows, nulls, ctx)
            return
        _check_object(arr, spec, path, required, rows, nulls, ctx)
        return
    if isinstance(spec, Map):
        _check_map(arr, spec, path, required, rows, nulls, ctx)
        return
    raise AssertionError(f"unknown spec type {spec!r}")  # pragma: no cover


def _mismatch(
    arr: pa.Array,
    spec: SpecType,
    path: str,
    rows: np.ndarray,
    nulls: np.ndarray,
    ctx: ArrowContext,
) -> None:
    valid = ~nulls
    got = str(arr.type)
    if isinstance(spec, DataType) and pa.types.is_timestamp(arr.type) and arr.type.tz:
        advice = "convert timezone-aware datetimes to naive ones first"
    else:
        advice = f"pass {spec_name(spec)} values or change the type declared for {path}"
    ctx.findings.add(
        Code.TYPE_MISMATCH,
        path,
        f"expected {spec_name(spec)}, got {got} at {path}: {advice}",
        rows[valid],
        _examples(arr, valid, ctx.findings.max_examples),
    )


def _check_object(
    arr: pa.StructArray,
    spec: Object,
    path: str,
    required: bool,
    rows: np.ndarray,
    nulls: np.ndarray,
    ctx: ArrowContext,
) -> None:
    keep = ~nulls
    t = arr.type
    if not keep.all():
        arr = arr.filter(pa.array(keep))
        rows = rows[keep]
    if not len(arr):
        return
    present = {t.field(i).name: i for i in range(t.num_fields)}
    declared = {p.name for p in spec.properties}
    for name, i in present.items():
        if name in declared:
            continue
        child = arr.field(i)
        # Spark structs carry every field in every row; dicts from pandas only where present.
        hit = np.ones(len(arr), dtype=bool) if ctx.from_spark else ~null_mask(child)
        ctx.findings.add(
            Code.UNEXPECTED_PROPERTY,
            f"{path}.{name}",
            messages.unexpected_property(name, spec, path),
            rows[hit],
            _examples(child, hit, ctx.findings.max_examples),
        )
    for prop in spec.properties:
        where = f"{path}.{prop.name}"
        if prop.name not in present:
            if prop.required:
                ctx.findings.add(
                    Code.MISSING_PROPERTY,
                    where,
                    messages.missing_property(prop.name, path),
                    rows,
                )
            continue
        check_arrow(arr.field(present[prop.name]), prop.dtype, where, prop.required, rows, ctx)


def _check_map(
    arr: pa.Array,
    spec: Map,
    path: str,
    required: bool,
    rows: np.ndarray,
    nulls: np.ndarray,
    ctx: ArrowContext,
) -> None:
    t = arr.type
    where = f"{path}{{}}"
    if pa.types.is_map(t):
        keys, key_rows = children(arr, rows, nulls, values=arr.keys)
        items, item_rows = children(arr, rows, nulls, values=arr.items)
        if not (pa.types.is_string(keys.type) or pa.types.is_large_string(keys.type)):
            ctx.findings.add(
                Code.TYPE_MISMATCH,
                f"{path}{{key}}",
                f"map keys must be strings, got {keys.type} at {path}: convert the keys to str",
                key_rows,
                keys.slice(0, ctx.findings.max_examples).to_pylist(),
            )
        check_arrow(items, spec.value_type, where, element_required(required), item_rows, ctx)
        return
    if pa.types.is_struct(t):
        # dicts reach Arrow as structs (and MLflow reads Spark structs as dicts): each field
        # holds one key's values, null meaning the key is absent
        if nulls.any():
            arr = arr.filter(pa.array(~nulls))
            rows = rows[~nulls]
        for i in range(t.num_fields):
            child = arr.field(i)
            present = ~null_mask(child)
            if present.any():
                sub = child if present.all() else child.filter(pa.array(present))
                check_arrow(
                    sub, spec.value_type, where, element_required(required), rows[present], ctx
                )
        return
    _mismatch(arr, spec, path, rows, nulls, ctx)


def _check_type(t: pa.DataType, spec: SpecType, path: str, ctx: ArrowContext) -> None:
    """Schema-level check of an Arrow type against a spec (no rows: counts are rows checked)."""
    out = ctx.findings
    if isinstance(spec, AnyType) or pa.types.is_null(t):
        return
    if pa.types.is_dictionary(t):
        t = t.value_type
    bad = f"expected {spec_name(spec)}, got {t} at {path}: cast the column or change the type declared for {path}"
    if isinstance(spec, DataType):
        if not arrow_accepts(t, spec, allow_tz=ctx.from_spark):
            out.add(Code.TYPE_MISMATCH, path, bad)
        return
    if isinstance(spec, SparkMLVector):
        if pa.types.is_struct(t) and t.get_field_index("values") >= 0:
            return
        spec = Array(DataType.double)
    if isinstance(spec, Array):
        if _is_list(t):
            _check_type(t.value_type, spec.dtype, f"{path}[]", ctx)
        else:
            out.add(Code.TYPE_MISMATCH, path, bad)
        return
    if isinstance(spec, Object):
        if not pa.types.is_struct(t):
            out.add(Code.TYPE_MISMATCH, path, bad)
            return
        fields = {t.field(i).name: t.field(i).type for i in range(t.num_fields)}
        for name in fields:
            if name not in {p.name for p in spec.properties}:
                out.add(
                    Code.UNEXPECTED_PROPERTY,
                    f"{path}.{name}",
                    messages.unexpected_property(name, spec, path),
                )
        for prop in spec.properties:
            if prop.name in fields:
                _check_type(fields[prop.name], prop.dtype, f"{path}.{prop.name}", ctx)
            elif prop.required:
                out.add(
                    Code.MISSING_PROPERTY,
                    f"{path}.{prop.name}",
                    messages.missing_property(prop.name, path),
                )
        return
    assert isinstance(spec, Map)
    if pa.types.is_map(t):
        if not (pa.types.is_string(t.key_type) or pa.types.is_large_string(t.key_type)):
            out.add(
                Code.TYPE_MISMATCH,
                f"{path}{{key}}",
                f"map keys must be strings, got {t.key_type} at {path}: convert the keys to str",
            )
        _check_type(t.item_type, spec.value_type, f"{path}{{}}", ctx)
    elif pa.types.is_struct(t):
        for i in range(t.num_fields):
            _check_type(t.field(i).type, spec.value_type, f"{path}{{}}", ctx)
    else:
        out.add(Code.TYPE_MISMATCH, path, bad)
