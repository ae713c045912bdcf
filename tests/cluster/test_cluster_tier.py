"""The cluster tier: the public Spark API on ``local-cluster[2,1,1024]``, in its own process.

A ``local-cluster`` master starts a standalone master, two workers and one executor JVM per
worker, so Python tasks run in two executor JVMs (and their Python workers) apart from the
driver, as on a real cluster. It cannot share this process: the suite's ``local[*]`` session
would be reused by ``getOrCreate``. So this test runs the tier's tests (``tier/tier_*.py``)
in a separate pytest process and fails with its output when any of them fails.

Slow (two to three minutes on two busy cores, mostly JVM start-up): only ``--runslow`` runs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cluster.subprocess_tier import run_tier


@pytest.mark.timeout(1200)  # run_tier gives the tier 900 s
def test_cluster_tier(spawn_spark):
    # The executors import this package's modules (the tier's model and helpers).
    env = spawn_spark.with_checkout_on_path(spawn_spark.spark_env(clean=True))
    run_tier(Path(__file__).parent / "tier", env)
