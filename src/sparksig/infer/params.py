"""Param schemas from example param values (MLflow's ``_infer_param_schema``).

Each value gives a type, a shape and the default: scalars have shape ``None``, 1-D lists and
arrays ``(-1,)``; dicts become ``Object`` params. Nested lists, bytes and ``None`` are refused,
and every refused param is named in one error.

One deliberate difference: an empty list (``{"stop": []}``) is a ``string`` list param with
default ``[]``. MLflow infers ``datetime`` there, by accident (``all()`` of nothing is true in
its datetime check); a list of strings is what an empty list param almost always holds, and
it matches MLflow's own legacy rule that an empty list input is a ``string`` column. An empty
numpy array keeps its dtype's type (``np.array([])`` is a ``double`` list).

Examples:
    >>> infer_param_schema({"k": 3, "temps": [0.1, 0.7]}).to_dict()[1]
    {'name': 'temps', 'default': [0.1, 0.7], 'shape': [-1], 'type': 'double'}
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import numpy as np

from sparksig.errors import SchemaDefinitionError, SparksigError
from sparksig.infer.dtypes import numpy_type
from sparksig.infer.values import InferenceError, is_datetime_value, value_type
from sparksig.schema import ParamSchema, ParamSpec
from sparksig.types import DataType, SpecType

__all__ = ["infer_param_schema", "param_type_and_shape"]


def infer_param_schema(params: dict[str, Any]) -> ParamSchema:
    """Infer a :class:`ParamSchema` from example param values.

    Raises:
        SchemaDefinitionError: ``params`` is not a dict, or some values have no param type
            (all offenders are listed).

    Examples:
        >>> infer_param_schema({"temperature": 0.5, "stop": ["\\n"]})
        ParamSchema(['temperature': double (default: 0.5), 'stop': string (default: ['\\n'], shape=(-1,))])
    """
    if not isinstance(params, dict):
        raise SchemaDefinitionError(f"params must be a dict, got {type(params).__name__}")
    specs, errors = [], []
    for name, value in params.items():
        try:
            dtype, shape = param_type_and_shape(value, str(name))
            specs.append(ParamSpec(name, dtype, deepcopy(value), shape))
        except SparksigError as e:
            errors.append(f"{name!r} ({value!r}): {e}")
    if errors:
        raise SchemaDefinitionError("cannot infer a type for these params: " + "; ".join(errors))
    return ParamSchema(specs)


def param_type_and_shape(value: Any, name: str = "") -> tuple[SpecType, tuple[int, ...] | None]:
    """The type and shape of one param value."""
    if isinstance(value, (list, np.ndarray)):
        depth = _depth(value)
        if depth != 1:
            raise InferenceError(
                f"params are scalars or 1-D lists, got a {depth}-D list; flatten it or "
                "pass it as a JSON string",
                name,
            )
        if isinstance(value, list) and not value:
            return DataType.string, (-1,)  # see module docstring
        if isinstance(value, list) and all(is_datetime_value(v) for v in value):
            return DataType.datetime, (-1,)
        return numpy_type(np.asarray(value).dtype, name), (-1,)
    if is_datetime_value(value):
        return DataType.datetime, None
    if np.isscalar(value):
        return numpy_type(np.asarray(value).dtype, name), None
    if isinstance(value, dict):
        return value_type(value, name), None  # type: ignore[return-value]
    raise InferenceError(
        f"params are scalars, 1-D lists or dicts, got {type(value).__name__}", name
    )


def _depth(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return value.ndim
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0
