"""Saving and loading models: every model kind, signature enforcement, inference from examples."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
import pytest

import sparksig as ss
from sparksig import models
from sparksig.models.pyfunc import as_predict
from tests import spawn

SIG = ss.ModelSignature(
    ss.Schema([ss.ColSpec("double", "x")]),
    ss.Schema([ss.ColSpec("double")]),
    ss.ParamSchema([ss.ParamSpec("k", "double", 1.0)]),
)
DF = pd.DataFrame({"x": [1.0, 2.0]})


class WithParams:
    def predict(self, model_input, params=None):
        return (model_input["x"] * (params or {}).get("k", 1.0)).tolist()


class WithoutParams:
    def predict(self, model_input):
        return model_input["x"].tolist()


def two_args(model_input, params):
    return (model_input["x"] * params["k"]).tolist()


def one_arg(model_input):
    return model_input["x"].tolist()


@pytest.mark.parametrize(
    ("model", "takes_params", "expected"),
    [
        (WithParams(), True, [3.0, 6.0]),
        (WithoutParams(), False, [1.0, 2.0]),
        (two_args, True, [3.0, 6.0]),
        (one_arg, False, [1.0, 2.0]),
        (lambda df, params=None: [len(df), params["k"]], True, [2, 3.0]),
    ],
    ids=["predict-params", "predict", "callable-2", "callable-1", "lambda"],
)
def test_every_model_kind_saves_loads_and_predicts(tmp_path, model, takes_params, expected):
    assert as_predict(model).takes_params is takes_params
    models.save_model(tmp_path / "m", model, signature=SIG)
    loaded = models.load_model(tmp_path / "m")
    assert loaded.metadata.signature == SIG
    assert loaded.predict(DF, params={"k": 3.0}) == expected


def test_local_classes_and_closures_pickle(tmp_path):
    factor = 10.0

    class Local:
        def predict(self, model_input, params=None):
            return (model_input["x"] * factor).tolist()

    models.save_model(tmp_path / "m", Local(), signature=SIG)
    assert models.load_model(tmp_path / "m").predict(DF) == [10.0, 20.0]


def test_predict_enforces_the_signature(tmp_path):
    models.save_model(tmp_path / "m", WithParams(), signature=SIG)
    loaded = models.load_model(tmp_path / "m")
    with pytest.raises(ss.SchemaEnforcementError) as e:
        loaded.predict(pd.DataFrame({"y": [1.0]}))
    assert [(v.code, v.column_path) for v in e.value.violations] == [("missing_column", "x")]
    with pytest.raises(ss.SchemaEnforcementError) as e:
        loaded.predict(DF, params={"k": "three"})
    assert [v.code for v in e.value.violations] == ["invalid_param"]
    # extra columns are dropped, as in MLflow; the model sees only declared inputs
    models.save_model(tmp_path / "spy", lambda df: list(df.columns), signature=SIG)
    assert models.load_model(tmp_path / "spy").predict(DF.assign(extra=["a", "b"])) == ["x"]


def test_model_without_params_is_called_without_them(tmp_path, caplog):
    models.save_model(tmp_path / "m", WithoutParams(), signature=SIG)
    with caplog.at_level(logging.WARNING):
        assert models.load_model(tmp_path / "m").predict(DF, params={"k": 2.0}) == [1.0, 2.0]
    assert "does not take params" in caplog.text


def test_signature_is_inferred_from_the_example(tmp_path):
    example = (pd.DataFrame({"x": [1.5], "tag": ["a"]}), {"k": 2.0})
    models.save_model(tmp_path / "m", WithParams(), input_example=example)
    sig = models.get_model_info(tmp_path / "m").signature
    assert sig.inputs == ss.Schema([ss.ColSpec("double", "x"), ss.ColSpec("string", "tag")])
    assert sig.outputs == ss.Schema([ss.ColSpec("double")])  # a list of floats
    assert sig.params == ss.ParamSchema([ss.ParamSpec("k", "double", 2.0)])
    pd.testing.assert_frame_equal(models.load_input_example(tmp_path / "m"), example[0])
    assert models.load_input_example_params(tmp_path / "m") == {"k": 2.0}


def test_one_dimensional_array_output_becomes_a_column_for_column_inputs(tmp_path):
    models.save_model(tmp_path / "m", lambda df: df["x"].to_numpy() * 2, input_example=DF)
    sig = models.get_model_info(tmp_path / "m").signature
    assert sig.outputs == ss.Schema([ss.ColSpec("double")])  # MLflow: a Series, not a tensor


def test_failed_inference_warns_and_saves_without_signature(tmp_path):
    def crash(df):
        raise RuntimeError("boom")

    with pytest.warns(UserWarning, match="without a signature"):
        models.save_model(tmp_path / "m", crash, input_example=DF)
    assert models.get_model_info(tmp_path / "m").signature is None
    assert models.load_serving_example(tmp_path / "m") is not None


def test_params_argument_declares_param_schema(tmp_path):
    sig = ss.ModelSignature(ss.Schema([ss.ColSpec("double", "x")]))
    models.save_model(tmp_path / "m", WithParams(), signature=sig, params={"k": 4.0})
    saved = models.get_model_info(tmp_path / "m").signature
    assert saved.params == ss.ParamSchema([ss.ParamSpec("k", "double", 4.0)])
    assert models.load_model(tmp_path / "m").predict(DF) == [4.0, 8.0]  # the default applies


def test_validate_serving_input_parses_enforces_and_predicts(tmp_path):
    models.save_model(tmp_path / "m", WithParams(), signature=SIG, input_example=(DF, {"k": 2.0}))
    assert models.validate_serving_input(
        tmp_path / "m", models.load_serving_example(tmp_path / "m")
    ) == [2.0, 4.0]
    assert models.validate_serving_input(
        tmp_path / "m", {"inputs": {"x": [1, 2]}, "params": {"k": 10}}
    ) == [10.0, 20.0]
    with pytest.raises(ss.SchemaEnforcementError):
        models.validate_serving_input(tmp_path / "m", {"dataframe_records": [{"x": "a"}]})
    with pytest.raises(models.PayloadError):
        models.validate_serving_input(tmp_path / "m", "{")


def test_tensor_model_round_trip(tmp_path):
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    models.save_model(tmp_path / "m", lambda a: a.sum(axis=1), input_example=x)
    sig = models.get_model_info(tmp_path / "m").signature
    assert sig.inputs == ss.Schema([ss.TensorSpec(np.dtype("float32"), (-1, 3))])
    loaded = models.load_model(tmp_path / "m")
    np.testing.assert_array_equal(
        loaded.predict(models.load_input_example(tmp_path / "m")), [3, 12]
    )
    with pytest.raises(ss.SchemaEnforcementError):
        loaded.predict(np.ones((2, 4), dtype=np.float32))


def test_saving_into_a_non_empty_directory_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError):
        models.save_model(tmp_path, one_arg)


def test_unsupported_models_are_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(TypeError, match="callable"):
        models.save_model(tmp_path / "m", 42)
    assert not (tmp_path / "m").exists()


def test_loading_a_directory_without_python_function_flavor(tmp_path):
    (tmp_path / "MLmodel").write_text("flavors:\n  spark: {}\n")
    with pytest.raises(ss.SerializationError, match="python_function"):
        models.load_model(tmp_path)


def test_missing_model_file_names_it(tmp_path):
    models.save_model(tmp_path / "m", one_arg)
    (tmp_path / "m" / "python_model.pkl").unlink()
    with pytest.raises(ss.SerializationError, match=r"python_model\.pkl"):
        models.load_model(tmp_path / "m")


def test_import_models_stays_light():
    code = (
        "import sys, sparksig.models; "
        "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow', 'pyspark', 'starlette') "
        "if m in sys.modules))"
    )
    out = spawn.python("-c", code, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_no_warnings_for_a_clean_save(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        models.save_model(tmp_path / "m", WithParams(), signature=SIG, input_example=DF)
