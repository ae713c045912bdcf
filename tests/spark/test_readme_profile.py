"""The README's "Profile and drift" section runs as written: its Python blocks in order, on the
shared session, with its YAML block saved as ``constraints.yaml`` and its ``sparksig`` command
lines run in between, in an empty folder. (``tests/unit/test_package.py`` runs the README's
other blocks; these say ``# no-test here`` because they need a SparkSession.)

Spark resolves a relative path against its JVM's working folder, which a test's ``chdir``
does not move, so the paths Spark reads and writes (:data:`SPARK_PATHS`) are made absolute,
under the test's folder, before a block runs; for a reader's script both folders are one."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from sparksig.cli.app import cli

ROOT = Path(__file__).resolve().parents[2]
MARKER = "tests/spark/test_readme_profile.py"
SPARK_PATHS = ("train.parquet", "tonight")


def _anchored(text: str, folder: Path, *, quoted: bool) -> str:
    """``text`` with each of :data:`SPARK_PATHS` (a Python string literal, or a command-line
    word) made absolute under ``folder``."""
    for path in SPARK_PATHS:
        if quoted:
            text = text.replace(f'"{path}"', f'"{folder / path}"')
        else:
            text = re.sub(rf"(?<!\S){re.escape(path)}(?!\S)", str(folder / path), text)
    return text


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("\n## Profile and drift\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _blocks(section: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w+)\n(.*?)```", section, flags=re.S)


def test_the_section_is_where_the_test_looks_and_marks_its_blocks():
    blocks = _blocks(_section())
    python = [b for tag, b in blocks if tag == "python" and MARKER in b]
    assert len(python) >= 5  # profile, yaml in Python, validate, route, MLflow
    assert [tag for tag, _ in blocks].count("yaml") == 1
    assert [tag for tag, _ in blocks].count("bash") == 1


@pytest.mark.mlflow  # the section's last block logs to MLflow
def test_the_profile_and_drift_section_runs_as_written(spark, tmp_path, monkeypatch):
    import mlflow

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri((tmp_path / "mlruns").as_uri())
    namespace: dict = {"spark": spark}
    commands = 0
    try:
        for tag, block in _blocks(_section()):
            block = _anchored(block, tmp_path, quoted=tag == "python")
            if tag == "yaml":
                (tmp_path / "constraints.yaml").write_text(block)
            elif tag == "bash":
                for line in block.splitlines():
                    if not line.startswith("sparksig "):
                        continue
                    args = shlex.split(line.split("#")[0])[1:]
                    result = CliRunner().invoke(cli, args, catch_exceptions=False)
                    assert result.exit_code == 0, (line, result.output)
                    commands += 1
            elif tag == "python" and MARKER in block:
                exec(compile(block, "README.md", "exec"), namespace)
    finally:
        mlflow.set_tracking_uri(None)
    assert commands == 3
    # what the prose around the blocks says
    assert namespace["report"].drift.columns[0].path == "income"
    assert (tmp_path / "profile.json").is_file() and (tmp_path / "model" / "profile.json").is_file()
    client = mlflow.tracking.MlflowClient((tmp_path / "mlruns").as_uri())
    (run,) = client.search_runs(["0"])
    assert run.data.metrics["sparksig.drift.income.psi"] > 0.25
    assert run.data.metrics["sparksig.violations.not_in_domain"] == 50.0
