"""The cluster tier: the public Spark API on ``local-cluster[2,1,1024]``, in its own process.

A ``local-cluster`` master starts a standalone master, two workers and one executor JVM per
worker, so Python tasks run in two executor JVMs (and their Python workers) apart from the
driver, as on a real cluster. It cannot share this process: the suite's ``local[*]`` session
would be reused by ``getOrCreate``. So this test runs the tier's tests (``tier/tier_*.py``)
in a separate pytest process and fails with its output when any of them fails.

Slow (two to three minutes on two busy cores, mostly JVM start-up): ``-m "not slow"`` skips it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.cluster.subprocess_tier import ROOT, run_tier

pytestmark = pytest.mark.slow


def test_cluster_tier():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_"))}
    env.update(
        SPARK_LOCAL_IP="127.0.0.1",
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_DRIVER_PYTHON=sys.executable,
        # The executors import this package's modules (the tier's model and helpers).
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    run_tier(Path(__file__).parent / "tier", env)
