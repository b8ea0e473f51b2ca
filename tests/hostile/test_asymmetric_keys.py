"""Invariant I11 with an asymmetric key: algorithm confusion (HMAC keyed with the public key)
and the rest of the corpus refused by a service started with ``--jwt-alg RS256`` or EdDSA."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from chaos.attacks import (
    KeyPair,
    TokenProfile,
    boundary_accepted,
    describe,
    problems,
    send,
    token_corpus,
)
from chaos.attacks.cases import on_refresh, on_verify
from chaos.attacks.keys import AsymmetricAlg

from .conftest import FRESH_IDS, Target, start_target, stop_target

pytestmark = pytest.mark.hostile


@dataclass
class AsymmetricTarget:
    target: Target
    keys: KeyPair


@pytest.fixture(scope="module", params=["RS256", "EdDSA"])
def asymmetric(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AsymmetricTarget]:
    alg: AsymmetricAlg = request.param
    workdir = tmp_path_factory.mktemp(f"hostile-{alg.lower()}")
    keys = KeyPair.generate(alg)
    private, public = keys.write(workdir, "service")
    target = start_target(
        workdir,
        ("--jwt-alg", alg, "--jwt-private-key", str(private), "--jwt-public-key", str(public)),
        workers=1,
    )
    try:
        yield AsymmetricTarget(target, keys)
    finally:
        stop_target(target)


def profiles(service: AsymmetricTarget, pair: dict[str, str]) -> tuple[TokenProfile, ...]:
    keys, leeway = service.keys, service.target.leeway_s
    return tuple(
        TokenProfile.from_sample(pair[kind], keys.signer, leeway, keys.public_pem, FRESH_IDS)
        for kind in ("access_token", "refresh_token")
    )


def test_every_forgery_is_refused_with_an_asymmetric_key(
    asymmetric: AsymmetricTarget, figures: dict[str, int]
) -> None:
    target = asymmetric.target
    with target.client() as client:
        access, refresh = profiles(asymmetric, target.login(client, "alice"))
        assert access.alg == asymmetric.keys.alg
        cases = token_corpus(access, refresh, int(time.time()), KeyPair.generate("RS256"))
        sent = [send(client, case) for case in cases]
    confusion = [o for o in sent if o.case.group == "alg-confusion"]
    assert len(confusion) == 27  # 3 spellings of the key x 3 HMAC algorithms x 3 routes
    wrong = [describe(o) for o in sent if problems(o)]
    figures[f"asymmetric_{access.alg}_cases"] = len(sent)
    print(f"\n{access.alg}: {len(sent)} cases, {len(confusion)} algorithm-confusion cases")
    assert not wrong, f"{len(wrong)} of {len(sent)} cases not refused:\n" + "\n".join(wrong)


def test_tokens_signed_with_the_private_key_are_accepted(asymmetric: AsymmetricTarget) -> None:
    # positive control: the same crafting with the right key passes, so refusals mean something
    target = asymmetric.target
    with target.client() as client:
        access, refresh = profiles(asymmetric, target.login(client, "bob"))
        now = int(time.time())
        assert send(client, on_verify(boundary_accepted(access, now)[0])).status == 200
        assert send(client, on_refresh(boundary_accepted(refresh, now)[0])).status == 200
