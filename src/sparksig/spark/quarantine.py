"""``write_quarantine``: valid and rejected rows written as one consistent pair, crash-safe.

Guarantees:

1. **Every row exactly once.** Each input row lands in exactly one half, even when the input
   is non-deterministic. How depends on the plan (the *strategy*, reported in the result and
   the manifest), the cheapest that keeps the guarantee:

   - ``one_write``: no row can pass (a schema-level failure such as a missing column): the
     rejected half is the only write; the valid half is empty by construction.
   - ``two_writes``: Spark says the flagged plan is deterministic *and* every leaf of it is
     rows that cannot change: files listed once (a path read such as
     ``spark.read.parquet(...)``: its file listing is fixed when the frame is made), a
     ``range`` or local rows kept in the plan. The two halves are then two filtered writes of
     the same plan: two reads and two passes of the checks, but nothing stored. Both writes
     count every row's outcome; if the counts differ (a listed file vanished under
     ``ignoreMissingFiles``...), the staged pair is discarded and written again by
     ``checkpoint``. Catalog tables (their listing is
     refreshed by appends), other sources and Spark Connect sessions (which cannot show the
     plan) are never taken to be replayable.
   - ``checkpoint``: everything else. Every row's reasons are computed by one action into a
     local checkpoint and both halves are written from it: one pass of the checks, but every
     row is written twice (to the executors' disks, then out).
     ``benchmarks/bench_quarantine.py`` measures both against a plain copy.

   One write partitioned by the split would be cheaper still, but the halves have different
   columns (the valid half cast to the signature, the rejected half as it came plus the
   reasons) and one file set has one schema, so it would give readers a valid half with a
   reasons column (or reasons encoded in folder names); it is not used.
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

import contextlib
import json
import os
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import EnvironmentSetupError, InvalidArgumentError
from sparksig.options import Engine, choose
from sparksig.schema import Schema
from sparksig.signature import ModelSignature
from sparksig.spark.binding import Binding, bind, check_keys, input_schema
from sparksig.spark.conform import REASONS_COLUMN, flag_rows, materialize, valid_rows
from sparksig.spark.convert import to_spark_schema

__all__ = ["LEASE_SECONDS", "MANIFEST", "QuarantineResult", "Strategy", "write_quarantine"]

MANIFEST = "_sparksig_quarantine.json"
LEASE_SECONDS = 300  # a lock not refreshed for this long belongs to a dead writer
_HEARTBEAT_SECONDS = 10
_MODES = ("error", "errorifexists", "overwrite")


class Strategy(str, Enum):
    """How the halves were computed (see the module docstring for the rule)."""

    ONE_WRITE = "one_write"
    TWO_WRITES = "two_writes"
    CHECKPOINT = "checkpoint"


@dataclass(frozen=True)
class QuarantineResult:
    """Where the pair was written, how many rows each half holds, and how it was computed."""

    path: str
    valid_path: str
    rejected_path: str
    valid_rows: int
    rejected_rows: int
    strategy: Strategy


def write_quarantine(
    df: DataFrame,
    schema_or_signature: Schema | ModelSignature,
    path: str,
    format: str = "parquet",
    mode: str = "error",
    key_columns: Sequence[str] = (),
    strict_nulls: bool = True,
    *,
    finite_only: bool = False,
    engine: str = "auto",
    options: dict[str, str] | None = None,
) -> QuarantineResult:
    """Write ``path/valid`` and ``path/rejected``, every row in exactly one, atomically as a pair.

    Args:
        df: the table to split.
        schema_or_signature: what valid rows satisfy.
        path: a folder for the pair (local, or a Hadoop filesystem path).
        format: a Spark writer format that can hold both halves (``parquet``, ``orc``,
            ``json``, ``avro``; ``csv`` for flat tables, with the reasons as JSON text).
        mode: ``"error"`` refuses an existing ``path``; ``"overwrite"`` replaces it, only
            once the new pair is complete.
        key_columns: undeclared columns kept in the valid output (ids to join back on).
        strict_nulls, finite_only, engine: as in :func:`sparksig.spark.conform`.
        options: writer options (``compression``...).

    Raises:
        InvalidArgumentError: a bad argument, ``path`` exists (mode ``"error"``), a half has
            a column ``format`` cannot hold, no data source is called ``format``, or another
            write is in progress on ``path``. Nothing has been written.
        EnvironmentSetupError: ``format="avro"`` without the ``spark-avro`` package.

    Examples:
        >>> r = write_quarantine(df, signature, "out/q", mode="overwrite")  # doctest: +SKIP
        >>> r.valid_rows + r.rejected_rows == df.count()  # doctest: +SKIP
        True
    """
    if mode not in _MODES:
        raise InvalidArgumentError(
            f"mode must be one of {', '.join(map(repr, _MODES))}; got {mode!r}"
        )
    chosen_engine = choose(Engine, engine, "engine")
    schema = input_schema(schema_or_signature)
    check_keys(df, tuple(key_columns), "key_columns")
    if REASONS_COLUMN in df.columns:
        raise InvalidArgumentError(f"the table already has a {REASONS_COLUMN!r} column")
    fmt = format.lower()
    binding = bind(df, schema, strict_nulls=strict_nulls)
    flagged = flag_rows(
        df, binding, strict_nulls=strict_nulls, finite_only=finite_only, engine=chosen_engine
    )
    reasons = T.StructType([flagged.schema[REASONS_COLUMN]])
    halves = _Halves(df, binding, schema, tuple(key_columns), _unheld(fmt, reasons) is not None)
    _check_source(df, format)
    for name, half in zip(("valid", "rejected"), halves(flagged)):
        check_format_holds(fmt, half.schema, name)
    if binding.fatal:
        strategy = Strategy.ONE_WRITE
    else:
        strategy = Strategy.TWO_WRITES if _replayable(flagged) else Strategy.CHECKPOINT
    fs = _filesystem(df, path)

    def write(frame: DataFrame, staging: str, name: str) -> None:
        _write_half(frame, fs.join(staging, name), format, options or {})

    with _Lock(fs) as lock:
        fs.recover()
        if fs.exists(fs.target) and mode != "overwrite":
            raise InvalidArgumentError(f"{path} exists; pass mode='overwrite' to replace it")
        while True:
            staging = fs.sibling("new")
            try:
                valid, rejected = _split(strategy, flagged, halves, staging, write)
                manifest = {
                    "valid_rows": valid,
                    "rejected_rows": rejected,
                    "format": format,
                    "strategy": strategy.value,
                    "reasons": "json" if halves.reasons_as_json else "native",
                }
                fs.write_text(fs.join(staging, MANIFEST), json.dumps(manifest))
                lock.confirm()
            except _InputChanged:
                fs.delete(staging)
                strategy = Strategy.CHECKPOINT
                continue
            except BaseException as e:
                fs.delete(staging)
                explained = _explained(e, format, df.sparkSession.version)
                if explained is None:
                    raise
                raise explained from e
            break
        fs.swap_in(staging)
    return QuarantineResult(
        path,
        fs.join(fs.target, "valid"),
        fs.join(fs.target, "rejected"),
        valid,
        rejected,
        strategy,
    )


# -- the halves and the strategies ---------------------------------------------------------


@dataclass(frozen=True)
class _Halves:
    """Turns a flagged frame into the (valid, rejected) frames that are written."""

    df: DataFrame
    binding: Binding
    schema: Schema
    keys: tuple[str, ...]
    reasons_as_json: bool  # the format cannot hold the reasons column's own type

    def __call__(self, flagged: DataFrame) -> tuple[DataFrame, DataFrame]:
        rejected = flagged.filter(F.col(REASONS_COLUMN).isNotNull())
        if self.reasons_as_json:
            rejected = rejected.withColumn(REASONS_COLUMN, F.to_json(F.col(REASONS_COLUMN)))
        if not self.binding.fatal:
            return valid_rows(flagged, self.binding, self.schema, self.keys), rejected
        target = to_spark_schema(self.schema)
        keep = [self.df.schema[k] for k in self.keys if k not in target.fieldNames()]
        valid_schema = T.StructType([*target.fields, *keep])
        return self.df.sparkSession.createDataFrame([], valid_schema), rejected


class _InputChanged(Exception):
    """The two reads of a plan taken to be replayable counted different rows."""


def _split(
    strategy: Strategy,
    flagged: DataFrame,
    halves: _Halves,
    staging: str,
    write: Callable[[DataFrame, str, str], None],
) -> tuple[int, int]:
    """Write both halves into ``staging`` by ``strategy``; the rows in each.

    Each half is counted while it is written (an observation on top of the written frame,
    which the optimizer cannot remove), not by a pass of its own. ``two_writes`` also counts
    every row's outcome under each split filter, and both must match the halves; Spark drops
    that observation when the split is decided by the plan alone (every row rejected, say),
    and then no row can move between the halves anyway.
    """
    if strategy is Strategy.CHECKPOINT:
        flagged = materialize(flagged)
    counts: list[int] = []
    splits: list[tuple[int, int]] = []
    for i, name in enumerate(("valid", "rejected")):
        source, split = flagged, None
        if strategy is Strategy.TWO_WRITES:
            split = _observation()
            source = _counted(flagged, split)
        own = _observation()
        frame = halves(source)[i].observe(own, F.count(F.lit(1)).alias("rows"))
        kept = split is not None and _keeps(frame, split)
        write(frame, staging, name)
        counts.append(int(own.get["rows"]))
        if kept and split is not None:
            got = split.get
            splits.append((int(got["valid"]), int(got["rejected"])))
    valid, rejected = counts
    if any(s != (valid, rejected) for s in splits):
        raise _InputChanged
    return valid, rejected


def _observation() -> Observation:
    return Observation(f"sparksig_quarantine_{uuid.uuid4().hex}")


def _counted(frame: DataFrame, tally: Observation) -> DataFrame:
    return frame.observe(
        tally,
        F.count_if(F.col(REASONS_COLUMN).isNull()).alias("valid"),
        F.count_if(F.col(REASONS_COLUMN).isNotNull()).alias("rejected"),
    )


def _keeps(frame: DataFrame, tally: Observation) -> bool:
    """Whether Spark's optimized plan of ``frame`` still computes ``tally``."""
    plan = frame._jdf.queryExecution().optimizedPlan().toString()
    return f"CollectMetrics {tally._name}" in str(plan)


