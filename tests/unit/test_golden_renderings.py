"""Golden files for rendered output: the HTML report and the signature tree of ``show``.

Each golden file was reviewed by eye (the HTML one as a Chromium screenshot). After an
intended change, regenerate with ``SPARKSIG_UPDATE_GOLDEN=1 pytest tests/unit/test_golden_renderings.py``
and review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from click.testing import CliRunner

from sparksig import (
    ColSpec,
    ModelSignature,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    ValidationReport,
    Violation,
)
from sparksig.cli.app import cli
from sparksig.report import render_html

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("SPARKSIG_UPDATE_GOLDEN") == "1"

SIGNATURE = ModelSignature(
    Schema(
        [
            ColSpec("long", "id"),
            ColSpec("string", "note", required=False),
            ColSpec(Object([Property("city", "string"), Property("zip", "string", False)]), "addr"),
        ]
    ),
    Schema([ColSpec("double", "score")]),
    ParamSchema([ParamSpec("threshold", "double", 0.5)]),
)


def check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_html_report_golden():
    report = ValidationReport(
        "full",
        500,
        (
            Violation("missing_column", "note", None, (), "optional column absent"),
            Violation(
                "null_in_required",
                "addr.city",
                12,
                ({"value": None, "keys": {"id": 3}},),
                "null value where a string is required",
            ),
            Violation("null_in_required", "id", 4, (None,), "null value in required column id"),
        ),
        rows_total=500,
    )
    page = render_html(
        report,
        source="orders.parquet",
        signature=SIGNATURE,
        signature_source="signature.json",
        generated_at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc),
        elapsed_seconds=2.5,
    )
    check("report.html", page)


def test_show_tree_golden(tmp_path):
    sig_file = tmp_path / "signature.json"
    sig_file.write_text(json.dumps(SIGNATURE.to_dict()))
    result = CliRunner().invoke(cli, ["show", str(sig_file)])
    assert result.exit_code == 0
    check("show_tree.txt", result.stdout.replace(str(sig_file), "signature.json"))
