"""Checks answered from Parquet footers, without reading a data page.

A Parquet file ends in a footer that records, per row group and column chunk, how many
values are null and the smallest and largest value. For a table that *is* a read of Parquet
files, some data-level checks follow from those numbers alone, in O(files):

- **no nulls in a required top-level scalar column**: the column's null counts, summed over
  every row group of every file, are its exact number of nulls — when every row group
  records a null count (``has_null_count``). A column the file declares ``REQUIRED`` holds
  no null whatever its statistics say.
- **dates and timestamps inside** ``datetime64[ns]`` (:data:`sparksig.rules.DATETIME_NS_RANGE`,
  the bounds of the native engine's ``out_of_range`` check): no violation when every row
  group's min and max lie inside the bounds (or the chunk holds only nulls). Footers can only
  prove "none" here; any other outcome goes to the scan.

Everything else is left to the scan, and so is every check where a doubt remains:

- nested columns: a leaf's null count also counts null or empty parents (a null struct, an
  empty list), so it is not the count of the check; struct fields, array elements and map
  values are always scanned;
- a plan with anything between the file read and the checked column: a filter, a union, a
  computed or renamed column (a pure selection of columns is fine), a catalog view, a stream;
  and partition columns, which are not in the files;
- a file whose column is missing, typed differently from what Spark reads (the Spark type and
  the Parquet physical and logical type must agree exactly: INT96 and nanosecond timestamps
  have no usable min/max, a timestamp's UTC adjustment must match ``timestamp`` vs
  ``timestamp_ntz``), matched ambiguously by name (case twins under
  ``spark.sql.caseSensitive=false``) or by field id (``spark.sql.parquet.fieldId.read.enabled``);
- a row group without statistics (``pq.write_table(..., write_statistics=False)``), without
  a null count, or without min/max; dates and timestamps that Spark would rebase from the
  legacy hybrid calendar (files of Spark 2, ``datetimeRebaseMode=LEGACY``);
- a file system that :mod:`pyarrow.fs` cannot open (only ``file:`` and ``hdfs:`` URIs are
  tried), a footer that cannot be read, and a session whose plan cannot be inspected (Spark
  Connect).

Binary min/max (possibly truncated) are never used. Footers vouch for their statistics, not
for the pages: a file whose data pages are corrupt fails a scan but not a footer answer.

Examples:
    >>> found = answer(df, compiled)  # doctest: +SKIP
    >>> found.answered, found.remaining  # doctest: +SKIP
    ({0: 0, 2: 17}, (1,))
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlsplit

import pyarrow.fs as pafs
import pyarrow.parquet as pq
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from sparksig.kinds import is_streaming_dataframe
from sparksig.options import Engine, Mode, choose
from sparksig.results import Code, ValidationReport, Violation
from sparksig.schema import Schema
from sparksig.signature import ModelSignature
from sparksig.spark.check import native, summary
from sparksig.spark.check.binding import bind, check_keys, input_schema
from sparksig.spark.check.checks import Check, CheckSet

__all__ = ["FOOTER_SCHEMES", "FooterAnswer", "answer", "file_rows", "validate_with_footers"]

FOOTER_SCHEMES = frozenset({"file", "hdfs"})
"""URI schemes whose footers are read with :mod:`pyarrow.fs`; files elsewhere are scanned."""

_NULLS, _RANGE = "nulls", "range"

# Spark type -> the Parquet (physical type, logical type) pairs Spark reads as exactly that
# type, value for value. Anything else (widening, INT8 as integer, binary as string...) is
# left to the scan.
_INT32 = {"Type": "Int", "bitWidth": 32, "isSigned": True}
_INT64 = {"Type": "Int", "bitWidth": 64, "isSigned": True}
_PLAIN: dict[type, tuple[tuple[str, tuple[dict, ...]], ...]] = {
    T.BooleanType: (("BOOLEAN", ({"Type": "None"},)),),
    T.IntegerType: (("INT32", ({"Type": "None"}, _INT32)),),
    T.LongType: (("INT64", ({"Type": "None"}, _INT64)),),
    T.FloatType: (("FLOAT", ({"Type": "None"},)),),
    T.DoubleType: (("DOUBLE", ({"Type": "None"},)),),
    T.StringType: (("BYTE_ARRAY", ({"Type": "String"},)),),
    T.BinaryType: (("BYTE_ARRAY", ({"Type": "None"},)),),
    T.DateType: (("INT32", ({"Type": "Date"},)),),
}
_UNITS = {"milliseconds": 1000, "microseconds": 1}  # to microseconds (nanoseconds: scanned)
_EPOCH_DAY = 719163  # date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class FooterAnswer:
    """What the footers of a table's files answer about a check set.

    Attributes:
        answered: check index -> its exact count of offending rows, for every check the
            footers answer (0, or the exact number of nulls).
        remaining: the checks only a scan can answer, in check order.
        why: check index -> why it is left to the scan, for each of ``remaining``.
        rows: rows in the files, from their footers (``None`` when no footer was read).
        files: how many footers were read.
    """

    answered: dict[int, int] = field(default_factory=dict)
    remaining: tuple[int, ...] = ()
    why: dict[int, str] = field(default_factory=dict)
    rows: int | None = None
    files: int = 0

    @property
    def notes(self) -> tuple[str, ...]:
        return _notes(self)


@dataclass(frozen=True)
class _Target:
    """A check the footers may answer: what it asks, of which column, of which Spark type."""

    index: int
    kind: str
    name: str  # the column's name in the file read (the relation's attribute name)
    spark_type: T.DataType


@dataclass(frozen=True)
class _Read:
    files: tuple[str, ...]
    names: dict[int, str]  # table column position -> relation attribute name
    partitions: frozenset[str]
    options: dict[str, str]


def answer(df: DataFrame, checks: CheckSet) -> FooterAnswer:
    """The checks of ``checks`` that the Parquet footers of ``df``'s files answer.

    Reads only footers (in threads, one per file), never a data page, and runs no Spark job.
    A check is answered only when every row group of every file proves its count (see the
    module docstring for what is left to the scan, and why).
    """
    why: dict[int, str] = {}
    wanted: list[tuple[int, str]] = []
    for i, check in enumerate(checks):
        kind = _kind(checks, check)
        if kind is None:
            why[i] = _NOT_FLAT
        else:
            wanted.append((i, kind))
    if not wanted:
        return FooterAnswer(remaining=tuple(range(len(checks))), why=why)
    read = _file_read(df, sorted({checks.positions[checks[i].input] for i, _ in wanted}))
    if isinstance(read, str):
        return FooterAnswer(
            remaining=tuple(range(len(checks))), why={**why, **dict.fromkeys(dict(wanted), read)}
        )
    spark = df.sparkSession
    case_sensitive = _conf(spark, "spark.sql.caseSensitive", "false") == "true"
    by_id = _conf(spark, "spark.sql.parquet.fieldId.read.enabled", "false") == "true"
    legacy = "legacy" in {
        _conf(spark, "spark.sql.parquet.datetimeRebaseModeInRead", "CORRECTED").lower(),
        *(v.lower() for k, v in read.options.items() if "rebase" in k.lower()),
    }
    targets: list[_Target] = []
    for i, kind in wanted:
        check = checks[i]
        name = read.names[checks.positions[check.input]]
        if name.lower() in read.partitions:
            why[i] = "a partition column: its values are in folder names, not in the files"
        elif by_id:
            why[i] = "Spark matches Parquet columns by field id (fieldId.read.enabled)"
        elif kind == _RANGE and legacy:
            why[i] = "Spark rebases dates and timestamps from the legacy calendar"
        else:
            targets.append(_Target(i, kind, name, checks._type(check.input)))
    if not targets:
        return FooterAnswer(remaining=tuple(range(len(checks))), why=why)
    try:
        footers = _footers(read.files)
    except _Unreadable as e:
        why.update(dict.fromkeys((t.index for t in targets), str(e)))
        return FooterAnswer(remaining=tuple(range(len(checks))), why=why)
    answered: dict[int, int] = {}
    for target in targets:
        total: int | None = 0
        for footer in footers:
            try:
                found = _answer_file(footer, target, case_sensitive)
            except Exception as e:  # a footer pyarrow reads but cannot convert
                found = f"a footer could not be interpreted ({type(e).__name__})"
            if isinstance(found, str):
                why[target.index], total = found, None
                break
            assert total is not None
            total += found
        if total is not None:
            answered[target.index] = total
    remaining = tuple(i for i in range(len(checks)) if i not in answered)
    rows = sum(f.num_rows for f in footers)
    return FooterAnswer(answered, remaining, why, rows=rows, files=len(footers))


def file_rows(df: DataFrame, uri: str) -> int | None:
    """The rows ``df`` holds from its file ``uri``, from the file's footer, when ``df`` is a
    plain read of Parquet files (no job); ``None`` when only a scan can tell."""
    read = _file_read(df, [])
    if isinstance(read, str) or uri not in read.files:
        return None
    try:
        return int(_footer(uri).num_rows)
    except _Unreadable:
        return None


_NOT_FLAT = "not a null or range check of a top-level scalar column"


def _kind(checks: CheckSet, check: Check) -> str | None:
    bound = checks.inputs[check.input]
    if check.path != bound.name:
        return None  # a nested path: struct fields, elements, map values
    spark_type = checks._type(check.input)
    if check.code is Code.NULL_IN_REQUIRED and type(spark_type) in (
        *_PLAIN,
        T.TimestampType,
        T.TimestampNTZType,
    ):
        return _NULLS
    if check.code is Code.OUT_OF_RANGE and isinstance(
        spark_type, (T.TimestampType, T.TimestampNTZType, T.DateType)
    ):
        return _RANGE
    return None


def _conf(spark: Any, key: str, default: str) -> str:
    try:
        return str(spark.conf.get(key, default))
    except Exception:
        return default


# -- the plan --------------------------------------------------------------------------------


def _file_read(df: DataFrame, positions: Sequence[int]) -> _Read | str:
    """The Parquet file read ``df`` is, with the relation's names of the columns at
    ``positions``; or why ``df`` is not such a read."""
    if is_streaming_dataframe(df):
        return "a stream"
    jdf = getattr(df, "_jdf", None)
    if jdf is None:
        return "the plan cannot be inspected on this session (Spark Connect)"
    try:
        plan = jdf.queryExecution().optimizedPlan()
        node, projected = plan, False
        while node.getClass().getSimpleName() == "Project":
            items = node.projectList().iterator()
            while items.hasNext():
                if items.next().getClass().getSimpleName() != "AttributeReference":
                    return "a computed or renamed column between the file read and the check"
            node, projected = node.child(), True
        kind = node.getClass().getSimpleName()
        if kind != "LogicalRelation":
            return f"a {kind} between the file read and the check"
        if node.isStreaming():
            return "a stream"
        relation = node.relation()
        if relation.getClass().getSimpleName() != "HadoopFsRelation":
            return "not a read of files"
        if relation.fileFormat().getClass().getSimpleName() != "ParquetFileFormat":
            return "not a read of Parquet files"
        if "${" in str(relation.schema().json()):
            # Spark's Parquet reader passes the requested schema through a Hadoop
            # Configuration, which expands ${...}: it may read another column than the footer's
            return "a column name with ${...}, which Spark's Parquet reader expands"
        names = _relation_names(plan, node, positions, projected)
        if names is None:
            return "the plan's columns could not be traced to the file read"
        files = list(relation.location().inputFiles())
        if len(set(files)) != len(files):
            return "the read lists a file twice"
        partitions = frozenset(
            f["name"].lower() for f in json.loads(relation.partitionSchema().json())["fields"]
        )
        options = {}
        entries = relation.options().iterator()
        while entries.hasNext():
            entry = entries.next()
            options[str(entry._1())] = str(entry._2())
    except Exception as e:  # py4j errors, plan classes of another Spark version
        return f"the plan could not be read ({type(e).__name__})"
    return _Read(tuple(sorted(files)), names, partitions, options)


def _relation_names(
    plan: Any, relation: Any, positions: Sequence[int], projected: bool
) -> dict[int, str] | None:
    """The relation's attribute name of each output column at ``positions`` (a pure
    projection keeps each attribute's id, while its name may be respelled)."""
    if not projected:
        output = relation.output()
        return {j: str(output.apply(j).name()) for j in positions}
    ids: dict[int, str] = {}
    attrs = relation.output().iterator()
    while attrs.hasNext():
        a = attrs.next()
        ids[int(a.exprId().id())] = str(a.name())
    out = {}
    top = plan.output()
    for j in positions:
        name = ids.get(int(top.apply(j).exprId().id()))
        if name is None:
            return None
        out[j] = name
    return out


