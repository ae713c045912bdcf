"""Tensor schemas: exact dtype, fixed dimensions checked, DataFrame list columns reshaped.

Follows MLflow's ``_enforce_tensor_schema``: named tensors take a dict of numpy arrays (or a
DataFrame whose columns hold scalars, lists or arrays, reshaped to the spec); one unnamed
tensor takes a numpy array or a DataFrame. Nothing is cast except where MLflow casts (list
columns of a DataFrame). Every tensor is checked and all problems are reported together.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sparksig.enforce import messages
from sparksig.enforce.findings import Findings
from sparksig.enforce.inputs import input_error
from sparksig.enforce.nested import children, null_mask
from sparksig.errors import SchemaEnforcementError
from sparksig.results import Code, Violation
from sparksig.schema import Schema, TensorSpec

__all__ = ["check_tensor_arrow", "enforce_tensors", "tensor_arrow_leaf"]


class _Problems(list):
    def add(self, code: Code, path: str, message: str) -> None:
        self.append(Violation(code, path, None, (), message))


def _clean(dtype: np.dtype) -> np.dtype:
    if dtype.char == "U":
        return np.dtype("str")
    if dtype.char == "S":
        return np.dtype("bytes")
    return dtype


def _check_tensor(values: Any, spec: TensorSpec, path: str, problems: _Problems) -> Any:
    expected = spec.shape
    actual = values.shape
    dtype = values.dtype
    if len(expected) == 1 and expected[0] == -1 and spec.type == np.dtype("O"):
        return values
    if len(expected) > 1 and -1 in expected[1:] and len(actual) == 1 and dtype == np.dtype("O"):
        return values  # ragged input against a spec with free inner dimensions
    if len(expected) != len(actual) or any(e not in (-1, a) for e, a in zip(expected, actual)):
        problems.add(
            Code.SHAPE_MISMATCH,
            path,
            f"expected shape {expected} (-1 = any size), got {actual}: reshape the input",
        )
    if _clean(dtype) != spec.type:
        problems.add(
            Code.TYPE_MISMATCH,
            path,
            f"expected dtype {spec.type}, got {dtype}: tensors are never cast; convert with "
            f".astype({spec.type.name!r}) if that is lossless for your data",
        )
    return values


def _reshape_column(series: pd.Series, spec: TensorSpec, path: str, problems: _Problems) -> Any:
    shape = spec.shape
    if not shape or shape[0] != -1 or -1 in shape[1:]:
        problems.add(
            Code.SHAPE_MISMATCH,
            path,
            f"a DataFrame column can only feed a tensor whose first dimension is -1 and "
            f"whose other dimensions are fixed; the signature says {shape}",
        )
        return None
    if series.empty:
        problems.add(Code.SHAPE_MISMATCH, path, "the input DataFrame is empty")
        return None
    first = series.iloc[0]
    if np.isscalar(first):
        if shape not in ((-1,), (-1, 1)):
            problems.add(
                Code.SHAPE_MISMATCH,
                path,
                f"the column holds scalars, which need shape (-1,) or (-1, 1), got {shape}",
            )
            return None
        try:
            values = np.array(series, dtype=spec.type).reshape(shape)
        except (ValueError, TypeError) as e:
            problems.add(Code.TYPE_MISMATCH, path, f"cannot read the values as {spec.type}: {e}")
            return None
        return _check_tensor(values, spec, path, problems)
    is_list = isinstance(first, list) and len(first) > 0 and np.isscalar(first[0])
    if not (is_list or isinstance(first, np.ndarray)):
        problems.add(
            Code.TYPE_MISMATCH,
            path,
            "a tensor column must hold scalars, lists of scalars or numpy arrays; "
            f"got {type(first).__name__}",
        )
        return None
    try:
        stacked = np.vstack(series.tolist()).reshape(shape)
        if is_list:
            stacked = stacked.astype(spec.type)
    except (ValueError, TypeError):
        stacked = None
    if stacked is None or len(stacked) != len(series):
        problems.add(
            Code.SHAPE_MISMATCH,
            path,
            f"the values could not be reshaped to {shape}: make every row the same length "
            f"and of a type convertible to {spec.type}",
        )
        return None
    return stacked


def enforce_tensors(data: Any, schema: Schema) -> np.ndarray | dict[str, Any]:
    """Check ``data`` against a tensor schema; return the array or dict of arrays.

    Raises:
        SchemaEnforcementError: listing every tensor that does not match.
    """
    problems = _Problems()
    if isinstance(data, pd.Series):
        data = pd.DataFrame(data)
    specs = [s for s in schema.inputs if isinstance(s, TensorSpec)]
    if schema.has_input_names():
        names = [str(s.name) for s in specs]
        if isinstance(data, np.ndarray) and len(names) == 1:
            data = {names[0]: data}
        if not isinstance(data, (dict, pd.DataFrame)):
            raise input_error(
                "this model takes named tensors: pass a dict of numpy arrays or a DataFrame "
                f"with one column per tensor; got {type(data).__name__}"
            )
        present = set(data.keys()) if isinstance(data, dict) else set(data.columns)
        out: dict[str, Any] = {}
        for name, spec in zip(names, specs):
            if name not in present:
                problems.add(
                    Code.MISSING_COLUMN,
                    name,
                    f"tensor {name!r} is required by the signature but missing from the input",
                )
                continue
            if isinstance(data, pd.DataFrame):
                out[name] = _reshape_column(data[name], spec, name, problems)
            elif not isinstance(data[name], np.ndarray):
                problems.add(
                    Code.TYPE_MISMATCH,
                    name,
                    f"expected a numpy array for tensor {name!r}, got "
                    f"{type(data[name]).__name__}: wrap it with np.asarray(..., dtype=...)",
                )
            else:
                out[name] = _check_tensor(data[name], spec, name, problems)
        result: Any = out
    else:
        spec = specs[0]
        if isinstance(data, pd.DataFrame):
            if data.empty:
                raise input_error("the input DataFrame is empty", Code.SHAPE_MISMATCH)
            if len(data.columns) == 1:
                result = _reshape_column(data[data.columns[0]], spec, "<tensor>", problems)
            elif spec.shape != (-1, len(data.columns)):
                raise input_error(
                    f"a DataFrame with {len(data.columns)} columns feeds an unnamed tensor of "
                    f"shape (-1, {len(data.columns)}); the signature says {spec.shape}",
                    Code.SHAPE_MISMATCH,
                )
            else:
                result = _check_tensor(data.to_numpy(), spec, "<tensor>", problems)
        elif isinstance(data, np.ndarray):
            result = _check_tensor(data, spec, "<tensor>", problems)
        else:
            raise input_error(
                "this model takes one unnamed tensor: pass a numpy array or a DataFrame; got "
                f"{type(data).__name__}"
            )
    if problems:
        raise SchemaEnforcementError.of(*problems)
    return result


# numpy dtypes of tensor elements as Spark stores them (sparksig.spark.convert maps a tensor to
# nested arrays of these), so a tensor column read back from Spark has this Arrow leaf type.
_SPARK_ELEMENT = {
    "bool": pa.bool_(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "uint8": pa.int16(),
    "uint16": pa.int32(),
    "uint32": pa.int64(),
    "float16": pa.float32(),
    "float32": pa.float32(),
    "float64": pa.float64(),
    "str": pa.string(),
    "bytes": pa.binary(),
}


def tensor_arrow_leaf(spec: TensorSpec) -> pa.DataType | None:
    """The Arrow element type a Spark column of this tensor holds (None: no Spark form)."""
    return _SPARK_ELEMENT.get(spec.dtype)


def check_tensor_arrow(
    col: pa.Array, spec: TensorSpec, path: str, rows: np.ndarray, findings: Findings
) -> None:
    """Check one row per batch element of a tensor column, as Spark holds it.

    A row is nested lists (one level per dimension after the first) of the tensor's element
    type. Per row: any null inside is ``null_in_required`` (tensors are never optional), and
    a list whose length differs from a fixed dimension is ``shape_mismatch``.
    """
    depth = len(spec.shape) - 1
    t = col.type
    for _ in range(depth):
        if not (pa.types.is_list(t) or pa.types.is_large_list(t)):
            t = None
            break
        t = t.value_type
    leaf = tensor_arrow_leaf(spec)
    if t is None or (leaf is not None and t != leaf and not pa.types.is_null(t)):
        findings.add(
            Code.TYPE_MISMATCH,
            path,
            f"expected a tensor column of {depth} nested array level(s) of {spec.dtype} "
            f"(shape {spec.shape}), got {col.type}: cast the column or change the signature",
        )
        return
    if findings.n == 0:
        return
    nulls, shapes = np.zeros(findings.n, dtype=bool), np.zeros(findings.n, dtype=bool)
    cur, cur_rows = col, rows
    for level in range(depth + 1):
        missing = null_mask(cur)
        nulls[cur_rows[missing]] = True
        if level == depth:
            break
        size = spec.shape[level + 1]
        if size != -1:
            lengths = pc.list_value_length(cur).fill_null(size).to_numpy(zero_copy_only=False)
            shapes[cur_rows[lengths != size]] = True
        cur, cur_rows = children(cur, cur_rows, missing)
    findings.add(
        Code.NULL_IN_REQUIRED,
        path,
        messages.tensor_null(path),
        nulls,
        [None],
    )
    findings.add(
        Code.SHAPE_MISMATCH,
        path,
        messages.tensor_shape(spec.shape, path),
        shapes,
    )
