"""--master / --remote / --verbose, Spark Connect fallbacks and the quiet JVM start, without a JVM.

The real Connect session and the real JVM start-up output are tested in subprocesses
(``test_spark_connect.py``, ``test_entry_point.py``); here the options, the conflicts and the
pieces that need no Spark.
"""

from __future__ import annotations

import os

import pytest
from rich.console import Console

from sparksig.cli.progress import SparkProgress
from sparksig.errors import InvalidArgumentError, SparksigError

SPARK_COMMANDS = ("infer", "validate", "score", "demo")


@pytest.mark.parametrize("command", SPARK_COMMANDS)
def test_every_spark_command_takes_remote_and_verbose(invoke, command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "--remote URL" in result.stdout and "SPARK_REMOTE" in result.stdout
    assert "--verbose" in result.stdout and "--master URL" in result.stdout


@pytest.mark.parametrize("command", SPARK_COMMANDS)
def test_master_and_remote_together_is_a_usage_error(runner, command, tmp_path):
    from sparksig.cli.app import cli

    args = {
        "infer": ["infer", str(tmp_path)],
        "validate": ["validate", str(tmp_path), "-s", str(tmp_path / "s.json")],
        "score": ["score", str(tmp_path), "-m", str(tmp_path), "-o", str(tmp_path / "o")],
        "demo": ["demo", "--out", str(tmp_path / "demo")],
    }[command]
    both = runner.invoke(cli, [*args, "--master", "local[1]", "--remote", "sc://h:15002"])
    assert both.exit_code == 2, both.output
    assert "--master and --remote cannot be used together" in both.stderr
    assert not (tmp_path / "demo").exists()  # refused before the demo wrote anything
    from_env = runner.invoke(cli, [*args, "--master", "local[1]"], env={"SPARK_REMOTE": "sc://h:1"})
    assert from_env.exit_code == 2
    assert "SPARK_REMOTE" in from_env.stderr


def test_remote_must_be_a_connect_url(invoke, tmp_path):
    result = invoke("infer", tmp_path, "--remote", "http://h:15002")
    assert result.exit_code == 2
    assert "sc://HOST:PORT" in result.stderr and "http://h:15002" in result.stderr


def test_remote_and_quiet_reach_get_session(runner, monkeypatch, tmp_path):
    """SPARK_REMOTE is read like --remote; --verbose turns the quiet start off."""
    import sparksig.spark as sss
    from sparksig.cli.app import cli

    seen = []

    def fake_session(**kwargs):
        seen.append(kwargs)
        raise SparksigError("stopped by the test")

    monkeypatch.setattr(sss, "get_session", fake_session)
    data = tmp_path / "d.parquet"
    data.write_bytes(b"")
    env_run = runner.invoke(cli, ["infer", str(data)], env={"SPARK_REMOTE": "sc://envhost:1"})
    flag_run = runner.invoke(cli, ["infer", str(data), "--remote", "sc://h:2", "--verbose"])
    assert env_run.exit_code == flag_run.exit_code == 2
    assert [(s["remote"], s["quiet"], s["master"]) for s in seen] == [
        ("sc://envhost:1", True, None),
        ("sc://h:2", False, None),
    ]


def test_get_session_refuses_master_with_remote():
    from sparksig.spark.session import get_session

    with pytest.raises(InvalidArgumentError, match="not both"):
        get_session("local[1]", remote="sc://localhost:15002")


def test_get_session_remote_without_connect_packages_says_what_to_install(monkeypatch):
    pytest.importorskip("pyspark")
    import pyspark.sql.connect.utils as connect_utils

    def missing() -> None:
        raise ImportError("No module named 'grpc'")

    monkeypatch.setattr(connect_utils, "require_minimum_grpc_version", missing)
    from sparksig.spark.session import get_session

    with pytest.raises(SparksigError, match=r'pip install "pyspark\[connect\]"') as caught:
        get_session(remote="sc://localhost:15002")
    assert "grpc" in str(caught.value)


def test_progress_is_off_on_a_spark_connect_session():
    """A Connect session has no SparkContext in this process: no bar, no crash."""
    pytest.importorskip("pyspark")
    from pyspark.errors import PySparkAttributeError

    class ConnectLikeSession:
        @property
        def sparkContext(self):
            raise PySparkAttributeError(
                errorClass="JVM_ATTRIBUTE_NOT_SUPPORTED", messageParameters={"attr_name": "sc"}
            )

    console = Console(record=True, width=100, force_terminal=True)
    progress = SparkProgress(ConnectLikeSession(), console=console, enabled=True)
    with progress:
        ran = True
    assert ran and progress.enabled is False
    assert progress._progress is None and progress._thread is None
    assert console.export_text() == ""


def test_quiet_start_hides_fd2_and_replays_it_when_start_up_fails(capfd):
    """What a starting JVM writes to file descriptor 2 is hidden, unless the start fails."""
    from sparksig.spark.session import _console_hidden

    with _console_hidden(True):
        os.write(2, b"WARNING: Using incubator modules\n")
    assert "incubator" not in capfd.readouterr().err
    with pytest.raises(RuntimeError), _console_hidden(True):
        os.write(2, b"Error: JAVA_HOME is not set\n")
        raise RuntimeError("the JVM did not start")
    assert "JAVA_HOME is not set" in capfd.readouterr().err
    with _console_hidden(False):
        os.write(2, b"shown when not quiet\n")
    assert "shown when not quiet" in capfd.readouterr().err


def test_a_setting_spark_refuses_is_a_one_line_usage_error(runner, monkeypatch, tmp_path):
    pytest.importorskip("pyspark")
    from pyspark.errors import IllegalArgumentException

    import sparksig.spark as sss
    from sparksig.cli.app import cli

    def refuse(**kwargs):
        raise IllegalArgumentException(
            "[INVALID_CONF_VALUE.TYPE_MISMATCH] The value 'abc' in the config "
            '"spark.sql.shuffle.partitions" is invalid.\n\tat org.apache.spark...'
        )

    monkeypatch.setattr(sss, "get_session", refuse)
    data = tmp_path / "d.parquet"
    data.write_bytes(b"")
    result = runner.invoke(cli, ["infer", str(data), "--conf", "spark.sql.shuffle.partitions=abc"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: --conf: Spark refused a setting: [INVALID_CONF_VALUE.TYPE_MISMATCH] The value "
        "'abc' in the config \"spark.sql.shuffle.partitions\" is invalid."
    ]


def test_an_unreachable_connect_server_fails_at_once_with_one_line(invoke, tmp_path):
    """The Connect client would retry for many minutes; the command says so in one line."""
    pytest.importorskip("grpc")
    import socket

    with socket.socket() as free:  # a port nobody listens on once this socket is closed
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    data = tmp_path / "d.parquet"
    data.write_bytes(b"")
    result = invoke("infer", data, "--remote", f"sc://127.0.0.1:{port}")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and f"cannot reach the Spark Connect server sc://127.0.0.1:{port}" in lines[0]
    )
