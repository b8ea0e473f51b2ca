"""Remove what a run (or a killed run) left: containers, then networks, found by label."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import docker.errors

from ._labels import RUN_LABEL


@dataclass
class Reaped:
    """Names of what reap() removed."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)


def reap(client: Any, run_id: str | None = None) -> Reaped:
    """Force-remove containers and networks labelled `auth-chaos.run=<run_id>` (any run if None)."""
    selector = RUN_LABEL if run_id is None else f"{RUN_LABEL}={run_id}"
    reaped = Reaped()
    for container in client.containers.list(all=True, filters={"label": selector}):
        try:
            container.remove(force=True, v=True)
            reaped.containers.append(container.name)
        except docker.errors.NotFound:
            pass  # removed concurrently: the goal is reached
    # networks last: a network with attached containers cannot be removed
    for network in client.networks.list(filters={"label": selector}):
        try:
            network.remove()
            reaped.networks.append(network.name)
        except docker.errors.NotFound:
            pass
    return reaped
