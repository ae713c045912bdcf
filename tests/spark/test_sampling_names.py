"""File samples read exactly the files they choose, whatever the files and folders are called.

Spark lists a table's files as percent-encoded URIs, so names with ``%``, spaces, ``#`` or
``?`` are spelled differently in the listing than on disk; a sample that loses such files
reports fewer findings than the table holds. Each table here is built so the test knows, from
how it was written, which rows every file holds.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss
from sparksig.options import Mode, Sampling
from sparksig.spark.sampling import draw

# "${...}" is what Spark's SQL parser would substitute, "'" what it would choke on. Hadoop's
# local file system cannot open a file whose name holds ":", so "${env:HOME}" appears below as a
# partition value, which Spark escapes in the folder name.
NAMES = [
    "plain",
    "x%41",
    "y+z",
    "sp ace",
    "ü",
    "h#ash",
    "q?",
    "pct%25",
    "${HOME}",
    "${spark.app.name}",
    "it's",
]
PARTITION_VALUES = ["plain", "x%41", "y+z", "sp ace", "ü", "h#ash", "q?", "pct%25", "${env:HOME}"]
SCHEMA = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("long", "x")])


def _found(report):
    return {(v.code, v.column_path): v.count for v in report.violations}


def _files_of(frame):
    """The files Spark read to compute ``frame``, as its reader names them."""
    return {r[0] for r in frame.select(F.input_file_name()).distinct().collect()}


def _named_files(spark, folder: Path, names, suffix: str = "") -> dict[str, int]:
    """One Parquet file per name; file ``i`` holds ``i + 1`` rows, and ``x`` is null in the
    first row of every file but the first. Returns each name's row count."""
    rows = [
        (i, 1000 * i + j, None if j == 0 and i > 0 else j)
        for i in range(len(names))
        for j in range(i + 1)
    ]
    staging = folder.parent / f"{folder.name}-staging"
    (
        spark.createDataFrame(rows, "f int, id long, x long")
        .coalesce(1)
        .write.partitionBy("f")
        .parquet(str(staging))
    )
    folder.mkdir(parents=True)
    for i, name in enumerate(names):
        (part,) = (staging / f"f={i}").glob("part-*.parquet")
        shutil.move(part, folder / f"{name}{suffix}")
    shutil.rmtree(staging)
    return {name: i + 1 for i, name in enumerate(names)}


@pytest.mark.parametrize("suffix", ["", ".parquet"])
def test_a_sample_of_every_file_is_the_whole_table(spark, tmp_path, suffix):
    _named_files(spark, tmp_path / "t", NAMES, suffix)
    df = spark.read.parquet(str(tmp_path / "t"))
    assert len(df.inputFiles()) == len(NAMES)

    sample = draw(df, Mode.SAMPLED, Sampling.FILES, 1.0, None, seed=7)
    assert (sample.files_read, sample.files_total) == (len(NAMES), len(NAMES))
    assert_df_equality(sample.frame, df, ignore_row_order=True)

    full = sss.validate(df, SCHEMA)
    sampled = sss.validate(df, SCHEMA, mode="sampled", sampling="files", fraction=1.0)
    assert _found(full) == {("null_in_required", "x"): len(NAMES) - 1}
    assert _found(sampled) == _found(full)
    assert sampled.rows_checked == full.rows_checked == sum(range(1, len(NAMES) + 1))
    assert (sampled.files_read, sampled.files_total) == (len(NAMES), len(NAMES))
    assert not sampled.ok


@pytest.mark.parametrize("suffix", ["", ".parquet"])
def test_every_file_is_chosen_by_some_seed_and_each_sample_reads_what_it_reports(
    spark, tmp_path, suffix
):
    counts = _named_files(spark, tmp_path / "t", NAMES, suffix)
    df = spark.read.parquet(str(tmp_path / "t"))
    everything = _files_of(df)
    assert len(everything) == len(NAMES)
    rows_of = {r[0]: r[1] for r in df.groupBy(F.input_file_name()).count().collect()}
    assert sorted(rows_of.values()) == sorted(counts.values())

    seen: set[str] = set()
    for seed in range(12):
        sample = draw(df, Mode.SAMPLED, Sampling.FILES, 0.3, None, seed=seed)
        read = _files_of(sample.frame)
        assert (sample.files_read, sample.files_total) == (4, len(NAMES))  # ceil(0.3 * 11)
        assert len(read) == sample.files_read
        assert sample.frame.count() == sum(rows_of[f] for f in read)
        seen |= read
    assert seen == everything


