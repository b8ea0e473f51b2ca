"""What a history shows the gate may expect: a breaker can only be required to open on a
worker that got enough calls needing Redis while Redis was surely lost."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from chaos.checkers import fault_windows
from chaos.checkers.windows import history_end_ns
from chaos.faults import REDIS_LOSS
from chaos.history import Call, History

__all__ = ["MIN_LOSS_CALLS", "breaker_must_open", "redis_calls_during_loss"]

# calls per worker before I10 may require its breaker to have opened: the breaker opens after
# 3 consecutive failures, and concurrent verifies share one Redis lookup
MIN_LOSS_CALLS = 10


def _needed_redis(call: Call) -> bool:
    """The answer depended on Redis: a verify answered 200 or 503, a write answered 503."""
    if call.f == "verify":
        return call.status in (200, 503)
    return call.f in ("logout", "refresh") and call.status == 503


def redis_calls_during_loss(history: History) -> Counter[str]:
    """Per worker, the calls that needed Redis and ran while it was surely lost."""
    windows = fault_windows(history, {REDIS_LOSS})
    end = history_end_ns(history)
    return Counter(
        call.worker
        for call in history.calls()
        if call.worker and _needed_redis(call) and any(w.contains_call(call, end) for w in windows)
    )


def breaker_must_open(history: History, worker_urls: Sequence[str]) -> bool:
    """Every worker got at least ``MIN_LOSS_CALLS`` calls needing Redis during a loss."""
    counts = redis_calls_during_loss(history)
    return len(counts) >= len(worker_urls) and min(counts.values()) >= MIN_LOSS_CALLS
