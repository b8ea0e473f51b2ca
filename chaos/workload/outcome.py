"""How an HTTP answer or error becomes ok / fail / info.

An answer of 2xx is ``ok``; 4xx and 503 are ``fail`` (the service said no, definitely);
any other 5xx is ``info`` (the service broke mid-way: the effect is unknown). A timeout or
a dropped connection is ``info``, never ``fail``; a refused connection is ``fail`` (the
request never reached a worker).
"""

from __future__ import annotations

import httpx

from chaos.history import OpType


def outcome_of_status(status: int) -> OpType:
    if 200 <= status < 300:
        return "ok"
    if 400 <= status < 500 or status == 503:
        return "fail"
    return "info"


def outcome_of_error(exc: Exception) -> tuple[OpType, str]:
    """(type, error kind) for an exception raised by httpx."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "info", "timeout:connect"
    if isinstance(exc, httpx.TimeoutException):
        return "info", f"timeout:{type(exc).__name__}"
    if isinstance(exc, httpx.ConnectError):
        return "fail", "connect_refused"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "info", f"connection_dropped:{type(exc).__name__}"
    return "info", f"error:{type(exc).__name__}"


def outcome_of_transport(kind: str) -> tuple[OpType, str]:
    """(type, error kind) for a ``chaos.workload.http1.TransportError`` kind."""
    if kind == "timeout":
        return "info", "timeout:crowd"
    if kind == "connect refused":
        return "fail", "connect_refused"
    return "info", f"connection_dropped:{kind}"
