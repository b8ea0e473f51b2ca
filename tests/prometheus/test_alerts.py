"""Every alert of monitoring/rules fires during the fault it is meant for and clears after the
heal, evaluated by a real Prometheus scraping a real stack.

The rules run as shipped except for time: every range window and ``for`` is divided by 20
(``chaos.monitoring.rules.scaled_rules``: 1m -> 3 s, 2m -> 6 s, 10m -> 30 s), with a scrape
and evaluation every second, so a scenario lasts seconds instead of minutes; the expressions
and thresholds are unchanged (the unscaled rules are checked by promtool's unit tests,
tests/unit/test_monitoring_rules.py). Each scenario also checks that no other alert fires.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from chaos.checkers.windows import fault_windows, history_end_ns
from chaos.faults import WORKER_LOSS, ProxyDown, ToxicFault
from chaos.faults.network import latency
from chaos.history import History
from chaos.monitoring.api import PrometheusApi
from chaos.monitoring.rules import alert_names, scaled_rules
from chaos.profile import AuthApi, reference_profile
from chaos.services import AuthService
from chaos.workload import Mix
from fixtures.prometheus import RULES
from tests.prometheus.support import SCRAPE_S, Monitored, monitored_stack, recorded_run, reference

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]

SCALE = 1 / 20
POLL_S = 0.25
FIRE_SLACK_S = 3 * SCRAPE_S  # a scrape, an evaluation and a poll after the fault's end
CLEAR_TIMEOUT_S = 60.0


@dataclass
class AlertLog:
    """Which alerts Prometheus says are firing, polled in a thread (monotonic times)."""

    api: PrometheusApi
    polls: list[tuple[float, frozenset[str]]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.is_set():
            firing = frozenset(a.name for a in self.api.alerts() if a.state == "firing")
            self.polls.append((time.monotonic(), firing))
            self._stop.wait(POLL_S)

    def stop(self) -> None:
        self._stop.set()

    def first_firing(self, name: str, since: float) -> float | None:
        return next((t for t, names in self.polls if t >= since and name in names), None)

    def cleared(self, name: str, healed: float) -> float | None:
        """The first poll after the heal, and after the alert fired, that finds it off."""
        fired = self.first_firing(name, 0.0)
        if fired is None:
            return None
        since = max(fired, healed)
        return next((t for t, names in self.polls if t >= since and name not in names), None)

    def ever_firing(self) -> set[str]:
        return {name for _, names in self.polls for name in names}


@dataclass(frozen=True)
class Scenario:
    name: str
    expected: frozenset[str]
    service_args: tuple[str, ...]
    # (monitored stack) -> (history, inject time, heal time), monotonic
    play: Callable[[Monitored], tuple[History, float, float]]


def _fault_times(history: History) -> tuple[float, float]:
    """When the inject was called and when the heal returned (monotonic seconds)."""
    window = fault_windows(history)[0]
    return window.began_ns / 1e9, window.end_ns(history_end_ns(history)) / 1e9


def redis_loss(monitored: Monitored) -> tuple[History, float, float]:
    history = asyncio.run(
        recorded_run(monitored.urls, ProxyDown(monitored.stack.proxy), before_s=2.0,
                     fault_s=11.0, after_s=8.0)
    )  # fmt: skip
    return (history, *_fault_times(history))


GUESSERS = 6  # concurrent wrong-password logins: 3 per worker, above its pool of 2
GUESSES_MAX = 20_000  # a bound on the count, beside the run's time


async def guess_passwords(urls: Sequence[str], until: float) -> int:
    """Wrong passwords for users nobody has, each name once (so no lock-out skips Redis):
    every failed login counts an attempt in Redis (INCR in a MULTI, on a pool connection).
    Returns how many answered 401."""
    api = AuthApi(reference_profile())
    counter = itertools.count()
    refused = 0

    async def guesser(http: httpx.AsyncClient, url: str) -> None:
        nonlocal refused
        while time.monotonic() < until:
            number = next(counter)
            if number >= GUESSES_MAX:
                return
            call = api.login((f"guess-{number}", "not-the-password"))
            with contextlib.suppress(httpx.HTTPError):
                answer = await http.request(call.method, url + call.path, **call.httpx_args())
                refused += answer.status_code == 401

    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0)) as http:
        await asyncio.gather(*(guesser(http, urls[n % len(urls)]) for n in range(GUESSERS)))
    return refused


def redis_slow(monitored: Monitored) -> tuple[History, float, float]:
    """600 ms on every Redis reply (below the 2 s timeout: slow, not lost) while clients
    log in, refresh and verify, and a password guesser tries names nobody has. The reference
    sends verifies and (with no replica to wait for) revocation writes on its one pipelined
    lookup link; what fills its pool is the failed logins' attempt counters."""
    slow: ToxicFault = latency(monitored.stack.proxy, 600)
    mix = Mix(verify=4.0, logout=0.0, refresh=4.0, login=0.1, revisit=0.0)
    before_s, fault_s, after_s = 2.0, 14.0, 10.0

    async def run() -> tuple[History, int]:
        until = time.monotonic() + before_s + fault_s + after_s
        return await asyncio.gather(
            recorded_run(monitored.urls, slow, before_s=before_s, fault_s=fault_s,
                         after_s=after_s, clients=12, mix=mix),
            guess_passwords(monitored.urls, until),
        )  # fmt: skip

    history, refused = asyncio.run(run())
    assert refused > 0, "no wrong-password login was answered 401: the pool saw no load"
    return (history, *_fault_times(history))


