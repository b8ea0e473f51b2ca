"""Faults: the nemesis role. Every fault is ``inject()``/``heal()``; ``fault_window`` records
both in the history and always heals (``async_fault_window`` from asyncio code).

- ``base``: ``Fault``, ``Noop``, ``Compose``, ``fault_window``, the effect names
- ``network``: toxics through a ``ToxicTarget`` (latency, jitter, bandwidth, slow_close,
  timeout, reset_peer, slicer, limit_data) and ``ProxyDown``
- ``process``: ``Kill`` (kill -9 + restart), ``Pause`` (SIGSTOP/SIGCONT), worker kill/pause
- ``schedule``: ``Schedule`` (seeded plan), ``run_schedule``
"""

from chaos.faults.base import (
    REDIS_LOSS,
    REDIS_SLOW,
    WORKER_LOSS,
    Compose,
    Fault,
    Noop,
    async_fault_window,
    fault_window,
)
from chaos.faults.network import ProxyDown, Switchable, ToxicFault, ToxicTarget
from chaos.faults.process import Controllable, Kill, Pause
from chaos.faults.schedule import Schedule, ScheduledFault, describe, run_schedule

__all__ = [
    "REDIS_LOSS",
    "REDIS_SLOW",
    "WORKER_LOSS",
    "Compose",
    "Controllable",
    "Fault",
    "Kill",
    "Noop",
    "Pause",
    "ProxyDown",
    "Schedule",
    "ScheduledFault",
    "Switchable",
    "ToxicFault",
    "ToxicTarget",
    "async_fault_window",
    "describe",
    "fault_window",
    "run_schedule",
]
