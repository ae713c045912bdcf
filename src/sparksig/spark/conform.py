"""Make a Spark table match a signature, and route the rows that cannot: losing none.

:func:`conform` reorders, drops undeclared columns, casts losslessly (Spark ML vectors become
``array<double>``, missing optional columns become nulls) and decides what to do with rows
that fail the checks of :func:`sparksig.spark.validate` (through the one row router,
:mod:`sparksig.spark.routing`):

- ``raise``: validate first (one job); the returned frame also re-checks every row it
  produces and fails rather than let a bad row through, should the input change;
- ``drop``: the valid rows only;
- ``quarantine``: ``(valid, rejected)``. **Every input row lands in exactly one of them**,
  even for a non-deterministic input: when the plan is not provably replayable, the reasons
  are computed once, when ``conform`` is called, into a local checkpoint both frames read
  (the rule: :mod:`sparksig.spark.routing`);
- ``mark``: every row as it came, plus the reasons column, null where the row passes.

With ``profile=``, a profile's row-level constraints are checked (and routed) with the type
checks.

Rejected (and marked) rows keep their columns as they came, plus ``_sparksig_reasons``: an
``array<struct<code, path>>`` (:mod:`sparksig.spark.check.reasons`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, overload

from pyspark.sql import DataFrame

from sparksig.legacy import legacy_call
from sparksig.options import Checks, EngineName, OnError, choose
from sparksig.profile.model import Profile
from sparksig.schema import Schema
from sparksig.signature import ModelSignature
from sparksig.spark.check.reasons import REASONS_COLUMN
from sparksig.spark.reshape import reshape
from sparksig.spark.routing import Router, materialize
from sparksig.spark.validate import validate

__all__ = ["REASONS_COLUMN", "conform", "materialize", "reshape"]

OnErrorName = Literal["raise", "drop", "quarantine", "mark"]
_LEGACY = dict(
    keep=2,
    positional=("on_error", "keep_columns", "strict_nulls"),
    renamed={"schema_or_signature": "signature", "keep_columns": "key_columns"},
)


@overload
def conform(
    df: DataFrame,
    signature: Schema | ModelSignature,
    *,
    on_error: Literal["quarantine", OnError.QUARANTINE],
    key_columns: Sequence[str] = (),
    checks: Checks | None = None,
    strict_nulls: bool | None = None,
    finite_only: bool | None = None,
    engine: EngineName | None = None,
    profile: Profile | None = None,
) -> tuple[DataFrame, DataFrame]: ...


@overload
def conform(
    df: DataFrame,
    signature: Schema | ModelSignature,
    *,
    on_error: Literal["raise", "drop", "mark", OnError.RAISE, OnError.DROP, OnError.MARK] = ...,
    key_columns: Sequence[str] = (),
    checks: Checks | None = None,
    strict_nulls: bool | None = None,
    finite_only: bool | None = None,
    engine: EngineName | None = None,
    profile: Profile | None = None,
) -> DataFrame: ...


@legacy_call(**_LEGACY)  # type: ignore[arg-type]
def conform(
    df: DataFrame,
    signature: Schema | ModelSignature,
    *,
    on_error: OnError | OnErrorName = "raise",
    key_columns: Sequence[str] = (),
    checks: Checks | None = None,
    strict_nulls: bool | None = None,
    finite_only: bool | None = None,
    engine: EngineName | None = None,
    profile: Profile | None = None,
) -> DataFrame | tuple[DataFrame, DataFrame]:
    """Make a DataFrame match a signature: reorder, drop undeclared columns, cast losslessly.

    Args:
        df: the table to conform.
        signature: the target (a Schema, or a ModelSignature's inputs).
        on_error: ``"raise"`` -> the conformed frame, or :class:`SchemaEnforcementError`
            carrying the full report; ``"drop"`` -> the conformed frame of valid rows only;
            ``"quarantine"`` -> ``(valid_df, rejected_df)``, every input row in exactly one;
            ``"mark"`` -> every row as it came plus ``_sparksig_reasons`` (null = passes).
        key_columns: undeclared columns (ids, keys) to carry through to the valid frame,
            after the signature's columns (declared ones are there already).
        checks: how rows are checked (:class:`sparksig.Checks`); ``strict_nulls`` defaults
            to ``True`` here. ``sparksig.enforce_schema(spark_df, ...)`` passes ``False`` to
            follow MLflow's rule for top-level columns.
        strict_nulls, finite_only, engine: override the matching field of ``checks``.
        profile: a training :class:`~sparksig.profile.Profile`: a row that breaks one of its
            row-level constraints (``out_of_range``, ``not_in_domain``, ``too_long``) is
            routed as a row that breaks the signature, with the constraint's code and path
            among its reasons. Drift is not checked here (it is a property of a table: see
            :func:`sparksig.spark.validate`). Native engine only.

    Examples:
        >>> valid, rejected = conform(df, signature, on_error="quarantine")  # doctest: +SKIP
        >>> valid.count() + rejected.count() == df.count()  # doctest: +SKIP
        True
    """
    how = choose(OnError, on_error, "on_error")
    router, run = Router.build(
        df,
        signature,
        key_columns=key_columns,
        checks=checks,
        strict_nulls=strict_nulls,
        finite_only=finite_only,
        engine=engine,
        profile=profile,
    )
    schema = router.schema
    if how is OnError.RAISE:
        report = validate(
            df,
            schema,
            strict_nulls=run.strict,
            finite_only=run.finite_only,
            engine=run.chosen_engine,
            profile=router.constraints_profile(),
        )
        report.raise_for_violations()
    if how is OnError.MARK:
        return router.flag()
    if how is OnError.RAISE:
        message = (
            "sparksig: a row no longer satisfies the signature (the input changed since it "
            "was validated): "
        )
        return router.conformed(router.guarded(message))
    if how is OnError.DROP:
        return router.conformed(router.passing())
    passed, rejected, _ = router.split()
    return router.conformed(passed), rejected
