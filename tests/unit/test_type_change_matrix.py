"""diff's verdict on a type change equals what enforcement does with the old type's data.

For every pair of scalar types, a change ``old -> new`` is breaking for callers exactly when
some data valid for ``old`` is rejected by a spec of type ``new``. The data here is written
out by hand (not derived from the rules under test): columns as pandas and as Arrow arrays
(the way Spark sends them), params as witness values at the edges of each type's range.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sparksig import ColSpec, DataType, ModelSignature, ParamSchema, ParamSpec, Schema
from sparksig.diff import diff_signatures
from sparksig.enforce.api import enforce_params
from sparksig.enforce.plan import compile_plan
from sparksig.errors import SchemaEnforcementError

COLUMNS = {
    DataType.boolean: (pd.Series([True, False]), pa.array([True, False])),
    DataType.integer: (
        pd.Series([1, -(2**31)], dtype="int32"),
        pa.array([1, -(2**31)], pa.int32()),
    ),
    DataType.long: (pd.Series([2**40, 1], dtype="int64"), pa.array([2**40, 1], pa.int64())),
    DataType.float: (
        pd.Series([1.5, 3.0e38], dtype="float32"),
        pa.array([1.5, 3.0e38], pa.float32()),
    ),
    DataType.double: (pd.Series([0.1, 1e300]), pa.array([0.1, 1e300], pa.float64())),
    DataType.string: (pd.Series(["a", "b"], dtype=object), pa.array(["a", "b"])),
    DataType.binary: (pd.Series([b"a", b"b"], dtype=object), pa.array([b"a", b"b"])),
    DataType.datetime: (
        pd.Series(pd.to_datetime(["2020-01-01", "2021-06-30"])),
        pa.array([dt.datetime(2020, 1, 1)] * 2, pa.timestamp("us", tz="UTC")),
    ),
}
PARAMS = {
    DataType.boolean: [True, False],
    DataType.integer: [7, 2**31 - 1, -(2**31), np.int32(5)],
    DataType.long: [7, 2**62 + 1, -(2**63), np.int64(5)],
    DataType.float: [0.5, 3.0e38, np.float32(1.5)],
    DataType.double: [0.1, 1.5e308, np.float64(2.5)],
    DataType.string: ["x", "2020-01-01"],
    DataType.datetime: [dt.datetime(2020, 1, 1), dt.date(2021, 3, 4)],
}
DEFAULTS = {
    DataType.boolean: False,
    DataType.integer: 0,
    DataType.long: 0,
    DataType.float: 0.0,
    DataType.double: 0.0,
    DataType.string: "",
    DataType.datetime: dt.datetime(2000, 1, 1),
}


def _breaking_for_inputs(old: DataType, new: DataType) -> bool:
    before = ModelSignature(Schema([ColSpec(old, "c")]))
    after = ModelSignature(Schema([ColSpec(new, "c")]))
    return diff_signatures(before, after).breaking


def _rejected(plan, batch) -> bool:
    return bool(plan.check(batch).violations)


@pytest.mark.parametrize("old,new", list(itertools.product(COLUMNS, COLUMNS)), ids=lambda t: t.name)
def test_column_change_is_breaking_exactly_when_old_data_is_rejected(old, new) -> None:
    series, arrow = COLUMNS[old]
    plan = compile_plan(Schema([ColSpec(new, "c")]))
    by_pandas = _rejected(plan, pd.DataFrame({"c": series}))
    by_arrow = _rejected(plan, pa.RecordBatch.from_arrays([arrow], names=["c"]))
    assert by_pandas == by_arrow, "pandas and Arrow data of the same type disagree"
    assert _breaking_for_inputs(old, new) == by_pandas


def _param_rejected(dtype: DataType, value) -> bool:
    schema = ParamSchema([ParamSpec("p", dtype, DEFAULTS[dtype])])
    try:
        enforce_params({"p": value}, schema)
    except SchemaEnforcementError:
        return True
    return False


@pytest.mark.parametrize("old,new", list(itertools.product(PARAMS, PARAMS)), ids=lambda t: t.name)
def test_param_change_is_breaking_exactly_when_an_old_value_is_rejected(old, new) -> None:
    witnesses = PARAMS[old]
    assert not any(_param_rejected(old, v) for v in witnesses), "witnesses must fit their type"
    before = ModelSignature(params=ParamSchema([ParamSpec("p", old, DEFAULTS[old])]))
    after = ModelSignature(params=ParamSchema([ParamSpec("p", new, DEFAULTS[new])]))
    breaking = diff_signatures(before, after).breaking
    assert breaking == any(_param_rejected(new, v) for v in witnesses)


@pytest.mark.parametrize(
    "dtype,value",
    [
        (DataType.integer, 2**31),
        (DataType.integer, 2**62 + 1),
        (DataType.float, 1.5e308),
        (DataType.float, 2**24 + 1),
        (DataType.double, 2**53 + 1),
    ],
)
def test_param_values_outside_the_type_are_refused(dtype, value) -> None:
    assert _param_rejected(dtype, value)
