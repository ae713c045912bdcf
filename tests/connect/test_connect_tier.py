"""The Spark Connect tier: the public Spark API through a local Spark Connect server.

Runs the tier's tests (``tier/tier_*.py``) in a separate pytest process: a Connect client
session cannot share a process with the suite's classic ``local[*]`` session. Needs the
``connect`` extra (``pyspark[connect]``: grpcio, grpcio-status, googleapis-common-protos,
zstandard), which the ``dev`` extra includes.

Slow (about a minute, mostly the server's start-up): only ``--runslow`` runs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cluster.subprocess_tier import run_tier


@pytest.mark.timeout(1200)  # run_tier gives the tier 900 s
def test_connect_tier(spawn_spark):
    # The server's Python workers import the tier's model from this package.
    env = spawn_spark.with_checkout_on_path(spawn_spark.spark_env(clean=True))
    run_tier(Path(__file__).parent / "tier", env)