# -- the footers -----------------------------------------------------------------------------


class _Unreadable(Exception):
    pass


def _footers(files: Sequence[str]) -> list[Any]:
    for uri in files:
        if urlsplit(uri).scheme.lower() not in FOOTER_SCHEMES:
            raise _Unreadable(f"files on {urlsplit(uri).scheme or 'a path'}: not read by pyarrow")
    if len(files) <= 2:
        return [_footer(f) for f in files]
    with ThreadPoolExecutor(max_workers=min(16, len(files))) as pool:
        return list(pool.map(_footer, files))


def _footer(uri: str) -> Any:
    # Spark lists files as java.net.URI strings, which leave non-ASCII characters unescaped;
    # pyarrow parses only escaped URIs (and decodes them)
    escaped = "".join(c if ord(c) < 128 else quote(c) for c in uri)
    try:
        fs, path = pafs.FileSystem.from_uri(escaped)
        return pq.read_metadata(path, filesystem=fs)
    except Exception as e:
        raise _Unreadable(f"a footer could not be read ({type(e).__name__})") from None


def _answer_file(footer: Any, target: _Target, case_sensitive: bool) -> int | str:
    """The count ``target`` has in one file, or why the footer cannot give it."""
    if footer.num_rows == 0:
        return 0  # Spark reads no row from it, whatever its columns
    leaf = _leaf(footer, target.name, case_sensitive)
    if isinstance(leaf, str):
        return leaf
    column = footer.schema.column(leaf)
    if target.kind == _RANGE:
        if _legacy_file(footer):
            return "a file written with the legacy calendar (Spark 2)"
        return _in_range(footer, leaf, column, target.spark_type)
    if not _reads_as(column, target.spark_type, nulls_only=True):
        return "the file's type of the column is not what Spark reads as this type"
    if column.max_definition_level == 0:
        return 0  # REQUIRED in the file: no row can hold a null
    nulls = 0
    for g in range(footer.num_row_groups):
        group = footer.row_group(g)
        if group.num_rows == 0:
            continue
        stats = group.column(leaf).statistics
        if stats is None or not stats.has_null_count:
            return "a row group without a null count (statistics not written)"
        nulls += stats.null_count
    return nulls


