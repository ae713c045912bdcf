"""The ``MLmodel`` file: MLflow's YAML description of a model directory.

sparksig reads and writes the same file MLflow does, so a directory written by either tool
works in the other. Only the keys sparksig understands are interpreted (``signature``,
``saved_input_example_info``, ``flavors``); every other key is kept as it was when the file
is rewritten (``set_signature``).

Examples:
    >>> import tempfile
    >>> from sparksig import ColSpec, ModelSignature, Schema
    >>> d = tempfile.mkdtemp()
    >>> write_mlmodel(d, {"flavors": {}})
    >>> set_signature(d, ModelSignature(Schema([ColSpec("double", "x")])))
    >>> get_model_info(d).signature.inputs.input_names()
    ['x']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from sparksig.errors import SerializationError
from sparksig.models.paths import check_mlmodel_paths, open_regular_file
from sparksig.signature import ModelSignature

__all__ = [
    "MLMODEL_FILE",
    "ModelInfo",
    "get_model_info",
    "load_yaml",
    "mlmodel_path",
    "read_mlmodel",
    "set_signature",
    "write_mlmodel",
]

MLMODEL_FILE = "MLmodel"

#: The most values (mappings, lists and scalars) a YAML document may hold once its aliases
#: are expanded. ``&a [*b, *b, ...]`` nested a few levels makes a small file stand for
#: billions of values that any walk over it (``show``, JSON output) would visit; real
#: ``MLmodel`` files hold hundreds.
MAX_YAML_VALUES = 1_000_000


def load_yaml(stream: Any, where: str, key: str) -> Any:
    """``yaml.safe_load``, refusing documents that alias themselves or expand past
    :data:`MAX_YAML_VALUES` (a SerializationError naming ``where`` under ``key``)."""
    import yaml

    doc = yaml.safe_load(stream)
    _check_expansion(doc, where, key)
    return doc


def _check_expansion(doc: Any, where: str, key: str) -> None:
    """Count the values of ``doc`` with aliases expanded, in time linear in its distinct
    values (each shared mapping or list is counted once and its count reused)."""
    on_path = -1
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(doc, False)]
    while stack:
        node, finished = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        children = list(node.values()) if isinstance(node, dict) else node
        if finished:
            total = 1 + sum(sizes[id(c)] if isinstance(c, (dict, list)) else 1 for c in children)
            sizes[id(node)] = min(total, MAX_YAML_VALUES + 1)
            if total > MAX_YAML_VALUES:
                raise SerializationError(
                    f"{where} holds more than {MAX_YAML_VALUES:,} values once its YAML aliases "
                    "(*name) are expanded; refusing to read it (an MLmodel file holds "
                    "hundreds)",
                    key,
                )
            continue
        seen = sizes.get(id(node))
        if seen == on_path:
            raise SerializationError(
                f"{where} holds a value that contains itself (a YAML alias to its own anchor); "
                "refusing to read it",
                key,
            )
        if seen is not None:
            continue
        sizes[id(node)] = on_path
        stack.append((node, True))
        stack.extend((c, False) for c in children)


@dataclass(frozen=True)
class ModelInfo:
    """What an ``MLmodel`` file says about a model directory.

    Attributes:
        path: the model directory.
        signature: the parsed signature, or ``None`` when the model has none.
        flavors: the ``flavors`` mapping as written (``python_function`` and others).
        saved_input_example_info: MLflow's example metadata, or ``None``.
        model_uuid: the model's id, when recorded.
        utc_time_created: creation time as written, when recorded.
        mlflow_version: the MLflow version that wrote the file (``None`` for sparksig).
        metadata: the user metadata mapping (MLflow's ``metadata`` key), or ``None``.
        document: the complete parsed ``MLmodel`` document.
    """

    path: str
    signature: ModelSignature | None
    flavors: dict[str, Any] = field(default_factory=dict)
    saved_input_example_info: dict[str, Any] | None = None
    model_uuid: str | None = None
    utc_time_created: str | None = None
    mlflow_version: str | None = None
    metadata: dict[str, Any] | None = None
    document: dict[str, Any] = field(default_factory=dict, repr=False)


def mlmodel_path(path: str | os.PathLike[str]) -> str:
    """The ``MLmodel`` file for a model directory (or the file itself when given)."""
    path = os.fspath(path)
    if os.path.basename(path.rstrip(os.sep)) == MLMODEL_FILE and not os.path.isdir(path):
        return path
    return os.path.join(path, MLMODEL_FILE)


def read_mlmodel(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read an ``MLmodel`` file as a plain mapping.

    Args:
        path: a model directory or its ``MLmodel`` file.

    Raises:
        SerializationError: the file is missing, is not a regular file (a named pipe, a
            device), is not YAML, or is not a mapping; the message names the file.

    Examples:
        >>> read_mlmodel("/nonexistent")  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        sparksig.errors.SerializationError: MLmodel: no MLmodel file at /nonexistent/MLmodel
    """
    import yaml

    file = mlmodel_path(path)
    _check_mlmodel_file(file)
    try:
        with open_regular_file(file, MLMODEL_FILE, text=True) as f:
            doc = load_yaml(f, file, MLMODEL_FILE)
    except SerializationError:
        raise
    except FileNotFoundError:
        raise SerializationError(
            f"no MLmodel file at {file}; is this a model directory saved by sparksig or MLflow?",
            MLMODEL_FILE,
        ) from None
    except (yaml.YAMLError, ValueError) as e:  # ValueError: bad UTF-8, a 5,000-digit number
        where = getattr(e, "problem_mark", None)
        at = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
        raise SerializationError(f"{file} is not valid YAML{at}: {e}", MLMODEL_FILE) from None
    except RecursionError:
        raise SerializationError(f"{file} is nested too deeply to read", MLMODEL_FILE) from None
    except OSError as e:  # a directory named MLmodel, no permission, ...
        raise SerializationError(f"cannot read {file}: {e.strerror or e}", MLMODEL_FILE) from None
    if not isinstance(doc, dict):
        raise SerializationError(
            f"{file} must hold a YAML mapping, got {type(doc).__name__}", MLMODEL_FILE
        )
    return doc


def _check_mlmodel_file(file: str) -> None:
    """Refuse an ``MLmodel`` that is a symlink to a file outside its directory."""
    if not os.path.islink(file):
        return
    folder = os.path.realpath(os.path.dirname(file))
    target = os.path.realpath(file)
    if os.path.commonpath([folder, target]) != folder:
        raise SerializationError(
            f"{file} is a symlink to {target}, outside the model directory {folder}; "
            "refusing to read it",
            MLMODEL_FILE,
        )


def write_mlmodel(path: str | os.PathLike[str], doc: dict[str, Any]) -> None:
    """Write ``doc`` as the ``MLmodel`` file of ``path``, formatted as MLflow formats it."""
    import yaml

    file = mlmodel_path(path)
    tmp = f"{file}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        yaml.safe_dump(doc, f, default_flow_style=False)
    os.replace(tmp, file)  # atomic: a concurrent reader never sees half a file


def parse_signature(doc: dict[str, Any], file: str) -> ModelSignature | None:
    """The ``signature`` block of an MLmodel document, or ``None`` when it has none."""
    raw = doc.get("signature")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SerializationError(
            f"must be a mapping of inputs/outputs/params JSON strings, got {raw!r} (in {file})",
            "signature",
        )
    if not any(raw.get(k) for k in ("inputs", "outputs", "params")):
        return None
    try:
        return ModelSignature.from_dict(raw)
    except SerializationError as e:
        raise SerializationError(f"{e.reason} (in {file})", e.path) from None
    except RecursionError:
        raise SerializationError(f"is nested too deeply to read (in {file})", "signature") from None


def parse_example_info(doc: dict[str, Any], file: str) -> dict[str, Any] | None:
    """The ``saved_input_example_info`` block, checked for the keys readers rely on."""
    info = doc.get("saved_input_example_info")
    if info is None:
        return None
    key = "saved_input_example_info"
    if not isinstance(info, dict):
        raise SerializationError(f"must be a mapping, got {info!r} (in {file})", key)
    for required in ("artifact_path", "type"):
        if not isinstance(info.get(required), str):
            raise SerializationError(
                f"missing or not a string: {info.get(required)!r} (in {file})",
                f"{key}.{required}",
            )
    return info


def get_model_info(path: str | os.PathLike[str]) -> ModelInfo:
    """Read what a model directory's ``MLmodel`` file says, signature included.

    Works on directories written by sparksig or by MLflow. Nothing is unpickled: this only
    reads the YAML file. Every path the file names (model file, data, code, artifacts,
    examples) must resolve inside the directory, symlinks followed, or the directory is refused.

    Args:
        path: a model directory (or its ``MLmodel`` file).

    Raises:
        SerializationError: the file is missing or corrupt, or names a path outside the model
            directory; names the file and the key.

    Examples:
        >>> info = get_model_info("path/to/model")  # doctest: +SKIP
        >>> info.signature.inputs  # doctest: +SKIP
    """
    file = mlmodel_path(path)
    doc = read_mlmodel(file)
    flavors = doc.get("flavors") or {}
    if not isinstance(flavors, dict):
        raise SerializationError(f"must be a mapping, got {flavors!r} (in {file})", "flavors")
    model_dir = os.path.dirname(file)
    try:
        check_mlmodel_paths(doc, model_dir)
    except SerializationError as e:
        raise SerializationError(f"{e.reason} (in {file})", e.path) from None
    return ModelInfo(
        path=model_dir,
        signature=parse_signature(doc, file),
        flavors=flavors,
        saved_input_example_info=parse_example_info(doc, file),
        model_uuid=doc.get("model_uuid"),
        utc_time_created=_str_or_none(doc.get("utc_time_created")),
        mlflow_version=doc.get("mlflow_version"),
        metadata=doc.get("metadata"),
        document=doc,
    )


def set_signature(path: str | os.PathLike[str], signature: Any) -> None:
    """Replace the signature recorded in a model directory (sparksig- or MLflow-written).

    Every other key of the ``MLmodel`` file is kept. As MLflow does, the type-hint flags are
    reset, because the new signature was given explicitly.

    Args:
        path: the model directory (or its ``MLmodel`` file).
        signature: a :class:`~sparksig.ModelSignature`, or anything with MLflow's ``to_dict()``
            (an ``mlflow.models.ModelSignature``).

    Examples:
        >>> set_signature("path/to/model", signature)  # doctest: +SKIP
    """
    if not isinstance(signature, ModelSignature):
        to_dict = getattr(signature, "to_dict", None)
        if not callable(to_dict):
            raise TypeError(
                f"signature must be a sparksig.ModelSignature, got {type(signature).__name__}"
            )
        signature = ModelSignature.from_dict(to_dict())
    file = mlmodel_path(path)
    doc = read_mlmodel(file)
    doc["signature"] = signature.to_dict()
    doc["is_signature_from_type_hint"] = False
    doc["type_hint_from_example"] = False
    write_mlmodel(file, doc)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
