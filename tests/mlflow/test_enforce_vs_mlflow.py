"""Differential tests: sparksig's enforcement against MLflow's ``_enforce_schema`` and params.

Every case runs the same input through both. They must agree on accept/reject and on the
converted dtype, unless the case is listed in :data:`DELIBERATE_DIFFERENCES` (then they must
*differ*, so the table stays true).
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import warnings

import numpy as np
import pandas as pd
import pytest

from sparksig import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    Map,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    SchemaEnforcementError,
    SparkMLVector,
    SparksigError,
    TensorSpec,
)
from sparksig.enforce.api import enforce_params, enforce_schema

mlflow_utils = pytest.importorskip("mlflow.models.utils")
mlflow_types = pytest.importorskip("mlflow.types")

# reason -> case ids. The lead copies this table into the README.
DELIBERATE_DIFFERENCES: dict[str, tuple[str, list[str]]] = {
    "long_to_double": (
        "MLflow accepts long -> float/double only when every value is 0, 1 or null (a "
        "value-dependent quirk, so one batch passes and the next fails). sparksig refuses "
        "long -> float/double always: compatibility is decided from the type alone, also on "
        "Spark schemas without a data pass. Declare the column long, or cast it to double.",
        [
            "scalar:int64_01->float",
            "scalar:int64_01->double",
            "nested:arr_double:ints01:required",
            "nested:arr_double:ints01:optional",
            "nested:vec:ints01:required",
            "nested:vec:ints01:optional",
            "nested:map_double:map_01:required",
            "nested:map_double:map_01:optional",
        ],
    ),
    "ints_with_none_in_double_array": (
        "MLflow reads [1, None] through pd.Series, which turns it into floats, so it passes "
        "array<double> while [1, 2] fails. sparksig types Python ints as long whatever else "
        "the list holds: [1, None] fails array<double> like [1, 2].",
        [
            "nested:arr_double:none_elem_i:required",
            "nested:arr_double:none_elem_i:optional",
            "nested:vec:none_elem_i:required",
            "nested:vec:none_elem_i:optional",
        ],
    ),
    "null_elements_in_required_arrays": (
        "A None element inside a required array is refused (null_in_required) for every "
        "element type. MLflow refuses it for integer/long and objects but lets it through "
        "for double/string/boolean elements by accident of pd.Series conversion.",
        [
            "nested:arr_double:none_elem_f:required",
            "nested:arr_str:none_elem_s:required",
            "nested:vec:none_elem_f:required",
        ],
    ),
    "none_in_optional_long_array": (
        "In an optional array<long>, [1, None] is accepted: the element is simply missing. "
        "MLflow refuses it because pandas turns the list into floats first.",
        ["nested:arr_long:none_elem_i:optional"],
    ),
    "string_boolean_elements_checked": (
        "array<string> and array<boolean> elements are type-checked. MLflow passes any "
        "Python object (dicts, nested lists, strings for booleans) because object columns "
        "are not checked for string/boolean specs.",
        [
            f"nested:{spec}:{values}:{req}"
            for spec, values in [
                ("arr_str", "list_of_dicts"),
                ("arr_str", "list_dict_bad"),
                ("arr_bool", "strs"),
                ("arr_bool", "nested_f"),
                ("arr_bool", "nested_i"),
                ("arr_bool", "list_of_dicts"),
                ("arr_bool", "list_dict_bad"),
            ]
            for req in ("required", "optional")
        ]
        + ["nested:arr_bool:none_elem_s:required", "nested:arr_bool:none_elem_s:optional"],
    ),
    "element_types_per_column": (
        "Element types of Python lists are decided over the whole column (as Arrow infers them, "
        "like a Spark column type), not row by row: a row of ints among rows of floats is read "
        "as doubles. MLflow types each row alone and refuses the all-int row.",
        [
            "nested:arr_double:int_and_float_rows:required",
            "nested:arr_double:int_and_float_rows:optional",
            "nested:vec:int_and_float_rows:required",
            "nested:vec:int_and_float_rows:optional",
        ],
    ),
    "numeric_strings_to_double": (
        "An object column of numeric strings ('1.5') against double: MLflow parses it with "
        "pd.to_numeric; sparksig refuses (only Decimal objects are read as double). Parse "
        "the strings yourself if that is intended.",
        ["scalar:obj_numstr->double"],
    ),
    "nullable_dtypes_with_missing_values": (
        "pandas nullable Int64/boolean columns holding <NA>: MLflow crashes with a raw "
        "ValueError; sparksig accepts them and keeps the nullable dtype (without <NA> both "
        "return the numpy dtype).",
        ["scalar:Int64_na->long", "scalar:boolean_na->boolean"],
    ),
    "object_columns_checked": (
        "pandas object columns are looked at (pandas' vectorised value inference) against "
        "string, binary and boolean specs: strings are not booleans and bytes are not strings. "
        "MLflow passes object columns through unchecked for those specs.",
        [
            f"scalar:{source}->{target}"
            for source, targets in {
                "obj_str": ("boolean", "binary"),
                "obj_bytes": ("boolean", "string"),
                "obj_int": ("string", "binary"),
                "obj_int_none": ("string", "binary"),
                "obj_mixed": ("boolean", "string", "binary"),
                "obj_decimal": ("boolean", "string", "binary"),
                "obj_numstr": ("boolean", "binary"),
                "obj_date": ("boolean", "string", "binary"),
                "obj_datetime": ("string", "binary"),
                "obj_datetime_tz": ("string", "binary"),
                "obj_datestr": ("boolean", "binary"),
                "obj_bool": ("string", "binary"),
            }.items()
            for target in targets
        ],
    ),
    "spark_ml_vectors": (
        "A pandas column of pyspark.ml.linalg vectors against sparkml_vector is accepted; "
        "MLflow refuses vector objects in pandas input (it wants lists or numpy arrays).",
        ["nested:vec:dense_vectors:required"],
    ),
}
_DIFFERENT = {case for _, cases in DELIBERATE_DIFFERENCES.values() for case in cases}


@pytest.fixture(autouse=True)
def _quiet():
    logging.disable(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


def _mlflow_schema(schema: Schema):
    return mlflow_types.Schema.from_json(schema.to_json())


def _outcome(fn, column: str = "c") -> tuple[str, str]:
    try:
        out = fn()
    except SchemaEnforcementError:
        return ("reject", "")
    except SparksigError as e:  # any other sparksig error is a bug in an enforcement test
        raise AssertionError(f"unexpected {type(e).__name__}: {e}") from e
    except Exception:  # MLflow: MlflowException, or a raw pandas error
        return ("reject", "")
    if isinstance(out, pd.DataFrame):
        return ("accept", str(out[column].dtype))
    return ("accept", "")


def _compare(case: str, ours: tuple[str, str], theirs: tuple[str, str]) -> None:
    if case in _DIFFERENT:
        assert ours != theirs, f"{case} is listed as a deliberate difference but now agrees"
    else:
        assert ours == theirs, f"{case}: sparksig {ours} vs MLflow {theirs}"


# --- scalar conversion matrix: every source dtype x every target type ----------------------
SOURCES = {
    "bool": lambda: pd.Series([True, False]),
    "int8": lambda: pd.Series([1, 2], dtype="int8"),
    "int16": lambda: pd.Series([1, 2], dtype="int16"),
    "int32": lambda: pd.Series([1, 2], dtype="int32"),
    "int64": lambda: pd.Series([1, 2], dtype="int64"),
    "int64_01": lambda: pd.Series([0, 1], dtype="int64"),
    "uint8": lambda: pd.Series([1, 2], dtype="uint8"),
    "uint16": lambda: pd.Series([1, 2], dtype="uint16"),
    "uint32": lambda: pd.Series([1, 2], dtype="uint32"),
    "uint64": lambda: pd.Series([1, 2], dtype="uint64"),
    "float16": lambda: pd.Series([1.5, 2], dtype="float16"),
    "float32": lambda: pd.Series([1.5, 2], dtype="float32"),
    "float64": lambda: pd.Series([1.5, 2.0]),
    "float64_nan_ints": lambda: pd.Series([1.0, None]),
    "obj_str": lambda: pd.Series(["a", "b"], dtype=object),
    "obj_bytes": lambda: pd.Series([b"a", b"b"], dtype=object),
    "obj_int": lambda: pd.Series([1, 2], dtype=object),
    "obj_int_none": lambda: pd.Series([1, None], dtype=object),
    "obj_mixed": lambda: pd.Series([1, "a"], dtype=object),
    "obj_decimal": lambda: pd.Series([decimal.Decimal("1.5"), decimal.Decimal("2")]),
    "obj_numstr": lambda: pd.Series(["1.5", "2"], dtype=object),
    "obj_date": lambda: pd.Series([dt.date(2020, 1, 1), dt.date(2020, 1, 2)], dtype=object),
    "obj_datetime": lambda: pd.Series([dt.datetime(2020, 1, 1)] * 2, dtype=object),
    "obj_datetime_tz": lambda: pd.Series(
        [dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)] * 2, dtype=object
    ),
    "obj_datestr": lambda: pd.Series(["2020-01-01", "2020-01-02"], dtype=object),
    "obj_bool": lambda: pd.Series([True, False], dtype=object),
    "obj_none": lambda: pd.Series([None, None], dtype=object),
    "dt64ns": lambda: pd.Series(pd.to_datetime(["2020-01-01", "2020-01-02"])),
    "dt64s": lambda: pd.Series(np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[s]")),
    "dt64tz": lambda: pd.Series(pd.to_datetime(["2020-01-01"]).tz_localize("UTC")),
    "Int64": lambda: pd.Series([1, 2], dtype="Int64"),
    "Int64_na": lambda: pd.Series([1, None], dtype="Int64"),
    "Int32": lambda: pd.Series([1, 2], dtype="Int32"),
    "Float64": lambda: pd.Series([1.5, None], dtype="Float64"),
    "boolean_na": lambda: pd.Series([True, None], dtype="boolean"),
    "boolean": lambda: pd.Series([True, False], dtype="boolean"),
    "string": lambda: pd.Series(["a", None], dtype="string"),
    "category": lambda: pd.Series(["a", "b"], dtype="category"),
}


@pytest.mark.parametrize("target", list(DataType), ids=lambda t: t.name)
@pytest.mark.parametrize("source", list(SOURCES))
def test_scalar_matrix(source: str, target: DataType) -> None:
    schema = Schema([ColSpec(target, "c")])
    theirs = _outcome(
        lambda: mlflow_utils._enforce_schema(
            pd.DataFrame({"c": SOURCES[source]()}), _mlflow_schema(schema)
        )
    )
    ours = _outcome(lambda: enforce_schema(pd.DataFrame({"c": SOURCES[source]()}), schema))
    _compare(f"scalar:{source}->{target.name}", ours, theirs)


def test_accepted_scalar_values_equal_mlflow() -> None:
    df = pd.DataFrame(
        {
            "a": pd.Series([1, 2], dtype="int32"),
            "b": pd.Series([1.5, 2.5], dtype="float32"),
            "c": pd.to_datetime(["2020-01-01", "2021-06-01"]).astype("datetime64[s]"),
            "d": [decimal.Decimal("1.25"), decimal.Decimal("2")],
        }
    )
    schema = Schema(
        [
            ColSpec("long", "a"),
            ColSpec("double", "b"),
            ColSpec("datetime", "c"),
            ColSpec("double", "d"),
        ]
    )
    theirs = mlflow_utils._enforce_schema(df.copy(), _mlflow_schema(schema))
    ours = enforce_schema(df.copy(), schema)
    pd.testing.assert_frame_equal(ours, theirs)


# --- nested types ---------------------------------------------------------------------------
_OBJ = Object([Property("a", "long"), Property("b", "string", required=False)])
NESTED_SPECS = {
    "arr_double": Array("double"),
    "arr_long": Array("long"),
    "arr_int": Array("integer"),
    "arr_str": Array("string"),
    "arr_bool": Array("boolean"),
    "arr_dt": Array("datetime"),
    "arr_arr_double": Array(Array("double")),
    "arr_any": Array(AnyType()),
    "obj": _OBJ,
    "arr_obj": Array(_OBJ),
    "map_double": Map("double"),
    "map_arr_long": Map(Array("long")),
    "map_any": Map(AnyType()),
    "vec": SparkMLVector(),
    "any": AnyType(),
}
NESTED_VALUES = {
    "floats": [[1.5, 2.0], [3.0]],
    "ints": [[1, 2], [3]],
    "ints01": [[0, 1], [1]],
    "mixed_num": [[1, 2.5]],
    "int_and_float_rows": [[1, 2], [2.5]],
    "none_elem_f": [[1.5, None]],
    "none_elem_i": [[1, None]],
    "strs": [["a"], ["b", "c"]],
    "none_elem_s": [["a", None]],
    "bools": [[True], [False]],
    "empty": [[], [1.5]],
    "none_row": [[1.5], None],
    "nd_f64": [np.array([1.5, 2.0])],
    "nd_i32": [np.array([1, 2], dtype="int32")],
    "nd_f32": [np.array([1.5], dtype="float32")],
    "nested_f": [[[1.5], [2.0]]],
    "nested_i": [[[1], [2]]],
    "scalar_rows": [1.5, 2.5],
    "str_rows": ["a", "b"],
    "dates": [[dt.datetime(2020, 1, 1)]],
    "dict_ok": [{"a": 1}, {"a": 2, "b": "x"}],
    "dict_missing": [{"b": "x"}],
    "dict_extra": [{"a": 1, "c": 2}],
    "dict_null_req": [{"a": None}],
    "dict_float": [{"a": 1.5}],
    "dict_b_none": [{"a": 7, "b": None}],
    "list_of_dicts": [[{"a": 1}], [{"a": 2, "b": "y"}]],
    "list_dict_bad": [[{"a": "x"}]],
    "map_f": [{"k": 1.5}, {"j": 2.0, "l": 3.0}],
    "map_i": [{"k": 5}],
    "map_01": [{"k": 1}],
    "map_intkey": [{1: 1.5}],
    "map_arr": [{"k": [1, 2]}],
    "map_none_val": [{"k": None}],
    "empty_dict": [{}],
    "dict_str_vals": [{"k": "v"}],
    "mixed_kinds": [[1.5], {"a": 1}, "x"],
}


@pytest.mark.parametrize("required", [True, False], ids=["required", "optional"])
@pytest.mark.parametrize("values", list(NESTED_VALUES))
@pytest.mark.parametrize("spec", list(NESTED_SPECS))
def test_nested_matrix(spec: str, values: str, required: bool) -> None:
    schema = Schema([ColSpec(NESTED_SPECS[spec], "c", required=required)])

    def frame() -> pd.DataFrame:
        return pd.DataFrame({"c": pd.Series(NESTED_VALUES[values], dtype=object)})

    theirs = _outcome(lambda: mlflow_utils._enforce_schema(frame(), _mlflow_schema(schema)))
    ours = _outcome(lambda: enforce_schema(frame(), schema))
    _compare(f"nested:{spec}:{values}:{'required' if required else 'optional'}", ours, theirs)


def test_spark_ml_vectors() -> None:
    linalg = pytest.importorskip("pyspark.ml.linalg")
    schema = Schema([ColSpec(SparkMLVector(), "c")])
    vectors = [linalg.Vectors.dense([1.0, 2.0]), linalg.Vectors.sparse(3, [0], [1.0])]

    def frame() -> pd.DataFrame:
        return pd.DataFrame({"c": pd.Series(vectors, dtype=object)})

    theirs = _outcome(lambda: mlflow_utils._enforce_schema(frame(), _mlflow_schema(schema)))
    ours = _outcome(lambda: enforce_schema(frame(), schema))
    _compare("nested:vec:dense_vectors:required", ours, theirs)


# --- input shapes and column matching ------------------------------------------------------
_AB = Schema([ColSpec("long", "a"), ColSpec("string", "b", required=False)])
_UNNAMED = Schema([ColSpec("long"), ColSpec("double")])
INPUTS = {
    "df_reordered": (_AB, lambda: pd.DataFrame({"b": ["x"], "a": [1]})),
    "df_extra": (_AB, lambda: pd.DataFrame({"a": [1], "z": [2.5]})),
    "df_missing_required": (_AB, lambda: pd.DataFrame({"b": ["x"]})),
    "df_missing_optional": (_AB, lambda: pd.DataFrame({"a": [1, 2]})),
    "dict_scalars": (_AB, lambda: {"a": 1, "b": "x"}),
    "dict_arrays": (_AB, lambda: {"a": np.array([1, 2]), "b": np.array(["x", "y"], dtype=object)}),
    "list_of_dicts": (_AB, lambda: [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]),
    "series": (Schema([ColSpec("long", "a")]), lambda: pd.Series([1, 2], name="a")),
    "scalar": (Schema([ColSpec("long")]), lambda: 5),
    "ndarray_unnamed": (_UNNAMED, lambda: np.array([[1, 2], [3, 4]])),
    "unnamed_ok": (_UNNAMED, lambda: pd.DataFrame({"x": [1], "y": [2.5], "z": ["extra"]})),
    "unnamed_too_few": (_UNNAMED, lambda: pd.DataFrame({"x": [1]})),
    "unnamed_bad_type": (_UNNAMED, lambda: pd.DataFrame({"x": [1.5], "y": [2.5]})),
    "string_input": (_AB, lambda: object()),
}


@pytest.mark.parametrize("case", list(INPUTS))
def test_input_shapes(case: str) -> None:
    schema, make = INPUTS[case]

    def columns(out) -> tuple:
        return tuple(str(c) for c in out.columns), tuple(str(t) for t in out.dtypes)

    try:
        theirs = columns(mlflow_utils._enforce_schema(make(), _mlflow_schema(schema)))
    except Exception:
        theirs = "reject"
    try:
        ours = columns(enforce_schema(make(), schema))
    except SchemaEnforcementError:
        ours = "reject"
    assert ours == theirs


# --- tensors ---------------------------------------------------------------------------------
TENSORS = {
    "exact": (Schema([TensorSpec("float32", (-1, 2))]), lambda: np.zeros((3, 2), "float32")),
    "wrong_dtype": (Schema([TensorSpec("float32", (-1, 2))]), lambda: np.zeros((3, 2))),
    "wrong_dim": (Schema([TensorSpec("float32", (-1, 2))]), lambda: np.zeros((3, 3), "float32")),
    "wrong_rank": (Schema([TensorSpec("float32", (-1, 2))]), lambda: np.zeros(3, "float32")),
    "free_dims": (Schema([TensorSpec("int64", (-1, -1))]), lambda: np.zeros((2, 7), "int64")),
    "str": (Schema([TensorSpec("str", (-1,))]), lambda: np.array(["a", "bc"])),
    "object_any": (Schema([TensorSpec("object", (-1,))]), lambda: np.array([1, "a"], object)),
    "named_dict": (
        Schema([TensorSpec("float64", (-1, 2), "x"), TensorSpec("int32", (-1,), "y")]),
        lambda: {"x": np.zeros((2, 2)), "y": np.zeros(2, "int32")},
    ),
    "named_missing": (
        Schema([TensorSpec("float64", (-1, 2), "x"), TensorSpec("int32", (-1,), "y")]),
        lambda: {"x": np.zeros((2, 2))},
    ),
    "named_not_array": (Schema([TensorSpec("float64", (-1,), "x")]), lambda: {"x": [1.0, 2.0]}),
    "df_list_column": (
        Schema([TensorSpec("float32", (-1, 3), "x")]),
        lambda: pd.DataFrame({"x": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}),
    ),
    "df_list_ragged": (
        Schema([TensorSpec("float32", (-1, 3), "x")]),
        lambda: pd.DataFrame({"x": [[1.0, 2.0, 3.0], [4.0]]}),
    ),
    "df_scalars": (
        Schema([TensorSpec("float64", (-1,), "x")]),
        lambda: pd.DataFrame({"x": [1.0, 2.0]}),
    ),
    "df_unnamed_multi": (
        Schema([TensorSpec("float64", (-1, 2))]),
        lambda: pd.DataFrame({"a": [1.0], "b": [2.0]}),
    ),
    "df_unnamed_wrong_width": (
        Schema([TensorSpec("float64", (-1, 3))]),
        lambda: pd.DataFrame({"a": [1.0], "b": [2.0]}),
    ),
    "list_input": (Schema([TensorSpec("float64", (-1,))]), lambda: [1.0, 2.0]),
}


def _tensor_result(out) -> object:
    if isinstance(out, dict):
        return {k: (str(v.dtype), v.shape) for k, v in out.items()}
    return (str(out.dtype), out.shape)


@pytest.mark.parametrize("case", list(TENSORS))
def test_tensors(case: str) -> None:
    schema, make = TENSORS[case]
    try:
        theirs = _tensor_result(mlflow_utils._enforce_schema(make(), _mlflow_schema(schema)))
    except Exception:
        theirs = "reject"
    try:
        ours = _tensor_result(enforce_schema(make(), schema))
    except SchemaEnforcementError:
        ours = "reject"
    assert ours == theirs


# --- params ------------------------------------------------------------------------------------
PARAM_VALUES = {
    "int": 3,
    "np_int32": np.int32(3),
    "np_int64": np.int64(3),
    "float": 0.5,
    "np_float32": np.float32(0.5),
    "bool": True,
    "str": "x",
    "iso": "2024-01-02T03:04:05",
    "datetime": dt.datetime(2024, 1, 2),
    "list_int": [1, 2],
    "list_float": [0.5, 1.5],
    "list_str": ["a", "b"],
    "nested_list": [[1, 2]],
    "ndarray": np.array([1, 2]),
    "none": None,
    # range checks (a deliberate difference: MLflow checks the type only)
    "int_2p24_plus_1": 2**24 + 1,
    "int_2p40": 2**40,
    "int_2p62_plus_1": 2**62 + 1,
    "float_1p5e308": 1.5e308,
    "np_float32_max": np.float32(3.4e38),
}
PARAM_RANGE_DIFFERENCES = {
    "params:int_2p24_plus_1->float": "not exactly representable as float32",
    "params:int_2p40->integer": "outside int32",
    "params:int_2p62_plus_1->integer": "outside int32",
    "params:int_2p62_plus_1->float": "not exactly representable as float32",
    "params:int_2p62_plus_1->double": "not exactly representable as float64",
    "params:float_1p5e308->float": "overflows float32",
}
PARAM_TYPES = ["boolean", "integer", "long", "float", "double", "string", "datetime"]
_DEFAULTS = {
    "boolean": False,
    "integer": 1,
    "long": 1,
    "float": 1.0,
    "double": 1.0,
    "string": "d",
    "datetime": dt.datetime(2020, 1, 1),
}


@pytest.mark.parametrize("shape", [None, (-1,)], ids=["scalar", "list"])
@pytest.mark.parametrize("dtype", PARAM_TYPES)
@pytest.mark.parametrize("value", list(PARAM_VALUES))
def test_params_matrix(value: str, dtype: str, shape) -> None:
    default = _DEFAULTS[dtype] if shape is None else [_DEFAULTS[dtype]]
    ours_schema = ParamSchema([ParamSpec("p", dtype, default, shape)])
    theirs_schema = mlflow_types.ParamSchema.from_json(ours_schema.to_json())
    try:
        theirs = mlflow_utils._enforce_params_schema({"p": PARAM_VALUES[value]}, theirs_schema)
    except Exception:
        theirs = "reject"
    try:
        ours = enforce_params({"p": PARAM_VALUES[value]}, ours_schema)
    except SchemaEnforcementError as e:
        assert {v.code for v in e.violations} == {"invalid_param"}
        ours = "reject"
    if shape is None and f"params:{value}->{dtype}" in PARAM_RANGE_DIFFERENCES:
        assert (ours, theirs != "reject") == ("reject", True), "listed difference now agrees"
        return
    if theirs == "reject" or ours == "reject":
        assert ours == theirs
    else:
        assert ours == theirs
        assert [type(v) for v in np.atleast_1d(ours["p"])] == [
            type(v) for v in np.atleast_1d(theirs["p"])
        ]


def test_params_defaults_and_unknown_dropped() -> None:
    ours_schema = ParamSchema([ParamSpec("k", "long", 3), ParamSpec("t", "double", 0.5)])
    theirs_schema = mlflow_types.ParamSchema.from_json(ours_schema.to_json())
    given = {"t": np.float32(0.25), "unknown": 1}
    theirs = mlflow_utils._enforce_params_schema(dict(given), theirs_schema)
    ours = enforce_params(dict(given), ours_schema)
    assert ours == theirs == {"t": 0.25, "k": 3}
