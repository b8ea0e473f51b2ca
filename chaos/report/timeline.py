"""The timeline picture of one scenario, hand-written SVG: each call a dot at (invoke time,
latency) coloured by outcome, fault windows shaded and labelled. A ``degraded`` 200 (the
revocation list not checked: fail-open) has its own colour, apart from an ``enforced`` 200."""

from __future__ import annotations

import math
from html import escape

from chaos.checkers.windows import fault_windows, history_end_ns
from chaos.history import Call, History

WIDTH, HEIGHT = 960, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 56
FLOOR_MS = 0.1  # the bottom of the log-scale latency axis
MAX_DOTS = 6000  # beyond this the picture thins evenly: a browser stays responsive

COLOURS = {
    "200": "#2e7d32",
    "200 degraded": "#f9a825",
    "4xx": "#1565c0",
    "503": "#ef6c00",
    "5xx": "#c62828",
    "timeout": "#6a1b9a",
    "refused": "#757575",
}


def outcome_class(call: Call) -> str:
    """The legend class of a call: 200, 200 degraded, 4xx, 503, 5xx, timeout (or unknown),
    refused."""
    done = call.completion
    if done is None or (done.status is None and "timeout" in (done.error or "")):
        return "timeout"
    if done.status is None:
        return "refused" if done.type == "fail" else "timeout"
    if done.status == 503:
        return "503"
    if done.status >= 500:
        return "5xx"
    if done.status >= 300:
        return "4xx"
    return "200 degraded" if done.revocation_check == "degraded" else "200"


def _nice_step(span: float) -> float:
    raw = span / 5 if span > 0 else 1.0
    power: float = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def timeline_svg(history: History, title: str = "") -> str:
    calls = [c for c in history.calls() if c.f != "probe"]
    ops = history.ops
    origin = min((op.time_ns for op in ops), default=0)
    end = history_end_ns(history)
    span_s = max((end - origin) / 1e9, 1e-3)
    latencies = [
        c.completion.latency_ms
        for c in calls
        if c.completion is not None and c.completion.latency_ms is not None
    ]
    top_ms = max(latencies, default=1.0) * 2 or 1.0  # headroom on the log axis: timeouts go on top
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(ns: int) -> float:
        return LEFT + (ns - origin) / 1e9 / span_s * plot_w

    # log scale (as Jepsen's latency plots): 1 ms answers and 5 s timeouts both stay readable
    low_log = math.log10(FLOOR_MS)
    span_log = max(math.log10(max(top_ms, FLOOR_MS * 10)) - low_log, 1.0)

    def y(ms: float) -> float:
        scaled = (math.log10(min(max(ms, FLOOR_MS), top_ms)) - low_log) / span_log
        return TOP + plot_h - scaled * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title or 'timeline')}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
    ]
    for window in fault_windows(history):
        x0, x1 = x(window.began_ns), x(window.end_ns(end))
        out.append(
            f'<rect x="{x0:.1f}" y="{TOP}" width="{max(x1 - x0, 1):.1f}" height="{plot_h}" '
            f'fill="#ffcdd2" fill-opacity="0.5"><title>{escape(window.name)}</title></rect>'
        )
        out.append(
            f'<text x="{x0 + 2:.1f}" y="{TOP + plot_h - 4}" fill="#b71c1c">'
            f"{escape(window.name)}</text>"
        )
    step_s = _nice_step(span_s)
    tick = 0.0
    while tick <= span_s + 1e-9:
        tx = LEFT + tick / span_s * plot_w
        out.append(
            f'<line x1="{tx:.1f}" y1="{TOP + plot_h}" x2="{tx:.1f}" '
            f'y2="{TOP + plot_h + 4}" stroke="black"/>'
        )
        out.append(
            f'<text x="{tx:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{tick:g}</text>'
        )
        tick += step_s
    for power in range(round(low_log), math.ceil(low_log + span_log) + 1):
        tick = 10.0**power
        if tick > top_ms:
            break
        ty = y(tick)
        out.append(
            f'<line x1="{LEFT - 4}" y1="{ty:.1f}" x2="{LEFT + plot_w}" y2="{ty:.1f}" '
            f'stroke="#eeeeee"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{tick:g}</text>')
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="black"/>'
    )
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 24}" text-anchor="middle">'
        f"seconds since start</text>"
    )
    out.append(
        f'<text x="14" y="{TOP + plot_h / 2}" transform="rotate(-90 14 {TOP + plot_h / 2})"'
        f' text-anchor="middle">latency (ms, log)</text>'
    )
    stride = max(1, math.ceil(len(calls) / MAX_DOTS))
    for call in calls[::stride]:
        kind = outcome_class(call)
        done = call.completion
        ms = done.latency_ms if done is not None and done.latency_ms is not None else top_ms
        if kind == "timeout":
            ms = top_ms  # unknown outcome: drawn at the top, beyond every measured latency
        out.append(
            f'<circle cx="{x(call.start_ns):.1f}" cy="{y(ms):.1f}" r="1.8" '
            f'fill="{COLOURS[kind]}" class="{kind.replace(" ", "-")}"/>'
        )
    legend_x = LEFT
    for kind, colour in COLOURS.items():
        out.append(f'<circle cx="{legend_x + 4}" cy="{HEIGHT - 8}" r="4" fill="{colour}"/>')
        out.append(f'<text x="{legend_x + 12}" y="{HEIGHT - 4}">{kind}</text>')
        legend_x += 70 + 6 * len(kind)
    if title:
        out.append(
            f'<text x="{LEFT}" y="16" font-size="13">{escape(title)}'
            + (f" (1 dot in {stride})" if stride > 1 else "")
            + "</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
