"""SVG charts of the comparison, hand-written like the gate's timelines (no plotting library):
a line per design against users (or workers), and stacked bars of where the CPU went.

    svg = lines_svg("p99 latency", [("naive", [(1000, 9.0), (5000, 19776.0)])],
                    x_label="users", unit="ms", log_y=True)
    svg = stacked_bars_svg("CPU", [("naive 1,000", {"Redis": 0.1, "generator": 0.4})],
                           unit="cores", total=2.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from chaos.report.charts import PALETTE, nice_ticks

__all__ = ["lines_svg", "log_ticks", "stacked_bars_svg"]

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 30, 48
LEGEND_ROW = 16
# bars stack up to a dozen parts: the gate's palette and four more; some parts keep a colour
BAR_COLOURS = (*PALETTE, "#f06292", "#80deea", "#aed581", "#ffcc80")
NAMED_COLOURS = {
    "Redis": "#212121",
    "workers: other Python": "#90a4ae",
    "generator": "#fbc02d",
    "py-spy": "#8d6e63",
    "service's other processes": "#455a64",
    "rest of the box": "#d0d0d0",
}


def _colour(parts: Sequence[str], name: str) -> str:
    if name in NAMED_COLOURS:
        return NAMED_COLOURS[name]
    free = [p for p in parts if p not in NAMED_COLOURS]
    return BAR_COLOURS[free.index(name) % len(BAR_COLOURS)]


Series = tuple[str, Sequence[tuple[float, float]]]


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten (and 2x, 5x when few) covering [low, high], both > 0."""
    first = math.floor(math.log10(low))
    last = math.ceil(math.log10(high))
    ticks = [10.0**e for e in range(first, last + 1)]
    if len(ticks) <= 3:
        ticks = sorted({t * m for t in ticks for m in (1, 2, 5)})
    return [t for t in ticks if low / 1.0001 <= t <= high * 1.0001] or [low]


def _label(value: float, unit: str) -> str:
    if unit == "ms" and value >= 1000:
        return f"{value / 1000:g} s"
    text = f"{value:,.0f}" if value >= 10 else f"{value:g}"
    return f"{text} {unit}".strip()


def _svg_head(title: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{LEFT}" y="18" font-size="13">{escape(title)}</text>',
    ]


