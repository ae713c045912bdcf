"""Footer answers equal the scan's, and are given only where the statistics prove them.

Random tables are written file by file (by Spark or by pyarrow, with or without statistics,
nulls and out-of-range timestamps in some files only), so the test knows from how each file
was written which checks its footer can answer; ``validate_with_footers`` must report what
``validate`` reports, and ``answer`` must answer exactly the checks the files allow.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss
from sparksig.spark.check import native
from sparksig.spark.check.binding import bind
from sparksig.spark.footers import answer, validate_with_footers
from tests.strategies import examples

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SPARK_TYPES = "k long, a long, s string, t timestamp, d date, o struct<x: long>, l array<long>"
ARROW_SCHEMA = pa.schema(
    [
        ("k", pa.int64()),
        ("a", pa.int64()),
        ("s", pa.string()),
        ("t", pa.timestamp("us", tz="UTC")),
        ("d", pa.date32()),
        ("o", pa.struct([("x", pa.int64())])),
        ("l", pa.list_(pa.int64())),
    ]
)
SCHEMA = ss.Schema(
    [
        ss.ColSpec("long", "a"),
        ss.ColSpec("string", "s"),
        ss.ColSpec("datetime", "t"),
        ss.ColSpec("datetime", "d"),
        ss.ColSpec(ss.Object([ss.Property("x", "long")]), "o"),
        ss.ColSpec(ss.Array("long"), "l"),
    ]
)
FLAT = ss.Schema(list(SCHEMA.inputs[:4]))
IN_RANGE = dt.datetime(2020, 5, 17, 1, 2, 3)
TOO_EARLY = dt.datetime(1500, 1, 1)
_serial = itertools.count()


def _compiled(df, schema=SCHEMA):
    binding = bind(df, schema, strict_nulls=True)
    return native.compile_checks(binding, df.columns, strict_nulls=True)


def _labels(df, found, schema=SCHEMA):
    compiled = _compiled(df, schema)
    return {compiled[i].label for i in found.answered}


def _same_report(df, schema=SCHEMA, **kw):
    expected = sss.validate(df, schema, **kw)
    got = validate_with_footers(df, schema, **kw)
    assert got.rows_checked == expected.rows_checked
    assert got.mode == "full" and got.checks == expected.checks
    assert [(v.code, v.column_path, v.count, v.message) for v in got.violations] == [
        (v.code, v.column_path, v.count, v.message) for v in expected.violations
    ]
    for mine, theirs in zip(got.violations, expected.violations):
        if theirs.count is not None and theirs.count <= len(theirs.examples):
            assert Counter(map(repr, mine.examples)) == Counter(map(repr, theirs.examples))
        else:
            assert len(mine.examples) == len(theirs.examples)
    assert got.status == expected.status
    return got


# -- writing files -------------------------------------------------------------------------


def _row(i, nulls, early):
    return (
        i,
        None if nulls and i % 2 == 0 else i,
        None if nulls and i % 3 == 0 else f"s{i}",
        TOO_EARLY if early and i % 2 == 1 else (None if nulls and i % 4 == 1 else IN_RANGE),
        dt.date(2020, 1, 1 + i % 28),
        None if nulls and i % 5 == 2 else {"x": None if i % 3 == 2 else i},
        None if nulls and i % 4 == 3 else ([] if i % 5 == 4 else [i, None if i % 2 else 1]),
    )


def _write(spark, folder: Path, name: str, rows, writer: str, stats: bool) -> None:
    target = folder / name
    if writer == "pyarrow":
        columns = list(zip(*rows)) if rows else [[] for _ in ARROW_SCHEMA]
        table = pa.table(
            [pa.array(list(c), f.type) for c, f in zip(columns, ARROW_SCHEMA)], ARROW_SCHEMA
        )
        pq.write_table(table, target, write_statistics=stats)
        return
    staging = folder.parent / f"{folder.name}-staging-{next(_serial)}"
    spark.createDataFrame(rows, SPARK_TYPES).coalesce(1).write.parquet(str(staging))
    (part,) = staging.glob("part-*.parquet")
    shutil.move(part, target)
    shutil.rmtree(staging)


files = st.lists(
    st.fixed_dictionaries(
        {
            "writer": st.sampled_from(["spark", "pyarrow"]),
            "stats": st.booleans(),
            "rows": st.integers(0, 6),
            "nulls": st.booleans(),
            "early": st.booleans(),
        }
    ),
    min_size=1,
    max_size=4,
)


def _table(spark, base: Path, specs):
    folder = base / f"t{next(_serial)}"
    folder.mkdir()
    first = 0
    for n, spec in enumerate(specs):
        rows = [_row(i, spec["nulls"], spec["early"]) for i in range(first, first + spec["rows"])]
        first += spec["rows"]
        spec["stats"] = spec["stats"] or spec["writer"] == "spark"  # Spark always writes them
        spec["too_early"] = any(r[3] == TOO_EARLY for r in rows)
        _write(spark, folder, f"f{n}.parquet", rows, spec["writer"], spec["stats"])
    return spark.read.schema(SPARK_TYPES).parquet(str(folder))


def _expected_answers(specs):
    """The checks the files' footers can answer, from how each file was written (a file
    without rows proves everything without statistics)."""
    specs = [s for s in specs if s["rows"]]
    if not all(s["stats"] for s in specs):
        return set()
    expected = {f"null_in_required:{c}" for c in "astd"} | {"out_of_range:d"}
    # Spark writes timestamps as INT96 (no min/max); pyarrow's min/max prove the range only
    # where every value is inside it
    if all(s["writer"] == "pyarrow" and not s["too_early"] for s in specs):
        expected.add("out_of_range:t")
    return expected


@settings(SETTINGS, max_examples=examples(30))
@given(specs=files, keyed=st.booleans())
def test_footer_reports_equal_the_scan_and_answer_only_what_statistics_prove(
    spark, tmp_path_factory, specs, keyed
):
    specs = [dict(s) for s in specs]
    df = _table(spark, tmp_path_factory.mktemp("footers"), specs)
    keys = ["k"] if keyed else []
    report = _same_report(df, key_columns=keys)
    found = answer(df, _compiled(df))
    assert _labels(df, found) == _expected_answers(specs)
    assert found.rows == sum(s["rows"] for s in specs)
    # the nested checks (o, o.x, l, l[]) are never answered from footers
    assert not any(label.split(":")[1][0] in "ol" for label in _labels(df, found))
    assert report.engine == ("footers+native" if found.answered else "native")


def _pyarrow_table(folder: Path, tables: dict[str, pa.Table], **kw) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, folder / name, **kw)


def _flat(n: int, null_every: int = 0, early: bool = False) -> pa.Table:
    return pa.table(
        {
            "a": pa.array([None if null_every and i % null_every == 0 else i for i in range(n)]),
            "b": pa.array(range(n)),
            "s": pa.array([f"s{i}" for i in range(n)]),
            "t": pa.array(
                [TOO_EARLY if early and i == 0 else IN_RANGE for i in range(n)],
                pa.timestamp("us", tz="UTC"),
            ),
            "d": pa.array([dt.date(2021, 1, 1)] * n, pa.date32()),
        }
    )


def test_a_table_answered_wholly_from_footers_runs_no_spark_job(spark, tmp_path):
    folder = tmp_path / "t"
    _pyarrow_table(folder, {f"p{i}.parquet": _flat(10, null_every=4 if i else 0) for i in range(3)})
    df = spark.read.parquet(str(folder))
    context = spark.sparkContext
    context.setJobGroup("sparksig-footers-only", "footer answers")
    try:
        validate_with_footers(df, FLAT)
        jobs = context.statusTracker().getJobIdsForGroup("sparksig-footers-only")
    finally:
        context.setLocalProperty("spark.jobGroup.id", None)
    assert list(jobs) == []
    report = _same_report(df, FLAT)
    assert report.engine == "footers" and report.rows_checked == 30
    assert {(v.code, v.column_path): v.count for v in report.violations} == {
        ("null_in_required", "a"): 6
    }
    assert report.violations[0].examples == (None,)
    assert report.notes == (
        "answered from the Parquet footers of 3 files, no row read: null_in_required:a, "
        "null_in_required:s, null_in_required:t, out_of_range:t, null_in_required:d, "
        "out_of_range:d",
    )


def test_footer_counted_nulls_with_key_columns_are_scanned_for_their_examples(spark, tmp_path):
    folder = tmp_path / "t"
    _pyarrow_table(folder, {"p.parquet": _flat(12, null_every=5)})
    df = spark.read.parquet(str(folder))
    report = _same_report(df, FLAT, key_columns=["s"])
    assert report.engine == "footers+native"
    (nulls,) = report.violations
    assert sorted(e["keys"]["s"] for e in nulls.examples) == ["s0", "s10", "s5"]
    assert any("examples and keys" in n and "null_in_required:a" in n for n in report.notes)


def test_files_without_statistics_are_scanned(spark, tmp_path):
    folder = tmp_path / "t"
    _pyarrow_table(folder, {"with.parquet": _flat(5, null_every=2)})
    _pyarrow_table(folder, {"without.parquet": _flat(5, 3)}, write_statistics=False)
    df = spark.read.parquet(str(folder))
    assert answer(df, _compiled(df, FLAT)).answered == {}
    report = _same_report(df, FLAT)
    assert report.engine == "native"
    assert any("without a null count" in n for n in report.notes)


def test_a_column_required_in_the_file_needs_no_statistics(spark, tmp_path):
    table = pa.table({"a": pa.array([1, 2, 3])}, pa.schema([pa.field("a", pa.int64(), False)]))
    _pyarrow_table(tmp_path / "t", {"p.parquet": table}, write_statistics=False)
    df = spark.read.parquet(str(tmp_path / "t"))
    assert df.schema["a"].nullable  # Spark reads every file column as nullable
    schema = ss.Schema([ss.ColSpec("long", "a")])
    assert answer(df, _compiled(df, schema)).answered == {0: 0}
    assert _same_report(df, schema).engine == "footers"


@pytest.mark.parametrize(
    "shape",
    ["filter", "renamed", "computed", "union", "limit", "distinct", "sample"],
)
def test_plans_between_the_read_and_the_check_are_scanned(spark, tmp_path, shape):
    folder = tmp_path / "t"
    _pyarrow_table(folder, {"p.parquet": _flat(20, null_every=3)})
    df = spark.read.parquet(str(folder))
    frame = {
        "filter": df.where(F.col("a") > 2),
        "renamed": df.select(F.col("b").alias("a"), F.col("a").alias("b"), "s", "t", "d"),
        "computed": df.withColumn("a", F.col("a") + 1),
        "union": df.union(df),
        "limit": df.limit(7),
        "distinct": df.distinct(),
        "sample": df.sample(fraction=0.5, seed=3),
    }[shape]
    found = answer(frame, _compiled(frame, FLAT))
    assert found.answered == {}
    assert all("between the file read" in found.why[i] for i in found.remaining)
    if shape != "sample":  # a sample's rows are random, its report too
        assert _same_report(frame, FLAT).engine == "native"


def test_a_pure_selection_of_columns_is_answered_by_the_files_names(spark, tmp_path):
    folder = tmp_path / "t"
    _pyarrow_table(folder, {"p.parquet": _flat(9, null_every=2)})
    df = spark.read.parquet(str(folder))
    # respelled under case-insensitive resolution, reordered: still the file's columns
    frame = df.select("D", "A", "t", "s")
    schema = ss.Schema([ss.ColSpec("long", "A"), ss.ColSpec("datetime", "D")])
    found = answer(frame, _compiled(frame, schema))
    assert len(found.answered) == 3 and found.remaining == ()
    report = _same_report(frame, schema)
    assert report.engine == "footers"
    assert [(v.column_path, v.count) for v in report.violations] == [("A", 5)]


def test_spark_written_timestamps_need_micros_for_their_range(spark, tmp_path):
    rows = [(i, IN_RANGE) for i in range(5)]
    spark.createDataFrame(rows, "a long, t timestamp").write.parquet(str(tmp_path / "int96"))
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    try:
        spark.createDataFrame(rows, "a long, t timestamp").write.parquet(str(tmp_path / "micros"))
    finally:
        spark.conf.unset("spark.sql.parquet.outputTimestampType")
    schema = ss.Schema([ss.ColSpec("datetime", "t")])
    int96 = spark.read.parquet(str(tmp_path / "int96"))
    micros = spark.read.parquet(str(tmp_path / "micros"))
    assert _labels(int96, answer(int96, _compiled(int96, schema)), schema) == {"null_in_required:t"}
    assert _labels(micros, answer(micros, _compiled(micros, schema)), schema) == {
        "null_in_required:t",
        "out_of_range:t",
    }
    _same_report(int96, schema)
    assert _same_report(micros, schema).engine == "footers"


def test_timestamp_units_and_time_zones_are_read_as_spark_reads_them(spark, tmp_path):
    # ms, us and ns; UTC-adjusted and wall-clock; a value just past the upper bound in one file
    late = dt.datetime(2262, 4, 11, 23, 47, 16, 854776)
    columns = {
        "ms": pa.timestamp("ms", tz="UTC"),
        "us": pa.timestamp("us", tz="UTC"),
        "ntz": pa.timestamp("us"),
    }
    for name, kind in columns.items():
        good = pa.table({"x": pa.array([IN_RANGE, None], kind)})
        bad = pa.table({"x": pa.array([late if name != "ms" else TOO_EARLY], kind)})
        _pyarrow_table(tmp_path / name, {"good.parquet": good})
        df = spark.read.parquet(str(tmp_path / name))
        schema = ss.Schema([ss.ColSpec("datetime", "x", required=False)])
        assert _same_report(df, schema).engine == "footers", name
        _pyarrow_table(tmp_path / name, {"bad.parquet": bad})
        df = spark.read.parquet(str(tmp_path / name))
        assert answer(df, _compiled(df, schema)).answered == {}, name
        report = _same_report(df, schema)
        assert [(v.code, v.count) for v in report.violations] == [("out_of_range", 1)], name


def test_partition_columns_and_missing_columns_are_scanned(spark, tmp_path):
    folder = tmp_path / "t"
    _pyarrow_table(folder / "p=1", {"a.parquet": _flat(4)})
    _pyarrow_table(folder / "p=2", {"b.parquet": _flat(4).drop_columns(["s"])})
    df = spark.read.option("mergeSchema", "true").parquet(str(folder))
    schema = ss.Schema(
        [ss.ColSpec("long", "p"), ss.ColSpec("string", "s"), ss.ColSpec("long", "a")]
    )
    found = answer(df, _compiled(df, schema))
    assert _labels(df, found, schema) == {"null_in_required:a"}
    why = {_compiled(df, schema)[i].label: found.why[i] for i in found.remaining}
    assert "partition" in why["null_in_required:p"]
    assert "lacks the column" in why["null_in_required:s"]
    report = _same_report(df, schema)
    assert [(v.column_path, v.count) for v in report.violations] == [("s", 4)]


HOSTILE = ["x%41", "sp ace", "it's", 'q"uote', "ü", "a.b", "`b`", "h#sh", "q?", "$x{"]
FILES = [*HOSTILE, "${HOME}", "${spark.app.name}", "pct%25"]


def test_hostile_file_and_column_names(spark, tmp_path):
    folder = tmp_path / "t"
    names = FILES
    for i, name in enumerate(names):
        values = [None if i % 2 else j for j in range(3)]
        table = pa.table({col: pa.array(values, pa.int64()) for col in HOSTILE})
        _pyarrow_table(folder, {name: table})
    df = spark.read.parquet(str(folder))
    assert len(df.inputFiles()) == len(names)
    schema = ss.Schema([ss.ColSpec("long", c) for c in HOSTILE])
    found = answer(df, _compiled(df, schema))
    assert len(found.answered) == len(HOSTILE) and found.rows == 3 * len(names)
    report = _same_report(df, schema)
    assert report.engine == "footers"
    nulls = 3 * (len(names) // 2)
    assert {v.column_path: v.count for v in report.violations} == dict.fromkeys(HOSTILE, nulls)


def test_case_twins_in_a_file_are_scanned(spark, tmp_path):
    table = pa.table({"a": pa.array([1, None]), "A": pa.array([None, None], pa.int64())})
    _pyarrow_table(tmp_path / "t", {"p.parquet": table})
    spark.conf.set("spark.sql.caseSensitive", "true")
    try:
        df = spark.read.parquet(str(tmp_path / "t"))
        schema = ss.Schema([ss.ColSpec("long", "a")])
        found = answer(df, _compiled(df, schema))
        assert found.answered == {} and "differ only in case" in found.why[0]
        _same_report(df, schema)
    finally:
        spark.conf.unset("spark.sql.caseSensitive")


def test_other_modes_and_engines_run_validate_unchanged(spark, tmp_path):
    _pyarrow_table(tmp_path / "t", {"p.parquet": _flat(6, null_every=2)})
    df = spark.read.parquet(str(tmp_path / "t"))
    arrow = validate_with_footers(df, FLAT, engine="arrow")
    assert arrow.engine == "arrow" and arrow.violations == sss.validate(df, FLAT).violations
    sampled = validate_with_footers(df, FLAT, mode="sampled", fraction=1.0)
    assert sampled.mode == "sampled" and sampled.engine == "native"


def test_a_column_name_spark_would_expand_is_scanned(spark, tmp_path):
    # Spark's Parquet reader expands ${...} in the requested schema (a Hadoop Configuration):
    # the footer of "${spark.app.name}" is not what Spark reads under that name
    table = pa.table({"${spark.app.name}": pa.array([1, None, 3]), "a": pa.array([None, 1, 2])})
    _pyarrow_table(tmp_path / "t", {"p.parquet": table})
    df = spark.read.parquet(str(tmp_path / "t"))
    schema = ss.Schema([ss.ColSpec("long", "${spark.app.name}"), ss.ColSpec("long", "a")])
    found = answer(df, _compiled(df, schema))
    assert found.answered == {} and "expands" in found.why[0]
    assert _same_report(df, schema).engine == "native"
