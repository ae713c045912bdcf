"""A self-contained HTML data-quality report for a :class:`~sparksig.ValidationReport`.

One file, no external assets: inline CSS, an inline SVG bar chart of violation counts per
column, a summary, and a table of every violation with its count, share of the rows checked,
examples and message. Open it in any browser, attach it to a ticket, archive it with a run.

Examples:
    >>> from sparksig import ValidationReport, Violation
    >>> report = ValidationReport("full", 100, (Violation("null_in_required", "age", 3, (None,)),))
    >>> page = render_html(report, source="people.parquet")
    >>> page.startswith("<!DOCTYPE html>") and "null_in_required" in page
    True
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from html import escape
from typing import TYPE_CHECKING, Any

from sparksig.options import MAX_EXAMPLES
from sparksig.results import ValidationReport, Violation
from sparksig.signature import ModelSignature

if TYPE_CHECKING:
    from sparksig.profile.drift import DriftReport

__all__ = ["example_text", "render_html", "violation_counts_by_column"]

_CSS = """
:root { --ok:#1a7f37; --bad:#cf222e; --ink:#1f2328; --muted:#59636e; --line:#d1d9e0;
        --bg:#f6f8fa; --bar:#cf222e; --bar2:#bc4c00; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
       color:var(--ink); background:#fff; }
main { max-width:1100px; margin:0 auto; padding:24px 32px 48px; }
header { display:flex; align-items:center; gap:16px; border-bottom:1px solid var(--line);
         padding-bottom:12px; }
h1 { font-size:22px; margin:0; }
h2 { font-size:17px; margin:28px 0 10px; }
.badge { font-weight:600; padding:3px 12px; border-radius:999px; color:#fff; font-size:13px; }
.badge.ok { background:var(--ok); } .badge.bad { background:var(--bad); }
.meta { color:var(--muted); font-size:12.5px; margin-top:6px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(125px,1fr)); gap:12px;
         margin-top:18px; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 14px; background:var(--bg); }
.card .k { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.card .v { font-size:22px; font-weight:600; }
.note { border-left:4px solid #d4a72c; background:#fff8c5; padding:8px 12px; margin-top:14px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line);
         vertical-align:top; }
th { background:var(--bg); font-weight:600; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
code { font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; background:var(--bg);
       border:1px solid var(--line); border-radius:4px; padding:0 4px; }
.ex code { display:inline-block; margin:0 4px 2px 0; max-width:260px; overflow:hidden;
           text-overflow:ellipsis; white-space:nowrap; vertical-align:bottom; }
.code { font-weight:600; color:var(--bad); white-space:nowrap; }
.ok-msg { color:var(--ok); font-size:16px; font-weight:600; }
svg text { font:12px -apple-system,"Segoe UI",Helvetica,Arial,sans-serif; fill:var(--ink); }
footer { color:var(--muted); font-size:12px; margin-top:36px; }
"""


_DRIFT_CSS = """
.drift td.bad, td.bad { color:var(--bad); font-weight:600; }
.hist { margin:10px 0 18px; }
.hist h3 { font-size:14px; margin:14px 0 4px; }
.legend span { display:inline-block; width:10px; height:10px; margin:0 4px 0 12px; }
"""


def violation_counts_by_column(report: ValidationReport) -> dict[str, int]:
    """Rows affected per column path, summed over violation codes (schema-level findings count 0).

    Examples:
        >>> from sparksig import ValidationReport, Violation
        >>> r = ValidationReport("full", 9, (Violation("null_in_required", "a", 2),
        ...                                 Violation("invalid_value", "a", 1),
        ...                                 Violation("missing_column", "b")))
        >>> violation_counts_by_column(r)
        {'a': 3, 'b': 0}
    """
    counts: dict[str, int] = defaultdict(int)
    for v in report.violations:
        counts[v.column_path] += v.count or 0
    return dict(counts)


def render_html(
    report: ValidationReport,
    *,
    title: str = "Data quality report",
    source: str | None = None,
    signature: ModelSignature | None = None,
    signature_source: str | None = None,
    generated_at: dt.datetime | None = None,
    elapsed_seconds: float | None = None,
    drift: DriftReport | None = None,
) -> str:
    """Render a report as one self-contained HTML page.

    Args:
        report: the validation outcome.
        title: the page heading.
        source: what was validated (a path or table name), shown in the header.
        signature: the signature checked against; its input columns are listed.
        signature_source: where the signature came from (file or model directory).
        generated_at: timestamp shown in the header (default: now, UTC).
        elapsed_seconds: how long validation took, when known.
        drift: a :class:`~sparksig.profile.drift.DriftReport`; adds a ranked drift table and
            training and scoring histograms side by side (:mod:`sparksig.report.histograms`).

    Returns:
        The HTML document as a string.

    Examples:
        >>> from sparksig import ValidationReport
        >>> "All checks passed" in render_html(ValidationReport("full", 10))
        True
    """
    when = (generated_at or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M:%S %Z")
    status = {"passed": "PASS", "failed": "FAIL", "inconclusive": "INCONCLUSIVE"}[report.status]
    meta = [f"Generated {escape(when.strip())}"]
    if source:
        meta.append(f"data: <code>{escape(source)}</code>")
    if signature_source:
        meta.append(f"signature: <code>{escape(signature_source)}</code>")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)} — {status}</title>",
        f"<style>{_CSS}{_DRIFT_CSS if drift is not None else ''}</style></head><body><main>",
        f'<header><h1>{escape(title)}</h1><span class="badge {"ok" if report.ok else "bad"}"'
        f' id="status">{status}</span></header>',
        f'<div class="meta">{" · ".join(meta)}</div>',
        _summary(report, elapsed_seconds),
    ]
    if report.mode == "sampled":
        parts.append(
            '<div class="note">Sampled check: counts are for the '
            f"{report.rows_checked:,} sampled rows, not the whole table. "
            "Run with <code>--mode full</code> for exact counts.</div>"
        )
    for note in report.notes:
        parts.append(f'<div class="note">{escape(note)}</div>')
    if report.inconclusive:
        parts.append(
            '<h2>Violations</h2><p class="bad-msg" id="inconclusive">Inconclusive: the sample '
            "held no rows, so nothing was checked. Raise the fraction or run in full mode.</p>"
        )
    elif report.ok:
        parts.append(
            '<h2>Violations</h2><p class="ok-msg" id="no-violations">'
            "All checks passed: no violations found.</p>"
        )
    else:
        parts += [
            "<h2>Violation counts per column</h2>",
            _chart(report),
            "<h2>Violations</h2>",
            _table(report),
        ]
    if drift is not None:
        from sparksig.report.histograms import drift_section

        parts.append(drift_section(drift))
    if signature is not None and signature.inputs is not None:
        parts += ["<h2>Signature inputs</h2>", _signature_table(signature)]
    parts.append(
        "<footer>Made by sparksig. Codes are stable: see <code>sparksig.Code</code>.</footer>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _summary(report: ValidationReport, elapsed: float | None) -> str:
    affected = {v.column_path for v in report.violations}
    rows_flagged = sum(v.count or 0 for v in report.violations)
    cards = [
        ("Mode", report.mode),
        ("Rows checked", f"{report.rows_checked:,}"),
        ("Rows in table", "—" if report.rows_total is None else f"{report.rows_total:,}"),
        ("Violations", f"{len(report.violations):,}"),
        ("Columns affected", f"{len(affected):,}"),
        ("Flagged values", f"{rows_flagged:,}"),
    ]
    if elapsed is not None:
        cards.append(("Time", f"{elapsed:.1f} s"))
    body = "".join(
        f'<div class="card"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div></div>'
        for k, v in cards
    )
    return f'<section class="cards" id="summary">{body}</section>'


def _chart(report: ValidationReport) -> str:
    counts = sorted(violation_counts_by_column(report).items(), key=lambda kv: (-kv[1], kv[0]))
    label_w, bar_w, row_h, top = 190, 620, 26, 8
    width = label_w + bar_w + 90
    height = top * 2 + row_h * len(counts)
    peak = max((c for _, c in counts), default=0) or 1
    rows = []
    for i, (column, count) in enumerate(counts):
        y = top + i * row_h
        length = max(2.0, bar_w * count / peak) if count else 2.0
        label = column if len(column) <= 28 else column[:27] + "…"
        color = "var(--bar)" if count else "var(--bar2)"
        shown = f"{count:,}" if count else "schema"
        rows.append(
            f'<g class="bar" data-column="{escape(column)}" data-count="{count}">'
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" rx="3"'
            f' style="fill:{color}"><title>{escape(column)}: {shown}</title></rect>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 17}">{shown}</text></g>'
        )
    return (
        f'<svg id="chart" role="img" aria-label="Violation counts per column" '
        f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
        f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - top}" '
        'stroke="#d1d9e0"/>' + "".join(rows) + "</svg>"
    )


def _table(report: ValidationReport) -> str:
    head = "<tr><th>Column</th><th>Code</th><th>Count</th><th>% of checked</th>"
    head += "<th>Examples</th><th>Message</th></tr>"
    rows = [_row(v, report.rows_checked) for v in report.violations]
    return f'<table id="violations"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _row(v: Violation, checked: int) -> str:
    count = "—" if v.count is None else f"{v.count:,}"
    share = "—" if v.count is None or not checked else f"{100 * v.count / checked:.2f}%"
    examples = "".join(f"<code>{escape(_short(e))}</code>" for e in v.examples[:MAX_EXAMPLES])
    return (
        f"<tr><td><code>{escape(v.column_path)}</code></td>"
        f'<td class="code">{escape(v.code)}</td><td class="num">{count}</td>'
        f'<td class="num">{share}</td><td class="ex">{examples}</td>'
        f"<td>{escape(v.message)}</td></tr>"
    )


def _short(value: Any, limit: int = 60) -> str:
    text = example_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def example_text(value: Any) -> str:
    """An example as text; keyed examples (``validate(..., key_columns=...)``) show their keys.

    Examples:
        >>> example_text({"value": None, "keys": {"id": 7}})
        'id=7: None'
        >>> example_text(-3)
        '-3'
    """
    if (
        isinstance(value, dict)
        and set(value) == {"value", "keys"}
        and isinstance(value["keys"], dict)
    ):
        keys = ", ".join(f"{k}={v!r}" for k, v in value["keys"].items())
        return f"{keys}: {value['value']!r}"
    return repr(value)


def _signature_table(signature: ModelSignature) -> str:
    from sparksig.diff import type_name
    from sparksig.schema import TensorSpec

    assert signature.inputs is not None
    rows = []
    for i, spec in enumerate(signature.inputs.inputs):
        name = spec.name if spec.name is not None else f"[{i}]"
        kind = type_name(spec) if isinstance(spec, TensorSpec) else type_name(spec.type)
        rows.append(
            f"<tr><td><code>{escape(str(name))}</code></td><td>{escape(kind)}</td>"
            f"<td>{'required' if spec.required else 'optional'}</td></tr>"
        )
    return (
        '<table id="signature"><thead><tr><th>Input</th><th>Type</th><th>Required</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )
