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
- null Spark ML vectors, and with ``finite_only`` their values (read from the vector's
  text: SQL cannot call ``vector_to_array``).

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
from sparksig.spark.binding import Binding, Bound, quote
from sparksig.spark.convert import is_vector_udt
from sparksig.types import AnyType, Array, DataType, Map, Object, SparkMLVector, SpecType

__all__ = ["Check", "compile_checks", "reasons_column", "summarise"]

# (SQL of a value, lambda depth) -> SQL of a boolean about it (null where it cannot say).
# Checks are built as SQL text, not as Column objects: a Column costs several py4j round trips
# per operator on a classic session, and the text costs none (measured: 0.08 s against
# 0.26 s of fixed cost per validate of an 11-check signature).
Predicate = Callable[[str, int], str]


@dataclass(frozen=True, eq=False)
class Check:
    """One data-level check: rows where ``sql`` is true have ``code`` at ``path``.

    Attributes:
        code: the violation code.
        path: where (``address.city``, ``items[].price``, ``scores{}``).
        column: the declared column the path starts in (its value is the example shown).
        message: what the Arrow engine says for the same finding.
        sql: a boolean Spark SQL expression over the table's columns, never null.
    """

    code: Code
    path: str
    column: Bound
    message: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.code.value}:{self.path}"

    @property
    def violated(self) -> Column:
        """The check as a Spark ``Column``."""
        return F.expr(self.sql)


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
        source = quote(bound.field.name)
        for (code, path), (message, predicates) in found.items():
            expr = " OR ".join(f"({predicate(source, 0)})" for predicate in predicates)
            out.append(Check(code, path, bound, message, f"coalesce({expr}, false)"))
    return tuple(out)


def reasons_column(checks: tuple[Check, ...]) -> Column:
    """``array<string>`` of the ``code:path`` labels a row fails; null when it fails none."""
    if not checks:
        return F.lit(None).cast(T.ArrayType(T.StringType()))
    labels = F.array(*[F.when(c.violated, F.lit(c.label)) for c in checks])
    failed = F.filter(labels, lambda x: x.isNotNull())
    return F.when(F.size(failed) > 0, failed)


_Item = tuple[Code, str, str, Predicate]


def _is_null(e: str, depth: int) -> str:
    return f"({e}) IS NULL"


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
            _is_null,
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
            "map_values",
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
    children: str | None,
) -> Iterator[_Item]:
    """Checks of array elements or map values, lifted to the row with ``exists``."""
    inner = _walk(spec, spark_type, path, element_required(required), nullable=nullable, **nested)
    for code, where, message, predicate in inner:
        yield code, where, message, _exists_in(predicate, children)


def _exists_in(predicate: Predicate, children: str | None) -> Predicate:
    def lifted(e: str, depth: int) -> str:
        items = e if children is None else f"{children}({e})"
        x = _variable(depth)
        return f"exists({items}, {x} -> {predicate(x, depth + 1)})"

    return lifted


def _variable(depth: int) -> str:
    # One name per nesting depth: an inner lambda never needs the outer one's value.
    return f"__sparksig_x{depth}"


def _in_field(predicate: Predicate, struct: T.StructType, name: str) -> Predicate:
    # A null struct has no fields to judge (the Arrow engine drops children of null parents).
    access = _field_access(struct, name)
    return lambda e, depth: f"({e}) IS NOT NULL AND ({predicate(access(e), depth)})"


def _field_access(struct: T.StructType, name: str) -> Callable[[str], str]:
    """SQL of field ``name`` of a struct, even beside a field differing only in case (``a``
    and ``A``, which Spark's case-insensitive resolution calls ambiguous): such a struct is
    read by position, through a cast to positional field names."""
    index = _twin_index(struct, name)
    if index is None:
        return lambda e: f"({e}).{quote(name)}"
    positional = (
        "STRUCT<"
        + ", ".join(f"`_{i}`: {_sql_type(f.dataType)}" for i, f in enumerate(struct.fields))
        + ">"
    )
    return lambda e: f"CAST(({e}) AS {positional}).`_{index}`"


def _twin_index(struct: T.StructType, name: str) -> int | None:
    """The position of field ``name`` when another field differs from it only in case."""
    names = struct.fieldNames()
    if sum(n.casefold() == name.casefold() for n in names) == 1:
        return None
    return names.index(name)


def _sql_type(t: T.DataType) -> str:
    if isinstance(t, T.StructType):
        fields = ", ".join(f"{quote(f.name)}: {_sql_type(f.dataType)}" for f in t.fields)
        return f"STRUCT<{fields}>"
    if isinstance(t, T.ArrayType):
        return f"ARRAY<{_sql_type(t.elementType)}>"
    if isinstance(t, T.MapType):
        return f"MAP<{_sql_type(t.keyType)}, {_sql_type(t.valueType)}>"
    if isinstance(t, T.UserDefinedType):
        # SQL cannot name a UDT, and any UDT casts to text: a Spark ML vector's text is
        # enough for the null and finiteness checks it can be given (see _vector_finite)
        return "STRING"
    return t.simpleString()


