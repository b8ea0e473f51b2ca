"""Labels that mark everything the backend creates, so that the reaper can find leftovers.

auth-chaos.run    the suite's run id (AUTH_CHAOS_RUN, shared by xdist workers)
auth-chaos.stack  one DockerRun or ComposeStack (what its close()/down() removes)
auth-chaos.owner  pid of the process that created it (dead owner: an orphan)
"""

from __future__ import annotations

import secrets

from chaos.services.run import current_run

RUN_LABEL = "auth-chaos.run"
STACK_LABEL = "auth-chaos.stack"
OWNER_LABEL = "auth-chaos.owner"


def new_stack_id() -> str:
    """A short id for one stack; Docker names and compose projects are built from it."""
    return secrets.token_hex(5)


def stack_labels(stack_id: str) -> dict[str, str]:
    """Labels for one object of stack `stack_id`, in the current run, owned by this process."""
    identity = current_run()
    return {
        RUN_LABEL: identity.run_id,
        STACK_LABEL: stack_id,
        OWNER_LABEL: str(identity.owner_pid),
    }
