"""Schemas from Spark DataFrames: types from ``df.schema``, ``required`` from the data.

Types come from the DataFrame's schema alone (:func:`~sparksig.spark.convert.from_spark_type`;
no data is read for them). What the schema cannot say is whether a *nullable* column, or a
nullable struct field at any depth (inside structs, arrays of structs, map values), actually
holds nulls: that decides ``required``. A field Spark declares ``nullable=False`` is trusted
and never read. Array elements and map values carry no ``required`` in a signature, so they
are not probed themselves; struct fields inside them are.

All probes run in **one Spark job**: each probe is one aggregate expression (``max`` of
"this path is null here"; for arrays ``exists(arr, x -> x.f is null)``), collected as
observed metrics of a single no-op write, so no shuffle stage (and no second job under
adaptive execution) is needed. A DataFrame whose own plan has joins or aggregations still
runs its own stages first.

Modes:

* ``"full"`` (default): every row; the ``required`` flags are exact for this table.
* ``"sampled"``: a seeded Bernoulli sample of at most ``max_rows`` rows (and at most a
  ``fraction`` of them): each row draws ``rand(seed)``, and the sample is "the rows whose
  draw is below a threshold", the largest threshold on a fine grid whose row count fits
  ``max_rows``. Rows far above any useful threshold (judged from Spark's own size estimate
  of the plan, no job) are dropped before the probes run; the counts for every grid point
  are taken in the same single job, so no row count is needed in advance. The ``required``
  flags are then **estimates**: a column with rare nulls can be inferred as required
  although some row outside the sample is null, and validating that very table later will
  report those nulls. The exact number of rows read and the threshold are reported; when
  every row fits, the result says ``"full"``.

Why ``"full"`` is the default: a Bernoulli sample still *scans* every row (the sample is a
filter after the scan), so sampling only saves the probe evaluation. On the benchmark
(``benchmarks/bench_infer.py``: 10M rows x 20 columns of parquet) sampled took 0.7-1.1x the
time of full, for flags that may be wrong. Use ``"sampled"`` when probes are expensive
(many nested arrays of structs) and estimates are acceptable.

Deliberate differences from MLflow's ``infer_signature(spark_df)``: top-level ``nullable``
columns are ``required`` only if they hold no null (MLflow: always required); nested
``required`` comes from the data, not just the declared nullability; ``MapType`` becomes
``Map`` without collecting every key to the driver (MLflow builds an ``Object`` from all
keys); decimals become ``double``, ``timestamp_ntz`` ``datetime`` and variants ``any``
(MLflow fails on all three).

Examples:
    >>> result = infer_schema_report(spark.range(3), mode="full")  # doctest: +SKIP
    >>> result.schema.to_dict(), result.rows_checked  # doctest: +SKIP
    ([{'type': 'long', 'name': 'id', 'required': True}], 0)
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import InvalidArgumentError, SchemaDefinitionError, UnsupportedTypeError
from sparksig.options import DEFAULT_SAMPLE_ROWS, DEFAULT_SEED, Mode, choose
from sparksig.schema import ColSpec, Schema
from sparksig.spark.convert import from_spark_type
from sparksig.types import Array, Map, Object, Property, SpecType

__all__ = ["InferenceResult", "infer_schema", "infer_schema_report"]

DEFAULT_MAX_ROWS = DEFAULT_SAMPLE_ROWS

# A probe: its root column, the path it reports on, and a function from the root column's
# value to a boolean Column that is true when that path holds a null in this row.
Probe = tuple[str, str, Callable[[Column], Column]]
Nested = tuple[str, Callable[[Column], Column]]


@dataclass(frozen=True, slots=True)
class InferenceResult:
    """What :func:`infer_schema_report` found, and how.

    Attributes:
        schema: the inferred schema.
        mode: ``"full"`` when the ``required`` flags are exact (every row was read, or no
            path needed reading), else ``"sampled"`` (the flags are estimates).
        rows_checked: rows whose values were read (0 when no column needed the data).
        seed: the sampling seed used, or None. The same seed reproduces the sample on the
            same data with the same partitioning.
        rows_total: rows in the table, counted in the same job (None when no job ran).
        fraction: the sampling threshold applied (each row was in the sample with this
            probability), or None when every row was read.
        null_paths: the nullable paths where a null was seen (``"a"``, ``"s.f"``,
            ``"items[].price"``, ``"attrs{}.x"``).
    """

    schema: Schema
    mode: str
    rows_checked: int
    seed: int | None
    rows_total: int | None = None
    fraction: float | None = None
    null_paths: tuple[str, ...] = ()

    def __str__(self) -> str:
        read = f"{self.rows_checked:,} rows" + (
            f" of {self.rows_total:,}" if self.rows_total is not None else ""
        )
        if self.rows_total is None:
            return f"{self.schema!r}\ninferred from the schema alone (nothing is nullable)"
        how = "every row" if self.mode == "full" else f"a sample (seed {self.seed})"
        return f"{self.schema!r}\ninferred from {how}: {read}"


def infer_schema(
    df: DataFrame,
    mode: str = "full",
    fraction: float | None = None,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    seed: int | None = None,
) -> Schema:
    """Infer a :class:`~sparksig.Schema` from a Spark DataFrame (see the module docs).

    Args:
        df: the DataFrame.
        mode: ``"full"`` (default; every row, exact ``required`` flags) or ``"sampled"``
            (a seeded random sample; the ``required`` flags are estimates).
        fraction: sampling fraction in (0, 1]; by default ``max_rows`` decides it.
        max_rows: the most rows a sample may hold (sampled mode); None for no limit.
        seed: sampling seed (default :data:`~sparksig.options.DEFAULT_SEED`, so a repeated run
            reads the same sample; reported in :func:`infer_schema_report`).

    Returns:
        The schema; :func:`infer_schema_report` returns it with the mode, rows read and seed.

    Raises:
        UnsupportedTypeError: a column type has no signature counterpart (names the path).

    Examples:
        >>> infer_schema(spark.range(10), mode="full").to_dict()  # doctest: +SKIP
        [{'type': 'long', 'name': 'id', 'required': True}]
    """
    return infer_schema_report(df, mode, fraction, max_rows, seed).schema


def infer_schema_report(
    df: DataFrame,
    mode: str = "full",
    fraction: float | None = None,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    seed: int | None = None,
) -> InferenceResult:
    """Like :func:`infer_schema`, but says which mode ran, how many rows were read, the seed.

    Examples:
        >>> r = infer_schema_report(df, mode="sampled", max_rows=1000, seed=7)  # doctest: +SKIP
        >>> r.mode, r.rows_checked, r.seed  # doctest: +SKIP
        ('sampled', 968, 7)
    """
    _check_args(mode, fraction, max_rows, seed)
    if df.isStreaming:
        raise SchemaDefinitionError(
            "cannot infer from a streaming DataFrame (its rows do not exist yet); infer from a "
            "batch read of the same source, e.g. spark.read.format(...).load(...)"
        )
    struct = df.schema
    if not struct.fields:
        raise SchemaDefinitionError("the DataFrame has no columns; a schema needs at least one")
    types = {f.name: from_spark_type(f.dataType, f.name) for f in struct.fields}
    if len(types) != len(struct.fields):
        raise UnsupportedTypeError("the DataFrame has duplicate column names; rename them")
    probes = [p for f in struct.fields for p in _column_probes(f)]
    if not probes:  # every path is declared non-nullable: nothing to read
        return InferenceResult(_schema(struct, types, set()), "full", 0, None)

    if choose(Mode, mode, "mode") is Mode.FULL:
        run = _run_probes(df, probes, None, None, None)
    else:
        seed = DEFAULT_SEED if seed is None else seed
        run = _run_probes(df, probes, _thresholds(df, fraction, max_rows), max_rows, seed)
    every_row = run.threshold is None or run.threshold >= 1
    return InferenceResult(
        schema=_schema(struct, types, run.nulls),
        mode="full" if every_row else "sampled",
        rows_checked=run.rows_checked,
        seed=None if every_row else seed,
        rows_total=run.rows_total,
        fraction=None if every_row else run.threshold,
        null_paths=tuple(p for _, p, _ in probes if p in run.nulls),
    )


def _check_args(mode: str, fraction: Any, max_rows: Any, seed: Any) -> None:
    choose(Mode, mode, "mode")
    if fraction is not None and (
        isinstance(fraction, bool)
        or not isinstance(fraction, (int, float))
        or not 0 < fraction <= 1
    ):
        raise InvalidArgumentError(f"fraction must be in (0, 1], got {fraction!r}")
    if max_rows is not None and (
        isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1
    ):
        raise InvalidArgumentError(f"max_rows must be a positive int or None, got {max_rows!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InvalidArgumentError(f"seed must be an int or None, got {seed!r}")


# --- probes: one boolean expression per nullable path ------------------------------------------


def _column_probes(field: T.StructField) -> list[Probe]:
    nested: list[Nested] = [(field.name, lambda v: v.isNull())] if field.nullable else []
    nested.extend(_nested_probes(field.dataType, field.name))
    return [(field.name, path, fn) for path, fn in nested]


def _nested_probes(dtype: T.DataType, path: str) -> list[Nested]:
    """(path, probe) for the nullable struct fields reachable inside a value of ``dtype``."""
    probes: list[Nested] = []
    if isinstance(dtype, T.StructType):
        for f in dtype.fields:
            where = f"{path}.{f.name}"
            if f.nullable:
                probes.append((where, _field_is_null(f.name)))
            probes.extend((p, _in_field(f.name, fn)) for p, fn in _nested_probes(f.dataType, where))
    elif isinstance(dtype, T.ArrayType):
        probes.extend(
            (p, _in_elements(fn)) for p, fn in _nested_probes(dtype.elementType, f"{path}[]")
        )
    elif isinstance(dtype, T.MapType):
        probes.extend(
            (p, _in_values(fn)) for p, fn in _nested_probes(dtype.valueType, f"{path}{{}}")
        )
    return probes


# Factories rather than lambdas with default arguments: Spark's higher-order functions count a
# Python lambda's parameters, so ``exists`` must get a one-argument function.
def _field_is_null(name: str) -> Callable[[Column], Column]:
    # A null parent is not a null field: the parent's own probe reports that.
    return lambda v: v.isNotNull() & v.getField(name).isNull()


def _in_field(name: str, inner: Callable[[Column], Column]) -> Callable[[Column], Column]:
    return lambda v: inner(v.getField(name))


def _in_elements(inner: Callable[[Column], Column]) -> Callable[[Column], Column]:
    return lambda v: F.exists(v, inner)


def _in_values(inner: Callable[[Column], Column]) -> Callable[[Column], Column]:
    return lambda v: F.exists(F.map_values(v), inner)


@dataclass(frozen=True, slots=True)
class _Run:
    rows_total: int
    rows_checked: int
    nulls: set[str]
    threshold: float | None  # rows with rand(seed) < threshold were read; None: every row


def _run_probes(
    df: DataFrame,
    probes: list[Probe],
    thresholds: list[float] | None,
    max_rows: int | None,
    seed: int | None,
) -> _Run:
    """Run every probe in one job (observed metrics of a no-op write: no shuffle).

    Full (``thresholds`` None): ``max(probe)`` per path over every row. Sampled: each row
    draws ``u = rand(seed)``; rows with ``u >= thresholds[0]`` are dropped before any probe
    runs; the job counts the rows under each threshold (a descending grid) and keeps, per
    path, the smallest ``u`` of a row where it is null. Afterwards the largest threshold
    whose count fits ``max_rows`` defines the sample, "rows with u below it", and a path
    is null in the sample iff its smallest ``u`` is below it. So the sample is a true
    Bernoulli sample, never larger than ``max_rows``, from a single pass.
    """
    needed = {root for root, _, _ in probes}
    narrow = df.select(*[_col(c) for c in df.columns if c in needed])
    tag = uuid.uuid4().hex
    counted, checked = Observation(f"sparksig_total_{tag}"), Observation(f"sparksig_probe_{tag}")
    frame = narrow.observe(counted, F.count(F.lit(1)).alias("rows"))
    if thresholds is None:
        aggregates = [F.count(F.lit(1)).alias("n0")] + [
            F.max(F.when(fn(_col(root)), F.lit(1))).alias(f"p{i}")
            for i, (root, _, fn) in enumerate(probes)
        ]
    else:
        u = "__sparksig_u"
        while u in narrow.columns:
            u += "_"
        frame = frame.withColumn(u, F.rand(seed))
        if thresholds[0] < 1:
            frame = frame.filter(F.col(u) < F.lit(thresholds[0]))
        aggregates = [
            F.count_if(F.col(u) < F.lit(t)).alias(f"n{j}") for j, t in enumerate(thresholds)
        ] + [
            F.min(F.when(fn(_col(root)), F.col(u))).alias(f"p{i}")
            for i, (root, _, fn) in enumerate(probes)
        ]
    frame = frame.observe(checked, *aggregates)
    frame.write.format("noop").mode("overwrite").save()
    seen, total = checked.get, int(counted.get["rows"])
    if thresholds is None:
        nulls = {path for i, (_, path, _) in enumerate(probes) if seen.get(f"p{i}") is not None}
        return _Run(total, int(seen["n0"]), nulls, None)
    fits = [j for j in range(len(thresholds)) if max_rows is None or seen[f"n{j}"] <= max_rows]
    j = fits[0] if fits else len(thresholds) - 1
    t = thresholds[j]
    nulls = {
        path
        for i, (_, path, _) in enumerate(probes)
        if seen.get(f"p{i}") is not None and seen[f"p{i}"] < t
    }
    return _Run(total, int(seen[f"n{j}"]), nulls, t)


def _col(name: str) -> Column:
    return F.col("`" + name.replace("`", "``") + "`")


# --- sampling -------------------------------------------------------------------------------


GRID_RATIO = 1.25  # successive sample thresholds differ by this factor
SLACK = 4  # the pre-filter keeps about SLACK x max_rows rows when Spark's estimate is right
MOST_ROWS = 10**12  # the grid reaches down far enough for tables this big


def _thresholds(df: DataFrame, fraction: float | None, max_rows: int | None) -> list[float]:
    """A descending grid of sampling thresholds; the job picks the largest that fits."""
    top = 1.0 if fraction is None else float(fraction)
    if max_rows is None:
        return [top]
    estimate = estimated_rows(df)
    if estimate is not None:
        top = min(top, SLACK * max_rows / max(estimate, 1))
    span = max(top * MOST_ROWS / max_rows, 1.0)
    steps = math.ceil(math.log(span) / math.log(GRID_RATIO)) + 1
    return [top * GRID_RATIO**-j for j in range(steps)]


def estimated_rows(df: DataFrame) -> int | None:
    """Spark's own row-count estimate for ``df``'s plan, without running a job; None if unknown.

    Uses the optimizer's ``rowCount`` when it has one, else its ``sizeInBytes`` divided by the
    schema's default row size. Under-estimates compressed files (so samples come out larger
    than asked, never smaller).
    """
    try:
        jdf = df._jdf
        stats = jdf.queryExecution().optimizedPlan().stats()
        count = stats.rowCount()
        if count.isDefined():
            return int(str(count.get()))
        size = int(str(stats.sizeInBytes()))
        # What Spark assumes for a plan it cannot size (Long.MaxValue unless configured).
        unknown = int(
            str(df.sparkSession._jsparkSession.sessionState().conf().defaultSizeInBytes())
        )
        row_size = max(int(jdf.schema().defaultSize()), 1)
    except Exception:  # Spark Connect, or a plan without statistics
        return None
    if size >= min(unknown, 2**63 - 1):
        return None
    return max(size // row_size, 1)


# --- schema assembly ------------------------------------------------------------------------


def _schema(struct: T.StructType, types: dict[str, SpecType], nulls: set[str]) -> Schema:
    return Schema(
        ColSpec(
            _with_required(types[f.name], f.dataType, f.name, nulls),
            f.name,
            required=f.name not in nulls,
        )
        for f in struct.fields
    )


def _with_required(dtype: SpecType, spark: T.DataType, path: str, nulls: set[str]) -> SpecType:
    """``dtype`` with each Object property's ``required`` set from the data."""
    if isinstance(dtype, Object) and isinstance(spark, T.StructType):
        return Object(
            Property(
                p.name,
                _with_required(p.dtype, spark[p.name].dataType, f"{path}.{p.name}", nulls),
                required=f"{path}.{p.name}" not in nulls,
            )
            for p in dtype.properties
        )
    if isinstance(dtype, Array) and isinstance(spark, T.ArrayType):
        return Array(_with_required(dtype.dtype, spark.elementType, f"{path}[]", nulls))
    if isinstance(dtype, Map) and isinstance(spark, T.MapType):
        return Map(_with_required(dtype.value_type, spark.valueType, f"{path}{{}}", nulls))
    return dtype
