"""Saving models, reading their examples, and checking serving payloads.

A model directory is MLflow's: an ``MLmodel`` YAML file (signature, example metadata and a
``python_function`` flavor), the pickled model, and the example files. Directories written
here load in ``mlflow.pyfunc.load_model`` and ``mlflow.models.get_model_info``; directories
written by MLflow load here.

Examples:
    >>> import tempfile, os
    >>> d = os.path.join(tempfile.mkdtemp(), "m")
    >>> save_model(d, lambda rows: [r * 2 for r in rows], input_example=[1, 2])
    >>> print(load_serving_example(d))
    {
      "inputs": [
        1,
        2
      ]
    }
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import platform
import shutil
import uuid
import warnings
from typing import Any

from sparksig.errors import SerializationError
from sparksig.models import examples as _examples
from sparksig.models.mlmodel import get_model_info, set_signature, write_mlmodel
from sparksig.models.paths import read_regular_file, resolve_inside
from sparksig.models.profiles import load_profile, set_profile
from sparksig.models.pyfunc import (
    LOADER_MODULE,
    MODEL_FILE,
    PyFuncModel,
    as_predict,
    dump_model,
    load_model,
)
from sparksig.profile.model import Profile
from sparksig.signature import ModelSignature

__all__ = [
    "get_model_info",
    "load_input_example",
    "load_input_example_params",
    "load_model",
    "load_profile",
    "load_serving_example",
    "save_model",
    "set_profile",
    "set_signature",
    "validate_serving_input",
]


def _as_signature(signature: Any) -> ModelSignature | None:
    if signature is None or isinstance(signature, ModelSignature):
        return signature
    to_dict = getattr(signature, "to_dict", None)  # an mlflow.models.ModelSignature
    if callable(to_dict):
        return ModelSignature.from_dict(to_dict())
    raise TypeError(f"signature must be a sparksig.ModelSignature, got {type(signature).__name__}")


def _infer_from_example(example: _examples.Example, predictor: Any) -> ModelSignature | None:
    """MLflow's rule: run the model on the example, infer from input and output."""
    from sparksig.infer.api import infer_signature

    try:
        data = copy.deepcopy(example.data)
        params = example.params or None
        input_only = infer_signature(data, params=params)
        output = predictor(copy.deepcopy(data), params)
        if (
            input_only.inputs is not None
            and not input_only.inputs.is_tensor_spec()
            and type(output).__module__ == "numpy"
            and getattr(output, "ndim", None) == 1
        ):
            import pandas as pd

            output = pd.Series(output)  # one prediction per row: a single column, as in MLflow
        return infer_signature(data, output, params=params)
    except Exception as e:
        warnings.warn(
            f"Could not infer the model signature from the input example ({e!r}); the model "
            "is saved without a signature. Pass signature=infer_signature(...) to set one.",
            UserWarning,
            stacklevel=3,
        )
        return None


def _params_signature(params: dict[str, Any]) -> ModelSignature:
    from sparksig.infer.api import infer_signature

    sig = infer_signature(None, params=params)
    return sig


