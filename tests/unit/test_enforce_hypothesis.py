"""Property tests: random schemas x random data never raise anything but a SparksigError."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import logging
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparksig import SparksigError
from sparksig.enforce.plan import BatchCheck, compile_plan
from tests.strategies import column_schemas, examples, names, tensor_schemas

logging.getLogger("sparksig.enforce").setLevel(logging.ERROR)

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=5)
    | st.binary(max_size=5)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(dt.timezone.utc))
    | st.decimals(allow_nan=False, places=2, min_value=-1000, max_value=1000)
)
values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(names | st.integers(0, 3), children, max_size=3)
        | st.lists(st.floats(width=32), max_size=3).map(lambda xs: np.array(xs, dtype="float32"))
    ),
    max_leaves=8,
)


@st.composite
def columns(draw: st.DrawFn) -> pd.Series:
    n = draw(st.integers(0, 6))
    kind = draw(st.sampled_from(["object", "int64", "int32", "float64", "bool", "str", "dt"]))
    if kind == "object":
        data = draw(st.lists(values, min_size=n, max_size=n))
        return pd.Series([*data, None], dtype=object).iloc[:n].reset_index(drop=True)
    if kind in ("int64", "int32"):
        return pd.Series(draw(st.lists(st.integers(-100, 100), min_size=n, max_size=n)), dtype=kind)
    if kind == "float64":
        return pd.Series(draw(st.lists(st.floats(), min_size=n, max_size=n)), dtype="float64")
    if kind == "bool":
        return pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "str":
        return pd.Series(
            draw(st.lists(st.text(max_size=3), min_size=n, max_size=n)), dtype="string"
        )
    stamps = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 1, 1))
    return pd.Series(pd.to_datetime(draw(st.lists(stamps, min_size=n, max_size=n))))


@st.composite
def frames(draw: st.DrawFn, schema_names: list) -> pd.DataFrame:
    chosen = draw(st.lists(st.sampled_from([*schema_names, "extra"]), unique=True, max_size=6))
    cols = {}
    length = None
    for name in chosen:
        col = draw(columns())
        if length is None:
            length = len(col)
        cols[name] = col.reindex(range(length))
    return pd.DataFrame(cols)


def _run(plan, df: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.suppress(SparksigError):
            plan.enforce(df)
        check = plan.check(df)
        assert isinstance(check, BatchCheck)
        assert len(check.bad_rows) == len(df)
        assert len(check.reasons()) == len(df)
        for v in check.violations:
            assert v.count is None or 0 < v.count <= len(df) or len(df) == 0
        try:
            table = pa.Table.from_pandas(df, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            return
        arrow_check = plan.check(table, rows=np.arange(len(df))[::2])
        assert len(arrow_check.bad_rows) == len(df)


@settings(
    max_examples=examples(80),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(st.data())
def test_random_column_schemas_and_frames(data: st.DataObject) -> None:
    schema = data.draw(column_schemas())
    names_ = [s.name if s.name is not None else i for i, s in enumerate(schema.inputs)]
    df = data.draw(frames(names_))
    for strict in (False, True):
        _run(compile_plan(schema, strict_nulls=strict), df)


@settings(max_examples=examples(50), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_random_tensor_schemas_and_inputs(data: st.DataObject) -> None:
    schema = data.draw(tensor_schemas())
    plan = compile_plan(schema)
    shape = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    dtype = data.draw(st.sampled_from(["float32", "float64", "int64", "object", "bool"]))
    arr = np.zeros(shape, dtype=dtype)
    names_ = [s.name for s in schema.inputs if s.name is not None]
    for value in (arr, dict.fromkeys(names_, arr), pd.DataFrame({"x": [1.0]}), [1, 2]):
        with contextlib.suppress(SparksigError):
            plan.enforce(value)


@settings(max_examples=examples(40), deadline=None)
@given(values)
def test_single_values_of_any_shape(value) -> None:
    from sparksig import Array, ColSpec, Map, Object, Property, Schema

    obj = Object([Property("a", "long"), Property("b", Array("double"), required=False)])
    for spec in (Array("double"), obj, Map(Array("string")), Array(obj)):
        plan = compile_plan(Schema([ColSpec(spec, "c")]))
        df = pd.DataFrame({"c": pd.Series([value, decimal.Decimal(1), None], dtype=object)})
        _run(plan, df)
