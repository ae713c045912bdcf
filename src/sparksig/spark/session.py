"""The embedded default: a local SparkSession configured from ``conf/``.

``get_session()`` reuses the active session when there is one (so on a cluster, or under
spark-submit, sparksig uses yours), and otherwise builds ``local[*]`` from
``conf/spark-defaults.conf`` with quiet logging from ``conf/log4j2.properties``. It sets
``PYSPARK_PYTHON`` to the running interpreter so executors import the same packages.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["conf_dir", "get_session", "read_conf"]

# Used when the package is installed without the repository's conf/ folder.
_BUILTIN_DEFAULTS = {
    "spark.master": "local[*]",
    "spark.app.name": "sparksig",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
}


def conf_dir() -> Path:
    """Where the defaults live: ``$SPARKSIG_CONF_DIR``, else the repository's ``conf/``."""
    env = os.environ.get("SPARKSIG_CONF_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "conf"


def read_conf(path: Path | None = None) -> dict[str, str]:
    """Parse a ``spark-defaults.conf`` file (``key value`` lines, ``#`` comments)."""
    path = path or conf_dir() / "spark-defaults.conf"
    if not path.is_file():
        return dict(_BUILTIN_DEFAULTS)
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
    spark.sparkContext.setLogLevel("ERROR")
    return spark
