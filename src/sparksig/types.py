"""Signature data types: scalars, arrays, objects, maps, ``any`` and Spark ML vectors.

The JSON form of every type is exactly MLflow's (``{"type": "array", "items": {...}}`` and
so on). One registry, :data:`_NESTED`, maps each JSON tag to its class; :func:`type_from_dict`
is the single parser every ``from_json`` goes through, and it names the offending path in
each error.

Building and parsing are linear in the size of a type (an ``Object`` sorts its properties:
n log n), and so are ``to_dict``, ``repr``, ``==`` and ``hash``. Nesting is limited to
:data:`MAX_DEPTH` levels, checked in O(1) per level as a type is built: each nested type keeps
its depth, so a type too deep to walk without hitting Python's recursion limit is refused when
it is made, naming the limit and the path, instead of raising ``RecursionError`` later.

This module imports neither numpy, pandas nor pyspark.

Examples:
    >>> Array(Object([Property("id", "long"), Property("tag", "string", required=False)]))
    Array(Object(id: long, tag: string (optional)))
    >>> Map("double").to_dict()
    {'type': 'map', 'values': {'type': 'double'}}
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Union

from sparksig.errors import SchemaDefinitionError, SerializationError

__all__ = [
    "AnyType",
    "Array",
    "DataType",
    "Map",
    "MAX_DEPTH",
    "NUMPY_NAMES",
    "NestedType",
    "Object",
    "Property",
    "SCALARS",
    "Scalar",
    "SparkMLVector",
    "SpecType",
    "as_type",
    "children",
    "contains_any",
    "depth_of",
    "duplicates",
    "type_from_dict",
]

#: How deep a type may nest (arrays of objects of maps...): a scalar is depth 0, ``Array("long")``
#: depth 1. Real signatures stay far below. Every walk over a type (``to_dict``, ``repr``, ``==``,
#: the Spark mapping, both engines) recurses once per level, a few frames each, so 64 levels stay
#: well inside Python's default recursion limit of 1000; deeper types are refused when they are
#: built (:class:`~sparksig.errors.SchemaDefinitionError`) or parsed
#: (:class:`~sparksig.errors.SerializationError`), naming the limit and the path.
MAX_DEPTH = 64


def duplicates(names: Iterable[Hashable]) -> list[Any]:
    """The names that occur more than once, in order of their first repeat (one pass).

    Examples:
        >>> duplicates(["a", "b", "a", "c", "b", "a"])
        ['a', 'b']
    """
    seen: set[Hashable] = set()
    repeated: dict[Hashable, None] = {}
    for name in names:
        if name in seen:
            repeated[name] = None
        else:
            seen.add(name)
    return list(repeated)


def describe_duplicates(names: list[Any], limit: int = 10) -> str:
    """``['a', 'b']``, or the first ``limit`` of them and how many more (messages stay short)."""
    try:
        shown = sorted(names)
    except TypeError:  # integer labels next to strings
        shown = sorted(names, key=repr)
    if len(shown) <= limit:
        return repr(shown)
    return f"{shown[:limit]!r} and {len(shown) - limit} more"


class DataType(Enum):
    """Scalar column types, named as in MLflow's JSON."""

    boolean = "boolean"
    integer = "integer"
    long = "long"
    float = "float"
    double = "double"
    string = "string"
    binary = "binary"
    datetime = "datetime"

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__

    def to_dict(self) -> dict[str, Any]:
        return {"type": SCALARS[self].tag}

    def to_numpy(self) -> Any:
        """The numpy dtype of a column of this type (strings and binaries: ``object``)."""
        import numpy as np

        return np.dtype(NUMPY_NAMES[self])

    def to_pandas(self) -> Any:
        """The pandas/numpy dtype of a column holding this type."""
        return self.to_numpy()

    def to_python(self) -> type:
        """The Python type of one value (``int`` for ``long``, ``datetime`` for ``datetime``)."""
        return SCALARS[self].python

    @property
    def info(self) -> Scalar:
        """This type's row of :data:`SCALARS`."""
        return SCALARS[self]


# Enum.__members__ builds a new mapping proxy on every access; parsing asks once per column.
_SCALARS: dict[str, DataType] = {t.value: t for t in DataType}  # the value is the JSON tag


