"""What a check found: stable codes, violations and the report that collects them.

A :class:`Violation` says what went wrong (a :class:`Code` member, stable and safe to match
on), where (``column_path``), how often (``count``) and shows a few ``examples``. A
:class:`ValidationReport` collects them, with what was looked at (mode, rows, files, engine)
and, with a profile, the drift figures. Both are frozen, pickle, and round-trip through
``to_dict`` / ``from_dict``. Codes, modes and sampling kinds are stored as enum members
(which are also ``str``: ``report.mode == "full"`` holds); their JSON form is the value.

The exceptions that carry a report are in :mod:`sparksig.errors`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sparksig.errors import SchemaEnforcementError, _short
from sparksig.options import Mode, Sampling, choose

__all__ = ["Answer", "AnsweredBy", "Code", "ValidationReport", "Violation", "to_jsonable"]


class Code(str, Enum):
    """Stable reason codes for data violations (safe to match on in user code)."""

    MISSING_COLUMN = "missing_column"
    TYPE_MISMATCH = "type_mismatch"
    NULL_IN_REQUIRED = "null_in_required"
    SHAPE_MISMATCH = "shape_mismatch"
    MISSING_PROPERTY = "missing_property"
    UNEXPECTED_PROPERTY = "unexpected_property"
    INVALID_PARAM = "invalid_param"
    COLUMN_COUNT = "column_count"
    INVALID_VALUE = "invalid_value"
    OUT_OF_RANGE = "out_of_range"
    NON_FINITE = "non_finite"
    NOT_IN_DOMAIN = "not_in_domain"
    TOO_LONG = "too_long"
    DRIFT = "drift"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Violation:
    """One kind of failure at one place, with how often it happened.

    Attributes:
        code: a :class:`Code` member (``Code("null_in_required")``; a code's string is
            accepted and stored as its member).
        column_path: where, e.g. ``"price"``, ``"features.price"``, ``"tokens[]"``.
        count: rows affected (exact in full mode, counted on the sample in sampled mode;
            ``None`` for schema-level findings that concern no particular row).
        examples: a few offending values, as plain Python objects.
        message: what was expected, what arrived and what to do.
    """

    code: Code
    column_path: str
    count: int | None = None
    examples: tuple[Any, ...] = ()
    message: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", Code(self.code))
        object.__setattr__(self, "examples", tuple(self.examples))

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "column_path": self.column_path,
            "count": self.count,
            "examples": [to_jsonable(e) for e in self.examples],
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Violation:
        return cls(
            code=d["code"],
            column_path=d["column_path"],
            count=d.get("count"),
            examples=tuple(d.get("examples") or ()),
            message=d.get("message", ""),
        )


def to_jsonable(value: Any) -> Any:
    """A JSON-safe copy of an example value (numpy scalars unwrapped, others by repr).

    NaN and infinities become the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``: strict
    JSON has no such numbers, and a report about them must still show them.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        try:
            return to_jsonable(item())
        except (TypeError, ValueError):
            pass
    return repr(value)


