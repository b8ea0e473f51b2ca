"""Failover drills (I8): a Sentinel group, a Redis Cluster or one Redis, a logout-heavy
workload, one fault; then every acknowledged revocation is looked for, and the time to
enforced answers on every worker is measured. ``python -m chaos.failover --list``."""

from chaos.failover.drill import DrillResult, run_drill
from chaos.failover.scenarios import SCENARIOS, Scenario

__all__ = ["SCENARIOS", "DrillResult", "Scenario", "run_drill"]