class RestartLoop:
    """kill -9 the worker of one slot, three times, each after its replacement serves."""

    def __init__(self, auth: AuthService, slot: int, times: int = 3) -> None:
        self.auth = auth
        self.slot = slot
        self.times = times
        self.name = f"worker_w{slot}_killed_{times}_times"
        self.effects = frozenset({WORKER_LOSS})

    def _serving_other_than(self, pid: int) -> bool:
        try:
            worker = self.auth.worker_ids()[self.slot]
        except httpx.HTTPError:
            return False
        return bool(worker) and not worker.endswith(f"-{pid}")

    def inject(self) -> None:
        for _ in range(self.times):
            pid = self.auth.kill_worker(self.slot)
            deadline = time.monotonic() + 30
            while not self._serving_other_than(pid):
                assert time.monotonic() < deadline, f"slot {self.slot} not replaced in 30 s"
                time.sleep(0.1)  # poll interval of the condition above

    def heal(self) -> None:
        return None  # the supervisor already replaced the worker


def worker_crash_loop(monitored: Monitored) -> tuple[History, float, float]:
    auth = monitored.stack.auth
    assert isinstance(auth, AuthService)
    history = asyncio.run(
        recorded_run(monitored.urls, RestartLoop(auth, slot=1), before_s=2.0, fault_s=0.0,
                     after_s=2.0)
    )  # fmt: skip
    return (history, *_fault_times(history))


LOSS_ALERTS = frozenset(
    {"AuthFailOpenActive", "AuthBreakerOpen", "AuthFailOpenBoundApproaching",
     "AuthRevocationStoreErrors"}
)  # fmt: skip
SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "redis_loss",
            LOSS_ALERTS,
            ("--degraded-bound", "14"),  # half of it (7 s) passes during the 11 s loss
            redis_loss,
        ),
        Scenario(
            "redis_slow",
            frozenset({"AuthVerifyP99OverBudget", "AuthRedisPoolSaturated"}),
            ("--redis-timeout", "2.0", "--redis-pool-size", "2"),
            redis_slow,
        ),
        Scenario("worker_crash_loop", frozenset({"AuthWorkerRestartLoop"}), (), worker_crash_loop),
    )
}


def test_every_alert_of_the_rules_has_a_scenario() -> None:
    covered = set().union(*(s.expected for s in SCENARIOS.values()))
    assert covered == set(alert_names(RULES.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_alerts_fire_during_their_fault_and_clear_after_the_heal(
    name: str, chaos_workdir: Path, tmp_path: Path
) -> None:
    scenario = SCENARIOS[name]
    rules = tmp_path / "auth-chaos.scaled.rules.yml"
    text = RULES.read_text(encoding="utf-8")
    rules.write_text(scaled_rules(text, SCALE, min_range_s=3 * SCRAPE_S), encoding="utf-8")
    starter = reference(chaos_workdir, *scenario.service_args)
    with (
        monitored_stack(chaos_workdir, starter, rule_files=[rules]) as monitored,
        monitored.api() as api,
    ):
        log = AlertLog(api)
        poller = threading.Thread(target=log.run, name="alert-poller", daemon=True)
        poller.start()
        try:
            history, injected, healed = scenario.play(monitored)
            deadline = time.monotonic() + CLEAR_TIMEOUT_S
            while time.monotonic() < deadline and any(
                log.cleared(a, healed) is None for a in scenario.expected
            ):
                time.sleep(POLL_S)  # poll interval; the log's thread does the polling
        finally:
            log.stop()
            poller.join(timeout=10)
    fault = str(history.faults()[0].value.get("name"))
    results: dict[str, dict[str, object]] = {}
    for alert in sorted(scenario.expected):
        fired = log.first_firing(alert, injected)
        cleared = log.cleared(alert, healed)
        results[alert] = {
            "scenario": name, "fault": fault, "fault_s": round(healed - injected, 1),
            "fired_after_inject_s": None if fired is None else round(fired - injected, 1),
            "cleared_after_heal_s": None if cleared is None else round(cleared - healed, 1),
        }  # fmt: skip
        assert fired is not None, f"{alert} never fired during {fault}"
        assert fired <= healed + FIRE_SLACK_S, f"{alert} fired only after the heal: {results}"
        assert cleared is not None, f"{alert} still firing {CLEAR_TIMEOUT_S} s after the heal"
    print("\n" + json.dumps(results, indent=2))
    unexpected = log.ever_firing() - scenario.expected
    assert not unexpected, f"{name}: other alerts fired too: {sorted(unexpected)}"
