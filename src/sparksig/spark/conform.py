"""Make a Spark table match a signature, and route the rows that cannot: losing none.

:func:`conform` reorders, drops undeclared columns, casts losslessly (Spark ML vectors become
``array<double>``, missing optional columns become nulls) and decides what to do with rows
that fail the checks of :func:`sparksig.spark.validate`:

- ``raise``: validate first (one job); the returned frame also re-checks every row it
  produces and fails rather than let a bad row through, should the input change;
- ``drop``: the valid rows only;
- ``quarantine``: ``(valid, rejected)``. **Every input row lands in exactly one of them**:
  the reasons are computed once, by one action, into a local checkpoint that both frames
  read, so a non-deterministic input (``rand()``, a source that changes between reads)
  cannot put a row in both or in neither. The checkpoint runs when ``conform`` is called.

Rejected rows keep their columns as they came, plus ``_sparksig_reasons``: an
``array<string>`` of ``code:path`` labels built by Spark expressions (native engine).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, overload

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import InvalidArgumentError
from sparksig.options import Engine, OnError, choose
from sparksig.schema import Schema
from sparksig.signature import ModelSignature
from sparksig.spark import arrow_engine, native
from sparksig.spark.binding import Binding, Bound, bind, check_keys, col, input_schema
from sparksig.spark.convert import is_vector_udt, to_spark_schema
from sparksig.spark.validate import validate

__all__ = ["REASONS_COLUMN", "conform", "flag_rows", "materialize", "valid_rows"]

REASONS_COLUMN = "_sparksig_reasons"


@overload
def conform(
    df: DataFrame,
    schema_or_signature: Schema | ModelSignature,
    on_error: Literal["quarantine", OnError.QUARANTINE],
    keep_columns: Sequence[str] = (),
    strict_nulls: bool = True,
    *,
    finite_only: bool = False,
    engine: str = "auto",
) -> tuple[DataFrame, DataFrame]: ...


@overload
def conform(
    df: DataFrame,
    schema_or_signature: Schema | ModelSignature,
    on_error: Literal["raise", "drop", OnError.RAISE, OnError.DROP] = "raise",
    keep_columns: Sequence[str] = (),
    strict_nulls: bool = True,
    *,
    finite_only: bool = False,
    engine: str = "auto",
) -> DataFrame: ...


def conform(
    df: DataFrame,
    schema_or_signature: Schema | ModelSignature,
    on_error: str = "raise",
    keep_columns: Sequence[str] = (),
    strict_nulls: bool = True,
    *,
    finite_only: bool = False,
    engine: str = "auto",
) -> DataFrame | tuple[DataFrame, DataFrame]:
    """Make a DataFrame match a signature: reorder, drop undeclared columns, cast losslessly.

    Args:
        df: the table to conform.
        schema_or_signature: the target.
        on_error: ``"raise"`` -> the conformed frame, or :class:`SchemaEnforcementError`
            carrying the full report; ``"drop"`` -> the conformed frame of valid rows only;
            ``"quarantine"`` -> ``(valid_df, rejected_df)``, every input row in exactly one.
        keep_columns: undeclared columns (ids, keys) to carry through to the valid frame,
            after the signature's columns (declared ones are there already).
        strict_nulls: as in :func:`~sparksig.spark.validate`; ``sparksig.enforce_schema(
            spark_df, ...)`` passes ``False`` to follow MLflow's rule for top-level columns.
        finite_only: NaN and infinities in float fields are violations.
        engine: ``"auto"``/``"native"`` (Spark expressions) or ``"arrow"`` (the reference
            engine in Python workers).

    Examples:
        >>> valid, rejected = conform(df, signature, on_error="quarantine")  # doctest: +SKIP
        >>> valid.count() + rejected.count() == df.count()  # doctest: +SKIP
        True
    """
    how = choose(OnError, on_error, "on_error")
    chosen_engine = choose(Engine, engine, "engine")
    schema = input_schema(schema_or_signature)
    check_keys(df, tuple(keep_columns), "keep_columns")
    if REASONS_COLUMN in df.columns:
        raise InvalidArgumentError(
            f"the table already has a {REASONS_COLUMN!r} column (a quarantine output?): drop "
            "or rename it before conforming"
        )
    if how is OnError.RAISE:
        report = validate(
            df, schema, strict_nulls=strict_nulls, finite_only=finite_only, engine=engine
        )
        report.raise_for_violations()
    binding = bind(df, schema, strict_nulls=strict_nulls)
    if binding.fatal and how is not OnError.RAISE:
        # No row can satisfy the schema: all are rejected, without a job or a cast.
        empty = df.sparkSession.createDataFrame([], _valid_schema(df, schema, keep_columns))
        rejected = flag_rows(df, binding, strict_nulls=strict_nulls)
        return (empty, rejected) if how is OnError.QUARANTINE else empty
    flagged = flag_rows(
        df, binding, strict_nulls=strict_nulls, finite_only=finite_only, engine=chosen_engine
    )
    if how is OnError.RAISE:
        guard = F.when(
            F.col(REASONS_COLUMN).isNotNull(),
            F.raise_error(
                F.concat(
                    F.lit(
                        "sparksig: a row no longer satisfies the signature (the input changed "
                        "since it was validated): "
                    ),
                    F.array_join(F.col(REASONS_COLUMN), ", "),
                )
            ),
        ).otherwise(F.lit(True))
        return valid_rows(flagged.filter(guard), binding, schema, keep_columns)
    if how is OnError.DROP:
        return valid_rows(flagged, binding, schema, keep_columns)
    if not df.isStreaming:
        # One action computes every row's reasons once; both frames read that result.
        flagged = materialize(flagged)
    rejected = flagged.filter(F.col(REASONS_COLUMN).isNotNull())
    return valid_rows(flagged, binding, schema, keep_columns), rejected


def materialize(frame: DataFrame) -> DataFrame:
    """Compute ``frame`` once, now, into a local checkpoint that later reads share.

    Stored on the executors' disks (``DISK_ONLY``): unlike memory it cannot run an executor
    out of heap, and unlike ``cache()`` a lost block fails the job instead of being silently
    recomputed from a source that may have changed.
    """
    from pyspark import StorageLevel

    return frame.localCheckpoint(eager=True, storageLevel=StorageLevel.DISK_ONLY)


def flag_rows(
    df: DataFrame,
    binding: Binding,
    *,
    strict_nulls: bool,
    finite_only: bool = False,
    engine: Engine = Engine.AUTO,
) -> DataFrame:
    """``df`` plus ``_sparksig_reasons`` (null for rows that pass); one lazy projection."""
    fatal = binding.fatal
    if fatal:  # no row can satisfy the schema: every row is rejected, nothing is read twice
        labels = [F.lit(f"{v.code}:{v.column_path}") for v in fatal]
        return df.withColumn(REASONS_COLUMN, F.array(*labels))
    if engine is Engine.ARROW:
        checks = arrow_engine.arrow_checks(
            binding, strict_nulls=strict_nulls, finite_only=finite_only
        )
        return arrow_engine.flag(df, checks, REASONS_COLUMN)
    compiled = native.compile_checks(
        binding, df.columns, strict_nulls=strict_nulls, finite_only=finite_only
    )
    return compiled.flag(df, REASONS_COLUMN)


def valid_rows(
    flagged: DataFrame, binding: Binding, schema: Schema, keep_columns: Sequence[str] = ()
) -> DataFrame:
    """The rows of a flagged frame that passed, cast to the signature's Spark types."""
    target = to_spark_schema(schema)
    keep = [k for k in keep_columns if k not in target.fieldNames()]
    passed = flagged.filter(F.col(REASONS_COLUMN).isNull())
    casts = [_cast(bound, field) for bound, field in zip(binding.columns, target.fields)]
    return passed.select(*casts, *[col(k) for k in keep])


