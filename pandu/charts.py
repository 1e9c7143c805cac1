"""Charts drawn by the server as SVG: no JavaScript, no CDN, and they print as they show."""

from __future__ import annotations

from django.utils.html import escape

PALETTE = ["#0b6e4f", "#f5a300", "#2b6cb0", "#c53030", "#6b46c1", "#2f855a", "#b7791f", "#4a5568"]


def bar_chart(items: list[tuple[str, float]], *, title: str, width: int = 640, bar_height: int = 22,
              value_format: str = "{:,.0f}") -> str:
    """Horizontal bars, one per (label, value); labels on the left, values at the bar's end."""
    label_width = 190
    top = 28
    height = top + max(1, len(items)) * (bar_height + 6) + 8
    peak = max((value for _, value in items), default=0) or 1
    span = width - label_width - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart" width="100%">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(items):
        y = top + index * (bar_height + 6)
        length = round(span * value / peak)
        text = label if len(label) <= 30 else label[:29] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.0f}" font-size="12" text-anchor="end">{escape(text)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{max(length, 1)}" height="{bar_height}" fill="{PALETTE[0]}"/>')
        parts.append(f'<text x="{label_width + length + 4}" y="{y + bar_height * 0.7:.0f}" font-size="12">{escape(value_format.format(value))}</text>')
    if not items:
        parts.append(f'<text x="{label_width}" y="{top + 14}" font-size="12" fill="#666">–</text>')
    parts.append("</svg>")
    return "".join(parts)


def column_chart(items: list[tuple[str, float]], *, title: str, width: int = 640, height: int = 240) -> str:
    """Vertical columns over time (e.g. per month), with the value above each column."""
    left, bottom, top = 36, 36, 30
    count = max(1, len(items))
    slot = (width - left - 8) / count
    peak = max((value for _, value in items), default=0) or 1
    plot = height - bottom - top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart" width="100%">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 4}" y2="{height - bottom}" stroke="#999"/>',
    ]
    for index, (label, value) in enumerate(items):
        column = plot * value / peak
        x = left + index * slot + slot * 0.15
        y = height - bottom - column
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{max(column, 0.5):.1f}" fill="{PALETTE[2]}"/>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">{value:,.0f}</text>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
