"""The client role: concurrent clients whose every call is recorded (invoke, then ok / fail /
info), and a ``/metrics`` reader.

- ``clients``: ``Workload``, ``WorkloadConfig`` (calls shaped by ``chaos.profile.AuthApi``)
- ``answer``: one recorded call, and ``ConnectionOwners`` (the worker holding a connection)
- ``mix``: ``Mix`` (what clients do)
- ``outcome``: answer or error -> ok / fail / info
- ``tokens``: unverified JWT claims (jti, sub, exp)
- ``metrics``: ``parse_metrics``, ``MetricsSnapshot``, ``MetricsScrape``
- the crowd (closed-loop virtual users, also ``python -m benchmarks.load``): ``crowd`` (the
  user and its mix), ``crowd_generator`` (one process), ``crowd_runner`` (``run_crowd``),
  ``crowd_table`` (its table), ``http1``, ``tally``, ``histogram``; ``ceiling`` (the same
  mix sent to one do-nothing route)
"""

from chaos.workload.answer import AuthAnswer, ConnectionOwners
from chaos.workload.clients import Workload, WorkloadConfig
from chaos.workload.metrics import MetricsScrape, MetricsSnapshot, parse_metrics
from chaos.workload.mix import Mix
from chaos.workload.tokens import token_claims

__all__ = [
    "AuthAnswer",
    "ConnectionOwners",
    "MetricsScrape",
    "MetricsSnapshot",
    "Mix",
    "Workload",
    "WorkloadConfig",
    "parse_metrics",
    "token_claims",
]
