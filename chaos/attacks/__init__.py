"""Hostile input for a JWT auth service: forged tokens, malformed requests, slow clients,
and a scan for leaked secrets. Pure data and crafting: no pytest, no service imports, so the
corpus can be aimed at any service that speaks the contract's HTTP API.

    profile = TokenProfile.hs256(sample_access_token, secret, leeway_s=30)
    for case in token_corpus(profile, refresh_profile, int(time.time()), KeyPair.generate("RS256")):
        assert not problems(send(client, case))
"""

from .body_attacks import body_attacks
from .cases import AttackCase, AttackRequest
from .corpus import forgeries, token_corpus
from .forged import ForgedToken
from .header_line_attacks import authorization_attacks
from .keys import KeyPair
from .outcome import Outcome, describe, error_code, problems, send
from .profile import TokenProfile
from .revocation_attacks import kind_confusion, refresh_replay, revoked_resigned
from .secret_scan import Leak, Secret, find_leaks
from .slow_client import SlowClientResult, slow_headers
from .time_attacks import boundary_accepted, boundary_refused

__all__ = [
    "AttackCase",
    "AttackRequest",
    "ForgedToken",
    "KeyPair",
    "Leak",
    "Outcome",
    "Secret",
    "SlowClientResult",
    "TokenProfile",
    "authorization_attacks",
    "body_attacks",
    "boundary_accepted",
    "boundary_refused",
    "describe",
    "error_code",
    "find_leaks",
    "forgeries",
    "kind_confusion",
    "problems",
    "refresh_replay",
    "revoked_resigned",
    "send",
    "slow_headers",
    "token_corpus",
]
