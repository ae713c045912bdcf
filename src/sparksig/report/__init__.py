"""Rendered reports: a self-contained HTML data-quality report for a ValidationReport."""

from __future__ import annotations

from sparksig.report.html import example_text, render_html, violation_counts_by_column

__all__ = ["example_text", "render_html", "violation_counts_by_column"]
