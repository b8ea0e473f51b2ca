"""Token claims: required claims, algorithm allow-list, type confusion, the leeway boundary."""

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from system_under_test.tokens import Claims, TokenKeys, TokenRejected, Tokens, check_times

SECRET = b"k" * 32
LEEWAY = 5


def make_tokens(keys: TokenKeys | None = None, cache_size: int = 100) -> Tokens:
    return Tokens(
        keys or TokenKeys.hs256(SECRET),
        issuer="iss-test",
        audience="aud-test",
        leeway_s=LEEWAY,
        access_ttl_s=900,
        refresh_ttl_s=3600,
        cache_size=cache_size,
    )


def claims(**override: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": "iss-test",
        "aud": "aud-test",
        "sub": "alice",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        "jti": "j1",
        "typ": "access",
        "fam": "f1",
    }
    base.update(override)
    return {k: v for k, v in base.items() if v is not None}


def signed(payload: dict[str, Any], key: bytes = SECRET, alg: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=alg)


def test_an_issued_pair_decodes_to_its_own_types() -> None:
    tokens = make_tokens()
    pair = tokens.issue_pair("alice")
    access = tokens.decode(pair.access, "access")
    refresh = tokens.decode(pair.refresh, "refresh")
    assert access.sub == refresh.sub == "alice"
    assert access.fam == refresh.fam
    assert access.jti != refresh.jti
    assert access.verify_body == (
        f'{{"sub":"alice","jti":"{access.jti}","exp":{access.exp}}}'.encode()
    )


def test_rotation_keeps_the_family() -> None:
    tokens = make_tokens()
    first = tokens.issue_pair("alice")
    family = tokens.decode(first.refresh, "refresh").fam
    second = tokens.issue_pair("alice", family)
    assert tokens.decode(second.access, "access").fam == family


@pytest.mark.parametrize("cache_size", [0, 100])
def test_access_and_refresh_are_not_interchangeable(cache_size: int) -> None:
    tokens = make_tokens(cache_size=cache_size)
    pair = tokens.issue_pair("alice")
    for _ in range(2):  # the second round answers from the cache when there is one
        with pytest.raises(TokenRejected) as refused:
            tokens.decode(pair.refresh, "access")
        assert refused.value.code == "wrong_token_type"
        with pytest.raises(TokenRejected):
            tokens.decode(pair.access, "refresh")


@pytest.mark.parametrize("missing", ["iss", "aud", "sub", "iat", "nbf", "exp", "jti", "typ", "fam"])
def test_every_claim_is_required(missing: str) -> None:
    with pytest.raises(TokenRejected):
        make_tokens().decode(signed(claims(**{missing: None})), "access")


@pytest.mark.parametrize(
    "override",
    [
        {"aud": "someone-else"},
        {"iss": "someone-else"},
        {"nbf": LEEWAY + 30},
        {"iat": LEEWAY + 30},
        {"sub": ""},
        {"jti": 123},
    ],
    ids=["aud", "iss", "nbf", "iat", "empty-sub", "int-jti"],
)
def test_wrong_claims_are_refused(override: dict[str, Any]) -> None:
    now = int(time.time())  # times are offsets from now, taken when the test runs
    payload = claims(**{k: now + v if k in ("nbf", "iat") else v for k, v in override.items()})
    with pytest.raises(TokenRejected):
        make_tokens().decode(signed(payload), "access")


def test_a_good_token_with_the_same_claims_passes() -> None:
    # positive control for the refusals above
    assert make_tokens().decode(signed(claims()), "access").jti == "j1"


def test_alg_none_and_a_foreign_key_are_refused() -> None:
    tokens = make_tokens()
    unsigned = jwt.encode(claims(), "", algorithm="none")
    with pytest.raises(TokenRejected):
        tokens.decode(unsigned, "access")
    with pytest.raises(TokenRejected):
        tokens.decode(signed(claims(), key=b"x" * 32), "access")
    with pytest.raises(TokenRejected):
        tokens.decode("not.a.jwt", "access")


def test_algorithm_confusion_hs256_with_the_rsa_public_key_is_refused() -> None:
    private = generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    public_pem = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    algorithm = jwt.algorithms.get_default_algorithms()["RS256"]
    keys = TokenKeys("RS256", algorithm.prepare_key(private_pem), algorithm.prepare_key(public_pem))
    tokens = make_tokens(keys)
    assert tokens.decode(tokens.issue_pair("alice").access, "access").sub == "alice"

    # PyJWT refuses to HMAC-sign with a PEM key itself, so the forgery is made by hand
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims()).encode())
    sig = b64(hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest())
    forged = f"{head}.{body}.{sig}"
    with pytest.raises(TokenRejected):
        tokens.decode(forged, "access")


