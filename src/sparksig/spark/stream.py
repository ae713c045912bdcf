"""Structured Streaming: a monitor that reports on every micro-batch, and stream quarantine.

- :func:`monitor` attaches the native checks to a streaming DataFrame with ``observe`` (Spark
  computes them as the rows flow, in the same query, no extra pass) and delivers one
  :class:`~sparksig.errors.ValidationReport` per micro-batch, with its batch id, to a callback
  — and optionally appends it, as one JSON line per batch, to a folder. Reports carry counts,
  not examples (a stream keeps no rows to show).
- :func:`quarantine_stream` runs ONE query whose ``foreachBatch`` splits each micro-batch
  into valid and rejected rows (computed once per batch) and writes both under
  ``batch_id=N`` partitions, replacing that batch's previous output. A query restarted from
  its checkpoint re-runs an unfinished batch and overwrites what that batch wrote before:
  no row is lost or written twice.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparksig.errors import InvalidArgumentError, ValidationReport, Violation
from sparksig.schema import Schema
from sparksig.signature import ModelSignature
from sparksig.spark import native
from sparksig.spark.binding import bind, input_schema
from sparksig.spark.conform import REASONS_COLUMN, flag_rows, materialize, valid_rows
from sparksig.spark.quarantine import check_format_holds

__all__ = ["MonitoredStream", "monitor", "quarantine_stream"]

Callback = Callable[[int, ValidationReport], None]


@dataclass
class MonitoredStream:
    """A streaming DataFrame with the checks attached; write ``frame`` as usual.

    Attributes:
        frame: the stream, unchanged in rows and columns, with the checks observed.
        name: the observation's name (``sparksig_<id>``) in the query's progress.
    """

    frame: DataFrame
    name: str
    _listener: Any = None

    def close(self) -> None:
        """Stop delivering reports (the query itself keeps running)."""
        if self._listener is not None:
            self.frame.sparkSession.streams.removeListener(self._listener)
            self._listener = None


def monitor(
    df: DataFrame,
    schema_or_signature: Schema | ModelSignature,
    on_report: Callback | None = None,
    *,
    report_dir: str | None = None,
    strict_nulls: bool = True,
    finite_only: bool = False,
) -> MonitoredStream:
    """Attach the signature's checks to a stream; get a report per micro-batch.

    Args:
        df: a streaming DataFrame (``spark.readStream...``).
        schema_or_signature: what its rows must satisfy.
        on_report: called on the driver as ``on_report(batch_id, report)`` after each
            micro-batch that held rows.
        report_dir: a folder to append each report to, one JSON line per batch
            (``{"batch_id": ..., **report.to_dict()}``) in ``reports.jsonl``.
        strict_nulls, finite_only: as in :func:`sparksig.spark.validate`.

    Returns:
        A :class:`MonitoredStream`; write its ``frame`` with ``writeStream`` as you would
        have written ``df``.

    Examples:
        >>> watched = monitor(stream, signature, lambda i, r: print(i, r.ok))  # doctest: +SKIP
        >>> watched.frame.writeStream.format("parquet").start(...)  # doctest: +SKIP
    """
    if not df.isStreaming:
        raise InvalidArgumentError(
            "monitor watches a stream; for a batch DataFrame call sparksig.spark.validate"
        )
    schema = input_schema(schema_or_signature)
    binding = bind(df, schema, strict_nulls=strict_nulls)
    checks = native.compile_checks(
        binding, df.columns, strict_nulls=strict_nulls, finite_only=finite_only
    )
    name = f"sparksig_{uuid.uuid4().hex[:12]}"
    metrics = [F.count(F.lit(1)).alias("rows")]
    metrics += [F.count_if(F.expr(c.sql)).alias(f"c{i}") for i, c in enumerate(checks)]
    observed = checks.restore(checks.project(df).observe(name, *metrics))
    watched = MonitoredStream(observed, name)
    if report_dir:
        os.makedirs(report_dir, exist_ok=True)

    def deliver(batch_id: int, row: dict[str, Any]) -> None:
        found = [
            Violation(c.code.value, c.path, int(row[f"c{i}"]), (), c.message)
            for i, c in enumerate(checks)
            if row.get(f"c{i}")
        ]
        report = ValidationReport(
            rows_checked=int(row["rows"]),
            violations=binding.findings + tuple(found),
            engine="native",
            checks=len(checks),
            notes=(f"micro-batch {batch_id}",),
        )
        if report_dir:
            with open(os.path.join(report_dir, "reports.jsonl"), "a", encoding="utf-8") as f:
                f.write(json.dumps({"batch_id": batch_id, **report.to_dict()}) + "\n")
        if on_report is not None:
            on_report(batch_id, report)

    watched._listener = _listen(df, name, deliver)
    return watched


def _listen(df: DataFrame, name: str, deliver: Callable[[int, dict[str, Any]], None]) -> Any:
    from pyspark.sql.streaming import StreamingQueryListener

    class _Reports(StreamingQueryListener):
        def onQueryStarted(self, event: Any) -> None:
            pass

        def onQueryProgress(self, event: Any) -> None:
            row = event.progress.observedMetrics.get(name)
            if row is not None and row["rows"]:
                deliver(event.progress.batchId, row.asDict())

        def onQueryIdle(self, event: Any) -> None:
            pass

        def onQueryTerminated(self, event: Any) -> None:
            pass

    listener = _Reports()
    df.sparkSession.streams.addListener(listener)
    return listener


def quarantine_stream(
    df: DataFrame,
    schema_or_signature: Schema | ModelSignature,
    path: str,
    checkpoint: str,
    *,
    format: str = "parquet",
    key_columns: tuple[str, ...] = (),
    strict_nulls: bool = True,
    finite_only: bool = False,
    trigger: dict[str, Any] | None = None,
    on_batch: Callable[[int, int, int], None] | None = None,
) -> Any:
    """Start one streaming query that writes ``path/valid`` and ``path/rejected`` per batch.

    Each micro-batch's reasons are computed once (a local checkpoint of the batch), then its
    valid rows (cast to the signature) go to ``path/valid/batch_id=N`` and its rejected rows
    (with ``_sparksig_reasons``) to ``path/rejected/batch_id=N``, both replacing whatever
    batch ``N`` wrote before, so a batch re-run after a failure is written exactly once.

    Args:
        df: a streaming DataFrame.
        schema_or_signature: what valid rows satisfy.
        path: the output folder.
        checkpoint: the query's checkpoint folder (keep it to resume where it stopped).
        format: the writer format for both halves.
        key_columns: undeclared columns kept in the valid output.
        strict_nulls, finite_only: as in :func:`sparksig.spark.validate`.
        trigger: ``DataStreamWriter.trigger`` keywords (``{"availableNow": True}``...).
        on_batch: called as ``on_batch(batch_id, valid_rows, rejected_rows)`` after a
            batch's two writes (before Spark commits the batch).

    Returns:
        The started ``StreamingQuery``.
    """
    if not df.isStreaming:
        raise InvalidArgumentError(
            "quarantine_stream runs a streaming query; for a batch DataFrame use "
            "sparksig.spark.write_quarantine"
        )
    schema = input_schema(schema_or_signature)
    # refused before the query starts, as write_quarantine refuses before it writes: the
    # halves' schemas, read off the same lazy plans each batch writes (no job)
    binding = bind(df, schema, strict_nulls=strict_nulls)
    flagged = flag_rows(df, binding, strict_nulls=strict_nulls, finite_only=finite_only)
    check_format_holds(format, valid_rows(flagged, binding, schema, key_columns).schema, "valid")
    check_format_holds(format, flagged.schema, "rejected")

    def write(batch: DataFrame, batch_id: int) -> None:
        binding = bind(batch, schema, strict_nulls=strict_nulls)
        flagged = flag_rows(batch, binding, strict_nulls=strict_nulls, finite_only=finite_only)
        flagged = materialize(flagged)
        halves = {
            "valid": valid_rows(flagged, binding, schema, key_columns),
            "rejected": flagged.filter(F.col(REASONS_COLUMN).isNotNull()),
        }
        counts = {}
        for half, frame in halves.items():
            frame.write.mode("overwrite").format(format).save(
                f"{path.rstrip('/')}/{half}/batch_id={batch_id}"
            )
            counts[half] = frame.count()
        if on_batch is not None:
            on_batch(batch_id, counts["valid"], counts["rejected"])

    writer = df.writeStream.foreachBatch(write).option("checkpointLocation", checkpoint)
    if trigger:
        writer = writer.trigger(**trigger)
    return writer.start()
