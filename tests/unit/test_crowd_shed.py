"""The load table tells the contract's overload answers (shed) from unexpected errors."""

from __future__ import annotations

from chaos.workload.crowd import REVOKED_ACCEPTED, SHED_SUFFIX, judge_answer
from chaos.workload.crowd_table import headline
from chaos.workload.http1 import Answer
from chaos.workload.tally import Tally


def answer(status: int, **headers: str) -> Answer:
    return Answer(
        status, {k.replace("_", "-").encode(): v.encode() for k, v in headers.items()}, b""
    )


def test_an_overload_answer_with_retry_after_is_shed() -> None:
    assert judge_answer("login", answer(429, retry_after="1")) == f"login: 429{SHED_SUFFIX}"
    assert judge_answer("verify", answer(503, retry_after="2")) == f"verify: 503{SHED_SUFFIX}"
    assert (
        judge_answer("verify_revoked", answer(503, retry_after="1"))
        == f"verify_revoked: 503{SHED_SUFFIX}"
    )


def test_anything_else_is_unexpected() -> None:
    # negative controls: the same statuses without Retry-After, a 500, degraded, a revoked accept
    assert judge_answer("verify", answer(503)) == "verify: 503"
    assert judge_answer("login", answer(429)) == "login: 429"
    assert judge_answer("logout", answer(500, retry_after="1")) == "logout: 500"
    assert judge_answer("verify", answer(200), "degraded") == "verify: 200 degraded"
    assert judge_answer("verify_revoked", answer(200)) == REVOKED_ACCEPTED
    assert judge_answer("verify", answer(200), "enforced") is None
    # a service with no degraded signal: its 200 is judged by I2, not counted here
    assert judge_answer("verify", answer(200), None) is None
    assert judge_answer("verify_revoked", answer(403)) is None  # another way to refuse


def test_the_tally_and_the_headline_split_errors() -> None:
    tally = Tally()
    tally.record("verify", 1000.0, None)
    tally.record("verify", 1000.0, f"verify: 503{SHED_SUFFIX}")
    tally.record("login", 1000.0, f"login: 429{SHED_SUFFIX}")
    tally.record("verify", 1000.0, "verify: timeout")
    assert (tally.failed, tally.shed, tally.unexpected) == (3, 2, 1)
    row = headline(tally, users=4, duration_s=1.0)[2]
    assert row.endswith("| 75.00% | 25.00% (1) | 50.00% (2) |"), row


def test_only_shed_answers_time_the_shed_latency_and_it_survives_the_merge() -> None:
    tally = Tally()
    tally.record("verify", 900_000.0, None)  # a slow success: not a shed
    tally.record("verify", 2_000.0, f"verify: 503{SHED_SUFFIX}")
    tally.record("login", 40_000.0, f"login: 429{SHED_SUFFIX}")
    tally.record("verify", 30_000_000.0, "verify: timeout")  # unexpected: not a shed
    merged = Tally()
    merged.merge(Tally.from_snapshot(tally.snapshot()))
    assert merged.shed_latency.total == 2
    top = merged.shed_latency.percentile(1.0)
    assert top is not None
    assert 30 <= top <= 50  # ms: the 40 ms login, not the 900 ms success or the timeout
    assert any(line.startswith("shed answers came after") for line in headline(merged, 4, 1.0))
    assert not any("shed answers" in line for line in headline(Tally(), 4, 1.0))
