"""ComposeStack: docker-compose.chaos.yml brought up for one scenario, then torn down.

    stack = ComposeStack.up(ComposeOptions(profiles=("sentinel",), workers=2))
    try:
        stack.urls.service                     # http://127.0.0.1:P  (all workers, one port)
        stack.urls.toxiproxy_api               # http://127.0.0.1:P  (proxy "redis" exists)
        stack.handles["redis-primary"].pause() # ContainerHandle, the local handles' verbs
    finally:
        stack.down()                           # containers and network gone, reaper checked

Every published port is a free port chosen here and fixed for the stack's life, so it
survives container restarts. The compose project is `auth-chaos-<run id>`.
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from chaos.ports import PortClaim, claim_port
from chaos.services.run import OWNER_ENV, RUN_ENV, current_run

from ._container import ContainerHandle
from ._engine import connect_engine, require_image
from ._errors import ComposeFailed
from ._labels import new_stack_id
from ._readiness import wait_http_ok
from ._reaper import Reaped, reap
from ._redis import REDIS_PORT, wait_redis_ready

COMPOSE_FILE = "docker-compose.chaos.yml"
LOCAL_OVERRIDE = "docker/compose.local.yml"
PER_WORKER_OVERRIDE = "docker/compose.per-worker.yml"
MAX_PORT_PER_WORKER = 3  # ports the per-worker override publishes (8000, 8001, 8002)
LOCAL_IMAGES = ("auth-chaos/redis:local", "auth-chaos/app:local")
PROXY_REDIS = {"name": "redis", "listen": "0.0.0.0:6380", "upstream": "redis-primary:6379"}

# env var of each published port -> (service, container port)
PORT_VARS = {
    "AUTH_CHAOS_REDIS_PORT": ("redis-primary", 6379),
    "AUTH_CHAOS_REPLICA1_PORT": ("redis-replica-1", 6379),
    "AUTH_CHAOS_REPLICA2_PORT": ("redis-replica-2", 6379),
    "AUTH_CHAOS_SENTINEL1_PORT": ("sentinel-1", 26379),
    "AUTH_CHAOS_SENTINEL2_PORT": ("sentinel-2", 26379),
    "AUTH_CHAOS_SENTINEL3_PORT": ("sentinel-3", 26379),
    "AUTH_CHAOS_PROXY_API_PORT": ("toxiproxy", 8474),
    "AUTH_CHAOS_PROXY_REDIS_PORT": ("toxiproxy", 6380),
    "AUTH_CHAOS_SERVICE_PORT": ("auth", 8000),
}
# published only with port_per_worker (docker/compose.per-worker.yml); worker 0 is on 8000
WORKER_PORT_VARS = {
    "AUTH_CHAOS_WORKER1_PORT": ("auth", 8001),
    "AUTH_CHAOS_WORKER2_PORT": ("auth", 8002),
}


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory upwards holding docker-compose.chaos.yml (cwd, then this file)."""
    for origin in (start or Path.cwd(), Path(__file__).resolve()):
        for folder in (origin, *origin.parents):
            if (folder / COMPOSE_FILE).is_file():
                return folder
    raise FileNotFoundError(f"{COMPOSE_FILE} not found above {start or Path.cwd()}")


@dataclass(frozen=True)
class ComposeOptions:
    """What to bring up. `services` None means every service of the chosen profiles;
    a list means exactly those (no dependencies), e.g. Redis and the workers without a proxy."""

    profiles: tuple[str, ...] = ()  # "replicas", "sentinel"
    services: tuple[str, ...] | None = None
    workers: int = 2
    failure_mode: str = "open"
    service_args: tuple[str, ...] = ()  # more flags of the service, e.g. ("--redis-timeout", "0.1")
    port_per_worker: bool = False  # worker i on its own host port (at most 3 workers)
    worker_redis_url: str | None = None  # default: through the proxy, redis://toxiproxy:6380/0
    local_images: bool = True  # add docker/compose.local.yml: no registry needed
    users_file: Path | None = None
    jwt_secret: str | None = None  # a fresh random one when None
    project_dir: Path | None = None
    ready_timeout: float = 90.0


@dataclass(frozen=True)
class StackUrls:
    """Where the host reaches the stack (127.0.0.1 only); None for a service not started."""

    service: str | None
    toxiproxy_api: str | None
    redis_direct: str | None
    redis_via_proxy: str | None
    sentinels: tuple[str, ...]


