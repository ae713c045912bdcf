"""One table of scalar types and one walk over the type set (issue 21, item 5)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from sparksig import types as t
from sparksig.rules import type_name
from tests.strategies import types as spec_types


def test_every_scalar_type_has_one_row_and_its_tag_is_its_json_name() -> None:
    assert set(t.SCALARS) == set(t.DataType)
    for dtype, row in t.SCALARS.items():
        assert row.tag == dtype.value == dtype.name
        assert dtype.to_dict() == {"type": row.tag}
        assert t.type_from_dict({"type": row.tag}) is dtype
        assert type_name(dtype) == row.tag
        assert dtype.to_numpy() == np.dtype(row.numpy)
        assert dtype.to_python() is row.python


def test_the_spark_mapping_is_read_from_the_table() -> None:
    from pyspark.sql import types as T

    from sparksig.spark.convert import from_spark_type, to_spark_type

    for dtype, row in t.SCALARS.items():
        spark_type = to_spark_type(dtype)
        assert type(spark_type).__name__ == row.spark
        assert isinstance(spark_type, T.DataType)
        assert from_spark_type(spark_type) is dtype


def test_mlflow_agrees_with_the_numpy_column() -> None:
    mlflow_types = pytest.importorskip("mlflow.types")
    for row in t.SCALARS.values():
        assert mlflow_types.DataType[row.tag].to_pandas() == np.dtype(row.numpy)


def test_children_name_the_step_to_each_inner_type() -> None:
    obj = t.Object([t.Property("b", "long"), t.Property("a", t.Map(t.Array("double")))])
    assert t.children(obj) == ((".a", t.Map(t.Array("double"))), (".b", t.DataType.long))
    assert t.children(t.SparkMLVector()) == (("[]", t.DataType.double),)
    assert t.children(t.DataType.string) == () == t.children(t.AnyType())


def _any_inside_by_hand(node: object) -> bool:
    """An independent walk, over MLflow's JSON form rather than the type objects."""
    if isinstance(node, dict):
        return node.get("type") == "any" or any(_any_inside_by_hand(v) for v in node.values())
    return False


@given(spec_types)
def test_contains_any_matches_an_independent_reading(spec: t.SpecType) -> None:
    assert t.contains_any(spec) is _any_inside_by_hand(spec.to_dict())


@given(spec_types)
def test_depth_is_one_more_than_the_deepest_child(spec: t.SpecType) -> None:
    inner = [t.depth_of(c) for _, c in t.children(spec)]
    nests = isinstance(spec, (t.Array, t.Object, t.Map))
    assert t.depth_of(spec) == ((max(inner) + 1) if nests else 0)
