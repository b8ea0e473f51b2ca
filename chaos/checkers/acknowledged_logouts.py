"""Logouts the service acknowledged (a 2xx: 200, or 204 for a service that says so) and which
of them Redis no longer holds (I4, I8)."""

from __future__ import annotations

from collections.abc import Collection

from chaos.history import Call, History


def acknowledged_logouts(history: History, read_at_epoch_s: float | None) -> tuple[list[Call], int]:
    """(logouts answered 200 with a jti, how many were skipped because their token expired
    (``value["exp"]``) before ``read_at_epoch_s``: their key may rightly be gone)."""
    acknowledged: list[Call] = []
    expired = 0
    for call in history.calls():
        if call.f != "logout" or call.outcome != "ok" or not call.jti:
            continue
        exp = call.invoke.value.get("exp")
        if read_at_epoch_s is not None and isinstance(exp, int | float) and exp < read_at_epoch_s:
            expired += 1
            continue
        acknowledged.append(call)
    return acknowledged, expired


def acknowledged_at(calls: list[Call]) -> dict[str, int]:
    """jti -> when its first acknowledged logout completed (monotonic ns)."""
    revoked: dict[str, int] = {}
    for call in calls:
        if call.f == "logout" and call.outcome == "ok" and call.jti and call.end_ns is not None:
            revoked[call.jti] = min(call.end_ns, revoked.get(call.jti, call.end_ns))
    return revoked


def missing_revocations(acknowledged: list[Call], revoked_jtis: Collection[str]) -> list[Call]:
    """The acknowledged logouts whose ``revoked:<jti>`` key is not among ``revoked_jtis``."""
    keys = set(revoked_jtis)
    return [c for c in acknowledged if c.jti not in keys]
