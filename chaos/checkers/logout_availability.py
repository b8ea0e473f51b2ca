"""The price of durability: how long logouts were refused after a fault.

A logout the service cannot make durable (Redis gone, no replica confirmed it) answers 503
and the client retries. Counted from the fault (when its inject was called): every logout
invoked after it that answered 503 or no answer at all (timeout, connection refused), the end
of the last such logout, and the first logout 200 after it (logouts steadily accepted again).
"""

from __future__ import annotations

from chaos.checkers.windows import FaultWindow, history_end_ns
from chaos.history import Call, History

__all__ = ["logout_unavailability"]


def _refused(call: Call) -> bool:
    """Not acknowledged for lack of Redis or replicas (a 401 is about the token)."""
    return call.status == 503 or call.status is None


def logout_unavailability(history: History, window: FaultWindow) -> dict[str, float | int | None]:
    """``logout_refused``: logouts refused after the fault; ``logout_last_refused_ms``: ms
    from the fault to the end of the last one (None: none was); ``logout_steady_ms``: to the
    first logout 200 that ended after it (None: logouts were still refused at the end)."""
    began = window.began_ns
    after = [c for c in history.calls() if c.f == "logout" and c.start_ns >= began]
    refused = [c for c in after if _refused(c)]
    end = history_end_ns(history)  # a logout still unanswered then was refused until then
    last = max((end if c.end_ns is None else c.end_ns for c in refused), default=None)
    accepted = [c.end_ns for c in after if c.status == 200 and c.end_ns is not None]
    steady = min((t for t in accepted if last is None or t > last), default=None)
    return {
        "logout_refused": len(refused),
        "logout_last_refused_ms": _ms(last, began),
        "logout_steady_ms": _ms(steady, began),
    }


def _ms(at_ns: int | None, since_ns: int) -> float | None:
    return None if at_ns is None else round((at_ns - since_ns) / 1e6, 1)
