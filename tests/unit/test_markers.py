"""The tiers select what their names say: ``-m spark``, ``-m "not spark"``, ``-m mlflow``, slow.

``tests/conftest.py`` marks each test from what it uses; these tests collect the real suite in
a child process with each ``-m`` expression and compare the selection with those facts, and run
a small suite through pytester to see the slow tier skipped, saying why, without ``--runslow``.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from tests import spawn

TESTS = spawn.ROOT / "tests"
JAVA = {"spark", "spawn_spark"}
OWN_PROCESS = {"spawn", "spawn_spark"}
# Each starts its own cluster, Connect server or virtualenv.
TIERS = ("cluster/test_cluster_tier.py", "connect/test_connect_tier.py", "packaging/test_wheel.py")

# Collects the suite once per expression in one process (the imports are paid once).
COLLECT = """
import json, sys
import pytest

class Record:
    items = []
    def pytest_collection_finish(self, session):
        self.items = [
            {"id": i.nodeid, "path": str(i.path), "fixtures": sorted(getattr(i, "fixturenames", ()))}
            for i in session.items
        ]

out = {}
for expr in sys.argv[2:]:
    record = Record()
    marks = ["-m", expr] if expr else []
    code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *marks, "tests"],
                       plugins=[record])
    assert code in (0, 5), (expr, code)
    out[expr] = record.items
with open(sys.argv[1], "w") as f:
    json.dump(out, f)
"""


@pytest.fixture(scope="module")
def selected(tmp_path_factory) -> dict[str, dict[str, dict]]:
    """For each expression ("" for none), the collected tests by node id."""
    out = tmp_path_factory.mktemp("markers") / "selected.json"
    exprs = ["", "spark", "not spark", "mlflow", "slow"]
    spawn.python("-c", COLLECT, out, *exprs, cwd=spawn.ROOT, timeout=600, check=True)
    return {e: {i["id"]: i for i in items} for e, items in json.loads(out.read_text()).items()}


def _under(item: dict, folder: str) -> bool:
    return Path(item["path"]).is_relative_to(TESTS / folder)


def test_spark_selects_exactly_the_tests_that_need_java(selected):
    every = selected[""]
    need_java = {i for i, item in every.items() if JAVA & set(item["fixtures"])}
    assert need_java, "no test asks for the spark fixture: the collection is broken"
    assert set(selected["spark"]) == need_java


def test_not_spark_selects_the_rest_and_none_of_them_asks_for_spark(selected):
    every, rest = selected[""], selected["not spark"]
    assert set(rest) == set(every) - set(selected["spark"])
    assert not [i for i, item in rest.items() if JAVA & set(item["fixtures"])]


def test_unit_tests_need_no_java(selected):
    assert not [i for i, item in selected["spark"].items() if _under(item, "unit")]


def test_mlflow_selects_the_mlflow_folder_and_tests_that_reach_mlflow(selected):
    chosen = selected["mlflow"]
    folder = {i for i, item in selected[""].items() if _under(item, "mlflow")}
    assert folder and folder <= set(chosen)
    for node, item in chosen.items():
        assert "mlflow" in Path(item["path"]).read_text(), node


def test_slow_selects_every_test_that_starts_a_process_of_its_own(selected):
    every, slow = selected[""], selected["slow"]
    own = {i for i, item in every.items() if OWN_PROCESS & set(item["fixtures"])}
    assert own <= set(slow)
    tiers = {i for i, item in every.items() if any(_under(item, t) for t in TIERS)}
    assert len({i.partition("::")[0] for i in tiers}) == len(TIERS)
    assert tiers <= set(slow)


def test_processes_are_started_through_tests_spawn():
    """A direct subprocess call cannot be marked: its test would run in the default tier."""
    direct = re.compile(r"subprocess\.(run|Popen|call|check_call|check_output)\(|os\.system\(")
    found = [
        f"{path.relative_to(spawn.ROOT)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path != TESTS / "spawn.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if direct.search(line)
    ]
    assert not found, (
        "start processes with tests/spawn.py, and ask for the spawn or spawn_spark fixture when "
        f"the child starts a JVM, a kernel, a server or a virtualenv: {found}"
    )


SUITE = """
import pytest

def test_in_process():
    pass

def test_starts_spark(spawn_spark):
    pass

def test_starts_a_server(spawn):
    pass

@pytest.mark.slow
def test_marked_slow_by_hand():
    pass
"""


@pytest.fixture
def suite(pytester):
    pytester.makeconftest("from tests.conftest import *  # noqa: F403\n")
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def test_the_slow_tier_is_skipped_saying_why(suite):
    result = suite.runpytest("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=3)
    result.stdout.fnmatch_lines(
        [
            "3 slow tests skipped*pass --runslow*",
            "*slow: starts its own JVM; pass --runslow",
            "*slow: starts its own Jupyter kernel, server or virtualenv; pass --runslow",
            "*slow: starts a process of its own; pass --runslow",
        ]
    )


def test_runslow_runs_every_tier(suite):
    suite.runpytest("--runslow", "-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_a_test_that_starts_spark_unasked_fails(pytester):
    pytest.importorskip("pyspark")
    pytester.makeconftest("from tests.conftest import *  # noqa: F403\n")
    pytester.makepyfile(
        test_unasked=textwrap.dedent(
            """
            import pytest
            from pyspark.core.context import SparkContext

            @pytest.fixture
            def no_session(monkeypatch):
                monkeypatch.setattr(SparkContext, "_active_spark_context", None)

            def test_starts_a_context(no_session):
                SparkContext._active_spark_context = object()  # what get_session() leaves
            """
        )
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*started a SparkContext without asking for the spark fixture*"])


def test_example_counts_follow_the_hypothesis_profile(pytester, monkeypatch):
    # A process of its own: loading a profile changes Hypothesis's defaults process-wide.
    monkeypatch.setenv("PYTHONPATH", str(spawn.ROOT))
    pytester.makeconftest("from tests.conftest import *  # noqa: F403\n")
    pytester.makepyfile(
        test_counts=textwrap.dedent(
            """
            from hypothesis import settings
            from tests.strategies import examples

            def test_counts():
                print("COUNTS", settings().max_examples, examples(40))
            """
        )
    )
    for profile, expected in ((None, "10 4"), ("ci", "100 40"), ("deep", "1000 400")):
        chosen = ["--hypothesis-profile", profile] if profile else []
        result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", *chosen)
        result.stdout.fnmatch_lines([f"*COUNTS {expected}"])
