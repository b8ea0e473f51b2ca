"""The workload's recording semantics against a tiny real HTTP server started here (the
service is another part): ok / fail / info, a timeout or a dropped connection is info,
the I1 pattern (logout on A, verify on B) is recorded and a broken server is caught."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from chaos.checkers import documented_statuses, fail_open, stale_accepts, time_to_enforced
from chaos.faults import ScheduledFault, play_schedule
from chaos.history import History
from chaos.profile import AuthApi, reference_profile
from chaos.report import write_scenario
from chaos.workload import MetricsScrape, Mix, Workload, WorkloadConfig, token_claims
from chaos.workload.outcome import outcome_of_error, outcome_of_status

USERS = [("alice", "pw"), ("bob", "pw")]
API = AuthApi(reference_profile())  # the toy workers speak the reference service's API
METRICS_TEXT = (
    "# TYPE auth_breaker_state gauge\n"
    'auth_breaker_state{worker="w0"} 1.0\n'
    'auth_redis_pool_in_use{worker="w0"} 2.0\n'
)


def _token(sub: str) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    payload = {"sub": sub, "jti": uuid.uuid4().hex, "exp": 4_000_000_000}
    return f"{part({'alg': 'HS256'})}.{part(payload)}.c2ln"


@dataclass
class ToyWorker:
    """One toy auth worker; ``revoked`` is shared between workers unless the test breaks it."""

    slot: int
    revoked: set[str]
    verify_delay_s: float = 0.0
    verify_status: int | None = None  # answer this instead (500, 503...)
    drop_verify: bool = False
    refreshed: set[str] = field(default_factory=set)
    redis_lost: bool = False  # set by ToyRedisLoss: fail open like the contract's default
    lies_when_lost: bool = False  # broken variant: claims "enforced" while Redis is lost
    degraded_count: int = 0  # the toy's auth_revocation_degraded_total

    async def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], dict[str, object]] | None:
        bearer = headers.get("authorization", "").removeprefix("Bearer ")
        jti = str(token_claims(bearer).get("jti", ""))
        if path == "/auth/login" and method == "POST":
            sub = json.loads(body)["username"]
            return 200, {}, {"access_token": _token(sub), "refresh_token": _token(sub)}
        if path == "/auth/refresh" and method == "POST":
            old = json.loads(body)["refresh_token"]
            if old in self.refreshed:
                return 401, {}, {"error": "reused"}
            self.refreshed.add(old)
            sub = str(token_claims(old).get("sub"))
            return 200, {}, {"access_token": _token(sub), "refresh_token": _token(sub)}
        if path == "/auth/logout" and method == "POST":
            self.revoked.add(jti)
            return 200, {}, {"revoked": True}
        if path == "/auth/verify" and method == "GET":
            if self.drop_verify:
                return None
            await asyncio.sleep(self.verify_delay_s)
            if self.verify_status is not None:
                return self.verify_status, {}, {"error": "scripted"}
            if jti in self.revoked:
                return 401, {}, {"error": "invalid_token"}
            claims = token_claims(bearer)
            check = "enforced"
            if self.redis_lost and not self.lies_when_lost:
                check = "degraded"
                self.degraded_count += 1
            return 200, {"X-Revocation-Check": check}, {"sub": claims["sub"], "jti": jti}
        if path == "/metrics":
            return 200, {"Content-Type": "text/plain"}, {"text": METRICS_TEXT}
        return 404, {}, {"error": "not_found"}


class ToyRedisLoss:
    """A Fault for the toy: its workers lose their (imaginary) Redis until healed."""

    name = "toy_redis_loss"
    effects = frozenset({"redis_loss"})

    def __init__(self, workers: list[ToyWorker]) -> None:
        self.workers = workers

    def inject(self) -> None:
        for worker in self.workers:
            worker.redis_lost = True

    def heal(self) -> None:
        for worker in self.workers:
            worker.redis_lost = False


class ToyCluster:
    """Real sockets on 127.0.0.1 (OS-assigned ports), an asyncio loop in a thread."""

    def __init__(self, workers: list[ToyWorker]) -> None:
        self.workers = workers
        self.loop = asyncio.new_event_loop()
        self.ports: list[int] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.servers: list[asyncio.Server] = []
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=10)

    async def _start(self) -> None:
        for worker in self.workers:
            server = await asyncio.start_server(self._handler(worker), "127.0.0.1", 0)
            self.servers.append(server)
            self.ports.append(server.sockets[0].getsockname()[1])

    def _handler(
        self, worker: ToyWorker
    ) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Coroutine[Any, Any, None]]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self.tasks.add(task)  # tracked so that stop() can end handlers still sleeping
            try:
                await self._serve(reader, writer, worker)
            except asyncio.CancelledError:
                pass  # stop() cancels handlers on purpose; asyncio would log a cancelled one
            finally:
                self.tasks.discard(task)

        return handle

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, worker: ToyWorker
    ) -> None:
        try:
            while line := await reader.readline():
                method, path, _ = line.decode().split(" ", 2)
                headers: dict[str, str] = {}
                while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    key, value = raw.decode().split(":", 1)
                    headers[key.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                reply = await worker.answer(method, path, headers, body)
                if reply is None:
                    writer.transport.abort()  # drop the connection without an answer
                    return
                status, extra, payload = reply
                text = payload.get("text")  # /metrics: plain text, everything else JSON
                data = text.encode() if isinstance(text, str) else json.dumps(payload).encode()
                extra.setdefault("Content-Type", "application/json")
                head = [
                    f"HTTP/1.1 {status} Scripted",
                    f"Content-Length: {len(data)}",
                    f"X-Worker-Id: w{worker.slot}-toy",
                ]
                head += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def stop(self) -> None:
        async def _stop() -> None:
            for server in self.servers:
                server.close()
                await server.wait_closed()
            for task in list(self.tasks):
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(_stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


ClusterFactory = Callable[[list[ToyWorker]], ToyCluster]


@pytest.fixture
def cluster_factory() -> Iterator[ClusterFactory]:
    started: list[ToyCluster] = []

    def make(workers: list[ToyWorker]) -> ToyCluster:
        cluster = ToyCluster(workers)
        started.append(cluster)
        cluster.start()
        return cluster

    yield make
    for cluster in started:
        cluster.stop()


def _run(config: WorkloadConfig) -> History:
    return asyncio.run(Workload(config, History()).run())


def _shared(
    n: int, verify_delay_s: float = 0.0, verify_status: int | None = None, drop_verify: bool = False
) -> list[ToyWorker]:
    revoked: set[str] = set()
    return [ToyWorker(i, revoked, verify_delay_s, verify_status, drop_verify) for i in range(n)]


def test_healthy_cluster_records_paired_calls_and_holds_i1(cluster_factory: ClusterFactory) -> None:
    cluster = cluster_factory(_shared(3))
    history = _run(
        WorkloadConfig(cluster.urls, USERS, API, clients=4, max_ops=300, duration_s=30, seed=1)
    )
    calls = history.calls()
    assert len(calls) == 300  # bounded by the op count
    assert all(c.completion is not None for c in calls)
    assert {c.f for c in calls} >= {"login", "verify", "logout"}
    verifies = [c for c in calls if c.f == "verify" and c.status == 200]
    assert verifies
    assert all(c.completion and c.completion.revocation_check == "enforced" for c in verifies)
    assert all(c.jti and c.worker and c.worker.endswith("-toy") for c in verifies)
    # the I1 pattern: every acknowledged logout is followed by verifies of the same token
    # on every worker (others first), each recorded as fail 401
    logout = next(c for c in calls if c.f == "logout" and c.status == 200)
    assert logout.end_ns is not None
    after = [
        c for c in calls if c.f == "verify" and c.jti == logout.jti and c.start_ns > logout.end_ns
    ]
    assert {c.worker for c in after} == {f"w{i}-toy" for i in range(3)}
    assert all(c.outcome == "fail" and c.status == 401 for c in after)
    assert stale_accepts(history).valid is True
    assert documented_statuses(history).valid is True


def test_per_worker_revocation_lists_are_caught_by_i1(cluster_factory: ClusterFactory) -> None:
    # negative control: each worker keeps its own list (the source report's first design)
    cluster = cluster_factory([ToyWorker(i, set()) for i in range(2)])
    mix = Mix(verify=1, logout=1, refresh=0, login=0, revisit=0)
    history = _run(WorkloadConfig(cluster.urls, USERS, API, clients=2, max_ops=60, mix=mix, seed=2))
    verdict = stale_accepts(history)
    assert verdict.valid is False
    assert verdict.offending[0].jti is not None
    assert verdict.offending[0].jti in verdict.message


def test_a_timeout_is_info_never_fail(cluster_factory: ClusterFactory) -> None:
    cluster = cluster_factory(_shared(1, verify_delay_s=5.0))
    mix = Mix(verify=1, logout=0, refresh=0, login=0, revisit=0)
    config = WorkloadConfig(
        cluster.urls, USERS, API, clients=2, max_ops=6, mix=mix, request_timeout_s=0.3, seed=3
    )
    calls = [c for c in _run(config).calls() if c.f == "verify"]
    assert calls
    for call in calls:
        assert call.outcome == "info"
        assert call.completion is not None
        assert call.completion.error == "timeout:ReadTimeout"
        assert call.jti  # the token the client used is recorded even without an answer
    verdict = documented_statuses(History([op for c in calls for op in (c.invoke, c.op)]))
    assert verdict.valid is False  # a hang breaks I9


def test_a_dropped_connection_is_info(cluster_factory: ClusterFactory) -> None:
    cluster = cluster_factory(_shared(1, drop_verify=True))
    mix = Mix(verify=1, logout=0, refresh=0, login=0, revisit=0)
    calls = _run(WorkloadConfig(cluster.urls, USERS, API, clients=1, max_ops=4, mix=mix)).calls()
    dropped = [c for c in calls if c.f == "verify"]
    assert len(dropped) == 3
    assert all(c.outcome == "info" for c in dropped)
    assert all(
        ((c.completion and c.completion.error) or "").startswith("connection_dropped")
        for c in dropped
    )


@pytest.mark.parametrize(("status", "outcome"), [(500, "info"), (503, "fail"), (401, "fail")])
def test_answer_statuses_map_to_outcomes(
    cluster_factory: ClusterFactory, status: int, outcome: str
) -> None:
    cluster = cluster_factory(_shared(1, verify_status=status))
    mix = Mix(verify=1, logout=0, refresh=0, login=0, revisit=0)
    calls = _run(WorkloadConfig(cluster.urls, USERS, API, clients=1, max_ops=3, mix=mix)).calls()
    verifies = [c for c in calls if c.f == "verify"]
    assert [(c.status, c.outcome) for c in verifies] == [(status, outcome)] * 2
    assert verifies[0].completion is not None
    assert verifies[0].completion.error == "scripted"


def test_a_refused_connection_is_fail() -> None:
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        calls = _run(WorkloadConfig([url], USERS, API, clients=1, max_ops=3)).calls()
    assert [(c.f, c.outcome) for c in calls] == [("login", "fail")] * 3
    assert all(c.completion and c.completion.error == "connect_refused" for c in calls)


def test_the_deadline_bounds_the_run(cluster_factory: ClusterFactory) -> None:
    cluster = cluster_factory(_shared(1, verify_delay_s=0.05))
    config = WorkloadConfig(cluster.urls, USERS, API, clients=2, max_ops=1_000_000, duration_s=0.5)
    history = _run(config)
    assert 0 < len(history.calls()) < 1_000


def test_routes_come_from_the_profile(cluster_factory: ClusterFactory) -> None:
    cluster = cluster_factory(_shared(1))
    profile = reference_profile()
    api = AuthApi(replace(profile, login=replace(profile.login, path="/nowhere")))
    calls = _run(WorkloadConfig(cluster.urls, USERS, api, clients=1, max_ops=2)).calls()
    assert [(c.f, c.status) for c in calls] == [("login", 404)] * 2


def test_token_claims_without_verification() -> None:
    token = _token("carol")
    claims = token_claims(token)
    assert claims["sub"] == "carol"
    assert claims["exp"] == 4_000_000_000
    assert token_claims("not-a-jwt") == {}
    assert token_claims("a.!!!.c") == {}


def test_outcome_mapping() -> None:
    assert outcome_of_status(204) == "ok"
    assert outcome_of_status(429) == "fail"
    assert outcome_of_status(502) == "info"
    request = httpx.Request("GET", "http://127.0.0.1:1/")
    assert outcome_of_error(httpx.ReadTimeout("t", request=request)) == (
        "info",
        "timeout:ReadTimeout",
    )
    assert outcome_of_error(httpx.ConnectTimeout("t", request=request)) == (
        "info",
        "timeout:connect",
    )
    assert outcome_of_error(httpx.ConnectError("r", request=request)) == ("fail", "connect_refused")
    assert outcome_of_error(httpx.RemoteProtocolError("x", request=request))[0] == "info"


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="worker_urls"):
        WorkloadConfig([], USERS, API)
    with pytest.raises(ValueError, match="mix weights"):
        WorkloadConfig(["http://127.0.0.1:1"], USERS, API, mix=Mix(0, 0, 0, 0, 0))


def test_metrics_scrape_over_http(cluster_factory: ClusterFactory) -> None:
    cluster = cluster_factory(_shared(1))

    async def scrape() -> dict[str, float]:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as http:
            snapshot = await MetricsScrape(http).fetch(cluster.urls[0] + "/metrics")
        return {
            **snapshot.per_worker("auth_breaker_state"),
            "pool": snapshot.total("auth_redis_pool_in_use"),
        }

    assert asyncio.run(scrape()) == {"w0": 1.0, "pool": 2.0}


def _scenario(workers: list[ToyWorker], cluster: ToyCluster) -> History:
    plan = [ScheduledFault(ToyRedisLoss(workers), start_s=0.35, duration_s=0.7)]
    config = WorkloadConfig(
        cluster.urls, USERS, API, clients=4, max_ops=20_000, duration_s=2.5, seed=4
    )
    history = History()

    async def main() -> None:
        await asyncio.gather(Workload(config, history).run(), play_schedule(plan, history))

    asyncio.run(main())
    return history


def test_fail_open_scenario_end_to_end(cluster_factory: ClusterFactory, tmp_path: Path) -> None:
    workers = _shared(2)
    history = _scenario(workers, cluster_factory(workers))
    metric = {f"w{w.slot}": float(w.degraded_count) for w in workers}
    i2 = fail_open(history, degraded_bound_s=30, degraded_metric_delta=metric)
    assert i2.valid is True, i2.message
    assert i2.figures["degraded_accepts"] > 0
    i6 = time_to_enforced(history, budget_s=5)
    assert i6.valid is True, i6.message
    assert stale_accepts(history).valid is True
    verdicts = [i2, i6]
    write_scenario(tmp_path / "toy", "toy fail-open", history, verdicts, seed=11)
    assert "toy_redis_loss" in (tmp_path / "toy" / "timeline.svg").read_text()


def test_fail_open_that_claims_enforced_is_caught(cluster_factory: ClusterFactory) -> None:
    workers = _shared(2)
    for worker in workers:
        worker.lies_when_lost = True
    history = _scenario(workers, cluster_factory(workers))
    i2 = fail_open(history, degraded_bound_s=30, degraded_metric_delta={"w0": 0.0})
    assert i2.valid is False
    assert "not 'degraded'" in i2.message
    assert "toy_redis_loss" in i2.message
