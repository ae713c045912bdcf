"""Samples of a Spark table: seeded rows, or a seeded subset of its files.

- ``rows``: a seeded Bernoulli sample (``DataFrame.sample``). Every row is still read; only
  checking is saved. The sample is spread over the whole table.
- ``files``: a seeded subset of the table's input files (``DataFrame.inputFiles``), selected
  with a filter on Spark's hidden ``_metadata.file_path`` column, which Spark applies to the
  file listing, so the other files are never opened. It saves reading, but it is a
  *clustered* sample: rows of one file tend to resemble each other, so counts say more about
  the chosen files than about the table. Only tables read from files can be sampled so.

Files are matched by full path, in the reader's own spelling, never by a decoded name: both
``inputFiles`` and ``_metadata.file_path`` are percent-encoded URIs of the same Hadoop paths
(``x%41`` is listed as ``x%2541``, ``sp ace`` as ``sp%20ace``), and they differ only where
``file_path`` drops an empty authority (``file:///a`` is ``file:/a``), so each listed file is
matched in both spellings. Paths reach Spark as literals of the Column API, never as SQL text.

What a file sample costs beyond the chosen files' rows is one Spark job: Spark applies the
``file_path`` filter when it lists the table's files, so it plans tasks for (and opens) the
chosen files only, and the checks run as one stage (:func:`sparksig.spark.check.summary.summarise`
with ``small=True``). Sized by ``max_rows`` instead of ``fraction``, the row count of one
probed file is read from its Parquet footer when the table is a plain Parquet read
(:func:`sparksig.spark.footers.file_rows`), not counted by a second job. (Re-reading the
chosen files with a new ``spark.read`` measured no faster than the filter, and would pass
paths through Hadoop's globbing and path parsing, which ``?``, ``[`` or ``%`` in a name
break.)

Both use :data:`sparksig.options.DEFAULT_SEED` unless given a seed, so a repeated run looks
at the same rows (or files).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from sparksig.errors import InvalidArgumentError
from sparksig.options import DEFAULT_SAMPLE_ROWS, DEFAULT_SEED, Mode, Sampling
from sparksig.spark import footers

__all__ = ["Sample", "draw"]


@dataclass(frozen=True)
class Sample:
    """The rows to check, and for file samples how many files were kept of how many."""

    frame: DataFrame
    files_read: int | None = None
    files_total: int | None = None


def draw(
    df: DataFrame,
    mode: Mode,
    sampling: Sampling,
    fraction: float | None,
    max_rows: int | None,
    seed: int | None,
) -> Sample:
    """The part of ``df`` a check reads: all of it, a row sample, or a file sample."""
    if fraction is not None and not 0 < fraction <= 1:
        raise InvalidArgumentError(f"fraction must be in (0, 1], got {fraction}")
    if max_rows is not None and max_rows < 1:
        raise InvalidArgumentError(f"max_rows must be at least 1, got {max_rows}")
    if mode is Mode.FULL:
        return Sample(df)
    seed = DEFAULT_SEED if seed is None else int(seed)
    if sampling is Sampling.ROWS:
        chosen = fraction if fraction is not None else _row_fraction(df, max_rows)
        return Sample(df.sample(withReplacement=False, fraction=chosen, seed=seed))
    return _files(df, fraction, max_rows, seed)


def _row_fraction(df: DataFrame, max_rows: int | None) -> float:
    target = max_rows or DEFAULT_SAMPLE_ROWS
    total = df.count()
    return 1.0 if total <= target else target / total


def _files(df: DataFrame, fraction: float | None, max_rows: int | None, seed: int) -> Sample:
    try:
        files = sorted(set(df.inputFiles()))
    except Exception as e:  # pyspark raises several kinds for plans without files
        raise _not_file_backed(f"inputFiles() failed: {type(e).__name__}") from None
    if not files:
        raise _not_file_backed("it lists no input files")
    rng = random.Random(seed)
    if fraction is None:
        fraction = _file_fraction(df, files, max_rows, rng)
    k = max(1, math.ceil(fraction * len(files)))
    chosen = rng.sample(files, min(k, len(files)))
    try:
        frame = df.where(_in_files(chosen))
    except Exception as e:
        raise _not_file_backed(f"its file metadata is not available ({type(e).__name__})") from None
    return Sample(frame, files_read=len(chosen), files_total=len(files))


def _file_fraction(
    df: DataFrame, files: list[str], max_rows: int | None, rng: random.Random
) -> float:
    """Enough files for about ``max_rows`` rows, judged from one random file's row count:
    read from its footer for a plain Parquet read (no job), else counted (one job)."""
    probe = rng.choice(files)
    per_file = footers.file_rows(df, probe)
    if per_file is None:
        per_file = df.where(_in_files([probe])).count()
    if per_file == 0:
        return 1.0
    target = max_rows or DEFAULT_SAMPLE_ROWS
    return min(1.0, target / (per_file * len(files)))


def _in_files(files: list[str]) -> Column:
    """True on the rows of these listed files; it reads only file metadata, so Spark applies it
    to the file listing."""
    spellings = sorted({s for f in files for s in (f, _as_file_path(f))})
    return F.col("_metadata.file_path").isin(spellings)


# scheme ":///": a URI whose authority is empty
_EMPTY_AUTHORITY = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):///")


def _as_file_path(uri: str) -> str:
    """A listed file's URI as ``_metadata.file_path`` spells it.

    ``inputFiles`` gives ``Path.toUri().toString()``; ``file_path`` takes the same path through
    Hadoop's ``Path.toString()`` and back, which re-encodes the path exactly as before but
    drops an empty authority.
    """
    return _EMPTY_AUTHORITY.sub(r"\1:/", uri, count=1)


def _not_file_backed(why: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"sampling='files' needs a DataFrame read from files (spark.read.parquet(...), a "
        f"catalog table of files); this one is not file-backed: {why}. Use sampling='rows'."
    )
