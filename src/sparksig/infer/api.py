"""In-process inference: ``infer_schema``, ``infer_signature``, ``infer_param_schema``.

Each kind of input has one small reader, chosen from :data:`_READERS` in order (the first
whose test matches wins), and gives the same schema MLflow's ``infer_signature`` gives for
it. Spark DataFrames are not read here: the public entry points in :mod:`sparksig.api`
dispatch them to :func:`sparksig.spark.infer.infer_schema` (so this layer never imports the
Spark layer above it).

Deliberate differences from MLflow (each tested in ``tests/mlflow/test_infer_vs_mlflow.py``):

* A 2-tuple ``(input, params_dict)`` as ``model_input`` is split into input and params, as
  MLflow does for ``input_example``; MLflow's ``infer_signature`` gives ``any`` for it.
* Non-string column labels (``pd.DataFrame([[1, 2]])`` has columns ``0, 1``) become string
  names (``"0"``, ``"1"``): sparksig's column names are strings, as Spark's and JSON's
  object keys are; MLflow writes the int labels as JSON numbers.
* Empty-list params are ``string`` lists (MLflow: ``datetime``, by accident).
* Spark DataFrames: see :mod:`sparksig.spark.infer` (nullability from the data, maps as
  ``Map`` without collecting keys).

Examples:
    >>> import pandas as pd
    >>> infer_schema(pd.DataFrame({"x": [1.0, None], "tag": ["a", "b"]})).to_dict()
    [{'type': 'double', 'name': 'x', 'required': False}, {'type': 'string', 'name': 'tag', 'required': True}]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sparksig.errors import (
    ArgumentTypeError,
    InferenceError,
    PydanticInputError,
    SchemaDefinitionError,
)
from sparksig.infer.dtypes import column_required, pandas_column_type, tensor_spec
from sparksig.infer.params import infer_param_schema
from sparksig.infer.values import is_missing, value_type
from sparksig.kinds import is_scipy_sparse, is_spark_dataframe
from sparksig.schema import ColSpec, Schema
from sparksig.signature import ModelSignature
from sparksig.types import AnyType, DataType, SpecType

__all__ = ["infer_param_schema", "infer_schema", "infer_signature"]

INTEGER_HINT = (
    "Hint: the inferred schema has integer column(s). Python integer columns cannot hold "
    "missing values: at inference time a missing value turns the column into floats, which "
    "the schema then rejects. Infer from a sample that includes missing values, or declare "
    "such columns as double."
)


def infer_schema(data: Any) -> Schema:
    """Infer a :class:`~sparksig.Schema` from example data, as MLflow's ``_infer_schema``.

    Accepts a pandas DataFrame or Series, a numpy array, a dict of numpy arrays (tensors),
    a dict of values, a list of dicts, a list, a scalar, a scipy csr/csc matrix, or a Spark
    DataFrame (delegated to :func:`sparksig.spark.infer.infer_schema`, every row by default).

    Raises:
        InferenceError: the data has no schema (mixed-type lists, ``uint64``, unknown
            objects); the error names the offending column or path.

    Examples:
        >>> infer_schema([{"q": "hi", "k": 3}, {"q": "yo"}]).to_dict()
        [{'type': 'string', 'name': 'q', 'required': True}, {'type': 'long', 'name': 'k', 'required': False}]
        >>> import numpy as np
        >>> infer_schema(np.zeros((2, 3), dtype="float32")).to_dict()
        [{'type': 'tensor', 'tensor-spec': {'dtype': 'float32', 'shape': [-1, 3]}}]
    """
    for matches, read in _READERS:
        if matches(data):
            schema = read(data)
            break
    else:  # pragma: no cover - the last reader matches everything
        raise AssertionError("unreachable")
    _warn_about_integers(schema)
    return schema


def infer_signature(
    model_input: Any = None,
    model_output: Any = None,
    params: dict[str, Any] | None = None,
    *,
    schema_of: Callable[[Any], Schema] | None = None,
) -> ModelSignature:
    """Infer a :class:`~sparksig.ModelSignature` from example input, output and params.

    As in MLflow, a failure to infer the input or output schema is not fatal: it warns and
    uses ``Schema([ColSpec(AnyType())])`` (which validates nothing); a failure in params
    raises. ``model_input`` may be ``(input, params)``, the form MLflow accepts for input
    examples. ``schema_of`` infers a schema from one input (default: :func:`infer_schema`);
    :func:`sparksig.infer_signature` passes one that also reads Spark DataFrames.

    Raises:
        SchemaDefinitionError: params that have no type, or params given twice.

    Examples:
        >>> sig = infer_signature({"prompt": "hi"}, ["answer"], {"temperature": 0.2})
        >>> sig.to_dict()["params"]
        '[{"name": "temperature", "default": 0.2, "shape": null, "type": "double"}]'
    """
    if _is_input_with_params(model_input):
        if params:
            raise SchemaDefinitionError(
                "params were given twice: in the (input, params) tuple and as params=; "
                "pass them once"
            )
        model_input, params = model_input
    schemas = {}
    for key, data in (("inputs", model_input), ("outputs", model_output)):
        schemas[key] = None if data is None else _schema_or_any(data, key, schema_of)
    return ModelSignature(
        schemas["inputs"], schemas["outputs"], infer_param_schema(params) if params else None
    )


def _schema_or_any(data: Any, key: str, schema_of: Callable[[Any], Schema] | None) -> Schema:
    try:
        return (schema_of or infer_schema)(data)
    except PydanticInputError:
        raise
    except Exception as e:  # MLflow falls back on any failure; so do we, loudly.
        warnings.warn(
            f"Failed to infer a schema for the {key} ({type(e).__name__}: {e}); using "
            "Schema([ColSpec(AnyType())]), which validates nothing. Pass data of a supported "
            "kind or declare the schema by hand.",
            UserWarning,
            stacklevel=3,
        )
        return Schema([ColSpec(AnyType())])


def _is_input_with_params(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict)


def _warn_about_integers(schema: Schema) -> None:
    if not schema.is_tensor_spec() and any(
        t in (DataType.integer, DataType.long) for t in schema.input_types()
    ):
        warnings.warn(INTEGER_HINT, UserWarning, stacklevel=3)


# --- one reader per kind of input -----------------------------------------------------------


def _name(label: Any) -> str | int | None:
    """A column label as a spec name: integer labels stay integers, as MLflow keeps them."""
    if label is None:
        return None
    if isinstance(label, (int, np.integer)) and not isinstance(label, (bool, np.bool_)):
        return int(label)
    return str(label)


def _column_type(values: Any, path: str) -> SpecType:
    """MLflow's ``_infer_colspec_type``: an empty numpy array has no type."""
    dtype = value_type(values, path)
    if dtype is None:
        raise InferenceError("needs at least one non-empty item", path)
    return dtype


