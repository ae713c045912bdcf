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
    sparksig.errors.InvalidArgumentError: on_error must be one of 'raise', 'drop', 'quarantine'; got 'ignore'
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from sparksig.errors import InvalidArgumentError

__all__ = [
    "DEFAULT_SAMPLE_ROWS",
    "DEFAULT_SEED",
    "MAX_EXAMPLES",
    "Engine",
    "Mode",
    "OnError",
    "OutputFormat",
    "Sampling",
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
    """What a sample is drawn from: rows (reads everything) or files (reads fewer files)."""

    ROWS = "rows"
    FILES = "files"


class OnError(_Choice):
    """What ``conform`` and ``score`` do with rows that fail the checks."""

    RAISE = "raise"
    DROP = "drop"
    QUARANTINE = "quarantine"


class Engine(_Choice):
    """Which engine runs the data-level checks on Spark: Spark expressions or Arrow batches."""

    AUTO = "auto"
    NATIVE = "native"
    ARROW = "arrow"


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
