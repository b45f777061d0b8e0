"""The trend chart as an accessible SVG, drawn on the server.

It works without JavaScript and in any reader: a ``<title>`` and ``<desc>`` say what it shows
(the desc lists every value, so a screen reader gets the whole chart), axes carry labels, every
point has its own ``<title>``, and lines differ in dash pattern and marker as well as colour, so
the chart survives greyscale printing and colour blindness. Every text is XML-escaped.
"""

from __future__ import annotations

import math
from html import escape

from kb.research.trends import Trends

WIDTH, HEIGHT = 760, 360
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 20, 24, 86
#: Colour-blind-safe palette (Okabe-Ito), with a dash pattern and marker per series.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442")
_DASHES = ("", "6 4", "2 3", "10 3 2 3", "1 4", "8 2", "4 4 1 4", "12 4")
_MARKERS = ("circle", "square", "diamond", "triangle", "circle", "square", "diamond",
            "triangle")


def trend_svg(trends: Trends, title: str = "") -> str:
    """An SVG line chart of passages per 1,000 per session, one line per query."""
    sessions = trends.sessions
    title = title or "Passages per 1,000 by session: " + ", ".join(
        quoted(s.query) for s in trends.series)
    top = max((p.per_thousand for s in trends.series for p in s.points), default=0.0)
    ceiling = _nice_ceiling(top)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    step = plot_w / max(1, len(sessions) - 1) if len(sessions) > 1 else 0

    def x(i: int) -> float:
        return _LEFT + (i * step if len(sessions) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return _TOP + plot_h - (value / ceiling) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-labelledby="trend-title trend-desc">',
        f'<title id="trend-title">{escape(title)}</title>',
        f'<desc id="trend-desc">{escape(_description(trends))}</desc>',
    ]
    for k in range(5):  # horizontal grid and y tick labels
        value = ceiling * k / 4
        out.append(f'<line class="grid" x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{y(value):.1f}" '
                   f'y2="{y(value):.1f}" stroke="#ccc" stroke-width="1"/>')
        out.append(f'<text class="tick" x="{_LEFT - 6}" y="{y(value) + 4:.1f}" '
                   f'text-anchor="end" font-size="12">{_number(value)}</text>')
    for i, number in enumerate(sessions):  # x ticks
        out.append(f'<text class="tick" x="{x(i):.1f}" y="{_TOP + plot_h + 18}" '
                   f'text-anchor="middle" font-size="12">{number}</text>')
    out.append(f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{_TOP + plot_h}" '
               f'y2="{_TOP + plot_h}" stroke="#333" stroke-width="1"/>')
    out.append(f'<line x1="{_LEFT}" x2="{_LEFT}" y1="{_TOP}" y2="{_TOP + plot_h}" '
               f'stroke="#333" stroke-width="1"/>')
    out.append(f'<text class="axis-label" x="{_LEFT + plot_w / 2:.1f}" y="{_TOP + plot_h + 38}" '
               f'text-anchor="middle" font-size="13">Session</text>')
    out.append(f'<text class="axis-label" transform="translate(16 {_TOP + plot_h / 2:.1f}) '
               f'rotate(-90)" text-anchor="middle" font-size="13">Passages per 1,000</text>')
    for n, series in enumerate(trends.series):
        colour, dash, marker = (PALETTE[n % len(PALETTE)], _DASHES[n % len(_DASHES)],
                                _MARKERS[n % len(_MARKERS)])
        points = " ".join(f"{x(i):.1f},{y(p.per_thousand):.1f}"
                          for i, p in enumerate(series.points))
        out.append(f'<g class="series" data-query="{escape(series.query)}">')
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5"{dashed} '
                   f'points="{points}"/>')
        for i, p in enumerate(series.points):
            label = (f"{quoted(series.query)}, session {p.session}: {_number(p.per_thousand)} per "
                     f"1,000 passages ({p.passages} of {p.session_passages} passages, "
                     f"{p.documents} documents)")
            out.append(f'<g class="point">{_marker(marker, x(i), y(p.per_thousand), colour)}'
                       f'<title>{escape(label)}</title></g>')
        out.append("</g>")
    legend_y = HEIGHT - 22
    for n, series in enumerate(trends.series):
        lx = _LEFT + (n % 4) * 170
        ly = legend_y - (1 - n // 4) * 18 if len(trends.series) > 4 else legend_y
        colour, dash = PALETTE[n % len(PALETTE)], _DASHES[n % len(_DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx}" x2="{lx + 26}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="2.5"{dashed}/>')
        out.append(_marker(_MARKERS[n % len(_MARKERS)], lx + 13, ly, colour))
        out.append(f'<text class="legend" x="{lx + 32}" y="{ly + 4}" font-size="12">'
                   f'{escape(_short(series.query))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _description(trends: Trends) -> str:
    parts = []
    for s in trends.series:
        values = "; ".join(f"session {p.session}: {_number(p.per_thousand)}"
                           for p in s.points)
        parts.append(f"{quoted(s.query)} ({s.passages} passages in {s.documents} documents): "
                     f"{values}")
    return "Passages per 1,000 passages of each session. " + ". ".join(parts) + "."


def quoted(query: str) -> str:
    """A query in curly quotes, unless it is a quoted phrase already."""
    return query if query.startswith('"') else f"“{query}”"


def _marker(kind: str, cx: float, cy: float, colour: str) -> str:
    if kind == "square":
        return (f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8" '
                f'fill="{colour}"/>')
    if kind == "diamond":
        return (f'<polygon points="{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy:.1f} '
                f'{cx:.1f},{cy + 5:.1f} {cx - 5:.1f},{cy:.1f}" fill="{colour}"/>')
    if kind == "triangle":
        return (f'<polygon points="{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy + 4:.1f} '
                f'{cx - 5:.1f},{cy + 4:.1f}" fill="{colour}"/>')
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}"/>'


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above ``value`` (1 for 0)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= value:
            return float(factor * power)
    return float(10 * power)


def _number(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
