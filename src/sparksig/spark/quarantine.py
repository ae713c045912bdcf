"""``write_quarantine``: valid and rejected rows written as one consistent pair, crash-safe.

The same pair writer serves :func:`sparksig.spark.write_scored` (``scored/`` and
``rejected/``); what follows holds for both.

Guarantees:

1. **Every row exactly once.** Each input row lands in exactly one half, even when the input
   is non-deterministic. How depends on the plan (the *strategy*: ``one_write``,
   ``two_writes`` or ``checkpoint``, reported in the result and the manifest), by the one rule
   of :mod:`sparksig.spark.routing`, plus ``one_pass`` for writers: when the output is
   Parquet and the valid half is the table's own columns and types, ONE write partitioned by
   whether a row failed splits the rows by construction, whatever the plan (``rand()``, a
   changing source), with nothing stored twice; the failing rows' folder is read back and
   written with their reasons (their count must match, or nothing is put in place). A plain
   Parquet read keeps ``two_writes``: after the valid write, when its rows are all the rows
   the files' footers hold (:func:`sparksig.spark.footers.table_rows`, no job), every row
   passed and the rejected half is written empty without reading the input again.
   ``benchmarks/bench_native.py`` measures each against a plain copy.
2. **Never half old, half new.** Both outputs are written into a hidden staging folder next to
   ``path`` (``.NAME.sparksig-new-ID``), with a manifest last. Only then is ``path`` swapped:
   the old folder is renamed aside (``.NAME.sparksig-old-ID``), the staging folder renamed
   into place, and the old one deleted. Previous outputs are never deleted before the new
   ones are complete.
3. **One writer at a time.** A writer first creates its own lock file ``.NAME.sparksig-lock-ID``
   (who: host, pid, start time), then lists the folder: if another writer's lock is there,
   it removes its own and raises :class:`InvalidArgumentError` ("another write is in progress
   on ...", naming the lock). Two writers starting together may both refuse; they can never
   both proceed (each lists after creating its lock). The holder refreshes its lock every
   10 s and removes it at the end. A lock is **stale**, and removed by the next writer, when
   it was made on this host (same hostname and pid namespace) by a process that no longer
   exists, or when it has not been refreshed for :data:`LEASE_SECONDS` (a writer killed on
   another host; clocks are assumed to agree within minutes). To clear one sooner, make sure
   no writer runs and delete the file.
4. **Recovery.** A crash between the two renames leaves ``path`` absent and the complete
   previous outputs beside it; the next ``write_quarantine`` on that path (holding the lock)
   puts them back before doing anything else, and removes abandoned staging folders.

Formats: ``parquet``, ``json`` (and ``avro``, with the ``spark-avro`` package) hold every
column; ``orc`` all but variants and void columns; ``csv`` flat columns only; ``text`` one
string column, so it can never hold a pair. A half whose columns the format cannot hold is
refused before anything is written, naming the column path. The one exception is the reasons
column: where the format cannot hold its type (``csv``), it is written as its JSON text
(``F.to_json``), and the manifest says ``"reasons": "json"`` (else ``"native"``).

Layout of ``path``: ``valid/`` (rows cast to the signature's Spark types, plus key columns),
``rejected/`` (rows as they came, plus ``_sparksig_reasons``) and ``_sparksig_quarantine.json``
(row counts, format, strategy, reasons encoding). Works on local paths and, on a classic
session, on any Hadoop filesystem whose rename is atomic (HDFS, ABFS); object stores without
atomic renames give guarantees 1 and 3 but not 2.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import InvalidArgumentError, SparksigError
from sparksig.legacy import legacy_call
from sparksig.options import Checks, EngineName, IfExists, choose
from sparksig.profile.model import Profile
from sparksig.schema import Schema
from sparksig.signature import ModelSignature
from sparksig.spark import footers, formats
from sparksig.spark.check.reasons import REASONS_COLUMN, REASONS_TYPE
from sparksig.spark.formats import check_format_holds
from sparksig.spark.routing import (
    Router,
    Strategy,
    materialize,
    passed_of,
    rejected_of,
)
from sparksig.spark.staging import LEASE_SECONDS, Lock, filesystem

__all__ = [
    "LEASE_SECONDS",
    "MANIFEST",
    "QuarantineResult",
    "Strategy",
    "check_format_holds",
    "write_pair",
    "write_quarantine",
]

MANIFEST = "_sparksig_quarantine.json"
IfExistsName = Literal["error", "overwrite"]


@dataclass(frozen=True)
class QuarantineResult:
    """Where the pair was written, how many rows each half holds, and how it was computed."""

    path: str
    valid_path: str
    rejected_path: str
    valid_rows: int
    rejected_rows: int
    strategy: Strategy


@legacy_call(
    keep=3,
    positional=("format", "mode", "key_columns", "strict_nulls"),
    renamed={"schema_or_signature": "signature", "mode": "if_exists"},
)
def write_quarantine(
    df: DataFrame,
    signature: Schema | ModelSignature,
    path: str,
    *,
    format: str = "parquet",
    if_exists: IfExists | IfExistsName = "error",
    key_columns: Sequence[str] = (),
    checks: Checks | None = None,
    strict_nulls: bool | None = None,
    finite_only: bool | None = None,
    engine: EngineName | None = None,
    options: dict[str, str] | None = None,
    profile: Profile | None = None,
) -> QuarantineResult:
    """Write ``path/valid`` and ``path/rejected``, every row in exactly one, atomically as a pair.

    Args:
        df: the table to split.
        signature: what valid rows satisfy (a Schema, or a ModelSignature's inputs).
        path: a folder for the pair (local, or a Hadoop filesystem path).
        format: a Spark writer format that can hold both halves (``parquet``, ``orc``,
            ``json``, ``avro``; ``csv`` for flat tables, with the reasons as JSON text).
        if_exists: ``"error"`` refuses an existing ``path``; ``"overwrite"`` replaces it,
            only once the new pair is complete.
        key_columns: undeclared columns kept in the valid output (ids to join back on).
        checks: how rows are checked (:class:`sparksig.Checks`; ``strict_nulls`` defaults to
            ``True``); ``strict_nulls``, ``finite_only``, ``engine`` override its fields.
        options: writer options (``compression``...).
        profile: a training :class:`~sparksig.profile.Profile`: rows that break one of its
            row-level constraints (``out_of_range``, ``not_in_domain``, ``too_long``) go to
            ``rejected/`` with the constraint's code and path among their reasons. Native
            engine only (``engine="arrow"`` with a profile is refused).

    Raises:
        InvalidArgumentError: a bad argument, ``path`` exists (``if_exists="error"``), a half
            has a column ``format`` cannot hold, no data source is called ``format``, or
            another write is in progress on ``path``. Nothing has been written.
        EnvironmentSetupError: ``format="avro"`` without the ``spark-avro`` package.

    Examples:
        >>> r = write_quarantine(df, signature, "out/q", if_exists="overwrite")  # doctest: +SKIP
        >>> r.valid_rows + r.rejected_rows == df.count()  # doctest: +SKIP
        True
    """
    router, _ = Router.build(
        df,
        signature,
        key_columns=key_columns,
        checks=checks,
        strict_nulls=strict_nulls,
        finite_only=finite_only,
        engine=engine,
        profile=profile,
    )
    rows, strategy = write_pair(
        router,
        path,
        ("valid", "rejected"),
        router.conformed,
        format=format,
        if_exists=if_exists,
        options=options,
    )
    return QuarantineResult(
        path, rows.paths[0], rows.paths[1], rows.counts[0], rows.counts[1], strategy
    )


@dataclass(frozen=True)
class Written:
    """Where a pair's halves are and how many rows each holds."""

    paths: tuple[str, str]
    counts: tuple[int, int]


def write_pair(
    router: Router,
    path: str,
    names: tuple[str, str],
    first: Callable[[DataFrame], DataFrame],
    *,
    format: str,
    if_exists: IfExists | str,
    options: dict[str, str] | None,
) -> tuple[Written, Strategy]:
    """Write ``path/names[0]`` (``first`` of the passing rows, as they came) and
    ``path/names[1]`` (the rejected rows plus reasons) as one pair, by the module's protocol.

    ``first`` also receives an empty frame of the table's columns when no row can pass. It
    must keep one row per row it is given (a cast, a scoring UDF): the rejected half is
    skipped when its count equals the table's.
    """
    replace = _if_exists(if_exists) is IfExists.OVERWRITE
    fmt = format.lower()
    halves = _Halves(router, first, formats.unheld(fmt, _REASONS) is not None)
    formats.check_source(router.df, format)
    flagged = router.flag()
    for name, half in zip(names, halves(flagged)):
        check_format_holds(fmt, half.schema, name)
    strategy = router.strategy(flagged)
    if _one_pass_fits(router, halves, fmt, strategy):
        strategy = Strategy.ONE_PASS
    fs = filesystem(router.df, path)

    def write(frame: DataFrame, staging: str, name: str, *by: str) -> None:
        _write_half(frame, fs.join(staging, name), format, options or {}, *by)

    with Lock(fs) as lock:
        fs.recover()
        if fs.exists(fs.target) and not replace:
            raise InvalidArgumentError(f"{path} exists; pass if_exists='overwrite' to replace it")
        staging = fs.sibling("new")
        try:
            if strategy is Strategy.ONE_PASS:
                counts = _one_pass(router, halves, names, staging, write, fs, format)
            else:
                counts = _split(strategy, router, halves, names, staging, write)
            manifest = {
                f"{names[0]}_rows": counts[0],
                f"{names[1]}_rows": counts[1],
                "format": format,
                "strategy": strategy.value,
                "reasons": "json" if halves.reasons_as_json else "native",
            }
            fs.write_text(fs.join(staging, MANIFEST), json.dumps(manifest))
            lock.confirm()
        except BaseException as e:
            fs.delete(staging)
            said = formats.explained(e, format, router.df.sparkSession.version)
            if said is None:
                raise
            raise said from e
        fs.swap_in(staging)
    paths = (fs.join(fs.target, names[0]), fs.join(fs.target, names[1]))
    return Written(paths, counts), strategy


def _write_half(
    frame: DataFrame, target: str, format: str, options: dict[str, str], *by: str
) -> None:
    writer = frame.write.format(format).options(**options)
    (writer.partitionBy(*by) if by else writer).save(target)


_REASONS = T.StructType([T.StructField(REASONS_COLUMN, REASONS_TYPE)])


def _if_exists(value: IfExists | str) -> IfExists:
    if value == "errorifexists":  # Spark's own spelling of "error"
        return IfExists.ERROR
    return choose(IfExists, value, "if_exists")


# -- the halves and the strategies ---------------------------------------------------------


@dataclass(frozen=True)
class _Halves:
    """Turns a flagged frame into the two frames that are written."""

    router: Router
    first: Callable[[DataFrame], DataFrame]
    reasons_as_json: bool  # the format cannot hold the reasons column's own type

    def __call__(self, flagged: DataFrame, *, replay: bool = False) -> tuple[DataFrame, DataFrame]:
        """``replay`` (``two_writes``): the passing half is its own read of the table, by the
        predicate alone (:meth:`Router.passing`), so a passing row never builds reasons."""
        rejected = rejected_of(flagged)
        if self.reasons_as_json:
            rejected = rejected.withColumn(REASONS_COLUMN, F.to_json(F.col(REASONS_COLUMN)))
        if self.router.fatal:
            return self.first(self.router.df.limit(0)), rejected
        passed = self.router.passing() if replay else passed_of(flagged)
        return self.first(passed), rejected


def _split(
    strategy: Strategy,
    router: Router,
    halves: _Halves,
    names: tuple[str, str],
    staging: str,
    write: Callable[[DataFrame, str, str], None],
) -> tuple[int, int]:
    """Write both halves into ``staging`` by ``strategy``; the rows in each.

    Each half is counted while it is written: an observation at the top of the written plan,
    above every filter, so it splits no code-generated stage (an observation below the split
    filter made Spark materialise every row's reasons between two stages: measured 1.66x a
    copy against 1.17x). ``two_writes`` reads a plan proven deterministic over a fixed file
    listing (:func:`sparksig.spark.routing.replayable`), so both reads see the same rows and
    the two halves partition them by construction; nothing is re-counted, and the passing
    half is filtered by the predicate alone (no reasons built). When that plan is
    a plain read of Parquet files and the first half holds as many rows as the files'
    footers (read after the first write, like the second read would be), no row failed:
    the second half is written empty from an empty plan (``limit(0)``: no scan). A count
    that differs, or footers that cannot tell, leave the second read as it was.
    """
    flagged = router.flag()
    if strategy is Strategy.CHECKPOINT:
        flagged = materialize(flagged, eager=False)
    counts: list[int] = []
    replay = strategy is Strategy.TWO_WRITES
    for i, name in enumerate(names):
        frame = halves(flagged, replay=replay)[i]
        if i == 1 and replay and _every_row_passed(router, counts[0]):
            write(frame.limit(0), staging, name)
            counts.append(0)
            continue
        own = _observation()
        write(frame.observe(own, F.count(F.lit(1)).alias("rows")), staging, name)
        counts.append(int(own.get["rows"]))
    return counts[0], counts[1]


# -- one pass ------------------------------------------------------------------------------

_FAILED = "__sparksig_failed"


def _one_pass_fits(router: Router, halves: _Halves, fmt: str, strategy: Strategy) -> bool:
    """Whether ``one_pass`` applies (see :func:`_one_pass`): Parquet out, the valid half the
    table's own columns and types (no cast changes a value, no column is dropped), no name
    Spark's Parquet reader would expand (``${...}``), and a plan that is not a plain Parquet
    read (that one is cheaper by ``two_writes``, whose second read the footers skip when
    every row passed)."""
    if fmt != "parquet" or strategy is Strategy.ONE_WRITE or router.df.isStreaming:
        return False
    if strategy is Strategy.TWO_WRITES and footers.is_file_read(router.df):
        return False
    raw = router.df.schema
    if "${" in raw.json() or _FAILED in {n.lower() for n in raw.fieldNames()}:
        return False
    return _loose(halves.first(router.df).schema) == _loose(raw)


def _loose(t: T.DataType) -> T.DataType:
    """``t`` with every nullability flag set: Spark's Parquet files hold optional fields."""
    if isinstance(t, T.StructType):
        return T.StructType(
            [T.StructField(f.name, _loose(f.dataType), True, f.metadata) for f in t.fields]
        )
    if isinstance(t, T.ArrayType):
        return T.ArrayType(_loose(t.elementType), True)
    if isinstance(t, T.MapType):
        return T.MapType(_loose(t.keyType), _loose(t.valueType), True)
    return t


def _one_pass(
    router: Router,
    halves: _Halves,
    names: tuple[str, str],
    staging: str,
    write: Callable[..., None],
    fs: Any,
    format: str,
) -> tuple[int, int]:
    """Both halves from ONE read of the input, whatever its plan (``rand()`` included).

    One write partitioned by whether a row failed puts every row in exactly one folder by
    construction, with nothing stored twice: the passing rows' folder, which holds the
    table's own columns (the valid half is the table's columns unchanged, see
    :func:`_one_pass_fits`), becomes ``names[0]`` by a rename. The failing rows (few, as a
    rule) are read back from their folder, flagged again by the same checks (a check is a
    function of the row's values, and Parquet gives the values back exactly) and written
    with their reasons as ``names[1]``; their count must equal the first pass's, or the
    write fails and nothing is put in place.
    """
    flagged = router.flag()
    raw = router.df.schema
    split = fs.join(staging, ".split")
    failed = F.col(REASONS_COLUMN).isNotNull()
    own = _observation()
    frame = flagged.withColumn(_FAILED, failed).drop(REASONS_COLUMN)
    frame = frame.observe(
        own, F.count(F.lit(1)).alias("rows"), F.count_if(F.col(_FAILED)).alias("bad")
    )
    write(frame, staging, ".split", _FAILED)
    total, bad = int(own.get["rows"]), int(own.get["bad"])
    passed_dir, failed_dir = (fs.join(split, f"{_FAILED}={v}") for v in ("false", "true"))
    if fs.exists(passed_dir):
        fs.rename(passed_dir, fs.join(staging, names[0]))
    else:
        write(halves.first(router.df.limit(0)), staging, names[0])
    spark = router.df.sparkSession
    if bad:
        back = router.flag(spark.read.schema(raw).format(format).load(failed_dir))
        counted = _observation()
        rejected = halves(back)[1].observe(counted, F.count(F.lit(1)).alias("rows"))
        write(rejected, staging, names[1])
        if int(counted.get["rows"]) != bad:
            raise SparksigError(
                f"internal error: {bad} rows failed the checks, but "
                f"{int(counted.get['rows'])} of them did when read back; nothing was put in "
                "place. Please report this with the table's schema"
            )
    else:
        write(halves(flagged)[1].limit(0), staging, names[1])
    fs.delete(split)
    return total - bad, bad


def _every_row_passed(router: Router, passed: int) -> bool:
    """Whether ``passed`` rows are all the rows of the router's table, by its footers."""
    if router.fatal:
        return False
    return footers.table_rows(router.df) == passed


def _observation() -> Observation:
    return Observation(f"sparksig_quarantine_{uuid.uuid4().hex}")
