"""Every compiled check counted, with examples, in one aggregation (see :func:`summarise_with`)."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from pyspark.sql import Column, DataFrame, Observation, Row
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import Code, Violation, to_jsonable
from sparksig.options import MAX_EXAMPLES
from sparksig.spark.check.checks import Check, CheckSet
from sparksig.spark.check.sql import VECTOR_STRUCT, variable
from sparksig.spark.convert import is_vector_udt

__all__ = ["summarise", "summarise_with"]


def summarise(
    source: DataFrame, checks: CheckSet, keys: Sequence[str], *, small: bool = False
) -> tuple[list[Violation], int]:
    """Counts and examples of every check, and the rows read (see :func:`summarise_with`)."""
    found, rows, _ = summarise_with(source, checks, keys, small=small)
    return found, rows


def summarise_with(
    source: DataFrame,
    checks: CheckSet,
    keys: Sequence[str],
    extra: Sequence[Column] = (),
    *,
    small: bool = False,
) -> tuple[list[Violation], int, dict[str, Any]]:
    """Counts and examples of every check, and the rows read: ONE aggregation, no Python.

    The checks become boolean columns of one projection; one ``agg`` counts them
    (``count_if``) and keeps up to :data:`~sparksig.options.MAX_EXAMPLES` offending values
    per check (``min_by(value, 0, k)``: a bounded heap, not a list of every bad row).
    Null checks without key columns need no example column (the example is ``None``).
    Key columns are read by position too, in a struct of positional fields that Python
    names back.

    ``small`` (a file sample) computes the same aggregates as observed metrics of a no-op
    write instead: one stage and one job, where an aggregation needs a shuffle and, with
    adaptive execution, a second job. Measured on 2 files of 25k rows: 0.35 s against 0.64 s;
    on 3M flat rows the aggregation is faster (0.40 s against 0.51 s), hence the switch.
    """
    keyed = bool(keys)
    fields = source.schema.fields if keyed else []
    at = {f.name: j for j, f in reversed(list(enumerate(fields)))}
    key_struct = (
        "struct("
        + ", ".join(
            f"{_collectable(checks.position(at[k]), fields[at[k]].dataType)} AS _{j}"
            for j, k in enumerate(keys)
        )
        + ")"
        if keyed
        else None
    )
    flags, examples = [], {}
    for i, check in enumerate(checks):
        flags.append(f"{check.sql} AS __f{i}")
        if keyed or check.code is not Code.NULL_IN_REQUIRED:
            value = _example_value(checks, check)
            if key_struct is not None:
                value = f"struct({value} AS value, {key_struct} AS keys)"
            examples[i] = f"{value} AS __v{i}"
    # ``extra`` aggregates (a profile's drift counts) read the projection's own columns;
    # drift counters that come split (profiling.DriftAggregates) add their per-row inputs
    # to the projection, where they are compiled code, and aggregate plain columns
    inputs: Sequence[Column] = getattr(extra, "inputs", ())
    extra = getattr(extra, "projected", extra)
    kept = ["*"] if extra else []
    frame = checks.project(source).selectExpr(*kept, *flags, *examples.values())
    if inputs:
        frame = frame.select("*", *inputs)
    aggs = ["count(1) AS __rows"]
    for i in range(len(checks)):
        aggs.append(f"count_if(__f{i}) AS __n{i}")
        if i in examples:
            aggs.append(f"{_first_k(f'__v{i}', f'__f{i}')} AS __e{i}")
    if small:
        row = _one_stage(frame, aggs, extra)
    elif extra:
        row = frame.select(*[F.expr(a) for a in aggs], *extra).collect()[0].asDict()
    else:
        row = frame.selectExpr(*aggs).collect()[0].asDict()
    found = []
    for i, check in enumerate(checks):
        count = int(row[f"__n{i}"])
        if not count:
            continue
        if i in examples:
            shown = tuple(_example(v, list(keys)) for v in (row[f"__e{i}"] or ())[:MAX_EXAMPLES])
        else:
            shown = (None,)
        found.append(Violation(check.code.value, check.path, count, shown, check.message))
    return found, int(row["__rows"]), row


def _one_stage(frame: DataFrame, aggs: list[str], extra: Sequence[Column] = ()) -> dict[str, Any]:
    observed = Observation()
    frame.observe(observed, *[F.expr(a) for a in aggs], *extra).write.format("noop").mode(
        "overwrite"
    ).save()
    return observed.get


def _example_value(checks: CheckSet, check: Check) -> str:
    kind = checks._type(check.input)
    source = checks.value(check.input)
    if is_vector_udt(kind):
        return _dense_vector(source)
    return _collectable(source, kind)


def _dense_vector(e: str) -> str:
    """A Spark ML vector as ``array<double>``, zeros of sparse vectors filled in (SQL's
    ``vector_to_array``)."""
    v = f"from_json(to_json(named_struct('v', {e})), {VECTOR_STRUCT}).v"
    x = variable(0)
    at = f"try_element_at(map_from_arrays({v}.indices, {v}.`values`), {x})"
    return (
        f"CASE WHEN {v}.type = 1 THEN {v}.`values` "
        f"WHEN {v}.size = 0 THEN CAST(array() AS ARRAY<DOUBLE>) "
        f"ELSE transform(sequence(0, {v}.size - 1), {x} -> coalesce({at}, 0D)) END"
    )


def _collectable(expr: str, spark_type: T.DataType) -> str:
    """Values with dates or timestamps as text: Python's datetime cannot hold year 1 in every
    time zone, and an out-of-range timestamp is exactly what an example may have to show."""
    return f"CAST({expr} AS STRING)" if _has_time(spark_type) else expr


def _has_time(t: T.DataType) -> bool:
    if isinstance(t, (T.TimestampType, T.TimestampNTZType, T.DateType)):
        return True
    if isinstance(t, T.ArrayType):
        return _has_time(t.elementType)
    if isinstance(t, T.MapType):
        return _has_time(t.keyType) or _has_time(t.valueType)
    if isinstance(t, T.StructType):
        return any(_has_time(f.dataType) for f in t.fields)
    return False


def _first_k(value: str, flag: str) -> str:
    """Up to k values of ``value`` on flagged rows (Spark 4.2+: a bounded heap)."""
    if _MIN_BY_TAKES_K:
        return f"min_by({value}, CASE WHEN {flag} THEN 0 END, {MAX_EXAMPLES})"
    return f"slice(collect_list(CASE WHEN {flag} THEN {value} END), 1, {MAX_EXAMPLES})"


_MIN_BY_TAKES_K = "k" in inspect.signature(F.min_by).parameters


def _example(value: Any, keys: list[str]) -> Any:
    plain = value.asDict(recursive=True) if isinstance(value, Row) else value
    if keys:
        positional_keys = plain["keys"] or {}
        return {
            "value": to_jsonable(_plain(plain["value"])),
            "keys": {k: to_jsonable(_plain(positional_keys[f"_{j}"])) for j, k in enumerate(keys)},
        }
    return to_jsonable(_plain(plain))


def _plain(value: Any) -> Any:
    if isinstance(value, Row):
        return value.asDict(recursive=True)
    return value
