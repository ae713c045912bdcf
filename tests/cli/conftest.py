"""Fixtures for the command-line tests: a CliRunner and signature files on disk."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sparksig import ColSpec, ModelSignature, Object, ParamSchema, ParamSpec, Property, Schema
from sparksig.cli.app import cli

SIGNATURE = ModelSignature(
    inputs=Schema(
        [
            ColSpec("long", "id"),
            ColSpec("double", "amount"),
            ColSpec("string", "note", required=False),
            ColSpec(Object([Property("city", "string"), Property("zip", "string", False)]), "addr"),
        ]
    ),
    outputs=Schema([ColSpec("double", "score")]),
    params=ParamSchema([ParamSpec("threshold", "double", 0.5)]),
)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run ``sparksig ARGS`` in-process; returns click's Result (exit_code, stdout, stderr)."""

    def run(*args: str):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def signature_file(tmp_path):
    """SIGNATURE in the readable JSON form that ``infer -o x.json`` writes."""
    path = tmp_path / "signature.json"
    path.write_text(
        json.dumps(
            {
                "inputs": SIGNATURE.inputs.to_dict(),
                "outputs": SIGNATURE.outputs.to_dict(),
                "params": SIGNATURE.params.to_dict(),
            }
        )
    )
    return path
