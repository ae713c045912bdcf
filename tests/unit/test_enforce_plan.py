"""Plan.check / Plan.enforce on pandas and Arrow batches: counts, masks, reasons, sampling."""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import pickle

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sparksig import (
    Array,
    ColSpec,
    Map,
    Object,
    Property,
    Schema,
    SchemaEnforcementError,
    SparkMLVector,
    Violation,
)
from sparksig.enforce.plan import BatchCheck, Plan, compile_plan, merge_checks

ITEM = Object([Property("x", "double"), Property("y", "long", required=False)])
SCHEMA = Schema(
    [
        ColSpec("long", "id"),
        ColSpec("double", "price", required=False),
        ColSpec(Array("double"), "vec"),
        ColSpec(ITEM, "item"),
        ColSpec(Map("long"), "attrs", required=False),
    ]
)


def _by_key(check: BatchCheck) -> dict[tuple[str, str], Violation]:
    return {(v.code, v.column_path): v for v in check.violations}


def _good_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "price": [1.5, None, 2.5],
            "vec": [[1.0], [2.0, 3.0], []],
            "item": [{"x": 1.0}, {"x": 2.0, "y": 5}, {"x": 0.5, "y": None}],
            "attrs": [{"a": 1}, None, {}],
        }
    )


def test_clean_batch_has_no_violations() -> None:
    check = compile_plan(SCHEMA).check(_good_frame())
    assert check.violations == ()
    assert check.bad_rows.tolist() == [False, False, False]
    assert check.reasons() == [None, None, None]
    assert check.rows_checked == 3


def test_counts_are_rows_not_elements_and_reasons_list_each_violation() -> None:
    df = _good_frame()
    df["vec"] = [["a", "b", "c"], [2.0], None]  # row 0: three strings; row 2: null array
    df["item"] = [{"x": 1.0, "z": 1}, {"x": 2.0}, {"y": 3}]
    check = compile_plan(SCHEMA).check(df)
    found = _by_key(check)
    assert found[("type_mismatch", "vec[]")].count == 1
    assert found[("type_mismatch", "vec[]")].examples == ("a",)
    assert found[("null_in_required", "vec")].count == 1
    assert found[("unexpected_property", "item.z")].count == 1
    assert found[("null_in_required", "item.x")].count == 1  # key absent in row 2
    assert check.bad_rows.tolist() == [True, False, True]
    reasons = check.reasons()
    assert reasons[0] == ["type_mismatch:vec[]", "unexpected_property:item.z"]
    assert reasons[1] is None
    assert set(reasons[2]) == {"null_in_required:vec", "null_in_required:item.x"}


def test_max_examples_caps_examples() -> None:
    df = pd.DataFrame({"v": [[i] for i in range(50)]})
    check = compile_plan(Schema([ColSpec(Array("double"), "v")])).check(df, max_examples=2)
    (v,) = check.violations
    assert v.count == 50
    assert v.examples == (0, 1)


def test_missing_required_column_is_a_violation_for_every_row() -> None:
    check = compile_plan(SCHEMA).check(pd.DataFrame({"id": [1, 2]}))
    found = _by_key(check)
    assert found[("missing_column", "vec")].count == 2
    assert found[("missing_column", "item")].count == 2
    assert ("missing_column", "price") not in found  # optional
    assert check.bad_rows.all()


def test_unnamed_schema_checks_column_count() -> None:
    plan = compile_plan(Schema([ColSpec("long"), ColSpec("double")]))
    check = plan.check(pd.DataFrame({"a": [1]}))
    assert [v.code for v in check.violations] == ["column_count"]


def test_strict_nulls_flags_top_level_nulls_only_when_asked() -> None:
    df = pd.DataFrame({"id": [1.0, None], "s": ["a", None]})
    schema = Schema([ColSpec("double", "id"), ColSpec("string", "s")])
    assert compile_plan(schema).check(df).violations == ()
    strict = compile_plan(schema, strict_nulls=True).check(df)
    assert {(v.code, v.column_path, v.count) for v in strict.violations} == {
        ("null_in_required", "id", 1),
        ("null_in_required", "s", 1),
    }
    optional = Schema([ColSpec("double", "id", required=False)])
    assert compile_plan(optional, strict_nulls=True).check(df).violations == ()


