"""The comparison's report folder: ``index.md``, ``index.html``, ``figures.json`` (every figure,
to re-render with ``--from-figures``) and the SVG charts.

    write_report(folder, Comparison(...))    # -> folder/index.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from benchmarks.compare.charts import lines_svg, stacked_bars_svg
from benchmarks.compare.figures import RunFigures, goals
from benchmarks.compare.overload_goals import overload_goals
from benchmarks.compare.scaling import DEFAULT_UTILISATION, project
from benchmarks.compare.tables import (
    bottleneck_table,
    compare_table,
    components_table,
    errors_table,
    goals_table,
    projection_lines,
    scaling_table,
)
from chaos.workload.http1 import LAG_EFFECT

__all__ = ["CHARTS", "Comparison", "markdown_to_html", "render_markdown", "write_report"]

CHARTS = {
    "latency-p50.svg": "p50 latency against users (log scale)",
    "latency-p99.svg": "p99 latency against users (log scale)",
    "throughput.svg": "requests answered as expected per second against users",
    "cpu.svg": "where the CPU went, per design and load (cores)",
    "scaling-throughput.svg": "reference: answered as expected per second against workers",
    "scaling-cpu.svg": "reference: CPU per answered request against workers",
}
PHASE_5 = [
    ("30-minute soak with its leak verdict", "python -m benchmarks.soak --minutes 30 "
     "--sample-every 30 --hash-cost 16"),
    ("pool exhaustion: the revocation pool driven to its limit, and what the service answers",
     "python -m benchmarks.pool_exhaustion"),
    ("the 10,000-user run, both designs side by side",
     "python -m benchmarks.compare --preset full"),
    ("the 10,000-user run of the reference alone", "python -m benchmarks.load --preset 10k "
     "--hash-cost 16"),
    ("load beyond one machine: Locust, a master and N workers",
     "python -m benchmarks.locust_run --workers 2"),
]  # fmt: skip


@dataclass
class Comparison:
    """Everything one run of ``python -m benchmarks.compare`` measured and how."""

    command: str
    started: str
    took_s: float
    load_before: str
    load_after: str
    settings: dict[str, Any]
    designs: list[dict[str, str]]  # key, title, passwords, flags
    runs: list[RunFigures]
    scaling: list[RunFigures] = field(default_factory=list)
    target_rps: float = 10_000.0
    utilisation: float = DEFAULT_UTILISATION

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k not in ("runs", "scaling")}
        data["runs"] = [r.to_json() for r in self.runs]
        data["scaling"] = [r.to_json() for r in self.scaling]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Comparison:
        fields = dict(data)
        fields["runs"] = [RunFigures.from_json(r) for r in data["runs"]]
        fields["scaling"] = [RunFigures.from_json(r) for r in data.get("scaling", [])]
        return cls(**fields)


def _took(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def render_markdown(c: Comparison) -> str:
    s = c.settings
    lines = [
        f"# The designs side by side: {c.started}",
        "",
        f"`{c.command}` took {_took(c.took_s)}; {c.load_before} before, {c.load_after} after.",
        "",
        f"Same for every design: {s['workers']} workers, {s['accounts']} accounts shared by the "
        f"virtual users, {s['processes']} generator processes on the same cores, request "
        f"timeout {s['timeout_s']:g} s, seed {s['seed']}; the source's mix, closed loop: each "
        "user logs in, then every 0.5-1.5 s verifies (8 in 9) or logs out, verifies the dead "
        "token on the other connection turn and logs in again (1 in 9). Each design starts "
        "fresh (its own Redis and workers) and all of a load's designs run back to back.",
        "",
        "| design | what | passwords | extra flags |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {d['key']} | {d['title']} | {d['passwords']} | {d['flags'] or '-'} |" for d in c.designs
    ]
    lines += [
        "",
        "## The comparison",
        "",
        "*as expected*: what the contract promises a healthy service; *shed*: 429 or 503 "
        "with `Retry-After`; *unexpected*: timeouts, resets, 5xx, `degraded` with Redis "
        "healthy, a wrong status, a revoked token accepted. *x naive*: the design's figure "
        "over the naive design's at the same load. Latencies are the client's; the "
        f"generator's own event-loop lag: {LAG_EFFECT}.",
        "",
        *compare_table(c.runs),
        "",
        *(f"![{title}]({name})" for name, title in list(CHARTS.items())[:3]),
        "",
        "## Goals",
        "",
        *goals_table([*goals(c.runs), *overload_goals(c.runs)]),
        "",
        "## Errors by kind",
        "",
        *errors_table(c.runs),
        "",
        "## Where the CPU goes",
        "",
        "Cores used by each part over the run (share of the box's busy time): the workers "
        "and the service's other processes from /proc, Redis from its own `INFO cpu`, the "
        "generator from its processes' own times (and this command's, which merges them), "
        "py-spy from its recorders' times; the rest of the box is what is left of all cores' "
        "busy time (other users of the machine). CPU per request: over every request of the "
        "mix, shed ones included.",
        "",
        *bottleneck_table(c.runs),
        "",
        "The workers' Python time by component (py-spy samples of the thread holding the "
        "GIL, credited to the innermost Python frame; native work outside the GIL, such as "
        "libuv's polling and socket reads, is not sampled, and the chart splits the workers' "
        "CPU in proportion):",
        "",
        *components_table(c.runs),
        "",
        f"![{CHARTS['cpu.svg']}](cpu.svg)",
        "",
    ]
    lines += _scaling_section(c)
    lines += ["## The source report's Phase 5", ""]
    lines += [f"- {what}: `{command}`" for what, command in PHASE_5]
    lines += [
        "",
        "Their latest figures are in the repository's README (section Performance) and "
        "docs/performance.md.",
        "",
        "## Runs",
        "",
    ]
    listed = [(r, False) for r in c.runs] + [(r, True) for r in c.scaling]
    for r, scaling in listed:
        extra = f" ({'; '.join(r.notes)})" if r.notes else ""
        folder = _run_folder(r, scaling=scaling)
        lines.append(
            f"- [{r.design}, {r.users:,} users, {r.workers} workers]({folder}/run.md): "
            f"started {r.started}{extra}"
        )
    return "\n".join(lines) + "\n"


def _scaling_section(c: Comparison) -> list[str]:
    if not c.scaling:
        return ["## Scaling on this box", "", "Not run (--scaling-workers none).", ""]
    lines = [
        "## Scaling on this box",
        "",
        f"The reference under {c.scaling[0].users:,} users at each worker count (this box has "
        f"{c.scaling[0].cpu.cores} cores, shared with the generator).",
        "",
        *scaling_table(c.scaling),
        "",
        f"![{CHARTS['scaling-throughput.svg']}](scaling-throughput.svg)",
        f"![{CHARTS['scaling-cpu.svg']}](scaling-cpu.svg)",
        "",
        *projection_lines(project(c.scaling, c.target_rps, c.utilisation)),
        "",
    ]
    return lines


def _run_folder(r: RunFigures, *, scaling: bool = False) -> str:
    if scaling:
        return f"runs/scaling-{r.workers}w-{r.users}"
    return f"runs/{r.design}-{r.users}"


def charts(c: Comparison) -> dict[str, str]:
    """Every chart of the report, by file name."""
    designs = list(dict.fromkeys(r.design for r in c.runs))

    def series(value: Any) -> list[tuple[str, list[tuple[float, float]]]]:
        out = []
        for design in designs:
            points = [(float(r.users), value(r)) for r in c.runs if r.design == design]
            out.append((design, [(x, y) for x, y in points if y is not None]))
        return out

    made = {
        "latency-p50.svg": lines_svg(CHARTS["latency-p50.svg"], series(lambda r: r.p50_ms),
                                     x_label="users", unit="ms", log_y=True),
        "latency-p99.svg": lines_svg(CHARTS["latency-p99.svg"], series(lambda r: r.p99_ms),
                                     x_label="users", unit="ms", log_y=True),
        "throughput.svg": lines_svg(CHARTS["throughput.svg"],
                                    series(lambda r: r.expected_per_s), x_label="users",
                                    unit="req/s"),
        "cpu.svg": stacked_bars_svg(
            CHARTS["cpu.svg"],
            [(f"{r.design}, {r.users:,} users", {k: v / (r.cpu.wall_s or 1.0)
              for k, v in r.cpu.parts().items()}) for r in c.runs],
            unit="cores", total=float(c.runs[0].cpu.cores) if c.runs else None,
        ),
    }  # fmt: skip
    if c.scaling:
        points = sorted(c.scaling, key=lambda r: r.workers)
        answered = [
            (float(r.workers), (r.cpu.workers_s + (r.cpu.redis_s or 0.0)) * 1e6 / r.expected)
            for r in points if r.expected
        ]  # fmt: skip
        made["scaling-throughput.svg"] = lines_svg(
            CHARTS["scaling-throughput.svg"],
            [("reference", [(float(r.workers), r.expected_per_s) for r in points])],
            x_label="workers", unit="req/s",
        )  # fmt: skip
        made["scaling-cpu.svg"] = lines_svg(
            CHARTS["scaling-cpu.svg"], [("reference (workers + Redis)", answered)],
            x_label="workers", unit="us",
        )  # fmt: skip
    return made


_IMAGE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<src>[^)]+)\)$")
_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<href>[^)]+)\)")
_CODE = re.compile(r"`([^`]+)`")
_EMPHASIS = re.compile(r"\*([^*]+)\*")


def _inline(text: str) -> str:
    html = escape(text, quote=False)
    html = _CODE.sub(r"<code>\1</code>", html)
    html = _EMPHASIS.sub(r"<em>\1</em>", html)
    return _LINK.sub(r'<a href="\g<href>">\g<text></a>', html)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def markdown_to_html(markdown: str, title: str) -> str:
    """The report's own Markdown (headings, tables, lists, images, paragraphs) as HTML."""
    body: list[str] = []
    rows: list[list[str]] = []
    items: list[str] = []

    def flush() -> None:
        if rows:
            head, *rest = rows
            body.append("<table><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr>")
            for row in rest:
                body.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>")
            body.append("</table>")
            rows.clear()
        if items:
            body.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            if not set(line) <= set("|-: "):
                rows.append(_cells(line))
            continue
        if line.startswith("- "):
            items.append(line[2:])
            continue
        flush()
        image = _IMAGE.match(line)
        if image:
            body.append(f'<p><img src="{escape(image["src"])}" alt="{escape(image["alt"])}"></p>')
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{_inline(line[level:].strip())}</h{level}>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    flush()
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>body{{font-family:sans-serif;max-width:1400px}}"
        "td,th{border:1px solid #ccc;padding:3px 5px;font-size:13px}"
        "table{border-collapse:collapse}img{max-width:100%}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def write_report(folder: Path, comparison: Comparison) -> Path:
    """index.md, index.html, figures.json and every chart in ``folder``; the index.html."""
    folder.mkdir(parents=True, exist_ok=True)
    markdown = render_markdown(comparison)
    (folder / "index.md").write_text(markdown, encoding="utf-8")
    index = folder / "index.html"
    index.write_text(markdown_to_html(markdown, f"Comparison {comparison.started}"), "utf-8")
    (folder / "figures.json").write_text(
        json.dumps(comparison.to_json(), indent=1) + "\n", encoding="utf-8"
    )
    for name, svg in charts(comparison).items():
        (folder / name).write_text(svg, encoding="utf-8")
    return index


def read_comparison(path: Path) -> Comparison:
    """A ``figures.json`` written by ``write_report``."""
    return Comparison.from_json(json.loads(path.read_text(encoding="utf-8")))


def run_folders(runs: Sequence[RunFigures], scaling: Sequence[RunFigures]) -> list[str]:
    """Where each run's files are, relative to the report folder."""
    return [_run_folder(r) for r in runs] + [_run_folder(r, scaling=True) for r in scaling]
