"""A whole attack campaign against a running service, from one login: the corpus a user runs
against their own service (``python -m chaos.attacks``)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from .body_attacks import body_attacks
from .cases import AttackCase
from .corpus import token_corpus
from .header_attacks import ATTACKER_SECRET
from .header_line_attacks import authorization_attacks
from .jose import hmac_signer
from .keys import KeyPair
from .outcome import Outcome, send
from .profile import TokenProfile
from .revocation_attacks import kind_confusion


@dataclass(frozen=True)
class Campaign:
    """Who to log in as, and what is known of the service's key.

    Without ``secret`` the claim attacks are signed with a foreign key: they are still
    refused, but only prove the signature check; with it they prove the claim checks.
    """

    username: str
    password: str
    secret: bytes | None = None
    leeway_s: int = 5
    fresh_ids: tuple[str, ...] = ("jti",)
    login_path: str = "/auth/login"


def login(client: httpx.Client, campaign: Campaign) -> tuple[str, str]:
    answer = client.post(
        campaign.login_path, json={"username": campaign.username, "password": campaign.password}
    )
    if answer.status_code != 200:
        raise RuntimeError(f"login as {campaign.username!r}: {answer.status_code} {answer.text}")
    pair = answer.json()
    return str(pair["access_token"]), str(pair["refresh_token"])


def cases(client: httpx.Client, campaign: Campaign) -> list[AttackCase]:
    """Every case the campaign sends, built from two fresh logins."""
    access, refresh = login(client, campaign)
    signer = hmac_signer(campaign.secret or ATTACKER_SECRET)
    profiles = [
        TokenProfile.from_sample(token, signer, campaign.leeway_s, fresh_ids=campaign.fresh_ids)
        for token in (access, refresh)
    ]
    other_access, other_refresh = login(client, campaign)
    return [
        *token_corpus(profiles[0], profiles[1], int(time.time()), KeyPair.generate("RS256")),
        *authorization_attacks(access),
        *kind_confusion(other_access, other_refresh),
        *body_attacks(),
    ]


def run(client: httpx.Client, campaign: Campaign) -> list[Outcome]:
    return [send(client, case) for case in cases(client, campaign)]
