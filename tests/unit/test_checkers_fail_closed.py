"""I3 fail-closed: a true, a false and an unknown history."""

from chaos.checkers import fail_closed
from chaos.checkers.crafted import CraftedHistory
from chaos.history import History, Op


def _loss(statuses: list[int]) -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.call(
        0, "verify", at=0.5, took=0.01, status=200, worker="w0-1", jti="a", check="enforced"
    )
    crafted.fault("proxy_down", inject_at=1.0, heal_at=3.0, effects={"redis_loss"})
    for i, status in enumerate(statuses):
        crafted.call(
            i, "verify", at=1.2 + i * 0.1, took=0.01, status=status, worker=f"w{i}-1", jti="a"
        )
    crafted.call(
        0, "verify", at=3.5, took=0.01, status=200, worker="w0-1", jti="a", check="enforced"
    )
    return crafted


def test_only_503_and_401_during_loss_holds() -> None:
    verdict = fail_closed(_loss([503, 401, 503]).history())
    assert verdict.valid is True
    assert verdict.figures["verifies_during_loss"] == 3
    assert verdict.figures["statuses_during_loss"] == {"503": 2, "401": 1}


def test_a_200_during_loss_is_caught() -> None:
    verdict = fail_closed(_loss([503, 200]).history())
    assert verdict.valid is False
    assert verdict.figures["accepted_during_loss"] == 1
    assert "I3" in verdict.message
    assert "w1-1" in verdict.message
    assert "proxy_down" in verdict.message


def test_no_verify_during_loss_is_unknown() -> None:
    assert fail_closed(_loss([]).history()).valid == "unknown"


def test_slow_redis_is_not_a_loss_window() -> None:
    crafted = CraftedHistory()
    crafted.fault("latency_50ms", inject_at=1.0, heal_at=3.0, effects={"redis_slow"})
    crafted.call(
        0, "verify", at=1.2, took=0.06, status=200, worker="w0-1", jti="a", check="enforced"
    )
    assert fail_closed(crafted.history()).valid == "unknown"


def test_only_calls_that_saw_the_whole_fault_count() -> None:
    # inject called at 1.0, in effect from 1.5; heal called at 3.0, returned at 3.5
    history = History()
    for at, phase, began in ((1.5, "inject", 1.0), (3.5, "heal", 3.0)):
        value: dict[str, object] = {"name": "redis_kill9_restart", "phase": phase}
        value["effects"] = ["redis_loss"]
        value["began"] = round(began * 1e9)
        history.append(Op(-1, -1, "info", "fault", round(at * 1e9), value=value))
    for process, start, end in ((0, 1.2, 1.3), (1, 3.1, 3.2), (2, 2.0, 2.1)):
        invoke = Op(-1, process, "invoke", "verify", round(start * 1e9), jti="t")
        done = Op(-1, process, "ok", "verify", round(end * 1e9), status=200, jti="t", worker="w")
        history.append(invoke)
        history.append(done)
    ordered = History(sorted(history.ops, key=lambda op: op.time_ns))
    verdict = fail_closed(ordered)
    assert verdict.figures["verifies_during_loss"] == 1  # only the call from 2.0 to 2.1
    assert verdict.valid is False
