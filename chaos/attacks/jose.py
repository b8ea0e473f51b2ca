"""JWS compact serialisation built by hand, so a token can be as wrong as an attacker makes it.

Nothing here validates: headers and payloads may be any JSON (or raw bytes that are not
JSON), signatures are made with whatever key is given. PyJWT is not used on purpose: the
corpus must not share the blind spots of the library the service verifies with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

Signer = Callable[[bytes], bytes]
"""Turns the signing input (``header.payload``, ASCII) into raw signature bytes."""

Segment = dict[str, Any] | list[Any] | bytes
"""A header or payload: a JSON value to encode, or raw bytes taken as they are."""

_HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of :func:`b64url`, tolerant of missing padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def json_bytes(value: Segment) -> bytes:
    """Compact JSON of ``value``; raw bytes are returned unchanged."""
    if isinstance(value, bytes):
        return value
    return json.dumps(value, separators=(",", ":"), allow_nan=True).encode("utf-8")


def encode(header: Segment, payload: Segment, signer: Signer | None) -> str:
    """``b64(header).b64(payload).b64(signature)``; no signer gives an empty signature."""
    signing_input = f"{b64url(json_bytes(header))}.{b64url(json_bytes(payload))}"
    signature = signer(signing_input.encode("ascii")) if signer else b""
    return f"{signing_input}.{b64url(signature)}"


def split(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Header and payload of a well-formed token (unverified) and its signature segment."""
    header_segment, payload_segment, signature_segment = token.split(".")
    header = json.loads(b64url_decode(header_segment))
    payload = json.loads(b64url_decode(payload_segment))
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ValueError("token header and payload must be JSON objects")
    return header, payload, signature_segment


def hmac_signer(key: bytes, alg: str = "HS256") -> Signer:
    """HMAC-SHA signer for ``HS256``/``HS384``/``HS512`` with any key, however short."""
    digest = _HASHES[alg[2:]]
    return lambda data: hmac.new(key, data, digest).digest()


def rsa_signer(key: rsa.RSAPrivateKey) -> Signer:
    """RS256 (PKCS#1 v1.5 with SHA-256)."""
    return lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def ed25519_signer(key: ed25519.Ed25519PrivateKey) -> Signer:
    """EdDSA over Ed25519."""
    return key.sign