def test_sampled_rows_by_index_and_mask() -> None:
    df = pd.DataFrame({"v": [[1.0], ["x"], [3.0], ["y"]]})  # rows 1 and 3 bad
    plan = compile_plan(Schema([ColSpec(Array("double"), "v")]))
    by_index = plan.check(df, rows=np.array([0, 1, 2]))
    assert by_index.rows_checked == 3
    assert by_index.violations[0].count == 1
    assert by_index.bad_rows.tolist() == [False, True, False, False]
    by_mask = plan.check(df, rows=np.array([False, False, True, True]))
    assert by_mask.violations[0].count == 1
    assert by_mask.bad_rows.tolist() == [False, False, False, True]
    assert by_mask.reasons() == [None, None, None, ["type_mismatch:v[]"]]


def test_merge_checks_sums_counts_and_keeps_first_examples() -> None:
    a = Violation("type_mismatch", "x", 2, (1, 2), "m1")
    b = Violation("type_mismatch", "x", 3, (3,), "m2")
    c = Violation("missing_column", "y", None, (), "m3")
    merged = merge_checks([[a, c], [b]])
    assert merged[0] == Violation("type_mismatch", "x", 5, (1, 2, 3), "m1")
    assert merged[1] == c


# --- Arrow batches as Spark sends them -----------------------------------------------------
def test_arrow_batch_with_spark_types() -> None:
    schema = Schema(
        [
            ColSpec("integer", "small"),
            ColSpec("long", "wide"),
            ColSpec("double", "dec"),
            ColSpec("datetime", "ts"),
            ColSpec("datetime", "day"),
            ColSpec(SparkMLVector(), "features"),
            ColSpec(Map("double"), "m"),
            ColSpec(Array(ITEM), "items"),
        ]
    )
    vector_type = pa.struct(
        [
            ("type", pa.int8()),
            ("size", pa.int32()),
            ("indices", pa.list_(pa.int32())),
            ("values", pa.list_(pa.float64())),
        ]
    )
    batch = pa.RecordBatch.from_pydict(
        {
            "small": pa.array([1, 2], pa.int16()),
            "wide": pa.array([1, 2], pa.int32()),
            "dec": pa.array([decimal.Decimal("1.5"), None], pa.decimal128(5, 2)),
            "ts": pa.array([dt.datetime(2020, 1, 1)] * 2, pa.timestamp("us", tz="UTC")),
            "day": pa.array([dt.date(2020, 1, 1)] * 2, pa.date32()),
            "features": pa.array(
                [{"type": 1, "size": None, "indices": None, "values": [1.0]}] * 2, vector_type
            ),
            "m": pa.array([[("a", 1.0)], []], pa.map_(pa.string(), pa.float64())),
            "items": pa.array(
                [[{"x": 1.0, "y": 2}], []],
                pa.list_(pa.struct([("x", pa.float64()), ("y", pa.int64())])),
            ),
        }
    )
    assert compile_plan(schema).check(batch).violations == ()


def test_arrow_type_mismatches_are_schema_level() -> None:
    batch = pa.RecordBatch.from_pydict(
        {"a": pa.array([1, 2, 3], pa.int64()), "b": pa.array(["x", "y", None])}
    )
    check = compile_plan(Schema([ColSpec("integer", "a"), ColSpec("double", "b")])).check(batch)
    found = _by_key(check)
    assert found[("type_mismatch", "a")].count == 3
    assert found[("type_mismatch", "a")].examples == (1, 2, 3)
    assert found[("type_mismatch", "b")].count == 3
    assert check.bad_rows.all()


def test_arrow_nested_nulls_extra_fields_and_map_keys() -> None:
    struct = pa.struct([("x", pa.float64()), ("w", pa.string())])
    table = pa.table(
        {
            "item": pa.array([{"x": 1.0, "w": "a"}, {"x": None, "w": None}, None], struct),
            "m": pa.array([[(1, 5)], [], None], pa.map_(pa.int32(), pa.int64())),
        }
    )
    schema = Schema([ColSpec(ITEM, "item"), ColSpec(Map("long"), "m", required=False)])
    found = _by_key(compile_plan(schema).check(table))
    assert found[("unexpected_property", "item.w")].count == 2  # every non-null struct row
    assert found[("null_in_required", "item.x")].count == 1
    assert found[("null_in_required", "item")].count == 1
    assert found[("type_mismatch", "m{key}")].count == 1


