"""Faults: the nemesis role. Every fault is ``inject()``/``heal()``; ``fault_window`` records
both in the history and always heals (``async_fault_window`` from asyncio code).

- ``base``: ``Fault``, ``Detailed``, ``Settling``, ``Noop``, ``Compose``, ``fault_window``,
  the effect names
- ``network``: toxics through a ``ToxicTarget`` (latency, jitter, bandwidth, slow_close,
  blackhole, reset_peer, slicer, limit_data) and ``ProxyDown``
- ``process``: ``Kill`` (kill -9 + restart), ``Pause`` (SIGSTOP/SIGCONT), worker kill/pause
- ``schedule``: ``ScheduledFault`` and ``play_schedule``, the one player
"""

from chaos.faults.base import (
    REDIS_LOSS,
    REDIS_SLOW,
    WORKER_LOSS,
    Compose,
    Detailed,
    Fault,
    Noop,
    Settling,
    async_fault_window,
    fault_window,
)
from chaos.faults.network import ProxyDown, Switchable, ToxicFault, ToxicTarget
from chaos.faults.process import Aimed, Controllable, Kill, Pause
from chaos.faults.schedule import ScheduledFault, ScheduleHooks, play_schedule

__all__ = [
    "REDIS_LOSS",
    "REDIS_SLOW",
    "WORKER_LOSS",
    "Aimed",
    "Compose",
    "Controllable",
    "Detailed",
    "Fault",
    "Kill",
    "Noop",
    "Pause",
    "ProxyDown",
    "ScheduleHooks",
    "ScheduledFault",
    "Settling",
    "Switchable",
    "ToxicFault",
    "ToxicTarget",
    "async_fault_window",
    "fault_window",
    "play_schedule",
]