def _write_half(frame: DataFrame, target: str, format: str, options: dict[str, str]) -> None:
    frame.write.format(format).options(**options).save(target)


def _replayable(frame: DataFrame) -> bool:
    """Whether two reads of ``frame`` are sure to see the same rows (``two_writes``).

    Only what Spark's optimized plan proves: deterministic, and every leaf a fixed set of
    rows. Anything that cannot be read (Spark Connect, an unknown plan node) is not proven.
    """
    jdf = getattr(frame, "_jdf", None)
    if jdf is None:
        return False
    try:
        plan = jdf.queryExecution().optimizedPlan()
        if not plan.deterministic():
            return False
        leaves = plan.collectLeaves().iterator()
        while leaves.hasNext():
            if not _fixed(leaves.next()):
                return False
        return True
    except Exception:
        return False


def _fixed(leaf: Any) -> bool:
    kind = leaf.getClass().getSimpleName()
    if kind in ("Range", "LocalRelation"):  # the rows are in the plan itself
        return True
    if kind != "LogicalRelation" or leaf.isStreaming() or leaf.catalogTable().isDefined():
        return False
    # A path read lists its files once, when the frame is made; every write reuses the list.
    relation = leaf.relation()
    return (
        relation.getClass().getSimpleName() == "HadoopFsRelation"
        and relation.location().getClass().getSimpleName() == "InMemoryFileIndex"
    )