def _valid_schema(df: DataFrame, schema: Schema, keep_columns: Sequence[str]) -> T.StructType:
    target = to_spark_schema(schema)
    keep = [df.schema[k] for k in keep_columns if k not in target.fieldNames()]
    return T.StructType([*target.fields, *keep])


def _cast(bound: Bound, field: T.StructField) -> Column:
    if bound.field is None:  # a missing optional column: present, and null
        return F.lit(None).cast(field.dataType).alias(field.name)
    return reshape(bound.source, bound.field.dataType, field.dataType).alias(field.name)


def reshape(expr: Column, source: T.DataType, target: T.DataType) -> Column:
    """``expr`` (of Spark type ``source``) as ``target``, matching struct fields **by name**.

    Spark's own cast pairs struct fields by position, which would swap the values of a
    struct whose fields come in another order; here every level is rebuilt: struct fields
    looked up by name (a missing optional property becomes null), arrays and maps element by
    element, a struct standing for a map turned into a map of its non-null fields (a null
    field is an absent key, as MLflow reads it), Spark ML vectors made dense, and scalars
    cast losslessly (the check already refused anything lossy).
    """
    if is_vector_udt(source):
        from pyspark.ml.functions import vector_to_array

        dense = F.when(expr.isNotNull(), vector_to_array(expr))
        return dense if isinstance(target, T.ArrayType) else dense.cast(_nullable(target))
    if isinstance(target, T.VariantType) or _same(source, target):
        return expr
    if isinstance(target, T.StructType) and isinstance(source, T.StructType):
        present = {f.name: f for f in source.fields}
        fields = [
            reshape(native.field_of(expr, source, f.name), present[f.name].dataType, f.dataType)
            if f.name in present
            else F.lit(None).cast(_nullable(f.dataType))
            for f in target.fields
        ]
        named = [c.alias(f.name) for c, f in zip(fields, target.fields)]
        return F.when(expr.isNotNull(), F.struct(*named))
    if isinstance(target, T.ArrayType) and isinstance(source, T.ArrayType):
        return F.transform(expr, lambda x: reshape(x, source.elementType, target.elementType))
    if isinstance(target, T.MapType) and isinstance(source, T.MapType):
        values = F.transform_values(
            expr, lambda _, v: reshape(v, source.valueType, target.valueType)
        )
        return values.cast(_nullable(target))
    if isinstance(target, T.MapType) and isinstance(source, T.StructType):
        entries = []
        for f in source.fields:
            value = native.field_of(expr, source, f.name)
            entries += [F.lit(f.name), reshape(value, f.dataType, target.valueType)]
        as_map = F.map_filter(F.create_map(*entries), lambda _, v: v.isNotNull())
        return F.when(expr.isNotNull(), as_map)
    return expr.cast(_nullable(target))


def _same(source: T.DataType, target: T.DataType) -> bool:
    """Equal types, nullability aside (no rebuilding needed)."""
    return _nullable(source) == _nullable(target)


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
