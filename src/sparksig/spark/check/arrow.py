"""The Arrow engine on Spark: the reference implementation of the data-level checks.

Rows travel to Python workers through ``mapInArrow`` and the enforcement engine
(:meth:`sparksig.enforce.plan.Plan.check`) judges each Arrow batch; each task emits a few
summary rows (code, path, count, examples) that Spark aggregates in the same job, so counts
are exact under task retries (no accumulators). ``validate(..., engine="arrow")`` runs it;
the native engine (:mod:`sparksig.spark.check.native`) must agree with it, and a differential test
keeps them so.

Columns travel under positional names (``__c0``, ``__c1``...), so no column name, however
odd, has to survive Arrow's field naming; violation paths are renamed back afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.enforce.plan import Plan, compile_plan
from sparksig.options import MAX_EXAMPLES
from sparksig.results import Violation, to_jsonable
from sparksig.schema import ColSpec, Schema, TensorSpec
from sparksig.spark.check import reasons
from sparksig.spark.check.binding import Bound, TableBinding, col
from sparksig.spark.check.sql import field_of
from sparksig.spark.convert import is_vector_udt

__all__ = ["ArrowChecks", "arrow_checks"]

_ROWS = "__rows__"
_SUMMARY = T.StructType(
    [
        T.StructField("code", T.StringType()),
        T.StructField("path", T.StringType()),
        T.StructField("count", T.LongType()),
        T.StructField("examples", T.StringType()),
        T.StructField("message", T.StringType()),
    ]
)


def dense(bound: Bound) -> Column:
    """A declared column as the engines read it: Spark ML vectors as ``array<double>``, at any
    depth (a vector inside an array, map or struct too)."""
    assert bound.field is not None
    return _dense(bound.source, bound.field.dataType)


def _dense(e: Column, t: T.DataType) -> Column:
    if is_vector_udt(t):
        from pyspark.ml.functions import vector_to_array

        # vector_to_array fails on null vectors: they stay null (the null check reports them)
        return F.when(e.isNotNull(), vector_to_array(e))
    if not _has_vector(t):
        return e
    if isinstance(t, T.ArrayType):
        return F.transform(e, lambda x: _dense(x, t.elementType))
    if isinstance(t, T.MapType):
        return F.transform_values(e, lambda _, v: _dense(v, t.valueType))
    assert isinstance(t, T.StructType)
    fields = [_dense(field_of(e, t, f.name), f.dataType).alias(f.name) for f in t.fields]
    return F.when(e.isNotNull(), F.struct(*fields))


def _has_vector(t: T.DataType) -> bool:
    if is_vector_udt(t):
        return True
    if isinstance(t, T.ArrayType):
        return _has_vector(t.elementType)
    if isinstance(t, T.MapType):
        return _has_vector(t.valueType)
    if isinstance(t, T.StructType):
        return any(_has_vector(f.dataType) for f in t.fields)
    return False


class ArrowChecks:
    """The checked columns of a binding, as the Arrow engine sees them."""

    def __init__(self, binding: TableBinding, *, strict_nulls: bool, finite_only: bool) -> None:
        self.columns = binding.checked
        self.safe = [f"__c{i}" for i in range(len(self.columns))]
        specs = [_renamed(b.spec, s) for b, s in zip(self.columns, self.safe)]
        # no column to check (all absent, condemned or any): no plan, every row passes
        self.plan: Plan | None = (
            compile_plan(Schema(specs), strict_nulls=strict_nulls, finite_only=finite_only)
            if specs
            else None
        )

    def exprs(self) -> list[Column]:
        return [dense(b).alias(s) for b, s in zip(self.columns, self.safe)]

    def real_path(self, path: str) -> str:
        """``__c1.a`` -> ``address.a``: a violation path under the declared name."""
        for bound, safe in zip(self.columns, self.safe):
            if path == safe or (path.startswith(safe) and path[len(safe)] in ".[{"):
                return bound.name + path[len(safe) :]
        return path

    def real_label(self, label: str) -> str:
        code, _, path = label.partition(":")
        return f"{code}:{self.real_path(path)}"

    def real_reason(self, label: str) -> dict[str, str]:
        """The reference plan's ``code:path`` label (its own text: codes hold no colon) as
        a reasons element under the declared name."""
        code, _, path = label.partition(":")
        return {"code": code, "path": self.real_path(path)}


def arrow_checks(binding: TableBinding, *, strict_nulls: bool, finite_only: bool) -> ArrowChecks:
    return ArrowChecks(binding, strict_nulls=strict_nulls, finite_only=finite_only)


def summarise(
    source: DataFrame, checks: ArrowChecks, keys: Sequence[str]
) -> tuple[list[Violation], int]:
    """Violations and rows checked, in one job over ``source`` (Python workers)."""
    keyed = [f"__k{i}" for i in range(len(keys))]
    frame = source.select(*checks.exprs(), *[col(k).alias(s) for k, s in zip(keys, keyed)])
    plan = checks.plan
    assert plan is not None, "validate reads no rows when no column is checked"
    names = tuple(keys)
    width = len(checks.safe)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        rows = 0
        out: dict[str, list[Any]] = {f.name: [] for f in _SUMMARY.fields}
        for batch in batches:
            if not batch.num_rows:
                continue
            rows += batch.num_rows
            view = pa.RecordBatch.from_arrays(batch.columns[:width], names=checks.safe)
            check = plan.check(view)
            examples = _keyed_examples(batch, check, names, keyed) if names else None
            for v in check.violations:
                shown = examples.get(f"{v.code}:{v.column_path}") if examples else None
                out["code"].append(v.code)
                out["path"].append(v.column_path)
                out["count"].append(v.count)
                out["examples"].append(
                    json.dumps(shown if shown is not None else v.to_dict()["examples"])
                )
                out["message"].append(v.message)
        out["code"].append(_ROWS)
        out["path"].append("")
        out["count"].append(rows)
        out["examples"].append("[]")
        out["message"].append("")
        yield pa.RecordBatch.from_pydict(out, schema=_arrow_summary())

    summary = (
        frame.mapInArrow(run, _SUMMARY)
        .groupBy("code", "path")
        .agg(
            F.sum("count").alias("count"),
            F.slice(F.collect_list("examples"), 1, MAX_EXAMPLES).alias("examples"),
            F.first("message").alias("message"),
        )
        .collect()
    )
    rows_checked, found = 0, []
    for row in summary:
        if row["code"] == _ROWS:
            rows_checked = int(row["count"] or 0)
            continue
        examples: list[Any] = []
        for chunk in row["examples"]:
            examples.extend(json.loads(chunk))
        path = checks.real_path(row["path"])
        message = row["message"].replace(row["path"], path)
        found.append(
            Violation(row["code"], path, int(row["count"]), tuple(examples[:MAX_EXAMPLES]), message)
        )
    return found, rows_checked


def flag(df: DataFrame, checks: ArrowChecks, reasons_name: str) -> DataFrame:
    """``df`` plus ``reasons_name`` (:mod:`sparksig.spark.check.reasons`; null for clean rows).

    The table's own columns travel under positional names too (``__d0``...), renamed back
    afterwards: ``mapInArrow`` resolves its input columns by name, and a name such as ``c.d``
    does not resolve to itself.
    """
    reasons_type = pa.list_(pa.struct([("code", pa.string()), ("path", pa.string())]))
    plan = checks.plan
    if plan is None:
        return df.select("*", reasons.none().alias(reasons_name))
    width = len(df.columns)
    carried = [f"__d{i}" for i in range(width)]
    source = df.select("*", *checks.exprs()).toDF(*carried, *checks.safe)
    out_schema = T.StructType(
        [
            *(T.StructField(c, f.dataType, f.nullable) for c, f in zip(carried, df.schema.fields)),
            T.StructField(reasons_name, reasons.REASONS_TYPE, True),
        ]
    )
    labels: dict[str, str] = {}

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            view = pa.RecordBatch.from_arrays(batch.columns[width:], names=checks.safe)
            check = plan.check(view) if batch.num_rows else None
            if check is None or check.ok:
                found = pa.nulls(batch.num_rows, type=reasons_type)
            else:
                found = _reasons(check.reasons_arrow(), checks, labels, reasons_type)
            yield pa.RecordBatch.from_arrays(
                [*batch.columns[:width], found], names=[*batch.schema.names[:width], reasons_name]
            )

    return source.mapInArrow(run, out_schema).toDF(*df.columns, reasons_name)


def _reasons(
    labels: pa.ListArray, checks: ArrowChecks, cache: dict, reasons_type: pa.DataType
) -> pa.ListArray:
    values = labels.values.to_pylist()
    found = [cache.setdefault(v, checks.real_reason(v)) for v in values]
    return pa.ListArray.from_arrays(
        labels.offsets, pa.array(found, reasons_type.value_type), mask=labels.is_null()
    )


def _keyed_examples(
    batch: pa.RecordBatch, check: Any, keys: tuple[str, ...], keyed: list[str]
) -> dict[str, list]:
    """Per ``code:path``: ``{"value": the row's column value, "keys": {...}}`` of bad rows."""
    out = {}
    for label, mask in check.row_masks():
        path = label.split(":", 1)[1]
        top = next(
            (
                s
                for s in batch.schema.names
                if path == s or (path.startswith(s) and path[len(s)] in ".[{")
            ),
            None,
        )
        taken = pa.array(mask.nonzero()[0][:MAX_EXAMPLES], type=pa.int64())
        values = batch.column(top).take(taken).to_pylist() if top else [None] * len(taken)
        key_values = {k: batch.column(s).take(taken).to_pylist() for k, s in zip(keys, keyed)}
        out[label] = [
            {"value": to_jsonable(v), "keys": {k: to_jsonable(key_values[k][i]) for k in keys}}
            for i, v in enumerate(values)
        ]
    return out


def _arrow_of(struct: T.StructType) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(struct, timezone="UTC")


def _arrow_summary() -> pa.Schema:
    return _arrow_of(_SUMMARY)


def _renamed(spec: ColSpec | TensorSpec, name: str) -> ColSpec | TensorSpec:
    if isinstance(spec, TensorSpec):
        return TensorSpec(spec.dtype, spec.shape, name)
    return ColSpec(spec.type, name, spec.required)
