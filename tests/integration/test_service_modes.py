"""Other ways to run it: one shared port for every worker, and asymmetric token keys."""

from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import login, logout, verify, worker_of

pytestmark = pytest.mark.integration


def test_workers_share_one_port_and_one_revocation_list(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(
        redis_factory().url, workers=2, port_per_worker=False, extra_args=["--hash-cost", "1024"]
    )
    (url,) = auth.worker_urls
    slots = set()
    for _ in range(6):
        pair = login(url)
        assert verify(url, pair.access).status_code == 200
        assert logout(url, pair.access).status_code == 200
        refused = verify(url, pair.access)
        assert refused.status_code == 401
        slots.add(worker_of(refused)[0])
    assert slots <= {0, 1}


def test_eddsa_tokens_verify_and_an_hs256_token_is_refused(
    redis_factory: RedisFactory, auth_factory: AuthFactory, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    private, public = tmp_path / "private.pem", tmp_path / "public.pem"
    private.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    public.write_bytes(
        key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    args = ["--jwt-alg", "EdDSA", "--jwt-private-key", str(private)]
    auth = auth_factory(
        redis_factory().url, workers=1, extra_args=[*args, "--jwt-public-key", str(public)]
    )
    url = auth.worker_urls[0]
    pair = login(url)
    assert pair.access.count(".") == 2
    assert verify(url, pair.access).status_code == 200
    head = httpx.get(url + "/openapi.json", timeout=5)
    assert head.status_code == 200
    # the same claims signed HS256 with the shared secret: not the configured algorithm
    claims = jwt.decode(pair.access, options={"verify_signature": False})
    forged = jwt.encode(claims, auth.secret, algorithm="HS256")
    assert verify(url, forged).status_code == 401
