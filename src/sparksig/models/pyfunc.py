"""Model wrappers: one calling convention for every kind of model sparksig accepts.

A model is any of

- a callable ``f(model_input)`` or ``f(model_input, params)``;
- an object with ``predict(model_input, params=None)`` (or ``predict(model_input)``);
- an ``mlflow.pyfunc.PythonModel`` (``predict(context, model_input, params=None)``), whose
  ``load_context`` is called once before the first prediction, as MLflow does.

:func:`as_predict` turns any of them into ``fn(data, params)``. :class:`PyFuncModel` is what
:func:`sparksig.models.load_model` returns: ``predict`` enforces the signature with the
enforcement engine, then calls the model.

This module is also the ``loader_module`` of the ``python_function`` flavor sparksig writes,
so ``mlflow.pyfunc.load_model`` loads sparksig models (through :func:`_load_pyfunc`).

Examples:
    >>> predict = as_predict(lambda df, params: len(df) * params["k"])
    >>> predict([1, 2, 3], {"k": 2})
    6
"""

from __future__ import annotations

import inspect
import logging
import os
import pickle
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sparksig.errors import SerializationError
from sparksig.kinds import is_mlflow_python_model
from sparksig.models.mlmodel import ModelInfo, get_model_info
from sparksig.models.paths import open_regular_file, resolve_inside

__all__ = [
    "LOADER_MODULE",
    "MODEL_FILE",
    "PyFuncModel",
    "Predictor",
    "as_predict",
    "dump_model",
    "load_model",
    "model_kind",
]

LOADER_MODULE = "sparksig.models.pyfunc"
_logger = logging.getLogger(__name__)
MODEL_FILE = "python_model.pkl"


