"""``score`` and ``write_scored``: check and score; rows that fail the input check never reach
the model.

MLflow's ``spark_udf`` fails the whole job on the first bad row. ``score`` checks every row
with the native engine (Spark expressions, no Python) before the scoring UDF sees it, and
routes the rows through the one row router (:mod:`sparksig.spark.routing`):

- ``on_error="raise"``: a bad row stops the job, with its reasons, before any of its batch
  is sent to the model;
- ``on_error="drop"``: bad rows are left out;
- ``on_error="quarantine"``: ``(scored, rejected)``. Every input row is in exactly one of
  them, by the router's rule (a replayable plan is read once per half, with nothing stored;
  any other is computed once, into a local checkpoint both frames read); rejected rows carry
  ``_sparksig_reasons``;
- ``on_error="mark"``: every row, with the prediction (null for a rejected row, which the
  model never saw) and ``_sparksig_reasons`` (null for a scored row). The rows of the two
  kinds come as two unioned parts, so their order is not the input's.

:func:`write_scored` writes ``scored/`` and ``rejected/`` as a crash-safe pair, exactly as
:func:`sparksig.spark.write_quarantine` writes its halves (same lock, staging, swap, manifest).

The input check follows MLflow's scoring rule for top-level nulls (``strict_nulls=False``:
required means present) unless told otherwise; nested nulls, out-of-range timestamps and
tensor shapes are always checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, overload

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import ArgumentTypeError, InvalidArgumentError, SchemaEnforcementError
from sparksig.options import Checks, Engine, IfExists, OnError, choose
from sparksig.profile.model import Profile
from sparksig.results import ValidationReport
from sparksig.signature import ModelSignature
from sparksig.spark.check.binding import col
from sparksig.spark.check.reasons import REASONS_COLUMN, REASONS_TYPE
from sparksig.spark.quarantine import IfExistsName, Strategy, write_pair
from sparksig.spark.routing import Router
from sparksig.spark.udf.scoring import ScoringUDF, resolve_model, spark_udf

__all__ = ["ScoredResult", "score", "write_scored"]

OnErrorName = Literal["raise", "drop", "quarantine", "mark"]


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
    checks: Checks | None = None,
    strict_nulls: bool | None = None,
    finite_only: bool | None = None,
    profile: Profile | None = None,
) -> tuple[DataFrame, DataFrame]: ...


@overload
def score(
    df: DataFrame,
    model: Any,
    signature: ModelSignature | None = None,
    *,
    on_error: Literal["raise", "drop", "mark", OnError.RAISE, OnError.DROP, OnError.MARK] = ...,
    output_col: str = "prediction",
    params: dict[str, Any] | None = None,
    result_type: T.DataType | str | None = None,
    checks: Checks | None = None,
    strict_nulls: bool | None = None,
    finite_only: bool | None = None,
    profile: Profile | None = None,
) -> DataFrame: ...


def score(
    df: DataFrame,
    model: Any,
    signature: ModelSignature | None = None,
    *,
    on_error: OnError | OnErrorName = "raise",
    output_col: str = "prediction",
    params: dict[str, Any] | None = None,
    result_type: T.DataType | str | None = None,
    checks: Checks | None = None,
    strict_nulls: bool | None = None,
    finite_only: bool | None = None,
    profile: Profile | None = None,
) -> DataFrame | tuple[DataFrame, DataFrame]:
    """Score ``df`` with ``model``, checking every row against the input signature first.

    Args:
        df: the rows to score.
        model: a model directory (sparksig or MLflow), a callable, an object with
            ``predict``, or an ``mlflow.pyfunc.PythonModel`` (loading a directory runs its
            pickled code: only score models you trust). See
            :func:`sparksig.spark.udf.resolve_model`.
        signature: overrides the model's signature (needed for in-memory models).
        on_error: ``"raise"``, ``"drop"``, ``"quarantine"`` or ``"mark"`` (module docs).
        output_col: the predictions' column, appended to the input's columns.
        params: inference params, checked once on the driver.
        result_type: Spark type of the predictions (default: from the output schema).
        checks: how rows are checked (:class:`sparksig.Checks`); ``strict_nulls`` defaults
            to ``False`` here (MLflow's scoring rule). The engine is always native: the
            rows the model sees are decided by Spark expressions.
        strict_nulls, finite_only: override the matching field of ``checks``.
        profile: a training :class:`~sparksig.profile.Profile`: a row that breaks one of its
            row-level constraints (``out_of_range``, ``not_in_domain``, ``too_long``) is not
            scored, and is routed as a row that fails the input check, with the
            constraint's code and path among its reasons.

    Examples:
        >>> scored, rejected = score(df, "model_dir", on_error="quarantine")  # doctest: +SKIP
    """
    how = choose(OnError, on_error, "on_error")
    scoring = _Scoring.of(
        df,
        model,
        signature,
        output_col,
        params,
        result_type,
        checks,
        strict_nulls,
        finite_only,
        profile,
    )
    router = scoring.router
    if router.fatal:
        if how is OnError.RAISE:
            report = ValidationReport(violations=router.binding.findings, checks=0)
            raise SchemaEnforcementError(report)
        rejected = router.flag()
        empty = scoring.predict(df.limit(0))
        if how is OnError.MARK:
            return scoring.unpredicted(rejected)
        return (empty, rejected) if how is OnError.QUARANTINE else empty
    if how is OnError.RAISE:
        return scoring.predict(
            router.guarded("sparksig: a row failed the input check, so it was not scored: ")
        )
    if how is OnError.DROP:
        return scoring.predict(router.passing())
    passed, rejected, _ = router.split()
    if how is OnError.QUARANTINE:
        return scoring.predict(passed), rejected
    marked = scoring.predict(passed).withColumn(REASONS_COLUMN, F.lit(None).cast(REASONS_TYPE))
    return marked.unionByName(scoring.unpredicted(rejected))


@dataclass(frozen=True)
class ScoredResult:
    """Where ``write_scored`` put the pair, how many rows each half holds, and how."""

    path: str
    scored_path: str
    rejected_path: str
    scored_rows: int
    rejected_rows: int
    strategy: Strategy


def write_scored(
    df: DataFrame,
    model: Any,
    signature: ModelSignature | None,
    path: str,
    *,
    format: str = "parquet",
    if_exists: IfExists | IfExistsName = "error",
    output_col: str = "prediction",
    params: dict[str, Any] | None = None,
    result_type: T.DataType | str | None = None,
    checks: Checks | None = None,
    strict_nulls: bool | None = None,
    finite_only: bool | None = None,
    options: dict[str, str] | None = None,
    profile: Profile | None = None,
) -> ScoredResult:
    """Score ``df`` and write ``path/scored`` and ``path/rejected`` as one crash-safe pair.

    Rows that pass the input check are scored (the input's columns plus ``output_col``) into
    ``scored/``; rows that fail never reach the model and go, as they came plus
    ``_sparksig_reasons``, to ``rejected/``. Every row lands in exactly one half, and the
    pair is written with :func:`sparksig.spark.write_quarantine`'s protocol: staged beside
    ``path``, swapped in by renames once complete (with a ``_sparksig_quarantine.json``
    manifest: row counts, format, strategy), one writer at a time.

    Args:
        df, model, signature, output_col, params, result_type, checks, strict_nulls,
        finite_only, profile: as in :func:`score` (pass ``signature=None`` to use the
            model's own); rows that break a constraint of ``profile`` go to ``rejected/``.
        path: a folder for the pair (local, or a Hadoop filesystem path).
        format, if_exists, options: as in :func:`sparksig.spark.write_quarantine`.

    Examples:
        >>> r = write_scored(df, "model_dir", None, "out/scores")  # doctest: +SKIP
        >>> r.scored_rows + r.rejected_rows == df.count()  # doctest: +SKIP
        True
    """
    scoring = _Scoring.of(
        df,
        model,
        signature,
        output_col,
        params,
        result_type,
        checks,
        strict_nulls,
        finite_only,
        profile,
    )
    written, strategy = write_pair(
        scoring.router,
        path,
        ("scored", "rejected"),
        scoring.predict,
        format=format,
        if_exists=if_exists,
        options=options,
    )
    return ScoredResult(path, *written.paths, *written.counts, strategy)


@dataclass(frozen=True)
class _Scoring:
    """A table bound to a model: its router and its scoring UDF."""

    router: Router
    udf: ScoringUDF
    output_col: str

    @classmethod
    def of(
        cls,
        df: DataFrame,
        model: Any,
        signature: ModelSignature | None,
        output_col: str,
        params: dict[str, Any] | None,
        result_type: T.DataType | str | None,
        checks: Checks | None,
        strict_nulls: bool | None,
        finite_only: bool | None,
        profile: Profile | None = None,
    ) -> _Scoring:
        if output_col in df.columns:
            raise InvalidArgumentError(
                f"the table already has a column {output_col!r}: pass another output_col"
            )
        predictor, resolved = resolve_model(model, signature)
        if resolved is None or resolved.inputs is None:
            raise ArgumentTypeError(
                "score checks rows against the model's input signature, and this model has "
                "none: pass signature=..., or use spark_udf to score without checks"
            )
        udf = spark_udf(
            df.sparkSession, predictor, resolved, result_type=result_type, params=params
        )
        router, _ = Router.build(
            df,
            resolved,
            checks=checks,
            strict_nulls=strict_nulls,
            finite_only=finite_only,
            engine=Engine.NATIVE,
            default_strict=False,
            profile=profile,
        )
        return cls(router, udf, output_col)

    def predict(self, rows: DataFrame) -> DataFrame:
        """``rows`` plus the predictions (an empty frame of the right shape when no row can
        pass: the model is never bound to a table that does not fit it)."""
        if self.router.fatal:
            return self.router.df.limit(0).withColumn(
                self.output_col, F.lit(None).cast(self.udf.result_type)
            )
        return rows.withColumn(self.output_col, self.udf.on(rows))

    def unpredicted(self, rejected: DataFrame) -> DataFrame:
        """Rejected rows with a null prediction, columns in ``mark``'s order."""
        columns = [c for c in rejected.columns if c != REASONS_COLUMN]
        empty = F.lit(None).cast(self.udf.result_type).alias(self.output_col)
        return rejected.select(*[col(c) for c in columns], empty, col(REASONS_COLUMN))
