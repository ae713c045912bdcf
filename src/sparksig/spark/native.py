"""The native engine: a signature's data-level checks compiled to Spark ``Column`` expressions.

Every row-level rule the Arrow engine applies to Spark data is expressible in Spark SQL, so
validation and quarantine run inside the JVM, in one pass, with no Python worker:

- nulls where :func:`sparksig.rules.null_violates` says they are violations — top-level
  columns (under ``strict_nulls``), struct fields, array elements and map values at any depth
  (``exists`` over arrays and ``map_values``; children of null parents are not looked at).
  Where Spark's type declares a field, element or value non-nullable, no null can be there
  and none is looked for (the same trust inference gives ``nullable=False``). A struct
  declared as a map is read as MLflow reads it: each field one key's values, null = absent;
- timestamps and dates outside ``datetime64[ns]`` (:data:`sparksig.rules.DATETIME_NS_RANGE`);
- NaN and infinities in float fields when ``finite_only``;
- tensor rows: any null inside, and ``size`` at each fixed dimension;
- null Spark ML vectors (checked on the vector itself: no ``vector_to_array`` on nulls).

Each :class:`Check` is one ``(code, path)`` with a boolean expression that is true exactly on
the rows the Arrow engine charges with that violation (never null). Type compatibility is not
here: it is decided from the schema alone (:mod:`sparksig.spark.binding`).

Examples:
    >>> from sparksig import ColSpec, Schema
    >>> checks = compile_checks(binding, strict_nulls=True)  # doctest: +SKIP
    >>> [c.label for c in checks]  # doctest: +SKIP
    ['null_in_required:age', 'null_in_required:address.city']
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column, DataFrame, Observation, Row
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.enforce import messages
from sparksig.errors import Code, Violation, to_jsonable
from sparksig.options import MAX_EXAMPLES
from sparksig.rules import DATETIME_NS_RANGE, element_required, null_violates
from sparksig.schema import TensorSpec
from sparksig.spark.binding import Binding, Bound, col
from sparksig.spark.convert import is_vector_udt
from sparksig.types import AnyType, Array, DataType, Map, Object, SparkMLVector, SpecType

__all__ = ["Check", "compile_checks", "reasons_column", "summarise"]

Predicate = Callable[[Column], Column]


@dataclass(frozen=True, eq=False)
class Check:
    """One data-level check: rows where ``violated`` is true have ``code`` at ``path``.

    Attributes:
        code: the violation code.
        path: where (``address.city``, ``items[].price``, ``scores{}``).
        column: the declared column the path starts in (its value is the example shown).
        message: what the Arrow engine says for the same finding.
        violated: a boolean Spark expression, never null.
    """

    code: Code
    path: str
    column: Bound
    message: str
    violated: Column

    @property
    def label(self) -> str:
        return f"{self.code.value}:{self.path}"


def compile_checks(
    binding: Binding, *, strict_nulls: bool, finite_only: bool = False
) -> tuple[Check, ...]:
    """The checks for every column the binding says needs its rows looked at."""
    out: list[Check] = []
    for bound in binding.checked:
        assert bound.field is not None
        found: dict[tuple[Code, str], tuple[str, list[Predicate]]] = {}
        if isinstance(bound.spec, TensorSpec):
            items = _tensor(bound.spec, bound.name)
        else:
            items = _walk(
                bound.spec.type,
                bound.field.dataType,
                bound.name,
                bound.spec.required,
                top_level=True,
                strict_nulls=strict_nulls,
                finite_only=finite_only,
                nullable=bound.field.nullable,
            )
        for code, path, message, predicate in items:
            found.setdefault((code, path), (message, []))[1].append(predicate)
        source = bound.source
        for (code, path), (message, predicates) in found.items():
            expr = predicates[0](source)
            for more in predicates[1:]:
                expr = expr | more(source)
            out.append(Check(code, path, bound, message, F.coalesce(expr, F.lit(False))))
    return tuple(out)


def reasons_column(checks: tuple[Check, ...]) -> Column:
    """``array<string>`` of the ``code:path`` labels a row fails; null when it fails none."""
    if not checks:
        return F.lit(None).cast(T.ArrayType(T.StringType()))
    labels = F.array(*[F.when(c.violated, F.lit(c.label)) for c in checks])
    failed = F.filter(labels, lambda x: x.isNotNull())
    return F.when(F.size(failed) > 0, failed)


_Item = tuple[Code, str, str, Predicate]


def _walk(
    spec: SpecType,
    spark_type: T.DataType,
    path: str,
    required: bool,
    *,
    top_level: bool,
    strict_nulls: bool,
    finite_only: bool,
    nullable: bool = True,
) -> Iterator[_Item]:
    if isinstance(spec, AnyType):
        return
    # Spark's own non-null guarantee (a field, element or value declared non-nullable) is
    # trusted, as inference trusts it: such a value cannot be null, so it is not checked.
    if nullable and null_violates(spec, required, top_level=top_level, strict_nulls=strict_nulls):
        message = messages.top_null(path) if top_level and isinstance(spec, DataType) else None
        yield (
            Code.NULL_IN_REQUIRED,
            path,
            message or messages.nested_null(spec, path),
            lambda e: e.isNull(),
        )
    nested = {"strict_nulls": strict_nulls, "finite_only": finite_only, "top_level": False}
    if isinstance(spec, DataType):
        yield from _values(spec, spark_type, path, finite_only)
    elif isinstance(spec, SparkMLVector):
        if finite_only and is_vector_udt(spark_type):
            yield (Code.NON_FINITE, path + "[]", messages.non_finite(path + "[]"), _vector_finite)
        elif isinstance(spark_type, T.ArrayType):
            yield from _array_items(Array(DataType.double), spark_type, path, required, nested)
    elif isinstance(spec, Array) and isinstance(spark_type, T.ArrayType):
        yield from _array_items(spec, spark_type, path, required, nested)
    elif isinstance(spec, Map) and isinstance(spark_type, T.MapType):
        yield from _items(
            spec.value_type,
            spark_type.valueType,
            spark_type.valueContainsNull,
            f"{path}{{}}",
            required,
            nested,
            F.map_values,
        )
    elif isinstance(spec, Map) and isinstance(spark_type, T.StructType):
        # a struct read as a map, as MLflow reads Spark structs (the binding accepts it): each
        # field holds one key's values, and a null field is an absent key, not a null value
        for field in spark_type.fields:
            inner = _walk(
                spec.value_type,
                field.dataType,
                f"{path}{{}}",
                element_required(required),
                nullable=False,
                **nested,
            )
            for code, where, message, predicate in inner:
                yield code, where, message, _in_field(predicate, spark_type, field.name)
    elif isinstance(spec, Object) and isinstance(spark_type, T.StructType):
        names = set(spark_type.fieldNames())
        for prop in spec.properties:
            if prop.name not in names:
                continue  # a missing optional property: nothing in the rows to check
            inner = _walk(
                prop.dtype,
                spark_type[prop.name].dataType,
                f"{path}.{prop.name}",
                prop.required,
                nullable=spark_type[prop.name].nullable,
                **nested,
            )
            for code, where, message, predicate in inner:
                yield code, where, message, _in_field(predicate, spark_type, prop.name)


def _array_items(
    spec: Array, spark_type: T.ArrayType, path: str, required: bool, nested: dict
) -> Iterator[_Item]:
    yield from _items(
        spec.dtype,
        spark_type.elementType,
        spark_type.containsNull,
        f"{path}[]",
        required,
        nested,
        None,
    )


def _items(
    spec: SpecType,
    spark_type: T.DataType,
    nullable: bool,
    path: str,
    required: bool,
    nested: dict,
    children: Callable[[Column], Column] | None,
) -> Iterator[_Item]:
    """Checks of array elements or map values, lifted to the row with ``exists``."""
    inner = _walk(spec, spark_type, path, element_required(required), nullable=nullable, **nested)
    for code, where, message, predicate in inner:
        yield code, where, message, _exists_in(predicate, children)


def _exists_in(predicate: Predicate, children: Callable[[Column], Column] | None) -> Predicate:
    return lambda e: F.exists(e if children is None else children(e), predicate)


def _in_field(predicate: Predicate, struct: T.StructType, name: str) -> Predicate:
    # A null struct has no fields to judge (the Arrow engine drops children of null parents).
    return lambda e: e.isNotNull() & predicate(field_of(e, struct, name))


def field_of(e: Column, struct: T.StructType, name: str) -> Column:
    """Field ``name`` of the struct ``e``, even beside a field differing only in case (``a``
    and ``A``, which Spark's case-insensitive resolution calls ambiguous): such a struct is
    read by position, through a cast to positional field names."""
    names = struct.fieldNames()
    if sum(n.casefold() == name.casefold() for n in names) == 1:
        return e.getField(name)
    positional = T.StructType(
        [T.StructField(f"_{i}", f.dataType, True) for i, f in enumerate(struct.fields)]
    )
    return e.cast(positional).getField(f"_{names.index(name)}")


def _values(
    spec: DataType, spark_type: T.DataType, path: str, finite_only: bool
) -> Iterator[_Item]:
    if spec is DataType.datetime:
        bounds = _datetime_bounds(spark_type)
        if bounds is not None:
            low, high = bounds
            yield (
                Code.OUT_OF_RANGE,
                path,
                messages.out_of_range(path),
                lambda e: (e < low) | (e > high),
            )
    elif finite_only and isinstance(spark_type, (T.FloatType, T.DoubleType)):
        yield Code.NON_FINITE, path, messages.non_finite(path), _not_finite


def _not_finite(e: Column) -> Column:
    return F.isnan(e) | (e == F.lit(float("inf"))) | (e == F.lit(float("-inf")))


def _vector_finite(e: Column) -> Column:
    from pyspark.ml.functions import vector_to_array

    dense = F.when(e.isNotNull(), vector_to_array(e))
    return F.exists(dense, _not_finite)


def _datetime_bounds(spark_type: T.DataType) -> tuple[Column, Column] | None:
    """Literals of the column's own type that bracket ``datetime64[ns]`` (time zone safe)."""
    low, high = (t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in DATETIME_NS_RANGE)
    if isinstance(spark_type, T.TimestampType):  # instants: the bounds are UTC instants
        return F.lit(low + "Z").cast("timestamp"), F.lit(high + "Z").cast("timestamp")
    if isinstance(spark_type, T.TimestampNTZType):  # wall-clock times, compared as such
        return F.lit(low).cast("timestamp_ntz"), F.lit(high).cast("timestamp_ntz")
    if isinstance(spark_type, T.DateType):
        return F.lit("1677-09-22").cast("date"), F.lit("2262-04-11").cast("date")
    return None


def _tensor(spec: TensorSpec, path: str) -> Iterator[_Item]:
    """Nulls anywhere in a row, and ``size`` at each fixed dimension (as the Arrow engine)."""
    dims = spec.shape[1:]

    def any_null(level: int) -> Predicate:
        if level == len(dims):
            return lambda e: e.isNull()
        deeper = any_null(level + 1)
        return lambda e: e.isNull() | F.exists(e, deeper)

    def bad_shape(level: int) -> Predicate | None:
        if level == len(dims):
            return None
        deeper = bad_shape(level + 1)
        size = dims[level]

        def check(e: Column) -> Column:
            here = F.lit(False) if size == -1 else F.size(e) != F.lit(size)
            return here if deeper is None else here | F.exists(e, deeper)

        return check

    yield Code.NULL_IN_REQUIRED, path, messages.tensor_null(path), any_null(0)
    shape = bad_shape(0)
    if shape is not None and any(d != -1 for d in dims):
        yield Code.SHAPE_MISMATCH, path, messages.tensor_shape(spec.shape, path), shape


def summarise(
    source: DataFrame, checks: tuple[Check, ...], keys: Sequence[str], *, small: bool = False
) -> tuple[list[Violation], int]:
    """Counts and examples of every check, and the rows read: ONE aggregation, no Python.

    The checks become boolean columns of one projection; one ``agg`` counts them
    (``count_if``) and keeps up to :data:`~sparksig.options.MAX_EXAMPLES` offending values
    per check (``min_by(value, 0, k)``: a bounded heap, not a list of every bad row).
    Null checks without key columns need no example column (the example is ``None``).

    ``small`` (a file sample) computes the same aggregates as observed metrics of a no-op
    write instead: one stage and one job, where an aggregation needs a shuffle and, with
    adaptive execution, a second job. Measured on 2 files of 25k rows: 0.35 s against 0.64 s;
    on 3M flat rows the aggregation is faster (0.40 s against 0.51 s), hence the switch.
    """
    keyed = bool(keys)
    types = {f.name: f.dataType for f in source.schema.fields} if keyed else {}
    key_struct = (
        F.struct(*[_collectable(col(k), types[k]).alias(k) for k in keys]) if keyed else None
    )
    flags, examples = [], {}
    for i, check in enumerate(checks):
        flags.append(check.violated.alias(f"__f{i}"))
        if keyed or check.code is not Code.NULL_IN_REQUIRED:
            value = _example_value(check.column)
            if key_struct is not None:
                value = F.struct(value.alias("value"), key_struct.alias("keys"))
            examples[i] = value.alias(f"__v{i}")
    frame = source.select(*flags, *examples.values())
    aggs = [F.count(F.lit(1)).alias("__rows")]
    for i in range(len(checks)):
        aggs.append(F.count_if(F.col(f"__f{i}")).alias(f"__n{i}"))
        if i in examples:
            aggs.append(_first_k(F.col(f"__v{i}"), F.col(f"__f{i}")).alias(f"__e{i}"))
    row = _one_stage(frame, aggs) if small else frame.agg(*aggs).collect()[0].asDict()
    found = []
    for i, check in enumerate(checks):
        count = int(row[f"__n{i}"])
        if not count:
            continue
        if i in examples:
            shown = tuple(_example(v, keyed) for v in (row[f"__e{i}"] or ())[:MAX_EXAMPLES])
        else:
            shown = (None,)
        found.append(Violation(check.code.value, check.path, count, shown, check.message))
    return found, int(row["__rows"])


def _one_stage(frame: DataFrame, aggs: list[Column]) -> dict[str, Any]:
    observed = Observation()
    frame.observe(observed, *aggs).write.format("noop").mode("overwrite").save()
    return observed.get


def _example_value(bound: Bound) -> Column:
    assert bound.field is not None
    if is_vector_udt(bound.field.dataType):
        from pyspark.ml.functions import vector_to_array

        return F.when(bound.source.isNotNull(), vector_to_array(bound.source))
    return _collectable(bound.source, bound.field.dataType)


def _collectable(expr: Column, spark_type: T.DataType) -> Column:
    """Values with dates or timestamps as text: Python's datetime cannot hold year 1 in every
    time zone, and an out-of-range timestamp is exactly what an example may have to show."""
    return expr.cast("string") if _has_time(spark_type) else expr


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


def _first_k(value: Column, flag: Column) -> Column:
    """Up to k values of ``value`` on flagged rows (Spark 4.2+: a bounded heap)."""
    if _MIN_BY_TAKES_K:
        return F.min_by(value, F.when(flag, F.lit(0)), MAX_EXAMPLES)  # type: ignore[call-arg]
    return F.slice(F.collect_list(F.when(flag, value)), 1, MAX_EXAMPLES)


_MIN_BY_TAKES_K = "k" in inspect.signature(F.min_by).parameters


def _example(value: Any, keyed: bool) -> Any:
    plain = value.asDict(recursive=True) if isinstance(value, Row) else value
    if keyed:
        return {
            "value": to_jsonable(_plain(plain["value"])),
            "keys": {k: to_jsonable(_plain(v)) for k, v in (plain["keys"] or {}).items()},
        }
    return to_jsonable(_plain(plain))


def _plain(value: Any) -> Any:
    if isinstance(value, Row):
        return value.asDict(recursive=True)
    return value
