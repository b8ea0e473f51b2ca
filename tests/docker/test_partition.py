"""disconnect()/reconnect(): a true network partition, seen from a peer in the network."""

from __future__ import annotations

import time

import pytest
import redis

from chaos.docker_backend import (
    ContainerHandle,
    DockerRun,
    ProbeSample,
    probe_samples,
    redis_client,
)

pytestmark = pytest.mark.docker

DEADLINE = 30.0


def first_sample(
    probe: ContainerHandle, after_ns: int, want_ok: bool, deadline: float = DEADLINE
) -> ProbeSample:
    """The first probe attempt started after `after_ns` whose outcome is ok (or not ok)."""
    start = time.monotonic()
    seen: list[ProbeSample] = []
    while time.monotonic() - start < deadline:
        seen = [s for s in probe_samples(probe) if s.start >= after_ns]
        for sample in seen:
            if sample.ok == want_ok:
                return sample
        time.sleep(0.05)  # poll interval of a condition with a deadline
    raise AssertionError(
        f"no {'ok' if want_ok else 'failed'} probe within {deadline} s; last: {seen[-5:]}\n"
        f"{probe.log_tail(20)}"
    )


def test_disconnect_is_a_partition_and_reconnect_heals(docker_run: DockerRun) -> None:
    box = docker_run.start_redis(name="redis")
    probe = docker_run.start_probe("redis", interval=0.05, timeout=0.25)
    first_sample(probe, 0, want_ok=True)

    cut = time.monotonic_ns()
    left = box.disconnect()
    assert [m.network for m in left] == [docker_run.network.name]
    assert "redis" in left[0].aliases
    # the host path disappears with the network (refused at once, not a hang)
    with pytest.raises(redis.ConnectionError):
        redis_client(box, timeout=1.0).ping()
    failed = first_sample(probe, cut, want_ok=False)
    assert failed.timed_out, f"a partition should time out, got {failed.result}"

    heal = time.monotonic_ns()
    box.reconnect()
    answered = first_sample(probe, heal, want_ok=True)
    assert redis_client(box).ping()
    # no failure was a refusal: packets went nowhere (timeouts), and the name left with the
    # network (new connections fail the DNS lookup)
    during = [s for s in probe_samples(probe) if cut <= s.start < heal]
    assert during, "no probe attempt during the partition"
    refused = [s for s in during if not s.ok and not s.timed_out and "not known" not in s.result]
    assert refused == [], refused[:3]

    detect_s = (failed.end - cut) / 1e9
    recover_s = (answered.end - heal) / 1e9
    print(
        f"\npartition figures: time to detect {detect_s:.2f} s (probe timeout 0.25 s), "
        f"time to recover {recover_s:.2f} s after reconnect"
    )
    assert detect_s < 5.0
    assert recover_s < 10.0
