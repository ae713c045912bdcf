"""SQL text of the native engine, over positional names only (see :mod:`.native`).

The primitives every check is written with: a value's reference (:class:`Ref`), predicates
on it, lambda variables, fields by position, and the positional casts that keep every user
name out of the SQL parser.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import UnsupportedTypeError

__all__ = [
    "CHAIN",
    "VECTOR_STRUCT",
    "Predicate",
    "Ref",
    "exists_in",
    "field_of",
    "has_struct",
    "has_variant",
    "in_field",
    "internal_prefix",
    "positional",
    "renamed",
    "variable",
]


@dataclass(frozen=True)
class Ref:
    """SQL of a value, and of the struct it is a field of (a null check guards on it)."""

    sql: str
    parent: str | None = None
    hops: int = 0  # struct fields read since the last lambda variable or alias

    def field(self, index: int) -> Ref:
        return Ref(f"{self.sql}._{index}", self.sql, self.hops + 1)


# Spark's subexpression elimination grows exponentially with field-access chains that many
# checks share (a struct nested 26 deep: 12 s for an empty table, 30 deep: out of heap),
# and it does not look inside lambdas. So a chain longer than this is cut: the struct is
# bound to a lambda variable (``exists(array(s), y -> ...)``) and the path goes on from it.
CHAIN = 4


# (a value, lambda depth) -> SQL of a boolean about it (null where it cannot say).
# Checks are built as SQL text, not as Column objects: a Column costs several py4j round trips
# per operator on a classic session, and the text costs none (measured: 0.08 s against
# 0.26 s of fixed cost per validate of an 11-check signature).
Predicate = Callable[[Ref, int], str]


def internal_prefix(columns: Sequence[str]) -> str:
    """``__sparksig_``, lengthened until no column starts with it (ignoring case)."""
    prefix = "__sparksig_"
    folded = [c.casefold() for c in columns]
    while any(c.startswith(prefix) for c in folded):
        prefix += "_"
    return prefix


def positional(t: T.DataType) -> T.DataType:
    """``t`` with every struct field renamed ``_0``, ``_1``, ... (nullability kept, so Spark
    casts to it field by field; UDTs are kept whole)."""
    if isinstance(t, T.StructType):
        return T.StructType(
            [
                T.StructField(f"_{i}", positional(f.dataType), f.nullable)
                for i, f in enumerate(t.fields)
            ]
        )
    if isinstance(t, T.ArrayType):
        return T.ArrayType(positional(t.elementType), t.containsNull)
    if isinstance(t, T.MapType):
        return T.MapType(positional(t.keyType), positional(t.valueType), t.valueContainsNull)
    return t


def renamed(e: Column, t: T.DataType, path: str) -> Column:
    """``e`` as :func:`positional` ``(t)``: one cast, or, where ``t`` holds a variant (which
    Spark will not cast, not even to itself under other field names), rebuilt level by level
    through the ``Column`` API (names are literals there). Variant values are never checked
    (they stand for ``any``), so a variant field is rebuilt as a null placeholder."""
    if not has_variant(t):
        return e.cast(positional(t))
    if isinstance(t, T.VariantType):
        return F.lit(None)
    if isinstance(t, T.StructType):
        names = [f.name.casefold() for f in t.fields]
        if len(set(names)) < len(names):
            raise UnsupportedTypeError(
                "a struct with fields that differ only in case, beside a variant: Spark can "
                "neither tell the twins apart by name nor cast a variant to read them by "
                "position; rename a twin, or check this table with engine='arrow'",
                path,
            )
        fields = [
            renamed(e.getField(f.name), f.dataType, f"{path}.{f.name}").alias(f"_{i}")
            for i, f in enumerate(t.fields)
        ]
        return F.when(e.isNotNull(), F.struct(*fields))
    if isinstance(t, T.ArrayType):
        return F.transform(e, lambda x: renamed(x, t.elementType, f"{path}[]"))
    if isinstance(t, T.MapType):
        return F.transform_values(e, lambda _, v: renamed(v, t.valueType, f"{path}{{}}"))
    return e


def has_variant(t: T.DataType) -> bool:
    if isinstance(t, T.VariantType):
        return True
    if isinstance(t, T.StructType):
        return any(has_variant(f.dataType) for f in t.fields)
    if isinstance(t, T.ArrayType):
        return has_variant(t.elementType)
    if isinstance(t, T.MapType):
        return has_variant(t.keyType) or has_variant(t.valueType)
    return False


def has_struct(t: T.DataType) -> bool:
    if isinstance(t, T.StructType):
        return True
    if isinstance(t, T.ArrayType):
        return has_struct(t.elementType)
    if isinstance(t, T.MapType):
        return has_struct(t.keyType) or has_struct(t.valueType)
    return False


def exists_in(predicate: Predicate, children: str | None) -> Predicate:
    def lifted(r: Ref, depth: int) -> str:
        items = r.sql if children is None else f"{children}({r.sql})"
        x = variable(depth)
        return f"exists({items}, {x} -> {predicate(Ref(x), depth + 1)})"

    return lifted


def variable(depth: int) -> str:
    # One name per nesting depth: an inner lambda never needs the outer one's value. Lambda
    # variables shadow columns, so a column of this name cannot be read by mistake.
    return f"__sparksig_x{depth}"


def in_field(predicate: Predicate, index: int) -> Predicate:
    # the field by position: its struct was renamed by CheckSet.project
    def at(r: Ref, depth: int) -> str:
        if r.hops < CHAIN:
            return predicate(r.field(index), depth)
        y = variable(depth)  # see CHAIN: a null struct makes exists false, as the guard
        return f"exists(array({r.sql}), {y} -> {predicate(Ref(y).field(index), depth + 1)})"

    return at


def field_of(e: Column, struct: T.StructType, name: str) -> Column:
    """Field ``name`` of the struct ``e`` as a ``Column``, even beside a field differing only
    in case (``a`` and ``A``, which Spark's case-insensitive resolution calls ambiguous):
    such a struct is read by position, through a cast to positional field names. The name is
    a literal of the ``Column`` API, never SQL text."""
    names = struct.fieldNames()
    if sum(n.casefold() == name.casefold() for n in names) == 1:
        return e.getField(name)
    return e.cast(positional(struct)).getField(f"_{names.index(name)}")


# A vector's stored values in SQL, for the dense example shown: its JSON form read back as
# the VectorUDT's own struct (zeros a sparse vector leaves out are filled in by the caller).
VECTOR_STRUCT = "'v STRUCT<type: TINYINT, size: INT, indices: ARRAY<INT>, values: ARRAY<DOUBLE>>'"
