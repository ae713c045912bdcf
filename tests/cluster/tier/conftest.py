"""The cluster tier's session: ``local-cluster[2,1,1024]``, a master and two executor JVMs.

Only the tier's own process uses this (``tests/cluster/test_cluster_tier.py`` starts it with
``SPARK_LOCAL_IP=127.0.0.1`` and ``PYTHONPATH`` set); it must not share a process with a
``local[*]`` session, which ``getOrCreate`` would silently reuse.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.cluster.tier.executors import ROOT

MASTER = "local-cluster[2,1,1024]"
EXECUTORS = 2
_REGISTRATION_TIMEOUT_S = 300


@pytest.fixture(scope="session")
def spark():
    """sparksig's own builder pointed at the cluster; returns once both executors registered."""
    from pyspark.sql import SparkSession

    from sparksig.spark import get_session

    assert SparkSession.getActiveSession() is None, "the cluster tier needs a process of its own"
    assert os.environ.get("SPARK_LOCAL_IP") == "127.0.0.1", "run it through test_cluster_tier.py"
    session = get_session(
        master=MASTER,
        conf={
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.executor.memory": "1g",
            "spark.driver.memory": "1g",
            # Executors unpickle models and helpers defined in this test package by reference,
            # so their Python workers import what the driver imports.
            "spark.executorEnv.PYTHONPATH": os.environ.get("PYTHONPATH") or str(ROOT),
            "spark.default.parallelism": "8",
            "spark.sql.shuffle.partitions": "4",
        },
    )
    assert session.sparkContext.master == MASTER
    tracker = session.sparkContext.statusTracker()
    deadline = time.monotonic() + _REGISTRATION_TIMEOUT_S
    # The driver is listed among the executor infos too.
    while len(tracker.getExecutorInfos()) < EXECUTORS + 1:
        assert time.monotonic() < deadline, "the two executors did not register in time"
        time.sleep(0.2)
    yield session
    session.stop()
