"""Asymmetric key pairs for a service configured with RS256 or EdDSA, and for attackers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from .jose import Signer, b64url, ed25519_signer, rsa_signer

AsymmetricAlg = Literal["RS256", "EdDSA"]


@dataclass(frozen=True)
class KeyPair:
    """A private key with its public half, as PEM bytes and as a public JWK."""

    alg: AsymmetricAlg
    private_key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

    @classmethod
    def generate(cls, alg: AsymmetricAlg) -> KeyPair:
        if alg == "RS256":
            return cls(alg, rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return cls(alg, ed25519.Ed25519PrivateKey.generate())

    @property
    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def public_der(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWK (RFC 7517 / RFC 8037)."""
        public = self.private_key.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            numbers = public.public_numbers()
            return {
                "kty": "RSA",
                "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                "e": b64url(numbers.e.to_bytes(3, "big")),
            }
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}

    @property
    def signer(self) -> Signer:
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return rsa_signer(self.private_key)
        return ed25519_signer(self.private_key)

    def write(self, directory: Path, stem: str) -> tuple[Path, Path]:
        """Write ``stem.key`` (private, mode 0600) and ``stem.pub``; return both paths."""
        private_path, public_path = directory / f"{stem}.key", directory / f"{stem}.pub"
        private_path.write_bytes(self.private_pem)
        private_path.chmod(0o600)
        public_path.write_bytes(self.public_pem)
        return private_path, public_path
