"""Labels that mark everything a run creates, so that the reaper can find leftovers."""

from __future__ import annotations

import os

RUN_LABEL = "auth-chaos.run"
# pid of the process (pytest or CLI) that owns the run, as in AUTH_CHAOS_OWNER for processes
OWNER_LABEL = "auth-chaos.owner"


def run_labels(run_id: str) -> dict[str, str]:
    """Labels for one object of run `run_id`."""
    return {RUN_LABEL: run_id, OWNER_LABEL: str(os.getpid())}
