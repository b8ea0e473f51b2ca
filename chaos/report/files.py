"""Writing a scenario's files and the run's index to disk (the only impure part of report/).

write_scenario(run_dir / "proxy_down", "proxy_down", history, verdicts, seed=7)
write_index(run_dir)    # reads every scenario's verdicts.json under run_dir
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from chaos.checkers.verdict import Verdict
from chaos.history import History
from chaos.report.index import ScenarioResult, index_html, index_markdown
from chaos.report.summary import summary_markdown
from chaos.report.timeline import timeline_svg


def verdicts_json(scenario: str, verdicts: Sequence[Verdict], seed: int | None) -> str:
    data = {"scenario": scenario, "seed": seed, "verdicts": [v.to_json() for v in verdicts]}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def write_scenario(
    directory: Path,
    scenario: str,
    history: History,
    verdicts: Sequence[Verdict],
    seed: int | None = None,
) -> Path:
    """history.jsonl, verdicts.json, summary.md and timeline.svg in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    history.save(directory / "history.jsonl")
    (directory / "verdicts.json").write_text(
        verdicts_json(scenario, verdicts, seed), encoding="utf-8"
    )
    (directory / "summary.md").write_text(
        summary_markdown(scenario, history, verdicts, seed), encoding="utf-8"
    )
    (directory / "timeline.svg").write_text(timeline_svg(history, scenario), encoding="utf-8")
    return directory


def load_results(run_dir: Path) -> list[ScenarioResult]:
    """Every ``*/verdicts.json`` under ``run_dir``, sorted by scenario directory."""
    results: list[ScenarioResult] = []
    for path in sorted(run_dir.glob("*/verdicts.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        results.append(
            ScenarioResult(
                name=str(data.get("scenario", path.parent.name)),
                path=path.parent.name,
                verdicts=tuple(Verdict.from_json(v) for v in data["verdicts"]),
                seed=data.get("seed"),
            )
        )
    return results


def write_index(run_dir: Path, title: str = "Resilience gate") -> list[ScenarioResult]:
    """index.md and index.html linking every scenario found under ``run_dir``."""
    results = load_results(run_dir)
    (run_dir / "index.md").write_text(index_markdown(results, title), encoding="utf-8")
    (run_dir / "index.html").write_text(index_html(results, title), encoding="utf-8")
    return results
