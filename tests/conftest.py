"""Shared test setup. Spark tests get one session for the whole run (``spark`` fixture)."""

from __future__ import annotations

import os
import sys

import pytest

# Executors must import the same interpreter's packages (sparksig, pandas, pyarrow).
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """The embedded local session, built once per test run through sparksig's own builder."""
    from sparksig.spark import get_session

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = get_session(
        conf={
            "spark.default.parallelism": "2",
            "spark.sql.shuffle.partitions": "2",
            # catalog tables go to a temporary folder, not ./spark-warehouse
            "spark.sql.warehouse.dir": str(warehouse),
        }
    )
    yield session
    session.stop()