@dataclass(frozen=True)
class Scalar:
    """One scalar type, everywhere it has a name: the one table converters read.

    Attributes:
        tag: MLflow's JSON ``"type"`` (also the name every message shows).
        numpy: the numpy dtype of a column holding it, as MLflow's ``DataType.to_pandas``
            (MLflow's ``to_numpy`` differs only for strings and binaries, ``<U``/``S``:
            columns of those are ``object`` in pandas, and so they are here).
        python: the Python type of one value.
        spark: the class name in ``pyspark.sql.types`` of the Spark type it maps to (a
            name, so the core never imports pyspark).
    """

    tag: str
    numpy: str
    python: type
    spark: str


#: The scalar type table. Adding a scalar type is one row here plus the engines' handling.
SCALARS: dict[DataType, Scalar] = {
    DataType.boolean: Scalar("boolean", "bool", bool, "BooleanType"),
    DataType.integer: Scalar("integer", "int32", int, "IntegerType"),
    DataType.long: Scalar("long", "int64", int, "LongType"),
    DataType.float: Scalar("float", "float32", float, "FloatType"),
    DataType.double: Scalar("double", "float64", float, "DoubleType"),
    DataType.string: Scalar("string", "object", str, "StringType"),
    DataType.binary: Scalar("binary", "object", bytes, "BinaryType"),
    DataType.datetime: Scalar("datetime", "datetime64[ns]", _dt.datetime, "TimestampType"),
}

#: numpy dtype name of a column of each scalar type (MLflow's ``DataType.to_pandas``).
NUMPY_NAMES: dict[DataType, str] = {t: s.numpy for t, s in SCALARS.items()}


@dataclass(frozen=True, slots=True)
class AnyType:
    """Accepts any value, including None. Maps to Spark's ``VariantType``."""

    def to_dict(self) -> dict[str, Any]:
        return {"type": "any"}

    def __repr__(self) -> str:
        return "Any"


@dataclass(frozen=True, slots=True)
class SparkMLVector:
    """A ``pyspark.ml.linalg`` vector; semantically ``Array(double)`` (dense values)."""

    def to_dict(self) -> dict[str, Any]:
        return {"type": "sparkml_vector"}

    def __repr__(self) -> str:
        return "SparkMLVector"


@dataclass(frozen=True, slots=True, init=False)
class Array:
    """A list of values of one type: ``Array("long")``, ``Array(Array("double"))``."""

    dtype: SpecType
    _depth: int = field(compare=False, repr=False)

    def __init__(self, dtype: SpecType | str) -> None:
        item = as_type(dtype, "items")
        object.__setattr__(self, "dtype", item)
        object.__setattr__(self, "_depth", _level_above(self, depth_of(item)))

    def to_dict(self) -> dict[str, Any]:
        return {"type": "array", "items": self.dtype.to_dict()}

    def __repr__(self) -> str:
        return f"Array({self.dtype!r})"


@dataclass(frozen=True, slots=True, init=False)
class Property:
    """A named field of an :class:`Object`; ``required`` means present and non-null."""

    name: str
    dtype: SpecType
    required: bool

    def __init__(self, name: str, dtype: SpecType | str, required: bool = True) -> None:
        if not isinstance(name, str) or not name:
            raise SchemaDefinitionError(f"Property name must be a non-empty string, got {name!r}")
        if not isinstance(required, bool):
            raise SchemaDefinitionError(
                f"Property {name!r}: required must be a bool, got {required!r}"
            )
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "dtype", as_type(dtype, name))
        object.__setattr__(self, "required", required)

    def to_dict(self) -> dict[str, Any]:
        """MLflow's form: ``{name: {"type": ..., "required": ...}}``."""
        return {self.name: {**self.dtype.to_dict(), "required": self.required}}

    def __repr__(self) -> str:
        return f"{self.name}: {self.dtype!r}" + ("" if self.required else " (optional)")