# -- formats -------------------------------------------------------------------------------

_NESTED = frozenset({"parquet", "orc", "json", "avro"})  # structs, arrays, maps
_VARIANT = frozenset({"parquet", "json"})
_VOID = frozenset({"parquet", "json", "avro"})  # all-null columns of no type
_KNOWN = _NESTED | {"csv", "text"}
_NEVER = ("CalendarIntervalType", "TimeType")  # no file source in Spark writes these
_INSTEAD = "use parquet, orc or json, or drop the column or serialise it first (F.to_json)"


def _unheld(fmt: str, schema: T.StructType) -> str | None:
    """What in ``schema`` format ``fmt`` cannot hold (a column path and its type), or None.

    Formats sparksig does not know are not judged here; Spark's own error is explained
    when the write fails (nothing is in place by then).
    """
    if fmt not in _KNOWN:
        return None
    if fmt == "text":
        fields = schema.fields
        if len(fields) == 1 and isinstance(fields[0].dataType, T.StringType):
            return None
        names = ", ".join(f.name for f in fields)
        return f"{len(fields)} columns ({names}), and text holds one string column"
    for f in schema.fields:
        found = _first_unheld(fmt, f.dataType, f.name)
        if found is not None:
            return f"column {found[0]!r} ({found[1].simpleString()})"
    return None


