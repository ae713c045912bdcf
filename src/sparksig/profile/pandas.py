"""Profiles from pandas: ``infer_profile(pdf)``, and scoring counts for :func:`drift`.

The pandas counterpart of ``sparksig.spark.profiling.infer_profile`` with the same output
shape: each column's type is inferred exactly as ``infer_signature`` infers it
(:func:`sparksig.infer.dtypes.pandas_column_type`), and the profile walks that type, so paths
are the signature's (``address.city`` for a dict field, ``tags[]`` for list elements,
``scores{}`` for map values).

Choices where the issue is silent:

- **Exact statistics.** Quantiles are numpy's exact ``inverted_cdf`` quantiles (each is a value
  of the column, the definition Spark's ``percentile_approx`` approximates), distinct counts are
  exact, and the profile says ``approximate=False``. Standard deviations are pandas' sample
  ``std`` (``ddof=1``, as Spark's ``stddev``).
- **Categories** for strings and booleans always, for integer columns with at most
  :data:`~sparksig.profile.statistics.TOP_CATEGORIES` distinct values (low cardinality).
- **Missing**: ``isna`` (None, NaN, ``pd.NA``, ``NaT``).

Examples:
    >>> import pandas as pd
    >>> p = infer_profile(pd.DataFrame({"age": [20, 30, None], "tags": [["a"], [], ["b", "a"]]}))
    >>> [(c.path, str(c.kind), c.count, c.null_count) for c in p.columns]
    [('age', 'numeric', 3, 1), ('tags', 'array', 3, 0), ('tags[]', 'string', 3, 0)]
    >>> p.column("tags[]").categories.values
    ('a', 'b')
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from sparksig.errors import ArgumentTypeError
from sparksig.infer.dtypes import pandas_column_type
from sparksig.profile.constraints import constraint_key
from sparksig.profile.drift import ObservedCounts
from sparksig.profile.model import ColumnProfile, Kind, Profile
from sparksig.profile.statistics import QUANTILE_PROBABILITIES, TOP_CATEGORIES
from sparksig.types import Array, DataType, Map, Object, SparkMLVector, SpecType

__all__ = ["bin_counts", "infer_profile", "observe", "walk"]

_NUMERIC = {DataType.integer, DataType.long, DataType.float, DataType.double}
_INTEGER = {DataType.integer, DataType.long}


def infer_profile(pdf: pd.DataFrame, *, top_k: int = TOP_CATEGORIES) -> Profile:
    """The profile of a pandas DataFrame: every column and nested path, exact statistics."""
    columns = [_profile(path, dtype, values, top_k) for path, dtype, values in walk(pdf)]
    return Profile(rows=len(pdf), columns=tuple(columns), approximate=False)


def walk(pdf: pd.DataFrame) -> Iterator[tuple[str, SpecType, pd.Series]]:
    """Every path of a frame with its inferred type and all its values (missing included),
    parents before their nested paths: the one walk profiling and observing share."""
    if not isinstance(pdf, pd.DataFrame):
        raise ArgumentTypeError(f"expected a pandas DataFrame, got {type(pdf).__name__}")
    for name in pdf.columns:
        path = str(name)
        series = pdf[name]
        yield from _walk(path, pandas_column_type(series, path), series)


def _walk(
    path: str, dtype: SpecType, series: pd.Series
) -> Iterator[tuple[str, SpecType, pd.Series]]:
    yield path, dtype, series
    if not isinstance(dtype, (Array, SparkMLVector, Map, Object)):
        return
    present = series[~_missing(series)]
    if isinstance(dtype, (Array, SparkMLVector)):
        element = DataType.double if isinstance(dtype, SparkMLVector) else dtype.dtype
        flat = pd.Series([x for v in present for x in _elements(v)], dtype=object)
        yield from _walk(f"{path}[]", element, _typed(flat, element))
    elif isinstance(dtype, Map):
        flat = pd.Series([x for m in present for x in m.values()], dtype=object)
        yield from _walk(f"{path}{{}}", dtype.value_type, _typed(flat, dtype.value_type))
    else:
        records = list(present)
        for prop in dtype.properties:
            values = pd.Series([r.get(prop.name) for r in records], dtype=object)
            yield from _walk(f"{path}.{prop.name}", prop.dtype, _typed(values, prop.dtype))


def _elements(value: Any) -> list[Any]:
    to_array = getattr(value, "toArray", None)  # a Spark ML vector in a pandas frame
    return list(to_array() if callable(to_array) else value)


def _missing(series: pd.Series) -> np.ndarray:
    if series.dtype.kind != "O":
        return np.asarray(series.isna().to_numpy(), dtype=bool)
    return np.fromiter(
        (
            v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)
            for v in series
        ),
        dtype=bool,
        count=len(series),
    )


def _typed(values: pd.Series, dtype: SpecType) -> pd.Series:
    """Nested values gathered into an object Series, numerics made numeric again."""
    if isinstance(dtype, DataType) and dtype in _NUMERIC:
        return pd.to_numeric(values, errors="coerce")
    return values


def _lengths(present: pd.Series) -> dict[str, Any]:
    return _length_stats(pd.Series([len(_elements(v)) for v in present], dtype="int64"))


def _profile(path: str, dtype: SpecType, series: pd.Series, top_k: int) -> ColumnProfile:
    missing = _missing(series)
    count, nulls = len(series), int(missing.sum())
    present = series[~missing]
    base: dict[str, Any] = {"count": count, "null_count": nulls}
    if isinstance(dtype, DataType) and dtype in _NUMERIC:
        return _numeric(path, present, count, nulls, integer=dtype in _INTEGER, top_k=top_k)
    if dtype == DataType.boolean:
        values = present.astype(bool)
        return ColumnProfile.from_aggregates(
            path, Kind.BOOLEAN, **base, distinct=int(values.nunique()), top=_value_counts(values)
        )
    if dtype == DataType.string:
        return ColumnProfile.from_aggregates(
            path,
            Kind.STRING,
            **base,
            distinct=int(present.nunique()),
            top=_value_counts(present),
            top_k=top_k,
            **_lengths(present),
        )
    if dtype == DataType.binary:
        return ColumnProfile.from_aggregates(
            path, Kind.BINARY, **base, distinct=int(present.nunique()), **_lengths(present)
        )
    if dtype == DataType.datetime:
        stamps = pd.to_datetime(present)
        return ColumnProfile.from_aggregates(
            path,
            Kind.DATETIME,
            **base,
            distinct=int(stamps.nunique()),
            minimum=stamps.min() if len(stamps) else None,
            maximum=stamps.max() if len(stamps) else None,
        )
    if isinstance(dtype, SparkMLVector):
        return ColumnProfile.from_aggregates(path, Kind.VECTOR, **base, **_lengths(present))
    if isinstance(dtype, Array):
        return ColumnProfile.from_aggregates(path, Kind.ARRAY, **base, **_lengths(present))
    if isinstance(dtype, Map):
        return ColumnProfile.from_aggregates(path, Kind.MAP, **base, **_lengths(present))
    if isinstance(dtype, Object):
        return ColumnProfile(path, Kind.OBJECT, count, nulls)
    return ColumnProfile(path, Kind.OTHER, count, nulls)  # any: counts only


def _numeric(
    path: str, present: pd.Series, count: int, nulls: int, *, integer: bool, top_k: int
) -> ColumnProfile:
    values = present.to_numpy(dtype="float64")
    finite = values[np.isfinite(values)]
    if len(values) == 0:
        return ColumnProfile(path, Kind.NUMERIC, count, nulls, distinct=0)
    quantiles = (
        np.quantile(finite, QUANTILE_PROBABILITIES, method="inverted_cdf") if len(finite) else None
    )
    minimum, maximum = values.min(), values.max()
    if integer and bool(np.all(values == np.round(values))):
        as_int = (
            present.to_numpy(dtype="int64")
            if present.dtype.kind in "iu"
            else values.astype("int64")
        )
        minimum, maximum = int(as_int.min()), int(as_int.max())
    distinct = int(pd.unique(values).size)
    edges = ColumnProfile.edges_for(
        [] if quantiles is None else list(quantiles), QUANTILE_PROBABILITIES, minimum, maximum
    )
    bins = bin_counts(values, edges) if edges else None
    top = None
    if integer and distinct <= top_k:
        top = _value_counts(pd.Series(present.to_numpy(dtype="int64")))
    return ColumnProfile.from_aggregates(
        path,
        Kind.NUMERIC,
        count=count,
        null_count=nulls,
        distinct=distinct,
        minimum=minimum,
        maximum=maximum,
        mean=float(values.mean()) if len(finite) == len(values) else None,
        stddev=float(np.std(values, ddof=1)) if 1 < len(values) == len(finite) else None,
        quantile_values=None if quantiles is None else list(quantiles),
        bin_counts=bins,
        top=top,
        top_k=top_k,
    )


def bin_counts(values: np.ndarray, edges: tuple[float, ...]) -> list[int]:
    """Present (non-NaN) values counted into the bins of ``edges``, as
    :func:`~sparksig.profile.statistics.bin_index` defines them, vectorised."""
    values = values[~np.isnan(values)]
    index = np.searchsorted(np.asarray(edges), values, side="right")
    index[values > edges[-1]] = len(edges) + 1
    return [int(c) for c in np.bincount(index, minlength=len(edges) + 2)]


def _value_counts(values: pd.Series) -> list[tuple[Any, int]]:
    counts: dict[tuple[str, Any], list[Any]] = {}
    for v in values:
        v = v.item() if hasattr(v, "item") else v
        key = constraint_key(v)
        if key in counts:
            counts[key][1] += 1
        else:
            counts[key] = [v, 1]
    return [(v, c) for v, c in counts.values()]


def _length_stats(lengths: pd.Series) -> dict[str, Any]:
    if len(lengths) == 0:
        return {}
    arr = lengths.to_numpy(dtype="int64")
    return {
        "length_min": int(arr.min()),
        "length_max": int(arr.max()),
        "length_mean": float(arr.mean()),
    }


def observe(profile: Profile, pdf: pd.DataFrame) -> dict[str, ObservedCounts]:
    """Scoring counts of a pandas DataFrame for every profiled path it has, for
    :func:`sparksig.profile.drift.drift` (nested paths too: the frame is walked as
    :func:`infer_profile` walks it, so paths match without being parsed)."""
    counts: dict[str, ObservedCounts] = {}
    for path, _, series in walk(pdf):
        col = profile.get(path)
        if col is not None:
            counts[path] = _observed(col, series)
    return counts


def _observed(col: ColumnProfile, series: pd.Series) -> ObservedCounts:
    missing = _missing(series)
    present = series[~missing]
    bins = None
    if col.histogram is not None:
        numbers = pd.to_numeric(present, errors="coerce").to_numpy(dtype="float64")
        bins = tuple(bin_counts(numbers, col.histogram.edges))
    categories, other = None, 0
    if col.categories is not None:
        index = {constraint_key(v): i for i, v in enumerate(col.categories.values)}
        found = [0] * len(index)
        for v, c in _value_counts(present):
            i = index.get(constraint_key(v))
            if i is None:
                other += c
            else:
                found[i] += c
        categories = tuple(found)
    return ObservedCounts(len(series), int(missing.sum()), bins, categories, other)