class AnsweredBy(str, Enum):
    """Where a check's count came from: the Parquet footers' statistics, or a scan of the rows."""

    FOOTERS = "footers"
    SCAN = "scan"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Answer:
    """How one data-level check was answered (``validate(..., sampling="metadata")``).

    Attributes:
        check: the check, as ``"code:path"`` (``"null_in_required:price"``).
        by: :attr:`AnsweredBy.FOOTERS` (proved from the files' statistics, no row read) or
            :attr:`AnsweredBy.SCAN` (counted on the rows, as in any full validation).
        why: for a scanned check, why the footers could not answer it.

    Examples:
        >>> Answer("null_in_required:a", "footers").by
        <AnsweredBy.FOOTERS: 'footers'>
    """

    check: str
    by: AnsweredBy
    why: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "by", AnsweredBy(self.by))

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "by": self.by.value, "why": self.why}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Answer:
        return cls(d["check"], d["by"], d.get("why", ""))


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of checking data against a schema.

    Attributes:
        mode: ``"full"`` (every row, exact counts) or ``"sampled"`` (counts on a sample).
        rows_checked: how many rows the data-level checks looked at.
        violations: every finding, schema-level ones first.
        rows_total: rows in the input when known (``None`` when counting would cost a pass).
        sampling: for sampled reports, what was sampled: ``"rows"`` or ``"files"``; for a
            full report, ``"metadata"`` when the Parquet footers were consulted first (see
            ``answers``), else ``None``.
        files_read: for file samples, how many of the ``files_total`` input files were read.
        files_total: see ``files_read``.
        engine: which engine ran the data-level checks (``"native"``, ``"arrow"``, or
            ``"native+arrow"`` when some columns needed the Arrow engine).
        checks: how many data-level checks ran (0: nothing needed looking at the rows).
        notes: statements a reader must see (a clustered sample, columns that went to the
            Arrow engine, nothing to check).
        drift: with a profile, the :class:`sparksig.profile.drift.DriftReport` of the rows
            checked against it (columns ranked most drifted first); paths over threshold
            are also ``drift`` violations. None without a profile.
        answers: with ``sampling="metadata"``, how each data-level check was answered, in
            check order: one :class:`Answer` per check, ``by`` ``"footers"`` or ``"scan"``
            (and for a scan, why). Empty when footers were not consulted (every check was
            then counted by the engine on the rows). :attr:`answered_by` is the same as a
            mapping.

    ``status`` is ``"passed"``, ``"failed"`` (violations) or ``"inconclusive"`` (a sample that
    checked no rows although there was something to check); ``ok`` means passed.

    Examples:
        >>> ValidationReport("sampled", rows_checked=0, checks=2).status
        'inconclusive'
        >>> ValidationReport("full", rows_checked=10, checks=2).ok
        True
    """

    mode: Mode = Mode.FULL
    rows_checked: int = 0
    violations: tuple[Violation, ...] = field(default_factory=tuple)
    rows_total: int | None = None
    sampling: Sampling | None = None
    files_read: int | None = None
    files_total: int | None = None
    engine: str | None = None
    checks: int | None = None
    notes: tuple[str, ...] = ()
    drift: Any = None
    answers: tuple[Answer, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", choose(Mode, self.mode, "mode"))
        if self.sampling is not None:
            object.__setattr__(self, "sampling", choose(Sampling, self.sampling, "sampling"))
        object.__setattr__(self, "violations", tuple(self.violations))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(
            self,
            "answers",
            tuple(a if isinstance(a, Answer) else Answer.from_dict(a) for a in self.answers),
        )

    @property
    def answered_by(self) -> dict[str, AnsweredBy]:
        """``{"code:path": "footers" | "scan"}`` for every check of :attr:`answers`."""
        return {a.check: a.by for a in self.answers}

    @property
    def answered_summary(self) -> str | None:
        """One line: how many checks the footers answered and how many were scanned
        (``None`` when footers were not consulted)."""
        if not self.answers:
            return None
        footers = sum(a.by is AnsweredBy.FOOTERS for a in self.answers)
        scanned = len(self.answers) - footers
        checks = "check" if footers == 1 else "checks"
        return f"{footers} {checks} answered from Parquet footers, {scanned} by scanning"

    @property
    def status(self) -> str:
        if self.violations:
            return "failed"
        if self.mode == "sampled" and self.rows_checked == 0 and self.checks != 0:
            return "inconclusive"
        return "passed"

    @property
    def ok(self) -> bool:
        return self.status == "passed"

    @property
    def inconclusive(self) -> bool:
        return self.status == "inconclusive"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "status": self.status,
            "mode": self.mode.value,
            "rows_checked": self.rows_checked,
            "rows_total": self.rows_total,
            "sampling": None if self.sampling is None else self.sampling.value,
            "files_read": self.files_read,
            "files_total": self.files_total,
            "engine": self.engine,
            "checks": self.checks,
            "notes": list(self.notes),
            "violations": [v.to_dict() for v in self.violations],
            "drift": None if self.drift is None else self.drift.to_dict(),
            "answers": [a.to_dict() for a in self.answers],
        }

    def to_json(self, **kwargs: Any) -> str:
        """Strict JSON (examples made JSON-safe by :func:`to_jsonable`)."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ValidationReport:
        return cls(
            mode=d.get("mode", "full"),
            rows_checked=d.get("rows_checked", 0),
            violations=tuple(Violation.from_dict(v) for v in d.get("violations", ())),
            rows_total=d.get("rows_total"),
            sampling=d.get("sampling"),
            files_read=d.get("files_read"),
            files_total=d.get("files_total"),
            engine=d.get("engine"),
            checks=d.get("checks"),
            notes=tuple(d.get("notes") or ()),
            drift=_drift_from_dict(d.get("drift")),
            answers=tuple(Answer.from_dict(a) for a in d.get("answers") or ()),
        )

    def raise_for_violations(self) -> None:
        """Raise :class:`SchemaEnforcementError` carrying this report if anything was found."""
        if self.violations:
            raise SchemaEnforcementError(self)

    @property
    def scope(self) -> str:
        """One phrase saying what was looked at (``"1,000 rows checked"``...)."""
        if self.checks == 0:
            return "no data-level checks apply, no rows needed reading"
        if self.mode == "full":
            return f"{self.rows_checked:,} rows checked"
        if self.sampling == "files" and self.files_total is not None:
            return (
                f"{self.files_read:,} of {self.files_total:,} files sampled, "
                f"{self.rows_checked:,} rows checked; a clustered sample, counts are for the sample"
            )
        return f"{self.rows_checked:,} sampled rows checked; counts are estimates for the sample"

    def __str__(self) -> str:
        answered = self.answered_summary
        notes = ("" if answered is None else f"\n  {answered}") + "".join(
            f"\n  note: {n}" for n in self.notes
        )
        if self.status == "inconclusive":
            return (
                f"ValidationReport: INCONCLUSIVE ({self.mode}, {self.scope}): the sample held "
                "no rows; raise the fraction or validate in full mode" + notes
            )
        if self.ok:
            return f"ValidationReport: OK ({self.mode}, {self.scope})" + notes
        header = ("code", "column", "count", "examples", "message")
        rows = [
            (
                v.code,
                v.column_path,
                "-" if v.count is None else f"{v.count:,}",
                ", ".join(_short(e) for e in v.examples[:3]),
                v.message,
            )
            for v in self.violations
        ]
        widths = [
            min(max(len(r[i]) for r in [header, *rows]), 60 if i < 4 else 200)
            for i in range(len(header))
        ]
        lines = [
            f"ValidationReport: {len(self.violations)} violation(s) ({self.mode}, {self.scope})",
            "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
            "  ".join("-" * w for w in widths),
        ]
        for r in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        return "\n".join(lines) + notes


def _drift_from_dict(d: Any) -> Any:
    if d is None:
        return None
    from sparksig.profile.drift import DriftReport  # the profile package imports this module

    return DriftReport.from_dict(d)
