"""Small SVG charts drawn on the server: no chart library, nothing for the CSP to block."""
from __future__ import annotations

import datetime as dt

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


TIMELINE_HEIGHT = 240
_MIDWEEK = dt.timedelta(days=3)  # a week's value is drawn at its Thursday
SERIES_COLOURS = {"fcr": "#1f5f8b", "csat": "#1e7b45"}
EVENT_COLOURS = {"quiz": "#c2590a", "drill": "#7b3fa0", "tier": "#b3261e", "module": "#8a96a3"}


def timeline_chart(start, end, weeks, events, labels: dict[str, str]) -> Markup:
    """Weekly FCR and CSAT lines (0-100%), assessment results as dots, tier changes and finished
    modules as vertical lines, on one date axis from `start` to `end`."""
    days = max((end - start).days, 1)
    height = TIMELINE_HEIGHT

    def x(day):
        return PAD + (WIDTH - 2 * PAD) * ((day - start).days / days)

    def y(fraction):
        return PAD + (height - 2 * PAD) * (1 - fraction)

    parts = [f'<svg class="lms-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(labels["title"])}">']
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e4e9ef"/>'
                     f'<text x="{PAD - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end" fill="#5b6b7c">'
                     f'{int(tick * 100)}%</text>')
    for event in events:
        if event.kind in ("tier", "module"):
            dash = "" if event.kind == "tier" else ' stroke-dasharray="3 3"'
            parts.append(f'<line x1="{x(event.day):.1f}" x2="{x(event.day):.1f}" y1="{PAD}" y2="{height - PAD}" '
                         f'stroke="{EVENT_COLOURS[event.kind]}"{dash}><title>{escape(event.day.isoformat())} '
                         f'{escape(labels[event.kind])}: {escape(event.label)}</title></line>')
    for key, colour in SERIES_COLOURS.items():
        points = [(x(w.start + _MIDWEEK), y(w.values[key])) for w in weeks if w.values[key] is not None]
        if len(points) > 1:
            parts.append(f'<polyline points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in points)}" fill="none" '
                         f'stroke="{colour}" stroke-width="2"/>')
        for w in weeks:
            if w.values[key] is not None:
                parts.append(f'<circle cx="{x(w.start + _MIDWEEK):.1f}" cy="{y(w.values[key]):.1f}" r="2.5" '
                             f'fill="{colour}"><title>{escape(labels[key])} {escape(w.start.isoformat())}: '
                             f'{w.values[key]:.0%}</title></circle>')
    for event in events:
        if event.score is not None:
            parts.append(f'<rect x="{x(event.day) - 3:.1f}" y="{y(event.score) - 3:.1f}" width="6" height="6" '
                         f'fill="{EVENT_COLOURS[event.kind]}"><title>{escape(event.day.isoformat())} '
                         f'{escape(labels[event.kind])} {escape(event.label)}: {event.score:.0%}</title></rect>')
    for i in range(0, days + 1, max(days // 6, 1)):
        day = start + dt.timedelta(days=i)
        parts.append(f'<text x="{x(day):.1f}" y="{height - 8}" font-size="11" text-anchor="middle" fill="#5b6b7c">'
                     f'{escape(day.strftime("%m-%d"))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


EMOTION_HEIGHT = 160


def emotion_chart(values: list[int], title: str) -> Markup:
    """The customer's emotion per turn (-5 angry .. +5 delighted), a zero line across."""
    height, turns = EMOTION_HEIGHT, max(len(values) - 1, 1)

    def x(index):
        return PAD + (WIDTH - 2 * PAD) * index / turns

    def y(value):
        return PAD + (height - 2 * PAD) * (5 - value) / 10

    parts = [f'<svg class="lms-chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
             f'<rect x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{y(0) - PAD:.1f}" fill="#e7f4ec"/>',
             f'<rect x="{PAD}" y="{y(0):.1f}" width="{WIDTH - 2 * PAD}" height="{height - PAD - y(0):.1f}" '
             f'fill="#fbeaea"/>']
    for tick in (-5, 0, 5):
        parts.append(f'<text x="{PAD - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end" fill="#5b6b7c">'
                     f'{tick:+d}</text>')
    if len(values) > 1:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="#1f5f8b" stroke-width="2"/>')
    for i, value in enumerate(values):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" fill="#1f5f8b"><title>{i + 1}: {value:+d}'
                     f'</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))
