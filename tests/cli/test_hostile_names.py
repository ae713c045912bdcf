"""Names and values from files and data reach parsers and the terminal only as plain text.

Each test is one finding of a review of the CLI, server and model-directory surface: rich
markup in column names, terminal control characters, numbers too long for Python's int
parser, and YAML aliases that expand a small file into billions of values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sparksig import (
    ColSpec,
    ModelSignature,
    PayloadError,
    Schema,
    SerializationError,
    ValidationReport,
    Violation,
    models,
)
from sparksig.cli.app import cli
from sparksig.cli.console import out_console, report_table
from sparksig.models.mlmodel import MAX_YAML_VALUES, read_mlmodel


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def write_signature(path: Path, names_and_types: list[tuple[str, str]]) -> Path:
    doc = {"inputs": [{"type": t, "name": n, "required": True} for n, t in names_and_types]}
    path.write_text(json.dumps(doc))
    return path


MARKUP = ["[/]x", "[red]y", "[link=https://example.com]z"]


def test_column_names_that_look_like_markup_are_shown_as_written(tmp_path):
    old = write_signature(tmp_path / "old.json", [(n, "double") for n in MARKUP])
    new = write_signature(tmp_path / "new.json", [(n, "long") for n in MARKUP])
    diff = invoke("diff", old, new)  # a rich table of changes, one row per column
    assert diff.exit_code == 1, diff.output
    show = invoke("show", old)
    assert show.exit_code == 0, show.output
    for name in MARKUP:
        assert name in diff.stdout and name in show.stdout


def test_violation_examples_that_look_like_markup_render_as_written():
    report = ValidationReport(
        mode="full",
        rows_checked=3,
        violations=(Violation("type_mismatch", "[/]col", 2, ("[/]", "[bold]v"), "[/] bad"),),
    )
    console = out_console()
    with console.capture() as captured:
        console.print(report_table(report))
    text = captured.get()
    assert "[/]col" in text and "[bold]v" in text and "[/] bad" in text


def test_control_characters_in_names_never_reach_the_terminal(tmp_path):
    sig = write_signature(tmp_path / "sig.json", [("\x1b]0;owned\x07a", "long"), ("\rb", "long")])
    show = invoke("show", sig)
    assert show.exit_code == 0
    assert "\x1b" not in show.stdout and "\x07" not in show.stdout and "\r" not in show.stdout
    assert "\\x1b]0;owned\\x07a" in show.stdout
    bad = tmp_path / "bad\x1b[2J.json"
    bad.write_text("not json")
    failed = invoke("show", bad)
    assert failed.exit_code == 2
    assert "\x1b" not in failed.stderr and "bad\\x1b[2J.json" in failed.stderr


def test_model_metadata_that_looks_like_markup_is_shown_as_written(tmp_path):
    model = tmp_path / "model"
    models.save_model(model, lambda df: df["x"], input_example=pd.DataFrame({"x": [1.0]}))
    doc = read_mlmodel(model)
    doc["model_uuid"] = "[/]uuid[red]"
    from sparksig.models.mlmodel import write_mlmodel

    write_mlmodel(model, doc)
    show = invoke("show", model)
    assert show.exit_code == 0, show.output
    assert "[/]uuid[red]" in show.stdout


# -- numbers past Python's int parser ----------------------------------------------------------

HUGE = "9" * 5000  # Python refuses to turn more than 4,300 digits into an int (a ValueError)


def test_a_huge_number_in_a_signature_is_a_serialization_error(tmp_path):
    params = f'[{{"name": "k", "type": "long", "default": {HUGE}, "shape": null}}]'
    with pytest.raises(SerializationError, match="4300 digits"):
        ModelSignature.from_dict({"params": params})
    for suffix, text in ((".json", f'{{"params": {params}}}'), (".yaml", f"k: {HUGE}\n")):
        file = tmp_path / f"sig{suffix}"
        file.write_text(text)
        result = invoke("show", file)
        assert result.exit_code == 2, result.output
        assert str(file) in result.stderr and "Traceback" not in result.stderr


def test_a_huge_number_in_a_request_is_a_client_error(tmp_path):
    from sparksig.models.payload import parse_request
    from sparksig.models.scoring import score_request

    with pytest.raises(PayloadError):
        parse_request(f'{{"inputs": {{"x": [{HUGE}]}}}}', "application/json", None)
    model_dir = tmp_path / "model"
    models.save_model(
        model_dir,
        lambda df: df["x"],
        signature=ModelSignature(Schema([ColSpec("double", "x")])),
    )
    outcome = score_request(
        models.load_model(model_dir),
        f'{{"dataframe_records": [{{"x": {HUGE}}}]}}'.encode(),
        "application/json",
        "r1",
    )
    assert outcome.status == 400, outcome.body
    assert "r1" not in outcome.body  # a client error, not logged as the server's


def test_a_huge_number_in_an_mlmodel_file_is_a_serialization_error(tmp_path):
    (tmp_path / "MLmodel").write_text(f"flavors: {{}}\nmodel_uuid: {HUGE}\n")
    with pytest.raises(SerializationError, match="MLmodel"):
        models.get_model_info(tmp_path)


# -- YAML aliases ------------------------------------------------------------------------------


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A YAML document of a few hundred bytes that stands for width**levels values."""
    lines = ["a0: &a0 [" + ", ".join(['"x"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines.append(f"model_uuid: *a{levels - 1}")
    lines.append("flavors: {}")
    return "\n".join(lines) + "\n"


def test_an_mlmodel_whose_aliases_expand_to_billions_of_values_is_refused(tmp_path):
    (tmp_path / "MLmodel").write_text(alias_bomb())
    with pytest.raises(SerializationError, match=f"more than {MAX_YAML_VALUES:,} values"):
        models.get_model_info(tmp_path)
    result = invoke("show", tmp_path, "--format", "json")
    assert result.exit_code == 2 and "YAML aliases" in result.stderr


def test_checking_the_expansion_costs_the_distinct_values_not_the_expanded_ones(tmp_path):
    """9**30 values expanded would never finish; counted once per shared list, it is instant."""
    (tmp_path / "MLmodel").write_text(alias_bomb(levels=30))
    with pytest.raises(SerializationError, match="YAML aliases"):
        read_mlmodel(tmp_path)


def test_a_yaml_value_that_contains_itself_is_refused(tmp_path):
    (tmp_path / "MLmodel").write_text("flavors: {}\nmetadata: &m {self: *m}\n")
    with pytest.raises(SerializationError, match="contains itself"):
        models.get_model_info(tmp_path)


def test_ordinary_aliases_still_read(tmp_path):
    (tmp_path / "MLmodel").write_text(
        "flavors: {}\nmetadata: {a: &t {team: ml}, b: *t}\n"
        'signature: {inputs: \'[{"type": "long", "name": "x", "required": true}]\'}\n'
    )
    info = models.get_model_info(tmp_path)
    assert info.metadata == {"a": {"team": "ml"}, "b": {"team": "ml"}}
    assert info.signature.inputs.input_names() == ["x"]


def test_a_signature_yaml_file_with_an_alias_bomb_is_refused(tmp_path):
    file = tmp_path / "sig.yaml"
    file.write_text(alias_bomb())
    result = invoke("show", file)
    assert result.exit_code == 2 and "YAML aliases" in result.stderr


def test_a_huge_number_given_as_a_param_is_kept_as_text_for_the_signature_to_judge():
    from sparksig.cli.score import parse_params

    assert parse_params((f"k={HUGE}", "n=5")) == {"k": HUGE, "n": 5}
