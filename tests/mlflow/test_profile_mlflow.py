"""A model directory holding ``profile.json`` still loads in the real MLflow, and the profile
travels with it; a corrupt profile is a clear error naming the file and the field."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import mlflow.models
import mlflow.pyfunc
import numpy as np
import pandas as pd
import pytest

from sparksig import SerializationError, models
from sparksig.profile import Range, suggest
from sparksig.profile.pandas import infer_profile

TRAIN = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "b", "a", "${HOME}"]})


class EchoModel(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


def _profile():
    p = infer_profile(TRAIN)
    return p.with_constraints(*suggest(p))


def test_mlflow_loads_a_sparksig_model_with_a_profile(tmp_path):
    path = str(tmp_path / "m")
    models.save_model(path, lambda df: df["x"] * 2, input_example=TRAIN, profile=_profile())
    assert os.path.exists(os.path.join(path, "profile.json"))
    info = mlflow.models.get_model_info(path)
    assert info.signature is not None
    loaded = mlflow.pyfunc.load_model(path)
    assert list(np.asarray(loaded.predict(TRAIN))) == [2.0, 4.0, 6.0, 8.0]
    assert models.load_profile(path) == _profile()


def test_mlflow_written_model_takes_a_profile_and_still_loads(tmp_path):
    path = str(tmp_path / "m")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.pyfunc.save_model(
            path, python_model=EchoModel(), input_example=TRAIN, pip_requirements=[]
        )
    mlmodel = Path(path, "MLmodel").read_text()
    models.set_profile(path, _profile())
    assert Path(path, "MLmodel").read_text() == mlmodel  # MLmodel untouched
    out = mlflow.pyfunc.load_model(path).predict(TRAIN)
    pd.testing.assert_frame_equal(out, TRAIN)
    assert (
        models.load_profile(os.path.join(path, "MLmodel")).column("c").categories.values[0] == "a"
    )
    assert models.get_model_info(path).signature is not None


def test_the_profile_travels_when_mlflow_logs_the_directory(tmp_path, monkeypatch):
    # MLflow 3.x refuses the file store unless asked (it is in maintenance mode).
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    path = str(tmp_path / "m")
    models.save_model(path, lambda df: df, input_example=TRAIN, profile=_profile())
    mlflow.set_tracking_uri((tmp_path / "mlruns").as_uri())
    with mlflow.start_run() as run:
        mlflow.log_artifacts(path, "model")
    local = mlflow.artifacts.download_artifacts(
        f"runs:/{run.info.run_id}/model", dst_path=str(tmp_path / "dl")
    )
    assert models.load_profile(local) == _profile()
    mlflow.pyfunc.load_model(local)
    mlflow.set_tracking_uri(None)


def test_no_profile_is_none_and_set_none_removes_it(tmp_path):
    path = str(tmp_path / "m")
    models.save_model(path, lambda df: df, input_example=TRAIN)
    assert models.load_profile(path) is None
    models.set_profile(path, _profile().with_constraints(Range("x", 0, 10)))
    assert models.load_profile(path).constraints_on("x") == (Range("x", 0, 10),)
    models.set_profile(path, None)
    assert models.load_profile(path) is None


def test_a_corrupt_profile_names_the_file_and_the_field(tmp_path):
    path = str(tmp_path / "m")
    models.save_model(path, lambda df: df, input_example=TRAIN, profile=_profile())
    file = os.path.join(path, "profile.json")
    doc = json.loads(Path(file).read_text())
    doc["columns"][1]["categories"]["counts"][0] = "many"
    Path(file).write_text(json.dumps(doc))
    with pytest.raises(SerializationError) as e:
        models.load_profile(path)
    assert "columns[1].categories.counts[0]" in str(e.value)
    assert file in str(e.value) and "delete the file" in str(e.value)
    Path(file).write_text("{not json")
    with pytest.raises(SerializationError, match="not valid JSON"):
        models.load_profile(path)
    # MLflow does not care
    mlflow.pyfunc.load_model(path)


def test_a_profile_symlink_out_of_the_directory_is_refused(tmp_path):
    path = str(tmp_path / "m")
    models.save_model(path, lambda df: df, input_example=TRAIN)
    outside = tmp_path / "elsewhere.json"
    outside.write_text(_profile().to_json())
    os.symlink(outside, os.path.join(path, "profile.json"))
    with pytest.raises(SerializationError, match=r"profile\.json"):
        models.load_profile(path)
