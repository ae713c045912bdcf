"""write_quarantine's edges: formats that cannot hold a half, two writers on one path, stale
locks, and which strategy (one write, two writes, checkpoint) each kind of plan takes."""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T

import sparksig as ss
from sparksig import spark as sss
from sparksig.spark import formats, staging
from sparksig.spark import quarantine as q
from sparksig.spark.quarantine import MANIFEST
from sparksig.spark.routing import replayable
from tests import spawn

SCHEMA = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("double", "x")])
NESTED = ss.Schema(
    [ss.ColSpec("long", "id"), ss.ColSpec(ss.Object([ss.Property("a", "double")]), "obj")]
)


def _flat(spark, n=10):
    """Every third x is null (rejected); deterministic."""
    return spark.range(n).select(
        "id", F.when(F.col("id") % 3 == 0, None).otherwise(F.col("id") * 1.0).alias("x")
    )


def _siblings(tmp_path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir())


# -- formats -------------------------------------------------------------------------------


def test_csv_holds_the_reasons_as_a_json_string(spark, tmp_path):
    out = tmp_path / "q"
    result = sss.write_quarantine(_flat(spark), SCHEMA, str(out), format="csv")
    assert (result.valid_rows, result.rejected_rows) == (6, 4)
    rejected = spark.read.csv(result.rejected_path, schema="id long, x double, reasons string")
    # The same labels a Parquet write keeps as an array, here as that array's JSON text.
    reference = sss.write_quarantine(_flat(spark), SCHEMA, str(tmp_path / "p"))
    expected = {
        r["id"]: r["reasons"]
        for r in spark.read.parquet(reference.rejected_path)
        .select("id", F.to_json(sss.REASONS_COLUMN).alias("reasons"))
        .collect()
    }
    got = {r["id"]: r["reasons"] for r in rejected.collect()}
    assert got == expected and len(got) == 4
    assert all(isinstance(json.loads(v), list) for v in got.values())
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["format"] == "csv" and manifest["reasons"] == "json"
    assert json.loads((tmp_path / "p" / MANIFEST).read_text())["reasons"] == "native"
    valid = spark.read.csv(result.valid_path, schema="id long, x double")
    assert sorted(r["id"] for r in valid.collect()) == [1, 2, 4, 5, 7, 8]


def test_csv_refuses_a_nested_valid_column_before_writing_anything(spark, tmp_path):
    df = spark.range(4).select("id", F.struct((F.col("id") * 1.0).alias("a")).alias("obj"))
    with pytest.raises(ss.InvalidArgumentError) as caught:
        sss.write_quarantine(df, NESTED, str(tmp_path / "q"), format="csv")
    message = str(caught.value)
    assert "'obj'" in message and "csv" in message and "valid" in message
    assert "parquet" in message and "to_json" in message
    assert _siblings(tmp_path) == []


def test_csv_refuses_a_nested_column_only_the_rejected_half_keeps(spark, tmp_path):
    # 'extra' is undeclared: the valid half drops it, the rejected half keeps it as it came.
    df = _flat(spark).withColumn("extra", F.array(F.col("id")))
    with pytest.raises(ss.InvalidArgumentError, match=r"'extra'.*rejected half.*csv"):
        sss.write_quarantine(df, SCHEMA, str(tmp_path / "q"), format="csv")
    assert _siblings(tmp_path) == []


def test_the_refusal_names_the_nested_path(spark, tmp_path):
    df = _flat(spark).withColumn(
        "extra", F.struct(F.array(F.struct(F.parse_json(F.lit("1")).alias("v"))).alias("items"))
    )
    with pytest.raises(ss.InvalidArgumentError, match=r"'extra\.items\[\]\.v'.*orc"):
        sss.write_quarantine(df, SCHEMA, str(tmp_path / "q"), format="orc")
    assert _siblings(tmp_path) == []


def test_text_is_refused_it_holds_one_string_column(spark, tmp_path):
    with pytest.raises(ss.InvalidArgumentError, match=r"text.*one string column.*json"):
        sss.write_quarantine(_flat(spark), SCHEMA, str(tmp_path / "q"), format="text")
    assert _siblings(tmp_path) == []


