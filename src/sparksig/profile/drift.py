"""Drift: how far scoring data has moved from the training profile, per path.

The function an engine calls, after one aggregation over the scoring data::

    drift(profile: Profile, observed: Mapping[str, ObservedCounts], *,
          thresholds: Thresholds = DEFAULT_THRESHOLDS,
          overrides: Mapping[str, Thresholds] = {}) -> DriftReport

    ObservedCounts(rows: int, nulls: int, bins: tuple[int, ...] | None = None,
                   categories: tuple[int, ...] | None = None, other: int = 0)

For each path of the profile, an :class:`ObservedCounts` holds, over the scoring data and with
the meanings of :mod:`sparksig.profile.model`: ``rows``, the values at the path (missing ones
included: rows for a top-level column, elements for ``tags[]``); ``nulls``, the missing ones
(null, or NaN in a floating column); ``bins``, present values counted into the *training*
histogram's bins (``len(edges) + 2`` counts, underflow first and overflow last, binned as
:func:`sparksig.profile.statistics.bin_index` does); ``categories``, present values equal to
each of the training top list's values, in its order; ``other``, present values not in it.
Leave ``bins`` (``categories``) ``None`` for a path whose profile has no histogram (top list).

The figures, each on the proportions of *present* values:

- **PSI** (population stability index) on the histogram bins:
  ``sum((q - p) * ln(q / p))``, ``p`` training and ``q`` scoring proportions. An empty bin
  would make it infinite, so the proportion of an empty bin is taken as :data:`EPSILON`
  (``1e-4``) first, the convention of Evidently's PSI test (``np.place(x, x == 0, 0.0001)``).
- **JS** (Jensen–Shannon divergence, base 2, so within ``[0, 1]``) on the same bins:
  ``(KL(p || m) + KL(q || m)) / 2`` with ``m = (p + q) / 2``. It is finite without smoothing
  (``0 * log 0 = 0``), so none is applied.
- **L-infinity** distance on the top list plus the ``other`` bucket (which catches values the
  training data never had): ``max |p_i - q_i|``, as TFDV's ``infinity_norm`` comparator.
- **Null-rate change**: ``|scoring null rate - training null rate|`` over all values.

Default thresholds (:data:`DEFAULT_THRESHOLDS`; a figure at or above its threshold flags the
path; ``None`` switches a figure's flag off; :func:`drift` takes per-path ``overrides``):

- PSI ``0.25``: the credit-scoring rule of thumb (below 0.1 no real change, 0.1–0.25 a moderate
  shift worth a look, above 0.25 a significant shift).
- L-infinity ``0.1``: TFDV itself sets no default (a comparator's threshold is whatever the
  schema states; its guide's example uses 0.01, and Vertex AI model monitoring, built on TFDV,
  defaults to 0.3). 0.01 flags sampling noise at a few thousand rows (the standard error of a
  50% share is 0.007 at 5,000 rows); 0.3 misses a category losing a quarter of its share.
- JS ``0.05``: likewise no TFDV default; for small shifts on decile bins ``JS ≈ PSI / 5.5``,
  so 0.05 flags about where PSI reaches 0.25 and the two figures agree.
- Null-rate change ``0.05`` (five percentage points).
- ``min_present`` ``200``: a path with fewer present scoring values is measured but never
  flagged (on a handful of rows every figure is noise). The report says so.

``tests/unit/test_profile_drift.py`` measures the false-alarm rate of these defaults on
independent samples of an unshifted distribution and checks that shifted ones are flagged.

This module imports neither numpy, pandas nor pyspark.

Examples:
    >>> psi([50, 50], [50, 50])
    0.0
    >>> round(js_divergence([1, 0], [0, 1]), 12)
    1.0
    >>> l_infinity([30, 70], [50, 50])
    0.2
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sparksig.errors import InvalidArgumentError
from sparksig.profile.drift_report import (
    DEFAULT_THRESHOLDS,
    ColumnDrift,
    Comparison,
    DriftReport,
    Thresholds,
)
from sparksig.profile.model import ColumnProfile, Profile

__all__ = [
    "DEFAULT_THRESHOLDS",
    "EPSILON",
    "ColumnDrift",
    "Comparison",
    "DriftReport",
    "ObservedCounts",
    "Thresholds",
    "drift",
    "js_divergence",
    "l_infinity",
    "proportions",
    "psi",
]

#: The proportion PSI gives an empty bin (Evidently's convention; see the module docstring).
EPSILON = 1e-4


def proportions(counts: Sequence[int]) -> list[float]:
    """Counts as shares of their total (all zeros when the total is 0)."""
    total = sum(counts)
    return [c / total for c in counts] if total else [0.0] * len(counts)


def psi(expected: Sequence[int], actual: Sequence[int], epsilon: float = EPSILON) -> float:
    """Population stability index of ``actual`` counts against ``expected`` counts."""
    p = [x or epsilon for x in proportions(expected)]  # empty bins only, as Evidently
    q = [x or epsilon for x in proportions(actual)]
    return math.fsum((b - a) * math.log(b / a) for a, b in zip(p, q))


def js_divergence(expected: Sequence[int], actual: Sequence[int]) -> float:
    """Jensen–Shannon divergence (base 2) between the two count vectors' proportions."""
    p, q = proportions(expected), proportions(actual)

    def kl(a: list[float], m: list[float]) -> float:
        return math.fsum(x * math.log2(x / y) for x, y in zip(a, m) if x > 0)

    m = [(a + b) / 2 for a, b in zip(p, q)]
    return max(0.0, (kl(p, m) + kl(q, m)) / 2)


