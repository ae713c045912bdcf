"""Shared test setup: the tiers, the markers that name them, and the one shared SparkSession.

The markers are not written by hand; ``pytest_collection_modifyitems`` reads them off facts:

- ``spark``: the test asks for the ``spark`` fixture (directly or through another fixture) or for
  ``spawn_spark`` (a process of its own that starts Spark). ``-m "not spark"`` needs no Java.
- ``mlflow``: the test lives under ``tests/mlflow`` or its module imports ``mlflow``.
- ``slow``: the test asks for ``spawn`` or ``spawn_spark`` (``tests/spawn.py``): it starts its
  own JVM, Jupyter kernel, server or virtualenv. Skipped, saying so, unless ``--runslow``.

So ``python -m pytest`` runs the in-process tests and those on the one shared local session (one
JVM), and ``python -m pytest --runslow`` (what ``.ci/run`` runs) runs every tier.

Hypothesis profiles: ``dev`` (the default: a tenth of the examples), ``ci`` (the counts the tests
state, see ``tests.strategies.examples``) and ``deep`` (ten times as many); choose one with
``--hypothesis-profile``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings

from tests import spawn as _spawn
from tests.strategies import CI_EXAMPLES

# Executors must import the same interpreter's packages (sparksig, pandas, pyarrow).
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable

# tests/unit/test_markers.py runs small suites through this conftest with pytester.
pytest_plugins = ("pytester",)

TESTS = Path(__file__).resolve().parent

settings.register_profile("dev", max_examples=CI_EXAMPLES // 10)
settings.register_profile("ci", max_examples=CI_EXAMPLES, print_blob=True)
settings.register_profile("deep", max_examples=CI_EXAMPLES * 10)
# --hypothesis-profile (Hypothesis's own option) loads another one after this.
settings.load_profile("dev")

# What a test that asks for one of these fixtures starts of its own, as the skip reason says it.
SPAWNS = {
    "spawn_spark": "starts its own JVM",
    "spawn": "starts its own Jupyter kernel, server or virtualenv",
}
SPARK_FIXTURES = ("spark", "spawn_spark")
SLOW_REASON = "slow: "


def pytest_addoption(parser):
    parser.addoption(
        "--runslow",
        action="store_true",
        help="also run the slow tier: tests that start their own JVM, kernel, server or "
        "virtualenv (.ci/run passes it)",
    )


def _imports_mlflow(item) -> bool:
    """The test's module holds mlflow, or something of mlflow's, among its globals."""
    module = getattr(item, "module", None)
    for value in vars(module).values() if module is not None else ():
        name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", "")
        if isinstance(name, str) and name.partition(".")[0] == "mlflow":
            return True
    return False


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these markers
def pytest_collection_modifyitems(config, items):
    runslow = config.getoption("--runslow")
    mlflow_folder = TESTS / "mlflow"
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures.intersection(SPARK_FIXTURES):
            item.add_marker(pytest.mark.spark)
        if item.path.is_relative_to(mlflow_folder) or _imports_mlflow(item):
            item.add_marker(pytest.mark.mlflow)
        starts = next((why for name, why in SPAWNS.items() if name in fixtures), None)
        if starts is not None:
            item.add_marker(pytest.mark.slow)
        if not runslow and item.get_closest_marker("slow") is not None:
            why = starts or "starts a process of its own"
            item.add_marker(pytest.mark.skip(reason=f"{SLOW_REASON}{why}; pass --runslow"))
    # A Hypothesis test's time limit grows with the profile's examples (deep: ten times).
    scale = settings().max_examples / CI_EXAMPLES
    limit = float(config.getini("timeout") or 0)
    if scale > 1 and limit:
        for item in items:
            if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
                item.add_marker(pytest.mark.timeout(limit * scale))


def pytest_terminal_summary(terminalreporter, config):
    slow = [
        r
        for r in terminalreporter.stats.get("skipped", [])
        if isinstance(r.longrepr, tuple) and SLOW_REASON in r.longrepr[2]
    ]
    if slow:
        terminalreporter.write_line(
            f"{len(slow)} slow tests skipped (they start their own JVM, kernel, server or "
            "virtualenv): pass --runslow to run them"
        )


def _spark_is_running() -> bool:
    context = sys.modules.get("pyspark.core.context")
    return context is not None and context.SparkContext._active_spark_context is not None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test not marked ``spark`` that starts a SparkContext fails: its marker would lie.

    (It shows when no earlier test has started the shared session, as in ``-m "not spark"``.)
    """
    running = _spark_is_running()
    result = yield
    if not running and _spark_is_running() and item.get_closest_marker("spark") is None:
        pytest.fail(
            "this test started a SparkContext without asking for the spark fixture: ask for "
            "it, so that it is marked spark and -m 'not spark' leaves it out",
            pytrace=False,
        )
    return result


@pytest.fixture(scope="session")
def spawn():
    """``tests.spawn``, for a test that starts a kernel, a server or a virtualenv (``slow``)."""
    return _spawn


@pytest.fixture(scope="session")
def spawn_spark(spawn):
    """``tests.spawn``, for a test whose child process starts Spark (``slow`` and ``spark``)."""
    return spawn


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """The embedded local session, built once per test run through sparksig's own builder."""
    from sparksig.spark import get_session

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = get_session(
        conf={
            "spark.default.parallelism": "2",
            "spark.sql.shuffle.partitions": "2",
            # catalog tables go to a temporary folder, not ./spark-warehouse
            "spark.sql.warehouse.dir": str(warehouse),
        }
    )
    yield session
    session.stop()
