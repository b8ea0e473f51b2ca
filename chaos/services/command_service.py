"""``CommandService``: a service started from a command template, the way a service profile
describes it (``service_of_profile``), or from a bare ``--sut-command``.

The template's placeholders are filled in, then split like a shell would (no shell runs):

| placeholder | value |
|---|---|
| ``{port}`` | the port the service listens on (the first of N with ``port_per_worker``) |
| ``{redis_url}`` | the Redis URL to use (through the fault proxy in the gate) |
| ``{workers}`` | how many worker processes |
| ``{python}`` | the interpreter running the suite |
| ``{profile_dir}`` | the folder of the profile file |
| ``{users_file}`` | a file of ``username:password`` lines, written from the accounts |
| ``{failure_mode}`` | ``open`` or ``closed``, for a service that can run either |
| ``{args}`` | extra flags a scenario adds (empty by default) |
| ``{secret}`` | a fresh random secret (48 bytes, URL-safe), e.g. for a JWT key |

The environment's values take the same placeholders. Example::

    CommandService(workdir, "uvicorn myapp:app --port {port}", redis_url=r.url).start()
    service_of_profile(profile, workdir, redis_url=url, workers=3).start()
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from chaos.ports import PortClaim, claim_port_range
from chaos.profile import ServiceProfile
from chaos.services.errors import ServiceError
from chaos.services.http_probe import first_unhealthy
from chaos.services.process import ServiceProcess
from chaos.services.process_tree import ProcessTree
from chaos.services.run import current_run

__all__ = ["PLACEHOLDERS", "CommandService", "service_of_profile"]

PLACEHOLDERS = (
    "port", "redis_url", "workers", "python", "profile_dir", "users_file", "failure_mode",
    "args", "secret",
)  # fmt: skip
ACCOUNTS_TIMEOUT_S = 60.0


class CommandService(ServiceProcess):
    """Any HTTP service that takes its port (and Redis URL) from its command line or env."""

    ready_timeout = 60.0

    def __init__(
        self,
        workdir: Path,
        command_template: str,
        redis_url: str,
        *,
        health_path: str = "/health",
        workers: int = 1,
        env: Mapping[str, str] | None = None,
        port: int | None = None,
        port_per_worker: bool = False,
        users: Sequence[tuple[str, str]] = (),
        failure_mode: str = "open",
        args: Sequence[str] = (),
        profile_dir: Path | None = None,
        accounts_command: str | None = None,
    ) -> None:
        if "{port}" not in command_template:
            raise ValueError(f"--sut-command needs a {{port}} placeholder: {command_template!r}")
        self._claim: PortClaim | None = None
        if port is None:
            self._claim = claim_port_range(workers if port_per_worker else 1)
            port = self._claim.port
        self.port = port
        self.template = command_template
        self.redis_url = redis_url
        self.health_path = health_path
        self.workers = workers
        self.port_per_worker = port_per_worker
        self.users = tuple(users)
        self.secret = secrets.token_urlsafe(48)
        self.ignored: list[str] = []  # reference-service options a caller gave that do not apply
        super().__init__(f"service-{port}", Path(workdir) / f"service-{port}", None)
        self.users_path = self.workdir / "users.txt"
        self._values = {
            "port": str(port), "redis_url": redis_url, "workers": str(workers),
            "python": sys.executable, "profile_dir": str(profile_dir or Path.cwd()),
            "users_file": str(self.users_path), "failure_mode": failure_mode,
            "args": shlex.join(args), "secret": self.secret,
        }  # fmt: skip
        self.extra_env = {k: self._fill(v, f"env {k}") for k, v in (env or {}).items()}
        self.accounts_command = accounts_command
        self._argv = self._render()

    def _fill(self, text: str, what: str) -> str:
        try:
            return text.format(**self._values)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"{what}: bad template {text!r} ({exc!r}); placeholders: "
                f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
            ) from None

    def _render(self) -> list[str]:
        text = self._fill(self.template, "--sut-command")
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
    def ports(self) -> tuple[int, ...]:
        return tuple(self.port + i for i in range(self.workers if self.port_per_worker else 1))

    @property
    def worker_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    def tree(self) -> ProcessTree:
        """The service's processes as ``/proc`` shows them now (it must be running)."""
        if self.pid is None:
            raise ServiceError(f"{self.name} is not running: it has no process tree")
        return ProcessTree(self.pid, self.ports)

    def prepare(self) -> None:
        if self.users:
            lines = "".join(f"{name}:{password}\n" for name, password in self.users)
            self.users_path.write_text(lines, encoding="utf-8")
        if self.accounts_command:
            argv = shlex.split(self._fill(self.accounts_command, "[accounts] create"))
            with self.log_path.open("ab") as log:
                done = subprocess.run(
                    argv, cwd=self.workdir,
                    env={**os.environ, **self.extra_env, **current_run().env()},
                    stdout=log, stderr=subprocess.STDOUT, timeout=ACCOUNTS_TIMEOUT_S,
                    check=False,
                )  # fmt: skip
            if done.returncode != 0:
                raise ServiceError(
                    f"[accounts] create exited {done.returncode}; log {self.log_path}"
                )

    def command(self) -> list[str]:
        return list(self._argv)

    def probe(self) -> str | None:
        return first_unhealthy(self.worker_urls, self.health_path)

    def release_ports(self) -> None:
        if self._claim is not None:
            self._claim.release()


def service_of_profile(
    profile: ServiceProfile, workdir: Path, *, redis_url: str, workers: int | None = None,
    failure_mode: str | None = None, args: Sequence[str] = (),
) -> CommandService:  # fmt: skip
    """The service a profile describes, with its accounts, ready route and port layout."""
    if args and not profile.takes_args:
        raise ValueError(f"profile {profile.name}: its command has no {{args}} for {list(args)}")
    return CommandService(
        workdir, profile.command, redis_url, health_path=profile.ready,
        workers=profile.workers if workers is None else workers, env=profile.env,
        port_per_worker=profile.port_per_worker, users=profile.accounts.users,
        failure_mode=failure_mode or profile.policy.mode, args=args,
        profile_dir=profile.folder, accounts_command=profile.accounts.create,
    )  # fmt: skip
