"""The scoring UDF's input side on executors: one Arrow batch of named inputs -> the model's input.

:class:`InputEnforcer` is compiled once on the driver and applied to every batch, after
:mod:`sparksig.spark.udf.arguments` has named the batch's columns. Per batch, in this order:

1. Spark ML vectors become dense ``list<double>`` (at any depth; null vectors stay null);
2. timestamps are checked against the signature's ``datetime`` (numpy ``datetime64[ns]``, as
   in MLflow): a value outside 1677-09-21 .. 2262-04-11, at any depth, is an ``out_of_range``
   violation, raised before pandas would fail on it with ``OutOfBoundsDatetime``;
3. nested columns are checked on the Arrow batch (offsets and child arrays, no row loops);
4. timestamps, at any depth, become naive wall-clock times in the session time zone (Spark
   sends zoned instants), as pyspark gives them to pandas UDFs;
5. the batch becomes pandas: ``variant`` values (``any``) become Python values, and integer
   columns holding nulls become pandas nullable integers (``Int64``) instead of float64;
6. scalar columns are converted by the engine's rules (``enforce_schema``'s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sparksig.enforce.findings import Findings
from sparksig.enforce.nested import ArrowContext, check_values, children, null_mask
from sparksig.enforce.plan import Plan, compile_plan
from sparksig.errors import SchemaEnforcementError
from sparksig.options import Mode
from sparksig.results import ValidationReport, Violation
from sparksig.schema import ColSpec, Schema
from sparksig.spark.convert import column_name
from sparksig.spark.udf.variants import has_variant, to_python
from sparksig.spark.udf.vectors import contains, dense_vectors, has_vector, replace_leaves
from sparksig.types import AnyType, DataType, contains_any

__all__ = ["InputEnforcer", "out_of_range"]

_SAMPLE_FRACTION = 0.1
_SAMPLE_MIN_ROWS = 100


@dataclass(frozen=True, slots=True)
class InputEnforcer:
    """Turns one named Arrow batch into the model's enforced pandas input (runs on executors).

    Scalar columns are converted on pandas by the engine's scalar rules (cheap: dtype checks,
    at most an ``astype``); nested columns (arrays, objects, maps, vectors) are checked on the
    Arrow batch itself, before any pandas object exists. ``sampled`` checks nested values on
    a seeded 10% (at least 100 rows) of each batch, plus every row where a required nested
    input is null (free to find); timestamps are range-checked on every row either way.

    Examples:
        >>> enforcer = InputEnforcer.compile(Schema([ColSpec("long", "n")]), "UTC", False)
        >>> frame, n = enforcer(pa.record_batch({"n": pa.array([1, None])}), 0)
        >>> str(frame["n"].dtype), n
        ('Int64', 2)
    """

    scalar_plan: Plan | None
    nested_plan: Plan | None
    tensor_plan: Plan | None
    names: tuple[str, ...]
    any_columns: frozenset[str]
    timezone: str
    sampled: bool

    @classmethod
    def compile(cls, inputs: Schema | None, timezone: str, sampled: bool) -> InputEnforcer:
        if inputs is None:
            return cls(None, None, None, (), frozenset(), timezone, sampled)
        names = tuple(column_name(s, i) for i, s in enumerate(inputs.inputs))
        if inputs.is_tensor_spec():
            return cls(None, None, compile_plan(inputs), names, frozenset(), timezone, sampled)
        named = [ColSpec(s.type, n, s.required) for s, n in zip(inputs.inputs, names)]
        scalar = [c for c in named if isinstance(c.type, (DataType, AnyType))]
        nested = [c for c in named if not isinstance(c.type, (DataType, AnyType))]
        return cls(
            compile_plan(Schema(scalar)) if scalar else None,
            compile_plan(Schema(nested)) if nested else None,
            None,
            names,
            frozenset(str(c.name) for c in named if contains_any(c.type)),
            timezone,
            sampled,
        )

    def __call__(self, batch: pa.RecordBatch, number: int) -> tuple[Any, int]:
        """The model's input for one batch, and its row count."""
        if any(has_vector(t) for t in batch.schema.types):
            batch = pa.RecordBatch.from_arrays(
                [dense_vectors(c) for c in batch.columns], names=batch.schema.names
            )
        violations = out_of_range(batch)
        if violations:
            raise SchemaEnforcementError.of(*violations, rows_checked=batch.num_rows)
        if any(contains(t, _zoned) for t in batch.schema.types):
            batch = pa.RecordBatch.from_arrays(
                [replace_leaves(c, _zoned, self._wall_clock) for c in batch.columns],
                names=batch.schema.names,
            )
        if self.nested_plan is not None:
            self._check_nested(batch, number)
        frame = _to_pandas(batch, self.any_columns)
        n = len(frame)
        if self.tensor_plan is not None:
            return self.tensor_plan.enforce(frame), n
        if self.scalar_plan is None:
            return (frame[list(self.names)] if self.names else frame), n
        if self.nested_plan is None:
            return self.scalar_plan.enforce(frame), n
        scalar_names = [s.name for s in self.scalar_plan.schema.inputs]
        converted = self.scalar_plan.enforce(frame[[c for c in scalar_names if c in frame]])
        columns = {
            c: converted[c] if c in converted else frame[c]
            for c in self.names
            if c in converted or c in frame
        }
        return pd.DataFrame(columns, index=frame.index), n

    def _wall_clock(self, arr: pa.Array) -> pa.Array:
        """Zoned timestamps as naive wall-clock times in the session time zone."""
        return pc.local_timestamp(arr.cast(pa.timestamp(arr.type.unit, self.timezone)))

    def _check_nested(self, batch: pa.RecordBatch, number: int) -> None:
        assert self.nested_plan is not None
        specs = [s for s in self.nested_plan.schema.inputs if s.name in batch.schema.names]
        view = batch.select([s.name for s in specs])
        rows = None
        if self.sampled and batch.num_rows > _SAMPLE_MIN_ROWS:
            size = max(_SAMPLE_MIN_ROWS, int(batch.num_rows * _SAMPLE_FRACTION))
            rng = np.random.default_rng(number)
            rows = rng.choice(batch.num_rows, size, replace=False)
            # A null where a nested input is required costs nothing to find on every row.
            nulls = [view.column(s.name) for s in specs if s.required]
            null_rows = [np.flatnonzero(c.is_null()) for c in nulls if c.null_count]
            rows = np.unique(np.concatenate([rows, *null_rows]))
        check = self.nested_plan.check(view, rows=rows)
        if not check.ok:
            raise SchemaEnforcementError(
                ValidationReport(
                    mode=Mode.SAMPLED if rows is not None else Mode.FULL,
                    rows_checked=check.rows_checked,
                    violations=check.violations,
                )
            )


