"""The training-data profile: what a model's inputs looked like, per column and nested path.

A :class:`Profile` holds one :class:`ColumnProfile` per path (top-level columns and nested
paths, spelled as everywhere in sparksig: ``age``, ``address.city``, ``tags[]`` for array
elements, ``scores{}`` for map values) and the row-level constraints
(:mod:`sparksig.profile.constraints`) the model's inputs must satisfy. Paths are data: they are
stored, compared and written exactly as given, never parsed, so names holding dots, quotes,
``${...}`` or any unicode survive JSON and YAML unchanged. (A top-level column named ``a.b`` and
a field ``b`` of a struct ``a`` spell the same path; the engine that builds a profile walks the
schema and never has to split a path.)

Choices where the issue is silent, stated once here:

- **Missing values.** ``null_count`` counts nulls *and* NaN (for floating columns): pandas
  cannot tell them apart, so both engines count the same thing. The histogram, quantiles, top
  categories and lengths describe the present (non-missing) values only.
- **count.** How many values the path holds, missing ones included: the rows for a top-level
  column, the rows whose parent is present for ``address.city``, the elements of the present
  arrays for ``tags[]``.
- **Kinds** are value kinds (:class:`Kind`). Whether a column is *categorical* is not a kind but
  a fact of the data: a column with :attr:`ColumnProfile.categories` (strings, booleans and
  low-cardinality integers) is compared as categorical (L-infinity on the top list), one with a
  :attr:`ColumnProfile.histogram` as numeric (PSI and Jensen–Shannon on the bins).
- **Histogram bins** are cut at the training quantiles (:func:`histogram_edges`): deciles by
  default, ties merged, the minimum and maximum always edges. For edges ``e0 < ... < e(m-1)``
  there are ``m + 2`` bins: an underflow bin (``x < e0``), ``m - 1`` half-open bins
  ``[e(i-1), e(i))``, a bin for the training maximum itself (``x == e(m-1)``), and an overflow
  bin (``x > e(m-1)``). So every training value lies in an inner bin, a scoring value outside the
  training range is counted (under- or overflow), a discrete column whose largest value is heavy
  keeps it apart, and a constant column has one edge and one inner bin. :func:`bin_index` is the
  reference definition; an engine that bins values (Spark's ``CASE WHEN x < e0 THEN 0 ...``) must
  agree with it. Infinities fall in the outer bins; edges are always finite.
- **Top categories**: the :data:`TOP_CATEGORIES` most frequent present values (ties by value),
  the rest summed into ``other``.
- **Datetimes**: minimum and maximum are ISO-8601 strings; no histogram.

Every value object is frozen and checks itself when built
(:class:`~sparksig.errors.SchemaDefinitionError`); parsing a document raises
:class:`~sparksig.errors.SerializationError` naming the path of the faulty field. Unknown keys
are ignored (a later minor version may add some); a ``profile_version`` newer than
:data:`PROFILE_VERSION` is refused.

This module imports neither numpy, pandas nor pyspark.

Examples:
    >>> edges = histogram_edges([0.0, 1.0, 1.0, 2.0, 5.0])
    >>> edges
    (0.0, 1.0, 2.0, 5.0)
    >>> [bin_index(x, edges) for x in (-1.0, 0.5, 1.0, 5.0, 6.0)]
    [0, 1, 2, 4, 5]
    >>> col = ColumnProfile.from_aggregates(
    ...     "age", "numeric", count=4, null_count=1, minimum=18, maximum=60,
    ...     quantile_values=[18, 30, 60], probabilities=[0.0, 0.5, 1.0], bin_counts=[0, 1, 1, 1, 0])
    >>> col.histogram.counts, col.null_rate
    ((0, 1, 1, 1, 0), 0.25)
    >>> p = Profile(rows=4, columns=(col,))
    >>> Profile.from_json(p.to_json()) == p
    True
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from sparksig.errors import InvalidArgumentError, SchemaDefinitionError, SerializationError
from sparksig.profile.constraints import Constraint, constraint_from_dict
from sparksig.profile.document import Doc, fail, float_to_json, read_float, read_string
from sparksig.profile.statistics import (
    HISTOGRAM_PROBABILITIES,
    QUANTILE_PROBABILITIES,
    TOP_CATEGORIES,
    Categories,
    Histogram,
    Lengths,
    Quantiles,
    Scalar,
    bin_index,
    build,
    checked_count,
    histogram_edges,
    plain,
)

__all__ = [
    "Categories",
    "ColumnProfile",
    "HISTOGRAM_PROBABILITIES",
    "Histogram",
    "Kind",
    "Lengths",
    "PROFILE_VERSION",
    "Profile",
    "QUANTILE_PROBABILITIES",
    "Quantiles",
    "Scalar",
    "TOP_CATEGORIES",
    "bin_index",
    "histogram_edges",
]

#: The version of the JSON form this module writes (``"profile_version"``).
PROFILE_VERSION = 1


class Kind(str, Enum):
    """What kind of values a path holds (decides which statistics a profile keeps)."""

    NUMERIC = "numeric"  # integer, long, float, double: min/max, quantiles, histogram
    BOOLEAN = "boolean"  # categories
    STRING = "string"  # categories, lengths
    DATETIME = "datetime"  # min/max (ISO strings)
    BINARY = "binary"  # lengths (bytes)
    ARRAY = "array"  # lengths (elements); its elements are the path ``p[]``
    VECTOR = "vector"  # Spark ML vectors: lengths (size)
    MAP = "map"  # lengths (entries); its values are the path ``p{}``
    OBJECT = "object"  # structs: counts only; fields are ``p.name``
    OTHER = "other"  # anything else (``any``): counts only

    def __str__(self) -> str:
        return self.value


def _bound(value: Any, kind: Kind, path: str) -> Scalar | None:
    """A minimum or maximum read from JSON: a number for numerics, a string for datetimes."""
    if value is None:
        return None
    if kind is Kind.NUMERIC:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return read_float(value, path)
    if kind is Kind.DATETIME:
        return read_string(value, path)
    raise fail(path, f"a {kind} column has no minimum or maximum")


def _check_bound(value: Any, kind: Kind, name: str) -> None:
    if kind is Kind.NUMERIC:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise SchemaDefinitionError(
                f"{name} of a numeric column must be a number, got {value!r}"
            )
    elif kind is Kind.DATETIME:
        if not isinstance(value, str):
            raise SchemaDefinitionError(
                f"{name} of a datetime column must be an ISO-8601 string, got {value!r}"
            )
    else:
        raise SchemaDefinitionError(f"a {kind} column has no {name}")


def _bound_to_json(value: Scalar | None) -> Any:
    return float_to_json(value) if isinstance(value, float) else value


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    """The statistics of one path. Which fields are set depends on :attr:`kind`.

    Attributes:
        path: ``age``, ``address.city``, ``tags[]`` (stored as given, never parsed).
        kind: a :class:`Kind`.
        count: values at this path, missing ones included (see the module docstring).
        null_count: missing values (null, or NaN in a floating column).
        distinct: approximate number of distinct present values (exact from pandas).
        minimum, maximum: numerics (numbers) and datetimes (ISO-8601 strings).
        mean, stddev: numerics (the sample standard deviation, as Spark's ``stddev`` and
            pandas' ``std``).
        quantiles: numerics.
        histogram: numerics with at least one finite value.
        categories: strings, booleans and low-cardinality integers.
        lengths: strings, binaries, arrays, vectors and maps.
    """

    path: str
    kind: Kind
    count: int
    null_count: int = 0
    distinct: int | None = None
    minimum: Scalar | None = None
    maximum: Scalar | None = None
    mean: float | None = None
    stddev: float | None = None
    quantiles: Quantiles | None = None
    histogram: Histogram | None = None
    categories: Categories | None = None
    lengths: Lengths | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not self.path:
            raise SchemaDefinitionError(
                f"a column profile needs a non-empty path, got {self.path!r}"
            )
        try:
            kind = Kind(self.kind)
        except ValueError:
            raise SchemaDefinitionError(
                f"unknown kind {self.kind!r}; expected one of {[k.value for k in Kind]}"
            ) from None
        object.__setattr__(self, "kind", kind)
        count = checked_count(plain(self.count), "count")
        nulls = checked_count(plain(self.null_count), "null_count")
        if nulls > count:
            raise SchemaDefinitionError(f"null_count {nulls} exceeds count {count}")
        object.__setattr__(self, "count", count)
        object.__setattr__(self, "null_count", nulls)
        if self.distinct is not None:
            object.__setattr__(self, "distinct", checked_count(plain(self.distinct), "distinct"))
        for name in ("minimum", "maximum"):
            value = plain(getattr(self, name))
            if value is not None:
                _check_bound(value, kind, name)
            object.__setattr__(self, name, value)
        for name in ("mean", "stddev"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, float(plain(value)))
        for name, cls in (
            ("quantiles", Quantiles),
            ("histogram", Histogram),
            ("categories", Categories),
            ("lengths", Lengths),
        ):
            value = getattr(self, name)
            if value is not None and not isinstance(value, cls):
                raise SchemaDefinitionError(f"{name} must be a {cls.__name__}, got {value!r}")

    @classmethod
    def from_aggregates(
        cls,
        path: str,
        kind: Kind | str,
        *,
        count: int,
        null_count: int = 0,
        distinct: int | None = None,
        minimum: Any = None,
        maximum: Any = None,
        mean: Any = None,
        stddev: Any = None,
        quantile_values: Sequence[Any] | None = None,
        probabilities: Sequence[float] = QUANTILE_PROBABILITIES,
        bin_counts: Sequence[int] | None = None,
        top: Iterable[tuple[Any, int]] | None = None,
        top_k: int = TOP_CATEGORIES,
        length_min: Any = None,
        length_max: Any = None,
        length_mean: Any = None,
    ) -> ColumnProfile:
        """A column profile from raw aggregate values (what an engine's one pass returns).

        Accepts numpy scalars, Decimals and datetimes; ``None`` aggregates (Spark's answer on
        an empty or all-null column) leave their statistic out. ``quantile_values`` line up
        with ``probabilities``; ``bin_counts`` line up with the bins of
        ``histogram_edges(quantile_values at HISTOGRAM_PROBABILITIES, minimum, maximum)``
        (see :meth:`edges_for`). ``top`` are ``(value, count)`` pairs, any order and length.

        Every statistic describes present values only: an engine aggregates with nulls *and*
        NaN left out (Spark orders NaN above every number, so ``max`` and the upper quantiles
        of a column holding NaN are NaN otherwise) and counts both in ``null_count``.
        """
        kind = Kind(kind)
        quantiles = None
        if quantile_values is not None and all(v is not None for v in quantile_values):
            values = [float(plain(v)) for v in quantile_values]
            if values and not any(math.isnan(v) for v in values):
                quantiles = Quantiles(tuple(probabilities), tuple(sorted(values)))
        histogram = None
        if bin_counts is not None:
            edges = cls.edges_for(quantile_values or (), probabilities, minimum, maximum)
            if edges:
                histogram = Histogram(edges, tuple(bin_counts))
        lengths = None
        if length_min is not None and length_max is not None and length_mean is not None:
            lengths = Lengths(length_min, length_max, length_mean)
        if kind is Kind.NUMERIC:  # NaN from an engine that did not skip it: no bound
            minimum = None if minimum is None or plain(minimum) != plain(minimum) else minimum
            maximum = None if maximum is None or plain(maximum) != plain(maximum) else maximum
        return cls(
            path=path,
            kind=kind,
            count=count,
            null_count=null_count,
            distinct=distinct,
            minimum=minimum,
            maximum=maximum,
            mean=None if mean is None or plain(mean) != plain(mean) else mean,
            stddev=None if stddev is None or plain(stddev) != plain(stddev) else stddev,
            quantiles=quantiles,
            histogram=histogram,
            categories=None if top is None else Categories.top(top, top_k),
            lengths=lengths,
        )

    @staticmethod
    def edges_for(
        quantile_values: Sequence[Any],
        probabilities: Sequence[float] = QUANTILE_PROBABILITIES,
        minimum: Any = None,
        maximum: Any = None,
    ) -> tuple[float, ...]:
        """The histogram edges :meth:`from_aggregates` uses: the quantile values at
        :data:`HISTOGRAM_PROBABILITIES` (those recorded), plus the minimum and maximum.

        Examples:
            >>> ColumnProfile.edges_for([0, 5, 7, 10], [0.0, 0.1, 0.15, 1.0])
            (0.0, 5.0, 10.0)
        """
        wanted = set(HISTOGRAM_PROBABILITIES)
        picked = [v for p, v in zip(probabilities, quantile_values) if p in wanted]
        return histogram_edges(picked, minimum, maximum)

    @property
    def present(self) -> int:
        """Values that are not missing."""
        return self.count - self.null_count

    @property
    def null_rate(self) -> float:
        """Missing values over all values (0 for a path that held none)."""
        return self.null_count / self.count if self.count else 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind.value,
            "count": self.count,
            "null_count": self.null_count,
        }
        if self.distinct is not None:
            out["distinct"] = self.distinct
        for name in ("minimum", "maximum"):
            if getattr(self, name) is not None:
                out[name] = _bound_to_json(getattr(self, name))
        for name in ("mean", "stddev"):
            if getattr(self, name) is not None:
                out[name] = float_to_json(getattr(self, name))
        for name in ("quantiles", "histogram", "categories", "lengths"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value.to_dict()
        return out

    @classmethod
    def from_doc(cls, doc: Doc) -> ColumnProfile:
        kind_text = doc.string("kind")
        try:
            kind = Kind(kind_text)
        except ValueError:
            raise fail(
                doc.at("kind"),
                f"unknown kind {kind_text!r}; expected one of {[k.value for k in Kind]}",
            ) from None
        children: dict[str, Any] = {}
        for name, part in (
            ("quantiles", Quantiles),
            ("histogram", Histogram),
            ("categories", Categories),
            ("lengths", Lengths),
        ):
            sub = doc.optional_child(name)
            children[name] = None if sub is None else part.from_doc(sub)
        return build(
            cls,
            doc.path,
            path=doc.string("path"),
            kind=kind,
            count=doc.integer("count"),
            null_count=doc.integer("null_count"),
            distinct=doc.integer("distinct", optional=True),
            minimum=_bound(doc.raw("minimum", None), kind, doc.at("minimum")),
            maximum=_bound(doc.raw("maximum", None), kind, doc.at("maximum")),
            mean=doc.number("mean", optional=True),
            stddev=doc.number("stddev", optional=True),
            **children,
        )


@dataclass(frozen=True, slots=True)
class Profile:
    """A training-data profile: rows, one :class:`ColumnProfile` per path, and constraints.

    Attributes:
        rows: rows profiled.
        columns: column profiles in schema order (parents before their nested paths).
        constraints: row-level constraints (:mod:`sparksig.profile.constraints`), at most one
            of each kind per path.
        approximate: whether quantiles and distinct counts are estimates (Spark's
            ``percentile_approx`` and ``approx_count_distinct``) or exact (pandas).
        version: the JSON form's version (:data:`PROFILE_VERSION`).
    """

    rows: int
    columns: tuple[ColumnProfile, ...]
    constraints: tuple[Constraint, ...] = field(default_factory=tuple)
    approximate: bool = False
    version: int = PROFILE_VERSION

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", checked_count(plain(self.rows), "rows"))
        columns = tuple(self.columns)
        if any(not isinstance(c, ColumnProfile) for c in columns):
            raise SchemaDefinitionError("a profile's columns must be ColumnProfile objects")
        paths = [c.path for c in columns]
        if len(set(paths)) != len(paths):
            repeated = sorted({p for p in paths if paths.count(p) > 1})
            raise SchemaDefinitionError(f"a profile lists these paths twice: {repeated}")
        object.__setattr__(self, "columns", columns)
        constraints = tuple(self.constraints)
        keys = [constraint_key_of(c) for c in constraints]
        if len(set(keys)) != len(keys):
            raise SchemaDefinitionError(
                "a profile holds at most one constraint of each kind per path; "
                "use with_constraints() to replace one"
            )
        object.__setattr__(self, "constraints", constraints)
        if self.version != PROFILE_VERSION:
            raise SchemaDefinitionError(
                f"profile_version {self.version!r} is not supported (this sparksig writes and "
                f"reads version {PROFILE_VERSION})"
            )

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(c.path for c in self.columns)

    def column(self, path: str) -> ColumnProfile:
        """The profile of ``path``; an :class:`~sparksig.errors.InvalidArgumentError` naming
        the known paths when there is none."""
        for c in self.columns:
            if c.path == path:
                return c
        known = ", ".join(repr(p) for p in self.paths[:20])
        more = f" and {len(self.paths) - 20} more" if len(self.paths) > 20 else ""
        raise InvalidArgumentError(f"the profile has no path {path!r}; it has {known}{more}")

    def get(self, path: str) -> ColumnProfile | None:
        return next((c for c in self.columns if c.path == path), None)

    def with_constraints(self, *constraints: Constraint) -> Profile:
        """A copy with ``constraints`` declared: each replaces any constraint of the same
        kind on the same path (so declaring a wider ``Range`` loosens it)."""
        new = {constraint_key_of(c): c for c in constraints}
        kept = [c for c in self.constraints if constraint_key_of(c) not in new]
        return replace(self, constraints=(*kept, *new.values()))

    def without(self, path: str, kind: str | type | None = None) -> Profile:
        """A copy without the constraints on ``path`` (only those of ``kind`` when given:
        ``"range"``, ``"domain"``, ``"max_length"`` or the class)."""
        tag = getattr(kind, "tag", kind)
        return replace(
            self,
            constraints=tuple(
                c for c in self.constraints if not (c.path == path and tag in (None, c.tag))
            ),
        )

    def constraints_on(self, path: str) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if c.path == path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile_version": self.version,
            "rows": self.rows,
            "approximate": self.approximate,
            "columns": [c.to_dict() for c in self.columns],
            "constraints": [c.to_dict() for c in self.constraints],
        }

    def to_json(self, **kwargs: Any) -> str:
        """Strict JSON (non-finite numbers spelled ``"NaN"``, ``"Infinity"``)."""
        return json.dumps(self.to_dict(), allow_nan=False, ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, d: Any, path: str = "profile") -> Profile:
        doc = Doc(d, path)
        version = doc.raw("profile_version", None)
        if version is None:
            raise fail(doc.at("profile_version"), "this field is missing (is this a profile?)")
        if isinstance(version, bool) or not isinstance(version, int):
            raise fail(doc.at("profile_version"), f"expected an integer, got {version!r}")
        if version != PROFILE_VERSION:
            newer = (
                "a newer sparksig; upgrade sparksig to read it"
                if version > PROFILE_VERSION
                else "no sparksig"
            )
            raise SerializationError(
                f"profile_version {version} was written by {newer} "
                f"(this one reads version {PROFILE_VERSION})",
                doc.at("profile_version"),
            )
        columns = doc.items("columns", lambda v, p: ColumnProfile.from_doc(Doc(v, p)))
        constraints = doc.items("constraints", constraint_from_dict, optional=True) or ()
        return build(
            cls,
            path,
            rows=doc.integer("rows"),
            columns=columns,
            constraints=constraints,
            approximate=doc.boolean("approximate", False),
        )

    @classmethod
    def from_json(cls, text: str | bytes, what: str = "profile") -> Profile:
        """Parse the JSON form; anything malformed is a
        :class:`~sparksig.errors.SerializationError` naming the field's path."""
        try:
            doc = json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as e:
            raise SerializationError(f"not valid JSON ({e.msg} at char {e.pos})", what) from None
        except (ValueError, RecursionError, UnicodeDecodeError) as e:
            raise SerializationError(f"not valid JSON ({e})", what) from None
        return cls.from_dict(doc, what)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"bare {name} is not strict JSON; write the string {name!r}")


def constraint_key_of(c: Constraint) -> tuple[str, str]:
    return (c.tag, c.path)