def _accepts_params(fn: Callable[..., Any], positional_before: int) -> bool:
    """Whether ``fn`` takes params after ``positional_before`` data arguments."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    positional = 0
    for p in sig.parameters.values():
        if p.kind is p.VAR_KEYWORD or p.kind is p.VAR_POSITIONAL or p.name == "params":
            return True
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional > positional_before


def model_kind(model: Any) -> str:
    """``"python_model"``, ``"predict"`` or ``"callable"``; TypeError for anything else."""
    if is_mlflow_python_model(model):
        return "python_model"
    if callable(getattr(model, "predict", None)):
        return "predict"
    if callable(model):
        return "callable"
    raise TypeError(
        "A model must be a callable f(model_input[, params]), an object with "
        "predict(model_input, params=None), or an mlflow.pyfunc.PythonModel; "
        f"got {type(model).__name__}"
    )


def _context() -> Any:
    try:
        from mlflow.pyfunc import PythonModelContext

        return PythonModelContext(artifacts={}, model_config={})
    except ImportError:
        return types.SimpleNamespace(artifacts={}, model_config={})


@dataclass
class Predictor:
    """A model behind the single calling convention ``predictor(data, params=None)``.

    Params are passed only to models that take them; a model that does not take params and
    receives some is called without them, with a logged warning (MLflow's behaviour).
    """

    model: Any
    kind: str = ""
    takes_params: bool = False
    _context: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.kind = model_kind(self.model)
        if self.kind == "python_model":
            self._context = _context()
            self.model.load_context(self._context)
            self.takes_params = _accepts_params(self.model.predict, 2)
        elif self.kind == "predict":
            self.takes_params = _accepts_params(self.model.predict, 1)
        else:
            self.takes_params = _accepts_params(self.model, 1)

    def __call__(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        if params and not self.takes_params:
            _logger.warning(
                "The model (%s) does not take params; ignoring params %s (as MLflow does)",
                type(self.model).__name__,
                sorted(params),
            )
        if self.kind == "python_model":
            if self.takes_params:
                return self.model.predict(self._context, data, params=params)
            return self.model.predict(self._context, data)
        fn = self.model.predict if self.kind == "predict" else self.model
        if self.takes_params:
            return fn(data, params)
        return fn(data)


def as_predict(model: Any) -> Predictor:
    """Wrap any supported model as ``fn(data, params=None)``.

    Examples:
        >>> class Doubler:
        ...     def predict(self, model_input, params=None):
        ...         return [2 * x for x in model_input]
        >>> as_predict(Doubler())([1, 2])
        [2, 4]
    """
    return model if isinstance(model, Predictor) else Predictor(model)


def _pickler() -> tuple[Any, str]:
    try:
        import cloudpickle

        return cloudpickle, "cloudpickle"
    except ImportError:
        from pyspark import cloudpickle as spark_cloudpickle

        return spark_cloudpickle, "pyspark.cloudpickle"


def dump_model(model: Any, file: str) -> str:
    """Pickle ``model`` to ``file`` (cloudpickle, so lambdas and local classes work).

    Returns the name of the pickling module, for the ``MLmodel`` file.
    """
    module, name = _pickler()
    with open(file, "wb") as f:
        module.dump(model, f)
    return name


def _unpickle(file: str, key: str = "flavors") -> Any:
    try:
        with open_regular_file(file, key) as f:
            return pickle.load(f)  # cloudpickle output loads with the standard unpickler
    except SerializationError:
        raise
    except FileNotFoundError:
        raise SerializationError(f"the model file {file} does not exist", "flavors") from None
    except Exception as e:
        raise SerializationError(f"cannot unpickle {file}: {e!r}", "flavors") from None


@dataclass
class PyFuncModel:
    """A loaded model: ``predict`` enforces the signature, then calls the model.

    Attributes:
        metadata: what the ``MLmodel`` file says (``metadata.signature``).
        predictor: the model behind the single calling convention, without enforcement.
    """

    metadata: ModelInfo
    predictor: Callable[..., Any]

    @property
    def signature(self) -> Any:
        return self.metadata.signature

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """Check ``data`` and ``params`` against the signature, then predict.

        Raises:
            SchemaEnforcementError: the data or params do not satisfy the signature; the
                error's ``report`` lists every violation.
        """
        data, params = enforce_input(self.metadata.signature, data, params)
        return self.predictor(data, params)

    def unwrap_python_model(self) -> Any:
        """The model object as saved (MLflow's ``unwrap_python_model``)."""
        inner = self.predictor
        return inner.model if isinstance(inner, Predictor) else inner


def enforce_input(signature: Any, data: Any, params: dict[str, Any] | None) -> tuple[Any, Any]:
    """Apply the enforcement engine to model input and params, as ``predict`` does."""
    if signature is None and not params:
        return data, None
    from sparksig.enforce.api import enforce_params, enforce_schema

    if signature is not None and signature.inputs is not None:
        data = enforce_schema(data, signature.inputs)
    param_schema = signature.params if signature is not None else None
    if param_schema is not None or params:
        params = enforce_params(params, param_schema)
    return data, params or None


class _MlflowPredictor:
    """An MLflow-loaded model's implementation, called without MLflow's own enforcement."""

    def __init__(self, pyfunc_model: Any) -> None:
        self.pyfunc_model = pyfunc_model
        impl: Any = getattr(pyfunc_model, "_model_impl", None)
        self.impl: Any = impl if callable(getattr(impl, "predict", None)) else pyfunc_model
        self.takes_params = _accepts_params(self.impl.predict, 1)

    @property
    def model(self) -> Any:
        try:
            return self.pyfunc_model.unwrap_python_model()
        except Exception:
            return self.impl

    def __call__(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        if self.takes_params:
            return self.impl.predict(data, params=params)
        return self.impl.predict(data)


def load_model(path: str | os.PathLike[str]) -> PyFuncModel:
    """Load a model directory written by sparksig or MLflow.

    Loading a model runs the code pickled in its directory (as in MLflow): load only model
    directories you trust. Every path the ``MLmodel`` file names must lie inside the directory.

    Models saved by sparksig are unpickled directly. Other ``python_function`` models
    (MLflow-written) are loaded through ``mlflow.pyfunc.load_model`` when MLflow is installed;
    either way ``predict`` enforces the signature with sparksig's engine.

    Raises:
        SerializationError: a missing or corrupt ``MLmodel`` file, a path in it that leads
            outside the model directory, or a model file that cannot be read; names the file
            and the key.

    Examples:
        >>> model = load_model("path/to/model")  # doctest: +SKIP
        >>> model.predict(df, params={"k": 3})  # doctest: +SKIP
    """
    path = os.fspath(path)
    info = get_model_info(path)
    conf = info.flavors.get("python_function")
    if not isinstance(conf, dict):
        raise SerializationError(
            f"{info.path}/MLmodel has no python_function flavor; sparksig can read its "
            "signature and examples (get_model_info) but cannot load it as a model",
            "flavors.python_function",
        )
    if conf.get("loader_module") == LOADER_MODULE:
        return PyFuncModel(info, _load_predictor(info.path, info))
    try:
        import mlflow.pyfunc
    except ImportError:
        raise SerializationError(
            f"{info.path} was saved by MLflow (loader_module {conf.get('loader_module')!r}); "
            "install mlflow to load it",
            "flavors.python_function.loader_module",
        ) from None
    return PyFuncModel(info, _MlflowPredictor(mlflow.pyfunc.load_model(info.path)))


def _load_predictor(model_dir: str, info: ModelInfo | None = None) -> Predictor:
    info = info or get_model_info(model_dir)
    conf = info.flavors.get("python_function") or {}
    key = "flavors.python_function.python_model"
    name = conf.get("python_model", MODEL_FILE)
    if not isinstance(name, str):
        raise SerializationError(
            f"must name the pickled model file, got {name!r} (in {model_dir}/MLmodel)", key
        )
    # checked again right before opening: the file is about to run as code
    return as_predict(_unpickle(resolve_inside(model_dir, name, key), key))


class _MlflowImpl:
    """What ``mlflow.pyfunc.load_model`` receives: MLflow enforces, this only predicts."""

    def __init__(self, predictor: Predictor) -> None:
        self.predictor = predictor

    def predict(self, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        return self.predictor(model_input, params)

    def unwrap_python_model(self) -> Any:
        return self.predictor.model


def _load_pyfunc(path: str, model_config: Any = None) -> _MlflowImpl:
    """MLflow's ``python_function`` loader hook for sparksig model directories."""
    model_dir = path if os.path.isdir(path) else os.path.dirname(path)
    return _MlflowImpl(_load_predictor(model_dir))
