"""A radar chart drawn on the server as SVG: one axis per skill (0 at the centre, 100% at the
rim), the agent's scores against the team median. No script, nothing for the CSP to block;
the page shows the same numbers in a table beside it."""
from __future__ import annotations

import math

from markupsafe import Markup, escape

WIDTH, HEIGHT, RADIUS = 720, 460, 170  # wide: Chinese skill names sit left and right of the rim
AGENT, TEAM = "#1f5f8b", "#1e7b45"  # the colours of .lms-legend-fcr and .lms-legend-csat


def _point(index: int, count: int, fraction: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count  # the first axis points up
    return WIDTH / 2 + RADIUS * fraction * math.cos(angle), HEIGHT / 2 + RADIUS * fraction * math.sin(angle)


def _shape(values: list[float | None], colour: str, dashed: bool, label: str, names: list[str]) -> list[str]:
    """A closed outline through the known values (axes without a value are left out), dots on it."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    parts = []
    if len(known) > 2:
        points = " ".join("%.1f,%.1f" % _point(i, len(values), v) for i, v in known)
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        fill = f'fill="{colour}" fill-opacity="0.15"' if not dashed else 'fill="none"'
        parts.append(f'<polygon points="{points}" {fill} stroke="{colour}" stroke-width="2"{dash}/>')
    for i, value in known:
        x, y = _point(i, len(values), value)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>{escape(label)} · '
                     f'{escape(names[i])}: {value:.0%}</title></circle>')
    return parts


def radar_chart(names: list[str], mine: list[float | None], team: list[float | None], title: str,
                mine_label: str, team_label: str) -> Markup:
    """Scores are fractions 0-1 (None: no score); names label the axes in order."""
    count = max(len(names), 3)
    cx, cy = WIDTH / 2, HEIGHT / 2
    parts = [f'<svg class="lms-chart lms-radar" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}">']
    for ring in (0.25, 0.5, 0.75, 1.0):
        points = " ".join("%.1f,%.1f" % _point(i, count, ring) for i in range(count))
        parts.append(f'<polygon points="{points}" fill="none" stroke="#e4e9ef"/>')
        parts.append(f'<text x="{cx + 3:.1f}" y="{cy - RADIUS * ring + 11:.1f}" font-size="10" '
                     f'fill="#8a96a3">{int(ring * 100)}%</text>')
    for i, name in enumerate(names):
        x, y = _point(i, count, 1.0)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#e4e9ef"/>')
        lx, ly = _point(i, count, 1.12)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        muted = mine[i] is None
        parts.append(f'<text x="{lx:.1f}" y="{ly + 4:.1f}" font-size="12" text-anchor="{anchor}" '
                     f'fill="{"#8a96a3" if muted else "#23303d"}">{escape(name)}</text>')
    parts += _shape(team + [None] * (count - len(team)), TEAM, True, team_label, names)
    parts += _shape(mine + [None] * (count - len(mine)), AGENT, False, mine_label, names)
    parts.append("</svg>")
    return Markup("".join(parts))
