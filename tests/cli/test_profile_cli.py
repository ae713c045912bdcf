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
