"""The reasons column every row router adds: which checks a row failed, as data.

``_sparksig_reasons`` is an ``array<struct<code: string, path: string>>``, null on a row that
passes. Each element is one finding (``{"code": "null_in_required", "path": "address.city"}``)
: the code a :class:`~sparksig.results.Code` value, the path spelled as in a report. Nothing in
sparksig parses the column back; read it with the ``Column`` API (``r.code``, ``r.path``), or
``F.transform(col, lambda r: F.concat(r.code, F.lit(":"), r.path))`` for one string each.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

__all__ = ["REASON_TYPE", "REASONS_COLUMN", "REASONS_TYPE", "as_text", "literal", "none"]

REASONS_COLUMN = "_sparksig_reasons"
REASON_TYPE = T.StructType(
    [T.StructField("code", T.StringType(), True), T.StructField("path", T.StringType(), True)]
)
REASONS_TYPE = T.ArrayType(REASON_TYPE, True)


def literal(findings: Iterable[tuple[str, str]]) -> Column:
    """The ``(code, path)`` pairs as one reasons value.

    The paths hold user names, so they travel as one JSON literal decoded by ``from_json``:
    never as SQL text (Spark substitutes ``${...}`` in SQL text).
    """
    data = [{"code": code, "path": path} for code, path in findings]
    return F.from_json(F.lit(json.dumps(data)), REASONS_TYPE)


def none() -> Column:
    """A null reasons value: the row passes."""
    return F.lit(None).cast(REASONS_TYPE)


def as_text(reasons: Column) -> Column:
    """``reasons`` as an ``array<string>`` of ``code:path`` labels (for messages)."""
    return F.transform(reasons, lambda r: F.concat(r["code"], F.lit(":"), r["path"]))
