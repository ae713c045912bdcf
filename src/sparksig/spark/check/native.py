"""The native engine: a signature's data-level checks compiled to Spark SQL, run in the JVM.

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

**No name reaches the SQL parser.** Spark does not take SQL text literally: it substitutes
``${...}`` (``spark.sql.variable.substitute``), and quotes, comments and keywords are syntax.
So a check never spells a user's name. :meth:`CheckSet.project` renames every column by
position (``toDF``: ``__sparksig_t0``, ...; no name is parsed) and casts each column holding
structs to the same type with its fields renamed by position (``_0``, ``_1``, ...), through
the ``Column`` API; :meth:`CheckSet.restore` gives the names back. The SQL text of every
check reads only those internal names, positional fields (``__sparksig_c0._2._0``), lambda
variables and literals that this module writes.
Labels and key names, which hold user names, travel as data (a JSON literal decoded by
``from_json``) or stay in Python. The same rule makes case-twin struct fields (``a`` and
``A``) plain positions, and keeps every check's text linear in the depth of its path
(signature types nest at most :data:`sparksig.types.MAX_DEPTH` levels):
only a null check guards on its parent (``p IS NOT NULL AND p._0 IS NULL``); every other
predicate is null on a null parent, and ``coalesce(..., false)`` reads that as a pass.

Each :class:`Check` is one ``(code, path)`` with a boolean expression that is true exactly on
the rows the Arrow engine charges with that violation (never null). Type compatibility is not
here: it is decided from the schema alone (:mod:`sparksig.spark.check.binding`).

Examples:
    >>> checks = compile_checks(binding, df.columns, strict_nulls=True)  # doctest: +SKIP
    >>> [c.label for c in checks]  # doctest: +SKIP
    ['null_in_required:age', 'null_in_required:address.city']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pyspark.sql import types as T

from sparksig.enforce import messages
from sparksig.results import Code
from sparksig.rules import DATETIME_NS_RANGE, element_required, null_violates
from sparksig.schema import TensorSpec
from sparksig.spark.check.binding import TableBinding
from sparksig.spark.check.checks import Check, CheckSet
from sparksig.spark.check.constraints import constraint_checks
from sparksig.spark.check.sql import (
    Predicate,
    Ref,
    exists_in,
    in_field,
    internal_prefix,
    variable,
)
from sparksig.spark.convert import is_vector_udt
from sparksig.types import AnyType, Array, DataType, Map, Object, SparkMLVector, SpecType

__all__ = ["compile_checks", "datetime_bounds"]


def compile_checks(
    binding: TableBinding,
    columns: Sequence[str],
    *,
    strict_nulls: bool,
    finite_only: bool = False,
    constraints: Sequence[Any] = (),
) -> CheckSet:
    """The checks for every column the binding says needs its rows looked at.

    Args:
        binding: the table bound to a schema.
        columns: the table's column names (internal aliases avoid them).
        strict_nulls, finite_only: as in :func:`sparksig.spark.validate`.
        constraints: row-level constraints of a profile (:mod:`sparksig.profile.constraints`:
            ``Range``, ``Domain``, ``MaxLength``), compiled to checks of their own codes
            (``out_of_range``, ``not_in_domain``, ``too_long``) after the type checks, so
            every verb that routes rows routes them alike (see :func:`constraint_checks`).
    """
    out: list[Check] = []
    inputs = binding.checked
    prefix = internal_prefix(columns)
    first: dict[str, int] = {}
    for j, name in enumerate(columns):
        first.setdefault(name, j)
    positions = []
    for bound in inputs:
        assert bound.field is not None
        positions.append(first[bound.field.name])
    template = CheckSet((), inputs, prefix, tuple(columns), tuple(positions))
    for index, bound in enumerate(inputs):
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
        source = Ref(template.alias(index))
        for (code, path), (message, predicates) in found.items():
            expr = " OR ".join(f"({predicate(source, 0)})" for predicate in predicates)
            out.append(Check(code, path, message, f"coalesce({expr}, false)", index))
    out.extend(constraint_checks(template, constraints))
    return CheckSet(tuple(out), inputs, prefix, tuple(columns), tuple(positions))


_Item = tuple[Code, str, str, Predicate]


def _is_null(r: Ref, depth: int) -> str:
    # a struct field is judged only where its struct is there (children of null parents
    # are not looked at, as in the Arrow engine); deeper ancestors need no guard: a null
    # grandparent makes the parent null too
    if r.parent is None:
        return f"{r.sql} IS NULL"
    return f"{r.parent} IS NOT NULL AND {r.sql} IS NULL"


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
    nested: dict[str, Any] = {
        "strict_nulls": strict_nulls,
        "finite_only": finite_only,
        "top_level": False,
    }
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
        for index, field in enumerate(spark_type.fields):
            inner = _walk(
                spec.value_type,
                field.dataType,
                f"{path}{{}}",
                element_required(required),
                nullable=False,
                **nested,
            )
            for code, where, message, predicate in inner:
                yield code, where, message, in_field(predicate, index)
    elif isinstance(spec, Object) and isinstance(spark_type, T.StructType):
        positions = {f.name: i for i, f in enumerate(spark_type.fields)}
        for prop in spec.properties:
            at = positions.get(prop.name)
            if at is None:
                continue  # a missing optional property: nothing in the rows to check
            field = spark_type.fields[at]
            inner = _walk(
                prop.dtype,
                field.dataType,
                f"{path}.{prop.name}",
                prop.required,
                nullable=field.nullable,
                **nested,
            )
            for code, where, message, predicate in inner:
                yield code, where, message, in_field(predicate, at)


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
        yield code, where, message, exists_in(predicate, children)


def _values(
    spec: DataType, spark_type: T.DataType, path: str, finite_only: bool
) -> Iterator[_Item]:
    if spec is DataType.datetime:
        bounds = datetime_bounds(spark_type)
        if bounds is not None:
            low, high = bounds
            yield (
                Code.OUT_OF_RANGE,
                path,
                messages.out_of_range(path),
                lambda r, depth: f"{r.sql} < {low} OR {r.sql} > {high}",
            )
    elif finite_only and isinstance(spark_type, (T.FloatType, T.DoubleType)):
        yield Code.NON_FINITE, path, messages.non_finite(path), _not_finite


def _not_finite(r: Ref, depth: int) -> str:
    e = r.sql
    return f"isnan({e}) OR {e} = CAST('Infinity' AS DOUBLE) OR {e} = CAST('-Infinity' AS DOUBLE)"


def _vector_finite(r: Ref, depth: int) -> str:
    # SQL cannot call vector_to_array, but a vector's text (Spark casts it with toString:
    # "[1.0,NaN]", "(4,[1],[Infinity])") spells every stored value the way Java prints a
    # double, where only NaN and the infinities have these letters.
    return f"CAST({r.sql} AS STRING) RLIKE 'NaN|Infinity'"


def datetime_bounds(spark_type: T.DataType) -> tuple[str, str] | None:
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

        def check(r: Ref, depth: int) -> str:
            x = variable(depth)
            return f"{r.sql} IS NULL OR exists({r.sql}, {x} -> {deeper(Ref(x), depth + 1)})"

        return check

    def bad_shape(level: int) -> Predicate | None:
        if level == len(dims):
            return None
        deeper = bad_shape(level + 1)
        size = dims[level]

        def check(r: Ref, depth: int) -> str:
            here = "false" if size == -1 else f"size({r.sql}) != {size}"
            if deeper is None:
                return here
            x = variable(depth)
            return f"{here} OR exists({r.sql}, {x} -> {deeper(Ref(x), depth + 1)})"

        return check

    yield Code.NULL_IN_REQUIRED, path, messages.tensor_null(path), any_null(0)
    shape = bad_shape(0)
    if shape is not None and any(d != -1 for d in dims):
        yield Code.SHAPE_MISMATCH, path, messages.tensor_shape(spec.shape, path), shape
