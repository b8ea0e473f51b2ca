"""I8 durability: true, false (a lost acknowledged revocation) and unknown histories, and
the unavailability window from the fault."""

from chaos.checkers import durability
from chaos.checkers.crafted import CraftedHistory


def _failover(after_fault: list[tuple[float, str, int]]) -> CraftedHistory:
    """Logouts of a and b before a primary kill at 1.0 s, c after; verifies on two workers."""
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=0.2, took=0.01, status=200, worker="w0-1", jti="a")
    crafted.call(1, "logout", at=0.5, took=0.01, status=200, worker="w1-1", jti="b")
    crafted.call(2, "logout", at=0.6, took=0.01, status=503, worker="w1-1", jti="x")
    crafted.fault("primary_kill", inject_at=1.0, heal_at=3.0, effects={"redis_loss"})
    crafted.call(0, "logout", at=2.5, took=0.01, status=200, worker="w0-1", jti="c")
    for i, (at, worker, status) in enumerate(after_fault):
        check = "enforced" if status == 200 else None
        crafted.call(
            10 + i, "verify", at=at, took=0.01, status=status, worker=worker, jti="z", check=check
        )
    return crafted


STEADY = [(1.1, "w0-1", 503), (1.1, "w1-1", 503), (2.0, "w0-1", 200), (2.3, "w1-1", 200)]


def test_every_acknowledged_revocation_kept_holds() -> None:
    verdict = durability(_failover(STEADY).history(), {"a", "b", "c", "unrelated"})
    assert verdict.valid is True
    assert verdict.figures["acknowledged"] == 3
    assert verdict.figures["lost"] == 0


def test_a_lost_acknowledged_revocation_is_caught() -> None:
    verdict = durability(_failover(STEADY).history(), {"c"})
    assert verdict.valid is False
    assert verdict.figures["lost"] == 2
    assert verdict.figures["lost_acknowledged_before_fault"] == 2
    assert verdict.figures["lost_invoked_before_heal"] == 2
    assert "jti a" in verdict.message
    assert "primary_kill" in verdict.message
    assert [op.jti for op in verdict.offending] == ["a", "b"]


def test_a_503_logout_is_no_promise() -> None:
    # x answered 503: its absence is no loss
    assert durability(_failover(STEADY).history(), {"a", "b", "c"}).figures["lost"] == 0


def test_unavailability_from_the_fault_to_first_and_steady_enforced() -> None:
    checks = [*STEADY, (2.6, "w1-1", 503), (2.8, "w1-1", 200)]
    figures = durability(_failover(checks).history(), {"a", "b", "c"}).figures
    assert figures["unavailability"]["w0-1"] == {"first_ms": 1010.0, "steady_ms": 1010.0}
    assert figures["unavailability"]["w1-1"] == {"first_ms": 1310.0, "steady_ms": 1810.0}
    assert figures["unavailable_first_ms"] == 1310.0
    assert figures["unavailable_steady_ms"] == 1810.0
    assert figures["logout_unavailable_ms"] == 1510.0  # c acknowledged at 2.51 s


def test_a_worker_never_enforced_again_has_no_window() -> None:
    checks = [(1.1, "w0-1", 503), (2.0, "w0-1", 200), (2.2, "w1-1", 503)]
    figures = durability(_failover(checks).history(), {"a", "b", "c"}).figures
    assert figures["unavailability"]["w1-1"] == {"first_ms": None, "steady_ms": None}
    assert figures["unavailable_steady_ms"] is None


def test_expired_tokens_are_skipped() -> None:
    crafted = CraftedHistory()
    crafted.fault("restart", inject_at=1.0, heal_at=2.0, effects={"redis_loss"})
    crafted.call(0, "logout", at=0.1, took=0.01, status=200, jti="old", value={"exp": 100})
    crafted.call(0, "logout", at=0.2, took=0.01, status=200, jti="new", value={"exp": 900})
    verdict = durability(crafted.history(), {"new"}, read_at_epoch_s=500)
    assert verdict.valid is True
    assert verdict.figures["skipped_expired"] == 1


