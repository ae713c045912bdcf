"""validate(df, signature, profile=...): types, constraints and drift in one aggregation, and
constraints compiled to native checks that route rows like type violations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sparksig as ss
from sparksig import spark as sss
from sparksig.errors import InvalidArgumentError
from sparksig.profile import Domain, MaxLength, Range
from sparksig.results import ValidationReport
from sparksig.spark.check.binding import bind
from sparksig.spark.check.native import compile_checks
from sparksig.spark.profiling import infer_profile

SCHEMA = ss.Schema(
    [
        ss.ColSpec("double", "x", required=False),
        ss.ColSpec("string", "c"),
        ss.ColSpec(ss.Object([ss.Property("n", "long")]), "o"),
        ss.ColSpec(ss.Array("string"), "tags"),
    ]
)


def _frame(spark, n, seed, shift=0.0, cats=("a", "b", "c")):
    rng = np.random.default_rng(seed)
    rows = [
        (float(x), str(c), (int(k),), ["t" * int(k % 3)])
        for x, c, k in zip(
            rng.normal(shift, 1.0, n), rng.choice(list(cats), n), rng.integers(0, 10, n)
        )
    ]
    return spark.createDataFrame(rows, "x double, c string, o struct<n:long>, tags array<string>")


def _jobs(spark):
    return set(spark.sparkContext.statusTracker().getJobIdsForGroup(None))


@pytest.fixture(scope="module")
def trained(spark):
    return infer_profile(_frame(spark, 5000, seed=1))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_an_unshifted_sample_is_not_flagged(spark, trained, seed):
    report = sss.validate(_frame(spark, 3000, seed), SCHEMA, profile=trained)
    assert report.ok, str(report)
    assert report.drift is not None and not report.drift.drifted
    assert {c.path for c in report.drift.columns} >= {"x", "c", "o.n"}


def test_a_shifted_column_is_flagged_and_ranked_first(spark, trained):
    report = sss.validate(_frame(spark, 3000, 5, shift=0.8), SCHEMA, profile=trained)
    assert [(v.code, v.column_path) for v in report.violations] == [("drift", "x")]
    assert report.drift.columns[0].path == "x" and report.drift.columns[0].drifted
    back = ValidationReport.from_dict(report.to_dict())
    assert back.drift.to_dict() == report.drift.to_dict()


def test_types_constraints_and_drift_in_one_aggregation(spark, trained):
    profile = trained.with_constraints(Range("x", -1.0, 1.0), Domain("c", ["a", "b"]))
    df = _frame(spark, 2000, 9, cats=("a", "b", "z"))
    df.count()
    before = _jobs(spark)
    report = sss.validate(df, SCHEMA, profile=profile)
    assert 1 <= len(_jobs(spark) - before) <= 2  # one aggregation (AQE: two jobs)
    got = {(v.code, v.column_path): v.count for v in report.violations}
    x = np.array([r.x for r in df.collect()])
    c = [r.c for r in df.collect()]
    assert got[("out_of_range", "x")] == int(((x < -1) | (x > 1)).sum())
    assert got[("not_in_domain", "c")] == c.count("z")
    assert ("drift", "c") in got  # a category the training data never had


def test_constraint_checks_route_rows_as_type_checks_do(spark):
    df = spark.createDataFrame(
        [
            (0, 5.0, "a", (1,), ["aa"]),
            (1, 50.0, "b", (1,), []),
            (2, float("nan"), "zz", (99,), ["abcd"]),
        ],
        "id long, x double, c string, o struct<n:long>, tags array<string>",
    )
    constraints = (
        Range("x", 0, 10),
        Domain("c", ["a", "b"]),
        Range("o.n", 0, 10),
        MaxLength("tags[]", 3),
    )
    binding = bind(df, SCHEMA, strict_nulls=True)
    checks = compile_checks(binding, df.columns, strict_nulls=True, constraints=constraints)
    flagged = {r.id: r.reasons for r in checks.flag(df, "reasons").collect()}
    assert flagged[0] is None
    labels = {i: sorted(str(x) for x in (r or ())) for i, r in flagged.items()}
    assert len(labels[1]) == 1 and "x" in labels[1][0]  # 50 out of range
    assert len(labels[2]) == 3  # c, o.n, tags[]; NaN is missing, not out of range
    assert [r.id for r in checks.passing(df).collect()] == [0]


def test_a_constraint_on_a_path_the_signature_lacks_names_it(spark):
    df = _frame(spark, 10, 1)
    binding = bind(df, SCHEMA, strict_nulls=True)
    with pytest.raises(InvalidArgumentError, match=r"'o\.missing'"):
        compile_checks(
            binding, df.columns, strict_nulls=True, constraints=(Range("o.missing", 0, 1),)
        )
    with pytest.raises(InvalidArgumentError, match="range constraint applies"):
        compile_checks(binding, df.columns, strict_nulls=True, constraints=(Range("c", 0, 1),))


def test_hostile_names_and_domain_values_check_as_plain_ones(spark):
    names = ["${spark.sql.session.timeZone}", "a'b.c"]
    values = ["${spark.sql.session.timeZone}", "UTC", "it's", "--x"]
    rows = [(v, float(i)) for i, v in enumerate(values * 5)] + [("other", 99.0)]

    def run(cols):
        df = spark.createDataFrame(rows, f"`{cols[0]}` string, `{cols[1]}` double")
        schema = ss.Schema([ss.ColSpec("string", cols[0]), ss.ColSpec("double", cols[1])])
        profile = infer_profile(df).with_constraints(
            Domain(cols[0], ["${spark.sql.session.timeZone}", "it's"]), Range(cols[1], 0, 10)
        )
        report = sss.validate(df, schema, profile=profile)
        return sorted(
            (v.code, v.column_path.replace(cols[0], "A").replace(cols[1], "B"), v.count)
            for v in report.violations
        )

    got = run(names)
    assert got == run(["p", "q"])
    # UTC, --x and other are not in the domain (the setting's text is a value, not UTC);
    # 11..19 and 99 are out of range
    assert ("not_in_domain", "A", 11) in got and ("out_of_range", "B", 10) in got


def test_the_arrow_engine_refuses_a_profile(spark, trained):
    with pytest.raises(InvalidArgumentError, match="engine='native'"):
        sss.validate(_frame(spark, 10, 1), SCHEMA, profile=trained, engine="arrow")


def test_validate_without_a_profile_has_no_drift(spark):
    report = sss.validate(_frame(spark, 10, 1), SCHEMA)
    assert report.drift is None and report.to_dict()["drift"] is None


def test_drift_seams_with_observe_on_a_batch(spark, trained):
    from pyspark.sql import Observation

    from sparksig.profile.drift import drift
    from sparksig.spark.profiling import drift_aggregates, observed_from_row

    df = _frame(spark, 3000, 5, shift=0.8)
    binding = bind(df, SCHEMA, strict_nulls=True)
    checks = compile_checks(binding, df.columns, strict_nulls=True)
    seen = Observation("drift")
    checks.restore(
        checks.project(df).observe(seen, *drift_aggregates(checks, trained))
    ).write.format("noop").mode("overwrite").save()
    report = drift(trained, observed_from_row(seen.get, checks, trained))
    assert [c.path for c in report.drifted] == ["x"]
    assert pd.isna(None) and report.column("c").present == 3000
