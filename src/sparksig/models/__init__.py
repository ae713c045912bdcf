"""MLflow-compatible model directories, input examples, serving payloads and a scoring server.

Examples:
    >>> from sparksig import models
    >>> sorted(models.__all__)[:3]
    ['ModelInfo', 'PayloadError', 'PyFuncModel']
"""

from __future__ import annotations

from sparksig.errors import PayloadError
from sparksig.models.api import (
    get_model_info,
    load_input_example,
    load_input_example_params,
    load_model,
    load_profile,
    load_serving_example,
    save_model,
    set_profile,
    set_signature,
    validate_serving_input,
)
from sparksig.models.examples import to_serving_payload
from sparksig.models.mlmodel import ModelInfo
from sparksig.models.pyfunc import PyFuncModel, as_predict

__all__ = [
    "ModelInfo",
    "PayloadError",
    "PyFuncModel",
    "as_predict",
    "get_model_info",
    "load_input_example",
    "load_input_example_params",
    "load_model",
    "load_profile",
    "load_serving_example",
    "save_model",
    "set_profile",
    "set_signature",
    "to_serving_payload",
    "validate_serving_input",
]
