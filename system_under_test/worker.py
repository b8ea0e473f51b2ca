"""One worker process: reads its assignment from stdin (JSON), serves on the inherited socket.

Started only by the supervisor: ``python -m system_under_test.worker`` with a JSON object
``{"slot", "fd", "parent", "settings", "users"}`` on stdin. Dies with the supervisor
(PR_SET_PDEATHSIG, and a check that the parent is still the one that started it).
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import socket
import sys
from typing import Any

import uvicorn

from .api import build_app
from .config import Settings, jwt_secret
from .front import Front
from .service import Service

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """The kernel kills this process when the supervisor dies, even by SIGKILL."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


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
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level=settings.log_level,
        server_header=False,
        timeout_graceful_shutdown=max(1, int(settings.shutdown_timeout_s) - 1),
    )
    sock = socket.socket(fileno=int(assignment["fd"]))
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return 0 if server.started else 3


if __name__ == "__main__":
    raise SystemExit(main())
