"""Run a test tier (``tier_*.py`` files) in a fresh pytest process and fail with its output.

The cluster and Spark Connect tiers each need a process of their own: a SparkSession of
another kind in the same process would be reused by ``getOrCreate``.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from tests import spawn

ROOT = spawn.ROOT


def run_tier(tier: Path, env: dict[str, str], timeout: int = 900) -> str:
    """Run the ``tier_*.py`` tests under ``tier``; return pytest's summary line.

    Fails when the run fails, when it passed nothing, or when anything was skipped or
    errored (an xfail is allowed: it records a known, reported limitation).
    """
    args = [
        *(sys.executable, "-m", "pytest", str(tier)),
        *("-o", "python_files=tier_*.py", "-p", "no:cacheprovider", "-q", "-rfEsxX"),
    ]
    started = time.perf_counter()
    done = spawn.run(args, cwd=ROOT, env=env, timeout=timeout)
    took = time.perf_counter() - started
    output = f"{done.stdout}\n{done.stderr}"
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    print(f"{tier.relative_to(ROOT)}: {summary} (wall {took:.0f} s)")
    assert done.returncode == 0, f"the tier failed (exit {done.returncode}):\n{output}"
    assert re.search(r"\d+ passed", summary), output
    assert not re.search(r"failed|error|skipped", summary), output
    return summary
