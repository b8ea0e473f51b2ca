"""Reading a JWT's claims without verifying it: the workload only needs jti, sub and exp."""

from __future__ import annotations

import base64
import json
from typing import Any


def token_claims(token: str) -> dict[str, Any]:
    """The payload of a compact JWT, unverified; {} when it is not a readable JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError):
        return {}
    return data if isinstance(data, dict) else {}


def token_fields(token: str) -> dict[str, Any]:
    """``jti``, ``sub`` and ``value={"exp"}`` for an op about this token."""
    claims = token_claims(token)
    fields: dict[str, Any] = {"jti": _text(claims.get("jti")), "sub": _text(claims.get("sub"))}
    exp = claims.get("exp")
    fields["value"] = {"exp": exp} if isinstance(exp, int | float) else {}
    return fields


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
