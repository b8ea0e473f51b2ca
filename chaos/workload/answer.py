"""What a recorded HTTP answer carries into the history (shared by every prober).

``answer_fields`` are the fields of every completed call; ``subject_fields`` re-aim the op at
the token a login/refresh obtained, or record what a 200 verify answered about.
"""

from __future__ import annotations

from typing import Any

import httpx

from chaos.workload.tokens import token_fields


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of an answer; {} when the body is no JSON object."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def answer_fields(response: httpx.Response, body: dict[str, Any]) -> dict[str, Any]:
    """Status, answering worker, revocation-check header and the error kind, if any."""
    done: dict[str, Any] = {
        "status": response.status_code,
        "worker": response.headers.get("x-worker-id"),
        "revocation_check": response.headers.get("x-revocation-check"),
    }
    if isinstance(body.get("error"), str):
        done["error"] = body["error"]
    return done


def subject_fields(
    f: str, fields: dict[str, Any], status: int, body: dict[str, Any]
) -> dict[str, Any]:
    """The new token of a login/refresh, or the subject a 200 verify answered for."""
    obtained = body.get("access_token")
    if isinstance(obtained, str):
        return token_fields(obtained)  # login/refresh: the op is about the new token
    if f == "verify" and status == 200:
        return {
            "value": {
                **fields.get("value", {}),
                "answered_sub": body.get("sub"),
                "answered_jti": body.get("jti"),
            }
        }
    return {}
