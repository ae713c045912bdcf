"""Reading profile JSON (and constraint YAML) field by field, naming the path of every fault.

A profile document comes from a file someone may have edited by hand. Every read goes through
:class:`Doc`, which checks the field's presence and JSON kind and raises
:class:`~sparksig.errors.SerializationError` with the path inside the document
(``columns[3].histogram.counts[2]``) and what to do, so a malformed file never surfaces as a
``KeyError`` or ``TypeError`` from deep inside.

Non-finite floats are written as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``
(strict JSON has no such numbers; the same spelling as :func:`sparksig.results.to_jsonable`),
and read back from either spelling.

This module imports neither numpy, pandas nor pyspark.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

from sparksig.errors import SerializationError

__all__ = ["Doc", "float_to_json", "index_path", "key_path"]

T = TypeVar("T")

_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def float_to_json(value: float) -> float | str:
    """A float as strict JSON: finite floats unchanged, the others as their names.

    Examples:
        >>> float_to_json(1.5), float_to_json(float("inf")), float_to_json(float("nan"))
        (1.5, 'Infinity', 'NaN')
    """
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def key_path(parent: str, key: str) -> str:
    """``parent.key`` (or ``key`` at the top)."""
    return f"{parent}.{key}" if parent else key


def index_path(parent: str, i: int) -> str:
    """``parent[i]``."""
    return f"{parent}[{i}]"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class Doc:
    """One JSON object being read, with its path inside the document.

    Examples:
        >>> Doc({"rows": 3}, "profile").integer("rows")
        3
        >>> Doc({"rows": -1}, "profile").integer("rows")
        Traceback (most recent call last):
        ...
        sparksig.errors.SerializationError: profile.rows: expected a count (an integer >= 0), got -1
    """

    __slots__ = ("data", "path")

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise fail(path, f"expected a JSON object, got {_kind(data)}")
        self.data: dict[str, Any] = data
        self.path = path

    def at(self, key: str) -> str:
        return key_path(self.path, key)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str, default: Any = ..., *, required: bool = True) -> Any:
        if key in self.data:
            return self.data[key]
        if default is not ... or not required:
            return None if default is ... else default
        raise fail(self.at(key), "this field is missing")

    def child(self, key: str) -> Doc:
        return Doc(self.raw(key), self.at(key))

    def optional_child(self, key: str) -> Doc | None:
        value = self.raw(key, None)
        return None if value is None else Doc(value, self.at(key))

    def integer(self, key: str, *, minimum: int = 0, optional: bool = False) -> Any:
        value = self.raw(key, None) if optional else self.raw(key)
        if value is None and optional:
            return None
        return read_int(value, self.at(key), minimum=minimum)

    def number(self, key: str, *, optional: bool = False) -> Any:
        value = self.raw(key, None) if optional else self.raw(key)
        if value is None and optional:
            return None
        return read_float(value, self.at(key))

    def string(self, key: str, *, optional: bool = False) -> Any:
        value = self.raw(key, None) if optional else self.raw(key)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise fail(self.at(key), f"expected a string, got {_kind(value)}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise fail(self.at(key), f"expected true or false, got {_kind(value)}")
        return value

    def items(self, key: str, read: Callable[[Any, str], T], *, optional: bool = False) -> Any:
        """A JSON list read element by element with ``read(value, path)``."""
        value = self.raw(key, None) if optional else self.raw(key)
        if value is None and optional:
            return None
        return read_list(value, self.at(key), read)


def fail(path: str, message: str) -> SerializationError:
    """The one error of this module: the path inside the document and what is wrong there
    (the file-level reader names the file and what to do with it)."""
    return SerializationError(message, path)


def read_list(value: Any, path: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
    if not isinstance(value, list):
        raise fail(path, f"expected a list, got {_kind(value)}")
    return tuple(read(v, index_path(path, i)) for i, v in enumerate(value))


def read_int(value: Any, path: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        shown = repr(value) if isinstance(value, (int, float)) else _kind(value)
        what = "a count (an integer >= 0)" if minimum == 0 else f"an integer >= {minimum}"
        raise fail(path, f"expected {what}, got {shown}")
    return value


def read_float(value: Any, path: str) -> float:
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(
            path, f"expected a number (or 'NaN', 'Infinity', '-Infinity'), got {_kind(value)}"
        )
    try:
        return float(value)
    except OverflowError:
        raise fail(path, "the number is too large for a float") from None


def read_string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise fail(path, f"expected a string, got {_kind(value)}")
    return value
