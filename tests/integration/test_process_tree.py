"""A service's workers and connection owners read from /proc, on real processes: uvicorn
``--workers 2`` services started from their profiles, and a lone listening process.

The careful example names its worker in ``X-Served-By`` (its pid): the owner found from /proc
must be that pid. The naive one names none: its calls are credited to the connection's owner,
and where the owner is unknown the worker is too, so recovery (I6) is ``unknown``, not a pass.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chaos.checkers import CheckInputs, run_checks
from chaos.faults.base import fault_window
from chaos.faults.process import redis_pause
from chaos.history import History
from chaos.profile import AuthApi, ServiceProfile, load_profile
from chaos.services import CommandService, RedisServer, service_of_profile
from chaos.services.process_tree import ProcessTree, descendants
from chaos.workload import ConnectionOwners
from chaos.workload.answer import recorded_call
from fixtures import factories

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
TIMEOUT_S = 10.0
CALLS = 8  # calls per client: enough to see a worker credited on each connection
FRESH = httpx.Limits(max_keepalive_connections=0)  # a new connection for every call
# one process listening on a port of its own: prints the port, accepts one connection,
# says so, then waits for its stdin to close
LISTENER = (
    "import socket, sys\n"
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
    "print(s.getsockname()[1], flush=True)\n"
    "c, _ = s.accept(); print('accepted', flush=True)\n"
    "sys.stdin.read()\n"
)

redis = factories.redis_proc(scope="module")


def _profile(name: str) -> ServiceProfile:
    return load_profile(ROOT / "examples" / name / "profile.toml")


def _start(name: str, redis: RedisServer, workdir: Path) -> Iterator[CommandService]:
    profile = _profile(name)
    with service_of_profile(profile, workdir, redis_url=redis.url, workers=WORKERS) as service:
        yield service.start()


@pytest.fixture(scope="module")
def naive(redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CommandService]:
    yield from _start("naive", redis, tmp_path_factory.mktemp("naive"))


@pytest.fixture(scope="module")
def careful(
    redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CommandService]:
    yield from _start("careful", redis, tmp_path_factory.mktemp("careful"))


@pytest.fixture
def listener() -> Iterator[tuple[subprocess.Popen[str], int]]:
    """A lone process listening on a port: (process, port)."""
    with subprocess.Popen(
        [sys.executable, "-c", LISTENER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:  # closes the pipes and reaps the process on the way out
        try:
            assert process.stdout is not None
            yield process, int(process.stdout.readline())
        finally:
            process.kill()


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])


def _client_port(response: httpx.Response) -> int:
    stream = response.extensions["network_stream"]
    return int(stream.get_extra_info("client_addr")[1])


# --- the tree ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["naive", "careful"])
def test_the_tree_lists_the_worker_processes(request: pytest.FixtureRequest, name: str) -> None:
    service: CommandService = request.getfixturevalue(name)
    tree = service.tree()
    members = tree.members()
    assert members[0] == service.pid
    # uvicorn's supervisor spawns the workers and a resource tracker (not a worker)
    spawned = {pid for pid in members if "multiprocessing.spawn" in _cmdline(pid)}
    helpers = {pid for pid in members if "resource_tracker" in _cmdline(pid)}
    assert len(spawned) == WORKERS, [_cmdline(pid) for pid in members]
    assert helpers, [_cmdline(pid) for pid in members]
    workers = tree.workers()
    assert set(workers) == spawned  # the supervisor holds the socket too, yet is no worker
    assert {_parent(pid) for pid in workers} == {service.pid}


def test_a_process_with_no_children_is_a_tree_of_one(
    listener: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = listener
    tree = ProcessTree(process.pid, (port,))
    assert descendants(process.pid) == []
    assert tree.members() == [process.pid]
    assert tree.workers() == [process.pid]
    assert ProcessTree(process.pid, (port + 1,)).workers() == []  # not listening there


# --- who holds a connection -------------------------------------------------------------------


def test_a_keep_alive_connections_owner_is_the_worker_that_answered(
    careful: CommandService,
) -> None:
    tree, owners = careful.tree(), ConnectionOwners(careful.tree())
    with httpx.Client(timeout=TIMEOUT_S) as http:
        answers = [http.get(careful.base_url + "/livez") for _ in range(CALLS)]
        ports = {_client_port(answer) for answer in answers}
        assert len(ports) == 1, ports  # one kept-alive connection
        served_by = {int(answer.headers["X-Served-By"]) for answer in answers}
        assert len(served_by) == 1
        assert served_by <= set(tree.workers())
        assert tree.owner_of(ports.pop()) == served_by.pop()
        stream = answers[-1].extensions["network_stream"]
        assert owners.name(stream) == f"pid-{answers[-1].headers['X-Served-By']}"


def test_each_new_connections_owner_is_the_worker_that_answered(careful: CommandService) -> None:
    tree = careful.tree()
    seen: list[tuple[int | None, int]] = []
    for _ in range(CALLS):  # a client per call: a new connection each time
        with (
            httpx.Client(timeout=TIMEOUT_S) as http,
            http.stream("GET", careful.base_url + "/livez") as answer,
        ):  # the connection is open while the answer is
            seen.append((tree.owner_of(_client_port(answer)), int(answer.headers["X-Served-By"])))
    assert all(owner == served for owner, served in seen), seen
    assert {served for _, served in seen} <= set(tree.workers())


def test_recorded_calls_credit_the_worker_holding_the_connection(naive: CommandService) -> None:
    api = AuthApi(_profile("naive"))
    workers = {f"pid-{pid}" for pid in naive.tree().workers()}

    async def record(limits: httpx.Limits) -> list[str | None]:
        history, owners = History(), ConnectionOwners(naive.tree())
        async with httpx.AsyncClient(timeout=TIMEOUT_S, limits=limits) as http:
            for _ in range(CALLS):
                await recorded_call(http, history, 0, "login", api.login(("alice", "alice-pw")),
                                    api=api, url=naive.base_url, owners=owners)  # fmt: skip
        return [op.worker for op in history if op.type != "invoke"]

    kept_alive = asyncio.run(record(httpx.Limits()))
    assert len(set(kept_alive)) == 1, kept_alive  # one connection, one worker
    assert set(kept_alive) <= workers, kept_alive
    fresh = asyncio.run(record(FRESH))  # closed by the time the answer is read
    assert len(fresh) == CALLS
    assert set(fresh) <= workers, fresh


def test_a_connection_outside_the_tree_has_no_owner(
    naive: CommandService, listener: tuple[subprocess.Popen[str], int]
) -> None:
    process, port = listener
    lone = ProcessTree(process.pid, (port,))
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as connection:
        assert process.stdout is not None
        assert process.stdout.readline() == "accepted\n"
        assert lone.owner_of(connection.getsockname()[1]) == process.pid
    with httpx.Client(timeout=TIMEOUT_S) as http:
        answer = http.get(naive.base_url + "/health")
        client_port = _client_port(answer)
        assert naive.tree().owner_of(client_port) in naive.tree().workers()
        # the same connection asked of another tree, or of the service's tree on a port no
        # connection uses: no owner
        assert ProcessTree(process.pid, naive.ports).owner_of(client_port) is None
        assert naive.tree().owner_of(port) is None
        assert (
            ConnectionOwners(ProcessTree(process.pid, naive.ports)).name(
                answer.extensions["network_stream"]
            )
            is None
        )
    assert ConnectionOwners(naive.tree()).name(None) is None


# --- an unknown owner is no evidence ----------------------------------------------------------


def _recovery_history(service: CommandService, redis: RedisServer, tree: ProcessTree) -> History:
    """Logout of alice's token, a real Redis SIGSTOP window, then verifies of the revoked
    token on new connections, each credited to its connection's owner in ``tree``."""
    api, url = AuthApi(_profile("naive")), service.base_url
    history, owners = History(), ConnectionOwners(tree)

    async def calls() -> None:
        async with httpx.AsyncClient(timeout=TIMEOUT_S, limits=FRESH) as http:
            login = await recorded_call(http, history, 0, "login", api.login(("alice", "alice-pw")),
                                        api=api, url=url, owners=owners)  # fmt: skip
            assert login.access is not None
            token = login.access
            out = await recorded_call(http, history, 0, "logout", api.logout(token), api=api,
                                      url=url, token=token, owners=owners)  # fmt: skip
            assert out.op.status == 200
            with fault_window(redis_pause(redis), history):
                pass  # Redis hung and back: a healed Redis-loss window
            for _ in range(CALLS):
                await recorded_call(http, history, 0, "verify", api.verify(token), api=api,
                                    url=url, token=token, owners=owners)  # fmt: skip

    asyncio.run(calls())
    return history


def test_an_unknown_connection_owner_leaves_recovery_unknown_not_passed(
    naive: CommandService, redis: RedisServer, listener: tuple[subprocess.Popen[str], int]
) -> None:
    inputs = CheckInputs(degraded_signal=False, enforced_budget_s=TIMEOUT_S, checks=("I6",))
    known = _recovery_history(naive, redis, naive.tree())
    verifies = [op for op in known if op.f == "verify" and op.type != "invoke"]
    assert {op.status for op in verifies} == {401}
    assert {op.worker for op in verifies} <= {f"pid-{p}" for p in naive.tree().workers()}
    [judged] = run_checks(inputs.checks, known, inputs)
    assert judged.valid is True, judged.message
    assert judged.evidence == len({op.worker for op in verifies})

    process, _ = listener  # a tree the service's connections are not in
    unknown = _recovery_history(naive, redis, ProcessTree(process.pid, naive.ports))
    assert {op.worker for op in unknown if op.f == "verify" and op.type != "invoke"} == {None}
    [verdict] = run_checks(inputs.checks, unknown, inputs)
    assert verdict.valid == "unknown", verdict.message
    assert verdict.evidence == 0
    assert verdict.message == "I6 unknown: no worker recoveries to judge"
