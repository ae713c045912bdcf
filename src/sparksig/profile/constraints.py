"""Row-level constraints as data: ranges, allowed values and maximum lengths.

A constraint names a path (spelled as everywhere in sparksig: ``age``, ``address.city``,
``tags[]``) and what every present value there must satisfy; missing values (null, NaN) are the
signature's business, not a constraint's. Each kind reports its own :class:`~sparksig.results.Code`:

=================  =====================================  ===================
constraint         a present value breaks it when          code
=================  =====================================  ===================
``Range``          it lies below ``minimum`` or above      ``out_of_range``
                   ``maximum`` (both inclusive; either
                   may be open, ``None``)
``Domain``         it is not one of ``values``             ``not_in_domain``
``MaxLength``      its length (characters, bytes,          ``too_long``
                   elements, entries) exceeds ``n``
=================  =====================================  ===================

:func:`suggest` proposes constraints from a profile; users declare their own, loosen one by
declaring a wider one (it replaces the old one: at most one constraint of each kind per path),
or drop them, in code (``profile.with_constraints(Range("age", 0, 130)).without("country")``)
or in a YAML file (:mod:`sparksig.profile.constraint_files`)::

    # constraints.yaml
    constraints:                       # declared (each replaces the same kind on the path)
      - {type: range, path: age, minimum: 0, maximum: 130}
      - {type: domain, path: country, values: [DE, FR, NL]}
      - {type: max_length, path: name, n: 64}
    drop:                              # removed: every kind on a path, or one kind
      - tags[]
      - {path: address.city, type: domain}

Names are data in YAML as in JSON: quote a path that YAML would read otherwise
(``"${HOME}"``, ``"a: b"``, ``"yes"``). Datetime bounds are ISO-8601 strings.

Examples:
    >>> Range("age", 0, 120).holds(130)
    False
    >>> Domain("country", ["DE", "FR"]).holds("NL")
    False
    >>> MaxLength("name", 3).to_dict()
    {'type': 'max_length', 'path': 'name', 'n': 3}
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Union

from sparksig.errors import SchemaDefinitionError
from sparksig.profile.document import Doc, fail, read_list
from sparksig.results import Code

if TYPE_CHECKING:
    from sparksig.profile.model import ColumnProfile, Profile

__all__ = [
    "Constraint",
    "Domain",
    "MaxLength",
    "Range",
    "constraint_from_dict",
    "suggest",
]


def constraint_key(value: Any) -> tuple[str, Any]:
    """A value's identity as a category: ``True`` and ``1`` differ (they do in JSON)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    return (type(value).__name__, value)


def same_value(a: Any, b: Any) -> bool:
    return constraint_key(a) == constraint_key(b)


def _scalar(value: Any, what: str) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise SchemaDefinitionError(f"{what} must be finite, got {value!r}")
    if not isinstance(value, (bool, int, float, str)):
        raise SchemaDefinitionError(
            f"{what} must be a number, a string or a boolean, got {value!r}"
        )
    return value


def _path(path: Any) -> str:
    if not isinstance(path, str) or not path:
        raise SchemaDefinitionError(f"a constraint needs a non-empty path, got {path!r}")
    return path


def _bound(value: Any, what: str) -> Any:
    if value is None:
        return None
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        value = str(isoformat())
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and not isinstance(value, (int, float, str)):
        value = item()
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SchemaDefinitionError(
            f"{what} must be a number or an ISO-8601 datetime string, got {value!r}"
        )
    if isinstance(value, float) and math.isnan(value):
        raise SchemaDefinitionError(f"{what} must be a number, got NaN")
    return value


@dataclass(frozen=True, slots=True)
class Range:
    """Every present value lies in ``[minimum, maximum]`` (``None``: open on that side).

    Bounds are numbers, or ISO-8601 strings for datetime columns.
    """

    path: str
    minimum: Any = None
    maximum: Any = None

    tag: ClassVar[str] = "range"
    code: ClassVar[Code] = Code.OUT_OF_RANGE

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", _path(self.path))
        lo, hi = (
            _bound(self.minimum, "a range's minimum"),
            _bound(self.maximum, "a range's maximum"),
        )
        if lo is None and hi is None:
            raise SchemaDefinitionError(
                f"a range on {self.path!r} needs a minimum or a maximum (drop it instead)"
            )
        if lo is not None and hi is not None:
            if isinstance(lo, str) != isinstance(hi, str):
                raise SchemaDefinitionError(
                    f"a range on {self.path!r} mixes a number and a datetime: {lo!r}, {hi!r}"
                )
            if lo > hi:
                raise SchemaDefinitionError(
                    f"a range on {self.path!r} has minimum {lo!r} above maximum {hi!r}"
                )
        object.__setattr__(self, "minimum", lo)
        object.__setattr__(self, "maximum", hi)

    def holds(self, value: Any) -> bool:
        """Whether a present value satisfies the range (datetimes compared as ISO strings
        of the same form, numbers as numbers)."""
        if isinstance(self.minimum if self.minimum is not None else self.maximum, str):
            value = str(value.isoformat()) if hasattr(value, "isoformat") else value
        return (self.minimum is None or value >= self.minimum) and (
            self.maximum is None or value <= self.maximum
        )

    def widened(self, margin: float) -> Range:
        """A numeric range widened on both closed sides by ``margin`` times its span
        (at least ``margin`` when the span is 0).

        Examples:
            >>> Range("x", 0, 10).widened(0.1)
            Range(path='x', minimum=-1.0, maximum=11.0)
        """
        if isinstance(self.minimum, str) or isinstance(self.maximum, str):
            raise SchemaDefinitionError("only a numeric range can be widened; declare a new one")
        span = (
            self.maximum - self.minimum
            if self.minimum is not None and self.maximum is not None
            else 0
        )
        delta = margin * span if span else margin
        return Range(
            self.path,
            None if self.minimum is None else self.minimum - delta,
            None if self.maximum is None else self.maximum + delta,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.tag,
            "path": self.path,
            "minimum": self.minimum,
            "maximum": self.maximum,
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> Range:
        def bound(key: str) -> Any:
            value = doc.raw(key, None)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float, str))
            ):
                raise fail(doc.at(key), "expected a number or an ISO-8601 datetime string")
            return value

        return _build(
            cls,
            doc.path,
            path=doc.string("path"),
            minimum=bound("minimum"),
            maximum=bound("maximum"),
        )


