"""Reports: per scenario history.jsonl, verdicts.json, summary.md, timeline.svg; per run
index.md and index.html. Everything but ``files`` is a pure function from data to text."""

from chaos.report.crowd import crowd_markdown
from chaos.report.files import load_results, write_index, write_scenario
from chaos.report.index import ScenarioResult, index_html, index_markdown
from chaos.report.stats import RouteStats, route_stats
from chaos.report.summary import summary_markdown
from chaos.report.timeline import timeline_svg

__all__ = [
    "RouteStats",
    "ScenarioResult",
    "crowd_markdown",
    "index_html",
    "index_markdown",
    "load_results",
    "route_stats",
    "summary_markdown",
    "timeline_svg",
    "write_index",
    "write_scenario",
]
