"""Invariant I11 against the HS256 service: every forged token refused with the documented
status, on verify, logout and refresh, while forgeries made the legitimate way are accepted."""

from __future__ import annotations

import time

import httpx
import pytest

from chaos.attacks import (
    AttackCase,
    KeyPair,
    Outcome,
    TokenProfile,
    authorization_attacks,
    boundary_accepted,
    boundary_refused,
    describe,
    kind_confusion,
    problems,
    refresh_replay,
    revoked_resigned,
    send,
    token_corpus,
)
from chaos.attacks.cases import on_refresh, on_verify
from chaos.attacks.jose import hmac_signer

from .conftest import FRESH_IDS, Target

pytestmark = pytest.mark.hostile

GROUPS = (
    "alg-none", "jwk", "jku", "x5u", "kid", "header", "claim-missing", "claim-null",
    "claim-type", "wrong-aud", "wrong-iss", "signature", "garbage", "malleable", "base64",
    "payload", "oversized", "time", "scheme", "duplicate", "non-ascii", "smuggled",
    "kind-confusion", "revoked", "refresh-replay",
)  # fmt: skip


def live_cases(target: Target, client: httpx.Client) -> list[AttackCase]:
    """Cases that need tokens the service issued: kinds confused, revoked, replayed."""
    pair = target.login(client, "bob")
    cases = kind_confusion(pair["access_token"], pair["refresh_token"])
    revoked = target.login(client, "carol")
    assert (
        client.post(
            "/auth/logout", headers={"Authorization": f"Bearer {revoked['access_token']}"}
        ).status_code
        == 200
    )
    profile = TokenProfile.hs256(revoked["access_token"], target.secret, target.leeway_s)
    cases += revoked_resigned(revoked["access_token"], profile, int(time.time()))
    rotated = target.login(client, "dave")
    assert (
        client.post("/auth/refresh", json={"refresh_token": rotated["refresh_token"]}).status_code
        == 200
    )
    return cases + refresh_replay(rotated["refresh_token"])


@pytest.fixture(scope="module")
def outcomes(target: Target, client: httpx.Client, figures: dict[str, int]) -> list[Outcome]:
    pair = target.login(client, "alice")
    now = int(time.time())
    access = TokenProfile.hs256(pair["access_token"], target.secret, target.leeway_s, FRESH_IDS)
    refresh = TokenProfile.hs256(pair["refresh_token"], target.secret, target.leeway_s, FRESH_IDS)
    cases = [
        *token_corpus(access, refresh, now, KeyPair.generate("RS256")),
        *authorization_attacks(pair["access_token"]),
        *live_cases(target, client),
    ]
    sent = [send(client, case) for case in cases]
    # the token the header cases carry is still good: their refusals are the presentation's
    still_valid = client.get(
        "/auth/verify", headers={"Authorization": f"Bearer {pair['access_token']}"}
    )
    assert still_valid.status_code == 200, still_valid.text
    refused = sum(1 for outcome in sent if not problems(outcome))
    figures["token_corpus_cases"] = len(sent)
    figures["token_corpus_refused_as_documented"] = refused
    print(f"\ntoken corpus: {len(sent)} cases sent, {refused} refused as documented")
    return sent


@pytest.mark.parametrize("group", GROUPS)
def test_every_case_of_the_group_is_refused_as_documented(
    group: str, outcomes: list[Outcome]
) -> None:
    mine = [outcome for outcome in outcomes if outcome.case.group == group]
    assert mine, f"no case of group {group}"
    wrong = [describe(outcome) for outcome in mine if problems(outcome)]
    assert not wrong, f"{len(wrong)} of {len(mine)} {group} cases not refused:\n" + "\n".join(wrong)


def test_every_case_belongs_to_a_checked_group(outcomes: list[Outcome]) -> None:
    assert {outcome.case.group for outcome in outcomes} <= set(GROUPS)


def test_tokens_forged_the_legitimate_way_are_accepted(
    target: Target, client: httpx.Client
) -> None:
    # positive control: the corpus's own signing is right, so refusals are the attack's doing
    pair = target.login(client, "erin")
    now = int(time.time())
    access = TokenProfile.hs256(pair["access_token"], target.secret, target.leeway_s, FRESH_IDS)
    refresh = TokenProfile.hs256(pair["refresh_token"], target.secret, target.leeway_s, FRESH_IDS)
    fresh_access = boundary_accepted(access, now)[0]
    assert send(client, on_verify(fresh_access, frozenset({200}))).status == 200
    fresh_refresh = boundary_accepted(refresh, now)[0]
    assert send(client, on_refresh(fresh_refresh, frozenset({200}))).status == 200
    # and a key that is not the service's is refused (negative control of the control)
    other = access.mint(now, signer=hmac_signer(b"x" * 40))
    assert (
        client.get("/auth/verify", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    )


def test_exp_and_nbf_leeway_boundaries(
    target: Target, client: httpx.Client, figures: dict[str, int]
) -> None:
    """Just inside ``exp + leeway`` accepted, just outside refused; the same for nbf and iat.
    Built right before sending: the margins are 1 s on the side time moves towards and 3 s
    on the other."""
    pair = target.login(client, "frank")
    profile = TokenProfile.hs256(pair["access_token"], target.secret, target.leeway_s, FRESH_IDS)
    now = int(time.time())
    inside = [on_verify(f, frozenset({200})) for f in boundary_accepted(profile, now)]
    outside = [on_verify(f) for f in boundary_refused(profile, now)]
    sent = [send(client, case) for case in [*inside, *outside]]
    assert time.time() < now + 3, "the boundary cases took too long to send to be meaningful"
    wrong = [describe(outcome) for outcome in sent if problems(outcome)]
    figures["leeway_boundary_cases"] = len(sent)
    assert not wrong, "\n".join(wrong)
