"""The installed wheel: built from this tree, installed outside it, run from another folder.

The wheel must carry the Spark defaults and the log4j configuration of the top-level
``conf/`` (copied in by the build, see ``setup.py``). The expected values are read here from
``conf/spark-defaults.conf`` itself, and the installed sparksig runs in a fresh virtual
environment (sharing this interpreter's site-packages for pyspark and friends, but not the
editable sparksig of the checkout) from a temporary folder.

Slow (a wheel build and two Spark start-ups, about a minute): only ``--runslow`` runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import pytest

from tests import spawn

# A wheel build, a venv and two Spark start-ups: the first test's setup builds the wheel.
pytestmark = pytest.mark.timeout(900)

ROOT = spawn.ROOT

# Runs inside the venv: where sparksig was imported from, which defaults get_session() applied,
# the heap the driver JVM really got, and where an executor's Python imports sparksig from.
CHECK = """
import json, sys
import sparksig
from sparksig import spark as sss
from sparksig.spark.session import conf_dir

spark = sss.get_session()
conf = spark.sparkContext.getConf()
where = spark.sparkContext.parallelize([0], 1).map(lambda _: __import__("sparksig").__file__)
print(json.dumps({
    "sparksig": sparksig.__file__,
    "conf_dir": str(conf_dir()),
    "driver_memory": conf.get("spark.driver.memory"),
    "arrow_fallback": spark.conf.get("spark.sql.execution.arrow.pyspark.fallback.enabled"),
    "java_options": conf.get("spark.driver.extraJavaOptions"),
    "max_heap": spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory(),
    "executor_sparksig": where.first(),
}))
"""


def _source_files() -> list[str]:
    """The checkout's files as git sees them (tracked or new, not ignored): no build output,
    caches or virtual environments, so the wheel is built from what a clean clone holds."""
    listed = spawn.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
    ).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def _conf_file() -> dict[str, str]:
    lines = (ROOT / "conf" / "spark-defaults.conf").read_text().splitlines()
    pairs = (line.split(None, 1) for line in lines if line.strip() and not line.startswith("#"))
    return {key: value.strip() for key, value in pairs}


def _bytes(size: str) -> int:
    units = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
    return int(size[:-1]) * units[size[-1].lower()]


def _run(
    label: str, args: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    started = time.perf_counter()
    done = spawn.run(args, cwd=cwd, env=env, timeout=600)
    print(f"{label}: {time.perf_counter() - started:.1f} s")
    assert done.returncode == 0, f"{label} failed: {args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory, spawn_spark) -> Path:
    """A venv outside the repository with the wheel of this tree installed; its bin/."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in _source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run(
        "build the wheel",
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", str(work)],
        source,
        env,
    )
    (wheel,) = work.glob("sparksig-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for conf in (ROOT / "conf").iterdir():
        assert f"sparksig/_conf/{conf.name}" in names
    venv.create(work / "venv", system_site_packages=True, with_pip=False)
    bin_dir = work / "venv" / "bin"
    # The checkout's editable sparksig is visible through the shared site-packages: install
    # over it inside the venv only, without touching the outer environment.
    pip = [sys.executable, "-m", "pip", "--python", str(bin_dir / "python")]
    _run(
        "install it in a venv",
        [*pip, "install", "--no-deps", "--ignore-installed", "--no-index", str(wheel)],
        work,
        env,
    )
    return bin_dir


@pytest.fixture
def clean_env(installed, tmp_path) -> dict[str, str]:
    """The environment of a user's shell: nothing from this test run or the checkout."""
    drop = ("PYTHONPATH", "SPARKSIG_CONF_DIR", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("SPARK_")}
    env["PATH"] = f"{installed}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_the_installed_wheel_runs_with_the_packaged_defaults(installed, clean_env, tmp_path):
    expected = _conf_file()
    venv_root = installed.parent
    done = _run(
        "get_session() in the venv", [str(installed / "python"), "-c", CHECK], tmp_path, clean_env
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    packaged = venv_root / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    packaged = packaged / "site-packages" / "sparksig"
    assert Path(seen["sparksig"]) == packaged / "__init__.py"
    assert Path(seen["executor_sparksig"]) == packaged / "__init__.py"
    assert Path(seen["conf_dir"]) == packaged / "_conf"
    assert seen["driver_memory"] == expected["spark.driver.memory"]
    # The JVM really got that heap (Java reports a little less than -Xmx).
    heap = _bytes(expected["spark.driver.memory"])
    assert 0.8 * heap < seen["max_heap"] <= heap
    fallback = "spark.sql.execution.arrow.pyspark.fallback.enabled"
    assert expected[fallback] == "false"
    assert seen["arrow_fallback"] == expected[fallback]
    log4j = (packaged / "_conf" / "log4j2.properties").as_uri()
    assert f"-Dlog4j2.configurationFile={log4j}" in seen["java_options"]


def test_sparksig_demo_runs_from_the_installed_wheel(installed, clean_env, tmp_path):
    done = _run(
        "sparksig demo", [str(installed / "sparksig"), "demo", "--out", "demo"], tmp_path, clean_env
    )
    assert "Traceback" not in done.stderr
    for produced in ("reference.parquet", "incoming.parquet", "signature.json", "report.html"):
        assert (tmp_path / "demo" / produced).exists(), produced
    assert list((tmp_path / "demo" / "quarantine" / "rejected").glob("*.parquet"))
