"""``exp``, ``nbf`` and ``iat`` on both sides of the leeway boundary.

A token is accepted while ``now < exp + leeway`` and ``nbf <= now + leeway``. The side that
time moves towards gets a margin of 1 s; the other side gets ``MARGIN_S`` so that a slow
request (CPU contention) cannot cross the boundary before the service reads its clock.
Build these right before sending them.
"""

from __future__ import annotations

from .forged import ForgedToken
from .profile import TokenProfile

MARGIN_S = 3


def _expiring_at(profile: TokenProfile, now: int, exp: int) -> dict[str, int]:
    """Times of a token whose life ends at ``exp``, issued ``lifetime_s`` before."""
    times = {"exp": exp}
    if "iat" in profile.claims:
        times["iat"] = min(exp - profile.lifetime_s, now)
    if "nbf" in profile.claims:
        times["nbf"] = min(exp - profile.lifetime_s, now)
    return times


def expired_or_premature(profile: TokenProfile, now: int) -> list[ForgedToken]:
    """Tokens far outside the validity window: safe to send at any later time."""
    leeway = profile.leeway_s
    return [
        ForgedToken(
            "time/exp-long-ago",
            profile.mint(now, set_claims=_expiring_at(profile, now, now - 86_400)),
            "expired a day ago",
        ),
        ForgedToken(
            "time/exp-at-epoch",
            profile.mint(now, set_claims=_expiring_at(profile, now, 0)),
            "exp = 0",
        ),
        ForgedToken(
            "time/exp-negative",
            profile.mint(now, set_claims=_expiring_at(profile, now, -1)),
            "exp = -1",
        ),
        ForgedToken(
            "time/nbf-far-future",
            profile.mint(now, set_claims={"nbf": now + leeway + 3600}),
            "nbf an hour beyond the leeway",
        ),
        ForgedToken(
            "time/iat-far-future",
            profile.mint(now, set_claims={"iat": now + leeway + 3600}),
            "iat an hour beyond the leeway",
        ),
    ]


def boundary_refused(profile: TokenProfile, now: int) -> list[ForgedToken]:
    """Just outside the window; send within ``MARGIN_S`` of ``now``."""
    leeway = profile.leeway_s
    return [
        ForgedToken(
            "time/exp-just-outside-leeway",
            profile.mint(now, set_claims=_expiring_at(profile, now, now - leeway - 1)),
            f"exp = now - leeway({leeway}) - 1 s",
        ),
        ForgedToken(
            "time/nbf-beyond-leeway",
            profile.mint(now, set_claims={"nbf": now + leeway + MARGIN_S}),
            f"nbf = now + leeway({leeway}) + {MARGIN_S} s",
        ),
        ForgedToken(
            "time/iat-beyond-leeway",
            profile.mint(now, set_claims={"iat": now + leeway + MARGIN_S}),
            f"iat = now + leeway({leeway}) + {MARGIN_S} s",
        ),
    ]


def boundary_accepted(profile: TokenProfile, now: int) -> list[ForgedToken]:
    """Positive controls: just inside the window thanks to the leeway, and a fresh token."""
    leeway = profile.leeway_s
    return [
        ForgedToken("time/fresh", profile.mint(now), "issued now, like the service's own"),
        ForgedToken(
            "time/exp-just-inside-leeway",
            profile.mint(now, set_claims=_expiring_at(profile, now, now - leeway + MARGIN_S)),
            f"exp = now - leeway({leeway}) + {MARGIN_S} s: expired, but within leeway",
        ),
        ForgedToken(
            "time/nbf-just-inside-leeway",
            profile.mint(now, set_claims={"nbf": now + leeway - 1}),
            f"nbf = now + leeway({leeway}) - 1 s",
        ),
    ]