def _zoned(t: pa.DataType) -> bool:
    return pa.types.is_timestamp(t) and t.tz is not None


def _to_pandas(batch: pa.RecordBatch, any_columns: frozenset[str]) -> pd.DataFrame:
    """A batch as pandas, the way pyspark's pandas UDFs see it, but with ints kept as ints.

    Maps become dicts, as in pyspark; unlike pyspark, an integer column holding nulls becomes
    a pandas nullable integer (``Int64``) instead of float64, so a ``long`` column is a long
    in every batch, and the variants of an ``any`` input become the Python values they hold.
    """
    special: dict[int, pd.Series] = {}
    for i, (name, col) in enumerate(zip(batch.schema.names, batch.columns)):
        if name in any_columns and has_variant(col.type):
            special[i] = pd.Series(to_python(col), dtype=object)
        elif pa.types.is_integer(col.type) and col.null_count:
            nullable = pd.api.types.pandas_dtype(f"I{col.type.to_pandas_dtype().__name__[1:]}")
            special[i] = pd.Series(nullable.__from_arrow__(col))
    rest = [i for i in range(batch.num_columns) if i not in special]
    frame = batch.select(rest).to_pandas(maps_as_pydicts="strict") if rest else None
    if frame is None:
        frame = pd.DataFrame(index=pd.RangeIndex(batch.num_rows))
    for i in sorted(special):
        frame.insert(i, batch.schema.names[i], special[i], allow_duplicates=True)
    return frame


# -- timestamps outside datetime64[ns] ------------------------------------------------------


def _temporal(t: pa.DataType) -> bool:
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return True
    if pa.types.is_struct(t):
        return any(_temporal(t.field(i).type) for i in range(t.num_fields))
    if pa.types.is_map(t):
        return _temporal(t.item_type)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return _temporal(t.value_type)
    return False


def _range_check(arr: pa.Array, path: str, rows: np.ndarray, ctx: ArrowContext) -> None:
    """The engine's datetime value check on every timestamp in ``arr``, at any depth."""
    t = arr.type
    if not _temporal(t):
        return
    if pa.types.is_struct(t):
        for i, child in enumerate(arr.flatten()):  # flatten() applies the struct's nulls
            _range_check(child, f"{path}.{t.field(i).name}", rows, ctx)
    elif pa.types.is_map(t):
        items, item_rows = children(arr, rows, null_mask(arr), values=arr.items)
        _range_check(items, f"{path}{{}}", item_rows, ctx)
    elif pa.types.is_timestamp(t) or pa.types.is_date(t):
        check_values(arr, DataType.datetime, path, rows, ctx)
    else:
        child, child_rows = children(arr, rows, null_mask(arr))
        _range_check(child, f"{path}[]", child_rows, ctx)


def out_of_range(batch: pa.RecordBatch) -> tuple[Violation, ...]:
    """``out_of_range`` violations for timestamps and dates that ``datetime64[ns]`` cannot hold.

    The engine's rule (:func:`sparksig.enforce.nested.check_values`), applied to every row and
    every depth, one vectorised comparison per timestamp leaf. Counts are rows affected.

    Examples:
        >>> from datetime import datetime
        >>> t = pa.array([datetime(1, 1, 1), datetime(2020, 1, 1)], pa.timestamp("us"))
        >>> [(v.code.value, v.column_path, v.count) for v in out_of_range(pa.record_batch({"t": t}))]
        [('out_of_range', 't', 1)]
    """
    if not any(_temporal(t) for t in batch.schema.types):
        return ()
    findings = Findings(batch.num_rows)
    ctx = ArrowContext(findings, from_spark=True)
    rows = np.arange(batch.num_rows)
    for name, col in zip(batch.schema.names, batch.columns):
        _range_check(col, name, rows, ctx)
    return findings.violations()
