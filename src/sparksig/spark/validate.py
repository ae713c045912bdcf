"""Check a Spark table against a signature before scoring, and conform it without losing rows.

Two layers, one rule set:

* **Schema level** — ``df.schema`` against the signature, with no Spark job: the engine
  (:mod:`sparksig.enforce`) checks an *empty* Arrow batch of the table's Arrow schema, so a
  missing column or an incompatible type is reported by the same code that checks batches.
* **Data level** — the engine's :meth:`~sparksig.enforce.plan.Plan.check` runs inside
  ``mapInArrow`` on the executors; each task emits a few summary rows (code, path, count,
  examples) that Spark aggregates. One job, no ``collect()`` of data, and exact under task
  retries (Spark keeps one attempt's output per partition; no accumulators).

``validate`` is strict about nulls (a null in a required column or nested field is a
violation); scoring follows MLflow and lets top-level nulls through (see DESIGN.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.enforce.plan import Plan, compile_plan
from sparksig.errors import (
    SchemaDefinitionError,
    ValidationReport,
    Violation,
    to_jsonable,
)
from sparksig.schema import ColSpec, Schema, TensorSpec
from sparksig.signature import ModelSignature
from sparksig.spark.convert import column_name, is_vector_udt, to_spark_schema
from sparksig.types import AnyType

__all__ = ["REASONS_COLUMN", "conform", "validate"]

REASONS_COLUMN = "_sparksig_reasons"
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
_DEFAULT_SAMPLE_ROWS = 100_000


def _input_schema(schema_or_signature: Schema | ModelSignature) -> Schema:
    if isinstance(schema_or_signature, ModelSignature):
        if schema_or_signature.inputs is None:
            raise SchemaDefinitionError("the signature has no input schema to validate against")
        return schema_or_signature.inputs
    if isinstance(schema_or_signature, Schema):
        return schema_or_signature
    raise SchemaDefinitionError(
        f"expected a sparksig Schema or ModelSignature, got {type(schema_or_signature).__name__}"
    )


@dataclass(frozen=True)
class _Binding:
    """How a table's columns meet a schema: what to read, and what the schema level found."""

    frame: DataFrame  # declared columns that passed the schema level (vectors as arrays) + keys
    plan: Plan  # the schema restricted to those columns
    findings: tuple[Violation, ...]  # schema-level violations (count None)
    exprs: dict[str, Any]  # every declared column present in the table: name -> expression


_KEY = "__sparksig_key__"


def _bind(df: DataFrame, schema: Schema, strict_nulls: bool, keys: Sequence[str] = ()) -> _Binding:
    fields = list(df.schema.fields)
    named = schema.has_input_names()
    exprs: dict[str, Any] = {}
    specs: dict[str, ColSpec | TensorSpec] = {}
    for i, spec in enumerate(schema.inputs):
        name = column_name(spec, i)
        if named:
            field = next((f for f in fields if f.name == name), None)
        else:
            field = fields[i] if i < len(fields) else None
        if field is None:
            continue
        col = F.col(f"`{field.name}`")
        if is_vector_udt(field.dataType):
            from pyspark.ml.functions import vector_to_array

            col = vector_to_array(col)
        exprs[name] = col.alias(name)
        specs[name] = spec
    renamed = Schema([_renamed(s, column_name(s, i)) for i, s in enumerate(schema.inputs)])
    # Unnamed schemas are matched by position (and their column count checked) by the engine.
    plan = compile_plan(renamed if named else schema, strict_nulls=strict_nulls)
    findings = _schema_findings(df.select(*exprs.values()), plan)
    # Columns the schema level already condemned are not read again by the data pass, nor
    # are AnyType columns (nothing to check).
    condemned = {_top_level(v.column_path) for v in findings}
    kept = [n for n in exprs if n not in condemned and not isinstance(specs[n].type, AnyType)]
    frame = df.select(
        *[exprs[n] for n in kept], *[F.col(f"`{k}`").alias(f"{_KEY}{k}") for k in keys]
    )
    data_plan = plan
    if kept:
        data_plan = compile_plan(
            Schema([_renamed(specs[n], n) for n in kept]), strict_nulls=strict_nulls
        )
    return _Binding(frame, data_plan, findings, exprs)


