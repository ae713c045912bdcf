"""Model directories are untrusted input: every path an MLmodel names must stay inside it."""

from __future__ import annotations

import json
import os
import pickle

import pandas as pd
import pytest
import yaml

import sparksig as ss
from sparksig import models
from sparksig.models.paths import resolve_inside


class Marker:
    """Unpickling this creates ``path``: proof that a pickle was loaded (and its code ran)."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def _model_dir(tmp_path, example=False):
    path = tmp_path / "model"
    kwargs = {"input_example": pd.DataFrame({"x": [1.0]})} if example else {}
    models.save_model(path, lambda df: df["x"] * 2, **kwargs)
    return path


def _edit(model_dir, change):
    file = model_dir / "MLmodel"
    doc = yaml.safe_load(file.read_text())
    change(doc)
    file.write_text(yaml.safe_dump(doc))


def _set_python_model(value):
    def change(doc):
        doc["flavors"]["python_function"]["python_model"] = value

    return change


def _evil_pickle(where, marker):
    where.write_bytes(pickle.dumps(Marker(marker)))
    return where


def test_the_marker_pickle_runs_code_when_loaded(tmp_path):
    # the control for the tests below: loading this pickle does create the marker
    marker = tmp_path / "ran"
    pickle.loads(_evil_pickle(tmp_path / "evil.pkl", marker).read_bytes())
    assert marker.exists()


def test_python_model_with_dotdot_is_refused_before_unpickling(tmp_path):
    marker = tmp_path / "ran"
    _evil_pickle(tmp_path / "evil.pkl", marker)
    model_dir = _model_dir(tmp_path)
    _edit(model_dir, _set_python_model("../evil.pkl"))
    with pytest.raises(ss.SerializationError) as e:
        models.load_model(model_dir)
    assert e.value.path == "flavors.python_function.python_model"
    assert "'../evil.pkl'" in str(e.value) and "outside the model directory" in str(e.value)
    assert not marker.exists()


def test_python_model_with_an_absolute_path_is_refused(tmp_path):
    marker = tmp_path / "ran"
    evil = _evil_pickle(tmp_path / "evil.pkl", marker)
    model_dir = _model_dir(tmp_path)
    _edit(model_dir, _set_python_model(str(evil)))
    with pytest.raises(ss.SerializationError, match="absolute path") as e:
        models.load_model(model_dir)
    assert e.value.path == "flavors.python_function.python_model"
    assert str(evil) in str(e.value)
    assert not marker.exists()


def test_python_model_symlinked_outside_is_refused(tmp_path):
    marker = tmp_path / "ran"
    evil = _evil_pickle(tmp_path / "evil.pkl", marker)
    model_dir = _model_dir(tmp_path)
    os.remove(model_dir / "python_model.pkl")
    os.symlink(evil, model_dir / "python_model.pkl")
    with pytest.raises(ss.SerializationError, match="outside the model directory") as e:
        models.load_model(model_dir)
    assert e.value.path == "flavors.python_function.python_model"
    assert str(evil) in str(e.value)  # the symlink's real target is named
    assert not marker.exists()


def test_sparksig_flavor_path_is_checked_too(tmp_path):
    model_dir = _model_dir(tmp_path)
    _edit(model_dir, lambda doc: doc["flavors"]["sparksig"].update(python_model="../x.pkl"))
    with pytest.raises(ss.SerializationError) as e:
        models.get_model_info(model_dir)
    assert e.value.path == "flavors.sparksig.python_model"


def test_symlinks_that_stay_inside_are_fine(tmp_path):
    model_dir = _model_dir(tmp_path)
    os.rename(model_dir / "python_model.pkl", model_dir / "real.pkl")
    os.symlink("real.pkl", model_dir / "python_model.pkl")
    assert models.load_model(model_dir).predict(pd.DataFrame({"x": [2.0]})).tolist() == [4.0]


def test_a_symlinked_model_directory_is_fine(tmp_path):
    model_dir = _model_dir(tmp_path)
    link = tmp_path / "link"
    os.symlink(model_dir, link)
    assert models.load_model(link).predict(pd.DataFrame({"x": [1.0]})).tolist() == [2.0]


@pytest.mark.parametrize("value", ["/etc/passwd", "../../../../../../etc/passwd"])
def test_example_artifact_path_outside_is_refused_before_reading(tmp_path, value):
    model_dir = _model_dir(tmp_path, example=True)
    _edit(model_dir, lambda doc: doc["saved_input_example_info"].update(artifact_path=value))
    for read in (models.get_model_info, models.load_input_example, models.load_serving_example):
        with pytest.raises(ss.SerializationError) as e:
            read(model_dir)
        assert e.value.path == "saved_input_example_info.artifact_path"
        assert repr(value) in str(e.value)
        assert "root:" not in str(e.value)  # nothing of the file is shown


def test_serving_input_path_symlinked_outside_is_refused(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"token": "s3cr3t"}))
    model_dir = _model_dir(tmp_path, example=True)
    os.remove(model_dir / "serving_input_example.json")
    os.symlink(secret, model_dir / "serving_input_example.json")
    with pytest.raises(ss.SerializationError) as e:
        models.load_serving_example(model_dir)
    assert e.value.path == "saved_input_example_info.serving_input_path"
    assert "s3cr3t" not in str(e.value)


@pytest.mark.parametrize(
    ("key", "conf"),
    [
        ("flavors.python_function.data", {"data": "../data"}),
        ("flavors.python_function.code", {"code": "/usr/lib/python3"}),
        ("flavors.python_function.model_path", {"model_path": "../m.pkl"}),
        ("flavors.python_function.env.conda", {"env": {"conda": "/tmp/conda.yaml"}}),
        ("flavors.python_function.artifacts.vocab.path", {"artifacts": {"vocab": {"path": ".."}}}),
    ],
    ids=["data", "code", "model_path", "env", "artifact"],
)
def test_other_flavor_paths_are_refused_before_loading(tmp_path, key, conf):
    model_dir = _model_dir(tmp_path)
    _edit(model_dir, lambda doc: doc["flavors"]["python_function"].update(conf))
    with pytest.raises(ss.SerializationError) as e:
        models.load_model(model_dir)
    assert e.value.path == key


def test_mlmodel_symlinked_outside_is_refused(tmp_path):
    model_dir = _model_dir(tmp_path)
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text((model_dir / "MLmodel").read_text())
    os.remove(model_dir / "MLmodel")
    os.symlink(outside, model_dir / "MLmodel")
    with pytest.raises(ss.SerializationError, match="symlink") as e:
        models.get_model_info(model_dir)
    assert e.value.path == "MLmodel"


def test_the_model_directory_itself_is_not_a_file(tmp_path):
    model_dir = _model_dir(tmp_path)
    _edit(model_dir, _set_python_model("."))
    with pytest.raises(ss.SerializationError) as e:
        models.load_model(model_dir)
    assert e.value.path == "flavors.python_function.python_model"


@pytest.mark.parametrize("value", ["", None, 5, "a\x00b"])
def test_resolve_inside_refuses_non_paths(tmp_path, value):
    with pytest.raises(ss.SerializationError, match="relative path") as e:
        resolve_inside(tmp_path, value, "k")
    assert e.value.path == "k"


def test_resolve_inside_returns_the_real_path(tmp_path):
    (tmp_path / "sub").mkdir()
    assert resolve_inside(tmp_path, "sub/../f.json", "k") == str(tmp_path.resolve() / "f.json")
