"""The ceiling of a crowd: the same users, mix and think times, with every request sent to one
do-nothing route (``GET /health``) instead of login, verify and logout.

What a crowd gets from the same workers when a request costs the framework alone: the upper
bound a design's throughput and latency are read against (``python -m benchmarks.compare``).

    api = CeilingApi(profile, "/health")      # every call of the mix: GET /health
    VirtualUser(..., api, judge=judge_ceiling)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from chaos.profile import AuthApi, Check, HttpCall, ServiceProfile
from chaos.workload.crowd import shed_mark
from chaos.workload.http1 import Answer

__all__ = ["CEILING_TOKEN", "CeilingApi", "judge_ceiling"]

CEILING_TOKEN = "ceiling"  # noqa: S105 (a placeholder the do-nothing route never reads)


class CeilingApi(AuthApi):
    """An ``AuthApi`` whose every request is ``GET path``; a "login" hands out a placeholder
    token so that the user walks through the mix exactly as against the real routes."""

    def __init__(self, profile: ServiceProfile, path: str) -> None:
        if not path.startswith("/"):
            raise ValueError(f"ceiling path must start with /, got {path!r}")
        super().__init__(profile)
        self.path = path

    def login(self, user: tuple[str, str]) -> HttpCall:
        return HttpCall("GET", self.path)

    def verify(self, token: str) -> HttpCall:
        return HttpCall("GET", self.path)

    def logout(self, token: str) -> HttpCall:
        return HttpCall("GET", self.path)

    def tokens(
        self, route: Literal["login", "refresh"], body: Mapping[str, Any],
        cookies: Mapping[str, str],
    ) -> tuple[str | None, str | None]:  # fmt: skip
        return CEILING_TOKEN, None

    def check_of(self, value: str | None) -> Check | None:
        return None  # the do-nothing route checks no revocation list


def judge_ceiling(route: str, answer: Answer, check: str | None = None) -> str | None:
    """None for any 2xx: the do-nothing route has nothing else to get right."""
    if 200 <= answer.status < 300:
        return None
    return f"{route}: {answer.status}{shed_mark(answer)}"
