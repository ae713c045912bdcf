"""The MLmodel file: reading, writing, set_signature, and errors that name the file and key."""

from __future__ import annotations

import os

import pytest
import yaml

import sparksig as ss
from sparksig.models import get_model_info, set_signature
from sparksig.models.mlmodel import read_mlmodel, write_mlmodel

SIG = ss.ModelSignature(
    ss.Schema([ss.ColSpec("double", "x"), ss.ColSpec("string", "tag", required=False)]),
    ss.Schema([ss.ColSpec("long")]),
    ss.ParamSchema([ss.ParamSpec("k", "long", 3)]),
)


def _write(path, text):
    (path / "MLmodel").write_text(text)


def test_signature_block_is_mlflows_json_strings(tmp_path):
    write_mlmodel(tmp_path, {"flavors": {}, "mlflow_version": "3.17.2", "run_id": "r1"})
    set_signature(tmp_path, SIG)
    doc = yaml.safe_load((tmp_path / "MLmodel").read_text())
    assert doc["signature"] == {
        "inputs": '[{"type": "double", "name": "x", "required": true}, '
        '{"type": "string", "name": "tag", "required": false}]',
        "outputs": '[{"type": "long", "required": true}]',
        "params": '[{"name": "k", "default": 3, "shape": null, "type": "long"}]',
    }
    # keys sparksig does not interpret are kept; MLflow's type-hint flags are reset
    assert doc["mlflow_version"] == "3.17.2" and doc["run_id"] == "r1"
    assert doc["is_signature_from_type_hint"] is False
    assert doc["type_hint_from_example"] is False


def test_get_model_info_reads_directory_or_file(tmp_path):
    write_mlmodel(tmp_path, {"flavors": {"python_function": {}}, "model_uuid": "abc"})
    set_signature(tmp_path, SIG)
    for where in (tmp_path, tmp_path / "MLmodel", str(tmp_path)):
        info = get_model_info(where)
        assert info.signature == SIG
        assert info.model_uuid == "abc"
        assert info.path == str(tmp_path)
        assert "python_function" in info.flavors


def test_older_mlflow_signature_forms_read(tmp_path):
    # MLflow < 2.8 wrote "optional" instead of "required"; an absent part is null
    _write(
        tmp_path,
        "signature:\n"
        '  inputs: \'[{"name": "a", "type": "long", "optional": true}]\'\n'
        "  outputs: null\n",
    )
    sig = get_model_info(tmp_path).signature
    assert sig == ss.ModelSignature(ss.Schema([ss.ColSpec("long", "a", required=False)]))


def test_no_signature_and_empty_signature_are_none(tmp_path):
    _write(tmp_path, "flavors: {}\n")
    assert get_model_info(tmp_path).signature is None
    _write(tmp_path, "signature:\n  inputs: null\n  outputs: null\n  params: null\n")
    assert get_model_info(tmp_path).signature is None


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(ss.SerializationError, match=r"no MLmodel file at .*MLmodel") as e:
        get_model_info(tmp_path / "nope")
    assert e.value.path == "MLmodel"


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("flavors: [unclosed\n", "MLmodel", "not valid YAML"),
        ("- just\n- a list\n", "MLmodel", "must hold a YAML mapping"),
        ("signature: 3\n", "signature", "must be a mapping"),
        ('signature:\n  inputs: \'[{"type": "long", "name": "a"\'\n', "signature.inputs", ""),
        (
            'signature:\n  inputs: \'[{"type": "decimal", "name": "a"}]\'\n',
            "signature.inputs[0].type",
            "decimal",
        ),
        ("flavors: 3\n", "flavors", "must be a mapping"),
        (
            "saved_input_example_info:\n  type: dataframe\n",
            "saved_input_example_info.artifact_path",
            "missing",
        ),
    ],
    ids=[
        "bad-yaml",
        "not-mapping",
        "signature-scalar",
        "bad-json",
        "unknown-type",
        "flavors",
        "example-info",
    ],
)
def test_corrupt_files_name_the_file_and_key(tmp_path, text, key, message):
    _write(tmp_path, text)
    with pytest.raises(ss.SerializationError) as e:
        get_model_info(tmp_path)
    assert e.value.path == key
    assert str(tmp_path / "MLmodel") in str(e.value)
    assert message in str(e.value)


def test_set_signature_on_missing_directory_fails_clearly(tmp_path):
    with pytest.raises(ss.SerializationError, match="no MLmodel file"):
        set_signature(tmp_path, SIG)


def test_set_signature_rejects_non_signatures(tmp_path):
    write_mlmodel(tmp_path, {"flavors": {}})
    with pytest.raises(TypeError, match="ModelSignature"):
        set_signature(tmp_path, {"inputs": "[]"})


def test_write_is_mlflow_yaml_style(tmp_path):
    write_mlmodel(tmp_path, {"b": 1, "a": {"z": "x", "y": None}})
    # block style, keys sorted, as yaml.safe_dump(default_flow_style=False) writes
    assert (tmp_path / "MLmodel").read_text() == "a:\n  y: null\n  z: x\nb: 1\n"
    assert read_mlmodel(tmp_path) == {"b": 1, "a": {"z": "x", "y": None}}


def test_an_mlmodel_nested_too_deeply_is_a_serialization_error(tmp_path):
    (tmp_path / "MLmodel").write_text("a: " + "[" * 5000 + "]" * 5000)
    with pytest.raises(ss.SerializationError, match="nested too deeply") as e:
        get_model_info(tmp_path)
    assert e.value.path == "MLmodel"


def test_a_signature_nested_too_deeply_is_a_serialization_error(tmp_path):
    deep = "[" * 3000 + "]" * 3000
    (tmp_path / "MLmodel").write_text(f"flavors: {{}}\nsignature:\n  inputs: '{deep}'\n")
    with pytest.raises(ss.SerializationError) as e:  # not a RecursionError
        get_model_info(tmp_path)
    assert str(tmp_path / "MLmodel") in str(e.value)


def test_an_unreadable_mlmodel_is_a_serialization_error(tmp_path):
    os.symlink("MLmodel", tmp_path / "MLmodel")  # a symlink loop: open() fails with ELOOP
    with pytest.raises(ss.SerializationError, match="cannot read") as e:
        get_model_info(tmp_path)
    assert e.value.path == "MLmodel"
