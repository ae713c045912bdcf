"""Signature data types: scalars, arrays, objects, maps, ``any`` and Spark ML vectors.

The JSON form of every type is exactly MLflow's (``{"type": "array", "items": {...}}`` and
so on). One registry, :data:`_NESTED`, maps each JSON tag to its class; :func:`type_from_dict`
is the single parser every ``from_json`` goes through, and it names the offending path in
each error.

This module imports neither numpy, pandas nor pyspark.

Examples:
    >>> Array(Object([Property("id", "long"), Property("tag", "string", required=False)]))
    Array(Object(id: long, tag: string (optional)))
    >>> Map("double").to_dict()
    {'type': 'map', 'values': {'type': 'double'}}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Union

from sparksig.errors import SchemaDefinitionError, SerializationError

__all__ = [
    "AnyType",
    "Array",
    "DataType",
    "Map",
    "NUMPY_NAMES",
    "NestedType",
    "Object",
    "Property",
    "SparkMLVector",
    "SpecType",
    "as_type",
    "type_from_dict",
]


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
        return {"type": self.name}

    def to_numpy(self) -> Any:
        """The numpy dtype MLflow associates with this type."""
        import numpy as np

        return np.dtype(NUMPY_NAMES[self])

    def to_pandas(self) -> Any:
        """The pandas/numpy dtype of a column holding this type."""
        return self.to_numpy()

    def to_python(self) -> type:
        import datetime as dt

        return {
            DataType.boolean: bool,
            DataType.integer: int,
            DataType.long: int,
            DataType.float: float,
            DataType.double: float,
            DataType.string: str,
            DataType.binary: bytes,
            DataType.datetime: dt.datetime,
        }[self]


#: numpy dtype name of each scalar type (MLflow's ``DataType.to_numpy``).
NUMPY_NAMES: dict[DataType, str] = {
    DataType.boolean: "bool",
    DataType.integer: "int32",
    DataType.long: "int64",
    DataType.float: "float32",
    DataType.double: "float64",
    DataType.string: "object",
    DataType.binary: "object",
    DataType.datetime: "datetime64[ns]",
}


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

    def __init__(self, dtype: SpecType | str) -> None:
        object.__setattr__(self, "dtype", as_type(dtype, "items"))

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

    def __init__(self, properties: Iterable[Property]) -> None:
        props = tuple(properties)
        if not props:
            raise SchemaDefinitionError("Object needs at least one property")
        for p in props:
            if not isinstance(p, Property):
                raise SchemaDefinitionError(
                    f"Object properties must be Property instances, got {p!r}"
                )
        names = [p.name for p in props]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise SchemaDefinitionError(f"Object has duplicate properties: {dupes}")
        object.__setattr__(self, "properties", tuple(sorted(props, key=lambda p: p.name)))

    def to_dict(self) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for p in self.properties:
            properties.update(p.to_dict())
        return {"type": "object", "properties": properties}

    def property(self, name: str) -> Property:
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(name)

    def __repr__(self) -> str:
        return f"Object({', '.join(repr(p) for p in self.properties)})"


@dataclass(frozen=True, slots=True, init=False)
class Map:
    """A mapping from string keys to values of one type: ``Map("double")``."""

    value_type: SpecType

    def __init__(self, value_type: SpecType | str) -> None:
        object.__setattr__(self, "value_type", as_type(value_type, "values"))

    def to_dict(self) -> dict[str, Any]:
        return {"type": "map", "values": self.value_type.to_dict()}

    def __repr__(self) -> str:
        return f"Map(str -> {self.value_type!r})"


NestedType = Union[Array, Object, Map, AnyType, SparkMLVector]
SpecType = Union[DataType, Array, Object, Map, AnyType, SparkMLVector]
_SPEC_CLASSES = (DataType, Array, Object, Map, AnyType, SparkMLVector)


def as_type(value: Any, path: str = "") -> SpecType:
    """Accept a type or a type name (``"long"``, ``"any"``) as MLflow does, else raise."""
    if isinstance(value, _SPEC_CLASSES):
        return value
    if isinstance(value, str):
        if value in DataType.__members__:
            return DataType[value]
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


#: How deep a type may nest (arrays of objects of maps...). Real signatures stay far below;
#: the limit turns a hostile document into a clear error instead of a RecursionError.
MAX_DEPTH = 64


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
        shown = path if len(path) <= 80 else path[:40] + " ... " + path[-35:]
        raise SerializationError(
            f"the type nests more than {MAX_DEPTH} levels deep; sparksig refuses such "
            "signatures (check the file: real signatures nest a few levels)",
            shown,
        )
    if not isinstance(d, dict):
        raise SerializationError(f"expected a JSON object describing a type, got {d!r}", path)
    tag = _field(d, "type", str, path)
    if tag in DataType.__members__:
        return DataType[tag]
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
