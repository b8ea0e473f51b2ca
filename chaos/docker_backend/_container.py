"""ContainerHandle: one container, driven with the same verbs as the local process handles.

handle.kill()        SIGKILL the container's main process (kill -9); the container stays
handle.pause()       freeze it (docker pause, the cgroup freezer: hung, not dead)
handle.resume()      thaw it (docker unpause)
handle.restart()     start it again, whatever its state, and wait until it is ready
handle.stop()        SIGTERM, then SIGKILL after the grace period
handle.disconnect()  leave every network: a true partition (peers' packets go nowhere)
handle.reconnect()   rejoin exactly the networks (and aliases) that disconnect() left
handle.log_tail(40)  the last lines of its output
handle.remove()      force-remove it (what teardown and the reaper do)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import docker.errors

STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL


@dataclass(frozen=True)
class NetworkMembership:
    """One network a container was attached to, with the DNS aliases it answered to."""

    network: str
    aliases: tuple[str, ...]


@dataclass(eq=False)
class ContainerHandle:
    """A container of one stack; `host_ports` maps container port -> 127.0.0.1 port.

    `ready` (optional) is called after restart() and blocks until the service answers, as the
    local handles' restart() does; it raises NotReady with the log tail otherwise.
    """

    container: Any
    name: str
    host_ports: dict[int, int] = field(default_factory=dict)
    ready: Callable[[ContainerHandle], object] | None = None
    _left: list[NetworkMembership] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<ContainerHandle {self.name} {self.container.name}>"

    @property
    def container_id(self) -> str:
        return str(self.container.id)

    @property
    def pid(self) -> int:
        """The host pid of the container's main process (0 when it is not running)."""
        self.container.reload()
        return int(self.container.attrs["State"]["Pid"])

    @property
    def running(self) -> bool:
        return self.status() in ("running", "paused")

    def status(self) -> str:
        """Docker's view: created, running, paused, restarting, exited or dead."""
        self.container.reload()
        return str(self.container.status)

    def host_port(self, container_port: int) -> int:
        return self.host_ports[container_port]

    def kill(self) -> None:
        if self.status() == "paused":
            self.container.unpause()  # a frozen process cannot take SIGKILL in cgroup v1
        self.container.kill(signal="SIGKILL")
        self.container.wait(condition="not-running", timeout=30)

    def pause(self) -> None:
        self.container.pause()

    def resume(self) -> None:
        self.container.unpause()

    def restart(self, timeout: float | None = None) -> None:
        """Stop (if running) and start again, same host ports; then wait until ready."""
        if self.status() == "paused":
            self.container.unpause()
        self.container.restart(timeout=int(STOP_TIMEOUT if timeout is None else timeout))
        if self.ready is not None:
            self.ready(self)

    def stop(self, timeout: float | None = None) -> None:
        if self.status() == "paused":
            self.container.unpause()
        self.container.stop(timeout=int(STOP_TIMEOUT if timeout is None else timeout))

    def disconnect(self) -> list[NetworkMembership]:
        """Leave every network; remember what was left so that reconnect() undoes exactly it."""
        self.container.reload()
        networks = self.container.attrs["NetworkSettings"]["Networks"] or {}
        left = []
        for name, settings in networks.items():
            # Docker adds the short container id as an alias itself on connect
            aliases = tuple(
                a for a in (settings.get("Aliases") or []) if not self.container.id.startswith(a)
            )
            self.container.client.networks.get(name).disconnect(self.container)
            left.append(NetworkMembership(name, aliases))
        self._left.extend(left)
        return left

    def reconnect(self) -> None:
        while self._left:
            membership = self._left.pop()
            network = self.container.client.networks.get(membership.network)
            network.connect(self.container, aliases=list(membership.aliases) or None)

    def log_tail(self, lines: int = 40) -> str:
        try:
            raw: bytes = self.container.logs(tail=lines)
        except docker.errors.NotFound:
            return f"<container {self.name} is gone>"
        return raw.decode("utf-8", "replace")

    def remove(self) -> None:
        # already gone is fine: removal is idempotent
        with contextlib.suppress(docker.errors.NotFound):
            self.container.remove(force=True, v=True)
