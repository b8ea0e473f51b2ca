"""The token attack corpus (invariant I11): every forgery, on every route that takes a token."""

from __future__ import annotations

from .cases import AttackCase, on_token_routes
from .claim_attacks import missing_and_mistyped, wrong_audience_and_issuer
from .encoding_attacks import encoding_attacks
from .forged import ForgedToken
from .header_attacks import alg_none, algorithm_confusion, key_injection
from .keys import KeyPair
from .profile import TokenProfile
from .time_attacks import expired_or_premature


def forgeries(profile: TokenProfile, now: int, attacker: KeyPair) -> list[ForgedToken]:
    """Every forged token for one kind of token (access or refresh), in a stable order.

    The tight leeway-boundary tokens are not here: they go stale within seconds, so they are
    built by :mod:`.time_attacks` right before being sent.
    """
    found = [
        *alg_none(profile, now),
        *algorithm_confusion(profile, now),
        *key_injection(profile, now, attacker),
        *missing_and_mistyped(profile, now),
        *wrong_audience_and_issuer(profile, now),
        *encoding_attacks(profile, now),
        *expired_or_premature(profile, now),
    ]
    names = [forged.name for forged in found]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"duplicate forgery names: {sorted(duplicates)}")
    return found


def token_corpus(
    access: TokenProfile, refresh: TokenProfile, now: int, attacker: KeyPair
) -> list[AttackCase]:
    """Access forgeries on verify and logout, refresh forgeries on refresh."""
    return on_token_routes(forgeries(access, now, attacker), forgeries(refresh, now, attacker))
