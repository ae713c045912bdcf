"""A progress bar for long Spark jobs, driven by Spark's status tracker.

While a command's Spark work runs, a background thread polls
``SparkContext.statusTracker()`` a few times a second and shows, on stderr, the active stages
and their finished/total tasks. It is shown only when stderr is a terminal (never in CI logs
or when output is piped) and disappears when the work ends, leaving the one-line summary.
On Spark Connect there is no status tracker in this process (it lives in the server's JVM):
the bar is then simply not shown.

Examples:
    >>> with SparkProgress(spark, enabled=True):  # doctest: +SKIP
    ...     df.count()
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["SparkProgress", "StageState", "snapshot", "status_tracker"]

_POLL_SECONDS = 0.25


@dataclass(frozen=True)
class StageState:
    """Where one active stage is: its id and name, and its task counts."""

    stage_id: int
    name: str
    tasks_total: int
    tasks_done: int
    tasks_active: int
    tasks_failed: int


def snapshot(tracker: Any) -> tuple[StageState, ...]:
    """Read the active stages from a ``StatusTracker`` (or anything with its two methods).

    Stages that finished between the two calls are skipped (``getStageInfo`` returns None).

    Examples:
        >>> class T:
        ...     def getActiveStageIds(self): return [3]
        ...     def getStageInfo(self, i):
        ...         from types import SimpleNamespace as N
        ...         return N(stageId=i, name="count at x.py:1", numTasks=8,
        ...                  numCompletedTasks=5, numActiveTasks=2, numFailedTasks=0)
        >>> snapshot(T())[0].tasks_done
        5
    """
    states = []
    for stage_id in sorted(tracker.getActiveStageIds()):
        info = tracker.getStageInfo(stage_id)
        if info is None:
            continue
        states.append(
            StageState(
                stage_id=info.stageId,
                name=str(info.name).split(" at ")[0],
                tasks_total=info.numTasks,
                tasks_done=info.numCompletedTasks,
                tasks_active=info.numActiveTasks,
                tasks_failed=info.numFailedTasks,
            )
        )
    return tuple(states)


def status_tracker(spark: Any) -> Any:
    """The session's ``StatusTracker``, or None where there is none (Spark Connect).

    Examples:
        >>> class ConnectSession:
        ...     @property
        ...     def sparkContext(self):
        ...         raise AttributeError("sparkContext is not supported in Spark Connect")
        >>> status_tracker(ConnectSession()) is None
        True
    """
    try:
        return spark.sparkContext.statusTracker()
    except Exception:  # pyspark's JVM_ATTRIBUTE_NOT_SUPPORTED is an AttributeError
        return None


class SparkProgress:
    """Context manager: a rich progress bar per active Spark stage while the block runs.

    Args:
        spark: the SparkSession whose jobs to follow.
        console: a rich Console (default: stderr).
        enabled: ``None`` shows the bar only when the console is a terminal; ``False`` never;
            ``True`` always (used by tests with a recording console).
        description: text in front of the bars (``"validating"``).
    """

    def __init__(
        self,
        spark: Any,
        console: Any = None,
        enabled: bool | None = None,
        description: str = "spark",
    ) -> None:
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.enabled = self.console.is_terminal if enabled is None else enabled
        self.description = description
        self._spark = spark
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._progress: Any = None
        self._tasks: dict[int, Any] = {}
        self.stages_seen: set[int] = set()

    def __enter__(self) -> SparkProgress:
        if not self.enabled:
            return self
        tracker = status_tracker(self._spark)
        if tracker is None:
            self.enabled = False
            return self
        self._tracker = tracker
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("tasks"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self._progress.start()
        self._thread = threading.Thread(target=self._run, name="sparksig-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self.enabled:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.update(())
        self._progress.stop()

    def _run(self) -> None:
        while not self._stop.wait(_POLL_SECONDS):
            try:
                self.update(snapshot(self._tracker))
            except Exception:  # the JVM going away must never break the command
                return

    def update(self, states: tuple[StageState, ...]) -> None:
        """Show ``states``: add a bar per new stage, move existing ones, finish the rest."""
        if self._progress is None:
            return
        live = {s.stage_id for s in states}
        for s in states:
            label = f"{self.description}: stage {s.stage_id} ({s.name})"
            if s.tasks_failed:
                label += f" [red]{s.tasks_failed} failed[/red]"
            if s.stage_id not in self._tasks:
                self._tasks[s.stage_id] = self._progress.add_task(label, total=s.tasks_total)
                self.stages_seen.add(s.stage_id)
            self._progress.update(
                self._tasks[s.stage_id],
                description=label,
                total=s.tasks_total,
                completed=s.tasks_done,
            )
        for stage_id in [k for k in self._tasks if k not in live]:
            self._progress.remove_task(self._tasks.pop(stage_id))
