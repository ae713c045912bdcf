"""Processes that tests start: one place that knows how a child reaches Spark on this machine.

Every child gets the test run's interpreter for Spark's Python workers (``PYSPARK_PYTHON``,
``PYSPARK_DRIVER_PYTHON``), the loopback address for the JVM to bind (``SPARK_LOCAL_IP``) and no
``SPARK_REMOTE`` from the caller's shell, unless the test passes an environment of its own; and
every child runs in a process group of its own under a timeout, so a child that hangs is killed
with whatever it started (a JVM, a kernel, a server) instead of outliving the test run.

A test that starts a heavy process asks for the ``spawn`` fixture (a kernel, a server, a
virtualenv) or ``spawn_spark`` (a process that starts Spark: a JVM of its own); both return this
module. That request is what marks the test ``slow`` (and ``spark`` for ``spawn_spark``), so
``python -m pytest`` leaves it out and ``--runslow`` runs it (see ``tests/conftest.py``). A light
child (a Python that checks what an import pulls in) calls these functions directly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Long enough for a JVM start-up and a few Spark jobs on two busy cores.
TIMEOUT_S = 600


def spark_env(
    base: Mapping[str, str] | None = None, *, clean: bool = False, **extra: str
) -> dict[str, str]:
    """The environment for a child that may start Spark.

    Args:
        base: the environment to start from (default: this process's).
        clean: drop every ``SPARK_*`` and ``PYSPARK_*`` variable of ``base`` first, for a child
            that must build its own kind of session (a cluster, a Connect server).
        extra: variables to set on top.
    """
    env = dict(os.environ if base is None else base)
    if clean:
        env = {k: v for k, v in env.items() if not k.startswith(("SPARK_", "PYSPARK_"))}
    env.pop("SPARK_REMOTE", None)
    env.update(
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_DRIVER_PYTHON=sys.executable,
        SPARK_LOCAL_IP="127.0.0.1",
    )
    env.update(extra)
    return env


def with_checkout_on_path(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the checkout's root first on ``PYTHONPATH`` (a child imports ``tests.*``)."""
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def popen(
    args: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    **kwargs,
) -> subprocess.Popen:
    """Start ``args`` in a process group of its own (text mode); stop it with :func:`stop`."""
    kwargs.setdefault("text", True)
    if kwargs["text"]:
        kwargs.setdefault("errors", "replace")  # a browser or a JVM may print any bytes
    return subprocess.Popen(
        [str(a) for a in args],
        env=dict(spark_env() if env is None else env),
        start_new_session=True,
        **kwargs,
    )


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Signal ``proc``'s whole process group, wait, and kill the group if it lingers."""
    for current in (sig, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):  # the group is gone already
            os.killpg(proc.pid, current)
        try:
            proc.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float = TIMEOUT_S,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` to the end and capture its output as text.

    On timeout the child's whole process group is killed (a JVM that a child Python started
    included) before ``subprocess.TimeoutExpired`` is raised; with ``check`` a non-zero exit
    fails the test with the child's output.
    """
    proc = popen(args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except BaseException:
        stop(proc, signal.SIGKILL)
        raise
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{proc.args} exited {proc.returncode}:\n{stdout[-2000:]}\n{stderr[-3000:]}"
        )
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def python(*args: str | os.PathLike[str], **kwargs) -> subprocess.CompletedProcess[str]:
    """:func:`run` this interpreter with ``args`` (``"-c", code`` or a script and its arguments)."""
    return run([sys.executable, *args], **kwargs)
