"""The HTML data-quality report: content, escaping, the chart, and a real browser rendering."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
from html.parser import HTMLParser

import pytest

from sparksig import ColSpec, ModelSignature, Schema, ValidationReport, Violation
from sparksig.report import render_html, violation_counts_by_column
from tests import spawn

CHROMIUM = "/usr/bin/chromium"

REPORT = ValidationReport(
    mode="full",
    rows_checked=1000,
    rows_total=1000,
    violations=(
        Violation("missing_column", "country", None, (), "required column is missing"),
        Violation("null_in_required", "age", 40, (None,), "age is required but null"),
        Violation("invalid_value", "age", 10, (-3, -1), "negative"),
        Violation("type_mismatch", "tags[]", 7, ("<script>x</script>",), "expected string"),
    ),
)
SIG = ModelSignature(
    Schema([ColSpec("long", "age"), ColSpec("string", "country"), ColSpec("string", "note", False)])
)
WHEN = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)


class _Collector(HTMLParser):
    """Collects tag names, ids and the text of the violations table."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.bars: list[dict[str, str]] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "g" and a.get("class") == "bar":
            self.bars.append(a)
        for key in ("src", "href"):
            if key in a:
                self.external.append(a[key])


def parse(page: str) -> _Collector:
    c = _Collector()
    c.feed(page)
    return c


def test_counts_by_column_sum_codes_and_keep_schema_findings():
    assert violation_counts_by_column(REPORT) == {"country": 0, "age": 50, "tags[]": 7}


def test_page_is_self_contained_and_has_every_section():
    page = render_html(REPORT, source="people.parquet", signature=SIG, generated_at=WHEN)
    doc = parse(page)
    assert doc.external == []  # no scripts, stylesheets or images from elsewhere
    assert "script" not in doc.tags and "link" not in doc.tags
    assert {"status", "summary", "chart", "violations", "signature"} <= doc.ids
    assert ">FAIL<" in page
    assert "people.parquet" in page
    assert "2024-05-01 12:00:00 UTC" in page


def test_chart_has_one_bar_per_column_longest_first():
    doc = parse(render_html(REPORT, generated_at=WHEN))
    assert [(b["data-column"], b["data-count"]) for b in doc.bars] == [
        ("age", "50"),
        ("tags[]", "7"),
        ("country", "0"),
    ]


def test_bar_lengths_are_proportional_to_counts():
    page = render_html(REPORT, generated_at=WHEN)
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="[\d.]+" width="([\d.]+)"', page)]
    # 620 px for the largest (50), 7/50 of it for tags[], the 2 px stub for schema-level
    assert widths == [620.0, pytest.approx(620 * 7 / 50, abs=0.1), 2.0]


def test_table_rows_show_count_share_and_examples():
    page = render_html(REPORT, generated_at=WHEN)
    table = page[page.index('<table id="violations"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 1 + 4  # header + one row per violation
    assert "4.00%" in table  # 40 of 1000
    assert "0.70%" in table  # 7 of 1000
    assert "<code>-3</code><code>-1</code>" in table


def test_values_are_escaped():
    page = render_html(REPORT, generated_at=WHEN, title="<b>q</b>")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;q&lt;/b&gt;" in page


def test_clean_report_says_so_without_a_chart():
    page = render_html(ValidationReport("full", 12, rows_total=12), generated_at=WHEN)
    doc = parse(page)
    assert "no-violations" in doc.ids and "chart" not in doc.ids
    assert ">PASS<" in page


def test_sampled_report_warns_counts_are_estimates():
    page = render_html(
        ValidationReport("sampled", 200, REPORT.violations, rows_total=10_000), generated_at=WHEN
    )
    assert "Sampled check" in page and "200 sampled rows" in page


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)
def test_renders_in_headless_chromium(tmp_path):
    report_file = tmp_path / "report.html"
    report_file.write_text(
        render_html(REPORT, source="people.parquet", signature=SIG, generated_at=WHEN)
    )
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    url = report_file.as_uri()
    dom = spawn.run([*flags, "--dump-dom", url], timeout=120, check=True).stdout
    # The browser parsed the page into the structure we wrote.
    assert 'id="chart"' in dom and 'id="violations"' in dom
    assert dom.count('class="bar"') == 3
    assert "null_in_required" in dom and "FAIL" in dom

    shot = tmp_path / "report.png"
    spawn.run(
        [*flags, f"--screenshot={shot}", "--window-size=1200,900", url], timeout=120, check=True
    )
    data = shot.read_bytes()
    assert _png_size(data) == (1200, 900)
    # A blank white page compresses to a few KB; a rendered report with text and bars does not.
    assert len(data) > 20_000


def test_keyed_examples_show_the_row_keys():
    report = ValidationReport(
        "full",
        10,
        (Violation("null_in_required", "age", 1, ({"value": None, "keys": {"id": 7}},)),),
    )
    page = render_html(report, generated_at=WHEN)
    assert "<code>id=7: None</code>" in page
