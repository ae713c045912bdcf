"""Profiles from pandas: the paths of infer_signature, exact statistics, degenerate columns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sparksig
from sparksig.profile import Kind, Profile, bin_index
from sparksig.profile.pandas import infer_profile, observe
from tests.strategies import examples


def test_paths_follow_the_inferred_signature():
    pdf = pd.DataFrame(
        {
            "age": [20, 30, 40],
            "addr": [{"city": "Oslo", "zip": "1"}, {"city": "Rome", "zip": None}, None],
            "tags": [["a", "b"], [], None],
            "when": pd.to_datetime(["2020-01-01", "2021-06-01", None]),
            "ok": [True, False, True],
            "blob": [b"ab", b"", b"xyz"],
        }
    )
    profile = infer_profile(pdf)
    assert profile.paths == (
        "age",
        "addr",
        "addr.city",
        "addr.zip",
        "tags",
        "tags[]",
        "when",
        "ok",
        "blob",
    )
    schema = sparksig.infer_schema(pdf)
    assert [c.name for c in schema.inputs] == [
        p for p in profile.paths if "." not in p and "[" not in p
    ]
    assert profile.column("addr").null_count == 1
    assert profile.column("addr.city").count == 2  # rows whose addr is present
    assert profile.column("addr.zip").null_count == 1
    assert profile.column("tags[]").count == 2 and profile.column("tags").lengths.maximum == 2
    assert (
        profile.column("when").kind is Kind.DATETIME
        and profile.column("when").minimum == "2020-01-01T00:00:00"
    )
    assert profile.column("blob").lengths.maximum == 3
    assert profile.column("ok").categories.values == (True, False)
    assert Profile.from_json(profile.to_json()) == profile


@settings(max_examples=examples(100))
@given(st.lists(st.floats(-1e6, 1e6) | st.none(), min_size=1, max_size=60))
def test_numeric_statistics_are_exact(values):
    profile = infer_profile(pd.DataFrame({"x": pd.Series(values, dtype="float64")}))
    col = profile.column("x")
    present = np.array([v for v in values if v is not None], dtype=float)
    assert col.null_count == len(values) - len(present)
    if len(present) == 0:
        assert col.histogram is None and col.quantiles is None
        return
    assert col.minimum == present.min() and col.maximum == present.max()
    expected = np.quantile(present, col.quantiles.probabilities, method="inverted_cdf")
    assert list(col.quantiles.values) == list(expected)
    assert col.histogram.total == len(present)
    # training counts agree with the reference bin definition
    counts = [0] * (len(col.histogram.edges) + 2)
    for v in present:
        counts[bin_index(v, col.histogram.edges)] += 1
    assert tuple(counts) == col.histogram.counts
    assert col.histogram.underflow == col.histogram.overflow == 0


def test_degenerate_columns():
    pdf = pd.DataFrame(
        {"c": [3.0] * 5, "n": [np.nan] * 5, "i": pd.array([1, None, 1, 1, 1], dtype="Int64")}
    )
    profile = infer_profile(pdf)
    assert profile.column("c").histogram.edges == (3.0,) and profile.column(
        "c"
    ).histogram.counts == (0, 5, 0)
    assert profile.column("n").null_count == 5 and profile.column("n").histogram is None
    assert profile.column("i").null_count == 1 and profile.column("i").categories.values == (1,)
    assert profile.column("i").minimum == 1 and isinstance(profile.column("i").minimum, int)


def test_infinities_fall_outside_the_edges():
    profile = infer_profile(pd.DataFrame({"x": [1.0, 2.0, np.inf, -np.inf]}))
    col = profile.column("x")
    assert col.histogram.edges == (1.0, 2.0)
    assert col.histogram.underflow == 1 and col.histogram.overflow == 1
    assert col.maximum == np.inf and Profile.from_json(profile.to_json()) == profile


def test_observe_walks_nested_paths():
    train = pd.DataFrame({"addr": [{"city": "a"}, {"city": "b"}], "tags": [["x"], ["y", "x"]]})
    profile = infer_profile(train)
    seen = observe(profile, pd.DataFrame({"addr": [{"city": "a"}, None], "tags": [["z"], None]}))
    assert seen["addr.city"].categories == (1, 0)
    assert seen["tags[]"].other == 1 and seen["tags"].nulls == 1


def test_not_a_frame_is_refused():
    with pytest.raises(TypeError, match="pandas DataFrame"):
        infer_profile([1, 2])  # type: ignore[arg-type]


def test_datetime_values_in_object_columns():
    pdf = pd.DataFrame({"t": [dt.datetime(2020, 1, 2), None]})
    assert infer_profile(pdf).column("t").maximum == "2020-01-02T00:00:00"