@dataclass
class ComposeStack:
    """A compose project of one scenario: its handles by service name and its URLs."""

    options: ComposeOptions
    stack_id: str
    project_dir: Path
    env: dict[str, str]
    client: Any
    claims: list[PortClaim] = field(default_factory=list)
    handles: dict[str, ContainerHandle] = field(default_factory=dict)
    urls: StackUrls | None = None

    @property
    def project(self) -> str:
        return f"auth-chaos-{self.stack_id}"

    # the names of chaos.services.Stack, so a fixture can hand either backend to a scenario
    proxy_name = PROXY_REDIS["name"]

    @property
    def redis(self) -> ContainerHandle:
        return self.handles["redis-primary"]

    @property
    def auth(self) -> ContainerHandle:
        return self.handles["auth"]

    @property
    def toxiproxy_url(self) -> str:
        return f"http://127.0.0.1:{self.handles['toxiproxy'].host_port(8474)}"

    @property
    def proxy_port(self) -> int:
        return self.handles["toxiproxy"].host_port(6380)

    @property
    def proxied_redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.proxy_port}/0"

    @property
    def base_url(self) -> str:
        """The service: every worker behind one port (worker 0 with port_per_worker)."""
        return f"http://127.0.0.1:{self.auth.host_port(8000)}"

    @property
    def worker_urls(self) -> list[str]:
        """One URL per worker with port_per_worker, else the one shared URL."""
        if not self.options.port_per_worker:
            return [self.base_url]
        ports = [self.auth.host_port(8000 + slot) for slot in range(self.options.workers)]
        return [f"http://127.0.0.1:{port}" for port in ports]

    @property
    def members(self) -> list[ContainerHandle]:
        return [self.handles[name] for name in sorted(self.handles)]

    def close(self) -> None:
        self.down()

    @classmethod
    def up(cls, options: ComposeOptions | None = None) -> ComposeStack:
        """Start the stack and wait until every started service answers; down() on failure."""
        options = options or ComposeOptions()
        if options.port_per_worker and not 1 <= options.workers <= MAX_PORT_PER_WORKER:
            raise ValueError(
                f"port_per_worker: workers must be 1..{MAX_PORT_PER_WORKER}, got {options.workers}"
            )
        port_vars = port_vars_of(options)
        client = connect_engine()
        claims: dict[str, PortClaim] = {}
        try:
            if options.local_images:
                for image in LOCAL_IMAGES:
                    require_image(client, image)
            project_dir = options.project_dir or find_project_dir()
            # claimed (flock) for the stack's life: fixed ports survive restarts, unlike Docker's
            claims = {var: claim_port() for var in port_vars}
        except BaseException:
            for claim in claims.values():
                claim.release()
            client.close()
            raise
        stack_id = new_stack_id()
        identity = current_run()
        env = dict(os.environ)
        env.update({var: str(claim.port) for var, claim in claims.items()})
        env.update(
            {RUN_ENV: identity.run_id, OWNER_ENV: str(identity.owner_pid)},
            AUTH_CHAOS_STACK=stack_id,
            AUTH_CHAOS_WORKERS=str(options.workers),
            AUTH_CHAOS_FAILURE_MODE=options.failure_mode,
            AUTH_JWT_SECRET=options.jwt_secret or secrets.token_hex(32),
            AUTH_CHAOS_SERVICE_ARGS=shlex.join(service_args_of(options)),
        )
        if options.worker_redis_url is not None:
            env["AUTH_CHAOS_WORKER_REDIS_URL"] = options.worker_redis_url
        if options.users_file is not None:
            env["AUTH_CHAOS_USERS_FILE"] = str(options.users_file.resolve())
        stack = cls(options, stack_id, project_dir, env, client, list(claims.values()))
        try:
            # an explicit service list means exactly those services, not their dependencies
            only = ("--no-deps", *options.services) if options.services else ()
            stack.compose("up", "-d", "--no-build", *only)
            stack._collect_handles()
            stack._wait_ready()
        except BaseException:
            stack.down()
            raise
        return stack

    def compose(self, *args: str) -> str:
        """Run docker-compose on this project; ComposeFailed with its output on failure."""
        command = ["docker-compose", "-p", self.project, "-f", COMPOSE_FILE]
        if self.options.local_images:
            command += ["-f", LOCAL_OVERRIDE]
        if self.options.port_per_worker:
            command += ["-f", PER_WORKER_OVERRIDE]
        for profile in self.options.profiles:
            command += ["--profile", profile]
        command += list(args)
        done = subprocess.run(
            command,
            cwd=self.project_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise ComposeFailed(command, done.returncode, done.stdout + done.stderr)
        return done.stdout

    def _collect_handles(self) -> None:
        label = f"com.docker.compose.project={self.project}"
        for container in self.client.containers.list(all=True, filters={"label": label}):
            service = container.labels["com.docker.compose.service"]
            ports = {
                port: int(self.env[var])
                for var, (owner, port) in port_vars_of(self.options).items()
                if owner == service
            }
            self.handles[service] = ContainerHandle(
                container,
                service,
                ports,
                _readiness_of(service, ports, self.options.ready_timeout, self.options.workers),
            )
        self.urls = StackUrls(
            service=self._url("auth", 8000, "http"),
            toxiproxy_api=self._url("toxiproxy", 8474, "http"),
            redis_direct=self._url("redis-primary", 6379, "redis", "/0"),
            redis_via_proxy=self._url("toxiproxy", 6380, "redis", "/0"),
            sentinels=tuple(
                f"127.0.0.1:{h.host_port(26379)}"
                for name, h in sorted(self.handles.items())
                if name.startswith("sentinel-")
            ),
        )

    def _url(self, service: str, port: int, scheme: str, path: str = "") -> str | None:
        handle = self.handles.get(service)
        return None if handle is None else f"{scheme}://127.0.0.1:{handle.host_port(port)}{path}"

    def _wait_ready(self) -> None:
        # Redis first, then the proxy (whose proxy "redis" must exist), then the workers
        order = {"toxiproxy": 1, "auth": 2}
        for handle in sorted(self.handles.values(), key=lambda h: (order.get(h.name, 0), h.name)):
            if handle.ready is not None:
                handle.ready(handle)
            if handle.name == "toxiproxy":
                _ensure_redis_proxy(f"http://127.0.0.1:{handle.host_port(8474)}")

    def log_tails(self, lines: int = 30) -> dict[str, str]:
        """The last lines of every service's output (for a failed scenario's report)."""
        return {name: handle.log_tail(lines) for name, handle in self.handles.items()}

    def down(self) -> Reaped:
        """Remove the project's containers and network; the reaper removes anything left."""
        try:
            self.compose("down", "--volumes", "--remove-orphans", "--timeout", "5")
        finally:
            try:
                reaped = reap(self.client, stack_id=self.stack_id)
            finally:
                for claim in self.claims:
                    claim.release()
                self.client.close()
        return reaped


def port_vars_of(options: ComposeOptions) -> dict[str, tuple[str, int]]:
    """Env var of each published port -> (service, container port) for these options."""
    return {**PORT_VARS, **(WORKER_PORT_VARS if options.port_per_worker else {})}


def service_args_of(options: ComposeOptions) -> tuple[str, ...]:
    """The service's extra flags (AUTH_CHAOS_SERVICE_ARGS)."""
    return (*(("--port-per-worker",) if options.port_per_worker else ()), *options.service_args)


def _readiness_of(
    service: str, ports: dict[int, int], timeout: float, workers: int
) -> Callable[[ContainerHandle], object] | None:
    """What `service` answers when it is ready (also waited on after each restart())."""
    if service == "auth" and 8000 in ports:
        # every worker's own port with port_per_worker (8000 + slot), else the shared one
        slots = range(workers) if 8001 in ports else range(1)
        urls = [f"http://127.0.0.1:{ports[8000 + slot]}/health" for slot in slots]
        return lambda h: [wait_http_ok(h, url, timeout) for url in urls]
    if service == "toxiproxy" and 8474 in ports:
        return lambda h: wait_http_ok(h, f"http://127.0.0.1:{ports[8474]}/version", timeout)
    redis_port = next((port for port in (REDIS_PORT, 26379) if port in ports), None)
    if redis_port is not None:
        return lambda h: wait_redis_ready(h, timeout, redis_port)
    return None


def _ensure_redis_proxy(api: str) -> None:
    """Create proxy "redis" unless the proxy's config file already did (idempotent)."""
    if httpx.get(f"{api}/proxies/redis", timeout=5.0).status_code == 200:
        return
    response = httpx.post(f"{api}/proxies", json=PROXY_REDIS, timeout=5.0)
    if response.status_code not in (200, 201, 409):
        raise ComposeFailed(["POST", f"{api}/proxies"], response.status_code, response.text)