@dataclass(frozen=True, slots=True, init=False)
class Object:
    """A record with a closed set of named properties, kept sorted by name (as MLflow does)."""

    properties: tuple[Property, ...]
    _depth: int = field(compare=False, repr=False)

    def __init__(self, properties: Iterable[Property]) -> None:
        props = tuple(properties)
        if not props:
            raise SchemaDefinitionError("Object needs at least one property")
        deepest = 0
        for p in props:
            if not isinstance(p, Property):
                raise SchemaDefinitionError(
                    f"Object properties must be Property instances, got {p!r}"
                )
            deepest = max(deepest, depth_of(p.dtype))
        dupes = duplicates(p.name for p in props)
        if dupes:
            raise SchemaDefinitionError(
                f"Object has duplicate properties: {describe_duplicates(dupes)}"
            )
        object.__setattr__(self, "properties", tuple(sorted(props, key=_property_name)))
        object.__setattr__(self, "_depth", _level_above(self, deepest))

    def to_dict(self) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for p in self.properties:
            properties.update(p.to_dict())
        return {"type": "object", "properties": properties}

    def property(self, name: str) -> Property:
        """The property called ``name`` (a binary search: properties are sorted by name)."""
        i = bisect_left(self.properties, name, key=_property_name)
        if i < len(self.properties) and self.properties[i].name == name:
            return self.properties[i]
        raise KeyError(name)

    def __repr__(self) -> str:
        return f"Object({', '.join(repr(p) for p in self.properties)})"


@dataclass(frozen=True, slots=True, init=False)
class Map:
    """A mapping from string keys to values of one type: ``Map("double")``."""

    value_type: SpecType
    _depth: int = field(compare=False, repr=False)

    def __init__(self, value_type: SpecType | str) -> None:
        values = as_type(value_type, "values")
        object.__setattr__(self, "value_type", values)
        object.__setattr__(self, "_depth", _level_above(self, depth_of(values)))

    def to_dict(self) -> dict[str, Any]:
        return {"type": "map", "values": self.value_type.to_dict()}

    def __repr__(self) -> str:
        return f"Map(str -> {self.value_type!r})"


def _property_name(p: Property) -> str:
    return p.name


def depth_of(dtype: Any) -> int:
    """How many levels of arrays, objects and maps ``dtype`` nests (a scalar: 0). O(1).

    Examples:
        >>> depth_of(Array(Map("long")))
        2
    """
    return dtype._depth if isinstance(dtype, (Array, Object, Map)) else 0


def children(spec: Any) -> tuple[tuple[str, SpecType], ...]:
    """The types directly inside ``spec``, each with the path step that reaches it.

    ``.name`` for an object's property, ``[]`` for array items (a Spark ML vector's values
    are doubles), ``{}`` for map values; a scalar and ``any`` have none. Every walk over the
    type set (``any`` inside, depth, paths) goes through this one function.

    Examples:
        >>> children(Object([Property("a", Array("long"))]))
        (('.a', Array(long)),)
    """
    if isinstance(spec, Array):
        return (("[]", spec.dtype),)
    if isinstance(spec, Map):
        return (("{}", spec.value_type),)
    if isinstance(spec, Object):
        return tuple((f".{p.name}", p.dtype) for p in spec.properties)
    if isinstance(spec, SparkMLVector):
        return (("[]", DataType.double),)
    return ()


def contains_any(spec: Any) -> bool:
    """Whether ``any`` is ``spec`` or somewhere inside it.

    Examples:
        >>> contains_any(Map(Array(AnyType()))), contains_any(Array("long"))
        (True, False)
    """
    return isinstance(spec, AnyType) or any(contains_any(c) for _, c in children(spec))


def _level_above(made: Array | Object | Map, below: int) -> int:
    """The depth of a type whose deepest child has depth ``below``; refused past the limit."""
    depth = below + 1
    if depth > MAX_DEPTH:
        raise SchemaDefinitionError(
            f"{type(made).__name__} would nest {depth} levels deep (along "
            f"{_shorten(_deepest_path(made))}); sparksig allows at most {MAX_DEPTH} levels "
            "(sparksig.types.MAX_DEPTH), far more than real signatures need"
        )
    return depth


