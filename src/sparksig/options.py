"""The protocols and defaults of sparksig's API, defined once.

Choices are enums (``class X(str, Enum)``): the API accepts the plain strings users type
(``mode="sampled"``) and turns them into an enum once, at the edge, with :func:`choose`, which
names the argument and the accepted values when a string is wrong. Inside, code compares
enum members, never raw strings.

Defaults live here and nowhere else:

- :data:`MAX_EXAMPLES` — examples kept per violation, by every engine and report.
- :data:`DEFAULT_SEED` — **the sampling seed rule**: every function that samples
  (``sparksig.spark.infer_schema``, ``validate``, ``spark_udf(check="sampled")``, the CLI)
  uses seed ``0`` unless given another, so repeating a run checks the same rows. Pass a
  different seed to look at different rows.
- :data:`DEFAULT_SAMPLE_ROWS` — the sample size aimed at when a sampled run gets no fraction.
- Spark settings are not here: they live in the repository's ``conf/spark-defaults.conf``
  (copied into the package when it is built).

Examples:
    >>> choose(Mode, "sampled", "mode")
    <Mode.SAMPLED: 'sampled'>
    >>> choose(OnError, "ignore", "on_error")
    Traceback (most recent call last):
    sparksig.errors.InvalidArgumentError: on_error must be one of 'raise', 'drop', 'quarantine', 'mark'; got 'ignore'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, TypeVar, Union

from sparksig.errors import InvalidArgumentError

__all__ = [
    "DEFAULT_SAMPLE_ROWS",
    "DEFAULT_SEED",
    "MAX_EXAMPLES",
    "Checks",
    "Engine",
    "IfExists",
    "Mode",
    "OnError",
    "OutputFormat",
    "Sampling",
    "SamplingName",
    "choose",
]

MAX_EXAMPLES = 5
DEFAULT_SEED = 0
DEFAULT_SAMPLE_ROWS = 100_000


class _Choice(str, Enum):
    def __str__(self) -> str:
        return self.value


class Mode(_Choice):
    """How much of the data a check reads: every row, or a seeded sample."""

    FULL = "full"
    SAMPLED = "sampled"


class Sampling(_Choice):
    """What a sample is drawn from: rows (reads everything) or files (reads fewer files).

    ``metadata`` is no sample: a full validation (``mode="full"``) that answers from Parquet
    footers the checks their statistics prove, and scans the rows for the others only
    (:mod:`sparksig.spark.footers`). Its counts are exact.
    """

    ROWS = "rows"
    FILES = "files"
    METADATA = "metadata"


SamplingName = Union[Sampling, Literal["rows", "files", "metadata"]]


class OnError(_Choice):
    """What ``conform`` and ``score`` do with rows that fail the checks.

    ``raise`` fails on the first bad row; ``drop`` leaves bad rows out; ``quarantine``
    returns ``(good, rejected)``; ``mark`` keeps every row and adds the reasons column, null
    where the row passes (``score`` then predicts only for the rows that pass).
    """

    RAISE = "raise"
    DROP = "drop"
    QUARANTINE = "quarantine"
    MARK = "mark"


class IfExists(_Choice):
    """What a writer does when its output path exists: refuse, or replace it once the new
    output is complete."""

    ERROR = "error"
    OVERWRITE = "overwrite"


class Engine(_Choice):
    """Which engine runs the data-level checks on Spark: Spark expressions or Arrow batches."""

    AUTO = "auto"
    NATIVE = "native"
    ARROW = "arrow"


EngineName = Union[Engine, Literal["auto", "native", "arrow"]]


@dataclass(frozen=True)
class Checks:
    """How rows are checked, given once instead of repeating keywords (like ``httpx.Timeout``).

    Every Spark verb takes ``checks=Checks(...)``; its flat keywords (``strict_nulls=``,
    ``finite_only=``, ``engine=``) are sugar that override the matching field.

    Attributes:
        strict_nulls: a null in a required top-level column is a violation. ``None`` means
            the verb's own default: ``True`` for ``validate``, ``conform`` and the writers,
            ``False`` for ``score`` (MLflow's scoring rule: required means present).
        finite_only: NaN and infinities in float fields are violations.
        engine: ``"auto"``/``"native"`` (Spark expressions) or ``"arrow"`` (the reference
            engine in Python workers).

    Examples:
        >>> Checks(finite_only=True).resolved(strict_nulls=None, default_strict=True)
        Checks(strict_nulls=True, finite_only=True, engine=<Engine.AUTO: 'auto'>)
    """

    strict_nulls: bool | None = None
    finite_only: bool = False
    engine: EngineName = Engine.AUTO

    def __post_init__(self) -> None:
        object.__setattr__(self, "engine", choose(Engine, self.engine, "engine"))
        for name in ("strict_nulls", "finite_only"):
            value = getattr(self, name)
            if not (isinstance(value, bool) or (name == "strict_nulls" and value is None)):
                raise InvalidArgumentError(f"{name} must be True or False; got {value!r}")

    def resolved(
        self,
        *,
        strict_nulls: bool | None = None,
        finite_only: bool | None = None,
        engine: EngineName | None = None,
        default_strict: bool,
    ) -> Checks:
        """These checks with the flat keywords applied and ``strict_nulls`` decided."""
        strict = strict_nulls if strict_nulls is not None else self.strict_nulls
        return Checks(
            default_strict if strict is None else strict,
            self.finite_only if finite_only is None else finite_only,
            self.engine if engine is None else engine,
        )

    @property
    def chosen_engine(self) -> Engine:
        return choose(Engine, self.engine, "engine")

    @property
    def strict(self) -> bool:
        """``strict_nulls`` of resolved checks."""
        return bool(self.strict_nulls)


def resolve_checks(
    checks: Checks | None,
    *,
    strict_nulls: bool | None,
    finite_only: bool | None,
    engine: EngineName | None,
    default_strict: bool,
) -> Checks:
    """The checks a verb runs: ``checks`` (or the defaults) with its flat keywords applied."""
    if checks is not None and not isinstance(checks, Checks):
        raise InvalidArgumentError(
            f"checks must be a sparksig.Checks; got {type(checks).__name__}: pass "
            "checks=Checks(strict_nulls=..., finite_only=..., engine=...)"
        )
    return (checks or Checks()).resolved(
        strict_nulls=strict_nulls,
        finite_only=finite_only,
        engine=engine,
        default_strict=default_strict,
    )


class OutputFormat(_Choice):
    """How the command line renders a report."""

    TABLE = "table"
    JSON = "json"
    HTML = "html"


E = TypeVar("E", bound=_Choice)


def choose(kind: type[E], value: Any, argument: str) -> E:
    """``value`` (a member or its string) as a member of ``kind``, else a clear error."""
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        accepted = ", ".join(repr(m.value) for m in kind)
        raise InvalidArgumentError(f"{argument} must be one of {accepted}; got {value!r}") from None
