"""Checks on what a model returned, before the scoring server sends it to the client.

A model that returns the wrong number of predictions, or values its own output schema
forbids, is broken; sending its output as a 200 would hand the client shifted or mistyped
results. These checks turn such output into an :class:`OutputProblem` (an HTTP 500 with a
stable error code) instead.

Examples:
    >>> import pandas as pd
    >>> check_output([1.0], input_rows=2, output_schema=None).code
    <ErrorCode.OUTPUT_LENGTH_MISMATCH: 'OUTPUT_LENGTH_MISMATCH'>
    >>> check_output([1.0, 2.0], input_rows=2, output_schema=None) is None
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sparksig.errors import PayloadError, SchemaEnforcementError
from sparksig.models.conversion import convert_frame, safe_array
from sparksig.models.responses import ErrorCode
from sparksig.results import Violation
from sparksig.schema import Schema

__all__ = ["OutputProblem", "check_output", "input_rows", "prediction_count"]


@dataclass(frozen=True)
class OutputProblem:
    """Why a model's output cannot be sent: an error code, a message, and any violations."""

    code: ErrorCode
    message: str
    violations: tuple[Violation, ...] = field(default_factory=tuple)


def input_rows(data: Any) -> int | None:
    """The number of rows the model was given, when its input is a table (else ``None``).

    Examples:
        >>> import pandas as pd
        >>> input_rows(pd.DataFrame({"x": [1, 2]})), input_rows({"x": [1, 2]})
        (2, None)
    """
    module = type(data).__module__ or ""
    if module.startswith("pandas") and type(data).__name__ == "DataFrame":
        return len(data)
    return None


def prediction_count(predictions: Any) -> int | None:
    """How many predictions a list, array, Series or DataFrame holds (``None`` otherwise).

    Examples:
        >>> prediction_count([0.5, 0.7]), prediction_count({"answer": "yes"})
        (2, None)
    """
    if isinstance(predictions, (list, tuple)):
        return len(predictions)
    module = type(predictions).__module__ or ""
    name = type(predictions).__name__
    if module.startswith("pandas") and name in ("DataFrame", "Series"):
        return len(predictions)
    if module == "numpy" and name == "ndarray":
        return int(predictions.shape[0]) if predictions.ndim >= 1 else None
    return None


def _one_column(predictions: Any, schema: Schema) -> Any:
    """Predictions as one column named as the output schema's single column, when they are.

    A model that returns a list, a 1-D array or a Series for a one-column output schema gives
    one value per row; the column name is the schema's (models rarely name their output).
    """
    module = type(predictions).__module__ or ""
    name = type(predictions).__name__
    if module.startswith("pandas") and name == "Series":
        values: Any = predictions.to_numpy()
    elif module == "numpy" and name == "ndarray" and predictions.ndim == 1:
        values = predictions
    elif isinstance(predictions, (list, tuple)):
        values = list(predictions)
    else:
        return predictions
    import pandas as pd

    column = schema.inputs[0].name if schema.has_input_names() else 0
    return pd.DataFrame({column: pd.Series(values)})


def _tensor(values: Any, dtype: Any) -> Any:
    import numpy as np

    try:
        return safe_array(np.asarray(values), dtype)
    except (ValueError, TypeError):  # ragged lists: enforcement reports the shape
        return values


def _as_checked(predictions: Any, schema: Schema) -> Any:
    """The predictions after the lossless conversions a JSON request would get.

    The output is written as JSON, where numbers have no width: a model returning int64 for
    a double column, or float64 for a float32 tensor, sends the same JSON either way. What
    the check catches is the rest: strings for numbers, lossy values, missing columns, shapes.
    """
    if schema.is_tensor_spec():
        specs = schema.inputs
        if isinstance(predictions, dict) and schema.has_input_names():
            types = {s.name: s.type for s in specs}
            return {k: _tensor(v, types[k]) if k in types else v for k, v in predictions.items()}
        if len(specs) == 1 and not isinstance(predictions, dict):
            return _tensor(predictions, specs[0].type)
        return predictions
    if len(schema.inputs) == 1:
        predictions = _one_column(predictions, schema)
    module = type(predictions).__module__ or ""
    if module.startswith("pandas") and type(predictions).__name__ == "DataFrame":
        return convert_frame(predictions.copy(), schema)
    return predictions


def check_output(
    predictions: Any, input_rows: int | None, output_schema: Schema | None
) -> OutputProblem | None:
    """``None`` when the output can be sent; otherwise what is wrong with it.

    Args:
        predictions: what the model returned.
        input_rows: rows the model was given (``None`` when the input was not a table: then
            any number of predictions is accepted).
        output_schema: the signature's output schema, or ``None``.

    Examples:
        >>> from sparksig import ColSpec
        >>> check_output(["a", "b"], 2, Schema([ColSpec("double")])).code.value
        'OUTPUT_SCHEMA_MISMATCH'
    """
    count = prediction_count(predictions)
    if input_rows is not None and count is not None and count != input_rows:
        return OutputProblem(
            ErrorCode.OUTPUT_LENGTH_MISMATCH,
            f"The model returned {count} prediction(s) for {input_rows} input row(s); a model "
            "must return one prediction per row. Fix the model's predict function",
        )
    if output_schema is None or count == 0:
        return None
    from sparksig.enforce.api import enforce_schema

    try:
        enforce_schema(_as_checked(predictions, output_schema), output_schema)
    except PayloadError as e:  # a value that cannot be read as its declared type at all
        return OutputProblem(
            ErrorCode.OUTPUT_SCHEMA_MISMATCH,
            f"The model's output does not match the output schema in its signature: {e}",
        )
    except SchemaEnforcementError as e:
        return OutputProblem(
            ErrorCode.OUTPUT_SCHEMA_MISMATCH,
            "The model's output does not match the output schema in its signature; fix the "
            "model, or its signature (sparksig.models.set_signature). "
            + str(e).replace("Data does not match the signature:", "", 1).strip(),
            e.violations,
        )
    return None
