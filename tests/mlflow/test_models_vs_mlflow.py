"""Model directories, input examples and serving payloads are interchangeable with MLflow's.

Every expected value here is produced by the real MLflow in the same test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings

import mlflow.models
import mlflow.models.utils
import mlflow.pyfunc
import numpy as np
import pandas as pd
import pytest
import yaml
from mlflow.models import Model
from mlflow.models import infer_signature as mlflow_infer_signature
from mlflow.models.signature import ModelSignature as MlflowSignature
from mlflow.models.utils import _Example
from mlflow.types import ColSpec as MlColSpec
from mlflow.types import Schema as MlSchema

import sparksig as ss
from sparksig import models
from sparksig.models.examples import make_example


class EchoModel(mlflow.pyfunc.PythonModel):
    """Returns its input: the simplest model whose output MLflow and sparksig both accept."""

    def predict(self, context, model_input, params=None):
        return model_input


def _mlflow_save(path, example, signature=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.pyfunc.save_model(
            path,
            python_model=EchoModel(),
            input_example=example,
            signature=signature,
            pip_requirements=[],
        )


def _read(path, name):
    with open(os.path.join(path, name)) as f:
        return f.read()


def _example_info(path):
    with open(os.path.join(path, "MLmodel")) as f:
        return yaml.safe_load(f)["saved_input_example_info"]


EXAMPLES = {
    "dataframe_split": pd.DataFrame({"a": [1, 2], "b": ["x", None], "c": [0.5, np.nan]}),
    "dataframe_values": pd.DataFrame([[1, 2.5], [3, 4.5]]),
    "dataframe_datetime": pd.DataFrame(
        {"t": pd.to_datetime(["2024-01-02 00:00", "2024-03-04 05:06"])}
    ),
    "ndarray": np.array([[1.0, np.nan], [3.0, 4.0]], dtype=np.float32),
    "ndarray_int": np.arange(6).reshape(2, 3),
    "dict_of_arrays": {"x": np.array([1, 2, 3]), "y": np.array(["a", "b", "c"])},
    "json_object": {"question": "What is Spark?", "k": 3, "tags": ["a", "b"]},
    "json_list": [{"a": 1}, {"a": 2}],
    "string": "hello",
    "bytes": b"\x00\x01binary payload",
    "datetime": dt.datetime(2024, 1, 2, 3, 4, 5),
    "llm_chat": {"messages": [{"role": "user", "content": "hi"}]},
    "with_params": (pd.DataFrame({"a": [1.0]}), {"temperature": 0.5, "top_k": 3}),
    "ndarray_with_params": (np.array([1, 2]), {"flag": True}),
    "chat_with_params": ({"messages": []}, {"max_tokens": 10}),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_files_match_mlflow_text_for_text(name):
    expected = _Example(EXAMPLES[name])
    ours = make_example(EXAMPLES[name])
    assert json.loads(ours.input_json) == json.loads(expected.json_input_example)
    assert json.loads(ours.serving_json) == json.loads(expected.json_serving_input)
    assert ours.info == expected.info
    # the same serialiser settings give the same bytes, key order included
    assert ours.input_json == expected.json_input_example
    assert ours.serving_json == expected.json_serving_input


@pytest.mark.parametrize(
    "name", ["dataframe_split", "dataframe_values", "ndarray", "bytes", "with_params"]
)
def test_saved_directories_hold_the_same_example_files(tmp_path, name):
    example = EXAMPLES[name]
    data = example[0] if isinstance(example, tuple) else example
    params = example[1] if isinstance(example, tuple) else None
    _mlflow_save(str(tmp_path / "mlflow"), example, mlflow_infer_signature(data, None, params))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models.save_model(
            str(tmp_path / "ours"),
            lambda x: x,
            signature=ss.ModelSignature(ss.Schema([ss.ColSpec(ss.AnyType())])),
            input_example=example,
        )
    for file in ("input_example.json", "serving_input_example.json"):
        assert _read(tmp_path / "ours", file) == _read(tmp_path / "mlflow", file)
    assert _example_info(tmp_path / "ours") == _example_info(tmp_path / "mlflow")


def test_mlflow_rejects_what_we_reject_as_examples():
    for bad in ([np.array([1])], {"a": np.array([1]), "b": [1]}, object()):
        with pytest.raises(mlflow.exceptions.MlflowException):
            _Example(bad)
        with pytest.raises(TypeError):
            make_example(bad)


# --- MLflow writes, sparksig reads -------------------------------------------------------

MLFLOW_WRITTEN = {
    "frame": (
        pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.5, 1.5], "d": [True, False]}),
        {"k": 3},
    ),
    "frame_binary_datetime": (
        pd.DataFrame({"raw": [b"\x00a", b"b"], "t": pd.to_datetime(["2024-01-02", "2024-03-04"])}),
        None,
    ),
    "tensor": (np.arange(6, dtype=np.float32).reshape(3, 2), None),
    "tensor_dict": ({"x": np.array([1, 2]), "y": np.array([0.5, 1.5])}, None),
    "json": ({"question": "why", "n": [1, 2]}, {"temperature": 0.1}),
}


def _assert_same_example(ours, theirs):
    if isinstance(theirs, pd.DataFrame):
        pd.testing.assert_frame_equal(ours, theirs)
    elif isinstance(theirs, np.ndarray):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
    elif (
        isinstance(theirs, dict) and theirs and isinstance(next(iter(theirs.values())), np.ndarray)
    ):
        assert ours.keys() == theirs.keys()
        for k in theirs:
            assert ours[k].dtype == theirs[k].dtype
            np.testing.assert_array_equal(ours[k], theirs[k])
    else:
        assert ours == theirs


@pytest.mark.parametrize("name", sorted(MLFLOW_WRITTEN))
def test_mlflow_written_directory_reads_identically(tmp_path, name):
    data, params = MLFLOW_WRITTEN[name]
    example = (data, params) if params else data
    _mlflow_save(str(tmp_path), example, mlflow_infer_signature(data, data, params))
    ml_model = Model.load(str(tmp_path))

    info = models.get_model_info(tmp_path)
    assert info.signature.to_dict() == ml_model.signature.to_dict()
    assert info.saved_input_example_info == ml_model.saved_input_example_info
    _assert_same_example(models.load_input_example(tmp_path), ml_model.load_input_example(tmp_path))
    assert models.load_input_example_params(tmp_path) == ml_model.load_input_example_params(
        str(tmp_path)
    )
    assert models.load_serving_example(tmp_path) == mlflow.models.utils.load_serving_example(
        str(tmp_path)
    )


def test_mlflow_written_directory_without_example(tmp_path):
    sig = MlflowSignature(MlSchema([MlColSpec("double", "x")]))
    _mlflow_save(str(tmp_path), None, sig)
    assert models.get_model_info(tmp_path).signature == ss.ModelSignature(
        ss.Schema([ss.ColSpec("double", "x")])
    )
    assert models.load_input_example(tmp_path) is None
    assert models.load_serving_example(tmp_path) is None


# --- sparksig writes, MLflow reads -------------------------------------------------------

SPARKSIG_WRITTEN = {
    "frame": (pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.5, 1.5]}), {"k": 3}),
    "frame_binary": (pd.DataFrame({"raw": [b"\x00a", b"b"]}), None),
    "tensor": (np.arange(6, dtype=np.float32).reshape(3, 2), None),
    "json": ({"question": "why", "n": [1, 2]}, {"temperature": 0.1}),
}


@pytest.mark.parametrize("name", sorted(SPARKSIG_WRITTEN))
def test_sparksig_written_directory_reads_identically_in_mlflow(tmp_path, name):
    data, params = SPARKSIG_WRITTEN[name]
    example = (data, params) if params else data
    sig = ss.ModelSignature.from_dict(mlflow_infer_signature(data, data, params).to_dict())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models.save_model(tmp_path, EchoModel(), signature=sig, input_example=example)

    ml_info = mlflow.models.get_model_info(str(tmp_path))
    assert ml_info.signature.to_dict() == sig.to_dict()
    ml_model = Model.load(str(tmp_path))
    _assert_same_example(models.load_input_example(tmp_path), ml_model.load_input_example(tmp_path))
    assert ml_model.load_input_example_params(str(tmp_path)) == params
    assert mlflow.models.utils.load_serving_example(str(tmp_path)) == models.load_serving_example(
        tmp_path
    )


def test_mlflow_pyfunc_loads_and_scores_a_sparksig_model(tmp_path):
    df = pd.DataFrame({"x": [1.0, 2.0]})
    sig = ss.ModelSignature(
        ss.Schema([ss.ColSpec("double", "x")]), ss.Schema([ss.ColSpec("double")])
    )

    def double(frame):
        return frame["x"] * 2

    models.save_model(tmp_path, double, signature=sig)
    loaded = mlflow.pyfunc.load_model(str(tmp_path))
    assert loaded.predict(df).tolist() == [2.0, 4.0]
    # MLflow enforces the signature sparksig wrote: a missing column is refused
    with pytest.raises(mlflow.exceptions.MlflowException, match="x"):
        loaded.predict(pd.DataFrame({"y": [1.0]}))


def test_mlflow_serving_validation_accepts_our_serving_example(tmp_path):
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    sig = ss.ModelSignature.from_dict(mlflow_infer_signature(df, df).to_dict())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models.save_model(tmp_path, lambda frame: frame, signature=sig, input_example=df)
        result = mlflow.models.utils._validate_serving_input(
            str(tmp_path), models.load_serving_example(tmp_path)
        )
    pd.testing.assert_frame_equal(result, df)


# --- set_signature on either side ---------------------------------------------------------


def test_set_signature_by_sparksig_is_seen_by_mlflow(tmp_path):
    _mlflow_save(str(tmp_path), None, MlflowSignature(MlSchema([MlColSpec("long", "a")])))
    before = yaml.safe_load(_read(tmp_path, "MLmodel"))
    new = ss.ModelSignature(
        ss.Schema([ss.ColSpec(ss.Array("double"), "v"), ss.ColSpec("string", "s", required=False)]),
        ss.Schema([ss.ColSpec("double")]),
        ss.ParamSchema([ss.ParamSpec("k", "long", 5)]),
    )
    models.set_signature(tmp_path, new)
    assert mlflow.models.get_model_info(str(tmp_path)).signature.to_dict() == new.to_dict()
    after = yaml.safe_load(_read(tmp_path, "MLmodel"))
    # everything else MLflow wrote is kept
    assert {k: v for k, v in after.items() if k != "signature"} == {
        k: v for k, v in before.items() if k != "signature"
    }


def test_set_signature_by_mlflow_is_seen_by_sparksig(tmp_path):
    models.save_model(tmp_path, lambda x: x)
    assert models.get_model_info(tmp_path).signature is None
    ml_sig = mlflow_infer_signature(pd.DataFrame({"a": [1], "b": [0.5]}), np.array([1.0]))
    mlflow.models.set_signature(str(tmp_path), ml_sig)
    assert models.get_model_info(tmp_path).signature.to_dict() == ml_sig.to_dict()
    # and the directory still loads in both tools
    assert models.get_model_info(tmp_path).flavors["python_function"]["loader_module"] == (
        "sparksig.models.pyfunc"
    )
    mlflow.pyfunc.load_model(str(tmp_path))


def test_set_signature_accepts_an_mlflow_signature(tmp_path):
    models.save_model(tmp_path, lambda x: x)
    ml_sig = MlflowSignature(MlSchema([MlColSpec("string", "q")]))
    models.set_signature(tmp_path, ml_sig)
    assert Model.load(str(tmp_path)).signature == ml_sig


def test_mlflow_signature_with_integer_column_names_reads(tmp_path):
    df = pd.DataFrame([[1, 2.5]])
    _mlflow_save(str(tmp_path), df, mlflow_infer_signature(df))
    assert models.get_model_info(tmp_path).signature.inputs.input_names() == [0, 1]


# --- models: MLflow PythonModels in sparksig, MLflow-written models scored by sparksig --------


class ContextModel(mlflow.pyfunc.PythonModel):
    """Needs load_context before predict, and takes params."""

    def load_context(self, context):
        self.offset = 100.0

    def predict(self, context, model_input, params=None):
        return (model_input["x"] * (params or {}).get("k", 1.0) + self.offset).tolist()


CTX_SIG = ss.ModelSignature(
    ss.Schema([ss.ColSpec("double", "x")]),
    ss.Schema([ss.ColSpec("double")]),
    ss.ParamSchema([ss.ParamSpec("k", "double", 1.0)]),
)


def test_sparksig_saves_an_mlflow_python_model_and_both_tools_score_it(tmp_path):
    models.save_model(tmp_path, ContextModel(), signature=CTX_SIG)
    df = pd.DataFrame({"x": [1.0, 2.0]})
    assert models.load_model(tmp_path).predict(df, params={"k": 2.0}) == [102.0, 104.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert mlflow.pyfunc.load_model(str(tmp_path)).predict(df, params={"k": 2.0}) == [
            102.0,
            104.0,
        ]
    assert isinstance(models.load_model(tmp_path).unwrap_python_model(), ContextModel)


def test_sparksig_scores_an_mlflow_written_model(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.pyfunc.save_model(
            str(tmp_path),
            python_model=ContextModel(),
            signature=MlflowSignature.from_dict(CTX_SIG.to_dict()),
            pip_requirements=[],
        )
        loaded = models.load_model(tmp_path)
    assert loaded.metadata.signature == CTX_SIG
    assert loaded.predict(pd.DataFrame({"x": [1.0]}), params={"k": 3.0}) == [103.0]
    with pytest.raises(ss.SchemaEnforcementError):  # sparksig's engine, not MLflow's
        loaded.predict(pd.DataFrame({"y": [1.0]}))


# --- the same serving payload, accepted or rejected by both --------------------------------

SERVE_SIG = ss.ModelSignature(
    ss.Schema(
        [
            ss.ColSpec("double", "x"),
            ss.ColSpec("long", "n"),
            ss.ColSpec("string", "s", required=False),
        ]
    ),
    ss.Schema([ss.ColSpec("double")]),
    ss.ParamSchema([ss.ParamSpec("k", "long", 1)]),
)


class Sum(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return (model_input["x"] + model_input["n"] * (params or {}).get("k", 1)).to_numpy()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path = tmp_path_factory.mktemp("served") / "m"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.pyfunc.save_model(
            str(path),
            python_model=Sum(),
            signature=MlflowSignature.from_dict(SERVE_SIG.to_dict()),
            pip_requirements=[],
        )
        ml_model = mlflow.pyfunc.load_model(str(path))
    return path, ml_model, models.load_model(path)


ACCEPTED = {
    "split": {"dataframe_split": {"columns": ["x", "n"], "data": [[1, 2], [0.5, 3]]}},
    "records": {"dataframe_records": [{"x": 1.0, "n": 2, "s": "a"}, {"x": 0.5, "n": 3}]},
    "inputs": {"inputs": {"x": [1.0, 0.5], "n": [2, 3]}},
    "instances": {"instances": [{"x": 1.0, "n": 2}, {"x": 0.5, "n": 3}]},
    "params": {"dataframe_records": [{"x": 1.0, "n": 2}], "params": {"k": 10}},
    "extra-column": {"dataframe_records": [{"x": 1.0, "n": 2, "zzz": True}]},
}
REJECTED = {
    "missing-column": {"dataframe_records": [{"x": 1.0}]},
    "string-for-double": {"dataframe_records": [{"x": "a", "n": 2}]},
    "bad-param": {"dataframe_records": [{"x": 1.0, "n": 2}], "params": {"k": "ten"}},
}


def _mlflow_scores(ml_model, payload):
    from mlflow.pyfunc import scoring_server

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = scoring_server.invocations(
            json.dumps(payload), "application/json", ml_model, ml_model.metadata.get_input_schema()
        )
    return result.status, json.loads(result.response)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_payloads_mlflow_accepts_score_the_same_in_sparksig(served, name):
    from sparksig.models.server import predictions_to_json

    _path, ml_model, ours = served
    status, expected = _mlflow_scores(ml_model, ACCEPTED[name])
    assert status == 200
    assert json.loads(predictions_to_json(models.validate_serving_input(ours, ACCEPTED[name]))) == (
        expected
    )


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_payloads_mlflow_rejects_are_rejected_by_sparksig(served, name):
    _path, ml_model, ours = served
    with pytest.raises(mlflow.exceptions.MlflowException):
        _mlflow_scores(ml_model, REJECTED[name])
    with pytest.raises(ss.SchemaEnforcementError):
        models.validate_serving_input(ours, REJECTED[name])


def test_deliberate_difference_fractional_number_for_a_long_column(served):
    _path, ml_model, ours = served
    payload = {"dataframe_records": [{"x": 1.0, "n": 2.7}]}
    # MLflow's parser calls astype(int64) and scores n=2; sparksig refuses to truncate
    assert _mlflow_scores(ml_model, payload) == (200, {"predictions": [3.0]})
    with pytest.raises(ss.SchemaEnforcementError) as e:
        models.validate_serving_input(ours, payload)
    assert [v.column_path for v in e.value.violations] == ["n"]


@pytest.mark.parametrize(
    "predictions",
    [
        pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
        pd.Series([0.5, 1.5], name="score"),
        np.array([[1, 2], [3, 4]]),
        [1, "a", None],
        {"answer": "yes"},
    ],
    ids=["frame", "series", "ndarray", "list", "dict"],
)
def test_prediction_json_matches_mlflows_scoring_server(predictions):
    import io

    from mlflow.pyfunc import scoring_server

    from sparksig.models.server import predictions_to_json

    out = io.StringIO()
    scoring_server.predictions_to_json(predictions, out)
    assert predictions_to_json(predictions) == out.getvalue()


def test_deliberate_difference_nan_predictions_are_written_as_null():
    import io

    from mlflow.pyfunc import scoring_server

    from sparksig.models.server import predictions_to_json

    predictions = np.array([np.nan, np.inf, 1.0])
    out = io.StringIO()
    scoring_server.predictions_to_json(predictions, out)
    assert out.getvalue() == '{"predictions": [NaN, Infinity, 1.0]}'  # not valid JSON
    assert predictions_to_json(predictions) == '{"predictions": [null, null, 1.0]}'


def test_deliberate_difference_a_ragged_csv_row_is_refused(served):
    from mlflow.pyfunc import scoring_server

    from sparksig.models.scoring import score_request

    _path, ml_model, ours = served
    body = "x,n\n1.0,2,3,4\n"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = scoring_server.invocations(
            body, "text/csv", ml_model, ml_model.metadata.get_input_schema()
        )
    # pandas makes the first two fields an index: MLflow scores x=3, n=4
    assert (result.status, json.loads(result.response)) == (200, {"predictions": [7.0]})
    outcome = score_request(ours, body.encode(), "text/csv", "r1")
    assert outcome.status == 400
    assert "CSV line 2 has 4 field(s)" in json.loads(outcome.body)["message"]
