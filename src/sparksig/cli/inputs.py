"""What the commands read and write: Spark options, tables, and signature files.

Signature files come in the forms people have on disk:

- a model directory (sparksig or MLflow) or its ``MLmodel`` file: the ``signature`` block;
- ``*.json``: ``{"inputs": [...], "outputs": [...], "params": [...]}`` (parts may be missing or
  null, and may be JSON strings as in MLflow's ``ModelSignature.to_dict()``), or a bare list of
  column specs, read as the inputs;
- ``*.yaml`` / ``*.yml``: the same mapping, or a document with a ``signature:`` block.

Every unreadable or malformed file raises :class:`~sparksig.errors.SerializationError` naming
the file, which the command group turns into exit code 2.
"""

from __future__ import annotations

import functools
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sparksig.errors import EnvironmentSetupError, InvalidArgumentError, SerializationError
from sparksig.schema import Schema
from sparksig.signature import ModelSignature

__all__ = [
    "FORMATS",
    "check_data",
    "guess_format",
    "load_signature",
    "open_session",
    "parse_key_values",
    "prepare_output",
    "spark_options",
    "write_signature",
]

FORMATS = ("parquet", "csv", "json", "orc")
_SIGNATURE_KEYS = ("inputs", "outputs", "params")


def parse_key_values(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    """``("a=1", "b=x=y")`` -> ``{"a": "1", "b": "x=y"}``; a pair without ``=`` is a usage error.

    Examples:
        >>> parse_key_values(("spark.sql.shuffle.partitions=8",), "--conf")
        {'spark.sql.shuffle.partitions': '8'}
    """
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint=option)
        out[key.strip()] = value
    return out


def _check_remote(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value and not value.startswith(("sc://", "local")):
        raise click.BadParameter(
            f"expected a Spark Connect URL sc://HOST:PORT, got {value!r}", ctx, param
        )
    return value or None


def spark_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--master``, ``--remote``, ``--conf k=v`` (repeatable) and ``--verbose``.

    ``--master`` and ``--remote`` (or ``SPARK_REMOTE``) together are a usage error, raised
    before the command does anything.
    """

    command = fn

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("master") and kwargs.get("remote"):
            raise click.UsageError(
                "--master and --remote cannot be used together (--remote may come from "
                "SPARK_REMOTE): give one of them"
            )
        return command(*args, **kwargs)

    fn = click.option(
        "--verbose",
        is_flag=True,
        help="Show Spark's own console output: JVM start-up lines and log messages.",
    )(checked)
    fn = click.option(
        "--conf",
        "conf",
        multiple=True,
        metavar="KEY=VALUE",
        help="Spark setting, repeatable (e.g. --conf spark.executor.memory=4g).",
    )(fn)
    fn = click.option(
        "--remote",
        default=None,
        metavar="URL",
        envvar="SPARK_REMOTE",
        callback=_check_remote,
        help="Spark Connect server, sc://HOST:PORT (default: $SPARK_REMOTE). Not with --master.",
    )(fn)
    fn = click.option(
        "--master",
        default=None,
        metavar="URL",
        help="Spark master (local[4], yarn, spark://host:7077, k8s://...). "
        "Default: the embedded local session from conf/spark-defaults.conf.",
    )(fn)
    return fn


def sampling_options(mode_help: str, seed_help: str) -> Callable[..., Any]:
    """``--mode``, ``--fraction``, ``--max-rows`` and ``--seed``, shared by infer and validate."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option(
                "--mode",
                type=click.Choice(["full", "sampled"]),
                default="full",
                show_default=True,
                help=mode_help,
            ),
            click.option(
                "--fraction", type=click.FloatRange(0, 1, min_open=True), help="Sample fraction."
            ),
            click.option(
                "--max-rows", type=click.IntRange(min=1), help="Target sample size (sampled)."
            ),
            click.option("--seed", type=int, help=seed_help),
        ]
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