def test_keys_not_read_is_unknown() -> None:
    assert durability(_failover(STEADY).history(), None).valid == "unknown"


def test_no_fault_is_unknown() -> None:
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=0.1, took=0.01, status=200, jti="a")
    assert durability(crafted.history(), {"a"}).valid == "unknown"


def test_no_acknowledged_logout_is_unknown() -> None:
    crafted = CraftedHistory()
    crafted.fault("restart", inject_at=1.0, heal_at=2.0, effects={"redis_loss"})
    crafted.call(0, "logout", at=1.5, took=0.01, status=503, jti="a")
    assert durability(crafted.history(), set()).valid == "unknown"


def test_revoked_tokens_accepted_as_enforced_are_counted() -> None:
    crafted = _failover(STEADY)
    crafted.call(
        20, "verify", at=2.7, took=0.01, status=200, worker="w1-1", jti="a", check="enforced"
    )
    crafted.call(
        21, "verify", at=2.8, took=0.01, status=200, worker="w1-1", jti="b", check="degraded"
    )
    figures = durability(crafted.history(), {"c"}).figures
    assert figures["revoked_accepted_enforced"] == 1


def test_a_call_without_answer_counts_against_the_worker_its_url_belongs_to() -> None:
    crafted = _failover(STEADY)
    crafted.call(30, "verify", at=2.5, took=None, worker="w0-1", jti="z")  # no X-Worker-Id
    crafted.call(
        31, "verify", at=3.0, took=0.01, status=200, worker="w0-1", jti="z", check="enforced"
    )
    figures = durability(crafted.history(), {"a", "b", "c"}).figures
    assert figures["unavailability"]["w0-1"] == {"first_ms": 1010.0, "steady_ms": 2010.0}


def test_a_logout_acknowledged_after_the_heal_and_lost_is_told_apart() -> None:
    # c was invoked at 2.5 s, before the heal at 3.0 s; d after it
    crafted = _failover(STEADY)
    crafted.call(3, "logout", at=3.5, took=0.01, status=200, worker="w0-1", jti="d")
    figures = durability(crafted.history(), {"a", "b"}).figures
    assert figures["lost"] == 2
    assert figures["lost_invoked_before_heal"] == 1


def test_logouts_refused_from_the_fault_until_steadily_acknowledged() -> None:
    crafted = _failover(STEADY)
    crafted.call(5, "logout", at=1.2, took=0.01, status=503, worker="w0-1", jti="r1")
    crafted.call(6, "logout", at=1.4, took=None, worker="w1-1", jti="r2")  # no answer
    crafted.call(7, "logout", at=2.0, took=0.01, status=200, worker="w0-1", jti="d")
    crafted.call(5, "logout", at=2.2, took=0.05, status=503, worker="w1-1", jti="r3")
    crafted.call(6, "logout", at=2.2, took=0.01, status=401, worker="w1-1", jti="z")
    figures = durability(crafted.history(), {"a", "b", "c", "d"}).figures
    # r1, r2 and r3 (a logout without an answer counts until the run's end), not the 401
    assert figures["logout_refused"] == 3
    assert figures["logout_steady_ms"] is None  # r2 never answered: refused to the end
    assert figures["logout_unavailable_ms"] == 1010.0  # the first 200 (d) is no steady state


def test_logouts_steady_after_the_last_refusal() -> None:
    crafted = _failover(STEADY)
    crafted.call(5, "logout", at=1.2, took=0.01, status=503, worker="w0-1", jti="r1")
    crafted.call(7, "logout", at=2.0, took=0.01, status=200, worker="w0-1", jti="d")
    crafted.call(5, "logout", at=2.2, took=0.05, status=503, worker="w1-1", jti="r3")
    figures = durability(crafted.history(), {"a", "b", "c", "d"}).figures
    assert figures["logout_refused"] == 2
    assert figures["logout_last_refused_ms"] == 1250.0
    assert figures["logout_steady_ms"] == 1510.0  # c, acknowledged at 2.51 s