def lines_svg(
    title: str,
    series: Sequence[Series],
    *,
    x_label: str,
    unit: str,
    log_y: bool = False,
    note: str = "",
) -> str:
    """One line per series over (x, y); a y of 0 or below is left out on a log scale; x
    positions are the distinct x values, evenly spaced (users 1,000 / 5,000 / 10,000)."""
    xs = sorted({x for _, points in series for x, _ in points})
    ys = [y for _, points in series for _, y in points if math.isfinite(y) and (y > 0 or not log_y)]
    height = HEIGHT + LEGEND_ROW * len(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    out = _svg_head(title, height)
    if log_y and ys:
        low, high = min(ys), max(ys)
        low, high = 10 ** math.floor(math.log10(low)), 10 ** math.ceil(math.log10(high))
        ticks = log_ticks(low, high)

        def scale(v: float) -> float:
            return (math.log10(v) - math.log10(low)) / max(math.log10(high / low), 1e-9)
    else:
        low, high = 0.0, max(ys, default=1.0) * 1.08 or 1.0
        ticks = nice_ticks(low, high)

        def scale(v: float) -> float:
            return (v - low) / (high - low)

    def y_of(v: float) -> float:
        return TOP + plot_h - scale(v) * plot_h

    def x_of(x: float) -> float:
        index = xs.index(x)
        return LEFT + (plot_w * (index + 0.5) / len(xs) if xs else 0)

    for tick in ticks:
        ty = y_of(tick)
        out.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{LEFT + plot_w}" y2="{ty:.1f}" stroke="#eee"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{escape(_label(tick, unit))}</text>"
        )
    for x in xs:
        out.append(
            f'<text x="{x_of(x):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{x:,.0f}</text>'
        )
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h + 34}" text-anchor="middle">'
        f"{escape(x_label)}{' (y on a log scale)' if log_y else ''}</text>"
    )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="black"/>'
    )
    for index, (label, points) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        kept = [(x, y) for x, y in sorted(points) if math.isfinite(y) and (y > 0 or not log_y)]
        coords = [f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in kept]
        if len(coords) > 1:
            out.append(
                f'<polyline points="{" ".join(coords)}" fill="none" stroke="{colour}" '
                f'stroke-width="2"><title>{escape(label)}</title></polyline>'
            )
        for (x, y), coord in zip(kept, coords, strict=True):
            cx, cy = coord.split(",")
            out.append(
                f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"><title>'
                f"{escape(label)}: {escape(_label(y, unit))} at {x:,.0f}</title></circle>"
            )
    if note or not ys:
        out.append(
            f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" text-anchor="middle" '
            f'fill="#b71c1c">{escape(note or "no data")}</text>'
        )
    for index, (label, _) in enumerate(series):
        ly = HEIGHT + LEGEND_ROW * index + 4
        out.append(
            f'<line x1="{LEFT}" y1="{ly - 4}" x2="{LEFT + 14}" y2="{ly - 4}" '
            f'stroke-width="3" stroke="{PALETTE[index % len(PALETTE)]}"/>'
        )
        out.append(f'<text x="{LEFT + 20}" y="{ly}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


BAR_ROW = 22


def stacked_bars_svg(
    title: str,
    bars: Sequence[tuple[str, Mapping[str, float]]],
    *,
    unit: str,
    total: float | None = None,
) -> str:
    """One horizontal bar per label, its parts stacked in the order of the first bar that
    names them, one colour per part; ``total`` (e.g. the box's cores) marks the scale's end."""
    parts: list[str] = []
    for _, values in bars:
        parts += [name for name in values if name not in parts]
    biggest = max((sum(v.values()) for _, v in bars), default=0.0)
    high = max(total or 0.0, biggest) or 1.0
    label_w = 200
    plot_w = WIDTH - label_w - RIGHT
    plot_top = TOP + 8
    height = plot_top + BAR_ROW * len(bars) + 40 + LEGEND_ROW * math.ceil(len(parts) / 2)
    out = _svg_head(title, height)

    def x_of(v: float) -> float:
        return label_w + v / high * plot_w

    for tick in nice_ticks(0.0, high):
        tx = x_of(tick)
        bottom = plot_top + BAR_ROW * len(bars)
        out.append(
            f'<line x1="{tx:.1f}" y1="{plot_top}" x2="{tx:.1f}" y2="{bottom}" stroke="#eee"/>'
        )
        out.append(f'<text x="{tx:.1f}" y="{bottom + 14}" text-anchor="middle">{tick:g}</text>')
    out.append(
        f'<text x="{label_w + plot_w / 2}" y="{plot_top + BAR_ROW * len(bars) + 30}" '
        f'text-anchor="middle">{escape(unit)}</text>'
    )
    if total:
        tx = x_of(total)
        out.append(
            f'<line x1="{tx:.1f}" y1="{plot_top}" x2="{tx:.1f}" '
            f'y2="{plot_top + BAR_ROW * len(bars)}" stroke="black" stroke-dasharray="4 3"/>'
        )
    for row, (label, values) in enumerate(bars):
        y = plot_top + BAR_ROW * row
        out.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        start = 0.0
        for name in parts:
            value = values.get(name, 0.0)
            if value <= 0:
                continue
            colour = _colour(parts, name)
            out.append(
                f'<rect x="{x_of(start):.1f}" y="{y + 3}" '
                f'width="{max(x_of(start + value) - x_of(start), 0.5):.1f}" height="16" '
                f'fill="{colour}"><title>{escape(label)}: {escape(name)} {value:.2f} '
                f"{escape(unit)}</title></rect>"
            )
            start += value
    legend_top = plot_top + BAR_ROW * len(bars) + 48
    for index, name in enumerate(parts):
        lx = LEFT if index % 2 == 0 else LEFT + (WIDTH - LEFT) / 2
        ly = legend_top + LEGEND_ROW * (index // 2)
        out.append(
            f'<rect x="{lx:.0f}" y="{ly - 9}" width="12" height="10" '
            f'fill="{_colour(parts, name)}"/>'
        )
        out.append(f'<text x="{lx + 16:.0f}" y="{ly}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
