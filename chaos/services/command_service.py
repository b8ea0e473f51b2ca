"""``CommandService``: a user's own service, started from a command template.

The template's ``{port}``, ``{redis_url}`` and ``{workers}`` are filled in, then split like a
shell would (no shell runs). Example::

    CommandService(workdir, "uvicorn myapp:app --port {port}", redis_url=r.url).start()
"""

from __future__ import annotations

import shlex
from pathlib import Path

from chaos.ports import PortClaim, claim_port
from chaos.services.http_probe import first_unhealthy
from chaos.services.process import ServiceProcess

__all__ = ["CommandService"]

PLACEHOLDERS = ("port", "redis_url", "workers")


class CommandService(ServiceProcess):
    """Any HTTP service that takes its port and Redis URL on the command line."""

    ready_timeout = 60.0

    def __init__(
        self,
        workdir: Path,
        command_template: str,
        redis_url: str,
        *,
        health_path: str = "/health",
        workers: int = 1,
        env: dict[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        if "{port}" not in command_template:
            raise ValueError(f"--sut-command needs a {{port}} placeholder: {command_template!r}")
        self._claim: PortClaim | None = None
        if port is None:
            self._claim = claim_port()
            port = self._claim.port
        self.port = port
        self.template = command_template
        self.redis_url = redis_url
        self.health_path = health_path
        self.workers = workers
        self.secret = (env or {}).get("AUTH_JWT_SECRET", "")
        self.ignored: list[str] = []  # reference-service options a caller gave that do not apply
        super().__init__(f"service-{port}", Path(workdir) / f"service-{port}", env)
        self._argv = self._render()

    def _render(self) -> list[str]:
        try:
            text = self.template.format(
                port=self.port, redis_url=self.redis_url, workers=self.workers
            )
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"--sut-command: bad template {self.template!r} ({exc!r}); "
                f"placeholders: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
            ) from None
        try:
            argv = shlex.split(text)
        except ValueError as exc:
            raise ValueError(f"--sut-command: {exc} in {self.template!r}") from None
        if not argv:
            raise ValueError(f"--sut-command: empty command {self.template!r}")
        return argv

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def worker_urls(self) -> list[str]:
        return [self.base_url]

    def command(self) -> list[str]:
        return list(self._argv)

    def probe(self) -> str | None:
        return first_unhealthy([self.base_url], self.health_path)

    def release_ports(self) -> None:
        if self._claim is not None:
            self._claim.release()
