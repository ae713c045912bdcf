"""Structured Streaming: a report per micro-batch, and quarantine that survives a restart."""

from __future__ import annotations

import json
import time

import pytest
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss
from sparksig.spark.stream import monitor, quarantine_stream
from tests.labels import labels

SCHEMA = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("double", "x")])
STRUCT = "id bigint, x double"


def _write_file(spark, folder, first: int, n: int) -> None:
    """n rows with ids first..first+n-1; x is null where id % 5 == 0."""
    spark.range(first, first + n, numPartitions=1).select(
        "id", F.when(F.col("id") % 5 == 0, None).otherwise(F.col("id") * 0.5).alias("x")
    ).write.mode("append").parquet(str(folder))


def _wait_for(predicate, seconds: float = 60.0) -> bool:
    """Listener events arrive asynchronously after the query ends: wait for them, bounded."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_monitor_delivers_one_report_per_micro_batch(spark, tmp_path):
    source = tmp_path / "in"
    _write_file(spark, source, 0, 50)  # ids 0..49: 10 nulls
    _write_file(spark, source, 50, 30)  # ids 50..79: 6 nulls
    stream = spark.readStream.schema(STRUCT).option("maxFilesPerTrigger", 1).parquet(str(source))
    reports = {}
    watched = monitor(
        stream,
        SCHEMA,
        on_report=lambda i, r: reports.setdefault(i, r),
        report_dir=str(tmp_path / "reports"),
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
    assert sorted(reports) == [0, 1]
    assert sum(r.rows_checked for r in reports.values()) == 80
    counts = sorted(
        (r.rows_checked, [(v.code, v.column_path, v.count) for v in r.violations])
        for r in reports.values()
    )
    assert counts == [(30, [("null_in_required", "x", 6)]), (50, [("null_in_required", "x", 10)])]
    lines = (tmp_path / "reports" / "reports.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["batch_id"] for line in lines) == [0, 1]


def test_monitor_refuses_a_batch_frame(spark):
    with pytest.raises(ss.InvalidArgumentError, match="validate"):
        monitor(spark.range(1), SCHEMA)


def _run(spark, source, out, checkpoint, on_batch=None):
    stream = spark.readStream.schema(STRUCT).option("maxFilesPerTrigger", 1).parquet(str(source))
    query = quarantine_stream(
        stream,
        SCHEMA,
        str(out),
        str(checkpoint),
        trigger={"availableNow": True},
        on_batch=on_batch,
    )
    query.awaitTermination()


def test_stream_quarantine_restarted_from_its_checkpoint_writes_every_row_once(spark, tmp_path):
    source, out, chk = tmp_path / "in", tmp_path / "out", tmp_path / "chk"
    _write_file(spark, source, 0, 40)
    _run(spark, source, out, chk)
    _write_file(spark, source, 40, 40)

    failed_once = []

    def crash_after_writing(batch_id, valid, rejected):
        if batch_id == 1 and not failed_once:
            failed_once.append(batch_id)
            raise RuntimeError("simulated crash after both halves of batch 1 were written")

    with pytest.raises(Exception, match="simulated crash"):
        _run(spark, source, out, chk, on_batch=crash_after_writing)
    _run(spark, source, out, chk)  # the restart re-runs batch 1 from the checkpoint

    valid = [r["id"] for r in spark.read.parquet(str(out / "valid")).select("id").collect()]
    rejected = spark.read.parquet(str(out / "rejected")).collect()
    bad = [r["id"] for r in rejected]
    assert len(valid) + len(bad) == 80
    assert sorted(valid + bad) == list(range(80))
    assert sorted(bad) == [i for i in range(80) if i % 5 == 0]
    assert {tuple(labels(r[sss.REASONS_COLUMN])) for r in rejected} == {("null_in_required:x",)}