def field_of(e: Column, struct: T.StructType, name: str) -> Column:
    """Field ``name`` of the struct ``e`` as a ``Column`` (case twins read by position, as
    :func:`_field_access` does in SQL)."""
    index = _twin_index(struct, name)
    if index is None:
        return e.getField(name)
    positional = T.StructType(
        [T.StructField(f"_{i}", f.dataType, True) for i, f in enumerate(struct.fields)]
    )
    return e.cast(positional).getField(f"_{index}")


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
                lambda e, depth: f"({e}) < {low} OR ({e}) > {high}",
            )
    elif finite_only and isinstance(spark_type, (T.FloatType, T.DoubleType)):
        yield Code.NON_FINITE, path, messages.non_finite(path), _not_finite


def _not_finite(e: str, depth: int) -> str:
    return (
        f"isnan({e}) OR ({e}) = CAST('Infinity' AS DOUBLE) OR ({e}) = CAST('-Infinity' AS DOUBLE)"
    )


def _vector_finite(e: str, depth: int) -> str:
    # SQL cannot call vector_to_array, but a vector's text (Spark casts it with toString:
    # "[1.0,NaN]", "(4,[1],[Infinity])") spells every stored value the way Java prints a
    # double, where only NaN and the infinities have these letters. The same test works on
    # a vector read from a case-twin struct, which arrives as that text.
    return f"CAST({e} AS STRING) RLIKE 'NaN|Infinity'"


# A vector's stored values in SQL, for the dense example shown: its JSON form read back as
# the VectorUDT's own struct (zeros a sparse vector leaves out are filled in by the caller).
_VECTOR_STRUCT = "'v STRUCT<type: TINYINT, size: INT, indices: ARRAY<INT>, values: ARRAY<DOUBLE>>'"


def _datetime_bounds(spark_type: T.DataType) -> tuple[str, str] | None:
    """Literals of the column's own type that bracket ``datetime64[ns]`` (time zone safe)."""
    low, high = (t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in DATETIME_NS_RANGE)
    if isinstance(spark_type, T.TimestampType):  # instants: the bounds are UTC instants
        return f"CAST('{low}Z' AS TIMESTAMP)", f"CAST('{high}Z' AS TIMESTAMP)"
    if isinstance(spark_type, T.TimestampNTZType):  # wall-clock times, compared as such
        return f"CAST('{low}' AS TIMESTAMP_NTZ)", f"CAST('{high}' AS TIMESTAMP_NTZ)"
    if isinstance(spark_type, T.DateType):
        return "CAST('1677-09-22' AS DATE)", "CAST('2262-04-11' AS DATE)"
    return None


def _tensor(spec: TensorSpec, path: str) -> Iterator[_Item]:
    """Nulls anywhere in a row, and ``size`` at each fixed dimension (as the Arrow engine)."""
    dims = spec.shape[1:]

    def any_null(level: int) -> Predicate:
        if level == len(dims):
            return _is_null
        deeper = any_null(level + 1)

        def check(e: str, depth: int) -> str:
            x = _variable(depth)
            return f"({e}) IS NULL OR exists({e}, {x} -> {deeper(x, depth + 1)})"

        return check

    def bad_shape(level: int) -> Predicate | None:
        if level == len(dims):
            return None
        deeper = bad_shape(level + 1)
        size = dims[level]

        def check(e: str, depth: int) -> str:
            here = "false" if size == -1 else f"size({e}) != {size}"
            if deeper is None:
                return here
            x = _variable(depth)
            return f"{here} OR exists({e}, {x} -> {deeper(x, depth + 1)})"

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
        "struct("
        + ", ".join(f"{_collectable(quote(k), types[k])} AS {quote(k)}" for k in keys)
        + ")"
        if keyed
        else None
    )
    flags, examples = [], {}
    for i, check in enumerate(checks):
        flags.append(f"{check.sql} AS __f{i}")
        if keyed or check.code is not Code.NULL_IN_REQUIRED:
            value = _example_value(check.column)
            if key_struct is not None:
                value = f"struct({value} AS `value`, {key_struct} AS `keys`)"
            examples[i] = f"{value} AS __v{i}"
    frame = source.selectExpr(*flags, *examples.values())
    aggs = ["count(1) AS __rows"]
    for i in range(len(checks)):
        aggs.append(f"count_if(__f{i}) AS __n{i}")
        if i in examples:
            aggs.append(f"{_first_k(f'__v{i}', f'__f{i}')} AS __e{i}")
    row = _one_stage(frame, aggs) if small else frame.selectExpr(*aggs).collect()[0].asDict()
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


def _one_stage(frame: DataFrame, aggs: list[str]) -> dict[str, Any]:
    observed = Observation()
    frame.observe(observed, *[F.expr(a) for a in aggs]).write.format("noop").mode(
        "overwrite"
    ).save()
    return observed.get


def _example_value(bound: Bound) -> str:
    assert bound.field is not None
    source = quote(bound.field.name)
    if is_vector_udt(bound.field.dataType):
        return _dense_vector(source)
    return _collectable(source, bound.field.dataType)


def _dense_vector(e: str) -> str:
    """A Spark ML vector as ``array<double>``, zeros of sparse vectors filled in (SQL's
    ``vector_to_array``)."""
    v = f"from_json(to_json(named_struct('v', {e})), {_VECTOR_STRUCT}).v"
    x = _variable(0)
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
