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
import sys
from pathlib import Path
from typing import Any

from sparksig.errors import InvalidArgumentError, SparksigError

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
        SparksigError: neither the package nor a checkout holds one (a broken install).

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
    raise SparksigError(
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


def get_session(master: str | None = None, conf: dict[str, Any] | None = None) -> Any:
    """Return the active SparkSession, or build the embedded local one.

    Args:
        master: overrides ``spark.master`` (e.g. ``"local[2]"``, ``"yarn"``).
        conf: extra ``spark.*`` settings, applied over ``conf/spark-defaults.conf``.

    Examples:
        >>> spark = get_session()  # doctest: +SKIP
        >>> spark.range(3).count()  # doctest: +SKIP
        3
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None and not conf:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    settings = read_conf()
    settings.update({k: str(v) for k, v in (conf or {}).items()})
    if master:
        settings["spark.master"] = master
    log4j = conf_dir() / "log4j2.properties"
    if log4j.is_file():
        opt = f"-Dlog4j2.configurationFile={log4j.as_uri()}"
        for key in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):
            settings[key] = f"{settings[key]} {opt}" if key in settings else opt
    builder = SparkSession.builder
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    if not _is_connect(spark):  # a Connect session has no SparkContext in this process (py4j)
        spark.sparkContext.setLogLevel("ERROR")
    return spark


def _is_connect(spark: Any) -> bool:
    """True for a Spark Connect client session, without importing the Connect client."""
    return type(spark).__module__.startswith("pyspark.sql.connect")
