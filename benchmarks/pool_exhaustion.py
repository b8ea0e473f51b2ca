"""Pool exhaustion: drive the reference's Redis connection pool to its limit and show what
the service answers meanwhile, and that the pool comes back to rest afterwards.

    python -m benchmarks.pool_exhaustion [--pool-size 4] [--clients 64] [--latency-ms 50]

Redis sits behind the fault proxy with a latency toxic below ``--redis-timeout`` (so Redis is
slow, not lost), the workers get a small pool (``--redis-pool-size``), and ``--clients``
closed-loop clients log in, verify, guess a password, log out and verify the dead token as
fast as they can. Verifies and logouts ride the worker's pipelined lookup link; what takes a
pooled connection for a round trip is each failed login's attempt counter (and, once a second,
the write that re-reads the replica count), so the pool fills. The contract's answer to a full
pool is 503 + ``Retry-After`` (a shed, not a Redis failure), or an answer from what the worker
knows itself (a failed login counted locally is still 401): no 500, no ``degraded`` verify, no
revoked token accepted, no breaker opening, and every connection back in the pool after the
load. Exit 1 when one of those breaks; a pool that never filled is reported as unknown (raise
``--clients`` or ``--latency-ms``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from benchmarks.accounts import MIN_HASH_COST, account_pool, hashed_users
from benchmarks.machine import load_average, utc_now
from benchmarks.probes import gauge_by_worker
from chaos.profile import AuthApi, reference_profile
from chaos.services import AuthService, FaultProxy
from chaos.services.stack import open_stack
from chaos.workload.crowd_table import ms
from chaos.workload.histogram import Histogram
from chaos.workload.http1 import Answer, Connection, TransportError

IN_USE, CAPACITY = "auth_redis_pool_in_use", "auth_redis_pool_capacity"
COUNTERS = ("auth_breaker_opened_total", "auth_revocation_degraded_total")
SAMPLE_S = 0.1
SETTLE_S = 15.0
ROUTES = ("login", "verify", "guess", "logout", "verify_revoked")


@dataclass
class Answers:
    """Outcomes per route (``200``, ``503 + Retry-After``, ``timeout``...) and latencies."""

    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    latency: dict[str, Histogram] = field(default_factory=lambda: {r: Histogram() for r in ROUTES})

    def record(self, route: str, outcome: str, seconds: float) -> None:
        self.outcomes[(route, outcome)] += 1
        self.latency[route].record(seconds * 1e6)


def outcome_of(route: str, answer: Answer) -> str:
    """How an answer is named in the table: status, plus what the contract cares about."""
    text = str(answer.status)
    check = answer.headers.get(b"x-revocation-check")
    if answer.status == 200 and route == "verify_revoked":
        return "200 (REVOKED TOKEN ACCEPTED)"
    if answer.status == 200 and check is not None and check != b"enforced":
        return f"200 {check.decode(errors='replace')}"
    if answer.status in (429, 503):
        has = b"retry-after" in answer.headers
        return f"{text} + Retry-After" if has else f"{text} WITHOUT Retry-After"
    return text


async def _client(
    url: str, account: tuple[str, str], api: AuthApi, answers: Answers, stop_at: float,
    *, number: int = 0,
) -> None:  # fmt: skip
    parts = urlsplit(url)
    connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80, 5.0)

    async def call(route: str, request: object) -> Answer | None:
        started = time.monotonic()
        try:
            answer = await connection.request(request)  # type: ignore[arg-type]
        except TransportError as exc:
            answers.record(route, exc.kind, time.monotonic() - started)
            return None
        answers.record(route, outcome_of(route, answer), time.monotonic() - started)
        return answer

    guesses = 0
    try:
        while time.monotonic() < stop_at:
            answer = await call("login", api.login(account))
            if answer is None or answer.status != 200:
                await asyncio.sleep(0.05)  # a shed login: Retry-After says 1 s, keep pressing
                continue
            token, _ = api.tokens("login", _json(answer), answer.cookies)
            if token is None:
                continue
            await call("verify", api.verify(token))
            guesses += 1  # a name nobody has: its counter never reaches the lockout
            await call("guess", api.login((f"guess-{number}-{guesses}", "not-the-password")))
            logout = await call("logout", api.logout(token))
            if logout is not None and logout.status == 200:
                await call("verify_revoked", api.verify(token))
    finally:
        connection.close()


def _json(answer: Answer) -> dict[str, object]:
    try:
        data = json.loads(answer.body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def drive(urls: list[str], accounts: list[tuple[str, str]], clients: int,
                seconds: float) -> Answers:  # fmt: skip
    api = AuthApi(reference_profile())
    answers = Answers()
    stop_at = time.monotonic() + seconds
    await asyncio.gather(*(
        _client(urls[n % len(urls)], accounts[n % len(accounts)], api, answers, stop_at,
                number=n)
        for n in range(clients)
    ))  # fmt: skip
    return answers


@dataclass
class PoolWatch:
    """Peak ``auth_redis_pool_in_use`` per worker, read from /metrics every SAMPLE_S."""

    url: str
    peak: dict[str, float] = field(default_factory=dict)
    capacity: dict[str, float] = field(default_factory=dict)
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def read(self, client: httpx.Client) -> dict[str, float]:
        text = client.get(self.url + "/metrics").text
        in_use = gauge_by_worker(text, IN_USE)
        self.capacity.update(gauge_by_worker(text, CAPACITY))
        return in_use

    def run(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while not self._stop.wait(SAMPLE_S):
                try:
                    in_use = self.read(client)
                except httpx.HTTPError:
                    continue
                self.samples += 1
                for worker, value in in_use.items():
                    self.peak[worker] = max(self.peak.get(worker, 0.0), value)

    def stop(self) -> None:
        self._stop.set()


def counters(url: str) -> dict[str, float]:
    text = httpx.get(url + "/metrics", timeout=5.0).text
    return {name: sum(gauge_by_worker(text, name).values()) for name in COUNTERS}


def settle(watch: PoolWatch) -> tuple[dict[str, float], float]:
    """Pool in use per worker once every worker is back to 0 (or at the bound); seconds."""
    started = time.monotonic()
    with httpx.Client(timeout=5.0) as client:
        while True:
            in_use = watch.read(client)
            if all(v == 0 for v in in_use.values()) or time.monotonic() - started > SETTLE_S:
                return in_use, time.monotonic() - started
            time.sleep(SAMPLE_S)


def verdict(answers: Answers, watch: PoolWatch, pool_size: int, after: dict[str, float],
            grown: dict[str, float]) -> tuple[list[str], list[str], bool]:  # fmt: skip
    """(findings, failures, filled): what the run shows and what breaks the contract."""
    filled = any(v >= pool_size for v in watch.peak.values())
    found = [
        f"pool peak per worker: {_per_worker(watch.peak)} of {pool_size} pooled connections "
        f"(capacity with the lookup link: {_per_worker(watch.capacity)}); "
        + ("the pool FILLED" if filled else "the pool never filled: verdict unknown")
    ]
    failures: list[str] = []
    bad = {k: n for k, n in answers.outcomes.items() if _breach(k[1])}
    for (route, outcome), count in sorted(bad.items()):
        failures.append(f"{route}: {outcome} x{count:,}")
    if grown["auth_breaker_opened_total"]:
        failures.append(f"breaker opened {grown['auth_breaker_opened_total']:.0f} time(s): a full "
                        "pool was blamed on Redis")  # fmt: skip
    if grown["auth_revocation_degraded_total"]:
        failures.append(f"{grown['auth_revocation_degraded_total']:.0f} verifies failed open")
    busy = {w: v for w, v in after.items() if v}
    if busy:
        failures.append(f"pool connections still in use after the load: {busy}")
    return found, failures, filled


def _breach(outcome: str) -> bool:
    """A 5xx other than the shed answer, a 200 not ``enforced``, a missing Retry-After, or
    no answer at all (timeout, reset: never a hang)."""
    if outcome.endswith("+ Retry-After"):
        return False
    return outcome.startswith(("5", "200 ")) or "WITHOUT" in outcome or not outcome[:1].isdigit()


def _per_worker(values: dict[str, float]) -> str:
    return ", ".join(f"{w} {v:.0f}" for w, v in sorted(values.items())) or "-"


def table(answers: Answers) -> list[str]:
    lines = ["| route | answers | p50 | p99 | max |", "|---|---|---|---|---|"]
    for route in ROUTES:
        kinds = sorted(((o, n) for (r, o), n in answers.outcomes.items() if r == route),
                       key=lambda item: -item[1])  # fmt: skip
        h = answers.latency[route]
        cells = ", ".join(f"{o}: {n:,}" for o, n in kinds) or "-"
        lines.append(f"| {route} | {cells} | {ms(h.percentile(0.5))} | {ms(h.percentile(0.99))} "
                     f"| {ms(h.percentile(1.0))} |")  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pool_exhaustion")
    parser.add_argument("--pool-size", type=int, default=4, help="--redis-pool-size (4)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (64)")
    parser.add_argument("--latency-ms", type=int, default=50,
                        help="Redis latency through the fault proxy (50; below the 100 ms "
                        "--redis-timeout: slow, not lost)")  # fmt: skip
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load (10)")
    parser.add_argument("--workers", type=int, default=2, help="service workers (2)")
    args = parser.parse_args(argv)
    for flag, value, low, high in (("--pool-size", args.pool_size, 1, 256),
                                   ("--clients", args.clients, 1, 2000),
                                   ("--latency-ms", args.latency_ms, 0, 95),
                                   ("--workers", args.workers, 1, 16)):  # fmt: skip
        if not low <= value <= high:
            parser.error(f"{flag} must be between {low} and {high}, got {value}")
    if not 1 <= args.duration <= 600:
        parser.error(f"--duration must be in [1, 600] seconds, got {args.duration:g}")
    started, load_before = utc_now(), load_average()
    accounts = account_pool(min(args.clients, 200))
    with tempfile.TemporaryDirectory(prefix="auth-chaos-pool-") as tmp, \
            FaultProxy(Path(tmp)) as proxy:  # fmt: skip
        stack = open_stack(Path(tmp), proxy.url, lambda url: AuthService(
            Path(tmp), url, workers=args.workers, port_per_worker=True,
            users=hashed_users(accounts, MIN_HASH_COST),
            extra_args=("--hash-cost", str(MIN_HASH_COST), "--redis-pool-size",
                        str(args.pool_size)),
        ).start())  # fmt: skip
        try:
            base = stack.auth.base_url
            before = counters(base)
            watch = PoolWatch(base)
            watcher = threading.Thread(target=watch.run, name="pool-watch", daemon=True)
            stack.proxy.add_toxic("latency", attributes={"latency": args.latency_ms})
            watcher.start()
            pairs = [(a.username, a.password) for a in accounts]
            answers = asyncio.run(drive(stack.auth.worker_urls, pairs, args.clients,
                                        args.duration))  # fmt: skip
            for toxic in stack.proxy.list_toxics():
                toxic.remove()
            watch.stop()
            watcher.join(timeout=5)
            after, settled_s = settle(watch)
            grown = {k: v - before[k] for k, v in counters(base).items()}
        finally:
            stack.close()
    found, failures, filled = verdict(answers, watch, args.pool_size, after, grown)
    print(f"pool exhaustion: {args.workers} workers, --redis-pool-size {args.pool_size}, "
          f"{args.clients} clients for {args.duration:g} s, Redis latency {args.latency_ms} ms "
          f"through the fault proxy (below --redis-timeout 100 ms); scrypt N=2^4, LIGHTER THAN "
          "THE DEFAULT N=2^15")  # fmt: skip
    print(f"started {started}; {load_before} before, {load_average()} after")
    print()
    print("\n".join(table(answers)))
    print()
    for line in found:
        print(line)
    print(f"{watch.samples} pool samples; after the load the pool was back to "
          f"{_per_worker(after)} in {settled_s:.1f} s; breaker openings "
          f"+{grown['auth_breaker_opened_total']:.0f}, degraded "
          f"+{grown['auth_revocation_degraded_total']:.0f}")  # fmt: skip
    if failures:
        print("verdict: FAIL: " + "; ".join(failures))
        return 1
    print("verdict: " + ("PASS: a full pool is answered with 503 + Retry-After or from what "
                         "the worker knows, never failed open, and it drains"
                         if filled else "unknown: the pool never filled (raise --clients or "
                         "--latency-ms)"))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
