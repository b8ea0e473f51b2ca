"""What a workload client does next: ``Mix`` (how the service is called is its profile's,
``chaos.profile.AuthApi``).

Mix(verify=2.0, logout=4.0, refresh=0.2, login=0.2, revisit=1.0)   # a logout-heavy client
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mix:
    """Relative weights of what a client does next (a login also happens whenever a client
    has no live token). ``revisit`` verifies one of the client's already revoked tokens."""

    verify: float = 6.0
    logout: float = 1.0
    refresh: float = 0.5
    login: float = 0.2
    revisit: float = 1.0

    def choices(self) -> tuple[list[str], list[float]]:
        names = ["verify", "logout", "refresh", "login", "revisit"]
        weights = [self.verify, self.logout, self.refresh, self.login, self.revisit]
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError(f"mix weights must be >= 0 with a positive sum: {self}")
        return names, weights
