"""Inputs Spark cannot read, malformed CSV/JSON records, catalog tables, failed scoring jobs.

In the test run's one SparkSession. Every unreadable input must exit 2 with one line that
names it; data problems still exit 1; a failed ``score`` leaves nothing behind.
"""

from __future__ import annotations

import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sparksig import ColSpec, ModelSignature, Schema


def _parquet_bytes() -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(
        pa.table({"id": list(range(200)), "amount": [i * 0.5 for i in range(200)]}), sink
    )
    return sink.getvalue().to_pybytes()


def _make(kind: str, root) -> str:
    """An unreadable input of the given kind under ``root``; returns its path."""
    good = _parquet_bytes()
    if kind == "empty folder":
        (root / "empty").mkdir()
        return str(root / "empty")
    if kind == "zero-byte parquet":
        (root / "zero.parquet").write_bytes(b"")
        return str(root / "zero.parquet")
    if kind == "truncated parquet":
        (root / "cut.parquet").write_bytes(good[: len(good) // 2])
        return str(root / "cut.parquet")
    if kind == "garbage parquet":
        (root / "junk.parquet").write_bytes(bytes(range(256)) * 3)
        return str(root / "junk.parquet")
    if kind == "folder with one corrupt part":  # the footer of part-1 is read at the first job
        (root / "parts").mkdir()
        (root / "parts" / "part-0.parquet").write_bytes(good)
        (root / "parts" / "part-1.parquet").write_bytes(b"PAR1" + bytes(300) + good[-8:])
        return str(root / "parts")
    if kind == "zero-byte csv":
        (root / "zero.csv").write_bytes(b"")
        return str(root / "zero.csv")
    if kind == "zero-byte json":
        (root / "zero.json").write_bytes(b"")
        return str(root / "zero.json")
    if kind == "json that is not json":
        (root / "text.json").write_text("this is not json\nneither is this\n")
        return str(root / "text.json")
    raise AssertionError(kind)


KINDS = (
    "empty folder",
    "zero-byte parquet",
    "truncated parquet",
    "garbage parquet",
    "folder with one corrupt part",
    "zero-byte csv",
    "zero-byte json",
    "json that is not json",
)


@pytest.fixture(scope="module")
def amount_model(tmp_path_factory):
    from sparksig import models

    path = tmp_path_factory.mktemp("models") / "doubler"
    signature = ModelSignature(Schema([ColSpec("double", "amount")]), Schema([ColSpec("double")]))
    models.save_model(path, lambda df: df["amount"] * 2, signature=signature)
    return path


@pytest.fixture
def amount_signature(tmp_path):
    path = tmp_path / "sig.json"
    path.write_text('{"inputs": [{"type": "double", "name": "amount"}]}')
    return path


def _assert_one_line_naming(result, path):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and path in lines[0]
    assert "Traceback" not in result.output and "\tat " not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize("kind", KINDS)
def test_unreadable_input_exits_2_with_one_line(
    spark, invoke, tmp_path, kind, amount_signature, amount_model
):
    path = _make(kind, tmp_path)
    _assert_one_line_naming(invoke("infer", path, "--no-progress"), path)
    _assert_one_line_naming(invoke("validate", path, "-s", amount_signature), path)
    out = tmp_path / "scored"
    _assert_one_line_naming(invoke("score", path, "-m", amount_model, "-o", out), path)
    assert not out.exists()


def test_a_corrupt_part_is_named_inside_its_folder(spark, invoke, tmp_path, amount_signature):
    path = _make("folder with one corrupt part", tmp_path)
    result = invoke("validate", path, "-s", amount_signature)
    assert result.exit_code == 2
    assert "part-1.parquet" in result.stderr and "part-0.parquet" not in result.stderr


def test_a_missing_catalog_table_exits_2_with_one_line(spark, invoke, amount_signature):
    for args in (("infer", "--table", "no_such_table"), ("validate", "--table", "no_such_table")):
        result = invoke(*args, "-s", amount_signature) if args[0] == "validate" else invoke(*args)
        _assert_one_line_naming(result, "no_such_table")
        assert "no such table" in result.stderr


# -- catalog tables ----------------------------------------------------------------------------


@pytest.fixture
def catalog_tables(spark, tmp_path):
    """Two managed tables written with saveAsTable into a database stored under tmp_path.

    The session's warehouse folder is fixed when the session starts; a database with its
    own LOCATION keeps the table files in the test's temporary folder instead.
    """
    database = "sparksig_cli_tests"
    spark.sql(f"DROP DATABASE IF EXISTS {database} CASCADE")
    spark.sql(f"CREATE DATABASE {database} LOCATION '{(tmp_path / 'warehouse').as_uri()}'")
    rows = [(i, float(i)) for i in range(10)]
    spark.createDataFrame(rows, "id long, amount double").write.saveAsTable(f"{database}.clean")
    dirty = [(i, None if i in (2, 7) else float(i)) for i in range(10)]
    spark.createDataFrame(dirty, "id long, amount double").write.saveAsTable(f"{database}.dirty")
    yield database
    spark.sql(f"DROP DATABASE IF EXISTS {database} CASCADE")


def test_infer_and_validate_a_catalog_table(spark, invoke, catalog_tables, tmp_path):
    out = tmp_path / "sig.json"
    inferred = invoke("infer", "--table", f"{catalog_tables}.dirty", "-o", out, "--format", "json")
    assert inferred.exit_code == 0, inferred.output
    # amount holds nulls in rows 2 and 7 of the dirty table: optional there
    assert json.loads(inferred.stdout)["inputs"] == [
        {"type": "long", "name": "id", "required": True},
        {"type": "double", "name": "amount", "required": False},
    ]
    assert "from 10 of 10 rows" in inferred.stderr
    strict = tmp_path / "strict.json"
    strict.write_text(
        '{"inputs": [{"type": "long", "name": "id"}, {"type": "double", "name": "amount"}]}'
    )
    clean = invoke("validate", "--table", f"{catalog_tables}.clean", "-s", strict)
    assert clean.exit_code == 0, clean.output
    dirty = invoke(
        "validate", "--table", f"{catalog_tables}.dirty", "-s", strict, "--format", "json"
    )
    assert dirty.exit_code == 1
    found = [
        (v["code"], v["column_path"], v["count"]) for v in json.loads(dirty.stdout)["violations"]
    ]
    assert found == [("null_in_required", "amount", 2)]
    assert (tmp_path / "warehouse").is_dir()  # the tables lived in the test's folder


# -- malformed CSV and JSON records ------------------------------------------------------------


@pytest.fixture
def ragged_csv(tmp_path):
    """Header of 2 fields; rows 3 and 5 (file lines 3 and 5) have 3 and 4 fields, row 4 has 1."""
    path = tmp_path / "ragged.csv"
    path.write_text('id,amount\n1,1.5\n2,2.5,EXTRA\n3\n4,4.5,X,Y\n"5",5.5\n')
    return path


def test_infer_warns_about_csv_rows_with_the_wrong_number_of_fields(spark, invoke, ragged_csv):
    result = invoke("infer", ragged_csv, "--format", "json")
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1
    assert str(ragged_csv) in warning[0]
    assert "3 CSV rows do not have the header's 2 fields" in warning[0]
    assert "'2,2.5,EXTRA'" in warning[0] and "'4,4.5,X,Y'" in warning[0]


@pytest.mark.parametrize("command", ["validate", "score"])
def test_validate_and_score_refuse_a_csv_with_malformed_rows(
    spark, invoke, ragged_csv, amount_signature, amount_model, tmp_path, command
):
    out = tmp_path / "scored"
    if command == "validate":
        result = invoke("validate", ragged_csv, "-s", amount_signature)
    else:
        result = invoke("score", ragged_csv, "-m", amount_model, "-o", out)
    _assert_one_line_naming(result, str(ragged_csv))
    assert "3 CSV rows do not have the header's 2 fields" in result.stderr
    assert f"{command} refuses" in result.stderr
    assert not out.exists()


def test_a_well_formed_csv_gets_no_warning(spark, invoke, tmp_path, amount_signature):
    path = tmp_path / "fine.csv"
    path.write_text('amount,note\n1.5,"a, quoted comma"\n2.5,\n')
    inferred = invoke("infer", path)
    assert inferred.exit_code == 0 and "warning" not in inferred.stderr
    validated = invoke("validate", path, "-s", amount_signature)
    assert validated.exit_code == 0, validated.output


def test_json_lines_that_do_not_parse_are_counted(spark, invoke, tmp_path, amount_signature):
    path = tmp_path / "some.json"
    path.write_text('{"amount": 1.5}\n{"amount": 2.5,\n{"amount": 3.5}\nnot json\n')
    inferred = invoke("infer", path)
    assert inferred.exit_code == 0
    assert "2 JSON rows cannot be parsed" in inferred.stderr and "'not json'" in inferred.stderr
    refused = invoke("validate", path, "-s", amount_signature)
    assert refused.exit_code == 2 and "2 JSON rows cannot be parsed" in refused.stderr


# -- failed scoring jobs -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def failing_model(tmp_path_factory):
    from sparksig import models

    def predict(df):
        raise ZeroDivisionError("the model divided by zero")

    path = tmp_path_factory.mktemp("models") / "failing"
    signature = ModelSignature(Schema([ColSpec("double", "amount")]), Schema([ColSpec("double")]))
    models.save_model(path, predict, signature=signature)
    return path


@pytest.fixture
def amounts(tmp_path):
    path = tmp_path / "amounts.parquet"
    pq.write_table(pa.table({"amount": [1.0, 2.0, 3.0]}), path)
    return path


def _leftovers(folder, name):
    return [entry for entry in os.listdir(folder) if name in entry]


def test_a_failing_model_gives_one_error_and_no_output(
    spark, invoke, amounts, failing_model, tmp_path
):
    out = tmp_path / "scored"
    result = invoke("score", amounts, "-m", failing_model, "-o", out)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "Error: scoring failed: ZeroDivisionError: the model divided by zero"
    )
    assert "Traceback" not in result.output
    assert _leftovers(tmp_path, "scored") == []  # no output, no hidden staging folder
    verbose = invoke("score", amounts, "-m", failing_model, "-o", out, "--verbose")
    assert verbose.exit_code == 1 and "Traceback" in verbose.stderr  # the full error on request


def test_a_failed_overwrite_keeps_the_previous_output(
    spark, invoke, amounts, amount_model, failing_model, tmp_path
):
    out = tmp_path / "scored"
    first = invoke("score", amounts, "-m", amount_model, "-o", out)
    assert first.exit_code == 0, first.output
    failed = invoke("score", amounts, "-m", failing_model, "-o", out, "--overwrite")
    assert failed.exit_code == 1
    assert sorted(r.prediction for r in spark.read.parquet(str(out)).collect()) == [2.0, 4.0, 6.0]
    assert _leftovers(tmp_path, "scored") == ["scored"]
    again = invoke("score", amounts, "-m", amount_model, "-o", out, "--overwrite")
    assert again.exit_code == 0 and _leftovers(tmp_path, "scored") == ["scored"]


def test_a_signature_violation_in_scoring_is_reported_cleanly(
    spark, invoke, amount_model, tmp_path
):
    data = tmp_path / "strings.parquet"
    pq.write_table(pa.table({"amount": ["1.0", "x"]}), data)
    out = tmp_path / "scored"
    result = invoke("score", data, "-m", amount_model, "-o", out)
    assert result.exit_code == 1
    first, *rest = result.stderr.strip().splitlines()
    assert first.startswith("Error: ") and "SchemaEnforcementError" not in first
    assert "(" not in first  # not a line of Python source, as the old first line was
    assert rest and all(line.startswith("- [") for line in rest)
    assert any("amount" in line and "type_mismatch" in line for line in rest)
    assert _leftovers(tmp_path, "scored") == []


def test_a_report_into_a_missing_folder_makes_the_folder(
    spark, invoke, amounts, amount_signature, tmp_path
):
    """As infer -o does; a folder that cannot be made is refused before Spark (offline tests)."""
    made = tmp_path / "new" / "report.json"
    result = invoke("validate", amounts, "-s", amount_signature, "--format", "json", "-o", made)
    assert result.exit_code == 0, result.output
    assert json.loads(made.read_text())["ok"] is True
