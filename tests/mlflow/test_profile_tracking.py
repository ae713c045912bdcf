"""log_report writes counts and drift figures as metrics and JSON/HTML as artifacts to an
MLflow run, read back from a local file tracking store with MlflowClient."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

import mlflow
from sparksig import EnvironmentSetupError, ValidationReport, Violation
from sparksig.profile.drift import DriftReport, drift
from sparksig.profile.pandas import infer_profile, observe
from sparksig.tracking import log_report, metric_name

REPORT = ValidationReport(
    "full",
    1000,
    (
        Violation("null_in_required", "age", 7, (None,), "null"),
        Violation("out_of_range", "age", 3, (150,), "too old"),
        Violation("null_in_required", "${HOME} name", 2),
    ),
    rows_total=1000,
)


@pytest.fixture
def store(tmp_path, monkeypatch):
    # MLflow 3.x refuses the file store unless asked (it is in maintenance mode).
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri((tmp_path / "mlruns").as_uri())
    yield MlflowClient()
    if mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)


def _drift() -> DriftReport:
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"x": rng.normal(0, 1, 3000), "a b/c": rng.choice(["p", "q"], 3000)})
    score = pd.DataFrame({"x": rng.normal(1.5, 1, 3000), "a b/c": rng.choice(["p", "q"], 3000)})
    profile = infer_profile(train)
    return drift(profile, observe(profile, score))


def test_counts_and_drift_figures_are_metrics_and_reports_are_artifacts(store, tmp_path):
    report_drift = _drift()
    with mlflow.start_run() as run:
        assert log_report(REPORT, drift=report_drift) == run.info.run_id
    metrics = store.get_run(run.info.run_id).data.metrics
    assert metrics["sparksig.ok"] == 0.0
    assert metrics["sparksig.rows_checked"] == 1000
    assert metrics["sparksig.rows_total"] == 1000
    assert metrics["sparksig.violations"] == 3
    assert metrics["sparksig.flagged_values"] == 12
    assert metrics["sparksig.violations.null_in_required"] == 9
    assert metrics["sparksig.violations.out_of_range"] == 3
    x = report_drift.column("x")
    assert metrics["sparksig.drift.x.psi"] == pytest.approx(x.psi)
    assert metrics["sparksig.drift.x.js"] == pytest.approx(x.js)
    assert metrics["sparksig.drift.drifted_columns"] == len(report_drift.drifted) >= 1
    assert metrics["sparksig.drift.a b/c.l_infinity"] == pytest.approx(
        report_drift.column("a b/c").l_infinity
    )
    names = {a.path for a in store.list_artifacts(run.info.run_id, "sparksig")}
    assert names == {
        "sparksig/validation_report.json",
        "sparksig/drift_report.json",
        "sparksig/report.html",
    }
    local = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="sparksig", dst_path=str(tmp_path / "dl")
    )
    back = ValidationReport.from_dict(json.loads(Path(local, "validation_report.json").read_text()))
    assert back == REPORT
    assert (
        DriftReport.from_dict(json.loads(Path(local, "drift_report.json").read_text()))
        == report_drift
    )
    page = Path(local, "report.html").read_text()
    assert "histogram" in page and "${HOME} name" in page


def test_an_explicit_run_id_and_no_active_run(store):
    client = store
    experiment = client.create_experiment("e")
    run = client.create_run(experiment)
    log_report(ValidationReport("full", 5), run.info.run_id, html=False, step=3)
    history = client.get_metric_history(run.info.run_id, "sparksig.ok")
    assert [(m.value, m.step) for m in history] == [(1.0, 3)]
    assert {a.path for a in client.list_artifacts(run.info.run_id, "sparksig")} == {
        "sparksig/validation_report.json"
    }
    assert mlflow.active_run() is None


def test_without_a_run_one_is_started_as_mlflow_log_metric_does(store):
    run_id = log_report(ValidationReport("full", 5), html=False)
    assert mlflow.active_run().info.run_id == run_id


def test_hostile_paths_get_distinct_valid_metric_names():
    names = {
        metric_name("sparksig", "drift", p, "psi") for p in ("a:b", "a;b", "a_b", "${x}", "名前")
    }
    assert len(names) == 5
    assert all(len(n) <= 250 for n in names)
    import re

    assert all(re.fullmatch(r"[A-Za-z0-9_\-. /]+", n) for n in names)


def test_without_mlflow_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)
    with pytest.raises(EnvironmentSetupError, match="pip install mlflow-skinny"):
        log_report(REPORT)
