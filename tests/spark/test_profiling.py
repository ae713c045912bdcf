"""Spark profiles (sparksig.spark.profiling): the same statistics as the pandas profile where
both are exact, one aggregation, hostile names, and drift counts from the scoring pass."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pyspark.sql import functions as F

from sparksig.profile import pandas as pandas_profile
from sparksig.profile.drift import drift
from sparksig.profile.statistics import bin_index
from sparksig.spark.profiling import (
    drift_aggregates,
    infer_profile,
    infer_schema_and_profile,
    kll_k,
    observed_from_row,
)

ROWS = [
    (1, 2.5, "a", True, (1.5, "x")),
    (2, float("nan"), "bb", None, None),
    (None, 3.0, None, False, (None, "y")),
    (2, -1.0, "a", True, (2.5, "x")),
    (7, 0.0, "ccc", True, (0.5, None)),
]
DDL = "i long, d double, s string, b boolean, o struct<x:double,z:string>"


def _pandas():
    return pd.DataFrame(
        {
            "i": pd.array([r[0] for r in ROWS], dtype="Int64"),
            "d": [r[1] for r in ROWS],
            "s": [r[2] for r in ROWS],
            "b": pd.array([r[3] for r in ROWS], dtype="boolean"),
            "o": [None if r[4] is None else {"x": r[4][0], "z": r[4][1]} for r in ROWS],
        }
    )


def _jobs(spark):
    return set(spark.sparkContext.statusTracker().getJobIdsForGroup(None))


def test_spark_profile_equals_the_pandas_profile_where_both_are_exact(spark):
    got = infer_profile(spark.createDataFrame(ROWS, DDL))
    want = pandas_profile.infer_profile(_pandas())
    assert got.rows == want.rows == len(ROWS)
    assert got.approximate
    for path in ("i", "d", "s", "b", "o", "o.x", "o.z"):
        g, w = got.column(path), want.column(path)
        assert (g.kind, g.count, g.null_count) == (w.kind, w.count, w.null_count), path
        assert g.minimum == w.minimum and g.maximum == w.maximum, path
        assert g.categories == w.categories, path
        assert g.lengths == w.lengths, path
        if w.histogram is not None:  # a sketch of <= k values is exact
            assert g.histogram == w.histogram, path
            assert g.quantiles == w.quantiles, path
        if w.mean is not None:
            assert g.mean == pytest.approx(w.mean) and g.stddev == pytest.approx(w.stddev)


def test_quantiles_of_a_large_column_are_within_the_stated_rank_error(spark):
    rng = np.random.default_rng(3)
    values = rng.lognormal(size=60_000)
    df = spark.createDataFrame(pd.DataFrame({"x": values}))
    profile = infer_profile(df, relative_error=0.01)
    col = profile.column("x")
    ordered = np.sort(values)
    for p, v in zip(col.quantiles.probabilities, col.quantiles.values):
        rank = np.searchsorted(ordered, v, side="right") / len(values)
        assert abs(rank - p) <= 0.01 + 1 / len(values), (p, v, rank)
    # histogram counts from the same sketch: each bin's share within twice the rank error
    exact = pandas_profile.bin_counts(values, col.histogram.edges)
    assert sum(col.histogram.counts) == len(values)
    for a, b in zip(col.histogram.counts, exact):
        assert abs(a - b) <= 2 * 0.01 * len(values)


def test_integer_categories_only_when_every_value_fits_and_then_exact_bins(spark):
    df = spark.range(5000).select((F.col("id") % 7).alias("few"), F.col("id").alias("many"))
    profile = infer_profile(df, top_k=10)
    few = profile.column("few")
    assert few.categories is not None and few.categories.other == 0
    assert sorted(few.categories.values) == list(range(7))
    assert few.distinct == 7
    edges = few.histogram.edges
    exact = [0] * (len(edges) + 2)
    for v in range(5000):
        exact[bin_index(float(v % 7), edges)] += 1
    assert list(few.histogram.counts) == exact
    assert profile.column("many").categories is None


def _counted(spark, df):
    """``df`` read through a Python step that counts every row it hands on: the count
    says how many times the table was read."""
    seen = spark.sparkContext.accumulator(0)

    def count(batches):
        for batch in batches:
            seen.add(len(batch))
            yield batch

    return df.mapInPandas(count, df.schema), seen


def test_one_pass_over_the_data(spark):
    df, seen = _counted(spark, spark.createDataFrame(ROWS * 50, DDL))
    before = _jobs(spark)
    infer_profile(df)
    assert seen.value == len(ROWS) * 50  # every row read exactly once
    # the aggregation (a map stage and, under adaptive execution, a result stage) and one
    # query on a one-row local relation holding the sketches (the histogram's ranks)
    assert len(_jobs(spark) - before) <= 3


def test_schema_and_profile_from_the_same_aggregation(spark):
    from sparksig.spark.infer import infer_schema

    df = spark.createDataFrame(ROWS, DDL)
    counted, seen = _counted(spark, df)
    schema, profile = infer_schema_and_profile(counted)
    assert seen.value == len(ROWS)
    # (the pandas step turns NaN into null, so compare with the same counted frame)
    assert schema == infer_schema(counted)
    assert profile == infer_profile(counted)


HOSTILE = ["${spark.sql.session.timeZone}", "UTC", "a'b", 'q"', "x.y", "`", "-- c"]


def test_hostile_names_and_values_profile_as_plain_ones(spark):
    plain = ["c0", "c1", "c2", "c3", "c4", "c5", "c6"]
    rows = [
        (
            i,
            f"v{i % 3}",
            "${spark.sql.session.timeZone}" if i % 2 else "UTC",
            i * 0.5,
            "a",
            1,
            (i, "k"),
        )
        for i in range(40)
    ]
    ddl = "long, string, string, double, string, int, struct<f:long,g:string>"
    types = ddl.split(", ")
    types[-1] = "struct<`${spark.sql.session.timeZone}`:long,`a.b`:string>"

    def frame(names, struct):
        cols = [f"`{n.replace('`', '``')}` {t}" for n, t in zip(names, [*types[:-1], struct])]
        return spark.createDataFrame(rows, ", ".join(cols))

    hostile = infer_profile(frame(HOSTILE, types[-1]))
    base = infer_profile(frame(plain, "struct<f:long,g:string>"))
    rename = dict(zip(plain, HOSTILE))
    rename |= {"c6.f": "-- c.${spark.sql.session.timeZone}", "c6.g": "-- c.a.b"}
    assert [rename[c.path] for c in base.columns] == [c.path for c in hostile.columns]
    for a, b in zip(base.columns, hostile.columns):
        assert a.to_dict() | {"path": b.path} == b.to_dict()
    # the category that looks like a setting stays the text it is
    values = hostile.column("a'b").categories.values
    assert set(values) == {"UTC", "${spark.sql.session.timeZone}"}


def test_drift_counts_from_one_aggregation_equal_numpy_on_the_same_bins(spark):
    from sparksig import ColSpec, Schema
    from sparksig.spark.check.binding import bind
    from sparksig.spark.check.native import compile_checks

    rng = np.random.default_rng(7)
    train = pd.DataFrame({"x": rng.normal(size=4000), "c": rng.choice(["a", "b", "c"], 4000)})
    profile = infer_profile(spark.createDataFrame(train))
    score = pd.DataFrame(
        {"x": rng.normal(0.5, 1.2, size=3000), "c": rng.choice(["a", "b", "d"], 3000)}
    )
    score.loc[::50, "x"] = np.nan
    df = spark.createDataFrame(score)
    schema = Schema([ColSpec("double", "x", required=False), ColSpec("string", "c")])
    binding = bind(df, schema, strict_nulls=True)
    checks = compile_checks(binding, df.columns, strict_nulls=True)
    row = checks.project(df).agg(*drift_aggregates(checks, profile)).collect()[0]
    observed = observed_from_row(row, checks, profile)
    x = score["x"].to_numpy()
    edges = profile.column("x").histogram.edges
    assert list(observed["x"].bins) == pandas_profile.bin_counts(x, edges)
    assert observed["x"].nulls == int(np.isnan(x).sum()) and observed["x"].rows == 3000
    cats = profile.column("c").categories
    assert list(observed["c"].categories) == [int((score["c"] == v).sum()) for v in cats.values]
    report = drift(profile, observed)
    reference = drift(profile, pandas_profile.observe(profile, score))
    for got, want in zip(report.columns, reference.columns):
        assert got.path == want.path
        for name in ("psi", "js", "l_infinity", "null_rate_observed"):
            a, b = getattr(got, name), getattr(want, name)
            assert (a is None and b is None) or math.isclose(a, b, rel_tol=0, abs_tol=1e-9)
    assert {c.path for c in report.drifted} == {"x", "c"}


def test_kll_k_follows_the_relative_error():
    assert kll_k(0.01) == 269 and kll_k(0.001) > 2000


def test_drift_counts_split_for_the_projection_equal_the_self_contained_ones(spark):
    """validate's path (inputs projected first, then the aggregates) and the seam's
    (aggregates alone) count the same, exactly as numpy: many string categories (a map
    lookup), integer categories, and values on the edges themselves."""
    from sparksig import ColSpec, Schema
    from sparksig.spark.check.binding import bind
    from sparksig.spark.check.native import compile_checks

    rng = np.random.default_rng(11)
    train = pd.DataFrame(
        {
            "x": rng.normal(size=3000),
            "k": rng.integers(0, 6, 3000),
            "s": [f"v{i}" for i in rng.integers(0, 60, 3000)],
        }
    )
    profile = infer_profile(spark.createDataFrame(train))
    edges = profile.column("x").histogram.edges
    score = pd.DataFrame(
        {
            "x": np.concatenate([rng.normal(0.3, 1.5, 1990), list(edges)[:10]]),
            "k": rng.integers(0, 9, 2000),
            "s": [f"v{i}" for i in rng.integers(0, 80, 2000)],
        }
    )
    score.loc[::40, "x"] = np.nan
    df = spark.createDataFrame(score)
    schema = Schema(
        [ColSpec("double", "x", required=False), ColSpec("long", "k"), ColSpec("string", "s")]
    )
    binding = bind(df, schema, strict_nulls=True)
    checks = compile_checks(binding, df.columns, strict_nulls=True)
    aggs = drift_aggregates(checks, profile)
    alone = observed_from_row(checks.project(df).agg(*aggs).collect()[0], checks, profile)
    frame = checks.project(df).select("*", *aggs.inputs)
    split = observed_from_row(frame.agg(*aggs.projected).collect()[0], checks, profile)
    assert alone == split
    want = pandas_profile.observe(profile, score)
    for path in ("x", "k", "s"):
        assert split[path] == want[path], path
    assert split["s"].other == int((~score["s"].isin(profile.column("s").categories.values)).sum())
