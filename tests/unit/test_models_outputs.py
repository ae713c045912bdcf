"""What a model returned, checked against the rows it was given and its output schema."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sparksig as ss
from sparksig.models.outputs import check_output, prediction_count
from sparksig.models.responses import ErrorCode

DOUBLE = ss.Schema([ss.ColSpec("double")])
NAMED = ss.Schema([ss.ColSpec("double", "score"), ss.ColSpec("string", "label")])
TENSOR = ss.Schema([ss.TensorSpec(np.dtype("float32"), (-1, 2))])


@pytest.mark.parametrize(
    ("predictions", "count"),
    [
        ([1, 2, 3], 3),
        ((1,), 1),
        (np.zeros((4, 2)), 4),
        (np.float64(1.0), None),
        (np.array(5.0), None),
        (pd.Series([1.0, 2.0]), 2),
        (pd.DataFrame({"a": [1]}), 1),
        ({"a": [1, 2]}, None),
        ("text", None),
    ],
)
def test_prediction_count(predictions, count):
    assert prediction_count(predictions) == count


@pytest.mark.parametrize(
    "predictions", [[1.0], np.array([1.0, 2.0, 3.0]), pd.Series([1.0, 2.0, 3.0]), []]
)
def test_not_one_prediction_per_row_is_a_length_problem(predictions):
    problem = check_output(predictions, input_rows=2, output_schema=None)
    assert problem is not None and problem.code is ErrorCode.OUTPUT_LENGTH_MISMATCH
    assert f"returned {len(predictions)} prediction(s) for 2 input row(s)" in problem.message


@pytest.mark.parametrize("predictions", [{"answer": "yes"}, "yes", 3.0])
def test_outputs_that_are_not_sequences_have_no_length_to_check(predictions):
    assert check_output(predictions, input_rows=2, output_schema=None) is None


def test_without_input_rows_any_length_goes():
    assert check_output([1.0, 2.0, 3.0], input_rows=None, output_schema=DOUBLE) is None


@pytest.mark.parametrize(
    "predictions",
    [[1, 2], np.array([1, 2], dtype=np.int64), pd.Series([0.5, 1.5], name="anything")],
    ids=["python-ints", "int64", "series-named-otherwise"],
)
def test_json_has_no_number_widths_so_lossless_outputs_pass(predictions):
    assert check_output(predictions, input_rows=2, output_schema=DOUBLE) is None


def test_float64_for_a_float32_tensor_passes_and_a_2d_shape_is_checked():
    assert check_output(np.ones((3, 2)), 3, TENSOR) is None
    assert check_output([[1.0, 2.0]], 1, TENSOR) is None
    problem = check_output(np.ones((3, 5)), 3, TENSOR)
    assert problem is not None and problem.code is ErrorCode.OUTPUT_SCHEMA_MISMATCH
    assert [v.code for v in problem.violations] == ["shape_mismatch"]


@pytest.mark.parametrize(
    ("predictions", "code"),
    [
        (["yes", "no"], "type_mismatch"),
        ([0.5, None], None),  # NaN/None passes a required double at the top level (MLflow)
        (pd.DataFrame({"score": [0.5, 1.0]}), "missing_column"),
        (pd.DataFrame({"score": ["a", "b"], "label": ["x", "y"]}), "type_mismatch"),
        (pd.DataFrame({"score": [0.5, 1.0], "label": ["x", "y"]}), None),
    ],
    ids=["strings", "none", "missing-column", "wrong-type", "ok"],
)
def test_types_the_schema_forbids(predictions, code):
    schema = NAMED if isinstance(predictions, pd.DataFrame) else DOUBLE
    problem = check_output(predictions, 2, schema)
    if code is None:
        assert problem is None
    else:
        assert problem is not None and problem.code is ErrorCode.OUTPUT_SCHEMA_MISMATCH
        assert code in [v.code for v in problem.violations]


def test_a_fractional_value_for_a_long_output_is_refused():
    problem = check_output([1.5], 1, ss.Schema([ss.ColSpec("long", "n")]))
    assert problem is not None and problem.violations[0].column_path == "n"