@dataclass(frozen=True, slots=True)
class Domain:
    """Every present value is one of ``values`` (strings, numbers or booleans)."""

    path: str
    values: tuple[Any, ...]

    tag: ClassVar[str] = "domain"
    code: ClassVar[Code] = Code.NOT_IN_DOMAIN

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", _path(self.path))
        if isinstance(self.values, (str, bytes)):
            raise SchemaDefinitionError(
                f"a domain on {self.path!r} takes a list of values, not one string"
            )
        values = tuple(_scalar(v, "a domain value") for v in self.values)
        if not values:
            raise SchemaDefinitionError(f"a domain on {self.path!r} needs at least one value")
        seen: dict[tuple[str, Any], Any] = {}
        for v in values:
            seen.setdefault(constraint_key(v), v)
        object.__setattr__(self, "values", tuple(seen.values()))

    def holds(self, value: Any) -> bool:
        key = constraint_key(value)
        return any(constraint_key(v) == key for v in self.values)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.tag, "path": self.path, "values": list(self.values)}

    @classmethod
    def from_doc(cls, doc: Doc) -> Domain:
        return _build(
            cls, doc.path, path=doc.string("path"), values=doc.items("values", _domain_value)
        )


def _domain_value(value: Any, path: str) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(path, "a domain value must be finite")
    if not isinstance(value, (bool, int, float, str)):
        raise fail(path, "a domain value must be a string, a number or a boolean")
    return value


@dataclass(frozen=True, slots=True)
class MaxLength:
    """Every present string, binary, array, vector or map has at most ``n`` characters,
    bytes, elements or entries."""

    path: str
    n: int

    tag: ClassVar[str] = "max_length"
    code: ClassVar[Code] = Code.TOO_LONG

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", _path(self.path))
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 0:
            raise SchemaDefinitionError(
                f"a maximum length on {self.path!r} must be an integer >= 0, got {self.n!r}"
            )

    def holds(self, value: Any) -> bool:
        return len(value) <= self.n

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.tag, "path": self.path, "n": self.n}

    @classmethod
    def from_doc(cls, doc: Doc) -> MaxLength:
        return _build(cls, doc.path, path=doc.string("path"), n=doc.integer("n"))


#: Any row-level constraint.
Constraint = Union[Range, Domain, MaxLength]

#: The one tag registry every parser goes through.
_KINDS: dict[str, Any] = {c.tag: c for c in (Range, Domain, MaxLength)}


def _build(cls: Any, where: str, /, **fields: Any) -> Any:
    try:
        return cls(**fields)
    except SchemaDefinitionError as e:
        raise fail(where, str(e)) from None


def constraint_from_dict(value: Any, path: str = "constraint") -> Constraint:
    """Parse one constraint (``{"type": "range", "path": ..., ...}``), naming ``path`` on
    any fault."""
    doc = Doc(value, path)
    tag = doc.string("type")
    kind = _KINDS.get(tag)
    if kind is None:
        raise fail(
            doc.at("type"), f"unknown constraint type {tag!r}; expected one of {sorted(_KINDS)}"
        )
    result: Constraint = kind.from_doc(doc)
    return result


def suggest(profile: Profile, *, max_domain: int = 50) -> tuple[Constraint, ...]:
    """Constraints the training data satisfies, to start from (review before relying on them).

    - ``Range`` from the minimum and maximum of numerics and datetimes (exact in both engines:
      Spark's ``min``/``max`` are exact even where quantiles are approximate);
    - ``Domain`` for columns whose top list holds *every* present value (``other == 0``) and at
      most ``max_domain`` values — strings, booleans, low-cardinality integers;
    - ``MaxLength`` from the longest string, binary, array, vector or map seen.

    Paths with no present value suggest nothing.
    """
    out: list[Constraint] = []
    for col in profile.columns:
        out.extend(_suggest_column(col, max_domain))
    return tuple(out)


def _suggest_column(col: ColumnProfile, max_domain: int) -> Iterable[Constraint]:
    if col.present == 0:
        return
    if col.minimum is not None or col.maximum is not None:
        lo, hi = col.minimum, col.maximum
        finite = [b for b in (lo, hi) if not (isinstance(b, float) and not math.isfinite(b))]
        if finite:
            yield Range(
                col.path,
                lo if lo in finite else None,
                hi if hi in finite else None,
            )
    cats = col.categories
    if cats is not None and cats.other == 0 and 0 < len(cats.values) <= max_domain:
        yield Domain(col.path, cats.values)
    if col.lengths is not None:
        yield MaxLength(col.path, col.lengths.maximum)


def read_constraints(values: Any, path: str) -> tuple[Constraint, ...]:
    return read_list(values, path, constraint_from_dict)
