"""The statistics a column profile is made of: quantiles, histograms, top categories, lengths.

See :mod:`sparksig.profile.model` for how they fit together. The histogram's bins are defined
once, by :func:`bin_index`: for edges ``e0 < ... < e(m-1)`` there are ``m + 2`` bins, an
underflow bin (``x < e0``), ``m - 1`` half-open bins ``[e(i-1), e(i))``, a bin for the last edge
itself (``x == e(m-1)``, the training maximum) and an overflow bin (``x > e(m-1)``).

This module imports neither numpy, pandas nor pyspark.

Examples:
    >>> edges = histogram_edges([0.0, 1.0, 1.0, 2.0, 5.0])
    >>> edges
    (0.0, 1.0, 2.0, 5.0)
    >>> [bin_index(x, edges) for x in (-1.0, 0.5, 1.0, 5.0, 6.0)]
    [0, 1, 2, 4, 5]
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Union

from sparksig.errors import InvalidArgumentError, SchemaDefinitionError
from sparksig.profile.constraints import constraint_key, same_value
from sparksig.profile.document import Doc, fail, float_to_json, read_float, read_int

__all__ = [
    "Categories",
    "HISTOGRAM_PROBABILITIES",
    "Histogram",
    "Lengths",
    "QUANTILE_PROBABILITIES",
    "Quantiles",
    "Scalar",
    "TOP_CATEGORIES",
    "bin_index",
    "histogram_edges",
]

#: The quantiles a profile records: deciles plus the tails and quartiles a reader looks for.
QUANTILE_PROBABILITIES: tuple[float, ...] = (
    0.0,
    0.01,
    0.05,
    0.1,
    0.2,
    0.25,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.75,
    0.8,
    0.9,
    0.95,
    0.99,
    1.0,
)

#: The quantiles histogram edges are cut at: deciles (ten bins, the usual choice for PSI).
HISTOGRAM_PROBABILITIES: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)

#: How many of the most frequent values a profile keeps per column. Large enough for the
#: ~40 country codes of a typical categorical, small enough to read.
TOP_CATEGORIES = 50

#: A value a profile stores: a number, an ISO-8601 datetime string, a string or a boolean.
Scalar = Union[bool, int, float, str]


def finite_float(value: Any, what: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError, OverflowError):
        raise SchemaDefinitionError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(out):
        raise SchemaDefinitionError(f"{what} must be finite, got {value!r}")
    return out


def checked_count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SchemaDefinitionError(f"{what} must be an integer >= 0, got {value!r}")
    return value


def _counts(values: Iterable[Any], what: str) -> tuple[int, ...]:
    return tuple(checked_count(plain(v), f"{what}[{i}]") for i, v in enumerate(values))


def plain(value: Any) -> Any:
    """numpy scalars, Decimals and datetimes as the plain values a profile stores."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and not hasattr(value, "isoformat"):
        return plain(item())
    isoformat = getattr(value, "isoformat", None)  # datetime, date, pandas Timestamp
    if callable(isoformat):
        return str(isoformat())
    try:
        from decimal import Decimal

        if isinstance(value, Decimal):
            return float(value)
    except ImportError:  # pragma: no cover - the standard library always has decimal
        pass
    raise SchemaDefinitionError(f"a profile stores numbers, strings and booleans, got {value!r}")


def histogram_edges(
    quantile_values: Iterable[Any], minimum: Any = None, maximum: Any = None
) -> tuple[float, ...]:
    """Bin edges from training quantiles: sorted, ties merged, non-finite values dropped.

    ``minimum`` and ``maximum`` (when given and finite) become edges too, so every training
    value falls in an inner bin even when approximate quantiles miss the extremes. A constant
    column gives one edge; an all-missing column (or one holding only infinities) none (no
    histogram). ``None`` values (what Spark returns for an empty column) are skipped.

    Examples:
        >>> histogram_edges([1, 1, 1, 1])
        (1.0,)
        >>> histogram_edges([None, None])
        ()
        >>> histogram_edges([0.5, 0.1, float("nan"), float("inf")], minimum=0.0)
        (0.0, 0.1, 0.5)
    """
    found: set[float] = set()
    for raw in (*quantile_values, minimum, maximum):
        value = plain(raw)
        if value is None or isinstance(value, (bool, str)):
            continue
        number = float(value)
        if math.isfinite(number):
            found.add(number + 0.0)  # -0.0 and 0.0 are one edge
    return tuple(sorted(found))