def _first_unheld(fmt: str, t: T.DataType, path: str) -> tuple[str, T.DataType] | None:
    if isinstance(t, T.UserDefinedType):  # stored as its SQL type (a vector: a struct)
        inner = _first_unheld(fmt, t.sqlType(), path)
        return (path, t) if inner is not None and inner[0] == path else inner
    if type(t).__name__ in _NEVER:
        return path, t
    if isinstance(t, T.VariantType):
        return None if fmt in _VARIANT else (path, t)
    if isinstance(t, T.NullType):
        return None if fmt in _VOID else (path, t)
    if not isinstance(t, (T.StructType, T.ArrayType, T.MapType)):
        return None
    if fmt not in _NESTED:
        return path, t
    if isinstance(t, T.StructType):
        children = [(f.dataType, f"{path}.{f.name}") for f in t.fields]
    elif isinstance(t, T.ArrayType):
        children = [(t.elementType, f"{path}[]")]
    else:
        if fmt == "avro" and not isinstance(t.keyType, T.StringType):
            return path, t  # Avro maps have string keys
        children = [(t.keyType, f"{path}{{key}}"), (t.valueType, f"{path}{{}}")]
    for child, child_path in children:
        found = _first_unheld(fmt, child, child_path)
        if found is not None:
            return found
    return None


# Spark hands the Parquet and ORC writers their schema through a Hadoop Configuration, whose
# get() expands ${...} (other settings, Spark SQL settings included, and ${env.NAME}).
# Measured: Parquet writes a column "${spark.app.name}" under the application's name, and ORC
# reads back, under "v${spark.sql.session.timeZone}", the values of a column "vUTC".
_HADOOP_VARIABLE = re.compile(r"\$\{[^}$\x20]+\}")
_EXPANDS_NAMES = frozenset({"parquet", "orc"})


def _expanded_name(t: T.DataType, path: str = "") -> str | None:
    """The first column or field path whose name a Hadoop Configuration would expand."""
    if isinstance(t, T.StructType):
        for f in t.fields:
            here = f"{path}.{f.name}" if path else f.name
            if _HADOOP_VARIABLE.search(f.name):
                return here
            found = _expanded_name(f.dataType, here)
            if found is not None:
                return found
    elif isinstance(t, T.ArrayType):
        return _expanded_name(t.elementType, f"{path}[]")
    elif isinstance(t, T.MapType):
        return _expanded_name(t.valueType, f"{path}{{}}")
    return None


def check_format_holds(fmt: str, schema: T.StructType, half: str) -> None:
    """Refuse, before anything is written, a half that format ``fmt`` cannot hold faithfully:
    a type it cannot store, or (Parquet, ORC) a name its writer would expand."""
    expanded = _expanded_name(schema) if fmt in _EXPANDS_NAMES else None
    if expanded is not None:
        raise InvalidArgumentError(
            f"column {expanded!r} of the {half} half cannot be written as {fmt}: Spark's "
            f"{fmt} writer expands ${{...}} in names (through a Hadoop Configuration), so the "
            "files would hold another name or another column's values, possibly a setting's "
            "or an environment variable's value. Rename the column, or write json. Nothing "
            "was written"
        )
    unheld = _unheld(fmt, schema)
    if unheld is None:
        return
    if fmt == "text":
        raise InvalidArgumentError(
            f"the {half} half cannot be written as text: it has {unheld}. Use json (one JSON "
            "object per line), parquet or orc"
        )
    raise InvalidArgumentError(
        f"{unheld} of the {half} half cannot be written as {fmt}: {_INSTEAD}. Nothing was written"
    )


def _check_source(df: DataFrame, fmt: str) -> None:
    """Refuse a format this session has no data source for, before any work (classic only;
    on Spark Connect the write's own error is explained instead)."""
    spark = df.sparkSession
    jvm = getattr(spark, "_jvm", None)
    if jvm is None:
        return
    try:
        conf = spark._jsparkSession.sessionState().conf()
        jvm.org.apache.spark.sql.execution.datasources.DataSource.lookupDataSource(fmt, conf)
    except Exception as e:
        raise _missing_source(fmt, str(e), spark.version) from None