def _read_empty_list(data: list[Any]) -> Schema:
    return Schema([ColSpec(DataType.string)])  # MLflow's legacy rule for []


def _read_records(data: list[dict[Any, Any]]) -> Schema:
    """A list of dicts: one column per key, in first-seen order; a missing key or None
    anywhere makes the column optional (a NaN does not, as in MLflow)."""
    columns: dict[Any, list[Any]] = {}
    for record in data:
        for key, value in record.items():
            columns.setdefault(key, []).append(value)
    specs = []
    for key, values in columns.items():
        path = str(key)
        required = all(record.get(key) is not None for record in data)
        element = _column_type(values, path).dtype  # type: ignore[union-attr]
        specs.append(ColSpec(element, _name(key), required))
    return Schema(specs)


def _read_tensor_dict(data: dict[Any, np.ndarray]) -> Schema:
    return Schema(
        [tensor_spec(array, None if name is None else str(name)) for name, array in data.items()]
    )


def _read_value_dict(data: dict[Any, Any]) -> Schema:
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise InferenceError(f"the dictionary keys must be strings, got {bad!r}")
    specs = []
    for name, value in data.items():
        if isinstance(value, (list, pd.Series)):
            required = not any(is_missing(v) for v in value)
        else:
            required = not is_missing(value)
        specs.append(ColSpec(_column_type(value, name), name, required))
    return Schema(specs)


def _read_series(data: pd.Series) -> Schema:
    name = _name(data.name)
    path = "" if name is None else str(name)
    # An unnamed column cannot be optional, so MLflow (3.18+) infers an unnamed Series as
    # required whatever its nulls (3.17 failed and fell back to `any`); so does sparksig.
    required = column_required(data) if name is not None else True
    return Schema([ColSpec(pandas_column_type(data, path), name, required)])


def _read_frame(data: pd.DataFrame) -> Schema:
    specs = []
    for label in data.columns:
        col = data[label]
        if isinstance(col, pd.DataFrame):
            raise InferenceError("duplicate column label", str(label))
        specs.append(
            ColSpec(pandas_column_type(col, str(label)), _name(label), column_required(col))
        )
    return Schema(specs)


def _refuse_spark(data: Any) -> Schema:
    raise ArgumentTypeError(
        "sparksig.infer.api infers from in-process data; for a Spark DataFrame call "
        "sparksig.infer_schema (which dispatches) or sparksig.spark.infer_schema"
    )


def _read_list(data: list[Any]) -> Schema:
    return Schema([ColSpec(_column_type(data, "").dtype)])  # type: ignore[union-attr]


def _read_value(data: Any) -> Schema:
    try:
        return Schema([ColSpec(_column_type(data, ""))])
    except PydanticInputError:
        raise
    except InferenceError as e:
        raise InferenceError(
            "cannot infer a schema: expected a pandas DataFrame or Series, a numpy array, a "
            "dict of numpy arrays, a scipy csr/csc matrix, a Spark DataFrame, a scalar, a "
            f"list, a dict of values or a list of dicts; got {type(data).__name__}. ({e})"
        ) from e


_READERS: tuple[tuple[Callable[[Any], bool], Callable[[Any], Schema]], ...] = (
    (lambda d: isinstance(d, list) and not d, _read_empty_list),
    (lambda d: isinstance(d, list) and all(isinstance(v, dict) for v in d), _read_records),
    (
        lambda d: isinstance(d, dict) and all(isinstance(v, np.ndarray) for v in d.values()),
        _read_tensor_dict,
    ),
    (lambda d: isinstance(d, dict), _read_value_dict),
    (lambda d: isinstance(d, pd.Series), _read_series),
    (lambda d: isinstance(d, pd.DataFrame), _read_frame),
    (lambda d: isinstance(d, np.ndarray), lambda d: Schema([tensor_spec(d)])),
    (is_scipy_sparse, lambda d: Schema([tensor_spec(d)])),
    (is_spark_dataframe, _refuse_spark),
    (lambda d: isinstance(d, list), _read_list),
    (lambda d: True, _read_value),
)
