"""Small SVG charts drawn on the server: no chart library, nothing for the CSP to block."""
from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 180, 32
BAND_FILLS = ("#fbeaea", "#fff3d6", "#e7f4ec", "#d4eddf")  # far below, below, met, exceeded


def line_chart(labels: list[str], values: list[float | None], thresholds: list[float], higher_is_better: bool,
               fmt, title: str) -> Markup:
    """A line over weeks with the target bands behind it; gaps where a week has no data."""
    known = [v for v in values if v is not None]
    low = min(known + thresholds) if known else min(thresholds)
    high = max(known + thresholds) if known else max(thresholds)
    span = (high - low) or 1.0
    low, high = low - span * 0.1, high + span * 0.1

    def y(value):
        return PAD + (HEIGHT - 2 * PAD) * (1 - (value - low) / (high - low))

    def x(index):
        return PAD + (WIDTH - 2 * PAD) * (index / max(len(values) - 1, 1))

    edges = sorted(thresholds)
    bounds = [low, *edges, high]
    fills = BAND_FILLS if higher_is_better else tuple(reversed(BAND_FILLS))
    parts = [f'<svg class="lms-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">']
    for i in range(4):
        top, bottom = y(bounds[i + 1]), y(bounds[i])
        parts.append(f'<rect x="{PAD}" y="{top:.1f}" width="{WIDTH - 2 * PAD}" height="{bottom - top:.1f}" '
                     f'fill="{fills[i]}"/>')
    segment: list[str] = []
    for i, value in enumerate(values + [None]):
        if value is None:
            if len(segment) > 1:
                parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="#1f5f8b" stroke-width="2"/>')
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(value):.1f}")
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" fill="#1f5f8b">'
                     f'<title>{escape(labels[i])}: {escape(fmt(value))}</title></circle>')
    for i, label in enumerate(labels):
        if i % max(len(labels) // 6, 1) == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle" '
                         f'fill="#5b6b7c">{escape(label)}</text>')
    for edge in edges:
        parts.append(f'<text x="{WIDTH - PAD + 2}" y="{y(edge) + 4:.1f}" font-size="10" fill="#5b6b7c">'
                     f'{escape(fmt(edge))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
