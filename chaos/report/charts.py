"""Line charts of Prometheus range queries, hand-written SVG (like timeline.py): what a
Grafana time-series panel would show, for a report that needs no Grafana.

    svg = line_chart_svg("Breaker state", [("w0-123", points)], start=t0, end=t1,
                         unit="short", windows=[(t0 + 2, t0 + 5, "proxy_down")])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from chaos.monitoring.series import Point

__all__ = ["PALETTE", "Window", "format_value", "line_chart_svg", "nice_ticks"]

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 40
LEGEND_ROW = 16  # px per legend line below the plot
MAX_LEGEND = 12  # series named in the legend; the rest are drawn and counted
PALETTE = ("#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457",
           "#4e342e", "#558b2f", "#283593")  # fmt: skip
Window = tuple[float, float, str]  # (start, end in Unix seconds, label): a fault, shaded
_UNITS = {"s": "s", "reqps": "req/s", "ops": "/s", "Bps": "B/s", "percentunit": ""}


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [low, high]."""
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return [low]
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    return ticks


def format_value(value: float, unit: str) -> str:
    """A tick or figure with its unit (``250ms``, ``1.5k``, ``42%``)."""
    if unit == "s":
        if value == 0:
            return "0"
        return f"{value * 1000:.3g}ms" if abs(value) < 1 else f"{value:.3g}s"
    if unit == "percentunit":
        return f"{value * 100:.3g}%"
    suffix = _UNITS.get(unit, "")
    for size, letter in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{letter}{suffix}"
    return f"{value:.3g}{suffix}"


def _dashes(index: int) -> str:
    """Every second round of the palette dashed, so 20 lines stay apart."""
    return ' stroke-dasharray="5 3"' if index // len(PALETTE) % 2 else ""


def line_chart_svg(
    title: str,
    lines: Sequence[tuple[str, Sequence[Point]]],
    *,
    start: float,
    end: float,
    unit: str = "",
    windows: Sequence[Window] = (),
    note: str = "",
) -> str:
    """One chart: each line a polyline over (time, value), broken where a value is missing or
    NaN; ``windows`` shaded; ``note`` (e.g. a query error) written across an empty plot."""
    span = max(end - start, 1e-3)
    finite = [v for _, points in lines for _, v in points if math.isfinite(v)]
    low = min(0.0, min(finite, default=0.0))
    high = max(finite, default=1.0)
    if high <= low:
        high = low + 1.0
    high *= 1.05 if high > 0 else 1.0
    legend_lines = min(len(lines), MAX_LEGEND) + (1 if len(lines) > MAX_LEGEND else 0)
    height = HEIGHT + LEGEND_ROW * legend_lines
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: float) -> float:
        return LEFT + (min(max(t, start), end) - start) / span * plot_w

    def y(v: float) -> float:
        return TOP + plot_h - (v - low) / (high - low) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{LEFT}" y="16" font-size="13">{escape(title)}</text>',
    ]
    for began, ended, label in windows:
        x0, x1 = x(began), x(ended)
        out.append(
            f'<rect x="{x0:.1f}" y="{TOP}" width="{max(x1 - x0, 1):.1f}" height="{plot_h}" '
            f'fill="#ffcdd2" fill-opacity="0.5"><title>{escape(label)}</title></rect>'
        )
    for tick in nice_ticks(low, high):
        ty = y(tick)
        out.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{LEFT + plot_w}" y2="{ty:.1f}" stroke="#eee"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{escape(format_value(tick, unit))}</text>"
        )
    for tick in nice_ticks(0.0, span):
        tx = LEFT + tick / span * plot_w
        out.append(
            f'<line x1="{tx:.1f}" y1="{TOP + plot_h}" x2="{tx:.1f}" y2="{TOP + plot_h + 4}" '
            'stroke="black"/>'
        )
        out.append(
            f'<text x="{tx:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{tick:g}</text>'
        )
    out.append(
        f'<text x="{LEFT + plot_w}" y="{TOP + plot_h + 30}" text-anchor="end">'
        "seconds since the scenario began</text>"
    )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="black"/>'
    )
    for index, (label, points) in enumerate(lines):
        colour = PALETTE[index % len(PALETTE)]
        dashes = _dashes(index)
        runs: list[list[str]] = [[]]
        for t, v in points:
            if not math.isfinite(v):
                runs.append([])
                continue
            runs[-1].append(f"{x(t):.1f},{y(v):.1f}")
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="1.5" fill="{colour}"/>')
            elif run:
                out.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                    f'stroke-width="1.5"{dashes}><title>{escape(label)}</title></polyline>'
                )
    if note or not lines:
        out.append(
            f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" text-anchor="middle" '
            f'fill="#b71c1c">{escape(note or "no data")}</text>'
        )
    for index, (label, _) in enumerate(lines[:MAX_LEGEND]):
        ly = HEIGHT + LEGEND_ROW * index + 8
        out.append(
            f'<line x1="{LEFT}" y1="{ly - 7}" x2="{LEFT + 12}" y2="{ly - 7}" stroke-width="2" '
            f'stroke="{PALETTE[index % len(PALETTE)]}"{_dashes(index)}/>'
        )
        out.append(f'<text x="{LEFT + 16}" y="{ly - 4}">{escape(label)}</text>')
    if len(lines) > MAX_LEGEND:
        ly = HEIGHT + LEGEND_ROW * MAX_LEGEND + 8
        out.append(f'<text x="{LEFT}" y="{ly - 4}">... and {len(lines) - MAX_LEGEND} more</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
