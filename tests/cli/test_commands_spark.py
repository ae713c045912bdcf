"""infer, validate and score through click on real files, in the test run's one SparkSession.

The commands call ``get_session()``, which returns the session the ``spark`` fixture started,
so these tests share one JVM. Expected signatures and counts are worked out by hand from the
rows written below.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sparksig import ColSpec, ModelSignature, Object, Property, Schema
from sparksig.cli.inputs import load_signature
from tests.labels import labels

ADDR = pa.struct([pa.field("city", pa.string()), pa.field("zip", pa.string())])
SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64()),
        pa.field("amount", pa.float64()),
        pa.field("note", pa.string()),
        pa.field("addr", ADDR),
    ]
)


def _rows(n, null_amount=(), null_city=()):
    return pa.table(
        {
            "id": list(range(n)),
            "amount": [None if i in null_amount else i * 1.5 for i in range(n)],
            "note": [None if i % 3 == 0 else f"n{i}" for i in range(n)],
            "addr": [
                {"city": None if i in null_city else "Oslo", "zip": None if i % 2 else "0150"}
                for i in range(n)
            ],
        },
        schema=SCHEMA,
    )


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    root = tmp_path_factory.mktemp("tables")
    clean = root / "clean.parquet"
    dirty = root / "dirty.parquet"
    pq.write_table(_rows(20), clean)
    # 2 null amounts (rows 4, 9) and 1 null addr.city (row 4 again, and row 11): 3 bad rows
    pq.write_table(_rows(20, null_amount={4, 9}, null_city={4, 11}), dirty)
    return clean, dirty


# -- infer -----------------------------------------------------------------------------------


def test_infer_full_writes_the_expected_signature(spark, invoke, tables, tmp_path):
    clean, _ = tables
    out = tmp_path / "sig.json"
    result = invoke("infer", clean, "--mode", "full", "-o", out, "--no-progress")
    assert result.exit_code == 0, result.output
    # note has nulls (every third row) and zip has nulls (odd rows): optional; the rest required
    expected = Schema(
        [
            ColSpec("long", "id"),
            ColSpec("double", "amount"),
            ColSpec("string", "note", required=False),
            ColSpec(Object([Property("city", "string"), Property("zip", "string", False)]), "addr"),
        ]
    )
    assert load_signature(str(out)) == ModelSignature(inputs=expected)
    assert "note: string  optional" in result.stdout
    assert "zip: string  optional" in result.stdout
    assert "from 20 of 20 rows (full)" in result.stderr


def test_infer_csv_as_json_and_into_an_mlmodel(spark, invoke, tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("name,age,score\nann,31,1.5\nbob,,2.0\n")
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "MLmodel").write_text("flavors: {}\n")
    result = invoke("infer", csv, "--format", "json", "--mode", "full", "-o", model_dir)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # Spark's CSV type inference: integers -> int (our "integer"), decimals -> double
    assert doc["inputs"] == [
        {"type": "string", "name": "name", "required": True},
        {"type": "integer", "name": "age", "required": False},
        {"type": "double", "name": "score", "required": True},
    ]
    assert doc["outputs"] is None and doc["params"] is None
    assert load_signature(str(model_dir)).inputs.to_dict() == doc["inputs"]


def test_infer_from_a_table_name(spark, invoke):
    spark.createDataFrame([(1, "a")], "k long, v string").createOrReplaceTempView("cli_view")
    result = invoke("infer", "--table", "cli_view", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [c["name"] for c in json.loads(result.stdout)["inputs"]] == ["k", "v"]
    assert "from 1 of 1 rows (full)" in result.stderr  # every row by default


def test_infer_sampled_reports_the_seed(spark, invoke, tables):
    clean, _ = tables
    result = invoke("infer", clean, "--mode", "sampled", "--max-rows", "5", "--seed", "11")
    assert result.exit_code == 0, result.output
    assert "(sampled, seed 11)" in result.stderr


def test_infer_missing_path_is_a_usage_error(spark, invoke, tmp_path):
    result = invoke("infer", tmp_path / "absent.parquet")
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


# -- validate --------------------------------------------------------------------------------


def test_validate_clean_table_exits_0(spark, invoke, tables, signature_file):
    clean, _ = tables
    result = invoke("validate", clean, "--signature", signature_file, "--no-progress")
    assert result.exit_code == 0, result.output
    assert "No violations" in result.stdout
    assert "OK: 20 rows checked (full)" in result.stderr


def test_validate_violations_exit_1_with_a_table(spark, invoke, tables, signature_file):
    _, dirty = tables
    result = invoke("validate", dirty, "--signature", signature_file)
    assert result.exit_code == 1, result.output
    assert "null_in_required" in result.stdout
    assert "amount" in result.stdout and "addr.city" in result.stdout
    assert "FAILED: 20 rows checked (full)" in result.stderr and "2 violation(s)" in result.stderr


def test_validate_json_has_exact_counts(spark, invoke, tables, signature_file, tmp_path):
    _, dirty = tables
    result = invoke("validate", dirty, "-s", signature_file, "--format", "json", "--key", "id")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)  # stdout is pure JSON; the summary went to stderr
    assert doc["ok"] is False and doc["mode"] == "full" and doc["rows_checked"] == 20
    counts = {(v["code"], v["column_path"]): v["count"] for v in doc["violations"]}
    assert counts == {("null_in_required", "amount"): 2, ("null_in_required", "addr.city"): 2}
    # --key attaches the row ids to the examples
    amount = next(v for v in doc["violations"] if v["column_path"] == "amount")
    assert sorted(e["keys"]["id"] for e in amount["examples"]) == [4, 9]


def test_validate_sampled_reports_its_mode(spark, invoke, tables, signature_file):
    _, dirty = tables
    result = invoke(
        "validate", dirty, "-s", signature_file, "--mode", "sampled", "--fraction", "1.0",
        "--seed", "3", "--format", "json",
    )  # fmt: skip
    doc = json.loads(result.stdout)
    assert doc["mode"] == "sampled"
    # fraction 1.0 keeps every row, so the sample holds all 20 rows and both problems
    assert doc["rows_checked"] == 20
    assert result.exit_code == 1


def test_validate_a_sample_that_held_no_rows_is_inconclusive_and_exits_1(
    spark, invoke, tables, signature_file
):
    clean, _ = tables  # clean data: only the empty sample can make this run non-zero
    result = invoke(
        "validate", clean, "-s", signature_file, "--mode", "sampled", "--fraction", "1e-9",
        "--no-progress",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "Inconclusive" in result.stdout and "No violations" not in result.stdout


def test_validate_html_report(spark, invoke, tables, signature_file, tmp_path):
    _, dirty = tables
    out = tmp_path / "report.html"
    result = invoke("validate", dirty, "-s", signature_file, "--format", "html", "-o", out)
    assert result.exit_code == 1
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert 'data-column="amount" data-count="2"' in page
    assert 'data-column="addr.city" data-count="2"' in page
    assert str(dirty) in page


def test_validate_quarantine_splits_every_row_once(spark, invoke, tables, signature_file, tmp_path):
    _, dirty = tables
    out = tmp_path / "q"
    result = invoke("validate", dirty, "-s", signature_file, "--quarantine", out, "--key", "id")
    assert result.exit_code == 1, result.output
    valid = spark.read.parquet(str(out / "valid"))
    rejected = spark.read.parquet(str(out / "rejected"))
    # bad rows: 4 (amount and city), 9 (amount), 11 (city)
    assert sorted(r.id for r in rejected.collect()) == [4, 9, 11]
    assert valid.count() == 17
    assert sorted(r.id for r in valid.collect()) == sorted(set(range(20)) - {4, 9, 11})
    reasons = {r.id: sorted(labels(r._sparksig_reasons)) for r in rejected.collect()}
    assert reasons[9] == ["null_in_required:amount"]
    assert "17 valid rows" in result.stderr and "3 rejected rows" in result.stderr
    # The outputs exist now: a second run without --overwrite refuses before any Spark work.
    again = invoke("validate", dirty, "-s", signature_file, "--quarantine", out)
    assert again.exit_code == 2
    assert "--overwrite" in again.stderr


def test_validate_missing_column_is_a_violation(spark, invoke, tmp_path, signature_file):
    data = tmp_path / "narrow.parquet"
    pq.write_table(pa.table({"id": [1, 2]}), data)
    result = invoke("validate", data, "-s", signature_file, "--format", "json")
    assert result.exit_code == 1
    found = {(v["code"], v["column_path"]) for v in json.loads(result.stdout)["violations"]}
    assert ("missing_column", "amount") in found and ("missing_column", "addr") in found


# -- score -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from sparksig import models

    path = tmp_path_factory.mktemp("models") / "doubler"
    signature = ModelSignature(Schema([ColSpec("double", "amount")]), Schema([ColSpec("double")]))
    models.save_model(path, lambda df: df["amount"] * 2, signature=signature)
    return path


def test_score_writes_predictions(spark, invoke, tables, model_dir, tmp_path):
    clean, _ = tables
    out = tmp_path / "scored"
    result = invoke("score", clean, "--model", model_dir, "-o", out, "--no-progress")
    assert result.exit_code == 0, result.output
    rows = spark.read.parquet(str(out)).orderBy("id").collect()
    assert [r.prediction for r in rows] == [i * 1.5 * 2 for i in range(20)]
    assert "scored 20 rows" in result.stderr


def test_score_rejects_data_that_breaks_the_signature(spark, invoke, tmp_path, model_dir):
    data = tmp_path / "strings.parquet"
    pq.write_table(pa.table({"amount": ["1.0", "x"]}), data)
    result = invoke("score", data, "--model", model_dir, "-o", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "amount" in result.stderr
    assert "Traceback" not in result.stderr


def test_score_missing_model_is_a_usage_error(spark, invoke, tables, tmp_path):
    clean, _ = tables
    result = invoke("score", clean, "--model", tmp_path / "nomodel", "-o", tmp_path / "o")
    assert result.exit_code == 2
    assert "MLmodel" in result.stderr


# -- progress --------------------------------------------------------------------------------


def test_snapshot_reads_a_running_job_from_the_real_status_tracker(spark, tmp_path):
    """The job's two tasks block on a gate file, so the stage is surely active when read."""
    import threading

    from sparksig.cli.progress import snapshot

    gate = tmp_path / "gate"

    def wait_for_gate(rows):
        import os
        import threading as th

        pause = th.Event()
        for _ in range(2400):  # a barrier, bounded at ~2 minutes, not a timing assumption
            if os.path.exists(gate):
                break
            pause.wait(0.05)
        yield sum(1 for _ in rows)

    result = {}
    job = threading.Thread(
        target=lambda: result.update(
            n=spark.sparkContext.parallelize(range(10), 2).mapPartitions(wait_for_gate).sum()
        )
    )
    job.start()
    tracker, states, pause = spark.sparkContext.statusTracker(), (), threading.Event()
    try:
        for _ in range(2400):
            states = snapshot(tracker)
            if states:
                break
            pause.wait(0.05)
    finally:
        gate.touch()
        job.join(timeout=300)
    assert result["n"] == 10
    assert len(states) == 1
    assert states[0].tasks_total == 2
    assert states[0].tasks_done == 0  # read while both tasks were waiting at the gate


