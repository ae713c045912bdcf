"""The drift section of the HTML report: training and scoring histograms side by side.

For each compared path (most drifted first) an inline SVG draws, per training bin or top
category, the training share and the scoring share as two adjacent bars, so a shift reads at a
glance; under- and overflow bins are drawn like the others, so scoring values outside the
training range show. No script, no external asset. Every path and label comes from data and is
escaped (``html.escape``, quotes included) wherever it lands: text, ``<title>`` or attribute.

Examples:
    >>> from sparksig.profile.drift import ColumnDrift, Comparison, DriftReport
    >>> c = ColumnDrift("<b>", 500, psi=0.3, flagged_by=("psi",), score=1.2,
    ...                 histogram=Comparison(("< 0", "[0, 1)", "= 1", "> 1"), (0, 5, 5, 0), (0, 2, 3, 5)))
    >>> html = drift_section(DriftReport((c,)))
    >>> "&lt;b&gt;" in html and "<b>" not in html
    True
"""

from __future__ import annotations

from html import escape

from sparksig.profile.drift import ColumnDrift, Comparison, DriftReport

__all__ = ["MAX_CHARTS", "drift_section"]

#: At most this many paths get a chart (the most drifted); the table lists them all.
MAX_CHARTS = 30

_TRAIN, _SEEN = "#8c959f", "#bc4c00"


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def _table(report: DriftReport) -> str:
    head = (
        "<tr><th>Column</th><th>Status</th><th>PSI</th><th>JS</th><th>L-inf</th>"
        "<th>Null rate (training → scoring)</th><th>Present values</th></tr>"
    )
    rows = []
    for c in report.columns:
        flagged = set(c.flagged_by)

        def cell(name: str, value: float | None, flagged: set[str] = flagged) -> str:
            cls = "num bad" if name in flagged else "num"
            return f'<td class="{cls}">{_figure(value)}</td>'

        status = "DRIFT" if c.drifted else ("not flagged: few rows" if c.note else "ok")
        null_cls = "num bad" if "null_rate" in flagged else "num"
        rows.append(
            f'<tr data-column="{escape(c.path)}"><td><code>{escape(c.path)}</code></td>'
            f'<td class="{"bad" if c.drifted else ""}">{escape(status)}</td>'
            + cell("psi", c.psi)
            + cell("js", c.js)
            + cell("l_infinity", c.l_infinity)
            + f'<td class="{null_cls}">{c.null_rate_training:.2%} → {c.null_rate_observed:.2%}</td>'
            f'<td class="num">{c.present:,}</td></tr>'
        )
    return f'<table id="drift" class="drift"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _shares(counts: tuple[int, ...]) -> list[float]:
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def _chart(path: str, what: str, comparison: Comparison) -> str:
    train, seen = _shares(comparison.training), _shares(comparison.observed)
    n = len(comparison.labels)
    slot, bar, height, top, bottom, left = 40, 15, 150, 10, 46, 44
    width = left + n * slot + 10
    peak = max([*train, *seen, 1e-12])
    parts = [
        f'<line x1="{left}" y1="{top + height}" x2="{width - 10}" y2="{top + height}" stroke="#d1d9e0"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end">{peak:.0%}</text>',
        f'<text x="{left - 6}" y="{top + height}" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(comparison.labels):
        x = left + i * slot + (slot - 2 * bar) / 2
        short = label if len(label) <= 7 else label[:6] + "…"
        for j, (share, count, color, who) in enumerate(
            (
                (train[i], comparison.training[i], _TRAIN, "training"),
                (seen[i], comparison.observed[i], _SEEN, "scoring"),
            )
        ):
            h = height * share / peak
            parts.append(
                f'<rect x="{x + j * bar:.1f}" y="{top + height - h:.1f}" width="{bar - 1}" '
                f'height="{max(h, 0.5):.1f}" style="fill:{color}"><title>{escape(label)} — '
                f"{who}: {count:,} ({share:.1%})</title></rect>"
            )
        parts.append(
            f'<text x="{left + i * slot + slot / 2:.1f}" y="{top + height + 14}" '
            f'text-anchor="middle" font-size="10"><title>{escape(label)}</title>'
            f"{escape(short)}</text>"
        )
    svg = (
        f'<svg class="histogram" role="img" aria-label="{escape(what)} of {escape(path)}: '
        f'training and scoring" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{top + height + bottom}" viewBox="0 0 {width} {top + height + bottom}">'
        + "".join(parts)
        + "</svg>"
    )
    return svg


def _column(c: ColumnDrift) -> str:
    charts = []
    if c.histogram is not None:
        charts.append(_chart(c.path, "histogram", c.histogram))
    if c.categories is not None:
        charts.append(_chart(c.path, "top categories", c.categories))
    if not charts:
        return ""
    mark = " — drifted" if c.drifted else ""
    return (
        f'<div class="hist" data-column="{escape(c.path)}"><h3><code>{escape(c.path)}</code>'
        f"{mark}</h3>{''.join(charts)}</div>"
    )


def drift_section(report: DriftReport) -> str:
    """The HTML of the drift section: a ranked table and one chart per path (the first
    :data:`MAX_CHARTS`)."""
    legend = (
        f'<div class="legend"><span style="background:{_TRAIN}"></span>training'
        f'<span style="background:{_SEEN}"></span>scoring (shares of present values per bin)</div>'
    )
    charts = [_column(c) for c in report.columns[:MAX_CHARTS]]
    more = len(report.columns) - MAX_CHARTS
    tail = (
        f'<div class="note">{more:,} more paths are in the table, not charted.</div>'
        if more > 0
        else ""
    )
    notes = "".join(f'<div class="note">{escape(n)}</div>' for n in report.notes)
    return (
        "<h2>Drift from the training profile</h2>"
        + _table(report)
        + notes
        + "<h2>Training and scoring distributions</h2>"
        + legend
        + "".join(charts)
        + tail
    )
