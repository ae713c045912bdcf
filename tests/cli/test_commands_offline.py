"""Commands that need no JVM: show, diff, help, argument and signature-file errors, progress."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import yaml
from rich.console import Console

from sparksig import ColSpec, ModelSignature, Schema
from sparksig.cli.inputs import load_signature, parse_key_values, write_signature
from sparksig.cli.progress import SparkProgress, StageState, snapshot
from sparksig.cli.score import parse_params
from sparksig.errors import SerializationError
from tests.cli.conftest import SIGNATURE

# -- help and version ---------------------------------------------------------------------


def test_help_lists_every_command(invoke):
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("infer", "validate", "show", "diff", "score", "demo"):
        assert f"  {command} " in result.stdout


def test_score_help_says_loading_a_model_runs_its_code(invoke):
    text = " ".join(invoke("score", "--help").stdout.split())
    assert "Loading a model directory runs its pickled Python code" in text
    assert "score only models you trust" in text


def test_version(invoke):
    import sparksig

    result = invoke("--version")
    assert result.exit_code == 0
    assert sparksig.__version__ in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "data.parquet"),  # --signature is required
        ("validate", "x", "--signature", "s.json", "--mode", "fast"),
        ("infer", "x", "--fraction", "1.5"),
        ("diff", "only-one.json"),
        ("score", "data.parquet", "--model", "m"),  # -o is required
        ("nonsense",),
    ],
)
def test_usage_errors_exit_2(invoke, args):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


# -- bad signature files: exit 2, a message naming the file, no traceback -----------------


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("{not json", "sig.json", "not valid JSON"),
        ('{"inputs": [{"type": "decimal", "name": "a"}]}', "sig.json", "decimal"),
        ('{"hello": 1}', "sig.json", "expected a signature"),
        ("inputs: [unclosed", "sig.yaml", "not valid YAML"),
        ('{"inputs": null, "outputs": null}', "sig.json", "no inputs, outputs or params"),
    ],
)
def test_bad_signature_file_exits_2_with_a_message(invoke, tmp_path, content, name, expected):
    bad = tmp_path / name
    bad.write_text(content)
    for args in (
        ("validate", tmp_path / "data.parquet", "--signature", bad),
        ("show", bad),
        ("diff", bad, bad),
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr
        assert str(bad) in result.stderr
        assert "Traceback" not in result.output


def test_missing_signature_file_exits_2(invoke, tmp_path):
    result = invoke("show", tmp_path / "nope.json")
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


def test_model_dir_without_mlmodel_exits_2(invoke, tmp_path):
    result = invoke("show", tmp_path)
    assert result.exit_code == 2
    assert "MLmodel" in result.stderr


# -- signature files: every form reads back to the same signature -------------------------


@pytest.mark.parametrize("name", ["sig.json", "sig.yaml", "sub/MLmodel", "model_dir"])
def test_write_then_load_round_trips(tmp_path, name):
    target = tmp_path / name
    if name == "model_dir":
        target.mkdir()
        (target / "MLmodel").write_text("flavors: {}\nmodel_uuid: abc\n")
    write_signature(SIGNATURE, str(target))
    assert load_signature(str(target)) == SIGNATURE
    if name == "model_dir":  # other keys of an existing MLmodel are kept
        assert yaml.safe_load((target / "MLmodel").read_text())["model_uuid"] == "abc"


def test_load_accepts_mlflow_to_dict_form_and_bare_column_list(tmp_path):
    mlflow_form = tmp_path / "a.json"
    mlflow_form.write_text(json.dumps(SIGNATURE.to_dict()))  # parts as JSON strings
    assert load_signature(str(mlflow_form)) == SIGNATURE
    bare = tmp_path / "b.json"
    bare.write_text('[{"type": "long", "name": "x"}]')
    assert load_signature(str(bare)) == ModelSignature(Schema([ColSpec("long", "x")]))


def test_load_reads_a_real_mlflow_mlmodel_file(tmp_path):
    # The signature block as MLflow 2.x/3.x writes it: JSON strings inside YAML.
    (tmp_path / "MLmodel").write_text(
        "artifact_path: model\n"
        "flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n"
        "mlflow_version: 2.16.0\n"
        "signature:\n"
        '  inputs: \'[{"type": "double", "name": "x", "required": true}]\'\n'
        '  outputs: \'[{"type": "long", "required": true}]\'\n'
        "  params: null\n"
    )
    sig = load_signature(str(tmp_path))
    assert sig.inputs == Schema([ColSpec("double", "x")])
    assert sig.outputs == Schema([ColSpec("long")])


def test_load_error_is_a_serialization_error(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("[]")
    with pytest.raises(SerializationError, match=r"x\.json"):
        load_signature(str(bad))


# -- show ------------------------------------------------------------------------------------


def test_show_prints_a_tree_of_inputs_outputs_and_params(invoke, signature_file):
    result = invoke("show", signature_file)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "inputs (4 columns)" in out
    assert "id: long  required" in out
    assert "note: string  optional" in out
    assert "zip: string  optional" in out  # nested property, expanded under addr
    assert "outputs (1 column)" in out
    assert "threshold: double" in out and "default 0.5" in out


def test_show_json_round_trips(invoke, signature_file):
    result = invoke("show", signature_file, "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert ModelSignature.from_dict(doc["signature"]) == SIGNATURE
    assert "model" not in doc


def test_show_model_dir_includes_examples(invoke, tmp_path):
    pd = pytest.importorskip("pandas")
    from sparksig import models

    model_dir = tmp_path / "model"
    models.save_model(
        model_dir,
        lambda df: df["x"] * 2,
        input_example=pd.DataFrame({"x": [1.5, 2.5]}),
    )
    result = invoke("show", model_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["signature"]["inputs"] == [{"type": "double", "name": "x", "required": True}]
    assert "python_function" in doc["model"]["flavors"]
    assert doc["model"]["input_example"] == {"columns": ["x"], "data": [[1.5], [2.5]]}
    assert doc["model"]["serving_input_example"] == {
        "dataframe_split": {"columns": ["x"], "data": [[1.5], [2.5]]}
    }
    tree = invoke("show", model_dir)
    assert tree.exit_code == 0
    assert "input example" in tree.stdout and "python_function" in tree.stdout


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("input_example.json", b"{not json"),
        ("input_example.json", b"\xff\xfe\x00 not utf-8"),
        ("serving_input_example.json", b"[1, 2"),
    ],
)
def test_show_a_model_with_a_broken_saved_example_exits_2(invoke, tmp_path, name, content):
    pd = pytest.importorskip("pandas")
    from sparksig import models

    model_dir = tmp_path / "model"
    models.save_model(model_dir, lambda df: df["x"], input_example=pd.DataFrame({"x": [1.5]}))
    (model_dir / name).write_bytes(content)
    for args in (("show", model_dir), ("show", model_dir, "--format", "json")):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(model_dir / name) in lines[0], result.stderr
        assert "Traceback" not in result.output
    assert invoke("diff", model_dir, model_dir).exit_code == 0  # the signature itself is fine


def test_an_output_whose_folder_cannot_be_made_fails_before_spark(invoke, tmp_path):
    from sparksig import models

    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    model_dir = tmp_path / "model"
    models.save_model(model_dir, lambda df: df["x"], signature=ModelSignature(SIGNATURE.inputs))
    data = tmp_path / "data.parquet"
    data.write_bytes(b"")  # never read: the output check comes first
    sig = tmp_path / "sig.json"
    write_signature(SIGNATURE, str(sig))
    for option, args in (
        ("-o", ("infer", data, "-o", in_the_way / "sig.json")),
        ("-o", ("validate", data, "-s", sig, "-o", in_the_way / "report.html")),
        ("--quarantine", ("validate", data, "-s", sig, "--quarantine", in_the_way / "q")),
        ("-o", ("score", data, "-m", model_dir, "-o", in_the_way / "scored")),
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {option} "), result.stderr
        assert "cannot make its folder" in lines[0] and str(in_the_way) in lines[0]


# -- diff --------------------------------------------------------------------------------------


def _write(tmp_path, name, signature):
    path = tmp_path / name
    write_signature(signature, str(path))
    return path


def test_diff_identical_exits_0(invoke, tmp_path):
    a = _write(tmp_path, "a.json", SIGNATURE)
    b = _write(tmp_path, "b.yaml", SIGNATURE)
    result = invoke("diff", a, b)
    assert result.exit_code == 0
    assert "identical" in result.stdout


def test_diff_compatible_change_exits_0(invoke, tmp_path):
    old = _write(tmp_path, "old.json", ModelSignature(Schema([ColSpec("integer", "a")])))
    new = _write(
        tmp_path,
        "new.json",
        ModelSignature(Schema([ColSpec("long", "a"), ColSpec("string", "b", required=False)])),
    )
    result = invoke("diff", old, new)
    assert result.exit_code == 0, result.output
    assert "0 breaking" in result.stdout


def test_diff_breaking_change_exits_1_and_json_lists_it(invoke, tmp_path):
    old = _write(tmp_path, "old.json", ModelSignature(Schema([ColSpec("long", "a")])))
    new = _write(tmp_path, "new.json", ModelSignature(Schema([ColSpec("integer", "a")])))
    table = invoke("diff", old, new)
    assert table.exit_code == 1
    assert "BREAKING" in table.stdout and "inputs.a" in table.stdout
    result = invoke("diff", old, new, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["breaking"] is True
    assert [(c["path"], c["kind"], c["old"], c["new"]) for c in doc["changes"]] == [
        ("inputs.a", "type_changed", "long", "integer")
    ]


# -- small pieces --------------------------------------------------------------------------------


def test_parse_key_values_and_params():
    assert parse_key_values(("a=1", "b=x=y"), "--conf") == {"a": "1", "b": "x=y"}
    import click

    with pytest.raises(click.BadParameter):
        parse_key_values(("novalue",), "--conf")
    assert parse_params(("k=5", "t=0.5", "s=hello", "xs=[1, 2]")) == {
        "k": 5,
        "t": 0.5,
        "s": "hello",
        "xs": [1, 2],
    }
    assert parse_params(()) is None


def test_master_and_conf_reach_get_session(monkeypatch):
    import sparksig.spark as sss
    from sparksig.cli.inputs import open_session

    seen = {}
    monkeypatch.setattr(sss, "get_session", lambda **kw: seen.update(kw) or "session")
    assert open_session("spark://h:7077", ("spark.executor.memory=4g", "a.b=c")) == "session"
    assert seen == {
        "master": "spark://h:7077",
        "conf": {"spark.executor.memory": "4g", "a.b": "c"},
        "remote": None,
        "quiet": True,
    }
    open_session(None, (), remote="sc://h:15002", verbose=True)
    assert seen == {"master": None, "conf": None, "remote": "sc://h:15002", "quiet": False}


def test_bad_conf_is_a_usage_error(invoke, signature_file, tmp_path):
    data = tmp_path / "d.parquet"
    data.write_text("")
    result = invoke("validate", data, "--signature", signature_file, "--conf", "oops")
    assert result.exit_code == 2
    assert "KEY=VALUE" in result.stderr


# -- progress ---------------------------------------------------------------------------------------


class FakeTracker:
    def __init__(self, stages):
        self.stages = stages

    def getActiveStageIds(self):
        return list(self.stages)

    def getStageInfo(self, stage_id):
        s = self.stages.get(stage_id)
        if s is None:
            return None
        return SimpleNamespace(
            stageId=stage_id,
            name=f"{s[0]} at <stdin>:1",
            numTasks=s[1],
            numCompletedTasks=s[2],
            numActiveTasks=s[3],
            numFailedTasks=s[4],
        )


def test_snapshot_reads_active_stages_in_order():
    states = snapshot(FakeTracker({5: ("save", 8, 3, 2, 0), 2: ("count", 4, 4, 0, 1)}))
    assert states == (
        StageState(2, "count", 4, 4, 0, 1),
        StageState(5, "save", 8, 3, 2, 0),
    )


def test_snapshot_skips_stages_that_finished_meanwhile():
    tracker = FakeTracker({1: ("count", 2, 1, 1, 0)})
    tracker.getActiveStageIds = lambda: [1, 9]  # 9 finished before getStageInfo
    assert [s.stage_id for s in snapshot(tracker)] == [1]


def test_progress_bars_follow_stages(monkeypatch):
    console = Console(record=True, width=100, force_terminal=True)
    progress = SparkProgress(spark=None, console=console, enabled=True, description="validate")
    # No live Spark: drive the bars by hand instead of the polling thread.
    monkeypatch.setattr(progress, "_run", lambda: None)
    spark = SimpleNamespace(sparkContext=SimpleNamespace(statusTracker=lambda: FakeTracker({})))
    progress._spark = spark
    with progress:
        progress.update((StageState(3, "save", 10, 4, 2, 0),))
        task = progress._progress.tasks[0]
        assert (task.total, task.completed) == (10, 4)
        assert "validate: stage 3 (save)" in task.description
        progress.update((StageState(3, "save", 10, 10, 0, 0), StageState(4, "count", 2, 0, 1, 1)))
        assert [t.completed for t in progress._progress.tasks] == [10, 0]
        assert "1 failed" in progress._progress.tasks[1].description
        progress.update(())
        assert progress._progress.tasks == []
    assert progress.stages_seen == {3, 4}


def test_progress_is_off_when_not_a_terminal():
    console = Console(file=open("/dev/null", "w"), force_terminal=False)  # noqa: SIM115
    progress = SparkProgress(spark=None, console=console)
    assert progress.enabled is False
    with progress:  # never touches Spark
        pass
