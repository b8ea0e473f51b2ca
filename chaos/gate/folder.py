"""A scenario's report folder: the report (history, verdicts, summary, timeline), the inputs
the checks read (``inputs.json`` and its files), and the plan (``scenario.json``).

    write_folder(run_dir / scenario.name, scenario, plan, history, verdicts, inputs)

``python -m chaos.recheck`` reads the history and ``inputs.json`` back and re-runs the
declared checks; ``scenario.json`` says what was planned and what was learnt while running
(the calls that needed Redis during a loss, the crowd's size).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chaos.checkers import CheckInputs, Verdict
from chaos.faults import Detailed
from chaos.gate.evidence import redis_calls_during_loss
from chaos.gate.plan import ScenarioPlan
from chaos.gate.scenario import Scenario
from chaos.history import History
from chaos.report import crowd_markdown, write_scenario
from chaos.workload.crowd_runner import CrowdResult

__all__ = ["PLAN_FILE", "write_folder"]

PLAN_FILE = "scenario.json"


def _plan_json(
    scenario: Scenario, plan: ScenarioPlan, history: History, crowd: CrowdResult | None
) -> dict[str, Any]:
    faults = [
        {
            "fault": item.fault.name, "effects": sorted(item.fault.effects),
            "start_s": item.start_s, "duration_s": item.duration_s,
            **(item.fault.details() if isinstance(item.fault, Detailed) else {}),
        }
        for item in plan.items
    ]  # fmt: skip
    data: dict[str, Any] = {
        "scenario": scenario.name, "seed": plan.seed, "failure_mode": scenario.mode,
        "workers": scenario.stack.workers, "stack": scenario.stack.key,
        "checks": list(plan.checks), "faults": faults, "note": scenario.note,
        "loss_calls": dict(redis_calls_during_loss(history)),
    }  # fmt: skip
    if crowd is not None and scenario.crowd is not None:
        data["crowd"] = {
            "users": scenario.crowd.users, "ramp_per_s": scenario.crowd.ramp_per_s,
            "duration_s": round(crowd.stop_at - crowd.start_at, 3),
            "requests": crowd.tally.requests, "journalled": len(crowd.calls),
            "journal_every": scenario.crowd.journal_every,
        }  # fmt: skip
    return data


def write_folder(
    folder: Path, scenario: Scenario, plan: ScenarioPlan, history: History, *,
    verdicts: Sequence[Verdict], inputs: CheckInputs, crowd: CrowdResult | None = None,
    hash_cost: int | None = None,
) -> Path:  # fmt: skip
    """Everything a reader and ``recheck`` need; the crowd's table when there was a crowd."""
    write_scenario(folder, scenario.name, history, verdicts, plan.seed)
    inputs.save(folder)
    plan_text = json.dumps(_plan_json(scenario, plan, history, crowd), indent=2) + "\n"
    (folder / PLAN_FILE).write_text(plan_text, encoding="utf-8")
    if crowd is not None and scenario.crowd is not None:
        text = crowd_markdown(
            crowd.tally, users=scenario.crowd.users, ramp_per_s=scenario.crowd.ramp_per_s,
            duration_s=round(crowd.stop_at - crowd.start_at, 3), journalled=len(crowd.calls),
            journal_every=scenario.crowd.journal_every, hash_cost=hash_cost,
        )  # fmt: skip
        (folder / "crowd.md").write_text(text, encoding="utf-8")
        summary = folder / "summary.md"
        summary.write_text(summary.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    return folder
