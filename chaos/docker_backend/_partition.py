"""Partition: a Fault (chaos.faults.base) that cuts a container off its networks.

Only the Docker backend has it: local processes share the host's loopback and cannot be
isolated without `tc`/netns, which this kernel lacks.
"""

from __future__ import annotations

from chaos.faults.base import REDIS_LOSS

from ._container import ContainerHandle, NetworkMembership


class Partition:
    """disconnect() on inject, reconnect() of exactly those networks on heal."""

    def __init__(
        self,
        target: ContainerHandle,
        *,
        name: str | None = None,
        effects: frozenset[str] = frozenset({REDIS_LOSS}),
    ) -> None:
        self.target = target
        self.name = name or f"partition_{target.name}"
        self.effects = effects
        self.left: list[NetworkMembership] = []

    def inject(self) -> None:
        self.left = self.target.disconnect()

    def heal(self) -> None:
        if self.left:
            self.target.reconnect()
            self.left = []
