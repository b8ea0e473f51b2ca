"""Errors of the Docker backend.

DockerBackendError
├── EngineUnavailable   the Docker engine does not answer (run scripts/docker-setup.sh)
├── ImageMissing        a locally built image is absent (run scripts/docker-setup.sh)
├── NotReady            a container did not become ready before its deadline (log tail)
└── ComposeFailed       docker-compose exited non-zero (its output)
"""

from __future__ import annotations


class DockerBackendError(Exception):
    """Base of every error raised by chaos.docker_backend."""


class EngineUnavailable(DockerBackendError):
    """The Docker engine cannot be reached."""


class ImageMissing(DockerBackendError):
    """An image the backend needs is not in the local image store."""

    def __init__(self, image: str) -> None:
        super().__init__(
            f"image {image} is not built here: run scripts/docker-setup.sh (no registry needed)"
        )
        self.image = image


class NotReady(DockerBackendError):
    """A container did not reach its ready condition before the deadline."""

    def __init__(self, what: str, seconds: float, seen: str, log_tail: str) -> None:
        super().__init__(
            f"{what} not ready after {seconds:.1f} s (last seen: {seen})\n--- log tail ---\n"
            f"{log_tail}"
        )
        self.what = what
        self.log_tail = log_tail


class ComposeFailed(DockerBackendError):
    """docker-compose exited with a non-zero status."""

    def __init__(self, command: list[str], returncode: int, output: str) -> None:
        super().__init__(f"{' '.join(command)} exited {returncode}:\n{output[-4000:]}")
        self.returncode = returncode
