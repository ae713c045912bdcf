"""Every row exactly once: conform, score and write_quarantine on non-deterministic input,
and a quarantine writer killed mid-write that leaves the previous pair intact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss
from sparksig.spark.quarantine import MANIFEST
from tests.labels import labels

N = 20_000
SCHEMA = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("double", "x")])


def _random_nulls(spark):
    """Half the x values are null, decided by rand() afresh on every evaluation (no seed)."""
    return spark.range(N).select(
        "id", F.when(F.rand() < 0.5, None).otherwise(F.col("id") * 1.0).alias("x")
    )


def _ids(frame) -> list[int]:
    return [r["id"] for r in frame.select("id").collect()]


def test_conform_quarantine_is_disjoint_and_complete_on_nondeterministic_input(spark):
    valid, rejected = sss.conform(_random_nulls(spark), SCHEMA, on_error="quarantine")
    good, bad = _ids(valid), _ids(rejected)
    assert len(good) + len(bad) == N
    assert set(good).isdisjoint(bad)
    assert set(good) | set(bad) == set(range(N))
    # the split is real (about half each), and reading again gives the same answer
    assert 0.4 * N < len(bad) < 0.6 * N
    assert sorted(_ids(valid)) == sorted(good)


def test_score_quarantine_never_sends_a_bad_row_to_the_model(spark):
    seen_nulls = []

    def model(frame):
        seen_nulls.append(int(frame["x"].isna().sum()))
        return frame["x"] * 2

    signature = ss.ModelSignature(SCHEMA, ss.Schema([ss.ColSpec("double")]))
    scored, rejected = sss.score(
        _random_nulls(spark), model, signature, on_error="quarantine", strict_nulls=True
    )
    rows = scored.select("id", "x", "prediction").collect()
    bad = _ids(rejected)
    assert len(rows) + len(bad) == N
    assert {r["id"] for r in rows}.isdisjoint(bad)
    assert all(r["prediction"] == 2 * r["x"] for r in rows)
    assert {tuple(labels(r[sss.REASONS_COLUMN])) for r in rejected.collect()} == {
        ("null_in_required:x",)
    }


def test_score_raise_stops_at_a_bad_row_with_its_reason(spark):
    df = spark.createDataFrame([(1, 1.0), (2, None)], "id bigint, x double")
    signature = ss.ModelSignature(SCHEMA, ss.Schema([ss.ColSpec("double")]))
    scored = sss.score(df, lambda f: f["x"], signature, strict_nulls=True)
    with pytest.raises(Exception, match="null_in_required:x"):
        scored.collect()


def test_write_quarantine_writes_one_consistent_pair(spark, tmp_path):
    out = tmp_path / "q"
    result = sss.write_quarantine(_random_nulls(spark), SCHEMA, str(out), key_columns=())
    valid = spark.read.parquet(result.valid_path)
    rejected = spark.read.parquet(result.rejected_path)
    good, bad = _ids(valid), _ids(rejected)
    assert (len(good), len(bad)) == (result.valid_rows, result.rejected_rows)
    assert set(good).isdisjoint(bad) and set(good) | set(bad) == set(range(N))
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["valid_rows"] + manifest["rejected_rows"] == N
    with pytest.raises(ss.InvalidArgumentError, match="exists"):
        sss.write_quarantine(_random_nulls(spark), SCHEMA, str(out))


def test_overwrite_replaces_the_pair_and_leaves_no_staging_behind(spark, tmp_path):
    out = tmp_path / "q"
    nulls = spark.range(10).select("id", F.lit(None).cast("double").alias("x"))
    first = sss.write_quarantine(nulls, SCHEMA, str(out))
    assert (first.valid_rows, first.rejected_rows) == (0, 10)
    second = sss.write_quarantine(
        spark.range(5).select("id", F.lit(1.0).alias("x")), SCHEMA, str(out), if_exists="overwrite"
    )
    assert (second.valid_rows, second.rejected_rows) == (5, 0)
    assert spark.read.parquet(second.valid_path).count() == 5
    assert spark.read.parquet(second.rejected_path).count() == 0
    assert [p.name for p in tmp_path.iterdir()] == ["q"]


def test_a_crash_between_the_renames_is_recovered_by_the_next_write(spark, tmp_path):
    out = tmp_path / "q"
    sss.write_quarantine(spark.range(3).select("id", F.lit(1.0).alias("x")), SCHEMA, str(out))
    # What a crash after "rename old aside" and before "rename new into place" leaves:
    aside = tmp_path / ".q.sparksig-old-abc"
    out.rename(aside)
    (tmp_path / ".q.sparksig-new-def").mkdir()  # an abandoned staging folder
    with pytest.raises(ss.InvalidArgumentError, match="exists"):
        # recovery puts the previous pair back first, so "error" mode sees it
        sss.write_quarantine(spark.range(1).select("id", F.lit(1.0).alias("x")), SCHEMA, str(out))
    assert spark.read.parquet(str(out / "valid")).count() == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q"]


_WRITER = """
import sys
from pyspark.sql import functions as F
import sparksig as ss
from sparksig import spark as sss
spark = sss.get_session(master="local[1]")
n = int(sys.argv[2])
df = spark.range(n).select("id", F.when(F.col("id") % 3 == 0, None).otherwise(F.col("id") * 1.0).alias("x"),
                           F.sha2(F.col("id").cast("string"), 512).alias("pad"))
schema = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("double", "x")])
r = sss.write_quarantine(df, schema, sys.argv[1], if_exists="overwrite")
print(r.valid_rows, r.rejected_rows)
"""


def test_killing_the_writer_mid_write_keeps_the_previous_pair(spark, tmp_path, spawn_spark):
    out = tmp_path / "q"
    previous = sss.write_quarantine(
        spark.range(7).select("id", F.lit(1.0).alias("x")), SCHEMA, str(out)
    )
    env = spawn_spark.spark_env(PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    proc = spawn_spark.popen(
        [sys.executable, "-c", _WRITER, out, "3000000"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Kill it once the new valid half is complete but before the pair is swapped in.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            staged = list(tmp_path.glob(".q.sparksig-new-*/valid/_SUCCESS"))
            if staged:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        proc.wait(timeout=60)
    finally:
        spawn_spark.stop(proc, signal.SIGKILL)
    assert staged, "the writer finished before it could be killed mid-write; raise its row count"
    # The previous pair is intact and readable, whole.
    assert spark.read.parquet(str(out / "valid")).count() == previous.valid_rows == 7
    assert spark.read.parquet(str(out / "rejected")).count() == 0
    assert json.loads((out / MANIFEST).read_text())["valid_rows"] == 7
    # The next run clears the abandoned staging folder and completes.
    again = sss.write_quarantine(
        spark.range(4).select("id", F.lit(2.0).alias("x")), SCHEMA, str(out), if_exists="overwrite"
    )
    assert again.valid_rows == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q"]
