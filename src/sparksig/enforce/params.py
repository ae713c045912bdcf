"""Inference params: MLflow's ``_enforce_params_schema`` on top of the one param value rule.

Values are checked and converted by :func:`sparksig.params.convert_param_value` (type and
shape, Python natives out); missing params get their defaults; undeclared params are logged
and dropped; every invalid value is reported at once as ``invalid_param`` violations.
"""

from __future__ import annotations

import logging
from typing import Any

from sparksig.errors import SchemaDefinitionError, SchemaEnforcementError
from sparksig.results import Code, Violation
from sparksig.schema import ParamSchema

__all__ = ["enforce_params"]

logger = logging.getLogger("sparksig.enforce")


def _invalid(path: str, message: str, value: Any = None) -> Violation:
    examples = () if value is None else (value,)
    return Violation(Code.INVALID_PARAM, path, None, examples, message)


def enforce_params(params: dict | None, param_schema: ParamSchema | None) -> dict | None:
    """Check ``params`` against ``param_schema``; return them converted, with defaults filled.

    Without a param schema, params cannot be used: ``None``/``{}`` come back unchanged and
    anything else is logged and replaced by ``{}`` (as MLflow does).

    Raises:
        SchemaEnforcementError: one ``invalid_param`` violation per bad value.

    Examples:
        >>> from sparksig import ParamSchema, ParamSpec
        >>> import numpy as np
        >>> ps = ParamSchema([ParamSpec("t", "double", 0.5), ParamSpec("k", "long", 3)])
        >>> enforce_params({"t": np.float32(0.25)}, ps)
        {'t': 0.25, 'k': 3}
    """
    if param_schema is None:
        if params is None or params == {}:
            return params
        shown = list(params) if isinstance(params, dict) else "(not a dictionary)"
        logger.warning(
            "params can only be given at inference time when the model signature defines a "
            "params schema; this one does not. Ignoring params: %s",
            shown,
        )
        return {}
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise SchemaEnforcementError.of(
            _invalid("<params>", f"params must be a dict, got {type(params).__name__}")
        )
    if not isinstance(param_schema, ParamSchema):
        raise SchemaEnforcementError.of(
            _invalid(
                "<params>",
                f"the params schema must be a ParamSchema, got {type(param_schema).__name__}",
            )
        )
    if any(not isinstance(k, str) for k in params):
        logger.warning("Param names should be strings; converting all names to str.")
        params = {str(k): v for k, v in params.items()}
    declared = {p.name for p in param_schema}
    ignored = [k for k in params if k not in declared]
    if ignored:
        logger.warning(
            "Unrecognized params %s are ignored for inference. Supported params are: %s. "
            "Declare them in the signature's params to use them.",
            ignored,
            sorted(declared),
        )
    from sparksig.params import convert_param_value

    out = {k: v for k, v in params.items() if k in declared}
    problems = []
    for spec in param_schema:
        if spec.name not in out:
            out[spec.name] = spec.default
            continue
        value = out[spec.name]
        try:
            out[spec.name] = convert_param_value(value, spec.dtype, spec.shape, spec.name)
        except SchemaDefinitionError as e:
            problems.append(_invalid(spec.name, f"{e} (declared: {spec!r})", value))
    if problems:
        raise SchemaEnforcementError.of(*problems)
    return out