def test_score_with_params_and_a_bad_param(spark, invoke, tmp_path):
    from sparksig import ParamSchema, ParamSpec, models

    path = tmp_path / "scaler"
    signature = ModelSignature(
        Schema([ColSpec("double", "amount")]),
        Schema([ColSpec("double")]),
        ParamSchema([ParamSpec("factor", "double", 1.0)]),
    )
    models.save_model(path, lambda df, params: df["amount"] * params["factor"], signature=signature)
    data = tmp_path / "amounts.parquet"
    pq.write_table(pa.table({"amount": [1.0, 2.0]}), data)
    out = tmp_path / "scored"
    ok = invoke("score", data, "-m", path, "-o", out, "--param", "factor=10", "--output-col", "y")
    assert ok.exit_code == 0, ok.output
    assert sorted(r.y for r in spark.read.parquet(str(out)).collect()) == [10.0, 20.0]
    bad = invoke("score", data, "-m", path, "-o", tmp_path / "o2", "--param", "factor=abc")
    assert bad.exit_code == 2  # a param the signature rejects is a usage error, not bad data
    assert "factor" in bad.stderr and "Traceback" not in bad.stderr


def test_score_quarantine_scores_good_rows_and_routes_bad_ones(spark, invoke, tables, tmp_path):
    from sparksig import Object, Property, models

    _, dirty = tables
    path = tmp_path / "city_model"
    signature = ModelSignature(
        Schema(
            [
                ColSpec("long", "id"),
                ColSpec(
                    Object([Property("city", "string"), Property("zip", "string", False)]), "addr"
                ),
            ]
        ),
        Schema([ColSpec("long")]),
    )
    models.save_model(path, lambda df: df["id"] * 10, signature=signature)
    scored, rejected = tmp_path / "scored", tmp_path / "rejected"
    result = invoke(
        "score", dirty, "--model", path, "-o", scored, "--quarantine", rejected, "--no-progress"
    )
    # rows 4 and 11 have a null addr.city: not scored, routed with their reason; exit 1
    assert result.exit_code == 1, result.output
    said = " ".join(result.stderr.split())  # rich wraps long lines (the tmp path's length)
    assert "18 rows" in said and "2 rows rejected" in said
    good = spark.read.parquet(str(scored)).orderBy("id").collect()
    assert [(r.id, r.prediction) for r in good] == [
        (i, i * 10) for i in range(20) if i not in (4, 11)
    ]
    bad = spark.read.parquet(str(rejected)).orderBy("id").collect()
    assert [(r.id, labels(r._sparksig_reasons)) for r in bad] == [
        (4, ["null_in_required:addr.city"]),
        (11, ["null_in_required:addr.city"]),
    ]


def test_validate_engines_and_file_sampling_from_the_command_line(
    spark, invoke, tables, signature_file, tmp_path
):
    _, dirty = tables
    counts = {}
    for engine in ("native", "arrow"):
        result = invoke(
            "validate", dirty, "--signature", signature_file, "--engine", engine, "--format", "json"
        )
        assert result.exit_code == 1, result.output
        report = json.loads(result.stdout)
        assert report["engine"] == engine
        counts[engine] = {(v["code"], v["column_path"]): v["count"] for v in report["violations"]}
    assert counts["native"] == counts["arrow"]
    assert counts["native"][("null_in_required", "amount")] == 2
    folder = tmp_path / "many"
    spark.read.parquet(str(dirty)).repartition(4).write.parquet(str(folder))
    result = invoke(
        "validate",
        folder,
        "--signature",
        signature_file,
        "--mode",
        "sampled",
        "--sampling",
        "files",
        "--fraction",
        "0.5",
        "--format",
        "json",
    )
    report = json.loads(result.stdout)
    assert (report["sampling"], report["files_read"], report["files_total"]) == ("files", 2, 4)
