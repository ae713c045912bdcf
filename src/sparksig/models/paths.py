"""Paths an ``MLmodel`` file names, resolved and kept inside the model directory.

A model directory is read from disk that someone else may have written. Every file it names
(the pickled model, its data and code folders, its artifacts, its example files) must be a
relative path that resolves, with symlinks followed, to a place inside the directory. Anything
else (``../evil.pkl``, ``/etc/passwd``, a symlink that leaves the directory) is refused with a
:class:`~sparksig.errors.SerializationError` naming the ``MLmodel`` key and the path, before
any file is opened.

Every file sparksig reads from a model directory or a command-line argument (``MLmodel``, the
example files, the pickled model, signature files) is opened through :func:`open_regular_file`:
a named pipe, a device, a socket or a directory is refused with a ``SerializationError`` naming
the path, without blocking (a pipe with no writer would otherwise make ``open`` wait forever,
and ``/dev/zero`` would never end).

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

import io
import os
import stat
from collections.abc import Iterator
from typing import IO, Any, Literal, overload

from sparksig.errors import SerializationError

__all__ = [
    "FLAVOR_PATH_KEYS",
    "EXAMPLE_PATH_KEYS",
    "check_mlmodel_paths",
    "file_kind",
    "open_regular_file",
    "read_regular_file",
    "resolve_inside",
]

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


# O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
# O_NOCTTY: a terminal device named by mistake does not become the controlling terminal.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, for messages (``a named pipe (FIFO)``)."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def _refuse(path: str, mode: int, key: str | None) -> SerializationError:
    what = file_kind(mode)
    reason = (
        f"is {what}, not a regular file; sparksig reads only regular files here (a pipe or "
        "a device could block or never end). Save the content to a regular file and give "
        "that path instead"
    )
    return SerializationError(f"{path} {reason}" if key else reason, key or path)


@overload
def open_regular_file(
    path: str | os.PathLike[str], key: str | None = ..., *, text: Literal[False] = ...
) -> IO[bytes]: ...
@overload
def open_regular_file(
    path: str | os.PathLike[str], key: str | None = ..., *, text: Literal[True]
) -> IO[str]: ...
@overload
def open_regular_file(
    path: str | os.PathLike[str], key: str | None = ..., *, text: bool
) -> IO[Any]: ...
def open_regular_file(
    path: str | os.PathLike[str], key: str | None = None, *, text: bool = False
) -> IO[Any]:
    """Open ``path`` for reading if it is a regular file; never blocks on a pipe or device.

    The path is looked at before opening (so a device is never opened) and the opened file
    descriptor again (``fstat``: the answer is about the file actually read, even if the path
    was swapped in between). Symlinks are followed; where they may lead is
    :func:`resolve_inside`'s business.

    Args:
        path: the file.
        key: what names the file, for the error (an ``MLmodel`` key); default: the path.
        text: decode as UTF-8 text instead of returning bytes.

    Returns:
        The open file (binary, or UTF-8 text with ``text=True``); the caller closes it.

    Raises:
        SerializationError: ``path`` is a named pipe, a device, a socket or a directory;
            names the path and what it is.
        OSError: the file cannot be opened (missing, no permission), as from ``open``.

    Examples:
        >>> open_regular_file("/dev/null")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        sparksig.errors.SerializationError: /dev/null: is a character device, not a regular file; ...
    """
    name = os.fspath(path)
    before = os.stat(name)
    if not stat.S_ISREG(before.st_mode):
        raise _refuse(name, before.st_mode, key)
    fd = os.open(name, _OPEN_FLAGS)
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise _refuse(name, opened.st_mode, key)
        _blocking(fd)
        raw = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return io.TextIOWrapper(raw, encoding="utf-8") if text else raw


def _blocking(fd: int) -> None:
    """Clear ``O_NONBLOCK`` again (it means nothing for a regular file, but be exact)."""
    try:
        import fcntl
    except ImportError:  # Windows: there was no O_NONBLOCK to clear
        return
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~getattr(os, "O_NONBLOCK", 0))


@overload
def read_regular_file(
    path: str | os.PathLike[str], key: str | None = ..., *, text: Literal[False] = ...
) -> bytes: ...
@overload
def read_regular_file(
    path: str | os.PathLike[str], key: str | None = ..., *, text: Literal[True]
) -> str: ...
@overload
def read_regular_file(
    path: str | os.PathLike[str], key: str | None = ..., *, text: bool
) -> bytes | str: ...
def read_regular_file(
    path: str | os.PathLike[str], key: str | None = None, *, text: bool = False
) -> bytes | str:
    """The whole content of a regular file (see :func:`open_regular_file`).

    Examples:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        ...     _ = f.write('{"a": 1}')
        >>> read_regular_file(f.name, text=True)
        '{"a": 1}'
    """
    with open_regular_file(path, key, text=text) as f:
        return f.read()
