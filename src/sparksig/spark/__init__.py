"""Spark side of sparksig: type mapping, the embedded session, inference, validation, scoring.

Importing this package imports pyspark.
"""

from __future__ import annotations

from sparksig.spark.convert import (
    from_spark_schema,
    from_spark_type,
    to_spark_schema,
    to_spark_type,
)
from sparksig.spark.session import get_session

__all__ = [
    "from_spark_schema",
    "from_spark_type",
    "get_session",
    "to_spark_schema",
    "to_spark_type",
]
