"""In-process enforcement: :func:`enforce_schema` and :func:`enforce_params`.

Spark DataFrames are not handled here: :func:`sparksig.enforce_schema` (in
:mod:`sparksig.api`) dispatches them to :func:`sparksig.spark.conform`, so this layer never
imports the Spark layer above it.
"""

from __future__ import annotations

from typing import Any

from sparksig.enforce.params import enforce_params
from sparksig.enforce.plan import compile_plan
from sparksig.errors import ArgumentTypeError, SchemaDefinitionError
from sparksig.kinds import is_spark_dataframe
from sparksig.schema import Schema
from sparksig.signature import ModelSignature

__all__ = ["enforce_params", "enforce_schema", "input_schema"]


def enforce_schema(data: Any, schema: Schema | ModelSignature, *, strict_nulls: bool = False):
    """Check ``data`` against ``schema`` and convert it, as MLflow's ``_enforce_schema`` does.

    Accepts a pandas DataFrame or Series, a dict (one row of scalars, or columns of arrays),
    a list, a numpy array or a scalar. Only lossless conversions are made.

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
    schema = input_schema(schema)
    if is_spark_dataframe(data):
        raise ArgumentTypeError(
            "sparksig.enforce.api enforces in-process data; for a Spark DataFrame call "
            "sparksig.enforce_schema (which dispatches) or sparksig.spark.conform"
        )
    return compile_plan(schema, strict_nulls=strict_nulls).enforce(data)


def input_schema(schema: Schema | ModelSignature) -> Schema:
    """The schema to enforce: a Schema itself, or a signature's inputs."""
    if isinstance(schema, ModelSignature):
        if schema.inputs is None:
            raise SchemaDefinitionError("the signature has no input schema to enforce")
        schema = schema.inputs
    if not isinstance(schema, Schema):
        raise ArgumentTypeError(
            f"expected a sparksig Schema or ModelSignature, got {type(schema).__name__}"
        )
    return schema