def _leaf(footer: Any, name: str, case_sensitive: bool) -> int | str:
    """The leaf index of the file's top-level scalar column that Spark reads as ``name``."""
    top = footer.schema.to_arrow_schema().names
    twins = [n for n in top if n.casefold() == name.casefold() or n.lower() == name.lower()]
    matched = [n for n in twins if n == name or (not case_sensitive and n.lower() == name.lower())]
    if not matched:
        return "a file lacks the column"
    if len(twins) > 1:
        return "the file holds columns that differ only in case"
    (wanted,) = matched
    for i in range(footer.num_columns):
        column = footer.schema.column(i)
        # a leaf's path is its name only at the top level ("a.b" of a struct a is longer)
        if column.path == wanted and column.name == wanted and column.max_repetition_level == 0:
            return i if column.max_definition_level <= 1 else "a nested column"
    return "a nested column in the file"


def _logical(column: Any) -> dict:
    return dict(json.loads(column.logical_type.to_json()))


def _reads_as(column: Any, spark_type: T.DataType, *, nulls_only: bool) -> bool:
    physical, logical = column.physical_type, _logical(column)
    if isinstance(spark_type, (T.TimestampType, T.TimestampNTZType)):
        if physical == "INT96":  # Spark reads it as timestamp; no usable min/max
            return nulls_only and isinstance(spark_type, T.TimestampType)
        return _timestamp_unit(column, spark_type) is not None
    for kind, accepted in _PLAIN.get(type(spark_type), ()):
        if physical == kind and logical in accepted:
            return True
    return False


