"""Remove what a run (or a killed run) left: containers, then networks, found by label.

reap(client, stack_id=...)   one DockerRun / ComposeStack
reap(client, run_id=...)     everything of one suite run
reap(client)                           everything the backend ever labelled
reap_orphan_containers(client)         objects whose owner process is gone (start of a run)
reap_orphan_containers(client, scope)  the same, only runs of one AUTH_CHAOS_SCOPE
                                       (end of ./dev docker-gate)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from chaos.services.run import scope_of

from ._labels import OWNER_LABEL, RUN_LABEL, STACK_LABEL


@dataclass
class Reaped:
    """Names of what was removed."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)


def reap(client: Any, run_id: str | None = None, *, stack_id: str | None = None) -> Reaped:
    """Force-remove the containers, then the networks, that carry the given labels."""
    if stack_id is not None:
        selector = f"{STACK_LABEL}={stack_id}"
    elif run_id is not None:
        selector = f"{RUN_LABEL}={run_id}"
    else:
        selector = RUN_LABEL
    return _remove(client, {"label": selector}, lambda labels: True)


def reap_orphan_containers(client: Any, scope: str | None = None) -> Reaped:
    """Remove labelled objects whose owner pid no longer exists (what a killed run left);
    with `scope`, only those of runs made in that scope (run ids ``<scope>:run-...``)."""

    def doomed(labels: dict[str, str]) -> bool:
        in_scope = scope is None or scope_of(labels.get(RUN_LABEL, "")) == scope
        return in_scope and not _alive(labels)

    return _remove(client, {"label": OWNER_LABEL}, doomed)


def _alive(labels: dict[str, str]) -> bool:
    try:
        os.kill(int(labels[OWNER_LABEL]), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, KeyError):
        return True  # someone else's process, or a label we cannot read: leave it
    return True


def _remove(
    client: Any, filters: dict[str, str], doomed: Callable[[dict[str, str]], bool]
) -> Reaped:
    reaped = Reaped()
    for container in client.containers.list(all=True, filters=filters):
        if doomed(container.labels):
            try:
                container.remove(force=True, v=True)
                reaped.containers.append(container.name)
            except docker.errors.NotFound:
                pass  # removed concurrently: the goal is reached
    # networks last: a network with attached containers cannot be removed
    for network in client.networks.list(filters=filters):
        if doomed(network.attrs.get("Labels") or {}):
            try:
                network.remove()
                reaped.networks.append(network.name)
            except docker.errors.NotFound:
                pass
    return reaped