def _missing_source(fmt: str, spark_says: str, version: str) -> Exception:
    if fmt.lower() == "avro":
        return EnvironmentSetupError(
            "format='avro' needs Spark's spark-avro package, which this session has not "
            "loaded: start Spark with spark.jars.packages="
            f"org.apache.spark:spark-avro_2.13:{version}, or write parquet, orc or json"
        )
    reason = next((line.strip() for line in spark_says.splitlines() if "[" in line), "")
    return InvalidArgumentError(
        f"no Spark data source is called {fmt!r} ({reason[:200]}): check the name (parquet, "
        "orc, json, csv, avro...) or add the package that provides it"
    )


def _explained(e: BaseException, fmt: str, version: str) -> Exception | None:
    """Spark's error for a missing data source or a type it cannot write, said plainly."""
    text = str(e)
    if "DATA_SOURCE_NOT_FOUND" in text or "AVRO_DATA_SOURCE_NOT_ENABLED" in text:
        return _missing_source(fmt, text, version)
    if "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE" in text:
        first = text.strip().splitlines()[0][:300]
        return InvalidArgumentError(
            f"{fmt} cannot hold a column of this table ({first}): {_INSTEAD}. Nothing was "
            "put in place"
        )
    return None


# -- the filesystems -----------------------------------------------------------------------


class _Local:
    """The swap protocol on the local filesystem (``os.rename`` is atomic within a volume)."""

    def __init__(self, path: str) -> None:
        self.target = str(
            Path(path.removeprefix("file://") if path.startswith("file://") else path).absolute()
        )
        self.parent = str(Path(self.target).parent)
        self.prefix = f".{Path(self.target).name}.sparksig-"

    def join(self, *parts: str) -> str:
        return os.path.join(*parts)

    def exists(self, p: str) -> bool:
        return os.path.lexists(p)

    def rename(self, src: str, dst: str) -> None:
        os.rename(src, dst)

    def delete(self, p: str) -> None:
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p, ignore_errors=True)
        elif os.path.lexists(p):
            os.remove(p)

    def listdir(self, p: str) -> list[str]:
        return os.listdir(p) if os.path.isdir(p) else []

    def write_text(self, p: str, text: str) -> None:
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)

    def read_text(self, p: str) -> str:
        with open(p, encoding="utf-8") as f:
            return f.read()

    def mtime(self, p: str) -> float:
        return os.stat(p).st_mtime

    # -- the protocol, shared by every filesystem ------------------------------------------
    def sibling(self, kind: str) -> str:
        return self.join(self.parent, f"{self.prefix}{kind}-{uuid.uuid4().hex[:12]}")

    def recover(self) -> None:
        """Put back a previous pair a crash left aside; remove abandoned staging folders."""
        leftovers = sorted(
            n
            for n in self.listdir(self.parent)
            if n.startswith(self.prefix) and not n.startswith(self.prefix + "lock-")
        )
        old = [n for n in leftovers if n.startswith(self.prefix + "old-")]
        if old and not self.exists(self.target):
            self.rename(self.join(self.parent, old[0]), self.target)
            leftovers.remove(old[0])
        for name in leftovers:
            self.delete(self.join(self.parent, name))

    def swap_in(self, staging: str) -> None:
        if not self.exists(self.target):
            self.rename(staging, self.target)
            return
        aside = self.sibling("old")
        self.rename(self.target, aside)
        self.rename(staging, self.target)
        self.delete(aside)


class _Hadoop(_Local):
    """The same protocol through the JVM's Hadoop ``FileSystem`` (classic sessions only)."""

    def __init__(self, spark: Any, path: str) -> None:
        jvm = spark._jvm
        self._Path = jvm.org.apache.hadoop.fs.Path
        self._fs = self._Path(path).getFileSystem(spark._jsc.hadoopConfiguration())
        qualified = self._fs.makeQualified(self._Path(path))
        self.target = qualified.toString()
        self.parent = qualified.getParent().toString()
        self.prefix = f".{qualified.getName()}.sparksig-"

    def join(self, *parts: str) -> str:
        return "/".join(p.rstrip("/") for p in parts)

    def exists(self, p: str) -> bool:
        return bool(self._fs.exists(self._Path(p)))

    def rename(self, src: str, dst: str) -> None:
        if not self._fs.rename(self._Path(src), self._Path(dst)):
            raise OSError(f"could not rename {src} to {dst}")

    def delete(self, p: str) -> None:
        self._fs.delete(self._Path(p), True)

    def listdir(self, p: str) -> list[str]:
        if not self.exists(p):
            return []
        return [s.getPath().getName() for s in self._fs.listStatus(self._Path(p))]

    def write_text(self, p: str, text: str) -> None:
        out = self._fs.create(self._Path(p), True)
        try:
            out.write(bytearray(text.encode("utf-8")))
        finally:
            out.close()

    def read_text(self, p: str) -> str:
        stream = self._fs.open(self._Path(p))
        try:
            return bytes(stream.readAllBytes()).decode("utf-8")
        finally:
            stream.close()

    def mtime(self, p: str) -> float:
        return float(self._fs.getFileStatus(self._Path(p)).getModificationTime()) / 1000


