"""validate(df, signature, sampling="metadata"): footers answer what their statistics prove,
one scan counts the rest, and the report equals mode="full" on every table.

The differential test writes random small tables file by file — by Spark (timestamps as INT96
or as microseconds) and by pyarrow (statistics for every column, for none, or for some;
small row groups, so that some row groups of a file hold nulls and others none), with a
string column and nested columns — and compares ``sampling="metadata"`` with
``mode="full"``: the same violations (code, path, count) on every table. It also knows, from
how each file was written, which checks the footers can prove, and holds the report's
``answers`` to exactly those: the report never claims a footer answer the statistics cannot
give.
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
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sparksig as ss
from sparksig import spark as sss
from sparksig.errors import InvalidArgumentError
from sparksig.results import AnsweredBy, ValidationReport
from sparksig.spark.check import summary
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
FLAT = ("a", "s", "t", "d")
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
IN_RANGE = dt.datetime(2020, 5, 17, 1, 2, 3)
TOO_EARLY = dt.datetime(1500, 1, 1)
_serial = itertools.count()


def _value(i: int, null: bool, early: bool):
    return (
        i,
        None if null else i,
        None if null else f"s{i}",
        None if null else (TOO_EARLY if early else IN_RANGE),
        None if null else (dt.date(1600, 1, 1) if early and i % 2 else dt.date(2020, 1, 1)),
        None if null else {"x": None if i % 3 == 2 else i},
        None if null else ([] if i % 4 == 3 else [i, None if i % 2 else 1]),
    )


def _write(spark, folder: Path, name: str, rows, spec) -> None:
    target = folder / name
    if spec["writer"] == "pyarrow":
        columns = list(zip(*rows)) if rows else [[] for _ in ARROW_SCHEMA]
        table = pa.table(
            [pa.array(list(c), f.type) for c, f in zip(columns, ARROW_SCHEMA)], ARROW_SCHEMA
        )
        stats = spec["stats"]
        pq.write_table(
            table,
            target,
            row_group_size=spec["group"],
            write_statistics=stats if isinstance(stats, bool) else sorted(stats),
            # the list column plain-encoded: Spark 4.3's vectorized reader of nested columns
            # fails (ArrayIndexOutOfBoundsException in PlainLongDictionary, in mode="full"
            # too, so not sparksig's) on a dictionary-encoded list column whose small row
            # groups hold few values; spark.sql.parquet.enableNestedColumnVectorizedReader
            # =false reads those files
            use_dictionary=["k", "a", "s", "t", "d", "o.x"],
        )
        return
    staging = folder.parent / f"{folder.name}-staging-{next(_serial)}"
    if spec["writer"] == "spark-micros":
        spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    try:
        spark.createDataFrame(rows, SPARK_TYPES).coalesce(1).write.parquet(str(staging))
    finally:
        spark.conf.unset("spark.sql.parquet.outputTimestampType")
    (part,) = staging.glob("part-*.parquet")
    shutil.move(part, target)
    shutil.rmtree(staging)


row = st.tuples(st.booleans(), st.booleans())  # (all null, too early)
files = st.lists(
    st.fixed_dictionaries(
        {
            "writer": st.sampled_from(["spark", "spark-micros", "pyarrow", "pyarrow"]),
            "stats": st.booleans() | st.sets(st.sampled_from(FLAT), min_size=1),
            "group": st.sampled_from([1, 2, 3, 64]),
            "rows": st.lists(row, max_size=6),
        }
    ),
    min_size=1,
    max_size=3,
)


def _table(spark, base: Path, specs):
    folder = base / f"t{next(_serial)}"
    folder.mkdir()
    first = 0
    for n, spec in enumerate(specs):
        rows = [_value(first + j, null, early) for j, (null, early) in enumerate(spec["rows"])]
        first += len(rows)
        _write(spark, folder, f"f{n}.parquet", rows, spec)
    return spark.read.schema(SPARK_TYPES).parquet(str(folder))


def _has_stats(spec, column: str) -> bool:
    if spec["writer"] != "pyarrow":
        return True  # Spark always writes them
    stats = spec["stats"]
    return stats if isinstance(stats, bool) else column in stats


def _provable(specs) -> set[str]:
    """The checks the footers can prove, from how each file was written (a file without
    rows proves everything: Spark reads no row of it)."""
    specs = [s for s in specs if s["rows"]]
    out = {f"null_in_required:{c}" for c in FLAT if all(_has_stats(s, c) for s in specs)}
    # a date's min/max prove the range where every value is inside it
    if all(_has_stats(s, "d") for s in specs) and not any(
        early and not null and (i % 2) for s in specs for i, (null, early) in _numbered(s)
    ):
        out.add("out_of_range:d")
    # INT96 timestamps (Spark's default) record no usable min/max
    if all(
        s["writer"] != "spark" and _has_stats(s, "t") and not any(e and not n for n, e in s["rows"])
        for s in specs
    ):
        out.add("out_of_range:t")
    return out


def _numbered(spec):
    return zip(spec["first_index"], spec["rows"])


def _index_rows(specs):
    first = 0
    for spec in specs:
        spec["first_index"] = list(range(first, first + len(spec["rows"])))
        first += len(spec["rows"])


def _assert_same(got: ValidationReport, expected: ValidationReport) -> None:
    assert got.mode == "full" and got.sampling == "metadata"
    assert got.rows_checked == expected.rows_checked and got.checks == expected.checks
    assert [(v.code, v.column_path, v.count) for v in got.violations] == [
        (v.code, v.column_path, v.count) for v in expected.violations
    ]
    for mine, theirs in zip(got.violations, expected.violations):
        assert mine.message == theirs.message
        if theirs.count is not None and theirs.count <= len(theirs.examples):
            assert Counter(map(repr, mine.examples)) == Counter(map(repr, theirs.examples))
        else:
            assert len(mine.examples) == len(theirs.examples)
    assert got.status == expected.status


@settings(SETTINGS, max_examples=examples(150))
@given(specs=files, keyed=st.booleans())
def test_metadata_equals_full_and_claims_only_what_the_statistics_prove(
    spark, tmp_path_factory, specs, keyed
):
    specs = [dict(s) for s in specs]
    _index_rows(specs)
    df = _table(spark, tmp_path_factory.mktemp("metadata"), specs)
    keys = ["k"] if keyed else []
    expected = sss.validate(df, SCHEMA, key_columns=keys)
    got = sss.validate(df, SCHEMA, key_columns=keys, sampling="metadata")
    _assert_same(got, expected)
    assert [a.check for a in got.answers] == [
        "null_in_required:a",
        "null_in_required:s",
        "null_in_required:t",
        "out_of_range:t",
        "null_in_required:d",
        "out_of_range:d",
        "null_in_required:o",
        "null_in_required:o.x",
        "null_in_required:l",
        "null_in_required:l[]",
    ]
    from_footers = {a.check for a in got.answers if a.by is AnsweredBy.FOOTERS}
    provable = _provable(specs)
    if keyed:  # footer-counted nulls are scanned for their keyed examples
        counted = {f"{v.code}:{v.column_path}" for v in expected.violations if v.count}
        provable -= counted
    assert from_footers == provable
    assert all(a.why for a in got.answers if a.by is AnsweredBy.SCAN)
    n, scanned = len(from_footers), len(got.answers) - len(from_footers)
    assert got.engine == ("footers+native" if from_footers else "native")
    line = f"{n} check{'' if n == 1 else 's'} answered from Parquet footers, {scanned} by scanning"
    assert got.answered_summary == line and line in str(got)


# -- the verb, its refusals, one pass ------------------------------------------------------------


def _flat_files(folder: Path, n_files: int = 3, n: int = 10) -> None:
    folder.mkdir(parents=True)
    for f in range(n_files):
        table = pa.table(
            {
                "a": pa.array([None if f and i % 4 == 0 else i for i in range(n)], pa.int64()),
                "s": pa.array([f"s{i}" for i in range(n)]),
                "o": pa.array(
                    [{"x": None if i == 3 else i} for i in range(n)], pa.struct([("x", pa.int64())])
                ),
            }
        )
        pq.write_table(table, folder / f"p{f}.parquet", row_group_size=4)


FLAT_SCHEMA = ss.Schema([ss.ColSpec("long", "a"), ss.ColSpec("string", "s")])
NESTED_SCHEMA = ss.Schema(
    [*FLAT_SCHEMA.inputs, ss.ColSpec(ss.Object([ss.Property("x", "long")]), "o")]
)


def _jobs(spark, action) -> int:
    context = spark.sparkContext
    group = f"sparksig-metadata-{next(_serial)}"
    context.setJobGroup(group, "jobs of one action")
    try:
        action()
        return len(context.statusTracker().getJobIdsForGroup(group))
    finally:
        context.setLocalProperty("spark.jobGroup.id", None)


def test_a_table_the_footers_answer_wholly_runs_no_job(spark, tmp_path):
    _flat_files(tmp_path / "t")
    df = spark.read.parquet(str(tmp_path / "t"))
    got = {}
    assert (
        _jobs(spark, lambda: got.update(r=sss.validate(df, FLAT_SCHEMA, sampling="metadata"))) == 0
    )
    report = got["r"]
    _assert_same(report, sss.validate(df, FLAT_SCHEMA))
    assert report.engine == "footers" and report.rows_checked == 30
    assert report.answered_by == {"null_in_required:a": "footers", "null_in_required:s": "footers"}
    assert [(v.column_path, v.count, v.examples) for v in report.violations] == [("a", 6, (None,))]
    assert "2 checks answered from Parquet footers, 0 by scanning" in str(report)


def test_only_the_checks_the_footers_cannot_answer_are_scanned_in_one_pass(
    spark, tmp_path, monkeypatch
):
    _flat_files(tmp_path / "t")
    df = spark.read.parquet(str(tmp_path / "t"))
    scanned: list[list[str]] = []
    real = summary.summarise_with

    def spy(source, checks, *args, **kw):
        scanned.append([c.label for c in checks])
        return real(source, checks, *args, **kw)

    monkeypatch.setattr(summary, "summarise_with", spy)
    full_jobs = _jobs(spark, lambda: sss.validate(df, NESTED_SCHEMA))
    got = {}
    meta_jobs = _jobs(
        spark, lambda: got.update(r=sss.validate(df, NESTED_SCHEMA, sampling="metadata"))
    )
    report = got["r"]
    assert scanned[-1] == ["null_in_required:o", "null_in_required:o.x"]  # one scan, these only
    assert len(scanned) == 2 and meta_jobs <= full_jobs
    assert report.engine == "footers+native"
    assert {(v.column_path, v.count) for v in report.violations} == {("a", 6), ("o.x", 3)}
    _assert_same(report, sss.validate(df, NESTED_SCHEMA))
    assert "2 checks answered from Parquet footers, 2 by scanning" in str(report)


def test_a_plan_that_is_not_a_file_read_is_scanned_and_says_why(spark, tmp_path):
    _flat_files(tmp_path / "t")
    df = spark.read.parquet(str(tmp_path / "t")).where("s != 's1'")
    report = sss.validate(df, FLAT_SCHEMA, sampling="metadata")
    assert report.engine == "native" and report.answered_summary == (
        "0 checks answered from Parquet footers, 2 by scanning"
    )
    assert all("between the file read" in a.why for a in report.answers)
    _assert_same(report, sss.validate(df, FLAT_SCHEMA))


def test_metadata_is_refused_with_a_sample_and_with_the_arrow_engine(spark, tmp_path):
    _flat_files(tmp_path / "t", 1)
    df = spark.read.parquet(str(tmp_path / "t"))
    with pytest.raises(InvalidArgumentError, match="mode='full'"):
        sss.validate(df, FLAT_SCHEMA, mode="sampled", sampling="metadata")
    with pytest.raises(InvalidArgumentError, match="engine='native'"):
        sss.validate(df, FLAT_SCHEMA, sampling="metadata", engine="arrow")
    with pytest.raises(InvalidArgumentError, match="'rows', 'files', 'metadata'"):
        sss.validate(df, FLAT_SCHEMA, sampling="footers")


def test_full_mode_alone_does_not_consult_footers(spark, tmp_path):
    _flat_files(tmp_path / "t", 1)
    df = spark.read.parquet(str(tmp_path / "t"))
    report = sss.validate(df, FLAT_SCHEMA)
    assert report.sampling is None and report.answers == () and report.engine == "native"
    assert report.answered_summary is None and "answered from" not in str(report)


def test_a_profile_constraint_on_a_timestamp_is_never_answered_from_footers(spark, tmp_path):
    from sparksig.profile import Range
    from sparksig.spark.profiling import infer_profile

    folder = tmp_path / "t"
    folder.mkdir()
    times = [dt.datetime(2020, 1, 1) + dt.timedelta(days=i) for i in range(10)]
    pq.write_table(
        pa.table({"t": pa.array(times, pa.timestamp("us", tz="UTC"))}), folder / "p.parquet"
    )
    df = spark.read.parquet(str(folder))
    schema = ss.Schema([ss.ColSpec("datetime", "t")])
    profile = infer_profile(df).with_constraints(Range("t", maximum="2020-01-05T00:00:00"))
    expected = sss.validate(df, schema, profile=profile)
    got = sss.validate(df, schema, profile=profile, sampling="metadata")
    assert [(v.code, v.column_path) for v in expected.violations][:1] == [("out_of_range", "t")]
    _assert_same(got, expected)
    # the type checks from the footers, the constraint (same code and path) from the rows
    assert [(a.check, a.by.value) for a in got.answers] == [
        ("null_in_required:t", "footers"),
        ("out_of_range:t", "footers"),
        ("out_of_range:t", "scan"),
    ]
    assert got.drift is not None


def test_the_command_line_takes_sampling_metadata(spark, tmp_path):
    import json

    from sparksig.cli.app import cli

    _flat_files(tmp_path / "t")
    signature = tmp_path / "signature.json"
    signature.write_text(json.dumps({"inputs": NESTED_SCHEMA.to_dict()}))
    args = ["validate", str(tmp_path / "t"), "-s", str(signature), "--sampling", "metadata"]
    result = CliRunner().invoke(cli, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert (report["mode"], report["sampling"], report["engine"]) == (
        "full",
        "metadata",
        "footers+native",
    )
    assert {a["check"]: a["by"] for a in report["answers"]} == {
        "null_in_required:a": "footers",
        "null_in_required:s": "footers",
        "null_in_required:o": "scan",
        "null_in_required:o.x": "scan",
    }
    assert "2 checks answered from Parquet footers, 2 by scanning" in result.stderr