def _timestamp_unit(column: Any, spark_type: T.DataType) -> int | None:
    """Microseconds per stored unit, when Spark reads the column as ``spark_type`` as is."""
    logical = _logical(column)
    if column.physical_type != "INT64" or logical.get("Type") != "Timestamp":
        return None
    utc = isinstance(spark_type, T.TimestampType)
    if bool(logical.get("isAdjustedToUTC")) is not utc:
        return None
    return _UNITS.get(str(logical.get("timeUnit")))


def _legacy_file(footer: Any) -> bool:
    meta = footer.metadata or {}
    if b"org.apache.spark.legacyDateTime" in meta:
        return True
    version = meta.get(b"org.apache.spark.version", b"").decode("utf-8", "replace")
    return version.split(".")[0] in ("1", "2")


def _in_range(footer: Any, leaf: int, column: Any, spark_type: T.DataType) -> int | str:
    """0 when every value of the column in this file is inside the bounds; else why not."""
    if isinstance(spark_type, T.DateType):
        if not _reads_as(column, spark_type, nulls_only=False):
            return "the file's type of the column is not what Spark reads as date"
        scale = 1
    else:
        unit = _timestamp_unit(column, spark_type)
        if unit is None:
            return "a timestamp whose footer min/max Spark does not read as is (INT96, nanoseconds, UTC adjustment)"
        scale = unit
    low, high = _bounds(spark_type)
    for g in range(footer.num_row_groups):
        group = footer.row_group(g)
        if group.num_rows == 0:
            continue
        stats = group.column(leaf).statistics
        if stats is None:
            return "a row group without statistics"
        if stats.has_null_count and stats.null_count == group.num_rows:
            continue  # only nulls: no value to be out of range
        if not stats.has_min_max:
            return "a row group without min/max"
        if not low <= stats.min_raw * scale <= stats.max_raw * scale <= high:
            return "min/max outside the range (the scan counts the rows)"
    return 0


