"""``sparksig show`` prints a model's profile (names escaped: no markup, no control
characters reach the terminal); ``sparksig profile TABLE --out`` writes one."""

from __future__ import annotations

import json
import os

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sparksig import models
from sparksig.profile import Range, suggest
from sparksig.profile.pandas import infer_profile

MARKUP = ["[/]x", "[red]y", "[link=https://example.com]z", "${HOME}", "a.b", "ctl\x1b[31m"]


def _train() -> pd.DataFrame:
    return pd.DataFrame(
        {
            MARKUP[0]: [1.0, 2.0, 3.0, None],
            MARKUP[1]: ["[bold]v", "w", "[bold]v", "\x1b[2J"],
            MARKUP[2]: [1, 2, 3, 4],
            MARKUP[3]: ["a", "b", "c", "d"],
            MARKUP[4]: [True, False, True, True],
            MARKUP[5]: [0.5, 0.5, 0.5, 0.5],
        }
    )


@pytest.fixture
def model_dir(tmp_path):
    path = tmp_path / "model"
    p = infer_profile(_train())
    models.save_model(
        path,
        lambda df: df.iloc[:, 0],
        input_example=_train(),
        profile=p.with_constraints(*suggest(p)),
    )
    return path


def test_show_prints_the_profile_with_names_as_written(invoke, model_dir):
    result = invoke("show", model_dir)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "training-data profile: 4 rows (exact)" in out
    for name in MARKUP[:5]:
        assert name in out, name
    assert "ctl\\x1b[31m" in out and "\x1b" not in out  # control characters written out
    assert '"[bold]v" 50%' in out and '"\\u001b[2J"' in out  # a value's control as JSON
    assert "constraint(s)" in out and "range" in out


