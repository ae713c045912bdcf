"""The results of :func:`sparksig.profile.drift.drift`: thresholds, per-path drift, the report.

Every result is frozen and has a JSON form (``to_dict`` / ``from_dict``); a
:class:`DriftReport` turns its flagged paths into ``drift`` violations for a
:class:`~sparksig.results.ValidationReport`. The figures and the defaults are documented in
:mod:`sparksig.profile.drift`.

This module imports neither numpy, pandas nor pyspark.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sparksig.errors import InvalidArgumentError
from sparksig.profile.document import Doc, float_to_json, read_float, read_int, read_string
from sparksig.results import Code, Violation

__all__ = [
    "DEFAULT_THRESHOLDS",
    "ColumnDrift",
    "Comparison",
    "DriftReport",
    "Thresholds",
]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a figure flags a path (at or above; ``None``: never). See the module docstring."""

    psi: float | None = 0.25
    js: float | None = 0.05
    l_infinity: float | None = 0.1
    null_rate: float | None = 0.05
    min_present: int = 200

    def __post_init__(self) -> None:
        for name in ("psi", "js", "l_infinity", "null_rate"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0
            ):
                raise InvalidArgumentError(f"threshold {name} must be a number >= 0, got {value!r}")
        if isinstance(self.min_present, bool) or not isinstance(self.min_present, int):
            raise InvalidArgumentError(f"min_present must be an integer, got {self.min_present!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "psi": self.psi,
            "js": self.js,
            "l_infinity": self.l_infinity,
            "null_rate": self.null_rate,
            "min_present": self.min_present,
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> Thresholds:
        def opt(key: str) -> float | None:
            value = doc.raw(key, None)
            return None if value is None else read_float(value, doc.at(key))

        return cls(
            opt("psi"), opt("js"), opt("l_infinity"), opt("null_rate"), doc.integer("min_present")
        )


#: The defaults :func:`drift` uses.
DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Comparison:
    """Training and scoring counts on the same bins or categories, with a label for each
    (labels hold values from the data: escape them before display)."""

    labels: tuple[str, ...]
    training: tuple[int, ...]
    observed: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "training": list(self.training),
            "observed": list(self.observed),
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> Comparison:
        return cls(
            doc.items("labels", _string),
            doc.items("training", read_int),
            doc.items("observed", read_int),
        )


def _string(value: Any, path: str) -> str:
    return read_string(value, path)


_FIGURES = ("psi", "js", "l_infinity", "null_rate_change")


@dataclass(frozen=True, slots=True)
class ColumnDrift:
    """The drift of one path: its figures, which of them flagged it, and the counts behind.

    ``score`` ranks paths: the largest figure over its threshold (1.0 and above: flagged).
    """

    path: str
    present: int
    psi: float | None = None
    js: float | None = None
    l_infinity: float | None = None
    null_rate_training: float = 0.0
    null_rate_observed: float = 0.0
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    flagged_by: tuple[str, ...] = ()
    score: float = 0.0
    histogram: Comparison | None = None
    categories: Comparison | None = None
    note: str = ""

    @property
    def null_rate_change(self) -> float:
        return abs(self.null_rate_observed - self.null_rate_training)

    @property
    def drifted(self) -> bool:
        return bool(self.flagged_by)

    def message(self) -> str:
        shown = []
        for name, label in (("psi", "PSI"), ("js", "JS"), ("l_infinity", "L-inf")):
            value = getattr(self, name)
            if value is not None:
                shown.append(f"{label} {value:.3f}")
        shown.append(f"null rate {self.null_rate_training:.1%} -> {self.null_rate_observed:.1%}")
        flagged = ", ".join(self.flagged_by)
        return (
            f"drifted from the training profile ({flagged} at or above threshold): "
            + "; ".join(shown)
            + "; retrain, or raise the threshold if the change is expected"
        )

    def to_violation(self) -> Violation:
        return Violation(Code.DRIFT, self.path, None, (), self.message())

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "present": self.present,
            "psi": None if self.psi is None else float_to_json(self.psi),
            "js": None if self.js is None else float_to_json(self.js),
            "l_infinity": None if self.l_infinity is None else float_to_json(self.l_infinity),
            "null_rate_training": self.null_rate_training,
            "null_rate_observed": self.null_rate_observed,
            "null_rate_change": self.null_rate_change,
            "drifted": self.drifted,
            "flagged_by": list(self.flagged_by),
            "score": float_to_json(self.score),
            "thresholds": self.thresholds.to_dict(),
            "histogram": None if self.histogram is None else self.histogram.to_dict(),
            "categories": None if self.categories is None else self.categories.to_dict(),
            "note": self.note,
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> ColumnDrift:
        hist, cats = doc.optional_child("histogram"), doc.optional_child("categories")
        return cls(
            path=doc.string("path"),
            present=doc.integer("present"),
            psi=doc.number("psi", optional=True),
            js=doc.number("js", optional=True),
            l_infinity=doc.number("l_infinity", optional=True),
            null_rate_training=doc.number("null_rate_training"),
            null_rate_observed=doc.number("null_rate_observed"),
            thresholds=Thresholds.from_doc(doc.child("thresholds")),
            flagged_by=doc.items("flagged_by", _string),
            score=doc.number("score"),
            histogram=None if hist is None else Comparison.from_doc(hist),
            categories=None if cats is None else Comparison.from_doc(cats),
            note=doc.string("note", optional=True) or "",
        )


@dataclass(frozen=True, slots=True)
class DriftReport:
    """Drift per path, most drifted first. ``violations()`` gives one ``drift`` violation per
    flagged path, to merge into a :class:`~sparksig.results.ValidationReport`."""

    columns: tuple[ColumnDrift, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def drifted(self) -> tuple[ColumnDrift, ...]:
        return tuple(c for c in self.columns if c.drifted)

    @property
    def ok(self) -> bool:
        return not self.drifted

    def column(self, path: str) -> ColumnDrift | None:
        return next((c for c in self.columns if c.path == path), None)

    def violations(self) -> tuple[Violation, ...]:
        return tuple(c.to_violation() for c in self.drifted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "drifted": [c.path for c in self.drifted],
            "columns": [c.to_dict() for c in self.columns],
            "notes": list(self.notes),
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), allow_nan=False, ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, d: Any, path: str = "drift") -> DriftReport:
        doc = Doc(d, path)
        return cls(
            doc.items("columns", lambda v, p: ColumnDrift.from_doc(Doc(v, p))),
            doc.items("notes", _string, optional=True) or (),
        )

    def __str__(self) -> str:
        if not self.columns:
            return "DriftReport: nothing compared"
        head = f"DriftReport: {len(self.drifted)} of {len(self.columns)} path(s) drifted"
        lines = [head]
        for c in self.columns:
            figures = " ".join(
                f"{n}={getattr(c, n):.3f}"
                for n in ("psi", "js", "l_infinity")
                if getattr(c, n) is not None
            )
            mark = "DRIFT" if c.drifted else "ok"
            lines.append(
                f"  {mark:5} {c.path}  {figures} null_rate_change={c.null_rate_change:.3f}"
            )
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])
