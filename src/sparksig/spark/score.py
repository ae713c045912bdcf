"""``score``: check and score in one pass; rows that fail the input check never reach the model.

MLflow's ``spark_udf`` fails the whole job on the first bad row. ``score`` checks every row
with the native engine (Spark expressions, no Python) before the scoring UDF sees it:

- ``on_error="raise"``: a bad row stops the job, with its reasons, before any of its batch
  is sent to the model;
- ``on_error="drop"``: bad rows are left out;
- ``on_error="quarantine"``: ``(scored, rejected)``. Every input row is in exactly one of
  them (the reasons are computed once, into a local checkpoint both frames read); rejected
  rows carry ``_sparksig_reasons``.

The input check follows MLflow's scoring rule for top-level nulls (``strict_nulls=False``:
required means present) unless told otherwise; nested nulls, out-of-range timestamps and
tensor shapes are always checked.
"""

from __future__ import annotations

from typing import Any, Literal, overload

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import (
    ArgumentTypeError,
    InvalidArgumentError,
    SchemaEnforcementError,
    ValidationReport,
)
from sparksig.options import OnError, choose
from sparksig.signature import ModelSignature
from sparksig.spark import native
from sparksig.spark.binding import bind
from sparksig.spark.conform import REASONS_COLUMN, materialize
from sparksig.spark.udf import _resolve_model, spark_udf

__all__ = ["score"]


@overload
def score(
    df: DataFrame,
    model: Any,
    signature: ModelSignature | None = None,
    *,
    on_error: Literal["quarantine", OnError.QUARANTINE],
    output_col: str = "prediction",
    params: dict[str, Any] | None = None,
    result_type: T.DataType | str | None = None,
    strict_nulls: bool = False,
    finite_only: bool = False,
) -> tuple[DataFrame, DataFrame]: ...


@overload
def score(
    df: DataFrame,
    model: Any,
    signature: ModelSignature | None = None,
    *,
    on_error: Literal["raise", "drop", OnError.RAISE, OnError.DROP] = "raise",
    output_col: str = "prediction",
    params: dict[str, Any] | None = None,
    result_type: T.DataType | str | None = None,
    strict_nulls: bool = False,
    finite_only: bool = False,
) -> DataFrame: ...


def score(
    df: DataFrame,
    model: Any,
    signature: ModelSignature | None = None,
    *,
    on_error: str = "raise",
    output_col: str = "prediction",
    params: dict[str, Any] | None = None,
    result_type: T.DataType | str | None = None,
    strict_nulls: bool = False,
    finite_only: bool = False,
) -> DataFrame | tuple[DataFrame, DataFrame]:
    """Score ``df`` with ``model``, checking every row against the input signature first.

    Args:
        df: the rows to score.
        model: a model directory (sparksig or MLflow), a callable, an object with
            ``predict``, or an ``mlflow.pyfunc.PythonModel`` (loading a directory runs its
            pickled code: only score models you trust).
        signature: overrides the model's signature (needed for in-memory models).
        on_error: ``"raise"``, ``"drop"`` or ``"quarantine"`` (see the module docs).
        output_col: the predictions' column, appended to the input's columns.
        params: inference params, checked once on the driver.
        result_type: Spark type of the predictions (default: from the output schema).
        strict_nulls: treat nulls in required top-level columns as bad rows.
        finite_only: treat NaN and infinities in float fields as bad rows.

    Examples:
        >>> scored, rejected = score(df, "model_dir", on_error="quarantine")  # doctest: +SKIP
    """
    how = choose(OnError, on_error, "on_error")
    if output_col in df.columns:
        raise InvalidArgumentError(
            f"the table already has a column {output_col!r}: pass another output_col"
        )
    predictor, resolved = _resolve_model(model, signature)
    if resolved is None or resolved.inputs is None:
        raise ArgumentTypeError(
            "score checks rows against the model's input signature, and this model has none: "
            "pass signature=..., or use spark_udf to score without checks"
        )
    udf = spark_udf(df.sparkSession, predictor, resolved, result_type, params)
    binding = bind(df, resolved.inputs, strict_nulls=strict_nulls)
    if binding.findings:
        report = ValidationReport(violations=binding.findings, checks=0)
        if how is OnError.RAISE:
            raise SchemaEnforcementError(report)
        labels = F.array(*[F.lit(f"{v.code}:{v.column_path}") for v in binding.findings])
        rejected = df.withColumn(REASONS_COLUMN, labels)
        empty = df.limit(0).withColumn(output_col, F.lit(None).cast(udf.result_type))
        return (empty, rejected) if how is OnError.QUARANTINE else empty
    checks = native.compile_checks(
        binding, df.columns, strict_nulls=strict_nulls, finite_only=finite_only
    )
    if how is OnError.RAISE:
        guarded = checks.guarded(
            df, "sparksig: a row failed the input check, so it was not scored: "
        )
        return guarded.withColumn(output_col, udf.on(guarded))
    if how is OnError.DROP:
        passed = checks.passing(df)
        return passed.withColumn(output_col, udf.on(passed))
    flagged = checks.flag(df, REASONS_COLUMN)
    if not df.isStreaming:
        flagged = materialize(flagged)
    passed = flagged.filter(F.col(REASONS_COLUMN).isNull()).drop(REASONS_COLUMN)
    rejected = flagged.filter(F.col(REASONS_COLUMN).isNotNull())
    return passed.withColumn(output_col, udf.on(passed)), rejected