@pytest.mark.parametrize("fmt", ["orc", "json"])
def test_nested_formats_write_both_halves_as_they_are(spark, tmp_path, fmt):
    df = spark.range(6).select(
        "id", F.when(F.col("id") > 1, F.struct((F.col("id") * 1.0).alias("a"))).alias("obj")
    )
    result = sss.write_quarantine(df, NESTED, str(tmp_path / "q"), format=fmt)
    assert (result.valid_rows, result.rejected_rows) == (4, 2)
    rejected = spark.read.format(fmt).load(result.rejected_path)
    reasons_type = rejected.schema[sss.REASONS_COLUMN].dataType
    assert not isinstance(reasons_type, T.StringType) or fmt == "json"
    assert spark.read.format(fmt).load(result.valid_path).count() == 4


def test_a_missing_data_source_is_named_not_a_py4j_error(spark, tmp_path):
    with pytest.raises(ss.InvalidArgumentError, match=r"'parket'.*parquet"):
        sss.write_quarantine(_flat(spark), SCHEMA, str(tmp_path / "q"), format="parket")
    assert _siblings(tmp_path) == []


def test_avro_writes_or_says_which_package_is_missing(spark, tmp_path):
    try:
        result = sss.write_quarantine(_flat(spark), SCHEMA, str(tmp_path / "q"), format="avro")
    except ss.EnvironmentSetupError as e:
        assert "spark-avro" in str(e) and "parquet" in str(e)
        assert _siblings(tmp_path) == []
    else:
        assert (result.valid_rows, result.rejected_rows) == (6, 4)


_PROBES = {
    "int": "1",
    "string": "'a'",
    "binary": "X'61'",
    "void": "NULL",
    "variant": "parse_json('1')",
    "struct": "named_struct('a', 1)",
    "struct_variant": "named_struct('v', parse_json('1'))",
    "array_void": "array(NULL)",
    "map": "map('k', 1)",
    "day_time": "INTERVAL '1' DAY",
    "interval": "make_interval(1, 0, 0, 0, 0, 0, 0)",
    "timestamp_ntz": "TIMESTAMP_NTZ'2020-01-01 00:00:00'",
    "decimal": "CAST(1 AS DECIMAL(10, 2))",
}


@pytest.mark.parametrize("fmt", ["parquet", "orc", "json", "csv", "text"])
def test_the_format_table_agrees_with_spark(spark, tmp_path, fmt):
    """What write_quarantine refuses up front is exactly what Spark's writer refuses."""
    disagreements = []
    for name, expr in _PROBES.items():
        frame = spark.range(1).select(F.expr(expr).alias("c"))
        refused = formats.unheld(fmt, frame.schema) is not None
        try:
            frame.limit(0).write.format(fmt).save(str(tmp_path / f"{fmt}-{name}"))
            spark_refused = False
        except Exception:
            spark_refused = True
        if refused != spark_refused:
            disagreements.append((name, refused, spark_refused))
    assert disagreements == []


# -- where the pair goes ---------------------------------------------------------------------


def test_missing_parent_folders_are_created_as_spark_writers_create_them(spark, tmp_path):
    out = tmp_path / "not" / "yet" / "q"
    result = sss.write_quarantine(_flat(spark, 9), SCHEMA, str(out))
    assert (result.valid_rows, result.rejected_rows) == (6, 3)
    assert spark.read.parquet(result.rejected_path).count() == 3
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, "rejected", "valid"])
    assert _siblings(out.parent) == ["q"]  # no lock or staging folder left beside it


def test_a_parent_that_is_a_file_is_named_and_nothing_is_written(spark, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ss.InvalidArgumentError, match=r"a-file.*cannot be created"):
        sss.write_quarantine(_flat(spark), SCHEMA, str(blocker / "q"))
    assert blocker.read_text() == "not a folder" and _siblings(tmp_path) == ["a-file"]


# -- two writers on one path ---------------------------------------------------------------


