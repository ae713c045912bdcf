"""Where work ran: the executor JVM of a Python task, and the tasks each executor finished.

Two independent witnesses, both able to fail:

* :func:`executor_id` runs *inside* a Python task (a UDF, a model): it walks up the process
  tree from the Python worker to the executor JVM (``CoarseGrainedExecutorBackend``) and
  returns that JVM's ``--executor-id``. In ``local[*]`` there is no such JVM: ``None``.
* :func:`tasks_per_executor` runs an action on the driver and reports how many tasks each
  executor finished meanwhile, from Spark's own status store (a JVM-side listener).

This module is imported by the executors too (``spark.executorEnv.PYTHONPATH``), so it
imports nothing heavy at module level.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[3]
_BACKEND = b"org.apache.spark.executor.CoarseGrainedExecutorBackend"

T = TypeVar("T")


def executor_id() -> str | None:
    """The id of the executor JVM this process descends from, or None (driver, local mode)."""
    pid = os.getpid()
    while pid > 1:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
        if _BACKEND in args:
            return args[args.index(b"--executor-id") + 1].decode()
        with open(f"/proc/{pid}/stat") as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])  # field 4: the parent pid
    return None


def _finished_tasks(spark: Any) -> dict[str, int]:
    context = spark.sparkContext._jsc.sc()
    context.listenerBus().waitUntilEmpty()  # the status store is fed by the listener bus
    summaries = context.statusStore().executorList(True)
    counts = {}
    for i in range(summaries.size()):
        summary = summaries.apply(i)
        if summary.id() != "driver":
            counts[summary.id()] = summary.completedTasks()
    return counts


def tasks_per_executor(spark: Any, action: Callable[[], T]) -> tuple[T, dict[str, int]]:
    """Run ``action()``; return its result and the tasks each executor finished for it."""
    before = _finished_tasks(spark)
    result = action()
    after = _finished_tasks(spark)
    return result, {e: n - before.get(e, 0) for e, n in after.items()}