def l_infinity(expected: Sequence[int], actual: Sequence[int]) -> float:
    """The largest absolute difference between the two count vectors' proportions."""
    p, q = proportions(expected), proportions(actual)
    return max((abs(a - b) for a, b in zip(p, q)), default=0.0)


@dataclass(frozen=True, slots=True)
class ObservedCounts:
    """What one aggregation over scoring data found at one path (see the module docstring)."""

    rows: int
    nulls: int = 0
    bins: tuple[int, ...] | None = None
    categories: tuple[int, ...] | None = None
    other: int = 0

    def __post_init__(self) -> None:
        def count(value: Any, what: str) -> int:
            item = getattr(value, "item", None)
            value = item() if callable(item) else value
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidArgumentError(f"ObservedCounts.{what} must be a count, got {value!r}")
            return value

        object.__setattr__(self, "rows", count(self.rows, "rows"))
        object.__setattr__(self, "nulls", count(self.nulls, "nulls"))
        object.__setattr__(self, "other", count(self.other, "other"))
        for name in ("bins", "categories"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(
                    self, name, tuple(count(v, f"{name}[{i}]") for i, v in enumerate(value))
                )
        if self.nulls > self.rows:
            raise InvalidArgumentError(
                f"ObservedCounts: nulls {self.nulls} exceed rows {self.rows}"
            )

    @property
    def present(self) -> int:
        return self.rows - self.nulls


def histogram_labels(edges: Sequence[float]) -> tuple[str, ...]:
    """``< e0``, ``[e0, e1)``, ..., ``= e(m-1)``, ``> e(m-1)``: one label per bin."""
    inner = [f"[{a:g}, {b:g})" for a, b in pairwise(edges)]
    return (f"< {edges[0]:g}", *inner, f"= {edges[-1]:g}", f"> {edges[-1]:g}")


def _category_labels(values: Sequence[Any]) -> tuple[str, ...]:
    return (*(json.dumps(v, ensure_ascii=False) for v in values), "(other)")


def drift(
    profile: Profile,
    observed: Mapping[str, ObservedCounts],
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    overrides: Mapping[str, Thresholds] | None = None,
) -> DriftReport:
    """Compare scoring counts with the training profile, path by path (see the module
    docstring for the figures, the thresholds and what ``observed`` holds).

    Paths of the profile missing from ``observed`` are skipped and listed in a note; a path
    in ``observed`` that the profile lacks, or counts that do not line up with the training
    bins or top list, are an :class:`~sparksig.errors.InvalidArgumentError` naming the path.
    """
    overrides = dict(overrides or {})
    unknown = sorted((set(observed) | set(overrides)) - set(profile.paths))
    if unknown:
        raise InvalidArgumentError(
            f"the profile has no paths {unknown}; drift compares only profiled paths"
        )
    results, skipped, quiet = [], [], []
    for col in profile.columns:
        counts = observed.get(col.path)
        if counts is None:
            skipped.append(col.path)
            continue
        result = column_drift(col, counts, overrides.get(col.path, thresholds))
        if result.note:
            quiet.append(col.path)
        results.append(result)
    results.sort(key=lambda c: (-c.score, c.path))
    notes = []
    if skipped:
        notes.append(f"not observed, not compared: {', '.join(repr(p) for p in skipped)}")
    if quiet:
        notes.append(
            "measured but not flagged (too few present values): "
            + ", ".join(repr(p) for p in quiet)
        )
    return DriftReport(tuple(results), tuple(notes))


def column_drift(col: ColumnProfile, seen: ObservedCounts, limits: Thresholds) -> ColumnDrift:
    """The drift of one path (what :func:`drift` computes for each)."""
    psi_value = js_value = linf = None
    histogram = categories = None
    if col.histogram is not None and seen.bins is not None:
        training = col.histogram.counts
        if len(seen.bins) != len(training):
            raise InvalidArgumentError(
                f"{col.path}: {len(seen.bins)} observed bins, but the training histogram has "
                f"{len(training)} (its {len(col.histogram.edges)} edges plus under- and overflow)"
            )
        if sum(training) and sum(seen.bins):
            psi_value = psi(training, seen.bins)
            js_value = js_divergence(training, seen.bins)
        histogram = Comparison(histogram_labels(col.histogram.edges), training, seen.bins)
    if col.categories is not None and seen.categories is not None:
        top = col.categories
        if len(seen.categories) != len(top.values):
            raise InvalidArgumentError(
                f"{col.path}: {len(seen.categories)} observed category counts, but the training "
                f"top list has {len(top.values)} values"
            )
        training = (*top.counts, top.other)
        now = (*seen.categories, seen.other)
        if sum(training) and sum(now):
            linf = l_infinity(training, now)
        categories = Comparison(_category_labels(top.values), training, now)
    null_training = col.null_rate
    null_observed = seen.nulls / seen.rows if seen.rows else 0.0
    figures = {
        "psi": psi_value,
        "js": js_value,
        "l_infinity": linf,
        "null_rate": abs(null_observed - null_training) if seen.rows and col.count else None,
    }
    ratios = {}
    for name, value in figures.items():
        limit = getattr(limits, name)
        if value is None or limit is None:
            continue
        ratios[name] = value / limit if limit > 0 else (math.inf if value > 0 else 0.0)
    score = max(ratios.values(), default=0.0)
    flagged = tuple(n for n, r in ratios.items() if r >= 1.0 and figures[n] is not None)
    note = ""
    if seen.present < limits.min_present and flagged:
        flagged = tuple(n for n in flagged if n == "null_rate" and seen.rows >= limits.min_present)
        note = f"{seen.present} present values, fewer than min_present={limits.min_present}"
    return ColumnDrift(
        path=col.path,
        present=seen.present,
        psi=psi_value,
        js=js_value,
        l_infinity=linf,
        null_rate_training=null_training,
        null_rate_observed=null_observed,
        thresholds=limits,
        flagged_by=flagged,
        score=score,
        histogram=histogram,
        categories=categories,
        note=note,
    )


def observe_values(col: ColumnProfile, values: Sequence[Any]) -> ObservedCounts:
    """Count Python values against a column's training bins and top list (the reference an
    engine's aggregation must agree with; None and NaN count as missing).

    Examples:
        >>> from sparksig.profile.statistics import Histogram
        >>> col = ColumnProfile("x", "numeric", 3, histogram=Histogram((0.0, 1.0), (0, 1, 1, 1)))
        >>> observe_values(col, [0.5, 2.0, None, float("nan")])
        ObservedCounts(rows=4, nulls=2, bins=(0, 1, 0, 1), categories=None, other=0)
    """
    from sparksig.profile.statistics import bin_index

    present = [v for v in values if v is not None and v == v]
    bins = None
    if col.histogram is not None:
        counts = [0] * (len(col.histogram.edges) + 2)
        for v in present:
            counts[bin_index(v, col.histogram.edges)] += 1
        bins = tuple(counts)
    categories, other = None, 0
    if col.categories is not None:
        from sparksig.profile.constraints import constraint_key

        index = {constraint_key(v): i for i, v in enumerate(col.categories.values)}
        found = [0] * len(index)
        for v in present:
            i = index.get(constraint_key(v))
            if i is None:
                other += 1
            else:
                found[i] += 1
        categories = tuple(found)
    return ObservedCounts(len(values), len(values) - len(present), bins, categories, other)
