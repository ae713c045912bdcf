"""Named pipes, devices, sockets and folders where a file is expected: refused, never waited on.

Opening a named pipe (FIFO) for reading waits until something writes to it; ``/dev/zero``
never ends. Every file sparksig reads (``MLmodel``, the example files, the pickled model,
signature files given to the CLI, the data path) must be refused at once, with an error that
names the path and what it is. Each case runs in a child process with a timeout, so a
regression fails the test instead of hanging the run.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import textwrap
import threading
from pathlib import Path

import pandas as pd
import pytest

from sparksig import SerializationError, models
from sparksig.models.paths import open_regular_file, read_regular_file
from tests import spawn

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")

TIMEOUT = 120  # seconds; a child that blocks on a pipe would never finish
SIGNATURE = {"inputs": [{"type": "double", "name": "x", "required": True}]}


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return spawn.python(
            *args, cwd=cwd, timeout=TIMEOUT, env=spawn.spark_env(PYTHONUNBUFFERED="1")
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"blocked: {' '.join(args)} did not finish in {TIMEOUT} s")


def cli(cwd: Path, *args: object) -> subprocess.CompletedProcess[str]:
    return run(["-m", "sparksig", *(str(a) for a in args)], cwd)


def python(cwd: Path, code: str) -> dict:
    """Run ``code`` (which sets ``call`` to a zero-argument function) in a child process;
    returns what the call raised, as ``{"error": type name, "message": str}``."""
    script = textwrap.dedent(
        """
        import json, sys
        from sparksig import models
        {code}
        try:
            call()
        except BaseException as e:
            print(json.dumps({{"error": type(e).__name__, "message": str(e)}}))
        else:
            print(json.dumps({{"error": None, "message": ""}}))
        """
    ).format(code=textwrap.dedent(code))
    done = run(["-c", script], cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def model_dir(root: Path) -> Path:
    path = root / "model"
    models.save_model(
        path,
        lambda df: df["x"] * 2,
        input_example=pd.DataFrame({"x": [1.0, 2.0]}),
    )
    return path


def fifo_in_place_of(path: Path) -> Path:
    path.unlink()
    os.mkfifo(path)
    return path


# -- the CLI --------------------------------------------------------------------------------


def test_show_refuses_a_model_whose_mlmodel_is_a_named_pipe(tmp_path):
    model = model_dir(tmp_path)
    fifo_in_place_of(model / "MLmodel")
    for target in (model, model / "MLmodel"):
        done = cli(tmp_path, "show", target)
        assert done.returncode == 2, done.stderr
        assert "named pipe" in done.stderr and str(model / "MLmodel") in done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize("example", ["input_example.json", "serving_input_example.json"])
def test_show_refuses_an_example_file_that_is_a_named_pipe(tmp_path, example):
    model = model_dir(tmp_path)
    assert (model / example).is_file()
    fifo_in_place_of(model / example)
    done = cli(tmp_path, "show", model)
    assert done.returncode == 2, done.stderr
    assert "named pipe" in done.stderr and example in done.stderr


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_signature_files_that_are_named_pipes_are_refused(tmp_path, suffix):
    fifo = tmp_path / f"signature{suffix}"
    os.mkfifo(fifo)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(SIGNATURE))
    for args in (
        ("show", fifo),
        ("validate", "nowhere.parquet", "--signature", fifo),
        ("diff", fifo, good),
        ("diff", good, fifo),
    ):
        done = cli(tmp_path, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert "named pipe" in done.stderr and str(fifo) in done.stderr, (args, done.stderr)


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_devices_given_as_signature_files_are_refused(tmp_path, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    for args in (("show", device), ("validate", "x.parquet", "--signature", device)):
        done = cli(tmp_path, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert "character device" in done.stderr and device in done.stderr


def test_data_that_is_a_named_pipe_is_refused_before_spark_starts(tmp_path):
    good = tmp_path / "signature.json"
    good.write_text(json.dumps(SIGNATURE))
    fifo = tmp_path / "data.parquet"
    os.mkfifo(fifo)
    done = cli(tmp_path, "validate", fifo, "--signature", good)
    assert done.returncode == 2, done.stderr
    assert "named pipe" in done.stderr and str(fifo) in done.stderr


def test_serve_refuses_a_model_whose_mlmodel_is_a_named_pipe(tmp_path):
    pytest.importorskip("uvicorn")
    model = model_dir(tmp_path)
    fifo_in_place_of(model / "MLmodel")
    done = cli(tmp_path, "serve", model, "--port", "0")
    assert done.returncode == 2, done.stderr
    assert "named pipe" in done.stderr


# -- the models API -------------------------------------------------------------------------


@pytest.mark.parametrize("call", ["models.get_model_info", "models.load_model"])
def test_reading_a_model_whose_mlmodel_is_a_named_pipe_raises(tmp_path, call):
    model = model_dir(tmp_path)
    fifo_in_place_of(model / "MLmodel")
    outcome = python(tmp_path, f"call = lambda: {call}({str(model)!r})")
    assert outcome["error"] == "SerializationError"
    assert "named pipe" in outcome["message"] and "MLmodel" in outcome["message"]


@pytest.mark.parametrize(
    "file, call",
    [
        ("python_model.pkl", "models.load_model"),
        ("input_example.json", "models.load_input_example"),
        ("serving_input_example.json", "models.load_serving_example"),
    ],
)
def test_model_files_that_are_named_pipes_are_refused(tmp_path, file, call):
    model = model_dir(tmp_path)
    assert (model / file).is_file()
    fifo_in_place_of(model / file)
    outcome = python(tmp_path, f"call = lambda: {call}({str(model)!r})")
    assert outcome["error"] == "SerializationError", outcome
    assert "named pipe" in outcome["message"] and file in outcome["message"]


def test_an_mlmodel_symlink_to_a_pipe_inside_the_directory_is_refused(tmp_path):
    model = model_dir(tmp_path)
    os.mkfifo(model / "pipe")
    (model / "MLmodel").unlink()
    (model / "MLmodel").symlink_to("pipe")
    outcome = python(tmp_path, f"call = lambda: models.get_model_info({str(model)!r})")
    assert outcome["error"] == "SerializationError"
    assert "named pipe" in outcome["message"]


def test_a_folder_named_mlmodel_is_refused(tmp_path):
    model = model_dir(tmp_path)
    (model / "MLmodel").unlink()
    (model / "MLmodel").mkdir()
    with pytest.raises(SerializationError, match="MLmodel"):
        models.get_model_info(model)


# -- the one helper -------------------------------------------------------------------------


def test_the_helper_names_each_kind_of_special_file(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock_path = tmp_path / "s.sock"
    try:
        server.bind(str(sock_path))
    except OSError:  # a path too long for AF_UNIX
        sock_path = None
    try:
        cases = {"pipe": "named pipe", "folder": "directory"}
        if sock_path is not None:
            cases["s.sock"] = "socket"
        for name, kind in cases.items():
            with pytest.raises(SerializationError, match=kind) as info:
                read_regular_file(tmp_path / name, "some.key")
            assert info.value.path == "some.key" and name in str(info.value)
    finally:
        server.close()


def test_the_helper_reads_regular_files_as_text_or_bytes(tmp_path):
    f = tmp_path / "a.json"
    f.write_bytes('{"é": 1}'.encode())
    assert read_regular_file(f, text=True) == '{"é": 1}'
    assert read_regular_file(f) == '{"é": 1}'.encode()
    with open_regular_file(f) as handle:
        assert os.get_blocking(handle.fileno())  # O_NONBLOCK was only for the open
        assert handle.read(1) == b"{"
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing.json")


def test_a_pipe_swapped_in_after_the_first_look_is_still_refused(tmp_path, monkeypatch):
    """The opened descriptor is checked again, so a path swapped between the look and the
    open (a race) cannot slip a pipe through; opening it does not block either."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    real_stat = os.stat
    regular = real_stat(__file__)

    def stale_stat(path, *args, **kwargs):
        return regular if os.fspath(path) == str(pipe) else real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stale_stat)
    assert stat.S_ISREG(os.stat(pipe).st_mode)  # the first look is fooled
    # Should a regression wait on the pipe, a writer comes and goes after a while: the read
    # then ends empty and the test fails instead of hanging.
    watchdog = threading.Timer(30, lambda: os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)))
    watchdog.start()
    try:
        with pytest.raises(SerializationError, match="named pipe"):
            read_regular_file(pipe)
    finally:
        watchdog.cancel()


def test_demo_does_not_wait_on_a_marker_that_is_a_named_pipe(tmp_path, spawn_spark):
    """The marker says which outputs an earlier run wrote; a pipe in its place lists none."""
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / ".sparksig-demo")
    (out / "signature.json").write_text("user data")
    done = cli(tmp_path, "demo", "--out", out, "--overwrite")
    assert done.returncode == 2, done.stderr
    assert "signature.json was not written by sparksig demo" in done.stderr
    assert (out / "signature.json").read_text() == "user data"
