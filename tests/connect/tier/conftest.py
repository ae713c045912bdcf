"""The Connect tier's session: a local Spark Connect server, reached over gRPC.

``SparkSession.builder.remote("local[2]")`` starts a Connect server (in a JVM this process
launches) and returns a client session: everything goes through the Connect protocol, and
nothing in this process can reach the JVM through py4j. Only the tier's own process uses
this (``tests/connect/test_connect_tier.py``).
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    assert SparkSession.getActiveSession() is None, "the Connect tier needs a process of its own"
    session = (
        SparkSession.builder.remote("local[2]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()
