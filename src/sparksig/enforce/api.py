"""Public enforcement entry points: :func:`enforce_schema` and :func:`enforce_params`."""

from __future__ import annotations

from typing import Any

from sparksig.enforce.inputs import is_spark_dataframe
from sparksig.enforce.params import enforce_params
from sparksig.enforce.plan import compile_plan
from sparksig.errors import SparksigError
from sparksig.schema import Schema
from sparksig.signature import ModelSignature

__all__ = ["enforce_params", "enforce_schema"]


def enforce_schema(data: Any, schema: Schema | ModelSignature, *, strict_nulls: bool = False):
    """Check ``data`` against ``schema`` and convert it, as MLflow's ``_enforce_schema`` does.

    Accepts a pandas DataFrame or Series, a dict (one row of scalars, or columns of arrays),
    a list, a numpy array, a scalar, or a Spark DataFrame (delegated to
    ``sparksig.spark.validate.conform``). Only lossless conversions are made.

    Returns:
        A pandas DataFrame in schema order for column schemas; a numpy array or a dict of
        arrays for tensor schemas.

    Raises:
        SchemaEnforcementError: listing every violation, not just the first.

    Examples:
        >>> import pandas as pd
        >>> from sparksig import ColSpec, Schema
        >>> s = Schema([ColSpec("long", "a"), ColSpec("double", "b")])
        >>> enforce_schema(pd.DataFrame({"b": [0.5], "a": [1], "z": ["x"]}), s).columns.tolist()
        ['a', 'b']
    """
    if isinstance(schema, ModelSignature):
        if schema.inputs is None:
            raise SparksigError("the signature has no input schema to enforce")
        schema = schema.inputs
    if not isinstance(schema, Schema):
        raise SparksigError(
            f"enforce_schema takes a Schema or ModelSignature, got {type(schema).__name__}"
        )
    if is_spark_dataframe(data):
        try:
            from sparksig.spark.validate import conform
        except ImportError as e:
            raise SparksigError(
                "enforcing a Spark DataFrame needs sparksig.spark.validate, which could not be "
                f"imported ({e})"
            ) from None
        return conform(data, schema, strict_nulls=strict_nulls)
    return compile_plan(schema, strict_nulls=strict_nulls).enforce(data)
