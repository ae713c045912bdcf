"""Structured Streaming: a monitor that reports on every micro-batch, and stream quarantine.

- :func:`monitor` attaches the native checks to a streaming DataFrame with ``observe`` (Spark
  computes them as the rows flow, in the same query, no extra pass) and delivers one
  :class:`~sparksig.results.ValidationReport` per micro-batch, with its batch id, to a callback
  — and optionally appends it, as one JSON line per batch, to a folder. Reports carry counts,
  not examples (a stream keeps no rows to show). With ``profile=``, the profile's constraints
  are checked too and each report carries the batch's drift against the profile
  (``report.drift``), counted in the same ``observe`` as the checks.
- :func:`quarantine_stream` runs ONE query whose ``foreachBatch`` splits each micro-batch
  into valid and rejected rows (computed once per batch) and writes both under
  ``batch_id=N`` partitions, replacing that batch's previous output. A query restarted from
  its checkpoint re-runs an unfinished batch and overwrites what that batch wrote before:
  no row is lost or written twice. With ``profile=``, rows that break one of the profile's
  row-level constraints are rejected like rows that break the signature.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F

from sparksig.errors import ArgumentTypeError, InvalidArgumentError
from sparksig.legacy import legacy_call
from sparksig.options import Checks, Engine, resolve_checks
from sparksig.profile.drift import DEFAULT_THRESHOLDS, Thresholds, drift
from sparksig.profile.model import Profile
from sparksig.results import ValidationReport, Violation
from sparksig.schema import Schema
from sparksig.signature import ModelSignature
from sparksig.spark import profiling
from sparksig.spark.check import native
from sparksig.spark.check.binding import bind, input_schema
from sparksig.spark.check.reasons import REASONS_COLUMN
from sparksig.spark.formats import check_format_holds
from sparksig.spark.routing import Router

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


@legacy_call(keep=2, positional=("on_report",), renamed={"schema_or_signature": "signature"})
def monitor(
    df: DataFrame,
    signature: Schema | ModelSignature,
    *,
    on_report: Callback | None = None,
    report_dir: str | None = None,
    checks: Checks | None = None,
    strict_nulls: bool | None = None,
    finite_only: bool | None = None,
    profile: Profile | None = None,
    drift_thresholds: Thresholds | None = None,
    drift_overrides: Mapping[str, Thresholds] | None = None,
) -> MonitoredStream:
    """Attach the signature's checks to a stream; get a report per micro-batch.

    Args:
        df: a streaming DataFrame (``spark.readStream...``).
        signature: what its rows must satisfy.
        on_report: called on the driver as ``on_report(batch_id, report)`` after each
            micro-batch that held rows.
        report_dir: a folder to append each report to, one JSON line per batch
            (``{"batch_id": ..., **report.to_dict()}``) in ``reports.jsonl``.
        checks: how rows are checked (:class:`sparksig.Checks`; native engine only: the
            checks run as Spark expressions inside the query); ``strict_nulls`` defaults to
            ``True``. ``strict_nulls`` and ``finite_only`` override its fields.
        profile: a training :class:`~sparksig.profile.Profile`: its row-level constraints
            are checked with the signature (``out_of_range``, ``not_in_domain``,
            ``too_long`` counts), and each micro-batch is compared with its statistics,
            counted in the same ``observe`` (:func:`sparksig.spark.profiling.drift_aggregates`):
            the report's ``drift`` is the batch's
            :class:`~sparksig.profile.drift.DriftReport` (most drifted first), and a path
            over threshold is also a ``drift`` violation, as in
            :func:`sparksig.spark.validate`. A small batch is measured but not flagged
            (``min_present``, 200 present values by default).
        drift_thresholds, drift_overrides: as ``thresholds`` and ``overrides`` of
            :func:`sparksig.profile.drift.drift`.

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
    run = resolve_checks(
        checks,
        strict_nulls=strict_nulls,
        finite_only=finite_only,
        engine=None,
        default_strict=True,
    )
    if profile is not None and not isinstance(profile, Profile):
        raise ArgumentTypeError(
            f"profile must be a sparksig.profile.Profile (or None), got {type(profile).__name__}"
        )
    schema = input_schema(signature)
    binding = bind(df, schema, strict_nulls=run.strict)
    compiled = native.compile_checks(
        binding,
        df.columns,
        strict_nulls=run.strict,
        finite_only=run.finite_only,
        constraints=() if profile is None else profile.constraints,
    )
    name = f"sparksig_{uuid.uuid4().hex[:12]}"
    metrics = [F.count(F.lit(1)).alias("rows")]
    metrics += [F.count_if(F.expr(c.sql)).alias(f"c{i}") for i, c in enumerate(compiled)]
    if profile is not None:
        metrics += profiling.drift_aggregates(compiled, profile)
    observed = compiled.restore(compiled.project(df).observe(name, *metrics))
    watched = MonitoredStream(observed, name)
    if report_dir:
        os.makedirs(report_dir, exist_ok=True)

    def deliver(batch_id: int, row: dict[str, Any]) -> None:
        found = [
            Violation(c.code.value, c.path, int(row[f"c{i}"]), (), c.message)
            for i, c in enumerate(compiled)
            if row.get(f"c{i}")
        ]
        drifted = None
        if profile is not None:
            drifted = drift(
                profile,
                profiling.observed_from_row(row, compiled, profile),
                thresholds=drift_thresholds or DEFAULT_THRESHOLDS,
                overrides=drift_overrides,
            )
            found.extend(drifted.violations())
        found.sort(key=lambda v: (v.column_path, v.code))
        report = ValidationReport(
            rows_checked=int(row["rows"]),
            violations=binding.findings + tuple(found),
            engine="native",
            checks=len(compiled),
            notes=(f"micro-batch {batch_id}",),
            drift=drifted,
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


@legacy_call(keep=4, renamed={"schema_or_signature": "signature"})
def quarantine_stream(
    df: DataFrame,
    signature: Schema | ModelSignature,
    path: str,
    checkpoint: str,
    *,
    format: str = "parquet",
    key_columns: tuple[str, ...] = (),
    checks: Checks | None = None,
    strict_nulls: bool | None = None,
    finite_only: bool | None = None,
    trigger: dict[str, Any] | None = None,
    on_batch: Callable[[int, int, int], None] | None = None,
    profile: Profile | None = None,
) -> Any:
    """Start one streaming query that writes ``path/valid`` and ``path/rejected`` per batch.

    Each micro-batch is split by the one row router (:mod:`sparksig.spark.routing`): its
    valid rows (cast to the signature) go to ``path/valid/batch_id=N`` and its rejected rows
    (with ``_sparksig_reasons``) to ``path/rejected/batch_id=N``, both replacing whatever
    batch ``N`` wrote before, so a batch re-run after a failure is written exactly once. A
    batch is read twice only when the router proves the two reads see the same rows;
    otherwise its reasons are computed once, into a local checkpoint. Each half is counted
    while it is written.

    Args:
        df: a streaming DataFrame.
        signature: what valid rows satisfy.
        path: the output folder.
        checkpoint: the query's checkpoint folder (keep it to resume where it stopped).
        format: the writer format for both halves.
        key_columns: undeclared columns kept in the valid output.
        checks: how rows are checked (:class:`sparksig.Checks`; ``strict_nulls`` defaults to
            ``True``); ``strict_nulls`` and ``finite_only`` override its fields.
        trigger: ``DataStreamWriter.trigger`` keywords (``{"availableNow": True}``...).
        on_batch: called as ``on_batch(batch_id, valid_rows, rejected_rows)`` after a
            batch's two writes (before Spark commits the batch).
        profile: a training :class:`~sparksig.profile.Profile`: rows that break one of its
            row-level constraints (``out_of_range``, ``not_in_domain``, ``too_long``) are
            rejected, with the constraint's code and path among their reasons.

    Returns:
        The started ``StreamingQuery``.
    """
    if not df.isStreaming:
        raise InvalidArgumentError(
            "quarantine_stream runs a streaming query; for a batch DataFrame use "
            "sparksig.spark.write_quarantine"
        )
    plan, run = Router.build(
        df,
        signature,
        key_columns=key_columns,
        checks=checks,
        strict_nulls=strict_nulls,
        finite_only=finite_only,
        engine=Engine.NATIVE,
        profile=profile,
    )
    schema, keys = plan.schema, plan.keys

    def route(frame: DataFrame) -> Router:
        return Router.of(
            frame,
            schema,
            keys=keys,
            strict_nulls=run.strict,
            finite_only=run.finite_only,
            constraints=plan.constraints,
        )

    # refused before the query starts, as write_quarantine refuses before it writes: the
    # halves' schemas, read off the same lazy plans each batch writes (no job)
    flagged = plan.flag()
    check_format_holds(format, plan.conformed(flagged.drop(REASONS_COLUMN)).schema, "valid")
    check_format_holds(format, flagged.schema, "rejected")

    def write(batch: DataFrame, batch_id: int) -> None:
        router = route(batch)
        passed, rejected, _ = router.split()
        counts = {}
        for half, frame in (("valid", router.conformed(passed)), ("rejected", rejected)):
            seen = Observation(f"sparksig_batch_{uuid.uuid4().hex}")
            frame.observe(seen, F.count(F.lit(1)).alias("rows")).write.mode("overwrite").format(
                format
            ).save(f"{path.rstrip('/')}/{half}/batch_id={batch_id}")
            counts[half] = int(seen.get["rows"])
        if on_batch is not None:
            on_batch(batch_id, counts["valid"], counts["rejected"])

    writer = df.writeStream.foreachBatch(write).option("checkpointLocation", checkpoint)
    if trigger:
        writer = writer.trigger(**trigger)
    return writer.start()
