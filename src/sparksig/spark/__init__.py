"""Spark side of sparksig: type mapping, the embedded session, inference, validation, scoring.

Importing this package imports pyspark (and pandas/pyarrow for the executor-side code).

Examples:
    >>> from sparksig import spark as sss  # doctest: +SKIP
    >>> report = sss.validate(df, signature, mode="sampled", fraction=0.01)  # doctest: +SKIP
"""

from __future__ import annotations

from sparksig.spark.check.reasons import REASON_TYPE, REASONS_COLUMN, REASONS_TYPE
from sparksig.spark.conform import conform
from sparksig.spark.convert import (
    from_spark_schema,
    from_spark_type,
    to_spark_schema,
    to_spark_type,
)
from sparksig.spark.infer import InferenceResult, infer_schema, infer_schema_report
from sparksig.spark.quarantine import QuarantineResult, write_quarantine
from sparksig.spark.routing import Strategy
from sparksig.spark.score import ScoredResult, score, write_scored
from sparksig.spark.session import get_session
from sparksig.spark.stream import MonitoredStream, monitor, quarantine_stream
from sparksig.spark.udf.scoring import ResolvedModel, resolve_model, spark_udf
from sparksig.spark.validate import validate

__all__ = [
    "REASONS_COLUMN",
    "REASONS_TYPE",
    "REASON_TYPE",
    "InferenceResult",
    "MonitoredStream",
    "QuarantineResult",
    "ResolvedModel",
    "ScoredResult",
    "Strategy",
    "conform",
    "from_spark_schema",
    "from_spark_type",
    "get_session",
    "infer_schema",
    "infer_schema_report",
    "monitor",
    "quarantine_stream",
    "resolve_model",
    "score",
    "spark_udf",
    "to_spark_schema",
    "to_spark_type",
    "validate",
    "write_quarantine",
    "write_scored",
]
