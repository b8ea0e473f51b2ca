"""Connection to the Docker engine, with a clear error when there is none."""

from __future__ import annotations

import os
import socket
from typing import Any

import docker.errors
from docker.client import from_env

from ._errors import EngineUnavailable, ImageMissing

DEFAULT_HOST = "unix:///var/run/docker.sock"
SETUP_HINT = "run scripts/docker-setup.sh (installs Docker, starts dockerd, builds the images)"


def connect_engine(timeout: float = 30.0) -> Any:
    """A docker.DockerClient that has answered a ping (close() it); EngineUnavailable otherwise."""
    host = os.environ.get("DOCKER_HOST", DEFAULT_HOST)
    if host.startswith("unix://"):
        # docker-py leaks its socket when a unix connect fails: try the socket ourselves first
        _require_unix_socket(host.removeprefix("unix://"), timeout)
    try:
        client = from_env(timeout=int(timeout))
    except docker.errors.DockerException as exc:
        raise EngineUnavailable(f"Docker engine unavailable ({exc}): {SETUP_HINT}") from exc
    try:
        client.ping()
    # requests' ConnectionError is an OSError: a missing socket or a refused connection
    except (docker.errors.DockerException, OSError) as exc:
        client.close()
        raise EngineUnavailable(f"Docker engine unavailable ({exc}): {SETUP_HINT}") from exc
    return client


def _require_unix_socket(path: str, timeout: float) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except OSError as exc:
            raise EngineUnavailable(
                f"Docker engine unavailable (unix://{path}: {exc}): {SETUP_HINT}"
            ) from exc


def require_image(client: Any, image: str) -> None:
    """Raise ImageMissing unless `image` is in the local store (nothing is ever pulled)."""
    try:
        client.images.get(image)
    except docker.errors.ImageNotFound as exc:
        raise ImageMissing(image) from exc