def save_model(
    path: str | os.PathLike[str],
    python_model: Any,
    signature: Any = None,
    input_example: Any = None,
    params: dict[str, Any] | None = None,
    profile: Profile | None = None,
) -> None:
    """Save a model as an MLflow-compatible model directory.

    Args:
        path: the directory to create; it must not exist yet (or be empty).
        python_model: a callable ``f(model_input[, params])``, an object with
            ``predict(model_input, params=None)``, or an ``mlflow.pyfunc.PythonModel``.
        signature: a :class:`~sparksig.ModelSignature` (or an MLflow one). Without it and
            with an example, the signature is inferred by running the model on the example;
            if that fails a warning is issued and the model is saved without one.
        input_example: a DataFrame, ndarray, dict, list or scalar, or ``(example, params)``.
        params: default inference params; their schema becomes the signature's params when
            the signature has none (as ``infer_signature(..., params=params)`` would give).
        profile: the training data's :class:`~sparksig.profile.Profile`, stored as
            ``profile.json`` beside ``MLmodel`` (:func:`~sparksig.models.profiles.set_profile`).

    Raises:
        FileExistsError: ``path`` exists and is not empty.
        TypeError: the model or the example is of an unsupported kind.

    Examples:
        >>> save_model("my_model", lambda df: df["x"] * 2,
        ...            input_example=pd.DataFrame({"x": [1.0]}))  # doctest: +SKIP
    """
    path = os.fspath(path)
    if os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
        raise FileExistsError(f"Path {path!r} already exists and is not empty")
    predictor = as_predict(python_model)
    signature = _as_signature(signature)
    example = _examples.make_example(input_example) if input_example is not None else None
    if signature is None and example is not None:
        signature = _infer_from_example(example, predictor)
    if params is not None:
        inferred = _params_signature(params).params
        if signature is None:
            signature = ModelSignature(params=inferred)
        elif signature.params is None:
            signature = ModelSignature(signature.inputs, signature.outputs, inferred)

    os.makedirs(path, exist_ok=True)
    try:
        pickle_module = dump_model(python_model, os.path.join(path, MODEL_FILE))
        doc: dict[str, Any] = {
            "flavors": {
                "python_function": {
                    "loader_module": LOADER_MODULE,
                    "python_model": MODEL_FILE,
                    "python_version": platform.python_version(),
                },
                "sparksig": {
                    "model_kind": predictor.kind,
                    "pickle_module": pickle_module,
                    "python_model": MODEL_FILE,
                    "sparksig_version": _version(),
                },
            },
            "model_uuid": uuid.uuid4().hex,
            "utc_time_created": str(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)),
        }
        if signature is not None:
            doc["signature"] = signature.to_dict()
            doc["is_signature_from_type_hint"] = False
            doc["type_hint_from_example"] = False
        if example is not None:
            example.save(path)
            doc["saved_input_example_info"] = example.info
        write_mlmodel(path, doc)
        if profile is not None:
            set_profile(path, profile)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    if example is not None and signature is not None:
        _check_serving_example(path, example)


def _check_serving_example(path: str, example: _examples.Example) -> None:
    """Warn (as MLflow does) when the saved serving example would not score."""
    try:
        validate_serving_input(path, example.serving_json or "")
    except Exception as e:
        warnings.warn(
            f"The saved serving_input_example.json does not score against the model: {e}",
            UserWarning,
            stacklevel=3,
        )


def _version() -> str:
    from sparksig import __version__

    return __version__


def load_input_example(path: str | os.PathLike[str]) -> Any:
    """The saved input example as model input, or ``None`` (MLflow's ``load_input_example``).

    DataFrame examples come back as pandas DataFrames with columns converted to the
    signature's types, ndarray examples as numpy arrays (or dicts of them), JSON objects as
    saved.

    Examples:
        >>> load_input_example("path/to/model")  # doctest: +SKIP
    """
    info = get_model_info(path)
    schema = info.signature.inputs if info.signature is not None else None
    return _examples.read_example(info.path, info.saved_input_example_info, schema)


def load_input_example_params(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The params saved with the input example, or ``None``."""
    info = get_model_info(path)
    return _examples.read_example_params(info.path, info.saved_input_example_info)


def load_serving_example(path: str | os.PathLike[str]) -> str | None:
    """The text of the saved serving payload (``serving_input_example.json``), or ``None``.

    Examples:
        >>> payload = load_serving_example("path/to/model")  # doctest: +SKIP
    """
    info = get_model_info(path)
    ex = info.saved_input_example_info or {}
    name = ex.get("serving_input_path")
    if name is None:
        return None
    file = resolve_inside(info.path, name, "saved_input_example_info.serving_input_path")
    try:
        return read_regular_file(file, "saved_input_example_info.serving_input_path", text=True)
    except FileNotFoundError:
        raise SerializationError(
            f"the MLmodel file names {name!r} but {file} does not exist",
            "saved_input_example_info.serving_input_path",
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise SerializationError(
            f"cannot read {file}: {e}", "saved_input_example_info.serving_input_path"
        ) from None


def validate_serving_input(
    path: str | os.PathLike[str] | PyFuncModel, payload: str | bytes | dict[str, Any]
) -> Any:
    """Parse a JSON payload as the scoring server would, enforce the signature, predict.

    Args:
        path: a model directory, or a model already returned by :func:`load_model`.
        payload: the request body (JSON text, bytes or the decoded mapping).

    Returns:
        The model's prediction.

    Raises:
        PayloadError: the payload is malformed.
        SchemaEnforcementError: the payload's data or params violate the signature.

    Examples:
        >>> validate_serving_input("path/to/model", load_serving_example("path/to/model"))  # doctest: +SKIP
    """
    from sparksig.models.payload import parse_request

    model = path if isinstance(path, PyFuncModel) else load_model(path)
    signature = model.metadata.signature
    schema = signature.inputs if signature is not None else None
    request = parse_request(payload, "application/json", schema)
    return model.predict(request.data, params=request.params)
