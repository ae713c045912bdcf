"""The embedded default: a local SparkSession configured from ``conf/``.

``get_session()`` reuses the active session when there is one (so on a cluster, or under
spark-submit, sparksig uses yours), and otherwise builds ``local[*]`` from
``conf/spark-defaults.conf`` with quiet logging from ``conf/log4j2.properties``. It sets
``PYSPARK_PYTHON`` to the running interpreter so executors import the same packages.

The repository's top-level ``conf/`` is the one source of those settings. Building a wheel
copies it into the package as ``sparksig/_conf`` (``setup.py``), so an installed sparksig
runs with the same defaults as a checkout; :func:`conf_dir` says which copy is in force.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sparksig.errors import EnvironmentSetupError, InvalidArgumentError

__all__ = ["conf_dir", "get_session", "read_conf"]

_DEFAULTS_FILE = "spark-defaults.conf"
# The copy of conf/ that the wheel build puts inside the package (see setup.py).
_PACKAGED = Path(__file__).resolve().parents[1] / "_conf"
# A source checkout (editable install) is laid out as <root>/src/sparksig/spark/session.py.
_ROOT = Path(__file__).resolve().parents[3]


def conf_dir() -> Path:
    """Where the Spark defaults are read from.

    In order: ``$SPARKSIG_CONF_DIR``; the copy of ``conf/`` packaged in the installed wheel;
    the repository's ``conf/`` when sparksig runs from a source checkout.

    Raises:
        InvalidArgumentError: ``$SPARKSIG_CONF_DIR`` holds no ``spark-defaults.conf``.
        EnvironmentSetupError: neither the package nor a checkout holds one (a broken install).

    Examples:
        >>> (conf_dir() / "spark-defaults.conf").is_file()
        True
    """
    env = os.environ.get("SPARKSIG_CONF_DIR")
    if env:
        if not (Path(env) / _DEFAULTS_FILE).is_file():
            raise InvalidArgumentError(
                f"SPARKSIG_CONF_DIR={env} has no {_DEFAULTS_FILE}: point it at a folder "
                "laid out like the repository's conf/, or unset it to use the packaged defaults"
            )
        return Path(env)
    candidates = [_PACKAGED]
    if (_ROOT / "pyproject.toml").is_file():
        candidates.append(_ROOT / "conf")
    for candidate in candidates:
        if (candidate / _DEFAULTS_FILE).is_file():
            return candidate
    raise EnvironmentSetupError(
        f"sparksig's Spark defaults are missing: no {_DEFAULTS_FILE} in "
        f"{' or '.join(str(c) for c in candidates)}. Reinstall sparksig (from a wheel or a "
        "source checkout), or set SPARKSIG_CONF_DIR to a folder holding the file."
    )


def read_conf(path: Path | None = None) -> dict[str, str]:
    """Parse a ``spark-defaults.conf`` file (``key value`` lines, ``#`` comments).

    Args:
        path: the file; default: ``spark-defaults.conf`` in :func:`conf_dir`.

    Raises:
        InvalidArgumentError: ``path`` is not a file.
    """
    path = path or conf_dir() / _DEFAULTS_FILE
    if not path.is_file():
        raise InvalidArgumentError(f"{path} is not a Spark defaults file (not found)")
    conf: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        conf[key.strip()] = value.strip()
    return conf


def get_session(
    master: str | None = None,
    conf: dict[str, Any] | None = None,
    *,
    remote: str | None = None,
    quiet: bool = False,
) -> Any:
    """Return the active SparkSession, or build the embedded local one (or a Connect session).

    Args:
        master: overrides ``spark.master`` (e.g. ``"local[2]"``, ``"yarn"``).
        conf: extra ``spark.*`` settings, applied over ``conf/spark-defaults.conf``.
        remote: a Spark Connect URL (``"sc://host:15002"``), or ``"local[N]"`` to start a
            local Connect server. The session then talks to Spark over gRPC: nothing that
            needs the JVM in this process (``sparkContext``) is available. Over ``sc://`` only
            the ``spark.sql.*`` defaults and ``conf`` are applied (a server's static settings
            are its own). Not together with ``master``.
        quiet: hide the JVM's console output (start-up warnings, log lines) when this call
            starts the JVM. The JVM keeps writing its console output to a discarded temporary
            file for its whole life; if start-up fails, what it printed is shown.

    Raises:
        InvalidArgumentError: both ``master`` and ``remote`` were given.
        EnvironmentSetupError: ``remote`` was given but the Connect client packages are missing.

    Examples:
        >>> spark = get_session()  # doctest: +SKIP
        >>> spark.range(3).count()  # doctest: +SKIP
        3
        >>> get_session("local[2]", remote="sc://localhost:15002")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        sparksig.errors.InvalidArgumentError: give master or remote, not both (...)
    """
    if master and remote:
        raise InvalidArgumentError(
            f"give master or remote, not both (master={master!r}, remote={remote!r})"
        )
    from pyspark.sql import SparkSession

    if remote:
        return _connect_session(remote, conf, quiet)
    active = SparkSession.getActiveSession()
    if active is not None and master is None and not conf:
        return active
    settings = _local_settings(conf)
    if master:
        settings["spark.master"] = master
    builder = SparkSession.builder
    for key, value in settings.items():
        builder = builder.config(key, value)
    with _console_hidden(quiet):
        spark = builder.getOrCreate()
    try:  # Spark Connect sessions (SPARK_REMOTE set) have no SparkContext
        context = spark.sparkContext
    except Exception:
        return spark
    context.setLogLevel("ERROR")
    return spark


def _local_settings(conf: dict[str, Any] | None) -> dict[str, str]:
    """conf/spark-defaults.conf, then ``conf``, plus the log4j file for the driver JVM."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    settings = read_conf()
    settings.update({k: str(v) for k, v in (conf or {}).items()})
    log4j = conf_dir() / "log4j2.properties"
    if log4j.is_file():
        opt = f"-Dlog4j2.configurationFile={log4j.as_uri()}"
        for key in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):
            settings[key] = f"{settings[key]} {opt}" if key in settings else opt
    return settings