def test_show_json_holds_the_profile(invoke, model_dir):
    result = invoke("show", model_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [c["path"] for c in doc["profile"]["columns"]] == MARKUP
    assert doc["profile"]["profile_version"] == 1


def test_show_a_model_without_a_profile_says_so(invoke, tmp_path):
    path = tmp_path / "m"
    models.save_model(path, lambda df: df, input_example=pd.DataFrame({"x": [1.0]}))
    result = invoke("show", path)
    assert result.exit_code == 0 and "no training-data profile saved" in result.stdout


def test_show_a_profile_file(invoke, tmp_path):
    file = tmp_path / "profile.json"
    file.write_text(infer_profile(_train()).with_constraints(Range(MARKUP[0], 0, 9)).to_json())
    result = invoke("show", file)
    assert result.exit_code == 0, result.output
    assert "profile in" in result.stdout and MARKUP[0] in result.stdout


def test_a_corrupt_profile_exits_2_naming_file_and_field(invoke, model_dir):
    file = model_dir / "profile.json"
    doc = json.loads(file.read_text())
    doc["columns"][2]["count"] = "lots"
    file.write_text(json.dumps(doc))
    result = invoke("show", model_dir)
    assert result.exit_code == 2
    assert "columns[2].count" in result.stderr and "profile.json" in result.stderr
    assert "Traceback" not in result.output


def test_profile_command_is_registered(invoke):
    result = invoke("profile", "--help")
    assert result.exit_code == 0 and "--out" in result.stdout and "--suggest" in result.stdout


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "train.parquet"
    pq.write_table(
        pa.table({"age": [18, 30, 45, None, 60], "[red]c": ["a", "b", "a", "a", None]}), path
    )
    return path


def test_profile_writes_a_model_directory_profile(spark, invoke, table, tmp_path, model_dir):
    pytest.importorskip("sparksig.spark.profiling")
    yaml_file = tmp_path / "constraints.yaml"
    yaml_file.write_text(
        'constraints:\n  - {type: range, path: age, minimum: 0, maximum: 130}\ndrop: ["[red]c", {path: age, type: domain}]\n'
    )
    result = invoke("profile", table, "--out", model_dir, "--suggest", "--constraints", yaml_file)
    assert result.exit_code == 0, result.output
    written = models.load_profile(model_dir)
    assert written.rows == 5 and written.approximate
    assert written.column("age").null_count == 1
    assert written.constraints_on("age") == (Range("age", 0, 130),)
    assert written.constraints_on("[red]c") == ()
    assert "[red]c" in result.stdout
    assert str(os.path.join(model_dir, "profile.json")) in result.stderr.replace("\n", "")


def test_profile_json_to_a_file(spark, invoke, table, tmp_path):
    pytest.importorskip("sparksig.spark.profiling")
    out = tmp_path / "p.json"
    result = invoke("profile", table, "--format", "json", "--out", out)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(out.read_text())
    assert invoke("show", out).exit_code == 0


# -- validate --profile --------------------------------------------------------------------


@pytest.fixture
def profiled_model(tmp_path):
    """A model whose training ages are 18, 30, 45 and 60, saved with the profile's suggestions
    (a range 18..60 and, four distinct integers being few, that domain)."""
    train = pd.DataFrame({"age": [18, 30, 45, 60], "[red]c": ["a", "b", "a", "a"]})
    p = infer_profile(train)
    path = tmp_path / "profiled"
    models.save_model(
        path, lambda df: df.iloc[:, 0], input_example=train, profile=p.with_constraints(*suggest(p))
    )
    return path


def _incoming(tmp_path, ages):
    path = tmp_path / "incoming.parquet"
    pq.write_table(pa.table({"age": ages, "[red]c": ["a"] * len(ages)}), path)
    return path


def test_validate_with_profile_reports_a_value_outside_the_training_range(
    spark, invoke, tmp_path, profiled_model
):
    data = _incoming(tmp_path, [30, 200, 45])
    result = invoke(
        "validate", data, "-s", profiled_model, "--profile", profiled_model, "--format", "json"
    )
    assert result.exit_code == 1, result.output
    found = {
        (v["code"], v["column_path"]): v["count"] for v in json.loads(result.stdout)["violations"]
    }
    assert found == {("out_of_range", "age"): 1, ("not_in_domain", "age"): 1}
    plain = invoke("validate", data, "-s", profiled_model, "--format", "json")
    assert plain.exit_code == 0 and json.loads(plain.stdout)["violations"] == []


def test_validate_quarantine_with_profile_rejects_the_out_of_range_row(
    spark, invoke, tmp_path, profiled_model
):
    data, out = _incoming(tmp_path, [30, 200, 45]), tmp_path / "q"
    result = invoke(
        "validate", data, "-s", profiled_model, "--profile", profiled_model, "--quarantine", out
    )
    assert result.exit_code == 1, result.output
    assert sorted(r["age"] for r in spark.read.parquet(str(out / "valid")).collect()) == [30, 45]
    rejected = spark.read.parquet(str(out / "rejected")).collect()
    assert [r["age"] for r in rejected] == [200]
    assert sorted((x["code"], x["path"]) for x in rejected[0]["_sparksig_reasons"]) == [
        ("not_in_domain", "age"),
        ("out_of_range", "age"),
    ]


def test_a_profile_option_without_a_profile_exits_2_before_spark_starts(invoke, tmp_path):
    bare = tmp_path / "bare"
    models.save_model(bare, lambda df: df.iloc[:, 0], input_example=pd.DataFrame({"age": [1]}))
    result = invoke("validate", "x.parquet", "-s", bare, "--profile", bare)
    assert result.exit_code == 2 and "holds no profile.json" in result.stderr
    other = tmp_path / "not-a-profile.json"
    other.write_text('{"inputs": []}')
    result = invoke("validate", "x.parquet", "-s", bare, "--profile", other)
    assert result.exit_code == 2 and "neither a profile JSON file" in result.stderr


def test_profile_exclude_leaves_a_key_out_and_names_an_unknown_column(
    spark, invoke, table, tmp_path
):
    out = tmp_path / "p.json"
    result = invoke("profile", table, "--exclude", "[red]c", "--out", out)
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert [c["path"] for c in written["columns"]] == ["age"]
    result = invoke("profile", table, "--exclude", "nope")
    assert (
        result.exit_code == 2 and "no column 'nope'" in result.stderr and "'age'" in result.stderr
    )


@pytest.mark.parametrize("name", ["a.b", "${HOME}", "`x`", "sp ace", "ünï"])
def test_profile_exclude_takes_a_hostile_name_as_written(spark, invoke, tmp_path, name):
    data = tmp_path / "t.parquet"
    pq.write_table(pa.table({name: [1, 2, 3], "keep": [1.0, 2.0, 3.0]}), data)
    out = tmp_path / "p.json"
    result = invoke("profile", data, "--exclude", name, "--out", out)
    assert result.exit_code == 0, result.output
    assert [c["path"] for c in json.loads(out.read_text())["columns"]] == ["keep"]
    kept = invoke("profile", data, "--exclude", "keep", "--out", out)
    assert kept.exit_code == 0, kept.output
    assert [c["path"] for c in json.loads(out.read_text())["columns"]] == [name]
