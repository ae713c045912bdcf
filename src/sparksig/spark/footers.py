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
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

import pyarrow.fs as pafs
import pyarrow.parquet as pq
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from sparksig.kinds import is_streaming_dataframe
from sparksig.options import Engine, Mode, Sampling, choose
from sparksig.results import Answer, AnsweredBy, Code, ValidationReport, Violation
from sparksig.schema import Schema
from sparksig.signature import ModelSignature
from sparksig.spark.check import native
from sparksig.spark.check.checks import Check, CheckSet

__all__ = [
    "FOOTER_SCHEMES",
    "FooterAnswer",
    "Split",
    "answer",
    "file_rows",
    "is_file_read",
    "split",
    "table_rows",
    "validate_with_footers",
]

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


def answer(df: DataFrame, checks: CheckSet, *, only: Collection[int] | None = None) -> FooterAnswer:
    """The checks of ``checks`` that the Parquet footers of ``df``'s files answer.

    Reads only footers (one small read per file; in threads on a remote file system), never
    a data page, and runs no Spark job. A check is answered only when every row group of every file proves its count (see the
    module docstring for what is left to the scan, and why). ``only``: the indices of the
    checks the footers may answer (the signature's own checks; a profile's constraints have
    bounds of their own and are scanned); all of them when ``None``.
    """
    why: dict[int, str] = {}
    wanted: list[tuple[int, str]] = []
    for i, check in enumerate(checks):
        kind = _kind(checks, check)
        if only is not None and i not in only:
            why[i] = "a profile's constraint, checked on the rows"
        elif kind is None:
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
    totals = {t.index: 0 for t in targets}
    for footer in footers:
        if not totals:
            break
        view = _File(footer, case_sensitive)
        for target in targets:
            if target.index not in totals:
                continue
            try:
                found = _answer_file(view, target)
            except Exception as e:  # a footer pyarrow reads but cannot convert
                found = f"a footer could not be interpreted ({type(e).__name__})"
            if isinstance(found, str):
                why[target.index] = found
                del totals[target.index]
            else:
                totals[target.index] += found
    answered = {i: totals[i] for i in sorted(totals)}
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


def is_file_read(df: DataFrame) -> bool:
    """Whether ``df`` is a plain read of Parquet files (a selection of columns at most),
    whose rows :func:`table_rows` can count from footers."""
    return not isinstance(_file_read(df, []), str)


def table_rows(df: DataFrame) -> int | None:
    """The rows ``df`` holds when it is a plain read of Parquet files (a selection of
    columns at most): the sum of its files' footer row counts, with no Spark job. ``None``
    when only a scan can tell (any other plan, a footer that cannot be read)."""
    read = _file_read(df, [])
    if isinstance(read, str):
        return None
    try:
        return sum(int(f.num_rows) for f in _footers(read.files))
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
    # Local footers are in the page cache more often than not: read one after the other they
    # take ~7 ms for 120 files, in 16 threads ~25 ms (thread start-up and the GIL, measured);
    # a remote file system's latency is what threads hide.
    remote = any(urlsplit(uri).scheme.lower() != "file" for uri in files)
    if not remote or len(files) <= 2:
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


class _File:
    """One footer, with its top-level names and its leaves' descriptors read once (not once
    per check: ``to_arrow_schema`` and a leaf's logical type cost more than the answer)."""

    def __init__(self, footer: Any, case_sensitive: bool) -> None:
        self.footer = footer
        self.case_sensitive = case_sensitive
        self.num_rows = int(footer.num_rows)
        self._top: list[str] | None = None
        self._columns: dict[int, Any] = {}
        self._leaves: dict[str, int | str] = {}

    def column(self, leaf: int) -> Any:
        if leaf not in self._columns:
            self._columns[leaf] = self.footer.schema.column(leaf)
        return self._columns[leaf]

    def leaf(self, name: str) -> int | str:
        """The leaf index of the file's top-level scalar column that Spark reads as ``name``."""
        if name not in self._leaves:
            self._leaves[name] = self._find(name)
        return self._leaves[name]

    def _find(self, name: str) -> int | str:
        if self._top is None:
            self._top = list(self.footer.schema.to_arrow_schema().names)
        twins = [
            n for n in self._top if n.casefold() == name.casefold() or n.lower() == name.lower()
        ]
        matched = [
            n for n in twins if n == name or (not self.case_sensitive and n.lower() == name.lower())
        ]
        if not matched:
            return "a file lacks the column"
        if len(twins) > 1:
            return "the file holds columns that differ only in case"
        (wanted,) = matched
        for i in range(self.footer.num_columns):
            column = self.column(i)
            # a leaf's path is its name only at the top level ("a.b" of a struct a is longer)
            if column.path == wanted and column.name == wanted and column.max_repetition_level == 0:
                return i if column.max_definition_level <= 1 else "a nested column"
        return "a nested column in the file"