def test_two_writers_at_once_serialise_or_say_another_write_is_in_progress(spark, tmp_path):
    out = tmp_path / "q"
    sss.write_quarantine(_flat(spark, 3), SCHEMA, str(out))
    outcomes: list[str] = []
    unexpected: list[BaseException] = []
    written: dict[int, int] = {}

    def writer(rows: int, start: threading.Barrier, after_staging: bool) -> None:
        start.wait()
        if after_staging:  # start while the other writer is mid-write (its staging exists)
            deadline = time.monotonic() + 60
            while not list(tmp_path.glob(".q.sparksig-new-*")) and time.monotonic() < deadline:
                time.sleep(0.002)
        try:
            r = sss.write_quarantine(_flat(spark, rows), SCHEMA, str(out), if_exists="overwrite")
            written[rows] = r.valid_rows + r.rejected_rows
            outcomes.append("ok")
        except ss.InvalidArgumentError as e:
            if "in progress" not in str(e):
                unexpected.append(e)
            outcomes.append("busy")
        except BaseException as e:
            unexpected.append(e)
            outcomes.append("error")

    for attempt in range(12):
        # Even rounds start both writers together; odd rounds start the second writer once
        # the first one's staging folder exists.
        start = threading.Barrier(2)
        threads = [
            threading.Thread(
                target=writer, args=(100 + 2 * attempt + i, start, i == 1 and attempt % 2 == 1)
            )
            for i in (0, 1)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # After every round the path holds one whole pair that its manifest describes.
        manifest = json.loads((out / MANIFEST).read_text())
        valid = spark.read.parquet(str(out / "valid")).count()
        rejected = spark.read.parquet(str(out / "rejected")).count()
        assert (valid, rejected) == (manifest["valid_rows"], manifest["rejected_rows"])
        assert valid + rejected in {3, *written}
    assert unexpected == []
    assert len(outcomes) == 24 and "ok" in outcomes
    assert _siblings(tmp_path) == ["q"]


def _lock(tmp_path, **fields) -> os.PathLike:
    ticket = tmp_path / ".q.sparksig-lock-feedbeef0001"
    ticket.write_text(json.dumps({"owner": "feedbeef0001", **fields}))
    return ticket


def test_a_live_lock_refuses_the_write_and_names_the_lock(spark, tmp_path):
    out = tmp_path / "q"
    sss.write_quarantine(_flat(spark, 3), SCHEMA, str(out))
    ticket = _lock(tmp_path, host=socket.gethostname(), pid=os.getpid())
    with pytest.raises(ss.InvalidArgumentError) as caught:
        sss.write_quarantine(_flat(spark), SCHEMA, str(out), if_exists="overwrite")
    message = str(caught.value)
    assert "in progress" in message and ticket.name in message and "retry" in message
    assert json.loads((out / MANIFEST).read_text())["valid_rows"] == 2
    assert ticket.exists()


def test_a_lock_left_by_a_dead_process_on_this_host_is_cleared(spark, tmp_path):
    dead = spawn.python("-c", "import os; print(os.getpid())", check=True)
    ticket = _lock(tmp_path, host=socket.gethostname(), pid=int(dead.stdout))
    result = sss.write_quarantine(_flat(spark), SCHEMA, str(tmp_path / "q"))
    assert result.valid_rows == 6
    assert not ticket.exists() and _siblings(tmp_path) == ["q"]


def test_a_lock_not_refreshed_for_longer_than_the_lease_is_cleared(spark, tmp_path):
    ticket = _lock(tmp_path, host="elsewhere.example", pid=1)
    stale = time.time() - q.LEASE_SECONDS - 60
    os.utime(ticket, (stale, stale))
    result = sss.write_quarantine(_flat(spark), SCHEMA, str(tmp_path / "q"))
    assert result.rejected_rows == 4
    assert not ticket.exists()


def test_a_fresh_lock_from_another_host_is_respected(spark, tmp_path):
    ticket = _lock(tmp_path, host="elsewhere.example", pid=1)
    with pytest.raises(ss.InvalidArgumentError, match="in progress"):
        sss.write_quarantine(_flat(spark), SCHEMA, str(tmp_path / "q"))
    assert _siblings(tmp_path) == [ticket.name]


# -- strategies ----------------------------------------------------------------------------


def _strategy(result, out) -> str:
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["strategy"] == result.strategy
    return result.strategy


def test_each_plan_takes_the_cheapest_strategy_that_keeps_every_row_once(spark, tmp_path):
    source = tmp_path / "source"
    _flat(spark, 30).write.parquet(str(source))
    files = spark.read.parquet(str(source))
    rand = files.withColumn("x", F.when(F.rand() < 0.5, F.col("x")))
    as_float = F.col("x").cast("float").alias("x")  # the valid half casts it back to double
    cases = {
        # a plain Parquet read: two reads, the second skipped when the footers show no failure
        "files": (files, "parquet", "two_writes"),
        # the valid half is the table's own columns: one partitioned write, whatever the plan
        "files_filtered_joined": (
            files.filter("id > 2").join(spark.range(100), "id"),
            "parquet",
            "one_pass",
        ),
        "range": (_flat(spark, 30), "parquet", "one_pass"),
        "rand": (rand, "parquet", "one_pass"),
        "local_rows": (
            spark.createDataFrame([(1, 1.0), (2, None)], "id long, x double"),
            "parquet",
            "one_pass",
        ),
        # one_pass reads the failing rows back, which only Parquet is trusted to do exactly
        "rand_json": (rand, "json", "checkpoint"),
        "range_json": (_flat(spark, 30), "json", "two_writes"),
        # a valid half cast to the signature is not the table's own columns
        "rand_cast": (rand.select("id", as_float), "parquet", "checkpoint"),
        "range_cast": (_flat(spark, 30).select("id", as_float), "parquet", "two_writes"),
        "missing_column": (files.select("id"), "parquet", "one_write"),
    }
    for name, (frame, fmt, expected) in cases.items():
        out = tmp_path / name
        result = sss.write_quarantine(frame, SCHEMA, str(out), format=fmt)
        assert (name, _strategy(result, out)) == (name, expected)
        good = [r["id"] for r in spark.read.format(fmt).load(result.valid_path).collect()]
        bad = [r["id"] for r in spark.read.format(fmt).load(result.rejected_path).collect()]
        assert (len(good), len(bad)) == (result.valid_rows, result.rejected_rows)
        assert set(good).isdisjoint(bad)
        if "rand" not in name:  # a rand() frame gives other rows on every read
            assert sorted(good + bad) == sorted(r["id"] for r in frame.select("id").collect())
        else:
            assert sorted(good + bad) == list(range(30))


def test_one_pass_reads_the_input_once_and_keeps_the_valid_half_as_written(spark, tmp_path):
    # rand() decides afresh on every read: a second read of the input would split other rows
    frame = spark.range(2000).select(
        "id", F.when(F.rand() < 0.3, None).otherwise(F.col("id") * 1.0).alias("x")
    )
    result = sss.write_quarantine(frame, SCHEMA, str(tmp_path / "q"))
    assert result.strategy == "one_pass"
    valid = spark.read.parquet(result.valid_path)
    rejected = spark.read.parquet(result.rejected_path)
    assert valid.columns == ["id", "x"] and valid.filter("x IS NULL").count() == 0
    assert rejected.columns == ["id", "x", "_sparksig_reasons"]
    assert rejected.filter("x IS NOT NULL").count() == 0
    assert {(r.code, r.path) for row in rejected.collect() for r in row._sparksig_reasons} == {
        ("null_in_required", "x")
    }
    ids = [r.id for r in valid.collect()] + [r.id for r in rejected.collect()]
    assert sorted(ids) == list(range(2000))
    assert (result.valid_rows, result.rejected_rows) == (valid.count(), rejected.count())
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == sorted(
        [MANIFEST, "rejected", "valid"]
    )


def test_one_pass_with_no_failing_or_no_passing_row_writes_an_empty_half(spark, tmp_path):
    clean = spark.range(5).select("id", (F.col("id") * 1.0).alias("x")).filter("id >= 0")
    nulls = spark.range(5).select("id", F.lit(None).cast("double").alias("x")).filter("id >= 0")
    for name, frame, counts in (("clean", clean, (5, 0)), ("nulls", nulls, (0, 5))):
        result = sss.write_quarantine(frame, SCHEMA, str(tmp_path / name))
        assert (result.strategy, result.valid_rows, result.rejected_rows) == ("one_pass", *counts)
        valid = spark.read.parquet(result.valid_path)
        rejected = spark.read.parquet(result.rejected_path)
        assert (valid.count(), rejected.count()) == counts
        assert valid.columns == ["id", "x"]
        assert rejected.columns == ["id", "x", "_sparksig_reasons"]


def test_a_column_named_like_the_split_column_keeps_its_values(spark, tmp_path):
    # the partition column must never replace a column of the table (case-insensitively)
    schema = ss.Schema([*SCHEMA.inputs, ss.ColSpec("long", "__SPARKSIG_FAILED")])
    frame = _flat(spark, 9).withColumn("__SPARKSIG_FAILED", F.col("id") * 10)
    result = sss.write_quarantine(frame.filter("id >= 0"), schema, str(tmp_path / "q"))
    assert result.strategy != "one_pass"
    rows = (
        spark.read.parquet(result.valid_path).collect()
        + spark.read.parquet(result.rejected_path).collect()
    )
    assert sorted((r["id"], r["__SPARKSIG_FAILED"]) for r in rows) == [
        (i, i * 10) for i in range(9)
    ]


def test_one_pass_refuses_to_swap_in_when_the_failing_rows_do_not_fail_again(
    spark, tmp_path, monkeypatch
):
    frame = spark.range(10).select(
        "id", F.when(F.col("id") < 4, None).otherwise(F.col("id") * 1.0).alias("x")
    )
    before = sss.write_quarantine(frame.filter("id >= 0"), SCHEMA, str(tmp_path / "q"))
    real_flag = q.Router.flag

    def forgetful(self, df=None):  # the read-back rows come out passing: a broken check
        flagged = real_flag(self, df)
        if df is None:
            return flagged
        return flagged.withColumn(q.REASONS_COLUMN, F.lit(None).cast(q.REASONS_TYPE))

    monkeypatch.setattr(q.Router, "flag", forgetful)
    with pytest.raises(ss.SparksigError, match=r"4 rows failed the checks, but 0 of them"):
        sss.write_quarantine(frame, SCHEMA, str(tmp_path / "q"), if_exists="overwrite")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q"]
    valid = spark.read.parquet(before.valid_path).count()
    assert (valid, spark.read.parquet(before.rejected_path).count()) == (6, 4)


def _leaves(frame) -> list[str]:
    leaves = frame._jdf.queryExecution().optimizedPlan().collectLeaves().iterator()
    out = []
    while leaves.hasNext():
        out.append(leaves.next().getClass().getSimpleName())
    return out


@pytest.mark.parametrize(
    ("case", "bad", "skipped"),
    [("clean files", 0, True), ("one bad row", 1, False), ("clean, filtered", 0, False)],
)
def test_the_rejected_read_is_skipped_only_when_the_footers_prove_every_row_passed(
    spark, tmp_path, monkeypatch, case, bad, skipped
):
    source = tmp_path / "source"
    x = F.when(F.col("id") < bad, None).otherwise(F.col("id") * 1.0)
    spark.range(50).select("id", x.alias("x")).write.parquet(str(source))
    frame = spark.read.parquet(str(source))
    if case == "clean, filtered":  # a filter: the footers no longer count the plan's rows
        # (and a column the valid half casts back to double, so it is not one_pass either)
        frame = frame.filter("id >= 0").select("id", F.col("x").cast("float").alias("x"))
    read: dict[str, list[str]] = {}
    real_write = q._write_half

    def recording(frame_, target, *args):
        read[target.rsplit("/", 1)[1]] = _leaves(frame_)
        real_write(frame_, target, *args)

    monkeypatch.setattr(q, "_write_half", recording)
    result = sss.write_quarantine(frame, SCHEMA, str(tmp_path / "q"))
    assert (result.valid_rows, result.rejected_rows, result.strategy) == (
        50 - bad,
        bad,
        "two_writes",
    )
    assert read["valid"] == ["LogicalRelation"]
    assert read["rejected"] == (["LocalRelation"] if skipped else ["LogicalRelation"])
    rejected = spark.read.parquet(result.rejected_path)
    assert rejected.columns == ["id", "x", "_sparksig_reasons"]
    assert sorted(r["id"] for r in rejected.collect()) == list(range(bad))
    assert spark.read.parquet(result.valid_path).count() == 50 - bad


def test_a_partitioned_catalog_table_is_checkpointed(spark, tmp_path):
    # Its partitions are listed afresh by each read, so an append between two writes would
    # reach only one of them.
    _flat(spark, 10).withColumn("p", F.col("id") % 2).write.partitionBy("p").saveAsTable(
        "quarantine_strategy_p"
    )
    try:
        frame = spark.table("quarantine_strategy_p")
        result = sss.write_quarantine(frame, SCHEMA, str(tmp_path / "q"))
        assert result.strategy == "checkpoint"
    finally:
        spark.sql("DROP TABLE quarantine_strategy_p")


def test_a_file_vanishing_between_the_two_writes_fails_them_and_keeps_the_previous_pair(
    spark, tmp_path, monkeypatch
):
    source = tmp_path / "source"
    _flat(spark, 30).write.parquet(str(source))
    frame = spark.read.parquet(str(source))
    out = tmp_path / "q"
    before = sss.write_quarantine(frame, SCHEMA, str(out))
    assert before.strategy == "two_writes"
    real_write = q._write_half
    targets: list[str] = []

    def losing_a_file(frame_, target, *args):
        targets.append(target)
        if len(targets) == 2:  # between the two reads, a listed file vanishes
            os.remove(next(p for p in source.glob("part-*") if p.stat().st_size > 500))
        real_write(frame_, target, *args)

    monkeypatch.setattr(q, "_write_half", losing_a_file)
    with pytest.raises(ss.InputChangedError, match=r"an input file vanished .*part-"):
        sss.write_quarantine(frame, SCHEMA, str(out), if_exists="overwrite")
    assert [t.rsplit("/", 1)[1] for t in targets] == ["valid", "rejected"]
    # the previous pair is untouched, and nothing of the failed write is left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q", "source"]
    valid = spark.read.parquet(before.valid_path).count()
    rejected = spark.read.parquet(before.rejected_path).count()
    assert (valid, rejected) == (before.valid_rows, before.rejected_rows)
    assert valid + rejected == 30


def test_the_arrow_engine_keeps_every_row_once_whatever_the_strategy(spark, tmp_path):
    source = tmp_path / "source"
    _flat(spark, 40).write.parquet(str(source))
    result = sss.write_quarantine(
        spark.read.parquet(str(source)), SCHEMA, str(tmp_path / "q"), engine="arrow"
    )
    assert result.strategy in ("two_writes", "checkpoint")
    good = [r["id"] for r in spark.read.parquet(result.valid_path).collect()]
    bad = [r["id"] for r in spark.read.parquet(result.rejected_path).collect()]
    assert sorted(good + bad) == list(range(40)) and len(bad) == 14


def test_a_frame_whose_plan_cannot_be_read_is_not_replayable(spark):
    class Connectish:  # a Spark Connect frame has no _jdf to ask
        pass

    assert replayable(Connectish()) is False
    assert replayable(spark.range(3)) is True
    assert replayable(spark.range(3).select(F.rand())) is False


def test_the_hadoop_filesystem_path_locks_writes_and_swaps_the_same_way(
    spark, tmp_path, monkeypatch
):
    # The protocol through the JVM's Hadoop FileSystem (as on HDFS), here on its local one.
    monkeypatch.setattr(q, "filesystem", lambda df, path: staging._Hadoop(spark, path))
    out = f"file://{tmp_path}/q"
    first = sss.write_quarantine(_flat(spark), SCHEMA, out)
    # a range: one partitioned write, its folders renamed through the Hadoop FileSystem too
    assert (first.valid_rows, first.rejected_rows, first.strategy) == (6, 4, "one_pass")
    ticket = _lock(tmp_path, host=socket.gethostname(), pid=os.getpid())
    with pytest.raises(ss.InvalidArgumentError, match="in progress"):
        sss.write_quarantine(_flat(spark, 3), SCHEMA, out, if_exists="overwrite")
    hadoop = staging._Hadoop(spark, out)
    assert staging._read_card(hadoop, f"file://{ticket}")["pid"] == os.getpid()
    assert abs(hadoop.mtime(f"file://{ticket}") - ticket.stat().st_mtime) < 2
    ticket.unlink()
    again = sss.write_quarantine(_flat(spark, 3), SCHEMA, out, if_exists="overwrite")
    assert spark.read.parquet(again.valid_path).count() == again.valid_rows == 2
    assert [n for n in _siblings(tmp_path) if not n.endswith(".crc")] == ["q"]
