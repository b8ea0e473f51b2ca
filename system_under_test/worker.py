"""One worker process: reads its assignment from stdin (JSON), serves on the inherited socket.

Started only by the supervisor: ``python -m system_under_test.worker`` with a JSON object
``{"slot", "fd", "parent", "settings", "users"}`` on stdin. Dies with the supervisor
(PR_SET_PDEATHSIG, and a check that the parent is still the one that started it).
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

import uvicorn

from .acceptor import DEFAULT_BATCH, GreedyAcceptor
from .api import build_app
from .config import Settings, jwt_secret
from .front import Front
from .heartbeat import Heartbeat
from .http_protocol import close_idle, with_header_timeout
from .service import Service

PR_SET_PDEATHSIG = 1
# objects a worker may gain before its cyclic collector runs (Python's default: 700); the
# garbage it finds under load is a few hundred objects a minute
GC_YOUNG_THRESHOLD = 50_000


def die_with_parent(parent: int) -> None:
    """The kernel kills this process when the supervisor dies, even by SIGKILL."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class ReportingServer(uvicorn.Server):
    """Accepts greedily on the inherited sockets (acceptor.py) and tells the supervisor (one
    byte on a pipe) once it serves: a death after that is a crash, a death before it a failed
    start."""

    def __init__(
        self,
        config: uvicorn.Config,
        ready_fd: int,
        *,
        accept_batch: int = DEFAULT_BATCH,
        on_batch: Callable[[int], None] | None = None,
        accept_fair: int | None = None,
        loop_late: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(config)
        self.ready_fd = ready_fd
        self.accept_batch = accept_batch
        self.accept_fair = accept_fair
        self.loop_late = loop_late
        self.on_batch = on_batch
        self.acceptors: list[GreedyAcceptor] = []
        self.heartbeat: Heartbeat | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        # no sockets for uvicorn: its uvloop server would accept one connection per iteration
        await super().startup([])
        if not self.started:
            return
        loop = asyncio.get_running_loop()
        config = self.config

        def create_protocol() -> asyncio.Protocol:  # what uvicorn's startup builds
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config,
                server_state=self.server_state,
                app_state=self.lifespan.state,
                _loop=loop,
            )

        for sock in sockets or []:
            acceptor = GreedyAcceptor(
                loop,
                sock,
                create_protocol,
                batch=self.accept_batch,
                fair=self.accept_fair,
                loop_late=self.loop_late,
                on_batch=self.on_batch,
            )
            acceptor.start()
            self.acceptors.append(acceptor)
        # what startup built (modules, the app, the accounts) lives as long as the worker: out
        # of the cyclic collector's full passes, which otherwise walk it all (50-70 ms pauses
        # under load, the verify p99)
        gc.collect()
        gc.freeze()
        # the young generation's threshold: a request's objects live until it is answered, so
        # under load hundreds of requests in flight grow the young generation by 700 (Python's
        # default) about 18 times a second, each growth a collection that finds almost no
        # garbage, and the survivors' promotions bring full passes over every connection's
        # objects (300 ms pauses at 10,000 users; docs/performance.md "Third round")
        gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
        os.write(self.ready_fd, b"r")  # the first byte: serving (the supervisor's readiness)
        self.heartbeat = Heartbeat(self.ready_fd)  # then one per second: alive (hang watchdog)
        self.heartbeat.start()

    async def on_tick(self, counter: int) -> bool:
        if counter % 10 == 0:  # uvicorn ticks every 0.1 s: the keep-alive bound, once a second
            now = asyncio.get_running_loop().time()
            close_idle(self.server_state.connections, now, self.config.timeout_keep_alive)
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for acceptor in self.acceptors:  # stop accepting first, as uvicorn does with its servers
            acceptor.close()
        for acceptor in self.acceptors:
            await acceptor.wait_closed()
        await super().shutdown(sockets)
        if self.heartbeat is not None:
            self.heartbeat.stop()


def fair_share(settings: Settings) -> int | None:
    """--accept-fair where workers share one listening socket, else None (take the batch)."""
    shared = settings.workers > 1 and not settings.port_per_worker
    return settings.accept_fair if shared else None


def settings_from(raw: dict[str, Any]) -> Settings:
    raw = dict(raw)
    raw["sentinels"] = [(host, int(port)) for host, port in raw["sentinels"]]
    return Settings(**raw)


def main() -> int:
    assignment = json.loads(sys.stdin.read())
    die_with_parent(int(assignment["parent"]))
    settings = settings_from(assignment["settings"])
    logging.basicConfig(
        level=settings.log_level.upper(),
        format=f"%(asctime)s w{assignment['slot']}-{os.getpid()} %(levelname)s %(name)s: "
        "%(message)s",
    )
    service = Service.build(
        settings, assignment["users"], int(assignment["slot"]), jwt_secret(os.environ)
    )
    app = Front(build_app(service), service)
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http=with_header_timeout(
            settings.header_timeout_s,
            settings.body_timeout_s,
            admission=service.admission,
            shed_answer=app.shed,
            direct=app.direct,
        ),
        headers=[("X-Worker-Id", service.worker_id)],  # on every answer, uvicorn's own too
        lifespan="on",
        access_log=False,
        log_level=settings.log_level,
        server_header=False,
        proxy_headers=False,  # no proxy in front: skip a middleware layer on every request
        timeout_graceful_shutdown=max(1, int(settings.shutdown_timeout_s) - 1),
    )
    sock = socket.socket(fileno=int(assignment["fd"]))
    server = ReportingServer(
        config,
        int(assignment["ready_fd"]),
        accept_batch=settings.accept_batch,
        on_batch=service.metrics.accept_batch,
        accept_fair=fair_share(settings),
        loop_late=service.store.lag.late_recently,
    )
    server.run(sockets=[sock])
    return 0 if server.started else 3


if __name__ == "__main__":
    raise SystemExit(main())
