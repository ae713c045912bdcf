"""The installed ``sparksig`` script, run as a user runs it: a real process on real files."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from sparksig import ColSpec, ModelSignature, Schema
from sparksig.cli.inputs import load_signature, write_signature
from tests import spawn


def _script() -> list[str]:
    beside = Path(sys.executable).with_name("sparksig")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("sparksig")
    if found is None:
        pytest.skip("the sparksig script is not installed (pip install -e .)")
    return [found]


def run(*args, timeout=600, cwd=None):
    env = spawn.spark_env(COLUMNS="160")
    return spawn.run([*_script(), *map(str, args)], timeout=timeout, cwd=cwd, env=env)


def test_help_lists_commands_and_exit_codes():
    result = run("--help", timeout=60)
    assert result.returncode == 0
    assert "validate" in result.stdout and "Exit codes" in result.stdout


def test_loading_the_command_group_does_not_import_spark_or_pandas():
    code = (
        "import sys, sparksig.cli.app; "
        "print(sorted(m for m in ('pyspark', 'pandas', 'pyarrow') if m in sys.modules))"
    )
    result = spawn.python("-c", code, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_bad_signature_file_exit_2_without_traceback(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"inputs": [{"type": "long", "name": "a", "required": "yes"}]}')
    result = run("validate", tmp_path / "data.parquet", "--signature", bad, timeout=60)
    assert result.returncode == 2
    assert "broken.json" in result.stderr and "required" in result.stderr
    assert "Traceback" not in result.stderr


def test_diff_exit_codes(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    write_signature(ModelSignature(Schema([ColSpec("long", "a")])), str(old))
    write_signature(
        ModelSignature(Schema([ColSpec("long", "a"), ColSpec("double", "b")])), str(new)
    )
    breaking = run("diff", old, new, "--format", "json", timeout=60)
    assert breaking.returncode == 1
    assert json.loads(breaking.stdout)["changes"][0]["path"] == "inputs.b"
    assert run("diff", new, old, timeout=60).returncode == 0  # removing an input is compatible


def test_demo_runs_the_main_job_on_sample_data(tmp_path, spawn_spark):
    """The README quickstart command: generate data, infer, validate, report, quarantine."""
    out = tmp_path / "demo"
    result = run("demo", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    signature = load_signature(str(out / "signature.json"))
    assert signature.inputs.input_names() == [
        "customer_id", "age", "country", "income", "signup", "tags", "address",
    ]  # fmt: skip
    # income has nulls in the reference table; the rest is always filled there
    assert signature.inputs.optional_input_names() == ["income"]
    # The planted problems are found with exact counts (23 + 7 + 12 rows, all distinct).
    assert "null_in_required" in result.stdout
    page = (out / "report.html").read_text()
    for column, count in (("age", 23), ("country", 7), ("address.city", 12)):
        assert f'data-column="{column}" data-count="{count}"' in page
    assert "958 valid rows" in result.stdout and "42 rejected rows" in result.stdout
    assert (out / "quarantine" / "valid").is_dir() and (out / "quarantine" / "rejected").is_dir()
    assert "FAILED: 1,000 rows checked (full)" in result.stderr
    assert not [m for m in JVM_NOISE if m in result.stderr], result.stderr[:2000]


# What the JVM prints on start-up (JDK 17+ with Spark 4, Spark's logging set-up).
JVM_NOISE = (
    "WARNING: Using incubator modules",
    "Setting default log level",
    "To adjust logging level use sc.setLogLevel",
    "log4j",
)


def test_unreadable_input_is_one_line_without_jvm_noise_and_verbose_shows_it(tmp_path, spawn_spark):
    """A real process: nothing but the error line on stderr; --verbose shows Spark's output."""
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"PAR1" + bytes(range(256)) * 4)
    signature = tmp_path / "sig.json"
    signature.write_text('{"inputs": [{"type": "long", "name": "a"}]}')
    quiet = run("validate", garbage, "--signature", signature, cwd=tmp_path)
    assert quiet.returncode == 2, quiet.stderr[-3000:]
    assert quiet.stderr.strip().splitlines() == [quiet.stderr.strip()]  # exactly one line
    assert quiet.stderr.startswith(f"Error: {garbage}: ")
    assert "Traceback" not in quiet.stderr and "Exception" not in quiet.stderr
    assert quiet.stdout == ""
    verbose = run("validate", garbage, "--signature", signature, "--verbose", cwd=tmp_path)
    assert verbose.returncode == 2
    assert [m for m in JVM_NOISE if m in verbose.stderr], verbose.stderr[-3000:]
    assert verbose.stderr.strip().splitlines()[-1].startswith(f"Error: {garbage}: ")


def test_python_dash_m_runs_the_same_command_line():
    done = spawn.python("-m", "sparksig", "--version", timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "sparksig, version 0.1.0"
