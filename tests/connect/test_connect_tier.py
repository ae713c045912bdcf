"""The Spark Connect tier: the public Spark API through a local Spark Connect server.

Runs the tier's tests (``tier/tier_*.py``) in a separate pytest process: a Connect client
session cannot share a process with the suite's classic ``local[*]`` session. Needs the
``connect`` extra (``pyspark[connect]``: grpcio, grpcio-status, googleapis-common-protos,
zstandard), which the ``dev`` extra includes.

Slow (about a minute, mostly the server's start-up): ``-m "not slow"`` skips it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.cluster.subprocess_tier import ROOT, run_tier

pytestmark = pytest.mark.slow


def test_connect_tier():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_"))}
    env.update(
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_DRIVER_PYTHON=sys.executable,
        # The server's Python workers import the tier's model from this package.
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    run_tier(Path(__file__).parent / "tier", env)
