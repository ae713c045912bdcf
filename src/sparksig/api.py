"""The entry points that accept any input kind, and dispatch it to the layer that reads it.

``infer_signature``, ``infer_schema`` and ``enforce_schema`` take pandas, numpy and Python
data (handled in-process by :mod:`sparksig.infer` and :mod:`sparksig.enforce`) and Spark
DataFrames (handed to :mod:`sparksig.spark`, imported only then). This module sits above
both, so neither engine imports the other or the Spark layer; :mod:`sparksig.kinds` decides
what an input is.

Examples:
    >>> import pandas as pd
    >>> infer_schema(pd.DataFrame({"x": [1.5]})).to_dict()
    [{'type': 'double', 'name': 'x', 'required': True}]
"""

from __future__ import annotations

from typing import Any

from sparksig.enforce import api as _enforce
from sparksig.infer import api as _infer
from sparksig.kinds import is_spark_dataframe
from sparksig.schema import Schema
from sparksig.signature import ModelSignature

__all__ = ["enforce_params", "enforce_schema", "infer_schema", "infer_signature"]

enforce_params = _enforce.enforce_params


def infer_schema(data: Any) -> Schema:
    """Infer a :class:`~sparksig.Schema` from example data of any supported kind.

    In-process data follows MLflow's ``_infer_schema`` (see :func:`sparksig.infer.api.
    infer_schema`); a Spark DataFrame is read by :func:`sparksig.spark.infer_schema`
    (types from ``df.schema``, ``required`` from every row).

    Raises:
        InferenceError: the data has no schema; the error names the column or path.

    Examples:
        >>> infer_schema([{"q": "hi"}]).to_dict()
        [{'type': 'string', 'name': 'q', 'required': True}]
    """
    if is_spark_dataframe(data):
        from sparksig.spark.infer import infer_schema as infer_spark_schema

        return infer_spark_schema(data)
    return _infer.infer_schema(data)


def infer_signature(
    model_input: Any = None, model_output: Any = None, params: dict[str, Any] | None = None
) -> ModelSignature:
    """Infer a :class:`~sparksig.ModelSignature` from example input, output and params.

    Follows MLflow's ``infer_signature`` (a failure to infer the input or output warns and
    falls back to ``any``); Spark DataFrames are accepted for input and output.

    Examples:
        >>> infer_signature({"prompt": "hi"}, ["answer"]).to_dict()["outputs"]
        '[{"type": "string", "required": true}]'
    """
    return _infer.infer_signature(model_input, model_output, params, schema_of=infer_schema)


def enforce_schema(data: Any, schema: Schema | ModelSignature, *, strict_nulls: bool = False):
    """Check ``data`` against ``schema`` and convert it, as MLflow's ``_enforce_schema`` does.

    In-process data is converted by :func:`sparksig.enforce.api.enforce_schema`; a Spark
    DataFrame is checked on every row and conformed by :func:`sparksig.spark.conform`
    (``on_error="raise"``), with MLflow's rule for top-level nulls unless ``strict_nulls``.

    Examples:
        >>> import pandas as pd
        >>> from sparksig import ColSpec
        >>> enforce_schema(pd.DataFrame({"a": [1]}), Schema([ColSpec("long", "a")]))["a"].dtype
        dtype('int64')
    """
    if is_spark_dataframe(data):
        from sparksig.spark.conform import conform

        return conform(data, _enforce.input_schema(schema), strict_nulls=strict_nulls)
    return _enforce.enforce_schema(data, schema, strict_nulls=strict_nulls)
