"""``sparksig demo --out DIR`` never deletes or replaces files it did not write."""

from __future__ import annotations

import pytest

from sparksig.cli.inputs import load_signature


def test_demo_refuses_a_folder_that_holds_other_files(invoke, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    result = invoke("demo", "--out", out)
    assert result.exit_code == 2
    assert "is not empty" in result.stderr and "--overwrite" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]  # nothing written
    assert (out / "notes.txt").read_text() == "my notes"


@pytest.mark.parametrize("name", ["reference.parquet", "signature.json", "quarantine"])
def test_overwrite_refuses_an_output_name_the_demo_did_not_write(invoke, tmp_path, name):
    out = tmp_path / "mine"
    out.mkdir()
    if name == "quarantine":
        (out / name).mkdir()
        (out / name / "keep.txt").write_text("user data")
    else:
        (out / name).write_text("user data")
    result = invoke("demo", "--out", out, "--overwrite")
    assert result.exit_code == 2
    assert f"{out / name} was not written by sparksig demo" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [name]
    kept = out / name / "keep.txt" if name == "quarantine" else out / name
    assert kept.read_text() == "user data"


def test_overwrite_replaces_the_demo_outputs_and_keeps_other_files(spark, invoke, tmp_path):
    out = tmp_path / "demo"
    first = invoke("demo", "--out", out, "--no-progress")
    assert first.exit_code == 0, first.output
    (out / "notes.txt").write_text("my notes")
    (out / "quarantine" / "mine.csv").write_text("a,b\n")
    (out / "signature.json").write_text("stale")  # the demo's own output, changed since
    again = invoke("demo", "--out", out, "--no-progress")
    assert again.exit_code == 2 and "is not empty" in again.stderr
    # The quarantine folder is replaced as a whole: a file put into it stops --overwrite.
    inside = invoke("demo", "--out", out, "--no-progress", "--overwrite")
    assert inside.exit_code == 2
    assert f"{out / 'quarantine' / 'mine.csv'} was not written by sparksig demo" in inside.stderr
    (out / "quarantine" / "mine.csv").rename(out / "mine.csv")
    replaced = invoke("demo", "--out", out, "--no-progress", "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert (out / "notes.txt").read_text() == "my notes"
    assert (out / "mine.csv").read_text() == "a,b\n"
    assert load_signature(str(out / "signature.json")).inputs.input_names()[0] == "customer_id"
    said = " ".join(replaced.stdout.split())  # the console wraps long lines
    assert "958 valid rows" in said and "42 rejected rows" in said
