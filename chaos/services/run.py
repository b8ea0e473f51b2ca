"""Who owns the processes started now: the owner pid and the run id put in their env.

The run id comes from ``AUTH_CHAOS_RUN`` when a parent (the pytest controller, a CLI) set it,
so every xdist worker of one run shares it; otherwise this process makes one.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

__all__ = [
    "OWNER_ENV",
    "RUN_ENV",
    "SCOPE_ENV",
    "RunIdentity",
    "current_run",
    "current_scope",
    "scope_of",
    "start_run",
]

OWNER_ENV = "AUTH_CHAOS_OWNER"
RUN_ENV = "AUTH_CHAOS_RUN"
SCOPE_ENV = "AUTH_CHAOS_SCOPE"  # runs reap only orphans of their own scope (default: "")


@dataclass(frozen=True)
class RunIdentity:
    """The markers every started process carries."""

    owner_pid: int
    run_id: str

    def env(self) -> dict[str, str]:
        return {OWNER_ENV: str(self.owner_pid), RUN_ENV: self.run_id}


def start_run() -> str:
    """Begin a new run in this process (and its future children): a fresh run id."""
    scope = current_scope()
    run_id = f"run-{os.getpid()}-{secrets.token_hex(4)}"
    run_id = f"{scope}:{run_id}" if scope else run_id
    os.environ[RUN_ENV] = run_id
    return run_id


def current_scope() -> str:
    """The reaping scope of this process: ``AUTH_CHAOS_SCOPE`` (no ``:``), or ``""``."""
    return os.environ.get(SCOPE_ENV, "").replace(":", "_")


def scope_of(run_id: str) -> str:
    """The scope a run id was made in."""
    scope, sep, _ = run_id.partition(":")
    return scope if sep else ""


def current_run() -> RunIdentity:
    """This process as owner, with the run id inherited or made now."""
    run_id = os.environ.get(RUN_ENV) or start_run()
    return RunIdentity(owner_pid=os.getpid(), run_id=run_id)