def test_a_sample_sized_by_max_rows_reads_the_files_it_counts(spark, tmp_path):
    # Every file holds 5 rows: max_rows=5 asks for one file, judged from one probed file.
    folder = tmp_path / "t"
    staging = tmp_path / "staging"
    spark.range(5 * len(NAMES)).select(
        (F.col("id") % len(NAMES)).cast("int").alias("f"), "id", F.col("id").alias("x")
    ).coalesce(1).write.partitionBy("f").parquet(str(staging))
    folder.mkdir()
    for i, name in enumerate(NAMES):
        (part,) = (staging / f"f={i}").glob("part-*.parquet")
        shutil.move(part, folder / name)
    df = spark.read.parquet(str(folder))
    for seed in range(6):
        sample = draw(df, Mode.SAMPLED, Sampling.FILES, None, 5, seed=seed)
        assert (sample.files_read, sample.files_total) == (1, len(NAMES))
        assert len(_files_of(sample.frame)) == 1
        assert sample.frame.count() == 5


def test_partitioned_tables_with_escaped_values_are_sampled_file_for_file(spark, tmp_path):
    # partitionBy writes one file per folder, all with the same name: only full paths tell
    # them apart. Values with "%", "#", ":" and "{" are escaped in the folder names.
    rows = [
        (p, q, 100 * i + 10 * q + j, None if (i + q + j) % 3 == 0 else j)
        for i, p in enumerate(PARTITION_VALUES)
        for q in (0, 1)
        for j in range(2)
    ]
    path = str(tmp_path / "t")
    df0 = spark.createDataFrame(rows, "p string, q int, id long, x long")
    df0.coalesce(1).write.partitionBy("p", "q").parquet(path)
    df = spark.read.parquet(path)
    n_files = 2 * len(PARTITION_VALUES)
    assert len(df.inputFiles()) == n_files
    assert {r.p for r in df.select("p").distinct().collect()} == set(PARTITION_VALUES)

    sample = draw(df, Mode.SAMPLED, Sampling.FILES, 1.0, None, seed=1)
    assert (sample.files_read, sample.files_total) == (n_files, n_files)
    assert_df_equality(sample.frame, df, ignore_row_order=True, ignore_nullable=True)

    full = sss.validate(df, SCHEMA)
    sampled = sss.validate(df, SCHEMA, mode="sampled", sampling="files", fraction=1.0)
    expected_nulls = sum(1 for r in rows if r[3] is None)
    assert _found(full) == {("null_in_required", "x"): expected_nulls}
    assert _found(sampled) == _found(full)
    assert sampled.rows_checked == full.rows_checked == len(rows)

    seen: set[str] = set()
    for seed in range(10):
        part = draw(df, Mode.SAMPLED, Sampling.FILES, 0.25, None, seed=seed)
        read = _files_of(part.frame)
        assert len(read) == part.files_read == 5  # ceil(0.25 * 18)
        seen |= read
    assert seen == _files_of(df)


def test_files_of_the_same_name_in_different_folders_are_different_files(spark, tmp_path):
    base = tmp_path / "t"
    staging = tmp_path / "staging"
    spark.range(6).select(
        (F.col("id") % 2 + 1).cast("int").alias("f"), "id", F.col("id").alias("x")
    ).coalesce(1).write.partitionBy("f").parquet(str(staging))
    for p in (1, 2):
        (part,) = (staging / f"f={p}").glob("part-*.parquet")
        (base / f"p={p}").mkdir(parents=True)
        shutil.move(part, base / f"p={p}" / "part-0.parquet")
    df = spark.read.parquet(str(base))

    every = draw(df, Mode.SAMPLED, Sampling.FILES, 1.0, None, seed=0)
    assert (every.files_read, every.files_total) == (2, 2)
    assert_df_equality(every.frame, df, ignore_row_order=True)

    half = draw(df, Mode.SAMPLED, Sampling.FILES, 0.5, None, seed=0)
    assert (half.files_read, half.files_total) == (1, 2)
    assert half.frame.count() == 3
    assert {r.p for r in half.frame.select("p").distinct().collect()} in ({1}, {2})


def test_files_left_out_of_a_sample_are_never_opened(spark, tmp_path):
    # Read with a declared schema, so no footer is read when the table is opened. After the
    # files a sample leaves out are overwritten with bytes that are not Parquet, the same
    # sample still reads, and the whole table no longer does.
    folder = tmp_path / "t"
    _named_files(spark, folder, NAMES)
    read = spark.read.schema("id long, x long")
    df = read.parquet(str(folder))
    before = draw(df, Mode.SAMPLED, Sampling.FILES, 0.5, None, seed=5)
    kept = _files_of(before.frame)
    assert len(kept) == before.files_read == 6  # ceil(0.5 * 11)
    expected = before.frame.collect()

    left_out = set(_files_of(df)) - kept
    assert len(left_out) == len(NAMES) - 6
    for uri in left_out:
        file = Path(unquote(urlsplit(uri).path))  # the reader's URIs escape "%" as "%25"
        assert file.parent == folder
        file.write_bytes(b"not parquet at all")

    df = read.parquet(str(folder))
    after = draw(df, Mode.SAMPLED, Sampling.FILES, 0.5, None, seed=5)
    assert_df_equality(
        after.frame, spark.createDataFrame(expected, df.schema), ignore_row_order=True
    )
    with pytest.raises(Exception, match="FAILED_READ_FILE"):
        df.count()
