"""A known finding explains a false verdict only when the checker, re-run without the calls
the finding is about, is no longer false; anything else stays a failure."""

from __future__ import annotations

from pathlib import Path

from chaos.checkers import stale_accepts
from chaos.checkers.crafted import CraftedHistory
from chaos.gate import ScenarioOutcome, by_name
from tests.chaos.known_findings import FINDINGS, unexplained


def outcome_of(crafted: CraftedHistory, folder: Path) -> ScenarioOutcome:
    history = crafted.history()
    folder.mkdir(parents=True, exist_ok=True)
    history.save(folder / "history.jsonl")
    verdict = stale_accepts(history)
    return ScenarioOutcome(by_name("reset_peer_open"), 1, "reset_peer_0ms", (verdict,), folder, 2)


def logout_then(check: str) -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=1.0, took=0.01, status=200, worker="w2-3", jti="t")
    crafted.call(1, "verify", at=1.1, took=0.01, status=200, worker="w0-1", jti="t", check=check)
    return crafted


def test_degraded_stale_accept_is_explained_by_f2(tmp_path: Path) -> None:
    left, used = unexplained(outcome_of(logout_then("degraded"), tmp_path))
    assert left == []
    assert [f.ident for f in used] == ["F2"]
    assert FINDINGS[0].invariant == "I1"


def test_enforced_stale_accept_is_not_explained(tmp_path: Path) -> None:
    left, used = unexplained(outcome_of(logout_then("enforced"), tmp_path))
    assert [v.invariant for v in left] == ["I1"]
    assert used == []
