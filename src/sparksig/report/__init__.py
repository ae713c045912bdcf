"""Rendered reports: a self-contained HTML data-quality report for a ValidationReport."""

from __future__ import annotations

from sparksig.report.html import render_html, violation_counts_by_column

__all__ = ["render_html", "violation_counts_by_column"]
