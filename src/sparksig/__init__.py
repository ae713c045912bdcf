"""sparksig: MLflow-style model signatures and input examples, native to Apache Spark.

Importing ``sparksig`` loads neither pyspark, pandas nor pyarrow; the Spark layer lives in
``sparksig.spark`` and is imported on first use.
"""

from __future__ import annotations

from sparksig.errors import (
    ArgumentTypeError,
    EnvironmentSetupError,
    InferenceError,
    InputChangedError,
    InvalidArgumentError,
    ModelOutputError,
    ParamValueError,
    PayloadError,
    PayloadTooLargeError,
    PydanticInputError,
    SchemaDefinitionError,
    SchemaEnforcementError,
    SerializationError,
    SparksigError,
    UnsupportedTypeError,
)
from sparksig.options import Checks, Engine, IfExists, Mode, OnError, Sampling
from sparksig.results import Answer, AnsweredBy, Code, ValidationReport, Violation
from sparksig.schema import ColSpec, ParamSchema, ParamSpec, Schema, TensorSpec
from sparksig.signature import ModelSignature
from sparksig.types import AnyType, Array, DataType, Map, Object, Property, SparkMLVector

__version__ = "0.1.0"

# Functions that need pandas/numpy (and pyspark for Spark input) load on first use, so that
# ``import sparksig`` stays light. ``__getattr__`` resolves them; ``__all__`` lists them.
_LAZY = {
    "infer_signature": "sparksig.api",
    "infer_schema": "sparksig.api",
    "enforce_schema": "sparksig.api",
    "enforce_params": "sparksig.api",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sparksig' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Answer",
    "AnsweredBy",
    "AnyType",
    "ArgumentTypeError",
    "Array",
    "Checks",
    "Code",
    "Engine",
    "IfExists",
    "Mode",
    "OnError",
    "Sampling",
    "EnvironmentSetupError",
    "InputChangedError",
    "InferenceError",
    "InvalidArgumentError",
    "ModelOutputError",
    "ParamValueError",
    "PayloadError",
    "PayloadTooLargeError",
    "PydanticInputError",
    "ColSpec",
    "DataType",
    "Map",
    "ModelSignature",
    "Object",
    "ParamSchema",
    "ParamSpec",
    "Property",
    "Schema",
    "SchemaDefinitionError",
    "SchemaEnforcementError",
    "SerializationError",
    "SparkMLVector",
    "SparksigError",
    "TensorSpec",
    "UnsupportedTypeError",
    "ValidationReport",
    "Violation",
    "__version__",
    "enforce_params",
    "enforce_schema",
    "infer_schema",
    "infer_signature",
]
