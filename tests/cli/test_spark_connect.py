"""The commands on Spark Connect: ``--remote local[2]`` starts a local Connect server.

A Connect session cannot share a process with the test run's classic ``local[*]`` session,
so one subprocess starts one Connect server and runs several commands in it, in-process
with click's runner (the commands reuse the active Connect session). ``--progress`` is forced
on: the progress bar needs the JVM's status tracker, which a Connect client does not have,
and must step aside instead of failing.
"""

from __future__ import annotations

import json
import textwrap

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from click.testing import CliRunner
    from sparksig.cli.app import cli

    folder, remote = sys.argv[1], sys.argv[2]
    runner = CliRunner()
    commands = {
        "infer": ["infer", f"{folder}/clean.parquet", "-o", f"{folder}/inferred.json"],
        "validate": ["validate", f"{folder}/dirty.parquet", "-s", f"{folder}/inferred.json",
                     "--format", "json"],
        "score": ["score", f"{folder}/clean.parquet", "-m", f"{folder}/model",
                  "-o", f"{folder}/scored"],
        "unreadable": ["infer", f"{folder}/garbage.parquet"],
    }
    results = {}
    for name, args in commands.items():
        result = runner.invoke(cli, [*args, "--remote", remote, "--progress"])
        results[name] = {
            "exit_code": result.exit_code,
            "stdout": result.stdout,
            "stderr": result.stderr,
            "exception": None if result.exception is None else repr(result.exception),
        }
    from pyspark.sql import SparkSession
    session = SparkSession.getActiveSession()
    results["session"] = type(session).__module__
    results["scored"] = sorted(r.prediction for r in session.read.parquet(f"{folder}/scored").collect())
    print(json.dumps(results))
    """
)


def _connect_client_missing() -> str | None:
    try:
        from pyspark.sql.connect.utils import (
            require_minimum_googleapis_common_protos_version,
            require_minimum_grpc_version,
            require_minimum_grpcio_status_version,
            require_minimum_zstandard_version,
        )

        require_minimum_grpc_version()
        require_minimum_grpcio_status_version()
        require_minimum_googleapis_common_protos_version()
        require_minimum_zstandard_version()
    except ImportError as e:
        return f'the Spark Connect client packages are not installed (pip install "pyspark[connect]"): {e}'
    return None


def _port_taken(port: int = 15002) -> bool:
    """pyspark's local Connect server always listens on 15002 (outside its own test mode)."""
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_commands_run_on_a_local_spark_connect_server(tmp_path, spawn_spark):
    missing = _connect_client_missing()
    if missing:
        pytest.skip(missing)
    if _port_taken():
        pytest.skip("another Spark Connect server holds port 15002, which a local one needs")
    from sparksig import ColSpec, ModelSignature, Schema, models

    pq.write_table(
        pa.table({"id": [1, 2, 3], "amount": [1.0, 2.0, 3.0]}), tmp_path / "clean.parquet"
    )
    pq.write_table(
        pa.table({"id": [1, 2, 3, 4], "amount": [1.0, None, 3.0, None]}), tmp_path / "dirty.parquet"
    )
    (tmp_path / "garbage.parquet").write_bytes(b"PAR1" + bytes(range(256)) * 2)
    signature = ModelSignature(Schema([ColSpec("double", "amount")]), Schema([ColSpec("double")]))
    models.save_model(tmp_path / "model", lambda df: df["amount"] * 10, signature=signature)
    script = tmp_path / "connect_cli.py"
    script.write_text(SCRIPT)
    done = spawn_spark.python(script, tmp_path, "local[2]", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results["session"] == "pyspark.sql.connect.session"
    infer, validate, score = results["infer"], results["validate"], results["score"]
    assert infer["exit_code"] == 0, infer
    assert json.loads((tmp_path / "inferred.json").read_text())["inputs"] == [
        {"type": "long", "name": "id", "required": True},
        {"type": "double", "name": "amount", "required": True},
    ]
    assert validate["exit_code"] == 1, validate
    report = json.loads(validate["stdout"])
    assert [(v["code"], v["column_path"], v["count"]) for v in report["violations"]] == [
        ("null_in_required", "amount", 2)
    ]
    assert score["exit_code"] == 0, score
    assert results["scored"] == [10.0, 20.0, 30.0]
    unreadable = results["unreadable"]
    assert unreadable["exit_code"] == 2
    assert (
        unreadable["stderr"].strip().splitlines() == [unreadable["stderr"].strip()]
        and "garbage.parquet" in unreadable["stderr"]
    )
    for name in ("infer", "validate", "score", "unreadable"):
        assert "Traceback" not in results[name]["stderr"], (name, results[name]["stderr"])
        assert "Failed to set" not in results[name]["stderr"]
