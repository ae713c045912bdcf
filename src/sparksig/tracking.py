"""Reports into MLflow runs: ``log_report`` writes a report's counts and drift figures as
metrics and its JSON and HTML as artifacts.

Metric names (MLflow allows letters, digits, ``_ - . / `` and spaces, up to 250 characters):

=========================================  ==============================================
``sparksig.ok``                            1 when the report passed, else 0
``sparksig.rows_checked``                  rows the checks looked at
``sparksig.rows_total``                    rows in the input (when known)
``sparksig.violations``                    number of findings
``sparksig.flagged_values``                sum of the findings' counts
``sparksig.violations.<code>``             counts per code (``null_in_required`` ...)
``sparksig.drift.drifted_columns``         paths flagged as drifted (with ``drift=``)
``sparksig.drift.<path>.<figure>``         ``psi``, ``js``, ``l_infinity``,
                                           ``null_rate_change`` per path
=========================================  ==============================================

A path is data and may hold anything; one whose characters MLflow refuses is written with
those characters as ``_`` plus ``-h`` and eight hex digits of its hash, so two such paths never
share a metric. The exact names are in the JSON artifacts.

Artifacts, under ``artifact_path`` (default ``sparksig``): ``validation_report.json``,
``drift_report.json`` (with ``drift=``) and ``report.html``
(:func:`sparksig.report.render_html`, histograms included).

MLflow is imported when called, not before; without it the call raises
:class:`~sparksig.errors.EnvironmentSetupError` saying what to install.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from typing import TYPE_CHECKING, Any

from sparksig.errors import ArgumentTypeError, EnvironmentSetupError
from sparksig.results import ValidationReport

if TYPE_CHECKING:
    from sparksig.profile.drift import DriftReport

__all__ = ["log_report", "metric_name", "report_metrics"]

_REFUSED = re.compile(r"[^A-Za-z0-9_\-. /]")
_MAX_NAME = 250


def metric_name(*parts: str) -> str:
    """``.``-joined parts, each made acceptable to MLflow (see the module docstring).

    Examples:
        >>> metric_name("sparksig", "drift", "age", "psi")
        'sparksig.drift.age.psi'
        >>> metric_name("sparksig", "drift", "${x}", "psi")
        'sparksig.drift.__x_-h4364f747.psi'
    """
    out = []
    for part in parts:
        safe = _REFUSED.sub("_", part)
        if safe != part or len(safe) > 100:
            digest = hashlib.sha256(part.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            safe = f"{safe[:80]}-h{digest}"
        out.append(safe)
    return ".".join(out)[:_MAX_NAME]


def report_metrics(
    report: ValidationReport, drift: DriftReport | None = None, prefix: str = "sparksig"
) -> dict[str, float]:
    """The metrics :func:`log_report` writes, as a mapping (no MLflow needed).

    Examples:
        >>> from sparksig import ValidationReport, Violation
        >>> r = ValidationReport("full", 10, (Violation("null_in_required", "a", 2),))
        >>> report_metrics(r)["sparksig.violations.null_in_required"]
        2.0
    """
    if not isinstance(report, ValidationReport):
        raise ArgumentTypeError(
            f"log_report takes a sparksig ValidationReport, got {type(report).__name__}"
        )
    metrics: dict[str, float] = {
        metric_name(prefix, "ok"): float(report.ok),
        metric_name(prefix, "rows_checked"): float(report.rows_checked),
        metric_name(prefix, "violations"): float(len(report.violations)),
        metric_name(prefix, "flagged_values"): float(sum(v.count or 0 for v in report.violations)),
    }
    if report.rows_total is not None:
        metrics[metric_name(prefix, "rows_total")] = float(report.rows_total)
    for v in report.violations:
        key = metric_name(prefix, "violations", v.code)
        metrics[key] = metrics.get(key, 0.0) + float(v.count or 0)
    if drift is not None:
        metrics[metric_name(prefix, "drift", "drifted_columns")] = float(len(drift.drifted))
        for c in drift.columns:
            for figure in ("psi", "js", "l_infinity", "null_rate_change"):
                value = getattr(c, figure)
                if value is not None and math.isfinite(value):
                    metrics[metric_name(prefix, "drift", c.path, figure)] = float(value)
    return metrics


def _mlflow() -> Any:
    try:
        import mlflow
    except ImportError:
        raise EnvironmentSetupError(
            "log_report needs MLflow; install it with: pip install mlflow-skinny"
        ) from None
    return mlflow


def log_report(
    report: ValidationReport,
    run_id: str | None = None,
    drift: DriftReport | None = None,
    *,
    step: int = 0,
    prefix: str = "sparksig",
    artifact_path: str = "sparksig",
    html: bool = True,
    title: str = "Data quality report",
    source: str | None = None,
) -> str:
    """Write ``report`` (and ``drift``) to an MLflow run; returns the run's id.

    Args:
        report: a :class:`~sparksig.ValidationReport`.
        run_id: the run to write to; default: the active run, or, as ``mlflow.log_metric``
            does, a new run started with ``mlflow.start_run()`` (left active).
        drift: a :class:`~sparksig.profile.drift.DriftReport` for the same data.
        step: the metrics' step (a micro-batch number, say).
        prefix: the first part of every metric name.
        artifact_path: the run folder the artifacts go to.
        html: also write ``report.html``.
        title, source: passed to the HTML report.

    Raises:
        EnvironmentSetupError: MLflow is not installed.
    """
    mlflow = _mlflow()
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    metrics = report_metrics(report, drift, prefix)
    if run_id is None:
        active = mlflow.active_run() or mlflow.start_run()
        run_id = str(active.info.run_id)
    client = MlflowClient()
    now = int(time.time() * 1000)
    batch = [Metric(k, v, now, step) for k, v in metrics.items()]
    for i in range(0, len(batch), 1000):  # MLflow's limit per log_batch call
        client.log_batch(run_id, metrics=batch[i : i + 1000])
    client.log_text(run_id, report.to_json(indent=2), f"{artifact_path}/validation_report.json")
    if drift is not None:
        client.log_text(run_id, drift.to_json(indent=2), f"{artifact_path}/drift_report.json")
    if html:
        from sparksig.report import render_html

        page = render_html(report, title=title, source=source, drift=drift)
        client.log_text(run_id, page, f"{artifact_path}/report.html")
    return run_id
