"""The public Spark API on a two-executor cluster: correct answers, work in both executor JVMs.

Every expected value is computed with plain PySpark on the same table (``table.py``), never
by sparksig. Each call also checks, from Spark's own status store, that both executors ran
tasks for it; the scoring UDF additionally reports, from inside the model, which executor
JVM each prediction came from.

Run by ``tests/cluster/test_cluster_tier.py`` in a process of its own.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sparksig import ColSpec, ModelSignature, Schema
from sparksig import spark as sss
from sparksig.errors import SchemaEnforcementError
from tests.cluster.tier.executors import executor_id, tasks_per_executor
from tests.cluster.tier.table import (
    PARTITIONS,
    REQUIRED_WITH_NULLS,
    ROWS,
    SCHEMA,
    SCORING_INPUTS,
    expected_nested_rejected_ids,
    expected_predictions,
    expected_rejected_ids,
    expected_schema,
    make_table,
    nulls,
    twice_id_plus_first_tag,
)

EXECUTOR_IDS = {"0", "1"}


@pytest.fixture(scope="module")
def table(spark):
    return make_table(spark)


def _in_both(tasks: dict[str, int]) -> None:
    assert set(tasks) == EXECUTOR_IDS, tasks
    assert all(n > 0 for n in tasks.values()), f"tasks per executor: {tasks}"


def test_the_cluster_has_two_executor_jvms(spark):
    ids = (
        spark.sparkContext.parallelize(range(PARTITIONS), PARTITIONS)
        .mapPartitions(lambda _: [executor_id()])
        .collect()
    )
    assert set(ids) == EXECUTOR_IDS
    assert executor_id() is None  # the driver is not an executor


def test_infer_schema_full(spark, table):
    schema, tasks = tasks_per_executor(spark, lambda: sss.infer_schema(table, mode="full"))
    _in_both(tasks)
    assert schema == expected_schema(table)
    # The table was built so that the nulls matter: two optional columns, two optional fields.
    assert [c.required for c in schema.inputs] == [True, False, False, True, True]


def test_infer_schema_sampled(spark, table):
    full = expected_schema(table)
    result, tasks = tasks_per_executor(
        spark, lambda: sss.infer_schema_report(table, mode="sampled", max_rows=2_000, seed=3)
    )
    _in_both(tasks)
    assert result.mode == "sampled"
    assert 0 < result.rows_checked <= 2_000
    # Same types as the full pass; a sample can miss nulls but never invent them.
    assert [c.name for c in result.schema.inputs] == [c.name for c in full.inputs]
    for sampled, exact in zip(result.schema.inputs, full.inputs):
        assert sampled.required or not exact.required
    # The same seed reads the same rows, whichever executor gets which partition.
    again = sss.infer_schema_report(table, mode="sampled", max_rows=2_000, seed=3)
    assert (again.schema, again.rows_checked) == (result.schema, result.rows_checked)


def test_validate_full_counts_every_null(spark, table):
    report, tasks = tasks_per_executor(spark, lambda: sss.validate(table, SCHEMA, mode="full"))
    _in_both(tasks)
    assert report.mode == "full"
    assert report.rows_checked == ROWS
    found = {(v.code, v.column_path): v.count for v in report.violations}
    assert found == {("null_in_required", p): nulls(table, p) for p in REQUIRED_WITH_NULLS}


def test_validate_sampled_checks_a_seeded_share_of_the_rows(spark, table):
    def sampled():
        return sss.validate(table, SCHEMA, mode="sampled", fraction=0.25, seed=7)

    report, tasks = tasks_per_executor(spark, sampled)
    _in_both(tasks)
    assert report.mode == "sampled"
    # Bernoulli(0.25) over 20,000 rows: mean 5,000, sd about 61; 8 sd either side.
    assert abs(report.rows_checked - ROWS * 0.25) < 8 * 61
    found = {(v.code, v.column_path): v.count for v in report.violations}
    assert set(found) == {("null_in_required", p) for p in REQUIRED_WITH_NULLS}
    for (_, path), count in found.items():
        share = nulls(table, path) / ROWS
        expected = report.rows_checked * share
        assert abs(count - expected) < 8 * (expected * (1 - share)) ** 0.5 + 1
    # Seeded: the same rows again, however the partitions land on the executors.
    again = sampled()
    assert (again.rows_checked, again.violations) == (report.rows_checked, report.violations)


def test_conform_quarantine_keeps_every_row_once(spark, table):
    def split():
        valid, rejected = sss.conform(table, SCHEMA, on_error="quarantine")
        return (
            sorted(r.id for r in valid.select("id").collect()),
            sorted(r.id for r in rejected.select("id").collect()),
            valid.columns,
            rejected.columns,
        )

    (valid_ids, rejected_ids, valid_columns, rejected_columns), tasks = tasks_per_executor(
        spark, split
    )
    _in_both(tasks)
    assert rejected_ids == expected_rejected_ids(table)
    assert sorted(valid_ids + rejected_ids) == list(range(ROWS))
    assert valid_columns == SCHEMA.input_names()
    assert sss.REASONS_COLUMN in rejected_columns


def test_write_quarantine_writes_every_row_once(spark, table, tmp_path):
    out = tmp_path / "quarantine"
    result, tasks = tasks_per_executor(spark, lambda: sss.write_quarantine(table, SCHEMA, str(out)))
    _in_both(tasks)
    valid = spark.read.parquet(result.valid_path)
    rejected = spark.read.parquet(result.rejected_path)
    rejected_ids = sorted(r.id for r in rejected.select("id").collect())
    valid_ids = sorted(r.id for r in valid.select("id").collect())
    assert rejected_ids == expected_rejected_ids(table)
    assert sorted(valid_ids + rejected_ids) == list(range(ROWS))
    assert (result.valid_rows, result.rejected_rows) == (len(valid_ids), len(rejected_ids))
    assert valid.columns == SCHEMA.input_names()


def test_score_quarantine_scores_the_good_rows_and_keeps_the_rest(spark, table):
    signature = ModelSignature(inputs=SCHEMA, outputs=Schema([ColSpec("double")]))

    def run():
        scored, rejected = sss.score(
            table, twice_id_plus_first_tag, signature, on_error="quarantine"
        )
        return (
            sorted((r.id, r.prediction) for r in scored.select("id", "prediction").collect()),
            sorted(r.id for r in rejected.select("id").collect()),
        )

    (scored, rejected_ids), tasks = tasks_per_executor(spark, run)
    _in_both(tasks)
    assert rejected_ids == expected_nested_rejected_ids(table)
    kept = set(rejected_ids)
    assert scored == [(i, p) for i, p in expected_predictions(table) if i not in kept]


def _scored_where(model_input: pd.DataFrame) -> pd.DataFrame:
    """The tiers' model, plus the executor JVM that computed each prediction."""
    return pd.DataFrame(
        {"prediction": twice_id_plus_first_tag(model_input), "executor": executor_id()}
    )


def test_spark_udf_scores_on_both_executors(spark, table):
    signature = ModelSignature(
        inputs=SCORING_INPUTS,
        outputs=Schema([ColSpec("double", "prediction"), ColSpec("string", "executor")]),
    )
    udf = sss.spark_udf(spark, _scored_where, signature)
    scored = table.select("id", udf().alias("out"))
    rows, tasks = tasks_per_executor(
        spark, lambda: scored.select("id", "out.prediction", "out.executor").collect()
    )
    _in_both(tasks)
    assert {r.executor for r in rows} == EXECUTOR_IDS
    assert sorted((r.id, r.prediction) for r in rows) == expected_predictions(table)


def test_an_executor_side_violation_reaches_the_driver(spark, table):
    # addr.city is required inside the object: scoring refuses the batches with a null city.
    signature = ModelSignature(inputs=Schema([SCHEMA.inputs[3]]))
    udf = sss.spark_udf(spark, lambda df: pd.Series([1.0] * len(df)), signature)
    with pytest.raises(Exception) as failed:
        table.select(udf("addr")).write.format("noop").mode("overwrite").save()
    text = str(failed.value)
    assert SchemaEnforcementError.__name__ in text
    assert "addr.city" in text
