"""The one row router: how every verb that routes rows flags, guards, drops and splits them.

``conform``, ``score``, ``write_quarantine``, ``write_scored`` and ``quarantine_stream`` all
go through a :class:`Router`: the checks are compiled once (native engine, or the Arrow
reference engine), and each way of routing a row is written here once:

- **flag** (``on_error="mark"``): every row, plus ``_sparksig_reasons``
  (:mod:`sparksig.spark.check.reasons`), null where the row passes. One lazy projection.
- **guard** (``on_error="raise"``): every row, and a failing row fails the job with its
  reasons before anything downstream (the model) sees it.
- **pass** (``on_error="drop"``): the rows that pass; the reasons are never built.
- **split** (``on_error="quarantine"``): ``(passed, rejected)``.

**Every row exactly once.** A split must put each input row in exactly one half, even when
reading the input twice would not give the same rows (``rand()``, a source that changes). How
(the :class:`Strategy`) depends on the plan, the cheapest that keeps the guarantee:

- ``one_write``: no row can pass (a schema-level failure such as a missing column): every row
  is rejected by construction, and the passed half is empty.
- ``two_writes`` (*replay*): Spark says the flagged plan is deterministic **and** every leaf
  of it is rows that cannot change: files listed once (a path read such as
  ``spark.read.parquet(...)``: its file listing is fixed when the frame is made), a ``range``
  or local rows kept in the plan. Then each half is its own filtered read of the same plan:
  nothing is stored, and a passing row pays one predicate. It also needs
  ``spark.sql.files.ignoreMissingFiles`` and ``ignoreCorruptFiles`` off, so a file that
  vanishes between the two reads (a writer's two writes, or your two actions on lazy halves)
  fails the job instead of silently dropping rows; files rewritten in place under the same
  name, or those settings switched on between the two reads, are outside the guarantee
  (Spark's writers never rewrite a file in place). Nothing re-counts the rows to check the
  proof: a tally below the split filter cost writers 0.5x a copy (it splits Spark's
  generated code).
  Catalog tables (their listing is refreshed by appends), other sources and Spark Connect
  sessions (which cannot show the plan) are never taken to be replayable.
- ``checkpoint``: everything else. Every row's reasons are computed once into a local
  checkpoint on the executors' disks, and both halves read it: the input is read once, but
  every row is stored once more. ``conform`` and ``score`` fill it when they are called; a
  writer fills it during its first write (each partition stored as it is computed), so the
  second write reads the stored rows.

Writers have a fourth, ``one_pass`` (:mod:`sparksig.spark.quarantine`): one write partitioned
by whether a row failed, which reads the input once whatever its plan. One file set has one
schema, so it applies only where the valid half is the table's own columns and types (no cast
changes them) and the output is Parquet; the failing rows are then read back from their
folder and written again with their reasons. It replaces ``checkpoint``, and ``two_writes``
except on a plain Parquet read (whose second read the footers skip when nothing failed).

Streams are split per micro-batch by ``quarantine_stream``; a streaming frame's halves from
``conform``/``score`` are two lazy queries, each reading the stream.

**A profile's constraints** (``profile=`` on every routing verb): the row-level constraints of a
:class:`~sparksig.profile.model.Profile` (``Range``, ``Domain``, ``MaxLength``) are compiled
here, with the type checks, into the same check set (:func:`sparksig.spark.check.native.compile_checks`),
so a row that breaks one is flagged, guarded, dropped or split exactly as a type violation is,
with the constraint's code (``out_of_range``, ``not_in_domain``, ``too_long``) and path among its
reasons. Only the constraints route rows: drift is a property of a whole table, not of a row
(see :func:`sparksig.spark.validate`). The Arrow engine has no constraint checks, so
``engine="arrow"`` with a profile is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import ArgumentTypeError, InvalidArgumentError
from sparksig.options import Checks, Engine, EngineName, resolve_checks
from sparksig.profile.constraints import Constraint
from sparksig.profile.model import Profile
from sparksig.schema import Schema
from sparksig.spark.check import arrow as arrow_engine
from sparksig.spark.check import native, reasons
from sparksig.spark.check.binding import Bound, TableBinding, bind, check_keys, col, input_schema
from sparksig.spark.check.checks import CheckSet
from sparksig.spark.check.reasons import REASONS_COLUMN
from sparksig.spark.convert import to_spark_schema
from sparksig.spark.reshape import reshape

__all__ = ["Router", "Split", "Strategy", "materialize", "replayable"]


class Strategy(str, Enum):
    """How a split computes its halves (the rule is in this module's docstring)."""

    ONE_WRITE = "one_write"
    TWO_WRITES = "two_writes"
    CHECKPOINT = "checkpoint"
    ONE_PASS = "one_pass"  # writers only: see sparksig.spark.quarantine

    def __str__(self) -> str:
        return self.value


class Split(NamedTuple):
    """The two halves of a split: ``passed`` (rows as they came) and ``rejected`` (rows as
    they came plus the reasons), and how they were computed (``None`` for a stream)."""

    passed: DataFrame
    rejected: DataFrame
    strategy: Strategy | None


@dataclass(frozen=True, eq=False)
class Router:
    """A table's rows bound to a schema, with the checks compiled once.

    Build one with :meth:`of`. ``checks`` is the native engine's check set (``None`` with the
    Arrow engine, or when the binding is fatal: no row can pass); ``constraints`` are the
    profile's row-level constraints compiled into it.
    """

    df: DataFrame
    binding: TableBinding
    schema: Schema
    keys: tuple[str, ...]
    engine: Engine
    checks: CheckSet | None
    _arrow: arrow_engine.ArrowChecks | None
    constraints: tuple[Constraint, ...] = ()

    @classmethod
    def of(
        cls,
        df: DataFrame,
        schema: Schema,
        *,
        keys: Sequence[str] = (),
        strict_nulls: bool,
        finite_only: bool = False,
        engine: Engine = Engine.AUTO,
        binding: TableBinding | None = None,
        constraints: Sequence[Constraint] = (),
    ) -> Router:
        constraints = tuple(constraints)
        if constraints and engine is Engine.ARROW:
            raise InvalidArgumentError(_ARROW_REFUSES_PROFILE)
        bound = binding if binding is not None else bind(df, schema, strict_nulls=strict_nulls)
        checks = arrow = None
        if not bound.fatal:
            if engine is Engine.ARROW:
                arrow = arrow_engine.arrow_checks(
                    bound, strict_nulls=strict_nulls, finite_only=finite_only
                )
            else:
                checks = native.compile_checks(
                    bound,
                    df.columns,
                    strict_nulls=strict_nulls,
                    finite_only=finite_only,
                    constraints=constraints,
                )
        return cls(df, bound, schema, tuple(keys), engine, checks, arrow, constraints)

    @classmethod
    def build(
        cls,
        df: DataFrame,
        signature: Any,
        *,
        key_columns: Sequence[str] = (),
        checks: Checks | None = None,
        strict_nulls: bool | None = None,
        finite_only: bool | None = None,
        engine: EngineName | None = None,
        default_strict: bool = True,
        profile: Profile | None = None,
    ) -> tuple[Router, Checks]:
        """A public verb's arguments, checked once: the signature's input schema, the key
        columns, a table that is not already a quarantine output, the checks to run
        (``checks`` with the flat keywords applied) and the profile whose row-level
        constraints are checked with them. Returns the router and those checks."""
        if profile is not None and not isinstance(profile, Profile):
            raise ArgumentTypeError(
                f"profile must be a sparksig.profile.Profile (or None), got "
                f"{type(profile).__name__}"
            )
        run = resolve_checks(
            checks,
            strict_nulls=strict_nulls,
            finite_only=finite_only,
            engine=engine,
            default_strict=default_strict,
        )
        if profile is not None and run.chosen_engine is Engine.ARROW:
            raise InvalidArgumentError(_ARROW_REFUSES_PROFILE)
        schema = input_schema(signature)
        keys = tuple(key_columns)
        check_keys(df, keys, "key_columns")
        if REASONS_COLUMN in df.columns:
            raise InvalidArgumentError(
                f"the table already has a {REASONS_COLUMN!r} column (a quarantine output?): "
                "drop or rename it first"
            )
        router = cls.of(
            df,
            schema,
            keys=keys,
            strict_nulls=run.strict,
            finite_only=run.finite_only,
            engine=run.chosen_engine,
            constraints=() if profile is None else profile.constraints,
        )
        return router, run

    def constraints_profile(self) -> Profile | None:
        """A profile holding only this router's constraints (no statistics, so no drift), for
        a verb that validates the same rows first (``conform(on_error="raise")``)."""
        if not self.constraints:
            return None
        return Profile(rows=0, columns=(), constraints=self.constraints)

    @property
    def fatal(self) -> bool:
        """No row can pass: the schema-level findings condemn every row."""
        return bool(self.binding.fatal)

    # -- flag, guard, pass ------------------------------------------------------------------

    def flag(self, df: DataFrame | None = None) -> DataFrame:
        """``df`` (the router's table by default) plus the reasons column."""
        frame = self.df if df is None else df
        if self.fatal:
            found = [(v.code, v.column_path) for v in self.binding.fatal]
            return frame.withColumn(REASONS_COLUMN, reasons.literal(found))
        if self._arrow is not None:
            return arrow_engine.flag(frame, self._arrow, REASONS_COLUMN)
        assert self.checks is not None
        return self.checks.flag(frame, REASONS_COLUMN)

    def guarded(self, message: str) -> DataFrame:
        """Every row; a failing one fails the job with ``message`` and its reasons.

        Call only on a binding that is not fatal (raise the report before, with no job).
        """
        assert not self.fatal, "a fatal binding is raised before any row is read"
        if self.checks is not None:
            return self.checks.guarded(self.df, message)
        why = F.array_join(reasons.as_text(F.col(REASONS_COLUMN)), ", ")
        stop = F.raise_error(F.concat(F.lit(message), why))
        guard = F.when(F.col(REASONS_COLUMN).isNotNull(), stop).otherwise(F.lit(True))
        return self.flag().filter(guard).drop(REASONS_COLUMN)

    def passing(self) -> DataFrame:
        """The rows that pass, as they came (the reasons are never built natively)."""
        if self.fatal:
            return self.df.limit(0)
        if self.checks is not None:
            return self.checks.passing(self.df)
        return passed_of(self.flag())

    # -- split --------------------------------------------------------------------------

    def strategy(self, flagged: DataFrame | None = None) -> Strategy:
        """The strategy this router's split takes (``flagged``: :meth:`flag`'s frame when the
        caller has built it already)."""
        if self.fatal:
            return Strategy.ONE_WRITE
        plan = self.flag() if flagged is None else flagged
        return Strategy.TWO_WRITES if replayable(plan) else Strategy.CHECKPOINT

    def split(self) -> Split:
        """``(passed, rejected)`` as lazy frames, every row in exactly one."""
        flagged = self.flag()
        if self.df.isStreaming:
            return Split(passed_of(flagged), rejected_of(flagged), None)
        strategy = self.strategy(flagged)
        if strategy is Strategy.ONE_WRITE:
            return Split(self.df.limit(0), flagged, strategy)
        if strategy is Strategy.TWO_WRITES:
            return Split(self.passing(), rejected_of(flagged), strategy)
        stored = materialize(flagged)
        return Split(passed_of(stored), rejected_of(stored), strategy)

    # -- the valid half's shape ---------------------------------------------------------

    def conformed(self, rows: DataFrame) -> DataFrame:
        """``rows`` (the table's columns, maybe more) cast to the signature, plus the keys."""
        target = to_spark_schema(self.schema)
        keep = [k for k in self.keys if k not in target.fieldNames()]
        if self.fatal:
            fields = [*target.fields, *(self.df.schema[k] for k in keep)]
            return self.df.sparkSession.createDataFrame([], T.StructType(fields))
        casts = [_cast(bound, field) for bound, field in zip(self.binding.columns, target.fields)]
        return rows.select(*casts, *[col(k) for k in keep])


def passed_of(flagged: DataFrame) -> DataFrame:
    """The rows of a flagged frame that passed, as they came."""
    return flagged.filter(F.col(REASONS_COLUMN).isNull()).drop(REASONS_COLUMN)


def rejected_of(flagged: DataFrame) -> DataFrame:
    """The rows of a flagged frame that failed, with their reasons."""
    return flagged.filter(F.col(REASONS_COLUMN).isNotNull())


def materialize(frame: DataFrame, *, eager: bool = True) -> DataFrame:
    """``frame`` computed once into a local checkpoint that later reads share.

    Stored on the executors' disks (``DISK_ONLY``): unlike memory it cannot run an executor
    out of heap, and unlike ``cache()`` a lost block fails the job instead of being silently
    recomputed from a source that may have changed. ``eager``: now, by a job of its own;
    otherwise by the first action that reads it (a writer's first write stores each
    partition as it computes it, and the second write reads the stored partitions: one
    pass fewer over the data).
    """
    from pyspark import StorageLevel

    return frame.localCheckpoint(eager=eager, storageLevel=StorageLevel.DISK_ONLY)


_ARROW_REFUSES_PROFILE = (
    "engine='arrow' cannot check a profile's constraints (the Arrow engine has no constraint "
    "checks); use engine='native' (the default) for profile=..."
)

_SKIPPING = ("spark.sql.files.ignoreMissingFiles", "spark.sql.files.ignoreCorruptFiles")


def replayable(frame: DataFrame) -> bool:
    """Whether two reads of ``frame`` are sure to see the same rows (``two_writes``).

    Only what Spark's optimized plan proves: deterministic, and every leaf a fixed set of
    rows. Anything that cannot be read (Spark Connect, an unknown plan node) is not proven.
    It also asks that a file that vanishes fail a read rather than be skipped
    (``ignoreMissingFiles``/``ignoreCorruptFiles`` off): nothing compares the two reads.
    """
    jdf = getattr(frame, "_jdf", None)
    if jdf is None:
        return False
    try:
        conf = frame.sparkSession.conf
        if any(str(conf.get(k, "false")).lower() == "true" for k in _SKIPPING):
            return False
        plan = jdf.queryExecution().optimizedPlan()
        if not plan.deterministic():
            return False
        leaves = plan.collectLeaves().iterator()
        while leaves.hasNext():
            if not _fixed(leaves.next()):
                return False
        return True
    except Exception:
        return False


def _fixed(leaf: Any) -> bool:
    kind = leaf.getClass().getSimpleName()
    if kind in ("Range", "LocalRelation"):  # the rows are in the plan itself
        return True
    if kind != "LogicalRelation" or leaf.isStreaming() or leaf.catalogTable().isDefined():
        return False
    # A path read lists its files once, when the frame is made; every read reuses the list.
    relation = leaf.relation()
    return (
        relation.getClass().getSimpleName() == "HadoopFsRelation"
        and relation.location().getClass().getSimpleName() == "InMemoryFileIndex"
    )


def _cast(bound: Bound, field: T.StructField) -> Column:
    if bound.field is None:  # a missing optional column: present, and null
        return F.lit(None).cast(field.dataType).alias(field.name)
    return reshape(bound.source, bound.field.dataType, field.dataType).alias(field.name)
