"""``write_quarantine``: valid and rejected rows written as one consistent pair, crash-safe.

Guarantees:

1. **Computed once.** Every row's reasons are computed by one action into a local checkpoint;
   both outputs are written from it, so
   every input row lands in exactly one of them, even when the input is non-deterministic.
2. **Never half old, half new.** Both outputs are written into a hidden staging folder next to
   ``path`` (``.NAME.sparksig-new-ID``), with a manifest last. Only then is ``path`` swapped:
   the old folder is renamed aside (``.NAME.sparksig-old-ID``), the staging folder renamed
   into place, and the old one deleted. Previous outputs are never deleted before the new
   ones are complete.
3. **Recovery.** A crash between the two renames leaves ``path`` absent and the complete
   previous outputs beside it; the next ``write_quarantine`` on that path puts them back
   before doing anything else, and removes abandoned staging folders.

Layout of ``path``: ``valid/`` (rows cast to the signature's Spark types, plus key columns),
``rejected/`` (rows as they came, plus ``_sparksig_reasons``) and ``_sparksig_quarantine.json``
(row counts and format). Works on local paths and, on a classic session, on any Hadoop
filesystem whose rename is atomic (HDFS, ABFS); object stores without atomic renames give
guarantee 1 but not 2.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F

from sparksig.errors import InvalidArgumentError
from sparksig.options import Engine, choose
from sparksig.schema import Schema
from sparksig.signature import ModelSignature
from sparksig.spark.binding import bind, check_keys, input_schema
from sparksig.spark.conform import REASONS_COLUMN, flag_rows, materialize, valid_rows

__all__ = ["MANIFEST", "QuarantineResult", "write_quarantine"]

MANIFEST = "_sparksig_quarantine.json"
_MODES = ("error", "errorifexists", "overwrite")


@dataclass(frozen=True)
class QuarantineResult:
    """Where the pair was written and how many rows each half holds."""

    path: str
    valid_path: str
    rejected_path: str
    valid_rows: int
    rejected_rows: int


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
    """Write ``path/valid`` and ``path/rejected`` from one computation, atomically as a pair.

    Args:
        df: the table to split.
        schema_or_signature: what valid rows satisfy.
        path: a folder for the pair (local, or a Hadoop filesystem path).
        format: any Spark writer format (``parquet``, ``orc``, ``json``, ``csv``...).
        mode: ``"error"`` refuses an existing ``path``; ``"overwrite"`` replaces it, only
            once the new pair is complete.
        key_columns: undeclared columns kept in the valid output (ids to join back on).
        strict_nulls, finite_only, engine: as in :func:`sparksig.spark.conform`.
        options: writer options (``compression``...).

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
    fs = _filesystem(df, path)
    fs.recover()
    if fs.exists(fs.target) and mode != "overwrite":
        raise InvalidArgumentError(f"{path} exists; pass mode='overwrite' to replace it")
    binding = bind(df, schema, strict_nulls=strict_nulls)
    flagged = flag_rows(
        df, binding, strict_nulls=strict_nulls, finite_only=finite_only, engine=chosen_engine
    )
    flagged = materialize(flagged)
    # Counted while the valid half is written (an observation on the same scan of the
    # checkpoint), not by a pass of its own: the same rows, one read fewer.
    tally = Observation()
    counted = flagged.observe(
        tally,
        F.count_if(F.col(REASONS_COLUMN).isNull()).alias("valid"),
        F.count_if(F.col(REASONS_COLUMN).isNotNull()).alias("rejected"),
    )
    staging = fs.sibling("new")
    try:
        for name, frame in (
            ("valid", valid_rows(counted, binding, schema, key_columns)),
            ("rejected", flagged.filter(F.col(REASONS_COLUMN).isNotNull())),
        ):
            frame.write.format(format).options(**(options or {})).save(fs.join(staging, name))
        valid, rejected = int(tally.get["valid"]), int(tally.get["rejected"])
        manifest = {"valid_rows": valid, "rejected_rows": rejected, "format": format}
        fs.write_text(fs.join(staging, MANIFEST), json.dumps(manifest))
    except BaseException:
        fs.delete(staging)
        raise
    fs.swap_in(staging)
    return QuarantineResult(
        path,
        fs.join(fs.target, "valid"),
        fs.join(fs.target, "rejected"),
        valid,
        rejected,
    )


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

    # -- the protocol, shared by every filesystem ------------------------------------------
    def sibling(self, kind: str) -> str:
        return self.join(self.parent, f"{self.prefix}{kind}-{uuid.uuid4().hex[:12]}")

    def recover(self) -> None:
        """Put back a previous pair a crash left aside; remove abandoned staging folders."""
        leftovers = sorted(n for n in self.listdir(self.parent) if n.startswith(self.prefix))
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
