"""The one row router: which strategy each plan's split takes, ``on_error="mark"``,
``write_scored``, the reasons' type, and the verbs' one call shape (old shapes warn)."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss
from sparksig.spark.check.reasons import REASONS_COLUMN, REASONS_TYPE
from sparksig.spark.quarantine import MANIFEST
from sparksig.spark.routing import Router, Strategy

SCHEMA = ss.Schema([ss.ColSpec("long", "id"), ss.ColSpec("double", "x")])
SIGNATURE = ss.ModelSignature(SCHEMA, ss.Schema([ss.ColSpec("double")]))


def _flat(spark, n=10):
    """Every third x is null (rejected under strict nulls); deterministic."""
    return spark.range(n).select(
        "id", F.when(F.col("id") % 3 == 0, None).otherwise(F.col("id") * 1.0).alias("x")
    )


def _ids(frame) -> list[int]:
    return sorted(r["id"] for r in frame.select("id").collect())


def _labels(row) -> list[str]:
    return [f"{r['code']}:{r['path']}" for r in row[REASONS_COLUMN]]


# -- the split's strategy ------------------------------------------------------------------


def test_each_plan_handed_back_lazily_takes_the_strategy_that_keeps_every_row_once(spark, tmp_path):
    source = tmp_path / "source"
    _flat(spark, 30).write.parquet(str(source))
    files = spark.read.parquet(str(source))
    cases = {
        "files": (files, Strategy.TWO_WRITES),
        "range": (_flat(spark, 30), Strategy.TWO_WRITES),
        "rand": (files.withColumn("x", F.when(F.rand() < 0.5, F.col("x"))), Strategy.CHECKPOINT),
        "local_rows": (
            spark.createDataFrame([(1, 1.0), (2, None)], "id long, x double"),
            Strategy.CHECKPOINT,
        ),
        "missing_column": (files.select("id"), Strategy.ONE_WRITE),
    }
    for name, (frame, expected) in cases.items():
        passed, rejected, strategy = Router.of(frame, SCHEMA, strict_nulls=True).split()
        assert (name, strategy) == (name, expected)
        good, bad = _ids(passed), _ids(rejected)
        assert set(good).isdisjoint(bad), name
        assert sorted(good + bad) == _ids(frame), name


def test_a_file_read_that_would_skip_vanished_files_is_checkpointed(spark, tmp_path):
    # Nothing compares the two reads of a replayed plan, so a read that may silently skip a
    # file deleted between them is not taken for replayable, by a writer or for lazy halves.
    source = tmp_path / "source"
    _flat(spark, 12).write.parquet(str(source))
    files = spark.read.parquet(str(source))
    router = Router.of(files, SCHEMA, strict_nulls=True)
    assert router.strategy() is Strategy.TWO_WRITES
    spark.conf.set("spark.sql.files.ignoreMissingFiles", "true")
    try:
        assert router.strategy() is Strategy.CHECKPOINT
        # a writer reads it once instead (one partitioned write): there is no second read
        # to disagree with; with a cast in the valid half it checkpoints like lazy halves
        result = sss.write_quarantine(files, SCHEMA, str(tmp_path / "q"))
        assert result.strategy == "one_pass"
        cast = files.select("id", F.col("x").cast("float").alias("x"))
        result = sss.write_quarantine(cast, SCHEMA, str(tmp_path / "q2"))
        assert result.strategy == "checkpoint"
    finally:
        spark.conf.unset("spark.sql.files.ignoreMissingFiles")


def test_a_nondeterministic_input_is_split_once_by_conform_and_score(spark):
    frame = spark.range(2000).select(
        "id", F.when(F.rand(7) < 0.5, F.lit(1.0)).alias("x")
    )  # which rows are null changes with every read
    valid, rejected = sss.conform(frame, SCHEMA, on_error="quarantine")
    good, bad = _ids(valid), _ids(rejected)
    assert set(good).isdisjoint(bad) and len(good) + len(bad) == 2000
    assert _ids(valid) == good  # read again: the same rows (the checkpoint)
    scored, refused = sss.score(
        frame, lambda pdf: pdf["x"] * 2, SIGNATURE, on_error="quarantine", strict_nulls=True
    )
    good, bad = _ids(scored), _ids(refused)
    assert set(good).isdisjoint(bad) and len(good) + len(bad) == 2000


# -- the reasons ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["native", "arrow"])
def test_reasons_are_structs_of_code_and_path_on_every_engine(spark, engine):
    nested = ss.Schema(
        [ss.ColSpec("long", "id"), ss.ColSpec(ss.Object([ss.Property("a", "double")]), "o")]
    )
    frame = spark.createDataFrame(
        [(1, (1.0,)), (2, (None,)), (None, None)], "id long, o struct<a: double>"
    )
    _, rejected = sss.conform(frame, nested, on_error="quarantine", engine=engine)
    field = rejected.schema[REASONS_COLUMN]
    assert field.dataType == REASONS_TYPE
    got = {r["id"]: _labels(r) for r in rejected.collect()}
    assert got == {2: ["null_in_required:o.a"], None: ["null_in_required:id", "null_in_required:o"]}


def test_a_fatal_binding_rejects_every_row_with_the_same_reasons_type(spark):
    frame = spark.range(3)  # x is missing
    valid, rejected = sss.conform(frame, SCHEMA, on_error="quarantine")
    assert valid.count() == 0 and rejected.count() == 3
    assert rejected.schema[REASONS_COLUMN].dataType == REASONS_TYPE
    assert {tuple(_labels(r)) for r in rejected.collect()} == {("missing_column:x",)}


# -- mark ----------------------------------------------------------------------------------


def test_mark_keeps_every_row_and_adds_the_reasons_quarantine_would_give(spark):
    frame = _flat(spark, 9)
    marked = sss.conform(frame, SCHEMA, on_error="mark")
    assert marked.columns == ["id", "x", REASONS_COLUMN]
    assert marked.count() == 9
    _, rejected = sss.conform(frame, SCHEMA, on_error="quarantine")
    assert_df_equality(
        marked.filter(F.col(REASONS_COLUMN).isNotNull()), rejected, ignore_row_order=True
    )
    clean = marked.filter(F.col(REASONS_COLUMN).isNull()).drop(REASONS_COLUMN)
    assert _ids(clean) == [1, 2, 4, 5, 7, 8]


def test_score_mark_predicts_only_for_rows_that_pass(spark):
    seen: list[int] = []

    def model(pdf: pd.DataFrame) -> pd.Series:
        if pdf["x"].isna().any():
            raise AssertionError("a rejected row reached the model")
        return pdf["x"] * 2

    marked = sss.score(_flat(spark, 9), model, SIGNATURE, on_error="mark", strict_nulls=True)
    assert marked.columns == ["id", "x", "prediction", REASONS_COLUMN]
    rows = {r["id"]: r for r in marked.collect()}
    assert sorted(rows) == list(range(9))
    for i, r in rows.items():
        if i % 3 == 0:
            assert r["prediction"] is None and _labels(r) == ["null_in_required:x"]
        else:
            assert r["prediction"] == 2.0 * i and r[REASONS_COLUMN] is None
            seen.append(i)
    assert len(seen) == 6


# -- write_scored --------------------------------------------------------------------------


def test_write_scored_writes_scored_and_rejected_as_one_pair(spark, tmp_path):
    out = tmp_path / "scores"
    result = sss.write_scored(
        _flat(spark, 12), lambda pdf: pdf["x"] + 1, SIGNATURE, str(out), strict_nulls=True
    )
    assert (result.scored_rows, result.rejected_rows) == (8, 4)
    assert result.strategy is Strategy.TWO_WRITES
    scored = spark.read.parquet(result.scored_path)
    assert scored.columns == ["id", "x", "prediction"]
    assert all(r["prediction"] == r["x"] + 1 for r in scored.collect())
    rejected = spark.read.parquet(result.rejected_path)
    assert set(_ids(rejected)) == {0, 3, 6, 9}
    assert {tuple(_labels(r)) for r in rejected.collect()} == {("null_in_required:x",)}
    manifest = json.loads((out / MANIFEST).read_text())
    assert (manifest["scored_rows"], manifest["rejected_rows"]) == (8, 4)
    assert manifest["strategy"] == "two_writes"
    with pytest.raises(ss.InvalidArgumentError, match="exists"):
        sss.write_scored(_flat(spark), lambda pdf: pdf["x"], SIGNATURE, str(out))
    again = sss.write_scored(
        _flat(spark, 3), lambda pdf: pdf["x"], SIGNATURE, str(out), if_exists="overwrite"
    )
    assert again.scored_rows + again.rejected_rows == 3


def test_write_scored_checkpoints_a_nondeterministic_input_and_keeps_every_row_once(
    spark, tmp_path
):
    frame = spark.range(3000).select("id", F.when(F.rand(3) < 0.3, F.lit(2.0)).alias("x"))
    result = sss.write_scored(
        frame, lambda pdf: pdf["x"], SIGNATURE, str(tmp_path / "s"), strict_nulls=True
    )
    assert result.strategy is Strategy.CHECKPOINT
    good = _ids(spark.read.parquet(result.scored_path))
    bad = _ids(spark.read.parquet(result.rejected_path))
    assert set(good).isdisjoint(bad) and len(good) + len(bad) == 3000
    assert (len(good), len(bad)) == (result.scored_rows, result.rejected_rows)


def test_write_scored_with_a_missing_column_never_binds_the_model(spark, tmp_path):
    def model(pdf):
        raise AssertionError("the model was called")

    result = sss.write_scored(spark.range(4), model, SIGNATURE, str(tmp_path / "s"))
    assert (result.scored_rows, result.rejected_rows, result.strategy) == (
        0,
        4,
        Strategy.ONE_WRITE,
    )
    assert spark.read.parquet(result.scored_path).columns == ["id", "prediction"]


# -- one call shape ------------------------------------------------------------------------


def _deprecations(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = call()
    return out, [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]


def test_the_old_call_shapes_still_work_and_say_what_to_write_instead(spark, tmp_path):
    frame = _flat(spark, 6)
    new = sss.conform(frame, SCHEMA, on_error="quarantine", key_columns=())
    old, said = _deprecations(lambda: sss.conform(frame, SCHEMA, "quarantine", ()))
    assert said == [
        "passing on_error, keep_columns by position to conform() is deprecated: pass "
        "on_error=..., key_columns=... (keyword-only from sparksig 0.3)"
    ]
    assert_df_equality(old[0], new[0], ignore_row_order=True)
    _, said = _deprecations(
        lambda: sss.conform(frame, schema_or_signature=SCHEMA, on_error="drop", keep_columns=[])
    )
    assert sorted(said) == [
        "conform(keep_columns=...) is deprecated: pass key_columns=... (removed in sparksig 0.3)",
        "conform(schema_or_signature=...) is deprecated: pass signature=... (removed in "
        "sparksig 0.3)",
    ]
    report, said = _deprecations(lambda: sss.validate(frame, SCHEMA, "full"))
    assert not report.ok and said and "mode=..." in said[0]
    written, said = _deprecations(
        lambda: sss.write_quarantine(frame, SCHEMA, str(tmp_path / "q"), mode="error")
    )
    assert written.rejected_rows == 2 and said == [
        "write_quarantine(mode=...) is deprecated: pass if_exists=... (removed in sparksig 0.3)"
    ]


def test_a_call_shape_error_is_a_type_error_naming_the_argument(spark):
    frame = _flat(spark, 3)
    with pytest.raises(TypeError, match="both keep_columns= and key_columns="):
        sss.conform(frame, SCHEMA, keep_columns=[], key_columns=[])
    with pytest.raises(TypeError, match="takes 2 positional arguments but 6 were given"):
        sss.conform(frame, SCHEMA, "raise", (), True, "extra")
    with (
        pytest.raises(TypeError, match="multiple values for argument 'on_error'"),
        pytest.warns(DeprecationWarning, match="passing on_error by position"),
    ):
        sss.conform(frame, SCHEMA, "drop", on_error="drop")
    with pytest.raises(ss.InvalidArgumentError, match="if_exists must be one of"):
        sss.write_quarantine(frame, SCHEMA, "/nonexistent/q", if_exists="append")


def test_checks_is_one_object_for_the_repeated_keywords(spark):
    frame = spark.createDataFrame([(1, float("nan")), (2, None), (3, 1.0)], "id long, x double")
    by_object = sss.conform(
        frame, SCHEMA, on_error="mark", checks=ss.Checks(strict_nulls=False, finite_only=True)
    )
    by_keywords = sss.conform(frame, SCHEMA, on_error="mark", strict_nulls=False, finite_only=True)
    assert_df_equality(by_object, by_keywords, ignore_row_order=True, allow_nan_equality=True)
    assert {r["id"]: r[REASONS_COLUMN] is None for r in by_object.collect()} == {
        1: False,
        2: True,
        3: True,
    }
    # a flat keyword overrides the object's field
    strict = sss.conform(
        frame, SCHEMA, on_error="mark", checks=ss.Checks(strict_nulls=False), strict_nulls=True
    )
    assert {r["id"] for r in strict.collect() if r[REASONS_COLUMN] is not None} == {2}
    with pytest.raises(ss.InvalidArgumentError, match="strict_nulls must be True or False"):
        ss.Checks(strict_nulls="yes")  # type: ignore[arg-type]
    with pytest.raises(ss.InvalidArgumentError, match="engine must be one of"):
        ss.Checks(engine="fast")  # type: ignore[arg-type]
    with pytest.raises(ss.InvalidArgumentError, match=r"checks must be a sparksig\.Checks"):
        sss.conform(frame, SCHEMA, checks={"strict_nulls": False})  # type: ignore[arg-type]