def _connect_session(remote: str, conf: dict[str, Any] | None, quiet: bool) -> Any:
    """A Spark Connect session: a local Connect server for ``local[N]``, else a client."""
    from pyspark.sql import SparkSession

    try:
        from pyspark.sql.connect.utils import (
            require_minimum_googleapis_common_protos_version,
            require_minimum_grpc_version,
            require_minimum_grpcio_status_version,
            require_minimum_zstandard_version,
        )

        for require in (
            require_minimum_grpc_version,
            require_minimum_grpcio_status_version,
            require_minimum_googleapis_common_protos_version,
            require_minimum_zstandard_version,
        ):
            require()
    except ImportError as e:
        raise EnvironmentSetupError(
            f'Spark Connect ({remote}) needs the client packages: pip install "pyspark[connect]" '
            f"({e})"
        ) from None
    if remote.startswith("local"):
        settings = _local_settings(conf)
        settings.pop("spark.master", None)
    else:
        _check_reachable(remote)
        settings = {k: v for k, v in read_conf().items() if k.startswith("spark.sql.")}
        settings.update({k: str(v) for k, v in (conf or {}).items()})
    builder = SparkSession.builder.remote(remote)
    for key, value in settings.items():
        builder = builder.config(key, value)
    with _console_hidden(quiet), warnings.catch_warnings():
        # pyspark re-applies every setting to the client session and warns about those a
        # Connect session cannot take (static ones, Arrow fallback); for sparksig's own
        # defaults that is noise (a local server already started with them). A setting the
        # caller passed still warns.
        for key in settings.keys() - (conf or {}).keys():
            warnings.filterwarnings("ignore", f".*{re.escape(key)}\\b", UserWarning)
        return builder.getOrCreate()


def _check_reachable(remote: str, timeout: float = 10.0) -> None:
    """Fail fast when nothing listens at a ``sc://`` address.

    The Connect client retries an unreachable server with backoff for many minutes before
    it gives up; a plain TCP connection says at once whether anyone is there.
    """
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(remote)
    host, port = parts.hostname or "localhost", parts.port or 15002
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError as e:
        raise EnvironmentSetupError(
            f"cannot reach the Spark Connect server {remote} ({host}:{port}: "
            f"{e.strerror or e}); is it running, and are the host and port right?"
        ) from None


@contextmanager
def _console_hidden(enabled: bool) -> Iterator[None]:
    """Point file descriptor 2 at a temporary file while the block runs (a JVM starting).

    A JVM launched inside the block inherits that descriptor, so its console output stays
    in the (already unlinked) file for its whole life. If the block fails, the captured text
    is written to the real stderr before the error propagates.
    """
    if not enabled:
        yield
        return
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to hide
        yield
        return
    failed = False
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if failed:
                captured.seek(0)
                with open(2, "wb", closefd=False) as stderr:
                    stderr.write(captured.read())