def _top_level(path: str) -> str:
    """The column a violation path starts in: ``o`` for ``o.a``, ``arr`` for ``arr[].p``."""
    return re.split(r"[.\[{]", path, maxsplit=1)[0]


def _renamed(spec: ColSpec | TensorSpec, name: str) -> ColSpec | TensorSpec:
    if isinstance(spec, TensorSpec):
        return TensorSpec(spec.dtype, spec.shape, name)
    return ColSpec(spec.type, name, spec.required)


def _arrow_schema(struct: T.StructType) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(struct, timezone="UTC")


def _schema_findings(frame: DataFrame, plan: Plan) -> tuple[Violation, ...]:
    """Run the engine on an empty batch: only schema-level problems can show up."""
    empty = pa.RecordBatch.from_pylist([], schema=_arrow_schema(frame.schema))
    check = plan.check(empty)
    # Shapes are a property of the rows: an empty batch has none to judge.
    return tuple(
        Violation(v.code, v.column_path, None, (), v.message)
        for v in check.violations
        if v.code != "shape_mismatch"
    )


def validate(
    df: DataFrame,
    schema_or_signature: Schema | ModelSignature,
    mode: str = "full",
    fraction: float | None = None,
    max_rows: int | None = None,
    seed: int | None = None,
    key_columns: Sequence[str] = (),
    strict_nulls: bool = True,
) -> ValidationReport:
    """Check a Spark DataFrame against a schema (or a signature's inputs).

    Args:
        df: the table to check.
        schema_or_signature: what the table must satisfy.
        mode: ``"full"`` reads every row and gives exact counts; ``"sampled"`` reads a seeded
            Bernoulli sample spread over the whole table and reports counts for the sample.
        fraction: sampled mode's fraction of rows. When omitted, the fraction is chosen to
            read about ``max_rows`` rows (default 100,000), which costs one ``count()``.
        max_rows: sampled mode's target sample size when ``fraction`` is not given.
        seed: sampled mode's seed (default 0, so repeated runs check the same rows).
        key_columns: columns whose values are attached to each example, so the bad rows can
            be found again (examples become ``{"value": ..., "keys": {...}}``).
        strict_nulls: a null in a required top-level column is a violation (the default
            for validation). ``False`` follows MLflow's scoring rule: required means present.

    Returns:
        A :class:`~sparksig.errors.ValidationReport`; schema-level findings have
        ``count=None``.

    Examples:
        >>> report = validate(df, signature, mode="sampled", fraction=0.01)  # doctest: +SKIP
        >>> report.ok, report.rows_checked  # doctest: +SKIP
        (True, 99871)
    """
    if mode not in ("full", "sampled"):
        raise SchemaDefinitionError(f"mode must be 'full' or 'sampled', got {mode!r}")
    schema = _input_schema(schema_or_signature)
    missing_keys = [k for k in key_columns if k not in df.columns]
    if missing_keys:
        raise SchemaDefinitionError(f"key columns {missing_keys} are not columns of the table")
    binding = _bind(df, schema, strict_nulls=strict_nulls, keys=key_columns)
    if len(binding.frame.columns) == len(key_columns):
        return ValidationReport(mode=mode, rows_checked=0, violations=binding.findings)
    source = binding.frame
    if mode == "sampled":
        source = source.sample(
            withReplacement=False,
            fraction=_fraction(df, fraction, max_rows),
            seed=0 if seed is None else seed,
        )
    plan = binding.plan
    keys = tuple(key_columns)

    def summarise(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        rows = 0
        out: dict[str, list[Any]] = {f.name: [] for f in _SUMMARY.fields}
        for batch in batches:
            if not batch.num_rows:  # empty partitions: nothing to judge
                continue
            rows += batch.num_rows
            check = plan.check(batch)
            examples = _keyed_examples(batch, check, keys) if keys else None
            for v in check.violations:
                out["code"].append(v.code)
                out["path"].append(v.column_path)
                out["count"].append(v.count)
                shown = examples.get(f"{v.code}:{v.column_path}") if examples else None
                out["examples"].append(
                    json.dumps(shown if shown is not None else v.to_dict()["examples"])
                )
                out["message"].append(v.message)
        out["code"].append(_ROWS)
        out["path"].append("")
        out["count"].append(rows)
        out["examples"].append("[]")
        out["message"].append("")
        yield pa.RecordBatch.from_pydict(out, schema=_arrow_schema(_SUMMARY))

    summary = (
        source.mapInArrow(summarise, _SUMMARY)
        .groupBy("code", "path")
        .agg(
            F.sum("count").alias("count"),
            F.slice(F.collect_list("examples"), 1, 5).alias("examples"),
            F.first("message").alias("message"),
        )
        .collect()
    )
    rows_checked = 0
    found = []
    for row in summary:
        if row["code"] == _ROWS:
            rows_checked = int(row["count"] or 0)
            continue
        examples: list[Any] = []
        for chunk in row["examples"]:
            examples.extend(json.loads(chunk))
        found.append(
            Violation(
                row["code"], row["path"], int(row["count"]), tuple(examples[:5]), row["message"]
            )
        )
    found.sort(key=lambda v: (v.column_path, v.code))
    return ValidationReport(
        mode=mode,
        rows_checked=rows_checked,
        violations=binding.findings + tuple(found),
    )


def _fraction(df: DataFrame, fraction: float | None, max_rows: int | None) -> float:
    if fraction is not None:
        if not 0 < fraction <= 1:
            raise SchemaDefinitionError(f"fraction must be in (0, 1], got {fraction}")
        return float(fraction)
    target = max_rows or _DEFAULT_SAMPLE_ROWS
    total = df.count()
    return 1.0 if total <= target else target / total


def _keyed_examples(batch: pa.RecordBatch, check: Any, keys: tuple[str, ...]) -> dict[str, list]:
    """Per ``code:path``: up to five ``{"value": column value, "keys": {...}}`` of bad rows.

    The value is the offending row's whole top-level column (for ``items[].price`` the
    ``items`` array), which shows the bad element in context.
    """
    out = {}
    names = batch.schema.names
    for label, mask in check.row_masks():
        path = label.split(":", 1)[1]
        top = _top_level(path)
        taken = pa.array(mask.nonzero()[0][:5], type=pa.int64())
        values = batch.column(top).take(taken).to_pylist() if top in names else [None] * len(taken)
        key_values = {k: batch.column(f"{_KEY}{k}").take(taken).to_pylist() for k in keys}
        out[label] = [
            {"value": to_jsonable(v), "keys": {k: to_jsonable(key_values[k][i]) for k in keys}}
            for i, v in enumerate(values)
        ]
    return out


_CONDEMNS_EVERY_ROW = {"missing_column", "type_mismatch", "unsafe_cast", "column_count"}


def conform(
    df: DataFrame,
    schema_or_signature: Schema | ModelSignature,
    on_error: str = "raise",
    keep_columns: Sequence[str] = (),
    strict_nulls: bool = True,
) -> DataFrame | tuple[DataFrame, DataFrame]:
    """Make a DataFrame match a signature: reorder, drop undeclared columns, cast losslessly.

    Every row is checked with the same strict rules as :func:`validate` (nulls in required
    columns and nested fields are violations).

    Args:
        df: the table to conform.
        schema_or_signature: the target.
        on_error: ``"raise"`` -> the conformed frame, or :class:`SchemaEnforcementError`
            carrying the full report (one validation job first); ``"drop"`` -> the conformed
            frame of valid rows only; ``"quarantine"`` -> ``(valid_df, rejected_df)``: every
            input row lands in exactly one of them. ``rejected_df`` keeps the row as it came,
            with an extra ``_sparksig_reasons`` column (``array<string>`` of ``"code:path"``).
        keep_columns: undeclared columns (ids, keys) to carry through to the valid frame,
            after the signature's columns (declared ones are there already).
        strict_nulls: as in :func:`validate`; ``sparksig.enforce_schema(spark_df, ...)``
            passes ``False`` to follow MLflow's rule for top-level columns.

    The valid and rejected frames share one lazy check; ``cache()`` the input when you will
    read both, or the check runs once per frame.

    Examples:
        >>> valid, rejected = conform(df, signature, on_error="quarantine")  # doctest: +SKIP
        >>> valid.count() + rejected.count() == df.count()  # doctest: +SKIP
        True
    """
    if on_error not in ("raise", "drop", "quarantine"):
        raise SchemaDefinitionError(
            f"on_error must be 'raise', 'drop' or 'quarantine', got {on_error!r}"
        )
    schema = _input_schema(schema_or_signature)
    missing_keep = [k for k in keep_columns if k not in df.columns]
    if missing_keep:
        raise SchemaDefinitionError(f"keep_columns {missing_keep} are not columns of the table")
    if on_error == "raise":
        validate(df, schema, mode="full", strict_nulls=strict_nulls).raise_for_violations()
    binding = _bind(df, schema, strict_nulls=strict_nulls)
    target = to_spark_schema(schema)
    # A kept column that the signature declares is already in the valid frame.
    keep_columns = [k for k in keep_columns if k not in target.fieldNames()]
    fatal = [v for v in binding.findings if v.code in _CONDEMNS_EVERY_ROW]
    if fatal:
        # No row can satisfy the schema: reject everything without reading the data twice.
        reasons = F.array(*[F.lit(f"{v.code}:{v.column_path}") for v in fatal])
        rejected = df.withColumn(REASONS_COLUMN, reasons)
        valid = df.sparkSession.createDataFrame([], _with_kept(target, df, keep_columns))
        return (valid, rejected) if on_error == "quarantine" else valid
    flagged = _flag_rows(df, binding)
    valid_rows = flagged.filter(F.col(REASONS_COLUMN).isNull())
    valid = valid_rows.select(
        *[_cast(binding, f) for f in target.fields], *[F.col(f"`{k}`") for k in keep_columns]
    )
    if on_error == "quarantine":
        return valid, flagged.filter(F.col(REASONS_COLUMN).isNotNull())
    return valid


def _with_kept(target: T.StructType, df: DataFrame, keep: Sequence[str]) -> T.StructType:
    return T.StructType([*target.fields, *[df.schema[k] for k in keep]])


def _cast(binding: _Binding, field: T.StructField) -> Any:
    expr = binding.exprs.get(field.name)
    if expr is None:  # a missing optional column: present, and null
        return F.lit(None).cast(field.dataType).alias(field.name)
    if isinstance(field.dataType, T.VariantType):
        return expr.alias(field.name)
    return expr.cast(_nullable(field.dataType)).alias(field.name)


def _nullable(t: T.DataType) -> T.DataType:
    """``t`` with every nested field nullable: Spark refuses casts that tighten nullability.

    The conformed frame's non-null guarantee comes from the row check, not from Spark's
    (advisory) nullability flags.
    """
    if isinstance(t, T.StructType):
        return T.StructType([T.StructField(f.name, _nullable(f.dataType), True) for f in t.fields])
    if isinstance(t, T.ArrayType):
        return T.ArrayType(_nullable(t.elementType), True)
    if isinstance(t, T.MapType):
        return T.MapType(t.keyType, _nullable(t.valueType), True)
    return t


def _flag_rows(df: DataFrame, binding: _Binding) -> DataFrame:
    """``df`` plus ``_sparksig_reasons`` (null for rows that pass), in one mapInArrow pass."""
    plan = binding.plan
    checked = [c for c in binding.frame.columns if not c.startswith(_KEY)]
    extra = {f"{_KEY}{n}": binding.exprs[n] for n in checked}
    source = df.select("*", *[e.alias(k) for k, e in extra.items()])
    width = len(df.columns)
    reasons_type = pa.list_(pa.string())
    out_schema = T.StructType(
        [*df.schema.fields, T.StructField(REASONS_COLUMN, T.ArrayType(T.StringType()), True)]
    )

    def flag(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            view = pa.RecordBatch.from_arrays(
                [batch.column(width + i) for i in range(len(checked))], names=checked
            )
            check = plan.check(view) if batch.num_rows else None
            if check is None or check.ok:
                reasons = pa.nulls(batch.num_rows, type=reasons_type)
            else:
                reasons = check.reasons_arrow()
            arrays = [batch.column(i) for i in range(width)]
            yield pa.RecordBatch.from_arrays(
                [*arrays, reasons], names=[*batch.schema.names[:width], REASONS_COLUMN]
            )

    return source.mapInArrow(flag, out_schema)