def _answer_file(view: _File, target: _Target) -> int | str:
    """The count ``target`` has in one file, or why the footer cannot give it."""
    footer = view.footer
    if view.num_rows == 0:
        return 0  # Spark reads no row from it, whatever its columns
    leaf = view.leaf(target.name)
    if isinstance(leaf, str):
        return leaf
    column = view.column(leaf)
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


def _logical(column: Any) -> dict:
    return dict(_parsed(column.logical_type.to_json()))


@lru_cache(maxsize=256)
def _parsed(text: str) -> Any:
    return json.loads(text)


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


@dataclass(frozen=True)
class Split:
    """A check set split between the footers and the scan (``validate(sampling="metadata")``).

    Attributes:
        scan: the indices of the checks to scan, in check order.
        violations: the violations the footers prove (examples ``(None,)``, as the scan shows
            a null without key columns).
        answers: one :class:`~sparksig.results.Answer` per check, in check order.
        rows: rows in the files, from their footers (``None`` when none was read).
        notes: the checks answered from footers and, per reason, those read from the rows.
    """

    scan: tuple[int, ...]
    violations: tuple[Violation, ...]
    answers: tuple[Answer, ...]
    rows: int | None
    notes: tuple[str, ...]


_RESCAN = "examples and keys of footer-counted nulls"


def split(
    df: DataFrame,
    checks: CheckSet,
    keys: Sequence[str] = (),
    *,
    only: Collection[int] | None = None,
) -> Split:
    """Which checks of ``checks`` the footers of ``df``'s files answer (see :func:`answer`),
    and which a scan must count. With ``keys``, a null check whose footers count nulls is
    scanned anyway, to find its example rows and their keys (a count of 0 is not)."""
    found = answer(df, checks, only=only)
    rescan = {i for i, n in found.answered.items() if n and keys}
    scan = tuple(sorted(set(found.remaining) | rescan))
    violations = []
    for i, count in found.answered.items():
        if count and i not in rescan:
            check = checks[i]
            violations.append(
                Violation(check.code.value, check.path, count, (None,), check.message)
            )
    why = {**found.why, **dict.fromkeys(rescan, _RESCAN)}
    scanned = set(scan)
    answers = tuple(
        Answer(c.label, AnsweredBy.SCAN, why.get(i, ""))
        if i in scanned
        else Answer(c.label, AnsweredBy.FOOTERS)
        for i, c in enumerate(checks)
    )
    notes = _notes(
        replace(
            found,
            answered={i: n for i, n in found.answered.items() if i not in rescan},
            remaining=scan,
            why=why,
        ),
        [c.label for c in checks],
    )
    return Split(scan, tuple(violations), answers, found.rows, notes)


def validate_with_footers(
    df: DataFrame,
    schema_or_signature: Schema | ModelSignature,
    *,
    key_columns: Sequence[str] = (),
    strict_nulls: bool = True,
    finite_only: bool = False,
    **validate_kwargs: Any,
) -> ValidationReport:
    """:func:`sparksig.spark.validate` with ``sampling="metadata"`` in full mode.

    Kept for the callers of the first version: ``validate(df, signature,
    sampling="metadata")`` is the public spelling. Any other mode, or ``engine="arrow"``,
    runs :func:`validate` unchanged (without footers).

    Examples:
        >>> report = validate_with_footers(spark.read.parquet(path), signature)  # doctest: +SKIP
        >>> report.engine, report.notes[0]  # doctest: +SKIP
        ('footers', 'answered from the Parquet footers of 120 files, no row read: ...')
    """
    from sparksig.spark.validate import validate  # validate imports this module

    common: dict[str, Any] = {
        "key_columns": tuple(key_columns),
        "strict_nulls": strict_nulls,
        "finite_only": finite_only,
        **validate_kwargs,
    }
    mode = choose(Mode, validate_kwargs.get("mode", "full"), "mode")
    engine = choose(Engine, validate_kwargs.get("engine", "auto"), "engine")
    if mode is not Mode.FULL or engine is Engine.ARROW or is_streaming_dataframe(df):
        return validate(df, schema_or_signature, **common)
    common["sampling"] = Sampling.METADATA
    return validate(df, schema_or_signature, **common)