def open_session(
    master: str | None,
    conf: tuple[str, ...],
    remote: str | None = None,
    verbose: bool = False,
) -> Any:
    """The SparkSession for a command: :func:`sparksig.spark.get_session` with the options.

    Without ``verbose``, the JVM's console output (start-up warnings, log lines) is hidden,
    and so are PySpark's own error-context log lines: the command reports failures itself.
    """
    settings = parse_key_values(conf, "--conf")
    from sparksig.spark import get_session

    if not verbose:
        _quiet_pyspark_loggers()
    try:
        return get_session(master=master, conf=settings or None, remote=remote, quiet=not verbose)
    except Exception as e:
        from sparksig.cli.failures import first_line, is_spark_error

        if not is_spark_error(e):
            raise
        if settings:  # an existing session rejected a setting
            raise InvalidArgumentError(
                f"--conf: Spark refused a setting: {first_line(e)}"
            ) from None
        raise EnvironmentSetupError(f"cannot start Spark: {first_line(e)}") from None


def _quiet_pyspark_loggers() -> None:
    """PySpark 4 logs every failed query's context as JSON on stderr; the CLI reports it."""
    import logging

    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # an older PySpark: nothing to hide
        return
    for name in ("DataFrameQueryContextLogger", "SQLQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def _is_local(path: str) -> bool:
    return "://" not in path


def prepare_output(path: str, option: str) -> None:
    """Make the folder that will hold ``path`` now, before any Spark work (local paths).

    Raises:
        InvalidArgumentError: the folder cannot be made (a file in the way, no permission).

    Examples:
        >>> prepare_output("/dev/null/report.json", "-o")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        sparksig.errors.InvalidArgumentError: -o /dev/null/report.json: cannot make its folder ...
    """
    if not _is_local(path):
        return
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    except OSError as e:
        raise InvalidArgumentError(
            f"{option} {path}: cannot make its folder ({e.strerror or e}: {e.filename})"
        ) from None


def guess_format(path: str) -> str:
    """The reader for a path: its extension, or ``parquet`` for a folder of ``*.parquet``.

    Examples:
        >>> guess_format("data/people.csv")
        'csv'
    """
    p = Path(path)
    suffix = p.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix in ("jsonl", "ndjson"):
        return "json"
    if _is_local(path) and p.is_dir():
        for fmt in FORMATS:
            if any(p.glob(f"*.{fmt}")) or any(p.glob(f"*/*.{fmt}")):
                return fmt
    return "parquet"


def check_data(data: str | None, table: str | None) -> None:
    """Usage errors about DATA / --table, raised before Spark starts."""
    if (data is None) == (table is None):
        raise click.UsageError("give exactly one of DATA (a path) or --table NAME")
    is_glob = data is not None and any(c in data for c in "*?[")
    if data is None or not _is_local(data) or is_glob:
        return
    try:
        mode = os.stat(data).st_mode
    except OSError:
        raise click.BadParameter(f"no such file or directory: {data}", param_hint="DATA") from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        from sparksig.models.paths import file_kind

        raise click.BadParameter(
            f"{data} is {file_kind(mode)}, not a file or a folder of files; Spark would wait "
            "on it or read it forever. Save the data to a file and give that path instead",
            param_hint="DATA",
        )


# -- signature files ----------------------------------------------------------------------


def load_signature(path: str) -> ModelSignature:
    """Read a signature from a model directory, an MLmodel file, or a JSON/YAML file.

    Raises:
        SerializationError: the file is missing, unreadable, not a regular file (a named
            pipe, a device: refused without waiting on it), malformed, or has no signature.

    Examples:
        >>> load_signature("/nonexistent.json")  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        sparksig.errors.SerializationError: /nonexistent.json: no such file or directory
    """
    p = Path(path)
    if p.is_dir() or p.name == "MLmodel":
        from sparksig.models import get_model_info

        signature = get_model_info(path).signature
        if signature is None:
            raise SerializationError("the model has no signature", str(path))
        return signature
    if not p.exists():
        raise SerializationError("no such file or directory", str(path))
    from sparksig.models.paths import read_regular_file

    try:
        text = read_regular_file(path, text=True)  # refuses a named pipe or a device
    except FileNotFoundError:
        raise SerializationError("no such file or directory", str(path)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise SerializationError(f"cannot read the file: {e}", str(path)) from None
    try:
        doc = _parse_document(text, p)
        return _signature_from_document(doc, str(path))
    except RecursionError:
        raise SerializationError(
            "nested too deeply to read (hundreds of levels); is it a signature?", str(path)
        ) from None


def _parse_document(text: str, p: Path) -> Any:
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        from sparksig.models.mlmodel import load_yaml

        try:
            return load_yaml(text, str(p), str(p))
        except SerializationError:
            raise
        except yaml.YAMLError as e:
            raise SerializationError(f"not valid YAML ({_yaml_problem(e)})", str(p)) from None
        except ValueError as e:  # a number longer than Python's int limit
            raise SerializationError(f"not valid YAML ({e})", str(p)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise SerializationError(
            f"not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})", str(p)
        ) from None
    except ValueError as e:  # a number longer than Python's int limit (4,300 digits)
        raise SerializationError(f"not valid JSON ({e})", str(p)) from None


def _yaml_problem(error: Exception) -> str:
    """PyYAML's error as one line: the problem and where (its str() spans several lines).

    Examples:
        >>> import yaml
        >>> try:
        ...     yaml.safe_load(":")
        ... except yaml.YAMLError as e:
        ...     print(_yaml_problem(e))
        expected <block end>, but found ':' at line 1, column 1
    """
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"


def _signature_from_document(doc: Any, where: str) -> ModelSignature:
    if isinstance(doc, dict) and isinstance(doc.get("signature"), dict):
        doc = doc["signature"]
    try:
        if isinstance(doc, list):
            return ModelSignature(inputs=Schema.from_json(doc))
        if isinstance(doc, dict) and any(k in doc for k in _SIGNATURE_KEYS):
            if not any(doc.get(k) for k in _SIGNATURE_KEYS):
                raise SerializationError("the signature has no inputs, outputs or params", where)
            return ModelSignature.from_dict(doc)
    except SerializationError as e:
        if str(e).startswith(where):
            raise
        raise SerializationError(str(e), where) from None
    raise SerializationError(
        "expected a signature: a mapping with inputs/outputs/params, a list of column specs, "
        "or an MLmodel document with a signature block",
        where,
    )


def signature_document(signature: ModelSignature) -> dict[str, Any]:
    """The readable JSON form written by ``infer -o x.json``: parts as lists, or null."""
    return {
        "inputs": signature.inputs.to_dict() if signature.inputs else None,
        "outputs": signature.outputs.to_dict() if signature.outputs else None,
        "params": signature.params.to_dict() if signature.params else None,
    }


def write_signature(signature: ModelSignature, path: str) -> str:
    """Write a signature where ``path`` says; returns a short description of what was written.

    - ``*.json`` -> the readable JSON form (:func:`signature_document`);
    - ``*.yaml`` / ``*.yml`` -> MLflow's MLmodel ``signature`` mapping (JSON strings) as YAML;
    - a model directory, or a file named ``MLmodel`` -> the ``signature`` block of that MLmodel
      file, keeping every other key (a new MLmodel file is created when none exists).
    """
    p = Path(path)
    if p.is_dir() or p.name == "MLmodel":
        from sparksig.models.mlmodel import mlmodel_path, set_signature, write_mlmodel

        file = Path(mlmodel_path(path))
        if file.exists():
            set_signature(path, signature)
            return f"signature of {file}"
        file.parent.mkdir(parents=True, exist_ok=True)
        write_mlmodel(str(file), {"signature": signature.to_dict()})
        return str(file)
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        p.write_text(yaml.safe_dump({"signature": signature.to_dict()}, sort_keys=False))
    else:
        p.write_text(json.dumps(signature_document(signature), indent=2) + "\n")
    return str(p)
