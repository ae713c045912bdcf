"""The HTML report draws training and scoring histograms side by side for a drift report,
and every name and label from the data is escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from sparksig import ValidationReport
from sparksig.profile.drift import drift
from sparksig.profile.pandas import infer_profile, observe
from sparksig.report import render_html
from tests.unit.test_profile_model import HOSTILE


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    return p


def _report(names):
    rng = np.random.default_rng(1)
    train = pd.DataFrame(
        {n: rng.normal(0, 1, 2000) for n in names[:1]}
        | {names[1]: rng.choice(["<i>", "a&b", '"q"'], 2000)}
    )
    score = pd.DataFrame(
        {n: rng.normal(2, 1, 2000) for n in names[:1]}
        | {names[1]: rng.choice(["<i>", "a&b", "new"], 2000)}
    )
    profile = infer_profile(train)
    return drift(profile, observe(profile, score))


def test_histograms_side_by_side_for_each_compared_column():
    report = _report(["x", "c"])
    page = render_html(ValidationReport("full", 2000), drift=report)
    doc = _parse(page)
    svgs = [a for t, a in doc.tags if t == "svg" and "histogram" in a.get("class", "")]
    assert len(svgs) == 2
    x = report.column("x")
    bars = len(x.histogram.labels) * 2 + (len(report.column("c").categories.labels)) * 2
    rects = [a for t, a in doc.tags if t == "rect"]
    assert len(rects) == bars
    # the drifted column is first in the table and flagged
    rows = [a["data-column"] for t, a in doc.tags if t == "tr" and "data-column" in a]
    assert rows[0] == report.columns[0].path and report.column("x").drifted
    assert "DRIFT" in page and "Drift from the training profile" in page


def test_without_a_drift_report_the_page_is_unchanged():
    plain = render_html(ValidationReport("full", 1))
    assert "histogram" not in plain and "Drift" not in plain


@pytest.mark.parametrize("name", [n for n in HOSTILE if n.strip()])
def test_names_and_labels_are_escaped(name):
    report = _report([name, "<script>alert(1)</script>"])
    page = render_html(ValidationReport("full", 1), drift=report)
    assert "<script>" not in page and "<i>" not in page
    doc = _parse(page)
    columns = {a["data-column"] for t, a in doc.tags if "data-column" in a}
    assert name in columns and "<script>alert(1)</script>" in columns
    allowed = {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "header",
        "h1",
        "h2",
        "h3",
        "span",
        "div",
        "section",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "svg",
        "line",
        "text",
        "rect",
        "g",
        "p",
        "footer",
    }
    assert {t for t, _ in doc.tags} <= allowed
