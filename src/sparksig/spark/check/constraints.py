"""A profile's row-level constraints (``Range``, ``Domain``, ``MaxLength``) compiled to native
checks of their own codes (``out_of_range``, ``not_in_domain``, ``too_long``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pyspark.sql import types as T

from sparksig.errors import InvalidArgumentError
from sparksig.schema import TensorSpec
from sparksig.spark.check.checks import Check, CheckSet
from sparksig.spark.check.sql import VECTOR_STRUCT, Predicate, Ref, exists_in, in_field
from sparksig.spark.convert import is_vector_udt
from sparksig.types import Array, DataType, Map, Object, SparkMLVector, SpecType

__all__ = ["constraint_checks"]


def constraint_checks(template: CheckSet, constraints: Sequence[Any]) -> list[Check]:
    """Checks for row-level constraints (``Range``, ``Domain``, ``MaxLength``).

    A check is true where a *present* value (not null, not NaN) breaks the constraint;
    missing values are the signature's business. Paths are found by walking the checked
    inputs as the type checks do (``a.b``, ``tags[]``, ``m{}``; elements and map values
    through ``exists``), never by parsing a path. A path the signature does not have, or a
    constraint that cannot apply to its type (a range on strings), is an
    :class:`~sparksig.errors.InvalidArgumentError` naming the path.

    Values from users (domain values, datetime bounds) never become SQL text: they travel
    hex-encoded (``CAST(unhex('5554') AS STRING)``: only hex digits reach the parser, so
    neither ``${...}`` nor a quote can) and domains as one JSON array decoded by
    ``from_json``. Numeric bounds are written by Python (``repr`` of a number).
    """
    if not constraints:
        return []
    paths: dict[str, tuple[int, T.DataType, Callable[[Predicate], Predicate]]] = {}
    for index, bound in enumerate(template.inputs):
        assert bound.field is not None
        if isinstance(bound.spec, TensorSpec):
            continue
        for path, spark_type, lift in _constraint_paths(
            bound.spec.type, bound.field.dataType, bound.name
        ):
            paths.setdefault(path, (index, spark_type, lift))
    out = []
    for constraint in constraints:
        found = paths.get(constraint.path)
        if found is None:
            known = ", ".join(repr(p) for p in list(paths)[:20])
            raise InvalidArgumentError(
                f"a {constraint.tag} constraint names {constraint.path!r}, a path the "
                f"signature's checked columns do not have (they have {known})"
            )
        index, spark_type, lift = found
        test = _constraint_predicate(constraint, spark_type)
        source = Ref(template.alias(index))
        sql = f"coalesce({lift(test)(source, 0)}, false)"
        message = _constraint_message(constraint)
        out.append(Check(constraint.code, constraint.path, message, sql, index))
    return out


def _constraint_paths(
    spec: SpecType, spark_type: T.DataType, path: str
) -> Iterator[tuple[str, T.DataType, Callable[[Predicate], Predicate]]]:
    """(path, Spark type, lift) for every path of a value: ``lift`` turns a predicate on
    the path's value into one on the column's value."""
    yield path, spark_type, lambda p: p
    if isinstance(spec, Object) and isinstance(spark_type, T.StructType):
        at = {f.name: i for i, f in enumerate(spark_type.fields)}
        for prop in spec.properties:
            i = at.get(prop.name)
            if i is None:
                continue
            inner = _constraint_paths(
                prop.dtype, spark_type.fields[i].dataType, f"{path}.{prop.name}"
            )
            for where, t, lift in inner:
                yield where, t, (lambda p, lift=lift, i=i: in_field(lift(p), i))  # type: ignore[misc]
    elif isinstance(spec, (Array, SparkMLVector)) and isinstance(spark_type, T.ArrayType):
        element = spec.dtype if isinstance(spec, Array) else DataType.double
        for where, t, lift in _constraint_paths(element, spark_type.elementType, f"{path}[]"):
            yield where, t, (lambda p, lift=lift: exists_in(lift(p), None))  # type: ignore[misc]
    elif isinstance(spec, Map) and isinstance(spark_type, T.MapType):
        inner = _constraint_paths(spec.value_type, spark_type.valueType, f"{path}{{}}")
        for where, t, lift in inner:
            yield where, t, (lambda p, lift=lift: exists_in(lift(p), "map_values"))  # type: ignore[misc]


def _hex_text(text: str) -> str:
    """A string as SQL that the parser cannot read anything into: hex digits only."""
    return f"CAST(unhex('{text.encode('utf-8').hex()}') AS STRING)"


_NUMERIC_TYPES = (
    T.ByteType,
    T.ShortType,
    T.IntegerType,
    T.LongType,
    T.FloatType,
    T.DoubleType,
    T.DecimalType,
)


def _number(value: Any) -> str:
    if isinstance(value, int) and -(2**63) <= value < 2**63:
        return f"CAST({int(value)} AS BIGINT)"
    return f"CAST('{float(value)!r}' AS DOUBLE)"


def _present(r: Ref, spark_type: T.DataType) -> str:
    if isinstance(spark_type, (T.FloatType, T.DoubleType)):
        return f"{r.sql} IS NOT NULL AND NOT isnan({r.sql})"
    return f"{r.sql} IS NOT NULL"


def _constraint_predicate(constraint: Any, spark_type: T.DataType) -> Predicate:
    tag, path = constraint.tag, constraint.path
    if tag == "range":
        lo, hi = constraint.minimum, constraint.maximum
        if isinstance(spark_type, _NUMERIC_TYPES) and not isinstance(lo or hi, str):
            bounds = [b for b in (lo, hi) if b is not None]
            if any(isinstance(b, str) for b in bounds):
                raise InvalidArgumentError(f"{path}: a numeric column's range needs numbers")
            cast = None
        elif isinstance(spark_type, (T.TimestampType, T.TimestampNTZType, T.DateType)):
            if any(b is not None and not isinstance(b, str) for b in (lo, hi)):
                raise InvalidArgumentError(
                    f"{path}: a datetime column's range needs ISO-8601 strings"
                )
            cast = {
                T.TimestampType: "TIMESTAMP",
                T.TimestampNTZType: "TIMESTAMP_NTZ",
                T.DateType: "DATE",
            }[type(spark_type)]
        else:
            raise InvalidArgumentError(
                f"{path}: a range constraint applies to numbers and datetimes, not "
                f"{spark_type.simpleString()}"
            )

        def literal(b: Any) -> str:
            return _number(b) if cast is None else f"CAST({_hex_text(b)} AS {cast})"

        def out_of_range(r: Ref, depth: int) -> str:
            sides = []
            if lo is not None:
                sides.append(f"{r.sql} < {literal(lo)}")
            if hi is not None:
                sides.append(f"{r.sql} > {literal(hi)}")
            return f"{_present(r, spark_type)} AND ({' OR '.join(sides)})"

        return out_of_range
    if tag == "domain":
        kept: list[Any]
        if isinstance(spark_type, T.StringType):
            kept, element = [v for v in constraint.values if isinstance(v, str)], "string"
        elif isinstance(spark_type, T.BooleanType):
            kept, element = [v for v in constraint.values if isinstance(v, bool)], "boolean"
        elif isinstance(spark_type, _NUMERIC_TYPES):
            kept = [
                v
                for v in constraint.values
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            ]
            integral = all(isinstance(v, int) and -(2**63) <= v < 2**63 for v in kept)
            element = "bigint" if integral else "double"
        else:
            raise InvalidArgumentError(
                f"{path}: a domain constraint applies to strings, booleans and numbers, not "
                f"{spark_type.simpleString()}"
            )
        values = f"from_json({_hex_text(json.dumps(kept))}, 'array<{element}>')"

        def not_in_domain(r: Ref, depth: int) -> str:
            if not kept:  # no declared value can equal one of this type
                return _present(r, spark_type)
            return f"{_present(r, spark_type)} AND NOT array_contains({values}, {r.sql})"

        return not_in_domain
    if tag == "max_length":
        n = int(constraint.n)
        if isinstance(spark_type, (T.StringType, T.BinaryType)):
            size = "length({})"
        elif is_vector_udt(spark_type):
            v = f"from_json(to_json(named_struct('v', {{}})), {VECTOR_STRUCT}).v"
            size = f"CASE WHEN {v}.type = 1 THEN size({v}.`values`) ELSE {v}.size END"
        elif isinstance(spark_type, (T.ArrayType, T.MapType)):
            size = "size({})"
        else:
            raise InvalidArgumentError(
                f"{path}: a maximum length applies to strings, binaries, arrays, vectors and "
                f"maps, not {spark_type.simpleString()}"
            )

        def too_long(r: Ref, depth: int) -> str:
            return f"{r.sql} IS NOT NULL AND {size.format(r.sql)} > {n}"

        return too_long
    raise InvalidArgumentError(f"{path}: unknown constraint {constraint!r}")


def _constraint_message(constraint: Any) -> str:
    if constraint.tag == "range":
        lo = "-inf" if constraint.minimum is None else repr(constraint.minimum)
        hi = "inf" if constraint.maximum is None else repr(constraint.maximum)
        return (
            f"value outside the declared range [{lo}, {hi}] at {constraint.path}: fix the "
            "value, or loosen the profile's range constraint"
        )
    if constraint.tag == "domain":
        shown = ", ".join(repr(v) for v in constraint.values[:10])
        more = f" and {len(constraint.values) - 10} more" if len(constraint.values) > 10 else ""
        return (
            f"value not among the declared values ({shown}{more}) at {constraint.path}: fix "
            "the value, or add it to the profile's domain constraint"
        )
    return (
        f"longer than the declared maximum length {constraint.n} at {constraint.path}: "
        "shorten it, or raise the profile's max_length constraint"
    )