def _deepest_path(made: Array | Object | Map) -> str:
    """The JSON path to the deepest leaf of a type being built (walked only for the error)."""
    steps = []
    node: Any = made
    while isinstance(node, (Array, Object, Map)):
        if isinstance(node, Array):
            steps.append("items")
            node = node.dtype
        elif isinstance(node, Map):
            steps.append("values")
            node = node.value_type
        else:
            p = max(node.properties, key=lambda p: depth_of(p.dtype))
            steps.append(f"properties.{p.name}")
            node = p.dtype
    return ".".join(steps)


def _shorten(path: str) -> str:
    return path if len(path) <= 80 else path[:40] + " ... " + path[-35:]


NestedType = Union[Array, Object, Map, AnyType, SparkMLVector]
SpecType = Union[DataType, Array, Object, Map, AnyType, SparkMLVector]
_SPEC_CLASSES = (DataType, Array, Object, Map, AnyType, SparkMLVector)


def as_type(value: Any, path: str = "") -> SpecType:
    """Accept a type or a type name (``"long"``, ``"any"``) as MLflow does, else raise."""
    if isinstance(value, _SPEC_CLASSES):
        return value
    if isinstance(value, str):
        scalar = _SCALARS.get(value)
        if scalar is not None:
            return scalar
        if value == "any":
            return AnyType()
        if value == "sparkml_vector":
            return SparkMLVector()
    where = f" at {path}" if path else ""
    names = ", ".join([*DataType.__members__, "any", "sparkml_vector"])
    raise SchemaDefinitionError(
        f"Unsupported type {value!r}{where}: use one of {names}, "
        "or Array(...), Object([...]), Map(...)"
    )


def _parse_array(d: dict[str, Any], path: str, depth: int) -> Array:
    return Array(type_from_dict(_field(d, "items", dict, path), f"{path}.items", depth + 1))


def _parse_map(d: dict[str, Any], path: str, depth: int) -> Map:
    return Map(type_from_dict(_field(d, "values", dict, path), f"{path}.values", depth + 1))


def _parse_object(d: dict[str, Any], path: str, depth: int) -> Object:
    props = _field(d, "properties", dict, path)
    if not props:
        raise SerializationError("an object needs at least one property", f"{path}.properties")
    parsed = []
    for name, body in props.items():
        where = f"{path}.properties.{name}"
        if not isinstance(body, dict):
            raise SerializationError(f"expected an object, got {body!r}", where)
        required = body.get("required", True)
        if not isinstance(required, bool):
            raise SerializationError(f"'required' must be true or false, got {required!r}", where)
        parsed.append(Property(name, type_from_dict(body, where, depth + 1), required))
    return Object(parsed)


_NESTED: dict[str, Callable[[dict[str, Any], str, int], SpecType]] = {
    "array": _parse_array,
    "object": _parse_object,
    "map": _parse_map,
    "any": lambda d, path, depth: AnyType(),
    "sparkml_vector": lambda d, path, depth: SparkMLVector(),
}


def type_from_dict(d: Any, path: str = "", depth: int = 0) -> SpecType:
    """Parse MLflow's JSON form of a type; errors name ``path`` and what was found.

    Types nested deeper than :data:`MAX_DEPTH` are refused (a ``SerializationError``).
    """
    if depth > MAX_DEPTH:
        raise SerializationError(
            f"the type nests more than {MAX_DEPTH} levels deep (sparksig.types.MAX_DEPTH); "
            "sparksig refuses such signatures (check the file: real signatures nest a few "
            "levels)",
            _shorten(path),
        )
    if not isinstance(d, dict):
        raise SerializationError(f"expected a JSON object describing a type, got {d!r}", path)
    tag = _field(d, "type", str, path)
    scalar = _SCALARS.get(tag)
    if scalar is not None:
        return scalar
    parser = _NESTED.get(tag)
    if parser is None:
        known = ", ".join([*DataType.__members__, *_NESTED])
        raise SerializationError(f"unknown type {tag!r}; expected one of {known}", f"{path}.type")
    return parser(d, path, depth)


def _field(d: dict[str, Any], key: str, kind: type, path: str) -> Any:
    if key not in d:
        raise SerializationError(f"missing required key {key!r} in {d!r}", path)
    value = d[key]
    if not isinstance(value, kind):
        raise SerializationError(
            f"{key!r} must be a {kind.__name__}, got {value!r}", f"{path}.{key}"
        )
    return value