def _bounds(spark_type: T.DataType) -> tuple[int, int]:
    """The native engine's bounds (:func:`sparksig.spark.check.native.datetime_bounds`) as stored
    integers: days since the epoch for dates, microseconds since the epoch for timestamps
    (instants for ``timestamp``, wall-clock for ``timestamp_ntz``: the same numbers)."""
    literals = native.datetime_bounds(spark_type)
    assert literals is not None
    texts = [lit.split("'")[1].rstrip("Z") for lit in literals]
    if isinstance(spark_type, T.DateType):
        days = [dt.date.fromisoformat(t).toordinal() - _EPOCH_DAY for t in texts]
        return days[0], days[1]
    epoch = dt.datetime(1970, 1, 1)
    micros = [(dt.datetime.fromisoformat(t) - epoch) // dt.timedelta(microseconds=1) for t in texts]
    return micros[0], micros[1]


# -- the report ------------------------------------------------------------------------------


def _notes(found: FooterAnswer, labels: Sequence[str] = ()) -> tuple[str, ...]:
    def named(i: int) -> str:
        return labels[i] if labels else f"check {i}"

    notes = []
    if found.answered:
        shown = ", ".join(named(i) for i in sorted(found.answered))
        notes.append(
            f"answered from the Parquet footers of {found.files:,} files, no row read: {shown}"
        )
    by_reason: dict[str, list[str]] = {}
    for i in found.remaining:
        by_reason.setdefault(found.why.get(i, "footers not consulted"), []).append(named(i))
    for reason, which in by_reason.items():
        notes.append(f"read from the rows ({reason}): {', '.join(which)}")
    return tuple(notes)


def validate_with_footers(
    df: DataFrame,
    schema_or_signature: Schema | ModelSignature,
    *,
    key_columns: Sequence[str] = (),
    strict_nulls: bool = True,
    finite_only: bool = False,
    **validate_kwargs: Any,
) -> ValidationReport:
    """:func:`sparksig.spark.validate` in full mode, answering what it can from Parquet footers.

    For a DataFrame that is a read of Parquet files (``spark.read.parquet(path)``, a catalog
    table of Parquet files, or a plain selection of their columns), the footers of the files
    are read first — one small read per file, no data page and no Spark job — and answer, in
    O(files), the checks they can prove exactly:

    * nulls in a required top-level scalar column, when every row group of every file records
      its null count (the sum is the exact number of nulls; a column the files declare
      ``REQUIRED`` holds none);
    * dates and timestamps out of the ``datetime64[ns]`` range, when every row group's exact
      min and max lie inside it (then no row is out of range).

    Every other check — nested fields, elements and map values (a nested leaf's null count
    also counts null or empty parents), files without statistics, INT96 or nanosecond
    timestamps, a plan that filters, unions, renames or computes columns, partition columns,
    files pyarrow cannot open (only ``file:`` and ``hdfs:`` URIs are tried), Spark Connect —
    runs in ONE native scan of the remaining checks only, as :func:`validate` would run it.
    When every check is answered, no row is read at all; ``rows_checked`` is then the row
    count the footers record. The answers are the scan's: the same counts, the same
    violations, in the same order (a differential test holds them so).

    Footer-proven nulls need no scan: without ``key_columns`` a null check's example is
    ``None``, as the scan shows it. With ``key_columns``, a null check whose footers count
    nulls is scanned anyway, to find its example rows and their keys; a count of 0 is not.

    The report says how each check was answered: ``engine`` is ``"footers"`` (nothing
    scanned), ``"footers+native"`` or ``"native"``, and ``notes`` list the checks answered
    from footers and, for each reason, the checks read from the rows.

    Footers vouch for their statistics, not for the pages: a file whose data pages are corrupt
    or cannot be read as the table's types fails a scan, but not a footer answer.

    Args:
        df: the table to check.
        schema_or_signature: what it must satisfy.
        key_columns, strict_nulls, finite_only: as in :func:`validate`.
        **validate_kwargs: the other arguments of :func:`validate`. Footers are read only
            for ``mode="full"`` with the native engine (the defaults); any other mode or
            engine runs :func:`validate` unchanged.

    Returns:
        A :class:`~sparksig.results.ValidationReport` in full mode.

    Examples:
        >>> report = validate_with_footers(spark.read.parquet(path), signature)  # doctest: +SKIP
        >>> report.engine, report.notes[0]  # doctest: +SKIP
        ('footers', 'answered from the Parquet footers of 120 files, no row read: ...')
    """
    from sparksig.spark.validate import validate  # validate may come to call this module

    keys = tuple(key_columns)
    common: dict[str, Any] = {
        "key_columns": keys,
        "strict_nulls": strict_nulls,
        "finite_only": finite_only,
        **validate_kwargs,
    }
    mode = choose(Mode, validate_kwargs.get("mode", "full"), "mode")
    engine = choose(Engine, validate_kwargs.get("engine", "auto"), "engine")
    if mode is not Mode.FULL or engine is Engine.ARROW or is_streaming_dataframe(df):
        return validate(df, schema_or_signature, **common)
    schema = input_schema(schema_or_signature)
    check_keys(df, keys)
    binding = bind(df, schema, strict_nulls=strict_nulls)
    if not binding.checked:
        return validate(df, schema_or_signature, **common)  # no data-level check: no job
    compiled = native.compile_checks(
        binding, df.columns, strict_nulls=strict_nulls, finite_only=finite_only
    )
    if not compiled:
        return validate(df, schema_or_signature, **common)
    found = answer(df, compiled)
    # A footer count of nulls with key columns: the scan finds the examples and their keys.
    rescan = {i for i, n in found.answered.items() if n and keys}
    scanned = sorted(set(found.remaining) | rescan)
    violations: list[Violation] = []
    for i, count in found.answered.items():
        if count and i not in rescan:
            check = compiled[i]
            violations.append(
                Violation(check.code.value, check.path, count, (None,), check.message)
            )
    if scanned:
        subset = replace(compiled, checks=tuple(compiled[i] for i in scanned))
        from_rows, rows = summary.summarise(df, subset, keys)
        violations.extend(from_rows)
        ran = "footers+native" if found.answered else "native"
    else:
        assert found.rows is not None
        rows, ran = found.rows, "footers"
    violations.sort(key=lambda v: (v.column_path, v.code))
    labels = [c.label for c in compiled]
    notes = _notes(
        replace(
            found,
            answered={i: n for i, n in found.answered.items() if i not in rescan},
            remaining=tuple(scanned),
            why={**found.why, **dict.fromkeys(rescan, "examples and keys of footer-counted nulls")},
        ),
        labels,
    )
    return ValidationReport(
        mode=Mode.FULL,
        rows_checked=rows,
        violations=binding.findings + tuple(violations),
        engine=ran,
        checks=len(compiled),
        notes=notes,
    )
