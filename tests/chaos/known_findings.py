"""Findings the gate raised against the reference service that wait for a decision
(docs/gate-findings.md). A scenario whose only false verdicts are explained by a finding is
an expected failure (xfail, with the finding named); any other false verdict fails it.

A finding explains a verdict only if the checker, re-run on the history without the calls the
finding is about, no longer says false: the checkers stay as strict as the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chaos.checkers import Verdict, stale_accepts
from chaos.gate import ScenarioOutcome
from chaos.history import Call, History

__all__ = ["FINDINGS", "Finding", "unexplained"]


@dataclass(frozen=True)
class Finding:
    """One open finding: which invariant, which calls, how to re-check without them."""

    ident: str
    invariant: str
    summary: str
    about: Callable[[Call], bool]  # the calls the finding is about
    recheck: Callable[[History], Verdict]


def _degraded_accept(call: Call) -> bool:
    done = call.completion
    return call.f == "verify" and done is not None and done.revocation_check == "degraded"


FINDINGS: tuple[Finding, ...] = (
    Finding(
        "F2",
        "I1",
        "a worker still degraded after the heal (breaker open) accepts, 200 degraded, a "
        "token revoked through a worker that already reconnected",
        _degraded_accept,
        stale_accepts,
    ),
)


def without(history: History, about: Callable[[Call], bool]) -> History:
    """The history minus the calls ``about`` selects (their invoke and completion)."""
    dropped: set[int] = set()
    for call in history.calls():
        if about(call):
            dropped.add(call.invoke.index)
            if call.completion is not None:
                dropped.add(call.completion.index)
    kept = History()
    for op in history.ops:
        if op.index not in dropped:
            kept.append(op)
    return kept


def unexplained(outcome: ScenarioOutcome) -> tuple[list[Verdict], list[Finding]]:
    """(false verdicts no finding explains, findings that explain the others)."""
    history = History.load(outcome.path / "history.jsonl")
    left: list[Verdict] = []
    used: list[Finding] = []
    for verdict in outcome.verdicts:
        if not verdict.failed:
            continue
        finding = next(
            (
                f
                for f in FINDINGS
                if f.invariant == verdict.invariant
                and f.recheck(without(history, f.about)).valid is not False
            ),
            None,
        )
        if finding is None:
            left.append(verdict)
        elif finding not in used:
            used.append(finding)
    return left, used
