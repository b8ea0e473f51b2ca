"""Readiness of a group of processes: a condition polled until a deadline, never a sleep."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from chaos.polling import poll
from chaos.services.errors import ServiceNotReady
from chaos.services.process import ServiceProcess

__all__ = ["wait_until"]


def wait_until(
    probe: Callable[[], str | None],
    timeout: float,
    what: str,
    members: Iterable[ServiceProcess] = (),
    log_lines: int = 15,
) -> None:
    """Poll ``probe`` (None = ready, else what was seen); on timeout raise with member logs."""
    polled = poll(probe, timeout)
    if not polled.ready:
        tails = [f"[{m.name}]\n{m.log_tail(log_lines)}" for m in members]
        raise ServiceNotReady(what, timeout, polled.seen, "\n".join(tails))