def test_arrow_sliced_and_chunked_arrays_charge_the_right_rows() -> None:
    values = pa.array([[1.0], [2.0], [None], [4.0], [5.0]]).slice(1)  # [2], [None], [4], [5]
    chunked = pa.chunked_array([values.slice(0, 2), values.slice(2)])
    table = pa.table({"v": chunked})
    check = compile_plan(Schema([ColSpec(Array("double"), "v")])).check(table)
    assert check.bad_rows.tolist() == [False, True, False, False]
    assert check.reasons()[1] == ["null_in_required:v[]"]


def test_arrow_fixed_size_list_offset() -> None:
    arr = pa.array([[1, 2], [3, 4], [5, 6]], pa.list_(pa.float64(), 2)).slice(1)
    check = compile_plan(Schema([ColSpec(Array("double"), "v")])).check(
        pa.RecordBatch.from_arrays([arr], ["v"])
    )
    assert check.violations == ()


# --- enforce and pickling ---------------------------------------------------------------------
def test_enforce_reorders_drops_extras_and_converts(caplog) -> None:
    df = pd.DataFrame(
        {
            "extra": [1, 2],
            "attrs": [{"a": 1}, None],
            "item": [{"x": 1.0}, {"x": 2.0}],
            "vec": [[1.0], [2.0]],
            "id": np.array([1, 2], dtype="int32"),
        },
        index=[10, 10],
    )
    with caplog.at_level(logging.WARNING, logger="sparksig.enforce"):
        out = compile_plan(SCHEMA).enforce(df)
    assert list(out.columns) == ["id", "vec", "item", "attrs"]
    assert out["id"].dtype == np.int64
    assert out.index.tolist() == [10, 10]
    assert "extra" in caplog.text


def test_enforce_raises_with_all_violations() -> None:
    df = pd.DataFrame({"id": [1.5], "vec": [["a"]], "item": [{"x": "s"}]})
    with pytest.raises(SchemaEnforcementError) as info:
        compile_plan(SCHEMA).enforce(df)
    assert {(v.code, v.column_path) for v in info.value.violations} == {
        ("type_mismatch", "id"),
        ("type_mismatch", "vec[]"),
        ("type_mismatch", "item.x"),
    }
    assert "declare the column as double" in str(info.value)


def test_plan_and_error_survive_pickling() -> None:
    plan = compile_plan(SCHEMA, strict_nulls=True)
    clone = pickle.loads(pickle.dumps(plan))
    assert isinstance(clone, Plan)
    assert clone == plan
    assert clone.check(_good_frame()).violations == plan.check(_good_frame()).violations
    with pytest.raises(SchemaEnforcementError) as info:
        plan.enforce(pd.DataFrame({"id": ["x"]}))
    again = pickle.loads(pickle.dumps(info.value))
    assert again.report == info.value.report
    assert str(again) == str(info.value)


def test_check_of_unsupported_batch_type_is_a_sparksig_error() -> None:
    from sparksig import SparksigError

    with pytest.raises(SparksigError):
        compile_plan(SCHEMA).check([1, 2, 3])


def test_reasons_keep_labels_apart_whatever_the_column_names() -> None:
    # A column named "a;b" (legal in Spark) must come back as one label, not two.
    frame = pa.RecordBatch.from_pydict(
        {"a;b": pa.array([None, 1.0]), "c:d": pa.array([None, None], pa.float64())}
    )
    check = compile_plan(
        Schema([ColSpec("double", "a;b"), ColSpec("double", "c:d")]), strict_nulls=True
    ).check(frame)
    assert check.reasons() == [
        ["null_in_required:a;b", "null_in_required:c:d"],
        ["null_in_required:c:d"],
    ]
    assert check.reasons_arrow().type == pa.list_(pa.string())