def bin_index(value: float, edges: Sequence[float]) -> int:
    """The histogram bin of ``value`` (the reference every engine must agree with).

    ``0`` is the underflow bin (``value < edges[0]``); ``i`` in ``1 .. m-1`` holds
    ``edges[i-1] <= value < edges[i]``; ``m`` holds ``value == edges[-1]`` (the training
    maximum); ``m + 1`` is the overflow bin. NaN has no bin (it counts as missing) and raises.

    Examples:
        >>> [bin_index(x, (3.0,)) for x in (2.0, 3.0, 4.0)]
        [0, 1, 2]
    """
    if value != value:
        raise InvalidArgumentError("NaN has no histogram bin; it counts as a missing value")
    if not edges:
        raise InvalidArgumentError("a histogram needs at least one edge")
    if value < edges[0]:
        return 0
    if value > edges[-1]:
        return len(edges) + 1
    return bisect_right(edges, value)


@dataclass(frozen=True, slots=True)
class Quantiles:
    """Quantile values at increasing probabilities (exact from pandas, approximate from Spark)."""

    probabilities: tuple[float, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        probs = tuple(finite_float(p, "a quantile probability") for p in self.probabilities)
        values = tuple(float(plain(v)) for v in self.values)
        if len(probs) != len(values):
            raise SchemaDefinitionError(
                f"{len(probs)} quantile probabilities but {len(values)} values"
            )
        if any(not 0.0 <= p <= 1.0 for p in probs) or any(a >= b for a, b in pairwise(probs)):
            raise SchemaDefinitionError(
                f"quantile probabilities must increase within [0, 1], got {list(probs)}"
            )
        if any(v != v for v in values) or any(a > b for a, b in pairwise(values)):
            raise SchemaDefinitionError(
                f"quantile values must be numbers that never decrease, got {list(values)}"
            )
        object.__setattr__(self, "probabilities", probs)
        object.__setattr__(self, "values", values)

    def value_at(self, probability: float) -> float | None:
        """The recorded value at ``probability``, or None when it was not recorded."""
        for p, v in zip(self.probabilities, self.values):
            if p == probability:
                return v
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "probabilities": list(self.probabilities),
            "values": [float_to_json(v) for v in self.values],
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> Quantiles:
        return build(
            cls,
            doc.path,
            probabilities=doc.items("probabilities", read_float),
            values=doc.items("values", read_float),
        )


@dataclass(frozen=True, slots=True)
class Histogram:
    """Counts of present values per bin; see :func:`bin_index` for which value goes where.

    ``len(counts) == len(edges) + 2``: ``counts[0]`` is the underflow bin, ``counts[-1]`` the
    overflow bin.
    """

    edges: tuple[float, ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        edges = tuple(finite_float(e, "a histogram edge") for e in self.edges)
        if not edges or any(a >= b for a, b in pairwise(edges)):
            raise SchemaDefinitionError(
                f"histogram edges must be one or more increasing numbers, got {list(edges)}"
            )
        counts = _counts(self.counts, "histogram.counts")
        if len(counts) != len(edges) + 2:
            raise SchemaDefinitionError(
                f"{len(edges)} histogram edges need {len(edges) + 2} counts (an underflow bin, "
                f"the inner bins, an overflow bin), got {len(counts)}"
            )
        object.__setattr__(self, "edges", edges)
        object.__setattr__(self, "counts", counts)

    @classmethod
    def of_values(cls, edges: Sequence[float], values: Iterable[float]) -> Histogram:
        """Count present values (None and NaN skipped) into the bins of ``edges``.

        Examples:
            >>> Histogram.of_values((0.0, 1.0), [-2.0, 0.0, 0.5, 1.0, 1.0, 9.0, None]).counts
            (1, 2, 2, 1)
        """
        counts = [0] * (len(edges) + 2)
        for v in values:
            if v is not None and v == v:
                counts[bin_index(v, edges)] += 1
        return cls(tuple(edges), tuple(counts))

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def underflow(self) -> int:
        return self.counts[0]

    @property
    def overflow(self) -> int:
        return self.counts[-1]

    def to_dict(self) -> dict[str, Any]:
        return {"edges": list(self.edges), "counts": list(self.counts)}

    @classmethod
    def from_doc(cls, doc: Doc) -> Histogram:
        return build(
            cls,
            doc.path,
            edges=doc.items("edges", read_float),
            counts=doc.items("counts", read_int),
        )


def _category(value: Any, path: str) -> Scalar:
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(path, "a category must be a finite number, a string or a boolean")
    if not isinstance(value, (bool, int, float, str)):
        raise fail(path, "a category must be a string, a number or a boolean")
    return value


@dataclass(frozen=True, slots=True)
class Categories:
    """The most frequent present values with their counts, and the count of all the others.

    Values keep their JSON kind: ``True`` and ``1`` are different categories.
    """

    values: tuple[Scalar, ...]
    counts: tuple[int, ...]
    other: int = 0

    def __post_init__(self) -> None:
        values = tuple(plain(v) for v in self.values)
        for v in values:
            if isinstance(v, float) and not math.isfinite(v):
                raise SchemaDefinitionError(f"a category must be finite, got {v!r}")
        counts = _counts(self.counts, "categories.counts")
        if len(values) != len(counts):
            raise SchemaDefinitionError(f"{len(values)} categories but {len(counts)} counts")
        keys = [constraint_key(v) for v in values]
        if len(set(keys)) != len(keys):
            raise SchemaDefinitionError(f"categories repeat a value: {list(values)}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "other", checked_count(self.other, "categories.other"))

    @classmethod
    def top(cls, counted: Iterable[tuple[Any, int]], k: int = TOP_CATEGORIES) -> Categories:
        """The ``k`` most frequent of ``(value, count)`` pairs (ties by value), others summed.

        Examples:
            >>> Categories.top([("b", 2), ("a", 2), ("c", 1)], k=2)
            Categories(values=('a', 'b'), counts=(2, 2), other=1)
        """
        pairs = [(plain(v), checked_count(plain(c), "a category count")) for v, c in counted]
        pairs.sort(key=lambda vc: (-vc[1], type(vc[0]).__name__, vc[0]))
        kept, rest = pairs[:k], pairs[k:]
        return cls(tuple(v for v, _ in kept), tuple(c for _, c in kept), sum(c for _, c in rest))

    @property
    def total(self) -> int:
        return sum(self.counts) + self.other

    def count_of(self, value: Any) -> int | None:
        """The count of ``value`` if it is in the top list."""
        for v, c in zip(self.values, self.counts):
            if same_value(v, value):
                return c
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"values": list(self.values), "counts": list(self.counts), "other": self.other}

    @classmethod
    def from_doc(cls, doc: Doc) -> Categories:
        return build(
            cls,
            doc.path,
            values=doc.items("values", _category),
            counts=doc.items("counts", read_int),
            other=doc.integer("other"),
        )


@dataclass(frozen=True, slots=True)
class Lengths:
    """Length statistics of present strings (characters), binaries (bytes), arrays and
    vectors (elements) and maps (entries)."""

    minimum: int
    maximum: int
    mean: float

    def __post_init__(self) -> None:
        lo = checked_count(plain(self.minimum), "lengths.minimum")
        hi = checked_count(plain(self.maximum), "lengths.maximum")
        mean = finite_float(plain(self.mean), "lengths.mean")
        if not lo <= mean <= hi:
            # Tolerate the rounding of a mean computed elsewhere.
            if not (lo - 1e-9 * max(1, hi) <= mean <= hi + 1e-9 * max(1, hi)):
                raise SchemaDefinitionError(
                    f"lengths need minimum <= mean <= maximum, got {lo}, {mean}, {hi}"
                )
            mean = min(max(mean, lo), hi)
        object.__setattr__(self, "minimum", lo)
        object.__setattr__(self, "maximum", hi)
        object.__setattr__(self, "mean", mean)

    def to_dict(self) -> dict[str, Any]:
        return {"minimum": self.minimum, "maximum": self.maximum, "mean": self.mean}

    @classmethod
    def from_doc(cls, doc: Doc) -> Lengths:
        return build(
            cls,
            doc.path,
            minimum=doc.integer("minimum"),
            maximum=doc.integer("maximum"),
            mean=doc.number("mean"),
        )


def build(cls: Any, where: str, /, **fields: Any) -> Any:
    """``cls(**fields)``, its own validation errors reported at ``path``."""
    try:
        return cls(**fields)
    except SchemaDefinitionError as e:
        raise fail(where, str(e)) from None
