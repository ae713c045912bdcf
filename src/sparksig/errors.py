"""Exceptions and failure data for sparksig.

Every exception sparksig raises on purpose derives from :class:`SparksigError`, and each
subclass also derives from the builtin a caller would naturally catch::

    SparksigError (Exception)
    ├── SchemaDefinitionError (ValueError)    a spec, schema or signature is malformed
    │   ├── SerializationError                JSON / YAML / model files that cannot be read
    │   └── ParamValueError                   a param value does not fit its type or shape
    ├── UnsupportedTypeError (TypeError)      a type that has no signature (or Spark) counterpart
    │   └── InferenceError                    data whose signature cannot be inferred
    │       └── PydanticInputError            a pydantic object given to inference
    ├── InvalidArgumentError (ValueError)     a bad argument value (mode="fast", fraction=2)
    ├── ArgumentTypeError (TypeError)         an argument of the wrong kind (a dict for a Schema)
    ├── EnvironmentSetupError (RuntimeError)  the machine lacks something sparksig needs (the
    │                                         Spark defaults, the Connect client, a server)
    ├── InputChangedError (RuntimeError)      a table's files changed while it was written from
    ├── ModelOutputError (ValueError)         a model's predictions do not fit (length, type)
    ├── OutputNotSerializableError (TypeError) a prediction with no JSON form (served models)
    ├── PayloadError (ValueError)             a serving request body that cannot be read
    │   └── PayloadTooLargeError              a request body over the configured limit
    └── SchemaEnforcementError (ValueError)   data that does not satisfy a signature; carries a report

This module is the exception tree only and imports nothing at run time. Data failures are
values, not strings, and live in :mod:`sparksig.results` (:class:`~sparksig.results.Code`,
:class:`~sparksig.results.Violation`, :class:`~sparksig.results.ValidationReport`);
``raise_for_violations()`` turns a report into a ``SchemaEnforcementError`` that keeps the
report. All of them pickle, so an error raised on a Spark executor reaches the driver intact.
The report names are also readable from here (``sparksig.errors.ValidationReport``), loaded
on first use, for code written before they moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the report types live in sparksig.results, which imports this module
    from sparksig.results import ValidationReport, Violation

__all__ = [
    "ArgumentTypeError",
    "EnvironmentSetupError",
    "InferenceError",
    "InputChangedError",
    "InvalidArgumentError",
    "ModelOutputError",
    "OutputNotSerializableError",
    "ParamValueError",
    "PayloadError",
    "PayloadTooLargeError",
    "PydanticInputError",
    "SchemaDefinitionError",
    "SchemaEnforcementError",
    "SerializationError",
    "SparksigError",
    "UnsupportedTypeError",
]


class SparksigError(Exception):
    """Root of every error sparksig raises on purpose."""


class SchemaDefinitionError(SparksigError, ValueError):
    """A spec, schema, signature or parameter definition is malformed."""


class _PathError(SparksigError):
    """An error about one place: ``path`` names it and prefixes the message."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}" if path else message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason, self.path))


class SerializationError(_PathError, SchemaDefinitionError):
    """A serialised signature, schema or model file cannot be read.

    ``path`` names the offending place inside the document (``inputs[2].items.type``).
    """


class UnsupportedTypeError(_PathError, TypeError):
    """A type has no counterpart on the other side of a mapping.

    ``path`` names the field (``features.price``, ``tokens[]``) whose type could not be mapped.
    """


class ParamValueError(SchemaDefinitionError):
    """A param value does not fit its declared type, range or shape."""


class InferenceError(UnsupportedTypeError):
    """A value has no signature type (or a list mixes types). ``path`` names where."""


class PydanticInputError(InferenceError):
    """Inference was given a pydantic object; never falls back silently (as in MLflow)."""


class InvalidArgumentError(SparksigError, ValueError):
    """An argument has a value the function does not accept (``mode="fast"``, ``fraction=2``).

    The message names the argument and lists what is accepted.
    """


class ArgumentTypeError(SparksigError, TypeError):
    """An argument is of the wrong kind (a dict where a ``Schema`` is expected)."""


class EnvironmentSetupError(SparksigError, RuntimeError):
    """The environment lacks something sparksig needs: its packaged Spark defaults, the Spark
    Connect client packages, or a reachable Connect server. The message says what to install
    or start."""


class InputChangedError(SparksigError, RuntimeError):
    """A table's input files changed (one vanished) while a pair was being written from it;
    nothing was put in place."""


class ModelOutputError(SparksigError, ValueError):
    """A model returned predictions that cannot be what the caller asked for: not one per
    input row, or not convertible to the result type."""


class OutputNotSerializableError(SparksigError, TypeError):
    """The model's output holds a value with no JSON form (an arbitrary object)."""


class PayloadError(SparksigError, ValueError):
    """A request body that is not a valid serving payload (malformed, not the data)."""


class PayloadTooLargeError(PayloadError):
    """A request body larger than the server's configured limit."""


def _short(value: Any, limit: int = 20) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SchemaEnforcementError(SparksigError, ValueError):
    """Data does not satisfy a signature. ``.report`` holds every violation found."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        lines = ["Data does not match the signature:"]
        for v in report.violations:
            where = f" ({v.count:,} rows)" if v.count else ""
            examples = (
                f" e.g. {', '.join(_short(e, 40) for e in v.examples[:3])}" if v.examples else ""
            )
            lines.append(f"- [{v.code}] {v.column_path}: {v.message}{where}{examples}")
        super().__init__("\n".join(lines))

    @classmethod
    def of(
        cls, *violations: Violation, mode: str = "full", rows_checked: int = 0
    ) -> SchemaEnforcementError:
        """Build the error from violations directly (in-process enforcement)."""
        from sparksig.options import Mode, choose
        from sparksig.results import ValidationReport

        report = ValidationReport(choose(Mode, mode, "mode"), rows_checked, violations)
        return cls(report)

    @property
    def violations(self) -> tuple[Violation, ...]:
        return self.report.violations

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.report,))


_MOVED = ("Code", "ValidationReport", "Violation", "to_jsonable")


def __getattr__(name: str) -> Any:
    """The report names, moved to :mod:`sparksig.results`, still readable from here."""
    if name in _MOVED:
        import sparksig.results

        return getattr(sparksig.results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
