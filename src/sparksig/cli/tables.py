"""What the commands read: a table from a path (Parquet, CSV, JSON, ORC) or from the catalog.

Bad input shows up here first, and each kind is named rather than passed on:

- a table that cannot be opened (an empty folder, a zero-byte, truncated or garbage file, a
  missing catalog table) raises :class:`~sparksig.errors.SerializationError` naming it (exit 2);
  failures that Spark only meets at the first job are recognised by
  :mod:`sparksig.cli.failures` in the command group;
- CSV and JSON records that Spark cannot split into the table's columns are counted, with
  Spark's ``PERMISSIVE`` mode and a malformed-record column: a CSV row with more or fewer
  fields than the header (Spark would drop the extra fields, or read the missing ones as
  null), a line that is not JSON (Spark would read it as a row of nulls). ``infer`` warns;
  ``validate`` and ``score`` refuse such a file (exit 2), as they cannot check or score rows
  that were not read as written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from sparksig.cli.failures import SOURCE_KEY, Source, read_failure
from sparksig.cli.inputs import check_data, guess_format
from sparksig.errors import SerializationError

__all__ = ["MALFORMED_COLUMN", "Input", "MalformedRecords", "read_table"]

MALFORMED_COLUMN = "_sparksig_malformed"
_EXAMPLES = 3
_EXAMPLE_CHARS = 60


@dataclass(frozen=True)
class MalformedRecords:
    """CSV or JSON records that Spark could not split into the table's columns."""

    fmt: str
    count: int
    columns: int
    examples: tuple[str, ...] = ()

    def describe(self) -> str:
        """One phrase: how many, what is wrong with them, a few examples.

        Examples:
            >>> MalformedRecords("csv", 2, 3, ("1,2,3,4", "5")).describe()
            "2 CSV rows do not have the header's 3 fields, e.g. '1,2,3,4', '5'"
        """
        rows = "row" if self.count == 1 else "rows"
        if self.fmt == "csv":
            fields = "field" if self.columns == 1 else "fields"
            what = f"{self.count:,} CSV {rows} do not have the header's {self.columns} {fields}"
        else:
            what = f"{self.count:,} {self.fmt.upper()} {rows} cannot be parsed"
        if self.count == 1:
            what = what.replace(" do not ", " does not ")
        examples = ", ".join(repr(_clip(e)) for e in self.examples)
        return f"{what}, e.g. {examples}" if examples else what


@dataclass(frozen=True)
class Input:
    """A table to check, where it came from, and its malformed records (CSV and JSON)."""

    df: Any
    source: Source
    malformed: MalformedRecords | None = None

    def warning(self) -> str | None:
        """The line ``infer`` prints when some records were malformed."""
        if self.malformed is None:
            return None
        return (
            f"warning: {self.source.name}: {self.malformed.describe()}; they are read as Spark "
            "reads them (extra fields dropped, missing ones null)"
        )

    def require_well_formed(self, command: str) -> None:
        """Refuse a file with malformed records: ``validate`` and ``score`` need every row.

        Raises:
            SerializationError: naming the file, the count and a few examples.
        """
        if self.malformed is None:
            return
        raise SerializationError(
            f"{self.malformed.describe()}; {command} refuses a file it cannot read as written: "
            "fix those records (or convert the file) and run again",
            self.source.name,
        )


def _clip(text: str) -> str:
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= _EXAMPLE_CHARS else text[: _EXAMPLE_CHARS - 1] + "…"


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def read_table(
    spark: Any, data: str | None, table: str | None, input_format: str | None = None
) -> Input:
    """Open DATA (a path) or ``table`` (a catalog name), and count malformed CSV/JSON records.

    CSV is read with a header row and inferred column types. The source is recorded in the
    click context, so a read failure at a later Spark job still names it.

    Raises:
        SerializationError: the table cannot be opened, or it has no columns.
    """
    check_data(data, table)
    if table is not None:
        source = Source(table, is_table=True)
        _remember(source)
        return Input(_open(lambda: spark.table(table), source), source)
    assert data is not None
    source = Source(data, input_format or guess_format(data))
    _remember(source)
    if source.fmt == "csv":
        df = _open(lambda: _csv(spark, data), source)
    elif source.fmt == "json":
        df = _open(
            lambda: spark.read.option("columnNameOfCorruptRecord", MALFORMED_COLUMN).json(data),
            source,
        )
    else:
        df = _open(lambda: spark.read.format(source.fmt).load(data), source)
    columns = [c for c in df.columns if c != MALFORMED_COLUMN]
    if not columns:
        what = "no records could be parsed" if df.columns else "no columns to read"
        raise SerializationError(
            f"{what} (an empty file, or not {source.fmt}?); check the file, or give --input-format",
            data,
        )
    if MALFORMED_COLUMN not in df.columns:
        return Input(df, source)
    malformed = _open(lambda: _malformed(df, source.fmt or "csv", len(columns)), source)
    return Input(df.drop(MALFORMED_COLUMN), source, malformed)


def _remember(source: Source) -> None:
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[SOURCE_KEY] = source


def _open(read: Callable[[], Any], source: Source) -> Any:
    """Run ``read``; any Spark failure while opening the table is a read failure."""
    try:
        return read()
    except Exception as e:
        failure = read_failure(e, source, opening=True)
        if failure is None:
            raise
        raise failure from None


def _csv(spark: Any, path: str) -> Any:
    """The CSV with inferred types, re-read with a column that keeps each malformed row."""
    from pyspark.sql import types as T

    inferred = spark.read.option("header", "true").option("inferSchema", "true").csv(path)
    if not inferred.columns:
        return inferred
    schema = T.StructType(
        [*inferred.schema.fields, T.StructField(MALFORMED_COLUMN, T.StringType())]
    )
    return (
        spark.read.schema(schema)
        .option("header", "true")
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", MALFORMED_COLUMN)
        .csv(path)
    )


def _malformed(df: Any, fmt: str, columns: int) -> MalformedRecords | None:
    """Count the rows whose malformed-record column is set, in one job.

    The count references every column: Spark's CSV reader only notices a row's wrong field
    count when it parses all of them (with column pruning it would see nothing).
    """
    from pyspark.sql import functions as F

    flag = F.col(_quoted(MALFORMED_COLUMN))
    every = F.hash(*[F.col(_quoted(c)) for c in df.columns])
    count = df.agg(F.count(F.when(flag.isNotNull(), every))).first()[0]
    if not count:
        return None
    rows = df.filter(flag.isNotNull()).limit(_EXAMPLES).collect()
    return MalformedRecords(fmt, int(count), columns, tuple(str(r[MALFORMED_COLUMN]) for r in rows))
