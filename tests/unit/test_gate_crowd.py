"""The crowd scenario's pure parts: its seeded schedule of several faults, the crowd's shape,
the journal's sampling, the crowd's calls as history ops (judged by the real checkers), and
the crowd's table in the report."""

from __future__ import annotations

import math

from chaos.checkers import documented_statuses, stale_accepts
from chaos.gate import by_name, plan_scenario
from chaos.gate.crowd_history import CROWD_PROCESS, crowd_ops, merged
from chaos.gate.load import crowd_shape
from chaos.history import History
from chaos.profile import reference_profile
from chaos.report import crowd_markdown
from chaos.workload.crowd import CrowdCall
from chaos.workload.crowd_generator import CrowdJournal
from chaos.workload.tally import Tally
from tests.unit.test_gate_plan import context

SCENARIO = by_name("redis_faults_under_1k_users")
URLS = ["http://127.0.0.1:9000", "http://127.0.0.1:9001"]
# a compact JWT whose payload is {"jti": "j1", "sub": "alice", "exp": 4102444800}
TOKEN = "e30.eyJqdGkiOiJqMSIsInN1YiI6ImFsaWNlIiwiZXhwIjo0MTAyNDQ0ODAwfQ.sig"


def test_the_schedule_is_seeded_ordered_and_never_overlaps() -> None:
    ctx = context(SCENARIO.stack.workers)
    plan = plan_scenario(SCENARIO, 7, ctx)
    again = plan_scenario(SCENARIO, 7, ctx)
    other = plan_scenario(SCENARIO, 8, ctx)
    timing = [(i.fault.name, i.start_s, i.duration_s) for i in plan.items]
    assert timing == [(i.fault.name, i.start_s, i.duration_s) for i in again.items]
    assert timing != [(i.fault.name, i.start_s, i.duration_s) for i in other.items]
    assert [sorted(i.fault.effects) for i in plan.items] == [["redis_slow"], ["redis_loss"]]
    first, second = plan.items
    assert second.start_s >= first.end_s + SCENARIO.gap_s[0]


def test_the_crowd_outlasts_the_ramp_and_the_schedule() -> None:
    crowd = SCENARIO.crowd
    assert crowd is not None
    assert crowd.users == 1_000
    plan = plan_scenario(SCENARIO, 7, context(2))
    shape = crowd_shape(crowd, plan, deadline_s=5.0, profile=reference_profile())
    assert shape.ramp_s == 10.0
    assert math.isclose(shape.duration_s, 10.0 + plan.items[-1].end_s + crowd.recovery_s)
    assert shape.timeout_s == 5.0
    assert shape.journal_every == crowd.journal_every


class Ahead:
    value = math.inf


class Behind:
    value = 0.0


def _call(route: str, status: int | None, error: str | None, *, at: int = 0) -> CrowdCall:
    return CrowdCall(3, route, 0, at, at + 1_000_000, status, "w0-1", "enforced", error, TOKEN)


def test_the_journal_keeps_every_unusual_call_and_samples_plain_verifies() -> None:
    journal = CrowdJournal(every=10, full_until=Behind())
    for _ in range(100):
        journal(_call("verify", 200, None))
    journal(_call("verify", 200, "verify: 200 degraded"))
    journal(_call("verify", None, "verify: timeout"))
    journal(_call("logout", 200, None))
    journal(_call("verify_revoked", 401, None))
    assert len(journal.calls) == 10 + 4
    full = CrowdJournal(every=10, full_until=Ahead())
    for _ in range(100):
        full(_call("verify", 200, None))
    assert len(full.calls) == 100


def _cycle(revoked_answer: int) -> History:
    """A crowd user logs in, logs out (200), then verifies the dead token."""
    ms = 1_000_000
    calls = [
        CrowdCall(5, "login", 0, 0, 2 * ms, 200, "w0-1", None, None, TOKEN),
        CrowdCall(5, "logout", 1, 10 * ms, 12 * ms, 200, "w1-2", None, None, TOKEN),
        CrowdCall(5, "verify_revoked", 0, 20 * ms, 21 * ms, revoked_answer, "w0-1",
                  "enforced" if revoked_answer == 200 else None, None, TOKEN),
    ]  # fmt: skip
    return merged(History(), crowd_ops(calls, URLS))


def test_a_crowd_logout_cycle_is_judged_by_i1() -> None:
    caught = stale_accepts(_cycle(200))
    assert caught.valid is False
    assert "jti j1" in caught.message
    assert "worker w0-1" in caught.message
    assert all(op.process == CROWD_PROCESS + 5 for op in caught.offending)
    held = stale_accepts(_cycle(401))
    assert held.valid is True


def test_a_crowd_timeout_is_a_hang_for_i9() -> None:
    hung = CrowdCall(1, "login", 1, 0, 5_000_000_000, None, None, None, "login: timeout", None)
    history = merged(History(), crowd_ops([hung], URLS))
    (call,) = history.calls()
    assert call.outcome == "info"
    assert call.worker == URLS[1]
    verdict = documented_statuses(history)
    assert verdict.valid is False
    assert "hang" in verdict.message


def test_the_report_has_the_crowds_table_and_names_a_lighter_hash() -> None:
    tally = Tally()
    tally.record("verify", 1500.0, None)
    tally.record("logout", 2500.0, "logout: 503")
    text = crowd_markdown(
        tally, users=1000, ramp_per_s=100, duration_s=20, journalled=2, journal_every=20,
        hash_cost=1024,
    )  # fmt: skip
    assert "| route | requests | as expected | p50 | p95 | p99 | max |" in text
    assert "- logout: 503: 1" in text
    assert "N=2^10, LIGHTER THAN THE DEFAULT N=2^15" in text
