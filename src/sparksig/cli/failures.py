"""How Spark's failures reach the user: one line each, with the right exit code.

Spark reads lazily, so an unreadable input (an empty folder, a zero-byte or truncated
Parquet file, garbage bytes) can fail when the table is opened or at the first job that
reads it, as a ``pyspark.errors`` exception, a Spark Connect exception or a raw
``Py4JJavaError`` with a Java trace. This module recognises those failures by Spark's error
condition (``FAILED_READ_FILE``, ``UNABLE_TO_INFER_SCHEMA``, ...) and turns them into a
:class:`~sparksig.errors.SerializationError` naming the input, which the command group prints
as one line with exit code 2. Anything it does not recognise is left alone.

Nothing here imports pyspark or py4j: an exception is only inspected when those modules are
already loaded, so ``sparksig --help`` stays instant.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from sparksig.errors import SerializationError

__all__ = [
    "SOURCE_KEY",
    "Source",
    "enforcement_failure",
    "first_line",
    "is_spark_error",
    "job_failure",
    "read_failure",
    "spark_condition",
]

SOURCE_KEY = "sparksig.source"
"""Where a command records the :class:`Source` it reads (in ``click.Context.meta``)."""

_CONDITION = re.compile(r"\[([A-Z][A-Z0-9_]*(?:\.[A-Z][A-Z0-9_]*)*)\]")
_READ_FILE = re.compile(r"reading file (\S+?)\.?(?:\s|$)")
_JAVA_CLASS = re.compile(r"^(?:[a-z][\w$]*\.)+([A-Z][\w$]*(?:Exception|Error))\b")
_SQLSTATE = re.compile(r"\s*SQLSTATE: \w+;*\s*$")
_ENFORCEMENT = re.compile(r"^(?:[\w.]+\.)?SchemaEnforcementError: ")


@dataclass(frozen=True)
class Source:
    """What a command reads: a path and its format, or a catalog table."""

    name: str
    fmt: str | None = None
    is_table: bool = False


def is_spark_error(error: BaseException) -> bool:
    """A ``pyspark.errors`` exception (classic or Connect) or a py4j error from the JVM."""
    if "pyspark" in sys.modules:
        from pyspark.errors import PySparkException

        if isinstance(error, PySparkException):
            return True
    if "py4j.protocol" in sys.modules:
        from py4j.protocol import Py4JError

        if isinstance(error, Py4JError):
            return True
    return False


def spark_condition(error: BaseException) -> str | None:
    """Spark's error condition (``"FAILED_READ_FILE.NO_HINT"``), or None when it has none.

    Examples:
        >>> spark_condition(RuntimeError("[PATH_NOT_FOUND] Path does not exist: /x"))
        'PATH_NOT_FOUND'
        >>> spark_condition(RuntimeError("values [1, 2]")) is None
        True
    """
    get = getattr(error, "getCondition", None)
    if callable(get):
        try:
            condition = get()
        except Exception:  # a py4j call into a JVM that is gone
            condition = None
        if condition:
            return str(condition)
    match = _CONDITION.search(_text(error))
    return match.group(1) if match else None


def _text(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # str() of a py4j error calls into the JVM
        return type(error).__name__


def first_line(error: BaseException) -> str:
    """The first meaningful line of an exception's text, without Java package names.

    Examples:
        >>> first_line(RuntimeError("An error occurred while calling o55.load.\\n"
        ...     ": org.apache.orc.FileFormatException: Malformed ORC file x.orc\\n\\tat ..."))
        'FileFormatException: Malformed ORC file x.orc'
    """
    for raw in _text(error).splitlines():
        line = raw.strip().lstrip(":").strip()
        if not line or line.startswith("An error occurred while calling"):
            continue
        line = _SQLSTATE.sub("", _JAVA_CLASS.sub(r"\1", line))
        return line.rstrip(";").rstrip()
    return type(error).__name__


def _reason(condition: str | None, fmt: str) -> str | None:
    """What went wrong and what to do, for the read failures this module recognises."""
    if condition is None:
        return None
    if condition == "UNABLE_TO_INFER_SCHEMA":
        return (
            f"no {fmt} data to read (an empty folder, or only empty files); "
            "check the path, or give --input-format"
        )
    if condition == "PATH_NOT_FOUND":
        return "no such file or directory"
    if condition in ("TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND"):
        return "no such table or view in the catalog; check the name and the current schema"
    if condition == "FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER":
        return (
            f"not a readable {fmt} file: its footer cannot be read (truncated, corrupt, or not "
            f"{fmt} at all); check the file, or give --input-format"
        )
    if condition.startswith("FAILED_READ_FILE"):
        return f"the file cannot be read as {fmt} (corrupt, or another format); check the file"
    return None


def read_failure(
    error: BaseException, source: Source | None, *, opening: bool = False
) -> SerializationError | None:
    """The usage error for a Spark failure to read ``source``, or None if it is not one.

    Args:
        error: what Spark raised.
        source: what the command was reading (None: not reading anything yet).
        opening: the error came from opening the table (schema inference, footers), so
            any Spark failure there is a read failure even without a known condition.
    """
    if source is None or not is_spark_error(error):
        return None
    condition = spark_condition(error)
    fmt = source.fmt or "table"
    reason = _reason(condition, fmt)
    if reason is None:
        if not opening:
            return None
        reason = f"cannot read it as {fmt}: {first_line(error)}"
    if source.is_table:
        return SerializationError(reason, f"table {source.name}")
    where = _READ_FILE.search(_text(error))
    if where is not None:
        part = where.group(1).removeprefix("file://").removeprefix("file:")
        if not _same_path(part, source.name):
            reason = f"{part}: {reason}"  # one file inside a folder or a glob
    return SerializationError(reason, source.name)


def _same_path(a: str, b: str) -> bool:
    import os

    return os.path.abspath(a) == os.path.abspath(b.removeprefix("file:"))


def enforcement_failure(error: BaseException) -> str | None:
    """The signature violation that stopped a scoring job, if that is what stopped it.

    The executor raised :class:`~sparksig.errors.SchemaEnforcementError`; its message is the
    line ``...SchemaEnforcementError: <headline>`` of the Python traceback inside Spark's
    error text, followed by ``- [code] ...`` lines.

    Examples:
        >>> text = ('Traceback (most recent call last):\\n'
        ...     '    raise SchemaEnforcementError.of(*found)\\n'
        ...     'sparksig.errors.SchemaEnforcementError: Data does not match the signature:\\n'
        ...     '- [type_mismatch] amount: expected double\\n SQLSTATE: 38000')
        >>> print(enforcement_failure(RuntimeError(text)))
        Data does not match the signature:
        - [type_mismatch] amount: expected double
    """
    lines = _text(error).splitlines()
    headlines = [i for i, line in enumerate(lines) if _ENFORCEMENT.match(line)]
    if not headlines:
        return None
    at = headlines[-1]
    found = [lines[at].split("SchemaEnforcementError: ", 1)[1].strip()]
    for line in lines[at + 1 :]:
        if not line.startswith("- ["):
            break
        found.append(line.rstrip())
    return "\n".join(found)


def job_failure(error: BaseException) -> str:
    """One line saying why a Spark job failed: the Python exception an executor raised
    (with the function it came from), else Spark's condition and first line.

    Examples:
        >>> text = ('An exception was thrown from the Python worker: Traceback (most recent '
        ...     'call last):\\n  File "<dynamic-code>", line 5, in boom\\n'
        ...     'ZeroDivisionError: model blew up\\n SQLSTATE: 38000\\n\\tat org.apache...')
        >>> job_failure(RuntimeError(text))
        'ZeroDivisionError: model blew up (in boom, <dynamic-code> line 5)'
    """
    text = _text(error)
    marker = "Traceback (most recent call last):"
    if marker in text:
        tail = text[text.rindex(marker) + len(marker) :].splitlines()
        where, last = None, None
        for line in tail:
            frame = re.match(r'\s+File "(.+)", line (\d+), in (.+)$', line)
            if frame:
                where = f"in {frame.group(3)}, {frame.group(1)} line {frame.group(2)}"
            elif line and not line[0].isspace() and not line.startswith("^"):
                last = line.strip()
                break
        if last:
            return f"{last} ({where})" if where else last
    return first_line(error)