def _filesystem(df: DataFrame, path: str) -> _Local:
    if "://" not in path or path.startswith("file://"):
        return _Local(path)
    spark = df.sparkSession
    if getattr(spark, "_jvm", None) is None:
        raise InvalidArgumentError(
            f"write_quarantine writes {path!r} through the JVM's Hadoop filesystem, which a "
            "Spark Connect session does not expose: write to a local path, or use "
            "conform(..., on_error='quarantine') and write both frames yourself"
        )
    return _Hadoop(spark, path)


# -- one writer at a time ------------------------------------------------------------------


class _Lock:
    """This writer's claim on ``fs.target`` (guarantee 3 of the module docstring)."""

    def __init__(self, fs: _Local) -> None:
        self.fs = fs
        self.owner = uuid.uuid4().hex[:12]
        self.path = fs.join(fs.parent, f"{fs.prefix}lock-{self.owner}")
        self.card = {
            "owner": self.owner,
            "host": socket.gethostname(),
            "pidns": _pid_namespace(),
            "pid": os.getpid(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._refresh, daemon=True)

    def __enter__(self) -> _Lock:
        fs = self.fs
        fs.write_text(self.path, json.dumps(self.card))
        try:
            self._refuse_if_another()
        except BaseException:
            fs.delete(self.path)
            raise
        self._beat.start()
        return self

    def _refuse_if_another(self) -> None:
        fs = self.fs
        for name in fs.listdir(fs.parent):
            other = fs.join(fs.parent, name)
            if not name.startswith(f"{fs.prefix}lock-") or other == self.path:
                continue
            card = _read_card(fs, other)
            if _stale(fs, other, card):
                fs.delete(other)
                continue
            who = (
                f"writer {card.get('owner')} on {card.get('host')}, pid {card.get('pid')}, "
                f"since {card.get('started')}"
                if card
                else "a writer that is starting"
            )
            raise InvalidArgumentError(
                f"another write_quarantine is in progress on {fs.target} ({who}; lock "
                f"{other}): wait for it to finish and retry; nothing was written. A dead "
                "writer's lock is cleared by the next write: at once on its own host, "
                f"elsewhere once it is {LEASE_SECONDS} s old; to clear it sooner, make sure no "
                "writer is running and delete the lock file"
            )

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._beat.join()
        self.fs.delete(self.path)

    def _refresh(self) -> None:
        while not self._stop.wait(_HEARTBEAT_SECONDS):
            # a missed beat only brings the lease's end nearer
            with contextlib.suppress(Exception):
                self.fs.write_text(self.path, json.dumps(self.card))

    def confirm(self) -> None:
        """Refuse to swap in a pair once another writer has taken this lock for stale."""
        if not self.fs.exists(self.path):
            raise InvalidArgumentError(
                f"this writer's lock {self.path} was removed while it wrote (not refreshed for "
                f"{LEASE_SECONDS} s?): the new pair was not put in place; retry"
            )


def _read_card(fs: _Local, p: str) -> dict[str, Any] | None:
    try:
        card = json.loads(fs.read_text(p))
    except Exception:  # being written, or gone
        return None
    return card if isinstance(card, dict) else None


def _stale(fs: _Local, p: str, card: dict[str, Any] | None) -> bool:
    if (
        card is not None
        and os.name == "posix"
        and card.get("host") == socket.gethostname()
        and card.get("pidns") in (None, _pid_namespace())
        and isinstance(card.get("pid"), int)
        and not _alive(card["pid"])
    ):
        return True
    try:
        return time.time() - fs.mtime(p) > LEASE_SECONDS
    except Exception:  # gone already
        return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _pid_namespace() -> int | None:
    """Which pid namespace this process is in (two containers may share a hostname)."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return None
