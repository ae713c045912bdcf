"""Paths an ``MLmodel`` file names, resolved and kept inside the model directory.

A model directory is read from disk that someone else may have written. Every file it names
(the pickled model, its data and code folders, its artifacts, its example files) must be a
relative path that resolves, with symlinks followed, to a place inside the directory. Anything
else (``../evil.pkl``, ``/etc/passwd``, a symlink that leaves the directory) is refused with a
:class:`~sparksig.errors.SerializationError` naming the ``MLmodel`` key and the path, before
any file is opened.

Examples:
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> resolve_inside(d, "python_model.pkl", "flavors.python_function.python_model") == (
    ...     os.path.join(os.path.realpath(d), "python_model.pkl"))
    True
    >>> resolve_inside(d, "../evil.pkl", "flavors.python_function.python_model")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sparksig.errors.SerializationError: flavors.python_function.python_model: '../evil.pkl' ...
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from sparksig.errors import SerializationError

__all__ = ["FLAVOR_PATH_KEYS", "EXAMPLE_PATH_KEYS", "check_mlmodel_paths", "resolve_inside"]

# Keys of a flavor whose string value is a file or folder of the model directory (MLflow's
# python_function and python_model flavors, its framework flavors, and sparksig's own).
FLAVOR_PATH_KEYS = (
    "python_model",
    "data",
    "code",
    "model_path",
    "model_code_path",
    "pickled_model",
)
EXAMPLE_PATH_KEYS = ("artifact_path", "serving_input_path")


def resolve_inside(model_dir: str | os.PathLike[str], value: Any, key: str) -> str:
    """The real path of ``value`` (relative to ``model_dir``), refused when it leaves it.

    Args:
        model_dir: the model directory.
        value: the path as the ``MLmodel`` file gives it.
        key: the ``MLmodel`` key that holds it, for the error message.

    Returns:
        The absolute path with symlinks resolved; it lies inside ``model_dir``.

    Raises:
        SerializationError: ``value`` is not a non-empty string, is absolute, or resolves
            (following symlinks) outside ``model_dir``; names ``key`` and ``value``.

    Examples:
        >>> resolve_inside("/m", "/etc/passwd", "saved_input_example_info.artifact_path")
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        sparksig.errors.SerializationError: saved_input_example_info.artifact_path: '/etc/passwd' ...
    """
    if not isinstance(value, str) or not value or "\x00" in value:
        raise SerializationError(
            f"must be a relative path inside the model directory, got {value!r}", key
        )
    if os.path.isabs(value) or os.path.splitdrive(value)[0]:
        raise SerializationError(
            f"{value!r} is an absolute path; a model directory may only name files inside "
            "itself, by a path relative to the directory. Refusing to open it",
            key,
        )
    root = os.path.realpath(model_dir)
    resolved = os.path.realpath(os.path.join(root, value))
    if resolved == root or os.path.commonpath([root, resolved]) != root:
        raise SerializationError(
            f"{value!r} resolves to {resolved}, outside the model directory {root} (through "
            "'..' or a symlink); a model directory may only name files inside itself. "
            "Refusing to open it",
            key,
        )
    return resolved


def _named_paths(doc: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every (key, value) of an MLmodel document that names a file of the directory."""
    flavors = doc.get("flavors")
    if isinstance(flavors, dict):
        for name, conf in flavors.items():
            if not isinstance(conf, dict):
                continue
            prefix = f"flavors.{name}"
            for key in FLAVOR_PATH_KEYS:
                if conf.get(key) is not None:
                    yield f"{prefix}.{key}", conf[key]
            env = conf.get("env")
            if isinstance(env, str):
                yield f"{prefix}.env", env
            elif isinstance(env, dict):
                for k, v in env.items():
                    if v is not None:
                        yield f"{prefix}.env.{k}", v
            artifacts = conf.get("artifacts")
            if isinstance(artifacts, dict):
                for k, v in artifacts.items():
                    if isinstance(v, dict) and v.get("path") is not None:
                        yield f"{prefix}.artifacts.{k}.path", v["path"]
    info = doc.get("saved_input_example_info")
    if isinstance(info, dict):
        for key in EXAMPLE_PATH_KEYS:
            if info.get(key) is not None:
                yield f"saved_input_example_info.{key}", info[key]


def check_mlmodel_paths(doc: dict[str, Any], model_dir: str | os.PathLike[str]) -> None:
    """Refuse an ``MLmodel`` document that names any path outside ``model_dir``.

    Checks the flavors' ``python_model``, ``data``, ``code``, ``model_path``,
    ``model_code_path``, ``pickled_model``, ``env`` and ``artifacts.*.path``, and the example
    files of ``saved_input_example_info``. Nothing is opened.

    Raises:
        SerializationError: naming the first offending key and its path.

    Examples:
        >>> check_mlmodel_paths({"flavors": {"python_function": {"data": "../x"}}}, "/m")
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        sparksig.errors.SerializationError: flavors.python_function.data: '../x' resolves ...
    """
    for key, value in _named_paths(doc):
        resolve_inside(model_dir, value, key)
