"""``profile=`` on every verb that routes rows: a row that breaks a row-level constraint of the
profile (range, domain, max_length) is routed as a type violation is (raise, drop,
quarantine, mark), with the constraint's code and path among its reasons; the passing rows
are unchanged. The constraints are compiled once, by the router (``Router.build``)."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss
from sparksig.errors import ArgumentTypeError, InvalidArgumentError, SchemaEnforcementError
from sparksig.profile import Domain, MaxLength, Profile, Range
from sparksig.spark.check.reasons import REASONS_COLUMN
from sparksig.spark.quarantine import MANIFEST
from sparksig.spark.routing import Router
from sparksig.spark.stream import quarantine_stream
from tests.labels import labels

SCHEMA = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("double", "x"), ss.ColSpec("string", "c")])
SIGNATURE = ss.ModelSignature(SCHEMA, ss.Schema([ss.ColSpec("double")]))
STRUCT = "id bigint, x double, c string"
HOME = os.environ.get("HOME", "/root")
# Domain values that would mean something else as SQL text: a substitution and a quote. The
# value of $HOME itself is NOT in the domain, so a substituted "${env:HOME}" would let row 6
# through and reject row 4.
PROFILE = Profile(
    rows=0,
    columns=(),
    constraints=(Range("x", 0, 10), Domain("c", ["a", "${env:HOME}", "a'b"])),
)
EXPECTED = {2: ["out_of_range:x"], 3: ["not_in_domain:c"], 6: ["not_in_domain:c"]}
PASSING = [1, 4, 5, 7]


def _rows():
    return [
        (1, 5.0, "a"),
        (2, 50.0, "a"),  # out of range
        (3, 1.0, "z"),  # outside the domain
        (4, 2.0, "${env:HOME}"),  # in the domain, literally
        (5, 3.0, "a'b"),  # in the domain, quote and all
        (6, 4.0, HOME),  # what ${env:HOME} would expand to: outside the domain
        (7, None, None),  # missing values are the signature's business, not a constraint's
    ]


def _table(spark, tmp_path):
    """A file read (replayable: split by two reads) of the rows above."""
    path = tmp_path / "table"
    spark.createDataFrame(_rows(), STRUCT).coalesce(1).write.parquet(str(path))
    return spark.read.parquet(str(path))


def _local(spark):
    return spark.createDataFrame(_rows(), STRUCT)


def _by_id(frame) -> dict[int, list[str]]:
    return {r["id"]: labels(r[REASONS_COLUMN]) for r in frame.collect()}


def _passing(spark):
    rows = [r for r in _rows() if r[0] in PASSING]
    return spark.createDataFrame(rows, STRUCT)


# -- conform ------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [_table, lambda spark, _: _local(spark)], ids=["files", "local"])
def test_conform_quarantine_rejects_rows_that_break_a_constraint(spark, tmp_path, make):
    df = make(spark, tmp_path)
    valid, rejected = sss.conform(
        df, SCHEMA, on_error="quarantine", strict_nulls=False, profile=PROFILE
    )
    assert _by_id(rejected) == EXPECTED
    assert_df_equality(valid, _passing(spark), ignore_row_order=True, ignore_nullable=True)


def test_without_the_profile_the_same_rows_all_pass(spark, tmp_path):
    valid, rejected = sss.conform(
        _table(spark, tmp_path), SCHEMA, on_error="quarantine", strict_nulls=False
    )
    assert rejected.count() == 0 and valid.count() == len(_rows())


def test_conform_mark_drop_and_raise(spark, tmp_path):
    df = _table(spark, tmp_path)
    marked = sss.conform(df, SCHEMA, on_error="mark", strict_nulls=False, profile=PROFILE)
    assert marked.columns == ["id", "x", "c", REASONS_COLUMN]
    assert _by_id(marked) == {**{i: [] for i in PASSING}, **EXPECTED}
    assert_df_equality(marked.drop(REASONS_COLUMN), df, ignore_row_order=True, ignore_nullable=True)

    dropped = sss.conform(df, SCHEMA, on_error="drop", strict_nulls=False, profile=PROFILE)
    assert_df_equality(dropped, _passing(spark), ignore_row_order=True, ignore_nullable=True)

    with pytest.raises(SchemaEnforcementError) as raised:
        sss.conform(df, SCHEMA, on_error="raise", strict_nulls=False, profile=PROFILE)
    found = {(v.code, v.column_path, v.count) for v in raised.value.report.violations}
    assert found == {("out_of_range", "x", 1), ("not_in_domain", "c", 2)}

    clean = sss.conform(
        _passing(spark), SCHEMA, on_error="raise", strict_nulls=False, profile=PROFILE
    )
    assert_df_equality(clean, _passing(spark), ignore_row_order=True, ignore_nullable=True)


def test_conform_raise_is_not_failed_by_drift(spark):
    # conform routes rows; drift is a table's property and belongs to validate's report
    from sparksig.spark.profiling import infer_profile

    train = spark.range(1000).select(
        "id", (F.col("id") % 10 * 1.0).alias("x"), F.lit("a").alias("c")
    )
    shifted = train.withColumn("x", F.col("x") + 5.0)
    profile = infer_profile(train).with_constraints(Range("x", 0, 100))
    assert sss.validate(shifted, SCHEMA, profile=profile).drift.drifted  # it did drift
    out = sss.conform(shifted, SCHEMA, on_error="raise", profile=profile)
    assert out.count() == 1000


# -- score and write_scored ----------------------------------------------------------------


def _model(pdf: pd.DataFrame) -> pd.Series:
    bad = pdf["x"].gt(10) | pdf["c"].isin(["z", HOME])
    if bad.any():
        raise AssertionError("a row that breaks a constraint reached the model")
    return pdf["x"].fillna(0.0) * 2


def test_score_routes_constraint_breaking_rows_in_each_mode(spark, tmp_path):
    df = _table(spark, tmp_path)
    scored, rejected = sss.score(df, _model, SIGNATURE, on_error="quarantine", profile=PROFILE)
    assert _by_id(rejected) == EXPECTED
    expected = _passing(spark).withColumn("prediction", F.coalesce("x", F.lit(0.0)) * 2)
    assert_df_equality(scored, expected, ignore_row_order=True, ignore_nullable=True)

    dropped = sss.score(df, _model, SIGNATURE, on_error="drop", profile=PROFILE)
    assert_df_equality(dropped, expected, ignore_row_order=True, ignore_nullable=True)

    marked = sss.score(df, _model, SIGNATURE, on_error="mark", profile=PROFILE)
    rows = {r["id"]: r for r in marked.collect()}
    assert {i: labels(r[REASONS_COLUMN]) for i, r in rows.items()} == {
        **{i: [] for i in PASSING},
        **EXPECTED,
    }
    assert all(rows[i]["prediction"] is None for i in EXPECTED)
    assert rows[1]["prediction"] == 10.0

    with pytest.raises(Exception, match=r"out_of_range:x|not_in_domain:c"):
        sss.score(df, _model, SIGNATURE, on_error="raise", profile=PROFILE).collect()


def test_write_scored_puts_constraint_breaking_rows_in_rejected(spark, tmp_path):
    result = sss.write_scored(
        _table(spark, tmp_path), _model, SIGNATURE, str(tmp_path / "s"), profile=PROFILE
    )
    assert (result.scored_rows, result.rejected_rows) == (4, 3)
    assert _by_id(spark.read.parquet(result.rejected_path)) == EXPECTED
    scored = spark.read.parquet(result.scored_path)
    assert sorted(r["id"] for r in scored.collect()) == PASSING


# -- write_quarantine -------------------------------------------------------------------


def test_write_quarantine_puts_constraint_breaking_rows_in_rejected(spark, tmp_path):
    import json

    out = tmp_path / "q"
    result = sss.write_quarantine(
        _table(spark, tmp_path), SCHEMA, str(out), strict_nulls=False, profile=PROFILE
    )
    assert (result.valid_rows, result.rejected_rows) == (4, 3)
    assert _by_id(spark.read.parquet(result.rejected_path)) == EXPECTED
    assert_df_equality(
        spark.read.parquet(result.valid_path),
        _passing(spark),
        ignore_row_order=True,
        ignore_nullable=True,
    )
    manifest = json.loads((out / MANIFEST).read_text())
    assert (manifest["valid_rows"], manifest["rejected_rows"]) == (4, 3)


def test_a_json_writer_keeps_hostile_values_and_their_verdicts(spark, tmp_path):
    result = sss.write_quarantine(
        _local(spark),
        SCHEMA,
        str(tmp_path / "q"),
        format="json",
        strict_nulls=False,
        profile=PROFILE,
    )
    valid = {r["id"]: r["c"] for r in spark.read.json(result.valid_path).collect()}
    assert valid[4] == "${env:HOME}" and valid[5] == "a'b"


# -- quarantine_stream ------------------------------------------------------------------


def test_quarantine_stream_rejects_constraint_breaking_rows(spark, tmp_path):
    source, out = tmp_path / "in", tmp_path / "out"
    _local(spark).coalesce(1).write.parquet(str(source))
    stream = spark.readStream.schema(STRUCT).parquet(str(source))
    query = quarantine_stream(
        stream,
        SCHEMA,
        str(out),
        str(tmp_path / "chk"),
        strict_nulls=False,
        trigger={"availableNow": True},
        profile=PROFILE,
    )
    query.awaitTermination()
    rejected = spark.read.parquet(str(out / "rejected")).drop("batch_id")
    assert _by_id(rejected) == EXPECTED
    valid = spark.read.parquet(str(out / "valid")).drop("batch_id")
    assert_df_equality(valid, _passing(spark), ignore_row_order=True, ignore_nullable=True)


# -- every constraint kind, nested paths, and refusals ------------------------------------


def test_max_length_and_nested_paths_route_too(spark):
    schema = ss.Schema(
        [
            ss.ColSpec("long", "id"),
            ss.ColSpec(ss.Object([ss.Property("n", "long")]), "o"),
            ss.ColSpec(ss.Array("string"), "tags"),
        ]
    )
    df = spark.createDataFrame(
        [(1, (3,), ["ab"]), (2, (30,), ["ab"]), (3, (3,), ["abcd", "a"])],
        "id bigint, o struct<n:bigint>, tags array<string>",
    )
    profile = Profile(rows=0, columns=(), constraints=(Range("o.n", 0, 10), MaxLength("tags[]", 3)))
    marked = sss.conform(df, schema, on_error="mark", profile=profile)
    assert _by_id(marked) == {1: [], 2: ["out_of_range:o.n"], 3: ["too_long:tags[]"]}


def test_the_arrow_engine_refuses_a_profile_in_every_verb(spark, tmp_path):
    df = _local(spark)
    with pytest.raises(InvalidArgumentError, match="engine='native'"):
        sss.conform(df, SCHEMA, on_error="drop", engine="arrow", profile=PROFILE)
    with pytest.raises(InvalidArgumentError, match="engine='native'"):
        sss.write_quarantine(df, SCHEMA, str(tmp_path / "q"), engine="arrow", profile=PROFILE)
    with pytest.raises(InvalidArgumentError, match="engine='native'"):
        sss.conform(df, SCHEMA, on_error="drop", checks=ss.Checks(engine="arrow"), profile=PROFILE)
    assert not (tmp_path / "q").exists()


def test_a_constraint_on_a_path_the_signature_lacks_is_refused_before_any_row_is_read(spark):
    profile = Profile(rows=0, columns=(), constraints=(Range("nope", 0, 1),))
    with pytest.raises(InvalidArgumentError, match="'nope'"):
        sss.conform(_local(spark), SCHEMA, on_error="quarantine", profile=profile)


def test_a_profile_of_the_wrong_kind_is_refused(spark):
    with pytest.raises(ArgumentTypeError, match="Profile"):
        sss.conform(_local(spark), SCHEMA, on_error="drop", profile={"constraints": []})


def test_the_router_carries_the_constraints_for_per_batch_routers(spark):
    router, _ = Router.build(_local(spark), SCHEMA, strict_nulls=False, profile=PROFILE)
    assert router.constraints == PROFILE.constraints
    assert {(c.code.value, c.path) for c in router.checks} >= {
        ("out_of_range", "x"),
        ("not_in_domain", "c"),
    }