def test_expired_beyond_leeway_is_refused_within_leeway_accepted() -> None:
    now = int(time.time())
    tokens = make_tokens()
    assert tokens.decode(signed(claims(exp=now - LEEWAY + 3)), "access").sub == "alice"
    with pytest.raises(TokenRejected) as refused:
        tokens.decode(signed(claims(exp=now - LEEWAY - 3, jti="j2")), "access")
    assert refused.value.code == "token_expired"


def _claims(exp: int, nbf: int = 0, iat: int = 0) -> Claims:
    return Claims("a", "j", "f", "access", exp=exp, nbf=nbf, iat=iat, verify_body=b"")


def test_the_exact_exp_plus_leeway_boundary() -> None:
    # accepted while now < exp + leeway (PyJWT's rule, re-applied on every cached use)
    check_times(_claims(exp=100), now=104.999, leeway_s=5)
    with pytest.raises(TokenRejected):
        check_times(_claims(exp=100), now=105.0, leeway_s=5)


def test_the_exact_nbf_minus_leeway_boundary() -> None:
    check_times(_claims(exp=1000, nbf=100), now=95.0, leeway_s=5)
    with pytest.raises(TokenRejected):
        check_times(_claims(exp=1000, nbf=100), now=94.999, leeway_s=5)


def _forge(payload_json: str) -> str:
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(payload_json.encode()).rstrip(b"=").decode()
    mac = hmac.new(SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    "payload_json",
    [
        "[" * 3000 + "]" * 3000,
        json.dumps(claims()).replace('"exp": ', '"exp": Infinity, "x": '),
        json.dumps(claims()).replace('"nbf": ', '"nbf": NaN, "x": '),
        '"just a string"',
    ],
    ids=["deep-json", "infinite-exp", "nan-nbf", "not-an-object"],
)
def test_crafted_payloads_signed_with_the_key_are_refused_not_raised(payload_json: str) -> None:
    with pytest.raises(TokenRejected):
        make_tokens().decode(_forge(payload_json), "access")


def test_the_forger_makes_tokens_the_service_accepts() -> None:
    # positive control for the crafted payloads above
    assert make_tokens().decode(_forge(json.dumps(claims())), "access").sub == "alice"


@pytest.mark.parametrize(
    "override",
    [
        {"exp": "numeric-string"},
        {"iat": "numeric-string"},
        {"nbf": "numeric-string"},
        {"iat": True},
        {"nbf": True},
        {"exp": "float"},
        {"iss": ["iss-test"]},
        {"aud": 123},
        {"aud": ["aud-test", 1]},
        {"typ": 1},
        {"fam": True},
    ],
    ids=lambda override: "-".join(f"{k}={v}" for k, v in override.items()),
)
def test_claims_of_the_wrong_json_type_are_refused(override: dict[str, Any]) -> None:
    # F1: PyJWT reads times with int(), which takes "1795657317" and true
    good = claims()
    payload = dict(good)
    for name, wanted in override.items():
        if wanted == "numeric-string":
            payload[name] = str(good[name])
        elif wanted == "float":
            payload[name] = good[name] + 0.5
        else:
            payload[name] = wanted
    with pytest.raises(TokenRejected) as refused:
        make_tokens().decode(_forge(json.dumps(payload)), "access")  # PyJWT won't encode all
    assert refused.value.code == "invalid_token"


def test_a_list_audience_holding_the_service_is_still_accepted() -> None:
    # RFC 7519 allows aud as a list of strings: the type check above must not refuse it
    assert make_tokens().decode(signed(claims(aud=["aud-test", "x"])), "access").sub == "alice"


def _other_spellings(token: str) -> list[str]:
    """Spellings a lenient base64url decoder reads as the same token (F2)."""
    head, body, sig = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused_bits = {2: 4, 3: 2}[len(sig) % 4]  # HS256: 43 characters, 2 bits unused
    last = alphabet.index(sig[-1])
    flipped = alphabet[last | ((1 << unused_bits) - 1)]
    return [
        token + "=",
        token + "==",
        f"{head}.{body}.{sig[:-1]}{flipped}",
        token + "\n",
        " " + token,
    ]


@pytest.mark.parametrize("cache_size", [0, 100])
def test_non_canonical_spellings_are_refused_even_after_the_canonical_one(cache_size: int) -> None:
    tokens = make_tokens(cache_size=cache_size)
    token = signed(claims())
    spellings = _other_spellings(token)
    assert len(set(spellings)) == len(spellings)
    assert token not in spellings
    # the control: PyJWT alone takes the padded spelling (2.15 refuses the bit-flipped one,
    # older releases in the pinned range do not)
    assert jwt.decode(token + "=", SECRET, algorithms=["HS256"], audience="aud-test")
    assert tokens.decode(token, "access").jti == "j1"  # cached now, when there is a cache
    for spelling in spellings:
        with pytest.raises(TokenRejected) as refused:
            tokens.decode(spelling, "access")
        assert refused.value.code == "invalid_token"
