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
* ``"sampled"``: a seeded Bernoulli sample (``df.sample(fraction, seed)``) of about
  ``max_rows`` rows, the fraction worked out from Spark's own size estimate of the plan (no
  job). The ``required`` flags are then **estimates**: a column with rare nulls can be
  inferred as required although some row outside the sample is null, and later validation
  of that very table will report those nulls. ``max_rows`` is a target, not a hard cap (the
  sample is Bernoulli and the size estimate rough: compressed files look smaller than they
  are, so samples come out larger); the exact number of rows read is reported. When Spark
  has no size estimate (e.g. local data), or the table is no bigger than the sample, every
  row is read and the result says ``"full"``.

Why ``"full"`` is the default: a Bernoulli sample still *scans* every row (the sample is a
filter after the scan), so sampling only saves the probe evaluation. On the benchmark
(``benchmarks/bench_infer.py``: 10M rows x 20 columns of parquet) sampled took 0.7-0.9x the
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

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import SchemaDefinitionError, UnsupportedTypeError
from sparksig.schema import ColSpec, Schema
from sparksig.spark.convert import from_spark_type
from sparksig.types import Array, Map, Object, Property, SpecType

__all__ = ["InferenceResult", "infer_schema", "infer_schema_report"]

MODES = ("sampled", "full")
DEFAULT_MAX_ROWS = 100_000

# A probe: its root column, the path it reports on, and a function from the root column's
# value to a boolean Column that is true when that path holds a null in this row.
Probe = tuple[str, str, Callable[[Column], Column]]
Nested = tuple[str, Callable[[Column], Column]]


@dataclass(frozen=True, slots=True)
class InferenceResult:
    """What :func:`infer_schema_report` found, and how.

    Attributes:
        schema: the inferred schema.
        mode: ``"full"`` when every row was read (the ``required`` flags are exact), else
            ``"sampled"`` (the flags are estimates from the sample).
        rows_checked: rows whose values were read (0 when no column needed the data).
        seed: the sampling seed used, or None. The same seed reproduces the sample on the
            same data with the same partitioning.
        rows_total: rows in the table, counted in the same job (None when no job ran).
        fraction: the sampling fraction applied, or None when every row was read.
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
        max_rows: target sample size (sampled mode); None for no target.
        seed: sampling seed; a random one is drawn (and reported) when None.

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
        ('sampled', 1012, 7)
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
        return InferenceResult(_schema(struct, types, set()), mode, 0, None)

    applied = _sampling_fraction(df, mode, fraction, max_rows)
    if applied is not None and seed is None:
        seed = random.randrange(2**31)
    rows_total, rows_checked, nulls = _run_probes(df, probes, applied, seed)
    return InferenceResult(
        schema=_schema(struct, types, nulls),
        mode="full" if applied is None else "sampled",
        rows_checked=rows_checked,
        seed=seed if applied is not None else None,
        rows_total=rows_total,
        fraction=applied,
        null_paths=tuple(p for _, p, _ in probes if p in nulls),
    )


def _check_args(mode: str, fraction: Any, max_rows: Any, seed: Any) -> None:
    if mode not in MODES:
        raise SchemaDefinitionError(f"mode must be one of {MODES}, got {mode!r}")
    if fraction is not None and (
        isinstance(fraction, bool)
        or not isinstance(fraction, (int, float))
        or not 0 < fraction <= 1
    ):
        raise SchemaDefinitionError(f"fraction must be in (0, 1], got {fraction!r}")
    if max_rows is not None and (
        isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1
    ):
        raise SchemaDefinitionError(f"max_rows must be a positive int or None, got {max_rows!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise SchemaDefinitionError(f"seed must be an int or None, got {seed!r}")


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


def _run_probes(
    df: DataFrame, probes: list[Probe], fraction: float | None, seed: int | None
) -> tuple[int, int, set[str]]:
    """Run every probe in one job; return (rows in table, rows read, paths with nulls)."""
    needed = {root for root, _, _ in probes}
    narrow = df.select(*[_col(c) for c in df.columns if c in needed])
    tag = uuid.uuid4().hex
    counted, checked = Observation(f"sparksig_total_{tag}"), Observation(f"sparksig_probe_{tag}")
    frame = narrow.observe(counted, F.count(F.lit(1)).alias("rows"))
    if fraction is not None:
        frame = frame.sample(withReplacement=False, fraction=fraction, seed=seed)
    aggregates = [
        F.max(F.when(fn(_col(root)), F.lit(1)).otherwise(F.lit(0))).alias(f"p{i}")
        for i, (root, _, fn) in enumerate(probes)
    ]
    frame = frame.observe(checked, F.count(F.lit(1)).alias("rows"), *aggregates)
    frame.write.format("noop").mode("overwrite").save()
    seen = checked.get
    nulls = {path for i, (_, path, _) in enumerate(probes) if seen.get(f"p{i}")}
    return int(counted.get["rows"]), int(seen["rows"]), nulls


def _col(name: str) -> Column:
    return F.col("`" + name.replace("`", "``") + "`")


# --- sampling -------------------------------------------------------------------------------


def _sampling_fraction(
    df: DataFrame, mode: str, fraction: float | None, max_rows: int | None
) -> float | None:
    """The Bernoulli fraction to apply, or None to read every row."""
    if mode == "full":
        return None
    wanted = fraction
    if max_rows is not None:
        estimate = estimated_rows(df)
        if estimate is not None:
            cap = max_rows / max(estimate, 1)
            wanted = cap if wanted is None else min(wanted, cap)
    if wanted is None or wanted >= 1:
        return None
    return float(wanted)


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
