"""Slow clients (slowloris): the service times out connections whose request head never
completes, and keeps answering everyone else meanwhile."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from chaos.attacks import SlowClientResult, slow_headers

from .conftest import Target

pytestmark = pytest.mark.hostile

TRICKLING = 10  # clients sending one header byte per TRICKLE_S
STALLED = 10  # clients that send half a request head, then nothing
TRICKLE_S = 0.5
HEAD_TIMEOUT_BOUND_S = 8.0  # a request head still incomplete after this must be cut off
SERVED_BOUND_S = 2.0  # others' requests meanwhile: generous, the box is shared and busy


def test_slow_clients_are_cut_off_and_others_still_served(
    target: Target, client: httpx.Client, figures: dict[str, int]
) -> None:
    token = target.login(client, "alice")["access_token"]
    deadline = HEAD_TIMEOUT_BOUND_S + 1.0  # 1 s of grace for a busy machine
    with ThreadPoolExecutor(TRICKLING + STALLED) as pool:
        futures = [
            pool.submit(slow_headers, "127.0.0.1", target.auth.port, TRICKLE_S, deadline,
                        stall=index >= TRICKLING)
            for index in range(TRICKLING + STALLED)
        ]  # fmt: skip
        latencies: list[float] = []
        statuses: set[int] = set()
        while not all(future.done() for future in futures) and len(latencies) < 2000:
            started = time.monotonic()
            answer = client.get("/auth/verify", headers={"Authorization": f"Bearer {token}"})
            latencies.append(time.monotonic() - started)
            statuses.add(answer.status_code)
            time.sleep(0.05)  # pacing of the well-behaved client, not a readiness wait
        results: list[SlowClientResult] = [future.result() for future in futures]
    still_open = [r for r in results if r.closed_after_s is None]
    closed_after = [r.closed_after_s for r in results if r.closed_after_s is not None]
    figures["slow_clients"] = len(results)
    figures["slow_clients_left_open"] = len(still_open)
    figures["served_during_slow_clients"] = len(latencies)
    print(
        f"\nslow clients: {len(results)}, left open after {deadline:.0f} s: {len(still_open)}, "
        f"closed after {max(closed_after, default=0):.1f} s at most; "
        f"{len(latencies)} verifies served meanwhile, max {max(latencies) * 1000:.0f} ms"
    )
    assert statuses == {200}
    assert max(latencies) < SERVED_BOUND_S
    assert not still_open, (
        f"{len(still_open)} of {len(results)} connections with an incomplete request head "
        f"were still open after {deadline:.0f} s (bytes sent: "
        f"{sorted({r.bytes_sent for r in still_open})}): no header timeout"
    )
