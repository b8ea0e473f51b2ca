"""The crowd's journal (``CrowdCall``s from the generator processes) as history ops, merged
with the gate's own history in time order, so the checkers judge both at once.

A crowd user is one history process (``CROWD_PROCESS + user``): it makes one call at a time.
A ``verify_revoked`` is a ``verify`` op (``value["crowd"]`` keeps its route): I1 judges it
like any verify after a logout.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from chaos.history import History, Op
from chaos.workload.crowd import SHED_SUFFIX, CrowdCall
from chaos.workload.outcome import outcome_of_status, outcome_of_transport
from chaos.workload.tokens import token_fields

__all__ = ["CROWD_PROCESS", "crowd_ops", "merged"]

CROWD_PROCESS = 10_000  # history process of crowd user 0 (the workload's clients are 0..N)


def _wall(time_ns: int, offset_ns: int) -> str:
    return datetime.fromtimestamp((time_ns + offset_ns) / 1e9, UTC).isoformat(
        timespec="milliseconds"
    )


def crowd_ops(calls: Iterable[CrowdCall], urls: Sequence[str]) -> list[Op]:
    """Each call as an invoke and its completion (ok / fail / info as the gate's clients)."""
    offset_ns = time.time_ns() - time.monotonic_ns()  # monotonic -> wall clock, for humans
    ops: list[Op] = []
    for call in calls:
        process = CROWD_PROCESS + call.user
        f = "verify" if call.route == "verify_revoked" else call.route
        sent = token_fields(call.token) if call.token and call.route != "login" else {}
        if call.route == "verify_revoked":
            sent["value"] = {**sent.get("value", {}), "crowd": "verify_revoked"}
        target = urls[call.slot] if call.slot < len(urls) else None
        ops.append(
            Op(-1, process, "invoke", f, call.start_ns, _wall(call.start_ns, offset_ns),
               target=target, **sent)
        )  # fmt: skip
        done: dict[str, Any] = dict(sent)
        if call.status is None:
            kind, error = outcome_of_transport((call.error or "").partition(": ")[2])
            done["error"] = error
        else:
            kind = outcome_of_status(call.status)
            done.update(status=call.status, worker=call.worker, revocation_check=call.check)
            if call.error is not None and call.error.endswith(SHED_SUFFIX):
                done["value"] = {**done.get("value", {}), "retry_after": "yes"}
            if call.route == "login" and call.status == 200 and call.token:
                done.update(token_fields(call.token))  # the op is about the new token
        ops.append(
            Op(-1, process, kind, f, call.end_ns, _wall(call.end_ns, offset_ns), target=target,
               latency_ms=(call.end_ns - call.start_ns) / 1e6, **done)
        )  # fmt: skip
    return ops


def merged(history: History, more: Iterable[Op]) -> History:
    """A new history with ``history``'s ops and ``more``, in time order (indexes renumbered)."""
    ops = sorted([*history.ops, *more], key=lambda op: op.time_ns)
    return History(ops)
