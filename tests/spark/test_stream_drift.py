"""``monitor(stream, signature, profile=...)``: each micro-batch's drift against the training
profile and its constraint counts, observed in the same ``observe`` as the type checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sparksig as ss
from sparksig.profile import Domain, Thresholds
from sparksig.spark.profiling import infer_profile
from sparksig.spark.stream import monitor
from tests.spark.test_stream import _wait_for

SCHEMA = ss.Schema([ss.ColSpec("double", "x"), ss.ColSpec("string", "c")])
STRUCT = "x double, c string"


def _rows(n, seed, shift=0.0, strangers=0):
    rng = np.random.default_rng(seed)
    cats = rng.choice(["a", "b", "c"], n).tolist()
    for i in range(strangers):  # values the training data never had
        cats[i] = "z"
    return [(float(x), c) for x, c in zip(rng.normal(shift, 1.0, n), cats)]


@pytest.fixture(scope="module")
def profile(spark):
    train = spark.createDataFrame(_rows(5000, seed=1), STRUCT)
    return infer_profile(train).with_constraints(Domain("c", ["a", "b", "c"]))


def _watch(spark, tmp_path, profile, **kwargs):
    source = tmp_path / "in"
    # one file per micro-batch (maxFilesPerTrigger=1); told apart by their row counts
    spark.createDataFrame(_rows(1000, seed=2), STRUCT).coalesce(1).write.mode("append").parquet(
        str(source)
    )
    spark.createDataFrame(_rows(800, seed=3, shift=1.0, strangers=5), STRUCT).coalesce(
        1
    ).write.mode("append").parquet(str(source))
    stream = spark.readStream.schema(STRUCT).option("maxFilesPerTrigger", 1).parquet(str(source))
    reports = {}
    watched = monitor(
        stream,
        SCHEMA,
        on_report=lambda i, r: reports.setdefault(r.rows_checked, r),
        report_dir=str(tmp_path / "reports"),
        profile=profile,
        **kwargs,
    )
    try:
        query = (
            watched.frame.writeStream.format("noop")
            .option("checkpointLocation", str(tmp_path / "chk"))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()
        assert _wait_for(lambda: len(reports) == 2), f"reports received: {sorted(reports)}"
    finally:
        watched.close()
    return reports


def test_a_shifted_batch_is_flagged_and_an_unshifted_one_is_not(spark, tmp_path, profile):
    reports = _watch(spark, tmp_path, profile)
    calm, shifted = reports[1000], reports[800]

    assert calm.drift is not None and not calm.drift.drifted
    assert calm.ok, str(calm)
    assert {c.path for c in calm.drift.columns} == {"x", "c"}

    assert [c.path for c in shifted.drift.drifted] == ["x"]
    assert shifted.drift.columns[0].path == "x"  # ranked first
    assert shifted.drift.column("x").psi > 0.25
    found = {(v.code, v.column_path): v.count for v in shifted.violations}
    assert found == {("drift", "x"): None, ("not_in_domain", "c"): 5}

    lines = [
        json.loads(x) for x in (tmp_path / "reports" / "reports.jsonl").read_text().split("\n") if x
    ]
    drifted = sorted(tuple(line["drift"]["drifted"]) for line in lines)
    assert drifted == [(), ("x",)]


def test_thresholds_reach_each_batch(spark, tmp_path, profile):
    # a PSI threshold no shift reaches: the shifted batch is measured, not flagged
    reports = _watch(
        spark, tmp_path, profile, drift_overrides={"x": Thresholds(psi=100.0, js=None)}
    )
    shifted = reports[800]
    assert shifted.drift.column("x").psi > 0.25 and not shifted.drift.column("x").drifted


def test_monitor_without_a_profile_reports_no_drift(spark, tmp_path):
    source = tmp_path / "in"
    spark.createDataFrame(_rows(10, seed=4), STRUCT).write.parquet(str(source))
    stream = spark.readStream.schema(STRUCT).parquet(str(source))
    reports = []
    watched = monitor(stream, SCHEMA, on_report=lambda i, r: reports.append(r))
    try:
        query = (
            watched.frame.writeStream.format("noop")
            .option("checkpointLocation", str(tmp_path / "chk"))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()
        assert _wait_for(lambda: len(reports) == 1)
    finally:
        watched.close()
    assert reports[0].drift is None and reports[0].rows_checked == 10


def test_monitor_refuses_a_profile_of_the_wrong_kind(spark):
    stream = spark.readStream.format("rate").load()
    with pytest.raises(ss.ArgumentTypeError, match="Profile"):
        monitor(stream, ss.Schema([ss.ColSpec("long", "value")]), profile="profile.json")
