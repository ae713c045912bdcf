"""The public Spark API on a Spark Connect session: the same answers as plain PySpark gives.

Expected values come from plain PySpark on the same Connect session (``table.py`` of the
cluster tier). The tests also show that what needs py4j degrades instead of failing:
``get_session`` hands back the Connect session without touching ``sparkContext``.

Run by ``tests/connect/test_connect_tier.py`` in a process of its own.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from sparksig import ColSpec, ModelSignature, Schema
from sparksig import spark as sss
from sparksig.errors import InvalidArgumentError, SchemaEnforcementError
from tests.cluster.tier.table import (
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


@pytest.fixture(scope="module")
def table(spark):
    return make_table(spark)


def _ids(df) -> list[int]:
    return sorted(r.id for r in df.select("id").collect())


def test_the_session_is_a_connect_client_without_a_jvm(spark):
    assert type(spark).__module__.startswith("pyspark.sql.connect")
    with pytest.raises(AttributeError, match="JVM_ATTRIBUTE_NOT_SUPPORTED"):
        spark.sparkContext  # noqa: B018  (the premise: no py4j on a Connect client)


def test_get_session_returns_the_active_connect_session(spark):
    assert sss.get_session() is spark


def test_get_session_with_settings_stays_on_connect(spark):
    session = sss.get_session(conf={"spark.sql.shuffle.partitions": "3"})
    assert type(session).__module__.startswith("pyspark.sql.connect")
    assert session.conf.get("spark.sql.shuffle.partitions") == "3"
    spark.conf.set("spark.sql.shuffle.partitions", "4")


def test_infer_schema_full(table):
    assert sss.infer_schema(table, mode="full") == expected_schema(table)


def test_infer_schema_sampled(table):
    # Spark's size estimate needs py4j; on Connect the sample is sized without it.
    full = expected_schema(table)
    result = sss.infer_schema_report(table, mode="sampled", max_rows=2_000, seed=3)
    assert result.mode == "sampled"
    assert 0 < result.rows_checked <= 2_000
    assert [c.name for c in result.schema.inputs] == [c.name for c in full.inputs]
    for sampled, exact in zip(result.schema.inputs, full.inputs):
        assert sampled.required or not exact.required


def test_validate_full(table):
    report = sss.validate(table, SCHEMA, mode="full")
    assert (report.mode, report.rows_checked) == ("full", ROWS)
    found = {(v.code, v.column_path): v.count for v in report.violations}
    assert found == {("null_in_required", p): nulls(table, p) for p in REQUIRED_WITH_NULLS}


def test_validate_sampled(table):
    report = sss.validate(table, SCHEMA, mode="sampled", fraction=0.25, seed=7)
    assert report.mode == "sampled"
    assert abs(report.rows_checked - ROWS * 0.25) < 8 * 61  # Bernoulli(0.25): sd about 61
    found = {(v.code, v.column_path): v.count for v in report.violations}
    assert set(found) == {("null_in_required", p) for p in REQUIRED_WITH_NULLS}
    again = sss.validate(table, SCHEMA, mode="sampled", fraction=0.25, seed=7)
    assert (again.rows_checked, again.violations) == (report.rows_checked, report.violations)


def test_validate_a_sample_of_files(spark, table, tmp_path):
    # A file sample is summarised by observed metrics on a no-op write: no py4j either.
    table.repartition(4).write.parquet(str(tmp_path / "t"))
    files = spark.read.parquet(str(tmp_path / "t"))
    report = sss.validate(files, SCHEMA, mode="sampled", sampling="files", fraction=1.0)
    assert (report.files_read, report.files_total, report.rows_checked) == (4, 4, ROWS)
    found = {(v.code, v.column_path): v.count for v in report.violations}
    assert found == {("null_in_required", p): nulls(table, p) for p in REQUIRED_WITH_NULLS}


def test_conform_quarantine(table):
    valid, rejected = sss.conform(table, SCHEMA, on_error="quarantine")
    rejected_ids = _ids(rejected)
    assert rejected_ids == expected_rejected_ids(table)
    assert sorted(_ids(valid) + rejected_ids) == list(range(ROWS))
    assert valid.columns == SCHEMA.input_names()


def test_write_quarantine_to_a_local_path(spark, table, tmp_path):
    result = sss.write_quarantine(table, SCHEMA, str(tmp_path / "q"))
    rejected_ids = _ids(spark.read.parquet(result.rejected_path))
    valid_ids = _ids(spark.read.parquet(result.valid_path))
    assert rejected_ids == expected_rejected_ids(table)
    assert sorted(valid_ids + rejected_ids) == list(range(ROWS))
    assert (result.valid_rows, result.rejected_rows) == (len(valid_ids), len(rejected_ids))


def test_write_quarantine_to_a_hadoop_path_says_what_connect_lacks(table):
    # Hadoop paths go through the JVM's FileSystem, which a Connect client cannot reach.
    with pytest.raises(InvalidArgumentError, match="Spark Connect"):
        sss.write_quarantine(table, SCHEMA, "hdfs://namenode:8020/quarantine")


def test_spark_udf(spark, table):
    udf = sss.spark_udf(spark, twice_id_plus_first_tag, ModelSignature(inputs=SCORING_INPUTS))
    rows = table.select("id", udf().alias("p")).collect()
    assert sorted((r.id, r.p) for r in rows) == expected_predictions(table)


def test_score_quarantine(table):
    signature = ModelSignature(inputs=SCHEMA, outputs=Schema([ColSpec("double")]))
    scored, rejected = sss.score(table, twice_id_plus_first_tag, signature, on_error="quarantine")
    rejected_ids = _ids(rejected)
    assert rejected_ids == expected_nested_rejected_ids(table)
    kept = set(rejected_ids)
    predictions = sorted((r.id, r.prediction) for r in scored.select("id", "prediction").collect())
    assert predictions == [(i, p) for i, p in expected_predictions(table) if i not in kept]


def test_a_violation_in_a_python_worker_reaches_the_client(spark, table):
    signature = ModelSignature(inputs=Schema([SCHEMA.inputs[3]]))
    udf = sss.spark_udf(spark, lambda df: pd.Series([1.0] * len(df)), signature)
    with pytest.raises(Exception) as failed:
        table.select(udf("addr")).write.format("noop").mode("overwrite").save()
    assert SchemaEnforcementError.__name__ in str(failed.value)
    assert "addr.city" in str(failed.value)


def test_the_cli_progress_bar_stays_off_without_a_status_tracker(spark, table):
    from rich.console import Console

    from sparksig.cli.progress import SparkProgress

    console = Console(file=io.StringIO(), force_terminal=True)
    with SparkProgress(spark, console, enabled=True, description="count") as progress:
        assert table.count() == ROWS
    assert progress.stages_seen == set()


def test_hostile_names_are_names_on_connect(spark):
    # the server parses whatever SQL text the client sends, with its own session's settings
    from tests.spark.test_hostile_names import (
        CANARY,
        CANARY_KEY,
        TRAP_FINDINGS,
        TRAP_SCHEMA,
        _model,
        _trap_table,
    )

    spark.conf.set(CANARY_KEY, CANARY)
    try:
        df = _trap_table(spark)
        for engine in ("native", "arrow"):
            report = sss.validate(df, TRAP_SCHEMA, engine=engine)
            assert {(v.code, v.column_path, v.count) for v in report.violations} == TRAP_FINDINGS
            assert CANARY not in report.to_json()
        valid, rejected = sss.conform(df, TRAP_SCHEMA, on_error="quarantine")
        assert (valid.count(), sorted(r.id for r in rejected.select("id").collect())) == (
            0,
            [0, 1, 2],
        )
        signature = ModelSignature(inputs=TRAP_SCHEMA, outputs=Schema([ColSpec("double")]))
        scored, rejected = sss.score(
            df, _model, signature, on_error="quarantine", strict_nulls=True
        )
        assert (scored.count(), rejected.count()) == (0, 3)
    finally:
        spark.conf.unset(CANARY_KEY)
