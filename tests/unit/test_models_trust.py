"""Reading a model directory's signature never runs its pickle; loading it does, and says so."""

from __future__ import annotations

import os
import pickle

import pandas as pd
from click.testing import CliRunner

import sparksig as ss
from sparksig import models
from sparksig.cli.app import cli
from sparksig.cli.inputs import load_signature
from sparksig.cli.serve import serve_command

SIGNATURE = ss.ModelSignature(ss.Schema([ss.ColSpec("double", "x")]))


class Marker:
    """Unpickling this creates ``path``, then raises: proof that the pickle was loaded."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (_create_then_fail, (self.path,))


def _create_then_fail(path):
    os.mkdir(path)
    raise RuntimeError("the pickle ran")


def _booby_trapped_model(tmp_path):
    """A valid model directory whose pickle leaves a marker if anything unpickles it."""
    model_dir = tmp_path / "model"
    models.save_model(
        model_dir, lambda df: df["x"], signature=SIGNATURE, input_example=pd.DataFrame({"x": [1.0]})
    )
    marker = tmp_path / "unpickled"
    (model_dir / "python_model.pkl").write_bytes(pickle.dumps(Marker(marker)))
    return model_dir, marker


def test_loading_the_model_does_run_the_pickle(tmp_path):
    # the control: the trap works, so the tests below would see it if it were sprung
    model_dir, marker = _booby_trapped_model(tmp_path)
    try:
        models.load_model(model_dir)
    except ss.SerializationError as e:
        assert "the pickle ran" in str(e)
    assert marker.exists()


def test_reading_the_signature_never_unpickles(tmp_path):
    model_dir, marker = _booby_trapped_model(tmp_path)
    assert models.get_model_info(model_dir).signature == SIGNATURE
    assert load_signature(str(model_dir)) == SIGNATURE  # validate --signature MODEL_DIR
    assert load_signature(str(model_dir / "MLmodel")) == SIGNATURE
    assert models.load_input_example(model_dir)["x"].tolist() == [1.0]
    assert models.load_serving_example(model_dir) is not None
    assert not marker.exists()


def test_show_never_unpickles(tmp_path):
    model_dir, marker = _booby_trapped_model(tmp_path)
    for fmt in ("tree", "json"):
        result = CliRunner().invoke(cli, ["show", str(model_dir), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "x" in result.output and "double" in result.output
    assert not marker.exists()


def test_serve_help_says_loading_runs_pickled_code():
    text = " ".join(CliRunner().invoke(serve_command, ["--help"]).output.split())
    assert "runs the code pickled in it" in text
    assert "trust" in text
