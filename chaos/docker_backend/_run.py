"""DockerRun: the containers and the network of one stack, all labelled, all removed on close.

with DockerRun.open() as run:
    redis_box = run.start_redis()           # auth-chaos/redis:local, ready (PONG)
    redis_box.pause(); ...; redis_box.resume()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from chaos.ports import PortClaim, claim_port

from ._container import ContainerHandle
from ._engine import connect_engine, require_image
from ._labels import new_stack_id, stack_labels
from ._probe import probe_command
from ._reaper import Reaped, reap
from ._redis import REDIS_PORT, wait_redis_ready

REDIS_IMAGE = "auth-chaos/redis:local"
APP_IMAGE = "auth-chaos/app:local"


@dataclass
class DockerRun:
    """One stack's bridge network and the containers started on it."""

    client: Any
    stack_id: str
    network: Any
    handles: list[ContainerHandle] = field(default_factory=list)
    claims: list[PortClaim] = field(default_factory=list)
    owns_client: bool = False  # close the client on close() when open() made it

    @classmethod
    def open(cls, client: Any = None) -> DockerRun:
        owns_client = client is None
        client = connect_engine() if client is None else client
        stack_id = new_stack_id()
        network = client.networks.create(
            f"auth-chaos-{stack_id}", driver="bridge", labels=stack_labels(stack_id)
        )
        return cls(client, stack_id, network, owns_client=owns_client)

    def start_container(
        self,
        name: str,
        image: str,
        command: Sequence[str] | None = None,
        *,
        ports: Sequence[int] = (),
        environment: dict[str, str] | None = None,
        ready: Callable[[ContainerHandle], object] | None = None,
    ) -> ContainerHandle:
        """Start `image` on the stack's network, DNS name `name`, each port on 127.0.0.1."""
        require_image(self.client, image)
        # claimed (flock) for the stack's life: fixed ports survive restarts, unlike Docker's
        claims = [claim_port() for _ in ports]
        self.claims.extend(claims)
        host_ports = {port: claim.port for port, claim in zip(ports, claims, strict=True)}
        container = self.client.containers.run(
            image,
            list(command) if command is not None else None,
            name=f"auth-chaos-{self.stack_id}-{name}",
            detach=True,
            labels=stack_labels(self.stack_id),
            environment=environment or {},
            ports={f"{port}/tcp": ("127.0.0.1", host) for port, host in host_ports.items()},
            network=self.network.name,
            # the DNS name peers use; Docker keeps it only if given at connect time
            networking_config={
                self.network.name: self.client.api.create_endpoint_config(aliases=[name])
            },
        )
        handle = ContainerHandle(container, name, host_ports, ready)
        self.handles.append(handle)
        return handle

    def start_redis(
        self, name: str = "redis", args: Sequence[str] = (), ready_timeout: float = 30.0
    ) -> ContainerHandle:
        """A redis-server container from the locally built image, polled until it answers."""
        command = ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", *args]

        def ready(handle: ContainerHandle) -> float:
            return wait_redis_ready(handle, ready_timeout)

        handle = self.start_container(name, REDIS_IMAGE, command, ports=[REDIS_PORT], ready=ready)
        ready(handle)
        return handle

    def start_probe(
        self,
        target: str,
        *,
        port: int = REDIS_PORT,
        interval: float = 0.05,
        timeout: float = 0.25,
        duration: float = 120.0,
        name: str = "probe",
    ) -> ContainerHandle:
        """A Redis PING loop inside the network (see chaos.docker_backend._probe)."""
        command = probe_command(target, port, interval, timeout, duration)
        return self.start_container(name, APP_IMAGE, command)

    def close(self) -> Reaped:
        """Remove every container and the network; the reaper catches anything else labelled."""
        try:
            for handle in self.handles:
                handle.remove()
            self.handles.clear()
            return reap(self.client, stack_id=self.stack_id)
        finally:
            for claim in self.claims:
                claim.release()
            self.claims.clear()
            if self.owns_client:
                self.client.close()

    def __enter__(self) -> DockerRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
